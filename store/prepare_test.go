package store

import (
	"reflect"
	"testing"
	"time"
)

// TestPreparedLeadsStoreTheSame: leads prepared on the importer's goroutine
// (IDs, records and search text computed ahead) end up exactly as leads
// the writer works out itself, across batches that add to contacts made
// earlier, change leads and move a lead to another address.
func TestPreparedLeadsStoreTheSame(t *testing.T) {
	now := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	batches := [][]Lead{synthLeads(300, 0), synthLeads(300, 300), synthLeads(200, 100)}
	// The third batch repeats leads with changes: a new title, and for
	// some an address of their own.
	for i := range batches[2] {
		l := &batches[2][i]
		l.Customer.Title = "VP Engineering"
		l.Timestamp = l.Timestamp.Add(time.Hour)
		if i%7 == 0 {
			l.Customer.Email = "moved" + l.Customer.Email
		}
		if i%5 == 0 {
			l.Description = "  Ünïcode ÄND Mixed CASE  "
		}
	}
	dump := func(prepare bool) ([]Contact, []Lead) {
		s, _ := openTemp(t)
		defer s.Close()
		for _, b := range batches {
			b = append([]Lead(nil), b...)
			for i := range b {
				b[i].Received = now
			}
			if prepare {
				PrepareBatch(b, now)
			}
			if _, err := s.Upsert(b, UpsertOptions{}); err != nil {
				t.Fatal(err)
			}
		}
		var cs []Contact
		var ls []Lead
		if err := s.ListContacts(Filter{IncludeTest: true}, func(c *Contact) error {
			full, err := s.Contact(c.ID)
			if err != nil {
				return err
			}
			ls = append(ls, full.Leads...)
			full.Leads, full.Triage, full.History = nil, Triage{}, nil
			cs = append(cs, *full)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return cs, ls
	}
	pc, pl := dump(true)
	uc, ul := dump(false)
	if len(pc) == 0 || len(pc) != len(uc) || len(pl) != len(ul) {
		t.Fatalf("prepared: %d contacts %d leads; unprepared: %d, %d", len(pc), len(pl), len(uc), len(ul))
	}
	for i := range pc {
		if !reflect.DeepEqual(pc[i], uc[i]) {
			t.Fatalf("contact %d differs:\nprepared   %+v\nunprepared %+v", i, pc[i], uc[i])
		}
	}
	for i := range pl {
		if !reflect.DeepEqual(pl[i], ul[i]) {
			t.Fatalf("lead %d differs:\nprepared   %+v\nunprepared %+v", i, pl[i], ul[i])
		}
	}
}
