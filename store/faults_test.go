package store

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// manyLeads makes n leads of n/2 people, each with distinctive text.
func manyLeads(n int) []Lead {
	out := make([]Lead, n)
	for i := range out {
		out[i] = Lead{
			Origin: Origin{File: "gen.csv", Line: i + 2, PartitionKey: "p", RowKey: fmt.Sprintf("r%06d", i)},
			Source: "AppSource", Action: "PLT", OfferID: "contoso.app",
			Created:     time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Minute),
			Description: strings.Repeat("campaign text ", 8),
			Customer:    Customer{FirstName: fmt.Sprintf("First%d", i/2), LastName: "Person", Email: fmt.Sprintf("person%d@example.com", i/2)},
			Raw:         []Field{{"Email", fmt.Sprintf("person%d@example.com", i/2)}},
		}
	}
	return out
}

// fixtureDB writes a database with n leads and some triage state and
// returns its path; the store is closed.
func fixtureDB(t *testing.T, n int) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "leads.db")
	s, err := Open(p, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Upsert(manyLeads(n), UpsertOptions{}); err != nil {
		t.Fatal(err)
	}
	at := ts("2026-11-01T10:00:00Z")
	if _, err := s.AddNote(ContactIDForEmail("person1@example.com"), "called, wants a demo", at); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetStatus(ContactIDForEmail("person2@example.com"), StatusEngaged, "", at); err != nil {
		t.Fatal(err)
	}
	s.Close()
	return p
}

func fileHash(t *testing.T, p string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

// openMustNotPanic opens p and fails the test on a panic; bbolt's own
// crashes (SIGBUS, a panic in its goroutine) would end the test binary,
// which fails the run just as loudly.
func openMustNotPanic(t *testing.T, p string, opt Options) (s *Store, err error) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("Open panicked: %v", r)
		}
	}()
	return Open(p, opt)
}

// TestDamagedFilesAreReportedNotCrashed covers truncated, page-overwritten,
// meta-damaged, zero-length and foreign files: Open refuses each with one
// line naming the problem and a way forward, without a panic, and leaves
// the bytes as they were.
func TestDamagedFilesAreReportedNotCrashed(t *testing.T) {
	src := fixtureDB(t, 3000)
	orig, _ := os.ReadFile(src)
	m, err := readMeta(bytes.NewReader(orig))
	if err != nil {
		t.Fatal(err)
	}
	ps := int(m.pageSize)
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(1, 2))
	junk := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rng.UintN(256))
		}
		return b
	}
	overwrite := func(pg int) []byte {
		b := bytes.Clone(orig)
		copy(b[pg*ps:(pg+1)*ps], junk(ps))
		return b
	}
	flipBothMeta := bytes.Clone(orig)
	flipBothMeta[pgHeaderSize+20] ^= 0x40
	flipBothMeta[ps+pgHeaderSize+20] ^= 0x40
	cases := []struct {
		name string
		data []byte
		want error
	}{
		{"truncated-to-3-pages", orig[:3*ps+100], ErrDamaged},
		{"truncated-below-high-water", orig[:int(m.hwm-1)*ps], ErrDamaged},
		{"root-page-overwritten", overwrite(int(m.root)), ErrDamaged},
		{"both-meta-pages-flipped", flipBothMeta, ErrDamaged},
		{"five-bytes", []byte("hello"), ErrNotDatabase},
		{"csv", []byte("PartitionKey,RowKey,Email\np,r,a@b.c\n"), ErrNotDatabase},
		{"random-bytes", junk(3 * ps), ErrNotDatabase},
		{"sqlite", append([]byte("SQLite format 3\x00"), junk(4096)...), ErrNotDatabase},
		{"half-page", orig[:ps/2], ErrDamaged},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := filepath.Join(dir, c.name+".db")
			if err := os.WriteFile(p, c.data, 0o600); err != nil {
				t.Fatal(err)
			}
			before := fileHash(t, p)
			for _, ro := range []bool{false, true} {
				s, err := openMustNotPanic(t, p, Options{ReadOnly: ro})
				if err == nil {
					s.Close()
					t.Fatalf("readOnly=%v: opened a damaged file", ro)
				}
				if !errors.Is(err, c.want) {
					t.Fatalf("readOnly=%v: %v, want %v", ro, err, c.want)
				}
				msg := err.Error()
				if strings.ContainsAny(msg, "\r\n") || !strings.Contains(msg, c.name+".db is") ||
					!(strings.Contains(msg, "left as it was") || strings.Contains(msg, "remove it or choose another path")) {
					t.Fatalf("message: %q", msg)
				}
				if errors.Is(err, ErrDamaged) && !strings.Contains(msg, "leads salvage") {
					t.Fatalf("no way forward named: %q", msg)
				}
			}
			if fileHash(t, p) != before {
				t.Fatal("the file was changed")
			}
		})
	}
}

