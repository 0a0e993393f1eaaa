package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/leads-inbox/leads/store"
)

// runCLIAs is runCLI as the local user user: the rep name claims are made
// with when the config has no [team] name.
func runCLIAs(t *testing.T, db, user string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb,
		now: func() time.Time { return time.Date(2026, 11, 10, 9, 0, 0, 0, time.UTC) },
		getenv: func(k string) string {
			if k == "USER" {
				return user
			}
			return ""
		}}
	code := run(e, append([]string{"--db", db}, args...))
	return result{code, out.String(), errb.String()}
}

// TestMarkClaimAndRelease: --claim makes the contact the rep's in one
// history entry; another rep's claim is refused in one line naming the
// owner (and nothing else asked is saved) until --force takes it over;
// --release gives up the rep's own, and another rep's only with --force.
func TestMarkClaimAndRelease(t *testing.T) {
	db := tempDB(t)
	if r := runCLI(t, db, "", "import", "testdata/storage-explorer-export.csv"); r.code != 0 {
		t.Fatalf("import: %+v", r)
	}
	const mei = "mei.lin@northwind.example"
	id := store.ContactIDForEmail(mei)
	events := func() []store.Event {
		s := openDB(t, db)
		defer s.Close()
		h, err := s.History(id)
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	if r := runCLIAs(t, db, "Ana", "mark", mei, "--claim"); r.code != 0 || r.stdout != "Mei Lin: claimed by Ana\n" {
		t.Fatalf("Ana's claim: %+v", r)
	}
	if r := runCLIAs(t, db, "Ana", "mark", mei, "--claim"); r.code != 0 || !strings.Contains(r.stdout, "nothing changed") || len(events()) != 1 {
		t.Fatalf("Ana's second claim: %+v, %d events", r, len(events()))
	}
	refused := []struct {
		args []string
		want string
		code int
	}{
		{[]string{mei, "--claim", "--status", "engaged"}, "leads mark: Mei Lin: Ana owns this contact: ask them to release it, or add --force to take it over\n", exitFailed},
		{[]string{mei, "--release"}, "leads mark: Mei Lin: Ana owns this contact, not you (Ben): add --force to end their claim\n", exitFailed},
		{[]string{mei, "--claim", "--release"}, "leads mark: give --claim or --release, not both\n", exitUsage},
	}
	for _, c := range refused {
		r := runCLIAs(t, db, "Ben", append([]string{"mark"}, c.args...)...)
		if r.code != c.code || r.stderr != c.want || r.stdout != "" {
			t.Errorf("Ben: mark %v: %+v", c.args, r)
		}
	}
	if h := events(); len(h) != 1 {
		t.Fatalf("a refused mark saved something: %d events", len(h))
	}
	if r := runCLIAs(t, db, "Ben", "mark", mei, "--claim", "--force"); r.code != 0 || r.stdout != "Mei Lin: Ben took over from Ana\n" {
		t.Fatalf("Ben's takeover: %+v", r)
	}
	if r := runCLIAs(t, db, "Ben", "mark", mei, "--release"); r.code != 0 || r.stdout != "Mei Lin: released by Ben\n" {
		t.Fatalf("Ben's release: %+v", r)
	}
	var got []string
	for _, e := range events() {
		got = append(got, store.OwnerEventText(e))
	}
	if want := []string{"claimed by Ana", "Ben took over from Ana", "released by Ben"}; !slices.Equal(got, want) {
		t.Errorf("history %q, want %q", got, want)
	}
}

// TestListShowExportOwner: list keeps the rep's own (--mine), a named
// rep's (--owner) or the open contacts nobody owns (--unassigned); list
// --json, show and export say the owner.
func TestListShowExportOwner(t *testing.T) {
	db := tempDB(t)
	if r := runCLI(t, db, "", "import", "testdata/storage-explorer-export.csv"); r.code != 0 {
		t.Fatalf("import: %+v", r)
	}
	if r := runCLIAs(t, db, "Ana", "mark", "mei.lin@northwind.example", "--claim"); r.code != 0 {
		t.Fatal(r)
	}
	if r := runCLIAs(t, db, "Ben", "mark", "olu@tailspin.example", "--claim"); r.code != 0 {
		t.Fatal(r)
	}
	emails := func(r result) []string {
		t.Helper()
		if r.code != 0 {
			t.Fatalf("list: %+v", r)
		}
		var out []string
		for _, ln := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
			if ln == "" {
				continue
			}
			var c contactOut
			if err := json.Unmarshal([]byte(ln), &c); err != nil {
				t.Fatal(err)
			}
			out = append(out, c.Email)
		}
		slices.Sort(out)
		return out
	}
	cases := []struct {
		user string
		args []string
		want []string
	}{
		{"Ben", []string{"--mine"}, []string{"olu@tailspin.example"}},
		{"Ana", []string{"--mine"}, []string{"mei.lin@northwind.example"}},
		{"Ben", []string{"--owner", "Ana"}, []string{"mei.lin@northwind.example"}},
		{"Ben", []string{"--owner", "Cy"}, nil},
		// Priya asked not to be contacted and the .edu lead has no
		// details: neither waits for an owner.
		{"Ben", []string{"--unassigned"}, []string{"jalvarez@fabrikam.example"}},
	}
	for _, c := range cases {
		if got := emails(runCLIAs(t, db, c.user, append([]string{"list", "--json"}, c.args...)...)); !slices.Equal(got, c.want) {
			t.Errorf("%s: list %v = %v, want %v", c.user, c.args, got, c.want)
		}
		// export selects the same contacts from the same flags.
		if got := emails(runCLIAs(t, db, c.user, append([]string{"export", "--format", "json"}, c.args...)...)); !slices.Equal(got, c.want) {
			t.Errorf("%s: export %v = %v, want %v", c.user, c.args, got, c.want)
		}
	}
	if r := runCLIAs(t, db, "Ben", "export", "--owner", "Ana", "--mine"); r.code != exitUsage || !strings.Contains(r.stderr, "leads export: give one of --owner, --mine and --unassigned") {
		t.Errorf("export --owner --mine: %+v", r)
	}
	if r := runCLIAs(t, db, "Ben", "list", "--mine", "--unassigned"); r.code != exitUsage || !strings.Contains(r.stderr, "one of --owner, --mine and --unassigned") {
		t.Errorf("--mine --unassigned: %+v", r)
	}
	r := runCLI(t, db, "", "list", "--json", "--q", "Mei")
	if !strings.Contains(r.stdout, `"owner":"Ana"`) {
		t.Errorf("list --json without the owner: %s", r.stdout)
	}
	if r := runCLI(t, db, "", "list", "--json", "--q", "Alvarez"); !strings.Contains(r.stdout, `"owner":null`) {
		t.Errorf("list --json of an unowned contact: %s", r.stdout)
	}
	if r := runCLI(t, db, "", "show", "mei.lin@northwind.example"); !strings.Contains(r.stdout, "Owner:   Ana") || !strings.Contains(r.stdout, "claimed by Ana") {
		t.Errorf("show: %+v", r)
	}
	r = runCLI(t, db, "", "export", "--q", "Mei")
	rows, err := csv.NewReader(strings.NewReader(r.stdout)).ReadAll()
	if err != nil || len(rows) < 2 {
		t.Fatalf("export: %v %+v", err, r)
	}
	col := slices.Index(rows[0], "owner")
	if col < 0 || rows[1][col] != "Ana" {
		t.Errorf("export owner column %d in %q", col, rows[:2])
	}
}
