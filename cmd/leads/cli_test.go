package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/leads-inbox/leads/store"
)

type result struct {
	code           int
	stdout, stderr string
}

// runCLI runs a command line in-process against db.
func runCLI(t *testing.T, db string, stdin string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	e := &env{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb,
		now:    func() time.Time { return time.Date(2026, 11, 10, 9, 0, 0, 0, time.UTC) },
		getenv: func(string) string { return "" }}
	code := run(e, append([]string{"--db", db}, args...))
	return result{code, out.String(), errb.String()}
}

func tempDB(t *testing.T) string { return filepath.Join(t.TempDir(), "leads.db") }

func TestImportSamples(t *testing.T) {
	db := tempDB(t)
	r := runCLI(t, db, "", "import", "testdata/storage-explorer-export.csv")
	if r.code != 0 || r.stdout != "8 read, 8 new, 0 updated, 0 unchanged, 1 test, 0 rejected\n" {
		t.Fatalf("first import: %d %q %q", r.code, r.stdout, r.stderr)
	}
	// The TAB export holds the same rows: every one is already there.
	r = runCLI(t, db, "", "import", "testdata/storage-explorer-export-tab.csv")
	if r.code != 0 || r.stdout != "8 read, 0 new, 0 updated, 8 unchanged, 1 test, 0 rejected\n" {
		t.Fatalf("tab import: %d %q %q", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, db, "", "list", "--json", "--include-test")
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != 6 {
		t.Fatalf("want 6 contacts, got %d:\n%s", len(lines), r.stdout)
	}
	actions := map[string]int{}
	var tests, dnc int
	for _, ln := range lines {
		var c contactOut
		if err := json.Unmarshal([]byte(ln), &c); err != nil {
			t.Fatal(err)
		}
		if c.IsTest {
			tests++
		}
		for _, l := range c.Leads {
			actions[l.Action]++
			if l.Action == "DNC" {
				dnc++
				if c.Contactable {
					t.Fatal("a DNC contact is contactable")
				}
			}
		}
		if c.Email == "mei.lin@northwind.example" {
			var got []string
			for _, l := range c.Leads {
				got = append(got, l.Action)
			}
			if strings.Join(got, ",") != "PLT,StartTestDrive,INS" || c.FirstName != "Mei" {
				t.Fatalf("Mei Lin's funnel: %v", got)
			}
		}
	}
	want := map[string]int{"PLT": 2, "StartTestDrive": 1, "INS": 3, "Create": 1, "DNC": 1}
	for a, n := range want {
		if actions[a] != n {
			t.Fatalf("action %s: %d, want %d (%v)", a, actions[a], n, actions)
		}
	}
	if tests != 1 || dnc != 1 {
		t.Fatalf("tests %d dnc %d", tests, dnc)
	}
	// Test leads are hidden by default.
	r = runCLI(t, db, "", "list", "--json")
	if n := strings.Count(r.stdout, "\n"); n != 5 {
		t.Fatalf("default list shows %d contacts, want 5", n)
	}
}

func TestImportExitCodesAndErrors(t *testing.T) {
	db := tempDB(t)
	r := runCLI(t, db, "", "import", "testdata/seed-test-lead.json")
	if r.code != 1 || !strings.HasSuffix(r.stdout, "1 read, 0 new, 0 updated, 0 unchanged, 0 test, 1 rejected\n") {
		t.Fatalf("seed lead: %d %q", r.code, r.stdout)
	}
	if strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 || !strings.Contains(r.stderr, "seed-test-lead.json:14:5:") {
		t.Fatalf("want one positioned error line, got %q", r.stderr)
	}
	if r := runCLI(t, db, "", "import"); r.code != 2 {
		t.Fatalf("no files: exit %d", r.code)
	}
	if r := runCLI(t, db, "", "import", "--bogus", "x"); r.code != 2 {
		t.Fatalf("bad flag: exit %d", r.code)
	}
	if r := runCLI(t, db, "", "nosuch"); r.code != 2 {
		t.Fatalf("unknown command: exit %d", r.code)
	}
	r = runCLI(t, db, "", "import", "testdata/missing.csv")
	if r.code != 1 || !strings.Contains(r.stderr, "cannot read testdata/missing.csv") {
		t.Fatalf("missing file: %d %q", r.code, r.stderr)
	}
	// A broken row is reported with its line and the good rows commit.
	bad := filepath.Join(t.TempDir(), "bad.csv")
	os.WriteFile(bad, []byte("Email,First name,Call to action\na@x.example,Ann,Contact me\nb@x.example,Bob,Contact me,extra\nc@x.example,Cy,Get it now\n"), 0o600)
	r = runCLI(t, db, "", "import", bad)
	if r.code != 1 || !strings.Contains(r.stdout, "3 read, 2 new") || !strings.Contains(r.stderr, "bad.csv:3:") {
		t.Fatalf("ragged row: %d %q %q", r.code, r.stdout, r.stderr)
	}
}

func TestImportStdinDryRunAndDBFlagPlacement(t *testing.T) {
	db := tempDB(t)
	nd, _ := os.ReadFile("testdata/webhook-leads.ndjson")
	r := runCLI(t, db, string(nd), "import", "--dry-run", "-")
	// The summary line keeps its exact format; the dry run is said on stderr.
	if r.code != 0 || r.stdout != "2 read, 2 new, 0 updated, 0 unchanged, 0 test, 0 rejected\n" ||
		!strings.Contains(r.stderr, "dry run, nothing stored") {
		t.Fatalf("dry run: %d %q %q", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, db, "", "list", "--json")
	if strings.TrimSpace(r.stdout) != "" {
		t.Fatalf("dry run stored leads: %q", r.stdout)
	}
	// --db after the command name works too.
	var out, errb bytes.Buffer
	e := &env{stdin: bytes.NewReader(nd), stdout: &out, stderr: &errb, now: time.Now, getenv: func(string) string { return "" }}
	if code := run(e, []string{"import", "-", "--db", db}); code != 0 || !strings.Contains(out.String(), "2 new") {
		t.Fatalf("--db after: %d %q %q", code, out.String(), errb.String())
	}
	r = runCLI(t, db, "", "show", "KENJI@litware.example")
	if r.code != 0 || !strings.Contains(r.stdout, "Kenji Sato") || !strings.Contains(r.stdout, "Contact me") {
		t.Fatalf("show: %d %q %q", r.code, r.stdout, r.stderr)
	}
	// Webhook leads have no created time: show dates them by when they
	// arrived, and says so, not year 1.
	if strings.Contains(r.stdout, "0001-01-01") || !strings.Contains(r.stdout, "(received") {
		t.Fatalf("show dates a webhook lead wrongly: %q", r.stdout)
	}
}

func TestExportNeutralisesFormulas(t *testing.T) {
	db := tempDB(t)
	in := "Email,First name,Company,Call to action\nx@y.example,=HYPERLINK(\"http://evil\"),@SUM(A1),Contact me\n"
	if r := runCLI(t, db, in, "import", "-"); r.code != 0 {
		t.Fatalf("import: %q", r.stderr)
	}
	r := runCLI(t, db, "", "export", "--format", "csv")
	rows, err := csv.NewReader(strings.NewReader(r.stdout)).ReadAll()
	if err != nil || len(rows) != 2 {
		t.Fatalf("export: %v %q", err, r.stdout)
	}
	for i, h := range rows[0] {
		v := rows[1][i]
		if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
			t.Fatalf("column %s starts with a formula character: %q", h, v)
		}
	}
	if !strings.Contains(r.stdout, "'=HYPERLINK") {
		t.Fatalf("value lost: %q", r.stdout)
	}
}

func TestSecondProcessIsRefusedQuickly(t *testing.T) {
	db := tempDB(t)
	s, err := store.Open(db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	start := time.Now()
	r := runCLI(t, db, "", "import", "testdata/storage-explorer-export.csv")
	if r.code == 0 || !strings.Contains(r.stderr, "leads.db is in use by another leads process") {
		t.Fatalf("%d %q", r.code, r.stderr)
	}
	if time.Since(start) > 10*time.Second {
		t.Fatal("waited far too long for the lock")
	}
}

// TestHelpOnce: --help prints the command's usage once, to stdout, and
// exits 0; a bad flag prints it to stderr and exits 2.
func TestHelpOnce(t *testing.T) {
	db := tempDB(t)
	for _, cmd := range []string{"import", "list", "backup", "show", "export"} {
		for _, h := range []string{"--help", "-h"} {
			r := runCLI(t, db, "", cmd, h)
			if r.code != 0 || strings.Count(r.stdout, "Usage: leads "+cmd) != 1 || r.stderr != "" {
				t.Errorf("%s %s: exit %d, stdout %q, stderr %q", cmd, h, r.code, r.stdout, r.stderr)
			}
		}
	}
	r := runCLI(t, db, "", "list", "--no-such-flag")
	if r.code != exitUsage || r.stdout != "" || !strings.Contains(r.stderr, "Usage: leads list") {
		t.Errorf("bad flag: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
}

// TestImportKeepsLeadsBeforeBrokenJSONArray: a JSON array whose framing
// breaks part way still stores the leads before the break, and the summary
// adds up; a trailing comma costs nothing.
func TestImportKeepsLeadsBeforeBrokenJSONArray(t *testing.T) {
	obj := func(i int) string {
		return `{"UserDetails":{"FirstName":"P","Email":"p` + string(rune('0'+i)) +
			`@x.example"},"LeadSource":"AzureMarketplace","ActionCode":"INS","OfferTitle":"T"}`
	}
	var five []string
	for i := 1; i <= 5; i++ {
		five = append(five, obj(i))
	}
	body := strings.Join(five, ",\n")
	for _, tt := range []struct {
		name, data, summary, stderr string
		code                        int
	}{
		{"trailing comma", "[\n" + body + ",\n]\n", "5 read, 5 new, 0 updated, 0 unchanged, 0 test, 0 rejected\n",
			"f.json:6:125: warning: a ',' after the last array element (before the ']' on line 7); ignored", 0},
		{"missing ]", "[\n" + body + "\n", "5 read, 5 new, 0 updated, 0 unchanged, 0 test, 0 rejected\n",
			"missing ']'?", 1},
		{"missing comma", "[\n" + five[0] + ",\n" + five[1] + ",\n" + five[2] + "\n" + five[3] + ",\n" + five[4] + "\n]\n",
			"3 read, 3 new, 0 updated, 0 unchanged, 0 test, 0 rejected\n", "f.json:5:1: bad JSON: expected ',' or ']'", 1},
	} {
		f := filepath.Join(t.TempDir(), "f.json")
		os.WriteFile(f, []byte(tt.data), 0o600)
		r := runCLI(t, tempDB(t), "", "import", f)
		if r.code != tt.code || r.stdout != tt.summary || !strings.Contains(r.stderr, tt.stderr) {
			t.Errorf("%s: %d %q %q", tt.name, r.code, r.stdout, r.stderr)
		}
	}
}

// TestDamagedRecordNamesSalvage: a record found damaged while reading (not
// at open) is reported on one line that names the way forward.
func TestDamagedRecordNamesSalvage(t *testing.T) {
	var errb bytes.Buffer
	e := &env{stderr: &errb}
	if code := e.fail(fmt.Errorf("lead #3: %w", store.ErrDamaged)); code != exitFailed {
		t.Fatalf("exit %d", code)
	}
	if msg := errb.String(); strings.Count(msg, "\n") != 1 || !strings.Contains(msg, "leads salvage") || !strings.HasPrefix(msg, "leads: lead #3: ") {
		t.Errorf("message %q", msg)
	}
	errb.Reset()
	e.fail(errors.New("something else"))
	if strings.Contains(errb.String(), "salvage") {
		t.Errorf("salvage named for another error: %q", errb.String())
	}
}

// TestListStatusAndDNC: the table shows the rep's status with DNC beside
// it, so --status filters what is shown; --status DNC points to --action.
func TestListStatusAndDNC(t *testing.T) {
	db := tempDB(t)
	in := "Email,First name,Call to action\npriya@adatum.example,Priya,DNC\nmei@x.example,Mei,Contact me\n"
	if r := runCLI(t, db, in, "import", "-"); r.code != 0 {
		t.Fatalf("import: %q", r.stderr)
	}
	r := runCLI(t, db, "", "list", "--status", "new")
	if r.code != 0 || !strings.Contains(r.stdout, "new (DNC)") || strings.Count(r.stdout, "\n") < 2 {
		t.Errorf("list --status new: %d %q %q", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, db, "", "list", "--status", "DNC")
	if r.code != exitUsage || !strings.Contains(r.stderr, "--action DNC") {
		t.Errorf("list --status DNC: %d %q", r.code, r.stderr)
	}
}

// TestListSortUrgency: --sort urgency lists as the inbox does (an overdue
// follow-up before everything else) while the default stays newest
// activity first; the column orders (name, company, reversed) list as
// the inbox sorted by that column; an unknown order is a usage error.
func TestListSortUrgency(t *testing.T) {
	db := tempDB(t)
	if r := runCLI(t, db, "", "import", "testdata/storage-explorer-export.csv"); r.code != 0 {
		t.Fatalf("import: %q", r.stderr)
	}
	ids := func(args ...string) []string {
		t.Helper()
		r := runCLI(t, db, "", append([]string{"list", "--json"}, args...)...)
		if r.code != 0 {
			t.Fatalf("list %v: %d %q", args, r.code, r.stderr)
		}
		var out []string
		for _, ln := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
			var c contactOut
			if err := json.Unmarshal([]byte(ln), &c); err != nil {
				t.Fatal(err)
			}
			out = append(out, c.ID)
		}
		return out
	}
	recent := ids()
	if len(recent) < 3 {
		t.Fatalf("want at least 3 contacts, got %v", recent)
	}
	// The contact with the oldest activity gets a follow-up due yesterday.
	oldest := recent[len(recent)-1]
	s, err := store.Open(db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 9, 9, 0, 0, 0, time.UTC)
	if _, err := s.SetFollowUp(oldest, at, at.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if got := ids("--sort", "recent"); strings.Join(got, ",") != strings.Join(recent, ",") {
		t.Errorf("--sort recent %v, the default %v", got, recent)
	}
	if got := ids("--sort", "urgency"); len(got) != len(recent) || got[0] != oldest {
		t.Errorf("--sort urgency %v: the overdue contact %s is not first", got, oldest)
	}
	if r := runCLI(t, db, "", "list", "--sort", "oldest"); r.code != exitUsage || !strings.Contains(r.stderr, "recent, urgency, name") {
		t.Errorf("--sort oldest: %d %q", r.code, r.stderr)
	}
	// The inbox's columns: by name A to Z and back, the contact without
	// personal data (no name) last either way.
	byName, back := ids("--sort", "name"), ids("--sort=-name")
	if len(byName) != len(recent) || slices.Equal(byName, back) || byName[len(byName)-1] != back[len(back)-1] {
		t.Errorf("--sort name %v, --sort=-name %v", byName, back)
	}
	if r := runCLI(t, db, "", "list", "--sort", "company"); r.code != 0 || strings.Index(r.stdout, "Adatum") > strings.Index(r.stdout, "Tailspin") {
		t.Errorf("--sort company: %d %q", r.code, r.stdout)
	}
}
