package store

import (
	"errors"
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
	if changed, err := a.Resume(nil); err != nil || !changed {
		t.Fatalf("Resume after another store wrote: changed %v, %v", changed, err)
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
	if changed, err := a.Resume(nil); err != nil || changed {
		t.Fatalf("Resume after a reader: changed %v, %v; want unchanged", changed, err)
	}
}
