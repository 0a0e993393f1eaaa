package tui

import (
	"strings"
	"testing"
	"time"

	"github.com/leads-inbox/leads/store"
)

// TestInboxShowsAnotherProcessesChanges: while the store is lent the
// status bar names the process that has it; once back, the inbox shows
// the lead that process stored, marked new, and a touch it logged (read
// as a triage-only change, keeping the digests), without a restart.
func TestInboxShowsAnotherProcessesChanges(t *testing.T) {
	s := fixture(t)
	m := newModel(t, s, Options{})
	send(t, m, windowSize(120, 30))
	press(t, m, "3") // every contact
	lend := func(write func(o *store.Store)) store.Resumed {
		t.Helper()
		if err := s.Suspend(); err != nil {
			t.Fatal(err)
		}
		send(t, m, ElsewhereMsg{Who: "leads import (pid 7)"})
		if !strings.Contains(screenText(m), "leads import (pid 7) is writing; changes wait") {
			t.Fatalf("the status bar does not say who has the database:\n%s", screenText(m))
		}
		o, err := store.Open(s.Path(), store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		write(o)
		if err := o.Close(); err != nil {
			t.Fatal(err)
		}
		r, err := s.Resume(nil)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	r := lend(func(o *store.Store) {
		if _, err := o.Upsert([]store.Lead{lead("Nina", "nina@n.example", store.ActionContactMe, 0.1)}, store.UpsertOptions{}); err != nil {
			t.Fatal(err)
		}
	})
	send(t, m, ElsewhereMsg{Back: true, Changed: r.Changed, Leads: r.Leads})
	if scr := screenText(m); !strings.Contains(scr, "+ Nina") || strings.Contains(scr, "is writing") {
		t.Fatalf("after the other process stored Nina:\n%s", scr)
	}
	lend(func(o *store.Store) {
		c, err := o.Contact("erin@e.example")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := o.LogTouch(c.ID, testNow.Add(-time.Hour), store.DefaultCadence, ""); err != nil {
			t.Fatal(err)
		}
	})
	// As the store reports a change of triage alone at scale.
	send(t, m, ElsewhereMsg{Back: true, Changed: true, Leads: false})
	var erin string
	for _, l := range strings.Split(screenText(m), "\n") {
		if strings.Contains(l, "Erin") {
			erin = l
		}
	}
	if !strings.Contains(erin, "contacted") || !strings.Contains(erin, "1/4") {
		t.Fatalf("Erin after a touch from another process: %q\n%s", erin, screenText(m))
	}
	if !strings.Contains(screenText(m), "+ Nina") {
		t.Fatalf("the mark on Nina was lost by the triage reload:\n%s", screenText(m))
	}
}