// TestFirstMetaPageLost: with the first meta page wiped, bbolt still has
// the second, as after a write torn by a crash: the file opens with every
// lead, where it was once refused as not a leads database at all.
func TestFirstMetaPageLost(t *testing.T) {
	src := fixtureDB(t, 3000)
	data, _ := os.ReadFile(src)
	m, err := readMeta(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	clear(data[:m.pageSize])
	p := filepath.Join(t.TempDir(), "lost-meta.db")
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := openMustNotPanic(t, p, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	n, err := s.Count()
	s.Close()
	if err != nil || n.Leads != 3000 {
		t.Fatalf("read-only: %+v, %v", n, err)
	}
	// Writing rewrites both meta pages in turn; then the file checks clean.
	s, err = openMustNotPanic(t, p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for i := range 2 {
		l := Lead{Source: "AppSource", Action: "PLT", OfferID: fmt.Sprint("o", i), Customer: Customer{Email: "new@x.example"}}
		if _, err := s.Upsert([]Lead{l}, UpsertOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := s.Count(); err != nil || n.Leads != 3002 {
		t.Fatalf("after writing: %+v, %v", n, err)
	}
	if err := s.Check(); err != nil {
		t.Fatalf("after writing: %v", err)
	}
}

// TestEveryPageOverwrittenNeverCrashes overwrites each page of a small
// database in turn with random bytes: Open either refuses it as damaged
// or (the page was free) opens a file that checks clean and can be
// written to.
func TestEveryPageOverwrittenNeverCrashes(t *testing.T) {
	src := fixtureDB(t, 2500)
	orig, _ := os.ReadFile(src)
	m, _ := readMeta(bytes.NewReader(orig))
	ps := int(m.pageSize)
	rng := rand.New(rand.NewPCG(3, 4))
	dir := t.TempDir()
	refused := 0
	for pg := 2; pg < int(m.hwm); pg++ {
		b := bytes.Clone(orig)
		for i := pg * ps; i < (pg+1)*ps; i++ {
			b[i] = byte(rng.UintN(256))
		}
		p := filepath.Join(dir, fmt.Sprintf("p%d.db", pg))
		os.WriteFile(p, b, 0o600)
		s, err := openMustNotPanic(t, p, Options{NoSync: true})
		if err != nil {
			if !errors.Is(err, ErrDamaged) {
				t.Fatalf("page %d: %v", pg, err)
			}
			refused++
			continue
		}
		if err := s.Check(); err != nil {
			t.Fatalf("page %d: opened, but Check: %v", pg, err)
		}
		if _, err := s.Upsert(manyLeads(10), UpsertOptions{}); err != nil {
			t.Fatalf("page %d: %v", pg, err)
		}
		s.Close()
	}
	if refused == 0 {
		t.Fatal("no overwritten page was detected")
	}
	t.Logf("%d of %d pages: refused as damaged", refused, m.hwm-2)
}

// TestBitFlipsNeverCrash flips single bits across the file. A flip inside
// a record's bytes is not detectable without checksums (bbolt keeps none
// for data pages); what matters is no crash, and reads that fail with an
// error rather than a panic.
func TestBitFlipsNeverCrash(t *testing.T) {
	src := fixtureDB(t, 400)
	orig, _ := os.ReadFile(src)
	m, _ := readMeta(bytes.NewReader(orig))
	size := int(m.hwm) * int(m.pageSize)
	rng := rand.New(rand.NewPCG(5, 6))
	dir := t.TempDir()
	for i := range 60 {
		b := bytes.Clone(orig)
		pos := rng.IntN(size)
		b[pos] ^= 1 << rng.UintN(8)
		p := filepath.Join(dir, fmt.Sprintf("f%d.db", i))
		os.WriteFile(p, b, 0o600)
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Fatalf("flip at %d: panic %v", pos, r)
				}
			}()
			s, err := Open(p, Options{ReadOnly: true})
			if err != nil {
				return
			}
			defer s.Close()
			_ = s.ListContacts(Filter{IncludeTest: true}, func(*Contact) error { return nil })
			_ = s.Check()
		}()
	}
}

// TestNewerSchemaLeavesFileUnchanged: a file from a newer leads is refused
// for writing with its version named, and not touched.
func TestNewerSchemaLeavesFileUnchanged(t *testing.T) {
	s, p := openTemp(t)
	s.db.Update(func(tx *boltTx) error { return tx.Bucket(bMeta).Put(kSchema, []byte("7")) })
	s.Close()
	before := fileHash(t, p)
	_, err := openMustNotPanic(t, p, Options{})
	if !errors.Is(err, ErrNewerSchema) || !strings.Contains(err.Error(), "schema 7") || strings.Contains(err.Error(), "\n") {
		t.Fatalf("%v", err)
	}
	if fileHash(t, p) != before {
		t.Fatal("file changed")
	}
}

func TestSchemaVersionIsLatestMigration(t *testing.T) {
	if latestSchema() != SchemaVersion {
		t.Fatalf("SchemaVersion %d, migrations end at %d", SchemaVersion, latestSchema())
	}
}

// withMigration adds a migration to the schema after the latest, for one
// test.
func withMigration(t *testing.T, apply func(tx *boltTx) error) {
	saved := migrations
	migrations = append(append([]migration(nil), migrations...), migration{SchemaVersion + 1, "test",
		func(_ *Store, tx *boltTx) error { return apply(tx) }})
	t.Cleanup(func() { migrations = saved })
}

// TestMigrationWritesBackupFirst: upgrading a file first writes
// leads.db.bak-schemaN, a consistent 0600 copy of the old version.
func TestMigrationWritesBackupFirst(t *testing.T) {
	p := fixtureDB(t, 50)
	withMigration(t, func(tx *boltTx) error {
		_, err := tx.CreateBucketIfNotExists([]byte("new_in_v2"))
		return err
	})
	s, err := Open(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	bak := p + fmt.Sprintf(".bak-schema%d", SchemaVersion)
	fi, err := os.Stat(bak)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("backup: %v %v", err, fi)
	}
	migrations = migrations[:len(migrations)-1]
	b, err := Open(bak, Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("the backup does not open with the leads that wrote it: %v", err)
	}
	defer b.Close()
	if c, _ := b.Count(); c.Leads != 50 {
		t.Fatalf("backup holds %d leads", c.Leads)
	}
	if err := b.Check(); err != nil {
		t.Fatal(err)
	}
}

// TestFailedMigrationChangesNothing: a migration that fails half way
// leaves the file as it was (one transaction) and the old version opens.
func TestFailedMigrationChangesNothing(t *testing.T) {
	p := fixtureDB(t, 50)
	withMigration(t, func(tx *boltTx) error {
		if err := tx.DeleteBucket(bLeads); err != nil {
			return err
		}
		return errors.New("boom")
	})
	if _, err := Open(p, Options{}); err == nil {
		t.Fatal("failed migration reported success")
	}
	migrations = migrations[:len(migrations)-1]
	s, err := Open(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if c, _ := s.Count(); c.Leads != 50 {
		t.Fatalf("after a failed migration: %d leads", c.Leads)
	}
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
}

// TestDiskFullDuringImport: with the file capped (bbolt's MaxSize, the
// same error path as ENOSPC), the batch that does not fit fails with a
// one-line "disk is full", earlier batches survive, and the same import
// run again with room finishes with exactly the source's leads.
func TestDiskFullDuringImport(t *testing.T) {
	p := filepath.Join(t.TempDir(), "leads.db")
	leads := manyLeads(20000)
	s, err := Open(p, Options{MaxSize: 4 << 20, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	var stored int
	var fullErr error
	for i := 0; i < len(leads); i += 1000 {
		r, err := s.Upsert(leads[i:i+1000], UpsertOptions{})
		if err != nil {
			fullErr = err
			break
		}
		stored += r.New
	}
	if fullErr == nil {
		t.Fatal("never ran out of room")
	}
	if !strings.Contains(fullErr.Error(), "disk is full") || strings.Contains(fullErr.Error(), "\n") {
		t.Fatalf("error: %v", fullErr)
	}
	if c, _ := s.Count(); c.Leads != stored || stored == 0 {
		t.Fatalf("after the failed batch: %d leads, %d committed", c.Leads, stored)
	}
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = Open(p, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var total UpsertResult
	for i := 0; i < len(leads); i += 1000 {
		r, err := s.Upsert(leads[i:i+1000], UpsertOptions{})
		if err != nil {
			t.Fatal(err)
		}
		total.Add(r)
	}
	if c, _ := s.Count(); c.Leads != len(leads) || total.Unchanged != stored || total.New != len(leads)-stored {
		t.Fatalf("resumed: %d leads, %+v", c.Leads, total)
	}
}

// TestFileModes: the database is 0600 and a directory leads creates for
// it 0700.
func TestFileModes(t *testing.T) {
	p := filepath.Join(t.TempDir(), "new", "leads.db")
	s, err := Open(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	fi, _ := os.Stat(p)
	di, _ := os.Stat(filepath.Dir(p))
	if fi.Mode().Perm() != 0o600 || di.Mode().Perm() != 0o700 {
		t.Fatalf("file %v dir %v", fi.Mode(), di.Mode())
	}
}

// TestOpenWaitingThroughCompaction: a second process that is waiting for
// the lock while the first compacts (forget renames a new file over the
// path, then closes the old one) must end up on the file at the path, not
// on the unlinked old one, where its writes would vanish.
func TestOpenWaitingThroughCompaction(t *testing.T) {
	p := filepath.Join(t.TempDir(), "leads.db")
	a, err := Open(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Upsert(sampleLeads(), UpsertOptions{}); err != nil {
		t.Fatal(err)
	}
	type opened struct {
		s   *Store
		err error
	}
	ch := make(chan opened)
	go func() {
		s, err := Open(p, Options{Timeout: 5 * time.Second})
		ch <- opened{s, err}
	}()
	waitHeldTwice(t, p) // the second open now holds the old file and waits
	if _, err := a.Forget("priya@adatum.example", time.Now()); err != nil {
		t.Fatal(err)
	}
	a.Close()
	b := <-ch
	if b.err != nil {
		t.Fatalf("second open: %v", b.err)
	}
	id := ContactIDForEmail("mei.lin@northwind.example")
	if _, err := b.s.SetStatus(id, StatusWon, "", time.Now()); err != nil {
		t.Fatal(err)
	}
	b.s.Close()
	c, err := Open(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if tr, err := c.Triage(id); err != nil || tr.Status != StatusWon {
		t.Fatalf("the status set by the second process is gone: %+v, %v", tr, err)
	}
}

// TestCorruptRecordIsDamaged: a record that cannot be decoded is reported
// as damage, however it is wrapped, so the command line can name salvage.
func TestCorruptRecordIsDamaged(t *testing.T) {
	if err := fmt.Errorf("lead #3: %w", errCorrupt); !errors.Is(err, ErrDamaged) || !errors.Is(err, errCorrupt) {
		t.Fatalf("%v is not damage", err)
	}
	if errors.Is(ErrNotDatabase, errCorrupt) || errors.Is(errors.New("damaged record"), ErrDamaged) {
		t.Fatal("other errors taken for damage")
	}
}

// waitHeldTwice waits until this process has held path open twice for a
// while: a second Open has the file and waits for its lock (bbolt tries
// the lock every 50 ms; the header check before it holds the file for
// microseconds). Where /proc is missing it gives the Open 200 ms.
func waitHeldTwice(t *testing.T, path string) {
	t.Helper()
	if _, err := os.Stat("/proc/self/fd"); err != nil {
		time.Sleep(200 * time.Millisecond)
		return
	}
	held := func() int {
		n := 0
		fds, _ := os.ReadDir("/proc/self/fd")
		for _, fd := range fds {
			if l, err := os.Readlink("/proc/self/fd/" + fd.Name()); err == nil && l == path {
				n++
			}
		}
		return n
	}
	deadline := time.Now().Add(5 * time.Second)
	var since time.Time
	for time.Now().Before(deadline) {
		if held() >= 2 {
			if since.IsZero() {
				since = time.Now()
			} else if time.Since(since) > 100*time.Millisecond {
				return
			}
		} else {
			since = time.Time{}
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatal("the second open never held the file")
}

// TestUpgradeOnAFullDiskSaysSo: an upgrade that runs out of room, or
// whose folder cannot be written, says so in one line (not that the file
// is damaged) and leaves the file as it was.
func TestUpgradeOnAFullDiskSaysSo(t *testing.T) {
	for _, c := range []struct {
		err  error
		want string
	}{
		{fmt.Errorf("write: %w", syscall.ENOSPC), "disk is full"},
		{&fs.PathError{Op: "open", Path: "x", Err: fs.ErrPermission}, "not writable"},
	} {
		t.Run(c.want, func(t *testing.T) {
			p := fixtureDB(t, 20)
			before, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			withMigration(t, func(*boltTx) error { return c.err })
			_, err = Open(p, Options{})
			if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "damaged") {
				t.Fatalf("upgrade failing with %v: %v", c.err, err)
			}
			if after, _ := os.ReadFile(p); !bytes.Equal(before, after) {
				t.Fatal("the failed upgrade changed the file")
			}
		})
	}
}
