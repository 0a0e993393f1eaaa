package main

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/leads-inbox/leads/store"
)

// TestReplyStopsTheCadenceCapture builds the database of the README's
// capture of a contact whose reply stopped the cadence: the sample leads,
// a message sent to Mei Lin three days ago (its follow-up would be a day
// overdue now) and her reply two hours ago. With LEADS_CAPTURE_DB set it
// builds it there, for 'leads --db' in tmux; either way it checks that
// nothing is due and the reply waits for an answer.
func TestReplyStopsTheCadenceCapture(t *testing.T) {
	db := os.Getenv("LEADS_CAPTURE_DB")
	if db == "" {
		db = tempDB(t)
	}
	if r := runCLI(t, db, "", "import", "testdata/storage-explorer-export.csv"); r.code != 0 {
		t.Fatalf("import: %d %q", r.code, r.stderr)
	}
	s, err := store.Open(db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().Truncate(time.Minute)
	c, err := s.Contact("mei.lin@northwind.example")
	if err == nil {
		_, err = s.LogSent(c.ID, now.Add(-72*time.Hour), store.DefaultCadence, "<capture-1@northwind.example>",
			"Contoso Inventory Pro for Northwind: pricing for 200 seats")
	}
	if err == nil {
		_, _, err = s.RecordReply(c.ID, store.Reply{MessageID: "<capture-2@northwind.example>", At: now.Add(-2 * time.Hour),
			Subject: "Re: Contoso Inventory Pro for Northwind: pricing for 200 seats",
			Excerpt: "Thanks for the numbers. Before we decide we would like a walkthrough of the Test Drive with our " +
				"warehouse team.\nTuesday or Wednesday afternoon (Taipei time) works for us.\n\nMei"}, now)
	}
	if cerr := s.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	r := runCLI(t, db, "", "show", "mei.lin@northwind.example")
	if !strings.Contains(r.stdout, "waiting for your answer") || strings.Contains(r.stdout, " due ") {
		t.Fatalf("the reply did not stop the cadence:\n%s", r.stdout)
	}
}
