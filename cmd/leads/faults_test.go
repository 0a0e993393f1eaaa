package main

// The process-level fault suite: the real binary, real files, real
// signals. The long loops skip under -short; .ci/test runs without it.

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/leads-inbox/leads/store"
	bolt "go.etcd.io/bbolt"
)

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// leadsBinary builds the command once per test run.
func leadsBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "leads-bin-")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "leads")
		if out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput(); err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

type procResult struct {
	code           int
	stdout, stderr string
	took           time.Duration
}

// runBin runs the binary with a time limit, so a hang fails the test
// instead of stalling the suite.
func runBin(t *testing.T, limit time.Duration, env []string, args ...string) procResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, leadsBinary(t), args...)
	cmd.Env = append(os.Environ(), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	start := time.Now()
	err := cmd.Run()
	r := procResult{stdout: out.String(), stderr: errb.String(), took: time.Since(start)}
	if ctx.Err() != nil {
		t.Fatalf("leads %v did not finish within %v (hung?): %q", args, limit, r.stderr)
	}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return r
}

func sha(t *testing.T, p string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

// genFile writes n synthetic rows with the gen command.
func genFile(t *testing.T, dir string, n int, flags ...string) string {
	t.Helper()
	p := filepath.Join(dir, fmt.Sprintf("gen-%d%s.csv", n, strings.Join(flags, "")))
	args := append([]string{"gen", "--rows", fmt.Sprint(n), "--seed", "7", "--now", "2026-11-24T09:00:00Z", "--out", p}, flags...)
	if r := runBin(t, time.Minute, nil, args...); r.code != 0 {
		t.Fatalf("gen: %q", r.stderr)
	}
	return p
}

// oneCleanLine checks a failure message: one line, "leads:" first, no
// trace of a panic.
func oneCleanLine(t *testing.T, what, stderr string) {
	t.Helper()
	s := strings.TrimRight(stderr, "\n")
	if s == "" || strings.Contains(s, "\n") || !strings.HasPrefix(s, "leads: ") ||
		strings.Contains(s, "goroutine") || strings.Contains(s, "panic") || strings.Contains(s, "SIG") {
		t.Fatalf("%s: want one clean error line, got %q", what, stderr)
	}
}

type triageSnap struct {
	id string
	t  store.Triage
}

// seedTriage imports the first rows of the file and gives three contacts
// triage state, so every later check can ask whether it survived.
func seedTriage(t *testing.T, db, src string) []triageSnap {
	t.Helper()
	head := filepath.Join(t.TempDir(), "head.csv")
	b, _ := os.ReadFile(src)
	lines := bytes.SplitAfterN(b, []byte("\n"), 40)
	os.WriteFile(head, bytes.Join(lines[:39], nil), 0o600)
	if r := runBin(t, time.Minute, nil, "--db", db, "import", head); r.code != 0 {
		t.Fatalf("seed import: %q %q", r.stdout, r.stderr)
	}
	s, err := store.Open(db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var out []triageSnap
	at := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	err = s.ListContacts(store.Filter{}, func(c *store.Contact) error {
		if len(out) == 3 {
			return store.ErrStop
		}
		out = append(out, triageSnap{id: c.ID})
		return nil
	})
	if err != nil && err != store.ErrStop {
		t.Fatal(err)
	}
	if len(out) < 3 {
		t.Fatalf("only %d contacts to triage", len(out))
	}
	s.SetStatus(out[0].id, store.StatusEngaged, "", at)
	s.AddNote(out[1].id, "asked for pricing", at)
	s.LogTouch(out[2].id, at, store.DefaultCadence, "first call")
	for i := range out {
		if out[i].t, err = s.Triage(out[i].id); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// unfiledOf returns how many leads of db are from the first one waiting
// to be filed into its contact on (store.Unfolded: an import cut off
// before or during its fold), opened read-only, so that the look files
// nothing.
func unfiledOf(t *testing.T, db string) int {
	t.Helper()
	s, err := store.Open(db, store.Options{ReadOnly: true})
	if err != nil {
		return 0 // cut off before the file was set up: checkDB says more
	}
	defer s.Close()
	n, err := s.Unfolded()
	if err != nil {
		t.Fatalf("leads waiting after the kill: %v", err)
	}
	return n
}

// checkDB opens db, runs bbolt's Check, compares the triage state with the
// snapshot and returns the lead count.
func checkDB(t *testing.T, db string, want []triageSnap) int {
	t.Helper()
	s, err := store.Open(db, store.Options{})
	if err != nil {
		t.Fatalf("open after kill: %v", err)
	}
	defer s.Close()
	if err := s.Check(); err != nil {
		t.Fatalf("Check after kill: %v", err)
	}
	for _, w := range want {
		got, err := s.Triage(w.id)
		if err != nil || got.Status != w.t.Status || len(got.Notes) != len(w.t.Notes) || got.Touches != w.t.Touches {
			t.Fatalf("triage of %s lost: %+v, want %+v (%v)", w.id, got, w.t, err)
		}
	}
	c, err := s.Count()
	if err != nil {
		t.Fatal(err)
	}
	return c.Leads
}

// contactsOf returns a digest of every contact in db as 'leads export
// --json' would show it: what each contact shows and filters on, its
// leads and its triage. Two databases with the same digest show the rep
// the same inbox.
func contactsOf(t *testing.T, db string) string {
	t.Helper()
	s, err := store.Open(db, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c, err := s.Count()
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.New()
	n := 0
	err = s.ListContacts(store.Filter{IncludeTest: true}, func(c *store.Contact) error {
		n++
		fmt.Fprintf(h, "%s|%s|%+v|%v|%v|%d|%s|%s|%s|%s|%q|%q|%q|%q|%v|%v|%v|%q|%+v\n", c.ID, c.Email, c.Customer,
			c.First.UnixNano(), c.Last.UnixNano(), c.LeadCount, c.LatestSource, c.LatestAction, c.LatestOfferID,
			c.LatestOfferName, c.Sources, c.Actions, c.Offers, c.Countries, c.IsTest, c.IsDNC, c.NoPII, c.Search, c.Triage)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%d leads, %d contacts %x", c.Leads, n, h.Sum(nil))
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestKillDashNineDuringImport kills 'leads import' of a shuffled
// 200,000-row file (a person's leads all over it, so most contacts are
// filed by the fold at the end) with SIGKILL at 20 random moments spread
// over a clean run's batches and its fold. After each kill: the file
// opens, bbolt's Check is clean, the triage set before is intact, no more
// leads than the source holds; and running the same import again finishes
// with exactly the source's leads and exactly the contacts a clean import
// makes, field for field.
func TestKillDashNineDuringImport(t *testing.T) {
	if testing.Short() {
		t.Skip("process-level kill loop; runs without -short")
	}
	dir := t.TempDir()
	src := genFile(t, dir, 200000, "--order", "shuffled")
	base := filepath.Join(dir, "base.db")
	triage := seedTriage(t, base, src)

	// A clean run gives the source's lead count and the time span to aim
	// the kills at.
	ref := filepath.Join(dir, "ref.db")
	copyFile(t, base, ref)
	r := runBin(t, 2*time.Minute, nil, "--db", ref, "import", src)
	if r.code != 0 {
		t.Fatalf("clean import: %q", r.stderr)
	}
	want := checkDB(t, ref, triage)
	wantContacts := contactsOf(t, ref)
	span := r.took
	t.Logf("clean import: %v, %d leads", span, want)

	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 9))
	rounds := 20
	mid := 0
	batches := (200000 + importBatch - 1) / importBatch
	for i := range rounds {
		db := filepath.Join(dir, fmt.Sprintf("k%d.db", i))
		copyFile(t, base, db)
		cmd := exec.Command(leadsBinary(t), "--db", db, "import", "--progress", src)
		stderr, err := cmd.StderrPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Aim by progress, not by clock: after a random number of committed
		// batches, then a random moment inside the next one (after the
		// last, that is the fold). A clock-based aim missed whenever the
		// machine's speed changed between runs.
		after := rng.IntN(batches + 1)
		sc := bufio.NewScanner(stderr)
		for n := 0; n < after && sc.Scan(); {
			if strings.HasSuffix(sc.Text(), "rows stored") {
				n++
			}
		}
		at := time.Duration(rng.Int64N(int64(span / time.Duration(batches))))
		time.Sleep(at)
		cmd.Process.Signal(syscall.SIGKILL)
		go io.Copy(io.Discard, stderr)
		cmd.Wait()
		waiting := unfiledOf(t, db) // before checkDB's open files them
		got := checkDB(t, db, triage)
		if got > want {
			t.Fatalf("round %d: %d leads after the kill, the source has %d", i, got, want)
		}
		if got < want || waiting > 0 {
			mid++ // cut off while storing leads, or while filing them
		}
		r := runBin(t, 2*time.Minute, nil, "--db", db, "import", src)
		if r.code != 0 || !strings.HasPrefix(r.stdout, "200000 read,") {
			t.Fatalf("round %d: re-run: %d %q %q", i, r.code, r.stdout, r.stderr)
		}
		// The file was checked after the kill; the re-run is an ordinary
		// import: one read-only look at what it holds is enough.
		if got := contactsOf(t, db); got != wantContacts {
			t.Fatalf("round %d: after re-run the contacts differ from a clean import's (%s, want %s)", i, got, wantContacts)
		}
		os.Remove(db)
		t.Logf("round %d: killed %v after batch %d with %d of %d leads committed, filing cut off: %v; re-run complete", i, at.Round(time.Millisecond), after, got, want, waiting > 0)
	}
	if mid < rounds/2 {
		t.Fatalf("only %d of %d kills landed mid-import (storing or filing leads)", mid, rounds)
	}
}

// TestTwoProcessesOneDatabase: with the database held (as the inbox holds
// it), import and backup from other processes; and two imports at once.
// The loser is refused within about a second with the clear message,
// nothing hangs, nothing is lost.
func TestTwoProcessesOneDatabase(t *testing.T) {
	dir := t.TempDir()
	src := genFile(t, dir, 3000)
	db := filepath.Join(dir, "leads.db")
	triage := seedTriage(t, db, src)

	holder, err := store.Open(db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	r := runBin(t, 30*time.Second, nil, "--db", db, "import", src)
	if r.code != exitFailed || r.took > 3*time.Second {
		t.Fatalf("import beside a holder: exit %d after %v", r.code, r.took)
	}
	oneCleanLine(t, "import beside a holder", r.stderr)
	if !strings.Contains(r.stderr, "leads.db is in use by another leads process") {
		t.Fatalf("message: %q", r.stderr)
	}
	// Backup works beside the holder.
	bak := filepath.Join(dir, "bak.db")
	r = runBin(t, 30*time.Second, nil, "--db", db, "backup", bak)
	if r.code != 0 || !strings.Contains(r.stdout, "verified") {
		t.Fatalf("backup beside a holder: %d %q %q", r.code, r.stdout, r.stderr)
	}
	// An existing file is replaced only with --force.
	r = runBin(t, 30*time.Second, nil, "--db", db, "backup", bak)
	if r.code != exitFailed || !strings.Contains(r.stderr, "already exists") {
		t.Fatalf("backup over an existing file: %d %q %q", r.code, r.stdout, r.stderr)
	}
	oneCleanLine(t, "backup over an existing file", r.stderr)
	r = runBin(t, 30*time.Second, nil, "--db", db, "backup", "--force", bak)
	if r.code != 0 || !strings.Contains(r.stdout, "verified") {
		t.Fatalf("backup --force: %d %q %q", r.code, r.stdout, r.stderr)
	}
	holder.Close()
	if n := checkDB(t, bak, triage); n == 0 {
		t.Fatal("empty backup")
	}

	// Two imports at once: each either finishes or is refused fast.
	var wg sync.WaitGroup
	res := make([]procResult, 2)
	for i := range res {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res[i] = runBin(t, time.Minute, nil, "--db", db, "import", src)
		}()
	}
	wg.Wait()
	ok := 0
	for i, r := range res {
		switch {
		case r.code == 0:
			ok++
		case strings.Contains(r.stderr, "in use by another leads process"):
			oneCleanLine(t, "second import", r.stderr)
		default:
			t.Fatalf("import %d: %d %q", i, r.code, r.stderr)
		}
	}
	if ok == 0 {
		t.Fatal("neither import ran")
	}
	if ok == 1 {
		r := runBin(t, time.Minute, nil, "--db", db, "import", src)
		if r.code != 0 {
			t.Fatal(r.stderr)
		}
	}
	ref := filepath.Join(dir, "ref.db")
	runBin(t, time.Minute, nil, "--db", ref, "import", src)
	if got, want := checkDB(t, db, triage), checkDB(t, ref, nil); got != want {
		t.Fatalf("%d leads after the concurrent imports, want %d", got, want)
	}
}

// TestDamagedDatabaseFilesCLI runs read and write commands of the real
// binary on truncated, bit-flipped, overwritten, a few foreign bytes,
// foreign and newer-schema files (an empty file is no longer refused: see
// TestEmptyDatabaseFileCLI): one clean line each, exit 1, no panic trace, the
// file's bytes unchanged.
func TestDamagedDatabaseFilesCLI(t *testing.T) {
	dir := t.TempDir()
	src := genFile(t, dir, 3000)
	good := filepath.Join(dir, "good.db")
	if r := runBin(t, time.Minute, nil, "--db", good, "import", src); r.code != 0 {
		t.Fatal(r.stderr)
	}
	orig, _ := os.ReadFile(good)
	// The page size, from the first meta page (after the 16-byte page
	// header: magic, version, page size).
	ps := int(binary.LittleEndian.Uint32(orig[24:28]))
	if ps < 4096 || len(orig) < 4*ps {
		t.Fatalf("page size %d in a file of %d bytes", ps, len(orig))
	}
	variant := func(name string, f func(b []byte) []byte) string {
		p := filepath.Join(dir, name+".db")
		os.WriteFile(p, f(bytes.Clone(orig)), 0o600)
		return p
	}
	newer := filepath.Join(dir, "newer.db")
	copyFile(t, good, newer)
	s, err := store.Open(newer, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	setSchemaForTest(t, newer, "9")
	files := map[string]string{
		"truncated": variant("truncated", func(b []byte) []byte { return b[:3*ps+17] }),
		"overwritten": variant("overwritten", func(b []byte) []byte {
			for i := 2 * ps; i < 3*ps; i++ {
				b[i] = byte(i * 31)
			}
			return b
		}),
		"bitflipped-meta": variant("bitflipped-meta", func(b []byte) []byte { b[40] ^= 4; b[ps+40] ^= 4; return b }),
		"short":           variant("short", func([]byte) []byte { return []byte("leads\x00\x01") }),
		"foreign":         variant("foreign", func([]byte) []byte { return []byte("Email,Name\na@b.example,A\n") }),
		"newer":           newer,
	}
	wantIn := map[string]string{"truncated": "damaged", "overwritten": "damaged", "bitflipped-meta": "damaged",
		"short": "not a leads database", "foreign": "not a leads database", "newer": "newer version"}
	for name, p := range files {
		before := sha(t, p)
		for _, args := range [][]string{{"list"}, {"import", src}, {"show", "x@y.example"}, {"forget", "--yes", "a@b.example"}, {"purge", "--older-than", "1d"}} {
			r := runBin(t, 30*time.Second, nil, append([]string{"--db", p}, args...)...)
			if r.code != exitFailed {
				t.Fatalf("%s %v: exit %d %q", name, args, r.code, r.stderr)
			}
			oneCleanLine(t, name, r.stderr)
			if !strings.Contains(r.stderr, wantIn[name]) {
				t.Fatalf("%s %v: %q", name, args, r.stderr)
			}
		}
		if sha(t, p) != before {
			t.Fatalf("%s: the file was changed", name)
		}
	}
	// The damaged-file message names salvage, and salvage works.
	out := filepath.Join(dir, "salvaged.db")
	r := runBin(t, time.Minute, nil, "salvage", files["overwritten"], out)
	if r.code != 0 || !strings.Contains(r.stdout, "salvaged") {
		t.Fatalf("salvage: %q %q", r.stdout, r.stderr)
	}
	if r := runBin(t, time.Minute, nil, "--db", out, "import", src); r.code != 0 {
		t.Fatal(r.stderr)
	}
	if got, want := checkDB(t, out, nil), checkDB(t, good, nil); got != want {
		t.Fatalf("salvage + re-import: %d leads, want %d", got, want)
	}
}

// setSchemaForTest marks a database as written by schema v.
func setSchemaForTest(t *testing.T, p, v string) {
	t.Helper()
	// Only the test reaches past the store: a newer leads is the only
	// real writer of a newer schema.
	db, err := bolt.Open(p, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Update(func(tx *bolt.Tx) error { return tx.Bucket([]byte("meta")).Put([]byte("schema"), []byte(v)) }); err != nil {
		t.Fatal(err)
	}
}

// TestDiskFullDuringImportCLI caps the file (LEADS_MAX_DB_BYTES, bbolt's
// size limit: the same error path as ENOSPC) so an import runs out of
// room after its first batches: one clean line, earlier batches intact,
// and the same import finishes once there is room.
func TestDiskFullDuringImportCLI(t *testing.T) {
	dir := t.TempDir()
	src := genFile(t, dir, 60000)
	db := filepath.Join(dir, "leads.db")
	triage := seedTriage(t, db, src)
	r := runBin(t, time.Minute, []string{"LEADS_MAX_DB_BYTES=" + fmt.Sprint(32<<20)}, "--db", db, "import", src)
	if r.code != exitFailed || !strings.Contains(r.stderr, "disk is full") {
		t.Fatalf("capped import: %d %q %q", r.code, r.stdout, r.stderr)
	}
	oneCleanLine(t, "disk full", r.stderr)
	kept := checkDB(t, db, triage)
	if kept < 19000 {
		t.Fatalf("only %d leads kept: the first batches should have committed", kept)
	}
	r = runBin(t, time.Minute, nil, "--db", db, "import", src)
	if r.code != 0 {
		t.Fatal(r.stderr)
	}
	ref := filepath.Join(dir, "ref.db")
	runBin(t, time.Minute, nil, "--db", ref, "import", src)
	if got, want := checkDB(t, db, triage), checkDB(t, ref, nil); got != want || got < kept {
		t.Fatalf("after room was made: %d leads, want %d", got, want)
	}
}

// TestForgetAndExportPersonCLI: export --person shows everything with
// provenance; forget --yes removes it and the bytes; a later import skips
// the person unless --allow-forgotten.
func TestForgetAndExportPersonCLI(t *testing.T) {
	db := tempDB(t)
	if r := runCLI(t, db, "", "import", "testdata/storage-explorer-export.csv"); r.code != 0 {
		t.Fatal(r.stderr)
	}
	if r := runCLI(t, db, "", "show", "mei.lin@northwind.example"); r.code != 0 {
		t.Fatal(r.stderr)
	}
	r := runCLI(t, db, "", "export", "--person", "MEI.LIN@northwind.example")
	for _, want := range []string{`"found": true`, `"origin"`, `"raw"`, `"triage"`, `"history"`, "storage-explorer-export.csv", `"draft_files"`} {
		if !strings.Contains(r.stdout, want) {
			t.Fatalf("person export lacks %s: %s", want, r.stdout)
		}
	}
	r = runCLI(t, db, "n\n", "forget", "mei.lin@northwind.example")
	if r.code != exitRefused {
		t.Fatalf("unconfirmed forget: %d %q", r.code, r.stderr)
	}
	raw, _ := os.ReadFile(db)
	if !bytes.Contains(raw, []byte("mei.lin@northwind.example")) {
		t.Fatal("fixture: address not in the file")
	}
	r = runCLI(t, db, "", "forget", "mei.lin@northwind.example", "--yes")
	if r.code != 0 || !strings.Contains(r.stdout, "3 leads") {
		t.Fatalf("forget: %d %q %q", r.code, r.stdout, r.stderr)
	}
	raw, _ = os.ReadFile(db)
	if bytes.Contains(bytes.ToLower(raw), []byte("mei.lin")) {
		t.Fatal("the address is still in the file's bytes")
	}
	r = runCLI(t, db, "", "import", "testdata/storage-explorer-export.csv")
	if r.code != 0 || !strings.Contains(r.stderr, "skipped 3 leads of people who asked to be forgotten") {
		t.Fatalf("re-import: %q %q", r.stdout, r.stderr)
	}
	if r := runCLI(t, db, "", "show", "mei.lin@northwind.example"); r.code == 0 {
		t.Fatal("forgotten person is back")
	}
	if r := runCLI(t, db, "", "export", "--person", "mei.lin@northwind.example"); !strings.Contains(r.stdout, `"forgotten": true`) {
		t.Fatalf("export after forget: %q", r.stdout)
	}
	r = runCLI(t, db, "", "import", "--allow-forgotten", "testdata/storage-explorer-export.csv")
	if r.code != 0 || !strings.Contains(r.stdout, "3 new") {
		t.Fatalf("--allow-forgotten: %q %q", r.stdout, r.stderr)
	}
}

// TestPurgeCLI: purge parses its ages, reports counts, and a dry run
// changes nothing.
func TestPurgeCLI(t *testing.T) {
	db := tempDB(t)
	if r := runCLI(t, db, "", "import", "testdata/storage-explorer-export.csv"); r.code != 0 {
		t.Fatal(r.stderr)
	}
	for _, bad := range []string{"", "18", "m", "-3m", "5w"} {
		if r := runCLI(t, db, "", "purge", "--older-than", bad); r.code != exitUsage {
			t.Fatalf("age %q: %d", bad, r.code)
		}
	}
	r := runCLI(t, db, "", "purge", "--older-than", "18m", "--dry-run")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "dry run, nothing removed: would remove 0 contacts") {
		t.Fatalf("dry run: %q %q", r.stdout, r.stderr)
	}
	// The test clock is 2026-11-10; the sample leads are from early
	// November 2026, so 1d removes every untouched contact.
	before := runCLI(t, db, "", "list", "--json", "--include-test").stdout
	r = runCLI(t, db, "", "purge", "--older-than", "1d", "--dry-run")
	if after := runCLI(t, db, "", "list", "--json", "--include-test").stdout; after != before {
		t.Fatal("dry run changed the database")
	}
	r = runCLI(t, db, "", "purge", "--older-than", "1d")
	if r.code != 0 || !strings.Contains(r.stdout, "removed 6 contacts with 8 leads") {
		t.Fatalf("purge: %q %q", r.stdout, r.stderr)
	}
	for _, age := range []string{"90d", "2y", "18M"} {
		if _, err := parseAge(age, time.Now()); err != nil {
			t.Fatalf("%s: %v", age, err)
		}
	}
}
