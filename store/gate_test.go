package store

import (
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

// TestSuspendLetsAnotherStoreWriteAndResumeSeesIt is the inbox's handoff:
// while the first Store holds the file a second cannot open it; once the
// first Suspends, the second opens, stores leads under a new offer name
// (a new dictionary entry) and closes; a call the first made meanwhile
// waits instead of failing, and after Resume it sees every change.
func TestSuspendLetsAnotherStoreWriteAndResumeSeesIt(t *testing.T) {
	p := filepath.Join(t.TempDir(), "leads.db")
	a, err := Open(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	leads := sampleLeads()
	if _, err := a.Upsert(leads[:3], UpsertOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(p, Options{Timeout: 50 * time.Millisecond}); !errors.Is(err, ErrInUse) {
		t.Fatalf("second open while the first holds the file: %v, want in use", err)
	}
	if err := a.Suspend(); err != nil {
		t.Fatal(err)
	}
	type result struct {
		c   Counts
		err error
	}
	held := make(chan result, 1)
	go func() {
		c, err := a.Count()
		held <- result{c, err}
	}()

	b, err := Open(p, Options{Timeout: time.Second})
	if err != nil {
		t.Fatalf("open after Suspend: %v", err)
	}
	more := leads[3:]
	more[0].OfferName = "Fabrikam Ledger"
	if _, err := b.Upsert(more, UpsertOptions{}); err != nil {
		t.Fatal(err)
	}
	// Stored but not filed, as an import killed before its fold leaves them.
	extra := sampleLeads()[4]
	extra.Origin.RowKey, extra.Customer.Email = "6", "ana@contoso.example"
	if _, err := b.Upsert([]Lead{extra}, UpsertOptions{DeferContacts: true}); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case r := <-held:
		t.Fatalf("a call on the suspended store returned before Resume: %+v", r)
	default:
	}
	if r, err := a.Resume(nil); err != nil || !r.Changed || !r.Leads {
		t.Fatalf("Resume after another store stored leads: %+v, %v", r, err)
	}
	r := <-held
	if r.err != nil || r.c.Leads != 6 || r.c.Contacts != 4 {
		t.Fatalf("count held through the handoff: %+v, %v; want 6 leads, 4 contacts", r.c, r.err)
	}
	c, err := a.Contact("priya@adatum.example")
	if err != nil || c.LatestOfferName != "Fabrikam Ledger" {
		t.Fatalf("the other store's lead after Resume: %+v, %v", c, err)
	}
	if _, err := a.Contact("ana@contoso.example"); err != nil {
		t.Fatalf("the lead the other store left unfiled, after Resume: %v", err)
	}
	// The resumed store writes again, and the file checks clean.
	if _, err := a.Upsert(sampleLeads()[:1], UpsertOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := a.Check(); err != nil {
		t.Fatal(err)
	}
}

// TestCloseWhileSuspendedFailsTheHeldCalls: an inbox that quits while
// another process has the file ends its waiting calls with an error
// rather than leaving them blocked.
func TestCloseWhileSuspendedFailsTheHeldCalls(t *testing.T) {
	a, _ := openTemp(t)
	if err := a.Suspend(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := a.Count()
		done <- err
	}()
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err == nil {
		t.Fatal("a call held by Suspend succeeded after Close")
	}
}

// TestResumeAfterAReaderReportsNoChange: a command that only read (list,
// show) spares the inbox a reload of every contact.
func TestResumeAfterAReaderReportsNoChange(t *testing.T) {
	a, p := openTemp(t)
	if _, err := a.Upsert(sampleLeads(), UpsertOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := a.Suspend(); err != nil {
		t.Fatal(err)
	}
	r, err := Open(p, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Count(); err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if r, err := a.Resume(nil); err != nil || r.Changed {
		t.Fatalf("Resume after a reader: %+v, %v; want unchanged", r, err)
	}
}

// TestResumeAfterATriageChangeKeepsTheLeads: 'leads mark' writes triage
// and history only, so the inbox can keep its digests and read the
// triage state alone; an import in the same handoff changes leads.
func TestResumeAfterATriageChangeKeepsTheLeads(t *testing.T) {
	a, p := openTemp(t)
	base := sampleLeads()[0]
	var many []Lead
	for i := range 2000 {
		l := base
		l.Origin.RowKey = fmt.Sprint(i)
		l.Customer.Email = fmt.Sprintf("rep%d@northwind.example", i)
		many = append(many, l)
	}
	if _, err := a.Upsert(many, UpsertOptions{}); err != nil {
		t.Fatal(err)
	}
	c, err := a.Contact("rep7@northwind.example")
	if err != nil {
		t.Fatal(err)
	}
	handoff := func(write func(b *Store) error) Resumed {
		t.Helper()
		if err := a.Suspend(); err != nil {
			t.Fatal(err)
		}
		b, err := Open(p, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if err := write(b); err != nil {
			t.Fatal(err)
		}
		if err := b.Close(); err != nil {
			t.Fatal(err)
		}
		r, err := a.Resume(nil)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	r := handoff(func(b *Store) error {
		_, err := b.LogTouch(c.ID, ts("2026-11-12T09:00:00Z"), DefaultCadence, "")
		return err
	})
	if !r.Changed || r.Leads {
		t.Fatalf("after a touch: %+v, want changed, leads unchanged", r)
	}
	if tr, err := a.Triage(c.ID); err != nil || tr.Touches != 1 {
		t.Fatalf("the touch after Resume: %+v, %v", tr, err)
	}
	r = handoff(func(b *Store) error {
		l := base
		l.Origin.RowKey, l.Customer.Email = "new", "new@northwind.example"
		_, err := b.Upsert([]Lead{l}, UpsertOptions{})
		return err
	})
	if !r.Changed || !r.Leads {
		t.Fatalf("after an import: %+v, want leads changed", r)
	}
}
