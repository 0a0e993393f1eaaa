package main

import (
	"os"
	"strings"
	"testing"

	"github.com/leads-inbox/leads/store"
)

// TestMarkTriagesWithTheInboxGuards: 'leads mark' makes each asked change
// as its own history entry, in order; it refuses what the inbox refuses
// (a touch or follow-up to a DNC contact, lost without a reason, a touch
// past the cadence without --force, a touch on a closed contact) and says
// which changes were already saved when a later one fails.
func TestMarkTriagesWithTheInboxGuards(t *testing.T) {
	db := tempDB(t)
	if r := runCLI(t, db, "", "import", "testdata/storage-explorer-export.csv"); r.code != 0 {
		t.Fatalf("import: %+v", r)
	}
	r := runCLI(t, db, "", "mark", "mei.lin@northwind.example", "--status", "engaged", "--touch", "--note", "wants pricing\x1b[2J", "--follow-up", "2026-11-20")
	if r.code != 0 || strings.Count(r.stdout, "\n") != 4 || strings.Contains(r.stdout, "\x1b") {
		t.Fatalf("mark: %+v", r)
	}
	s := openDB(t, db)
	id := store.ContactIDForEmail("mei.lin@northwind.example")
	tr, _ := s.Triage(id)
	h, _ := s.History(id)
	s.Close()
	if tr.Status != store.StatusEngaged || tr.Touches != 1 || len(tr.Notes) != 1 || tr.NextFollowUp.Day() != 20 || len(h) != 4 {
		t.Fatalf("triage %+v, %d events", tr, len(h))
	}
	// Snooze moves the follow-up on from its due date, as z does.
	if r := runCLI(t, db, "", "mark", id[:8], "--snooze", "--days", "3"); r.code != 0 || !strings.Contains(r.stdout, "23 Nov") {
		t.Fatalf("snooze: %+v", r)
	}
	refused := []struct {
		args []string
		want string
		code int
	}{
		{[]string{"priya@adatum.example", "--touch"}, "DO NOT CONTACT", exitFailed},
		{[]string{"priya@adatum.example", "--snooze"}, "DO NOT CONTACT", exitFailed},
		{[]string{"mei.lin@northwind.example", "--status", "lost"}, "needs a reason", exitUsage},
		{[]string{"mei.lin@northwind.example", "--follow-up", "someday"}, "not a date", exitUsage},
		{[]string{"mei.lin@northwind.example"}, "nothing to do", exitUsage},
		{[]string{"mei.lin@northwind.example", "--clear-bouncing"}, "not marked as bouncing", exitFailed},
		{[]string{"nobody@nowhere.example", "--touch"}, "", exitFailed},
	}
	for _, c := range refused {
		r := runCLI(t, db, "", append([]string{"mark"}, c.args...)...)
		if r.code != c.code || !strings.Contains(r.stderr, c.want) || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
			t.Errorf("mark %v: %+v", c.args, r)
		}
	}
	// Past the cadence (4 touches) a touch needs --force.
	for i := 0; i < 3; i++ {
		if r := runCLI(t, db, "", "mark", "mei.lin@northwind.example", "--touch"); r.code != 0 {
			t.Fatalf("touch %d: %+v", i+2, r)
		}
	}
	if r := runCLI(t, db, "", "mark", "mei.lin@northwind.example", "--touch"); r.code != exitFailed || !strings.Contains(r.stderr, "--force") {
		t.Fatalf("fifth touch without --force: %+v", r)
	}
	if r := runCLI(t, db, "", "mark", "mei.lin@northwind.example", "--touch", "--force"); r.code != 0 {
		t.Fatalf("fifth touch with --force: %+v", r)
	}
	// A later change that fails says the earlier one was saved.
	r = runCLI(t, db, "", "mark", "mei.lin@northwind.example", "--status", "won", "--touch", "--force")
	if r.code != exitFailed || !strings.Contains(r.stderr, "the 1 change before it was saved") {
		t.Fatalf("touch after won: %+v", r)
	}
	s = openDB(t, db)
	defer s.Close()
	if tr, _ := s.Triage(id); tr.Status != store.StatusWon || tr.Touches != 5 {
		t.Fatalf("after won: %+v", tr)
	}
}

func openDB(t *testing.T, db string) *store.Store {
	t.Helper()
	s, err := store.Open(db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestMarkShortensALongName: a 40,000-character name a stranger typed is
// shown cut to one short line (ending in "…") in what mark prints, not
// poured over the terminal.
func TestMarkShortensALongName(t *testing.T) {
	db := tempDB(t)
	long := strings.Repeat("x", 40_000) + "\u202e"
	csv := "ActionCode,CreatedTime,CustomerInfo,LeadSource,OfferDisplayName\r\n" +
		`PLT,11/2/2026 8:14:05 AM,"{""FirstName"":""` + long + `"",""Email"":""long@name.example""}",AppSource (SPZA)-,Contoso` + "\r\n"
	f := t.TempDir() + "/long.csv"
	if err := os.WriteFile(f, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	if r := runCLI(t, db, "", "import", f); r.code != 0 {
		t.Fatalf("import: %+v", r)
	}
	r := runCLI(t, db, "", "mark", "long@name.example", "--note", "called")
	if r.code != 0 || len(r.stdout) > 300 || !strings.Contains(r.stdout, "…: note") || strings.Contains(r.stdout, "\u202e") {
		t.Fatalf("mark printed %d bytes: %.200q", len(r.stdout), r.stdout)
	}
}
