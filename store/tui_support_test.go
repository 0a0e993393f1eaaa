package store

import (
	"fmt"
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
	if n, err := tallied(s); err != nil || n != 3000 {
		t.Fatalf("TallyLeads: %d leads, %v", n, err)
	}
}

// tallied is how many leads TallyLeads counted.
func tallied(s *Store) (int, error) {
	t, err := s.TallyLeads(0, 0)
	n := 0
	for _, g := range t.Groups {
		n += g.Leads
	}
	return n, err
}

// TestTallyMatchesLeads: leads are grouped by their own fields, and a lead
// without a created time (every webhook lead) is dated by when it was
// received, whatever form its RowKey takes. The tally is the same whether
// one range or several count the leads.
func TestTallyMatchesLeads(t *testing.T) {
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
		{Source: "AzureMarketplace", Action: "Create", OfferID: "created", OfferName: "Contoso", Created: created.Add(-8 * 24 * time.Hour),
			Received: received, Origin: Origin{PartitionKey: "p", RowKey: "r2"}, Customer: Customer{Email: "d@x.example"}},
	}
	// Many more of one kind, so that the tally splits the leads among
	// workers, and a value repeats across the ranges.
	for i := range 120_000 {
		leads = append(leads, Lead{Source: "AppSource", Action: "PLT", OfferID: "bulk", Received: received,
			Origin: Origin{PartitionKey: "bulk", RowKey: fmt.Sprint(i)}, Customer: Customer{Email: fmt.Sprintf("%d@bulk.example", i%5000)}})
	}
	if _, err := s.Upsert(leads, UpsertOptions{}); err != nil {
		t.Fatal(err)
	}
	// Weeks from the Monday before created: the created leads fall in
	// weeks 0 and 1, every received-dated one in week 6.
	since := time.Date(2026, 9, 21, 0, 0, 0, 0, time.UTC).Unix()
	got, err := s.TallyLeads(since, 8)
	if err != nil {
		t.Fatal(err)
	}
	want := []LeadGroup{
		{Source: "AppSource", Action: "INS", OfferID: "guid-rowkey", Leads: 1},
		{Source: "AppSource", Action: "PLT", OfferID: "bulk", Leads: 120_000},
		{Source: "AppSource", Action: "PLT", OfferID: "no-rowkey", Leads: 1},
		{Source: "AzureMarketplace", Action: "Create", OfferID: "created", OfferName: "Contoso", Leads: 2},
		{Source: "TestDrive", Action: "StartTestDrive", OfferID: "text-rowkey", Test: true, Leads: 1},
	}
	if !slices.Equal(got.Groups, want) {
		t.Fatalf("groups\n%+v\nwant\n%+v", got.Groups, want)
	}
	// The test lead is counted in its group and in no week.
	if w := []int{1, 1, 0, 0, 0, 0, 120_002, 0}; !slices.Equal(got.Weeks, w) {
		t.Fatalf("weeks %v, want %v", got.Weeks, w)
	}
}
