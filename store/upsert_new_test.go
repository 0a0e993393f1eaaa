package store

import (
	"slices"
	"testing"
)

// TestUpsertListsTheNewLeads: with ListNew, a batch names exactly the
// leads it stored as new (not the ones it already had, nor a forgotten
// person's), also with contacts deferred as a sync stores them, so
// 'leads watch' notifies once per lead however often a page is read.
func TestUpsertListsTheNewLeads(t *testing.T) {
	s, _ := openTemp(t)
	leads := sampleLeads()
	r, err := s.Upsert(leads[:2], UpsertOptions{ListNew: true, DeferContacts: true})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(r.NewAt, []int{0, 1}) {
		t.Fatalf("first batch: new at %v, want [0 1]", r.NewAt)
	}
	if _, err := s.Forget("priya@adatum.example", ts("2026-11-07T00:00:00Z")); err != nil {
		t.Fatal(err)
	}
	r, err = s.Upsert(sampleLeads(), UpsertOptions{ListNew: true, DeferContacts: true})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(r.NewAt, []int{2, 4}) || r.New != 2 || r.Forgotten != 1 {
		t.Fatalf("second batch: new at %v (%+v), want [2 4]", r.NewAt, r)
	}
	r, err = s.Upsert(sampleLeads(), UpsertOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if r.NewAt != nil {
		t.Fatalf("without ListNew: new at %v", r.NewAt)
	}
	if _, err := s.Fold(); err != nil {
		t.Fatal(err)
	}
}
