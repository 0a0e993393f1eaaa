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
	batches := [][]Lead{synthLeads(300, 0), synthLeads(300, 300), synthLeads(200, 100), synthLeads(300, 0)}
	// The third batch repeats leads with changes (a new title, and for
	// some an address of their own); the fourth repeats the first as is.
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
	dump := func(prepare string) ([]Contact, []Lead, []UpsertResult) {
		var results []UpsertResult
		s, _ := openTemp(t)
		defer s.Close()
		for _, b := range batches {
			b = append([]Lead(nil), b...)
			for i := range b {
				b[i].Received = now
			}
			switch prepare {
			case "package":
				PrepareBatch(b, now)
			case "store":
				// Leads the store holds already get only their content.
				s.PrepareBatch(b, now)
			}
			res, err := s.Upsert(b, UpsertOptions{})
			if err != nil {
				t.Fatal(err)
			}
			results = append(results, res)
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
		return cs, ls, results
	}
	uc, ul, ur := dump("none")
	for _, mode := range []string{"package", "store"} {
		pc, pl, pr := dump(mode)
		if !reflect.DeepEqual(pr, ur) {
			t.Fatalf("%s: counted %+v, unprepared %+v", mode, pr, ur)
		}
		if len(pc) == 0 || len(pc) != len(uc) || len(pl) != len(ul) {
			t.Fatalf("%s: %d contacts %d leads; unprepared: %d, %d", mode, len(pc), len(pl), len(uc), len(ul))
		}
		for i := range pc {
			if !reflect.DeepEqual(pc[i], uc[i]) {
				t.Fatalf("%s: contact %d differs:\nprepared   %+v\nunprepared %+v", mode, i, pc[i], uc[i])
			}
		}
		for i := range pl {
			if !reflect.DeepEqual(pl[i], ul[i]) {
				t.Fatalf("%s: lead %d differs:\nprepared   %+v\nunprepared %+v", mode, i, pl[i], ul[i])
			}
		}
	}
}
