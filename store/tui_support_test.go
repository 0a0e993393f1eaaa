package store

import (
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// TestLoadDigestsMatchesDigests checks the inbox's loader against Digests:
// same digests, and the search text moved into the block intact.
func TestLoadDigestsMatchesDigests(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "t.db"), Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Upsert(synthLeads(3000, 0), UpsertOptions{}); err != nil {
		t.Fatal(err)
	}
	want, _, err := s.Digests()
	if err != nil {
		t.Fatal(err)
	}
	got, text, dict, err := s.LoadDigests(0x02)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) || len(text.Off) != len(got)+1 || dict == nil {
		t.Fatalf("%d digests, %d offsets; want %d", len(got), len(text.Off), len(want))
	}
	for i := range want {
		w, g := want[i], got[i]
		search := string(text.Text[text.Off[i] : text.Off[i+1]-1])
		if search != w.Search || text.Text[text.Off[i+1]-1] != 0x02 {
			t.Fatalf("digest %d: search %q, want %q", i, search, w.Search)
		}
		if !slices.Equal(g.Codes, w.Codes) {
			t.Fatalf("digest %d: codes %v, want %v", i, g.Codes, w.Codes)
		}
		if g.ID != w.ID || g.Seq != w.Seq || g.First != w.First || g.Last != w.Last || g.Hot != w.Hot ||
			g.Leads != w.Leads || g.Flags != w.Flags || g.LatestSource != w.LatestSource ||
			g.LatestAction != w.LatestAction || g.LatestOffer != w.LatestOffer || g.Country != w.Country || g.Search != "" {
			t.Fatalf("digest %d: %+v, want %+v", i, g, w)
		}
	}
	n := 0
	if err := s.LeadFacts(func(*LeadFact) { n++ }); err != nil || n != 3000 {
		t.Fatalf("LeadFacts: %d leads, %v", n, err)
	}
}

// TestLeadFactsMatchLeads: each fact carries the lead's own fields, and a
// lead without a created time (every webhook lead) is dated by when it was
// received, whatever form its RowKey takes.
func TestLeadFactsMatchLeads(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "t.db"), Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	received := time.Date(2026, 11, 5, 10, 0, 0, 0, time.UTC)
	created := time.Date(2026, 10, 1, 8, 30, 0, 0, time.UTC)
	leads := []Lead{
		{Source: "AppSource", Action: "PLT", OfferID: "no-rowkey", Received: received,
			Customer: Customer{Email: "a@x.example", Country: "DE"}},
		{Source: "AppSource", Action: "INS", OfferID: "guid-rowkey", Received: received.Add(time.Hour),
			Origin:   Origin{PartitionKey: "p", RowKey: "3673c4e6-432c-0ab2-52af-203c43c12c61"},
			Customer: Customer{Email: "b@x.example", Country: "FR"}},
		{Source: "TestDrive", Action: "StartTestDrive", OfferID: "text-rowkey", Received: received.Add(2 * time.Hour),
			Origin: Origin{File: "leads.csv", Line: 7, PartitionKey: "p", RowKey: "row 7"}, IsTest: true,
			Customer: Customer{Email: "c@x.example"}},
		{Source: "AzureMarketplace", Action: "Create", OfferID: "created", OfferName: "Contoso", Created: created,
			Received: received, Origin: Origin{PartitionKey: "p", RowKey: "r"}},
	}
	want := map[string]LeadFact{}
	for _, l := range leads {
		want[l.OfferID] = LeadFact{Source: l.Source, Action: l.Action, OfferID: l.OfferID, OfferName: l.OfferName,
			Country: l.Customer.Country, Created: l.When().Unix(), Test: l.IsTest}
	}
	if _, err := s.Upsert(leads, UpsertOptions{}); err != nil {
		t.Fatal(err)
	}
	n := 0
	if err := s.LeadFacts(func(f *LeadFact) {
		n++
		if w := want[f.OfferID]; *f != w {
			t.Errorf("fact %+v, want %+v", *f, w)
		}
	}); err != nil || n != len(leads) {
		t.Fatalf("LeadFacts: %d leads, %v", n, err)
	}
}
