package store

import (
	"reflect"
	"testing"
	"time"
)

// TestPreparedLeadsStoreTheSame: leads prepared on the importer's goroutine
// (IDs, records and search text computed ahead) end up exactly as leads
// the writer works out itself, across batches that add to contacts made
// earlier, change leads and move a lead to another address. One Preparer
// kept for a whole import, a batch ahead of the writer, reuses the memory
// of the batches written (the batches are large enough for several of its
// blocks each) without touching the batch still waiting. A reader that lets
// go of the raw fields of leads prepared in full loses none of them.
func TestPreparedLeadsStoreTheSame(t *testing.T) {
	now := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	batches := [][]Lead{synthLeads(3000, 0), synthLeads(3000, 3000), synthLeads(2000, 2000), synthLeads(3000, 0)}
	// The third batch repeats leads with changes (a new title, and for
	// some an address of their own); the fourth repeats the first as is.
	// A Preparer a batch ahead prepares the third before the second is
	// written, so half of its changed leads come to the writer in full.
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
		s, path := openTemp(t)
		copies := make([][]Lead, len(batches))
		for k, b := range batches {
			copies[k] = append([]Lead(nil), b...)
			for i := range copies[k] {
				copies[k][i].Received = now
			}
		}
		var pr *Preparer
		inGroups := func(b []Lead) {
			for len(b) > 0 {
				n := min(len(b), 64)
				pr.Prepare(b[:n])
				if prepare == "released" {
					// As an importer does: fields in the record are let go.
					for i := range b[:n] {
						if b[i].Encoded() {
							b[i].Raw = nil
						}
					}
				}
				b = b[n:]
			}
		}
		for k, b := range copies {
			switch prepare {
			case "package":
				PrepareBatch(b, now)
			case "store":
				// Leads the store holds already get only their content.
				s.PrepareBatch(b, now)
			case "preparer", "released":
				if k == 0 {
					s.PrepareBatch(b, now)
					break
				}
				if k == 1 {
					pr = s.NewPreparer(now)
					inGroups(b)
				}
				if k+1 < len(copies) {
					inGroups(copies[k+1])
				}
			}
			res, err := s.Upsert(b, UpsertOptions{})
			if err != nil {
				t.Fatal(err)
			}
			results = append(results, res)
			if k == 0 {
				// Opened again, the store is not new: leads it holds
				// are prepared for a comparison only.
				if err := s.Close(); err != nil {
					t.Fatal(err)
				}
				if s, err = Open(path, Options{}); err != nil {
					t.Fatal(err)
				}
				defer s.Close()
			}
		}
		if prepare == "preparer" || prepare == "released" {
			pr.Prepare(nil)
			if len(pr.blocks) > 1 || len(pr.a.free) == 0 || len(pr.freeSlabs) == 0 {
				t.Fatalf("after the import the preparer holds %d blocks, with %d blocks and %d slabs to reuse", len(pr.blocks), len(pr.a.free), len(pr.freeSlabs))
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
		return cs, ls, results
	}
	uc, ul, ur := dump("none")
	for _, mode := range []string{"package", "store", "preparer", "released"} {
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

// TestPreparedLeadUpsertedAgain: a lead from a Preparer given to Upsert a
// second time, after the Preparer has reused its memory for other leads,
// is taken as it is, not as whatever now lies where it was prepared.
func TestPreparedLeadUpsertedAgain(t *testing.T) {
	now := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	s, _ := openTemp(t)
	pr := s.NewPreparer(now)
	first := synthLeads(3000, 0)
	pr.Prepare(first)
	if res, err := s.Upsert(first, UpsertOptions{}); err != nil || res.New != 3000 {
		t.Fatalf("first batch: %+v %v", res, err)
	}
	for k := 1; k <= 3; k++ {
		b := synthLeads(3000, 3000*k)
		pr.Prepare(b)
		if _, err := s.Upsert(b, UpsertOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if res, err := s.Upsert(first, UpsertOptions{}); err != nil || res.Unchanged != 3000 {
		t.Fatalf("first batch again: %+v %v", res, err)
	}
}

// TestPrepareBesideUpsert: as in an import, a Preparer on another
// goroutine asks which leads are stored while Upsert writes, on a store
// opened again so that both may be first to load the lead index. Run with
// -race, it shows that the two share the index safely.
func TestPrepareBesideUpsert(t *testing.T) {
	now := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	s, path := openTemp(t)
	if _, err := s.Upsert(synthLeads(3000, 0), UpsertOptions{}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ahead := synthLeads(3000, 1500)
	done := make(chan struct{})
	go func() {
		defer close(done)
		pr := s.NewPreparer(now)
		for b := ahead; len(b) > 0; b = b[min(len(b), 64):] {
			pr.Prepare(b[:min(len(b), 64)])
		}
	}()
	res, err := s.Upsert(synthLeads(1000, 3000), UpsertOptions{})
	<-done
	if err != nil || res.Unchanged != 0 || res.New != 1000 {
		t.Fatalf("%+v %v", res, err)
	}
	if res, err = s.Upsert(ahead, UpsertOptions{}); err != nil || res.New != 500 || res.Unchanged != 2500 {
		t.Fatalf("prepared beside a write: %+v %v", res, err)
	}
}
