package store

import (
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// TestTallyContactLeads: over every contact it agrees with TallyLeads;
// over some contacts it counts their leads alone, and keep drops leads.
func TestTallyContactLeads(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "t.db"), Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	at := time.Date(2026, 11, 5, 10, 0, 0, 0, time.UTC)
	leads := []Lead{
		{Source: "AppSource", Action: "PLT", OfferID: "a", Created: at, Customer: Customer{Email: "ana@x.example"}},
		{Source: "AzureMarketplace", Action: "INS", OfferID: "a", Created: at.Add(-7 * 24 * time.Hour), Customer: Customer{Email: "ana@x.example"}},
		{Source: "AzureMarketplace", Action: "PLT", OfferID: "b", Created: at, Customer: Customer{Email: "ben@x.example"}},
		{Source: "AppSource", Action: "INS", OfferID: "b", Received: at, IsTest: true, Customer: Customer{Email: "MSFT_TEST_1@test.com"}},
	}
	if _, err := s.Upsert(leads, UpsertOptions{}); err != nil {
		t.Fatal(err)
	}
	seqs := map[string]uint64{}
	var all []uint64
	if err := s.ListContacts(Filter{IncludeTest: true}, func(c *Contact) error {
		seqs[c.Email], all = c.Seq, append(all, c.Seq)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	since := time.Date(2026, 10, 26, 0, 0, 0, 0, time.UTC).Unix()
	whole, err := s.TallyLeads(since, 3)
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.TallyContactLeads(all, since, 3, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.Groups, whole.Groups) || !slices.Equal(got.Weeks, whole.Weeks) {
		t.Fatalf("over every contact\n%+v\nwant TallyLeads'\n%+v", got, whole)
	}
	got, err = s.TallyContactLeads([]uint64{seqs["ana@x.example"]}, since, 3, func(g LeadGroup) bool { return g.Source == "AzureMarketplace" })
	if err != nil {
		t.Fatal(err)
	}
	want := []LeadGroup{{Source: "AzureMarketplace", Action: "INS", OfferID: "a", Leads: 1}}
	if !slices.Equal(got.Groups, want) || !slices.Equal(got.Weeks, []int{1, 0, 0}) {
		t.Fatalf("Ana's Azure leads: %+v", got)
	}
}
