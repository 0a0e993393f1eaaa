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

// TestTallyKeptOnlyWhileLeadsStay: the count kept from PrepareTally or an
// earlier TallyLeads is what a fresh count gives after a triage change,
// and is counted again after an import adds a lead and after forget takes
// a person's leads; a caller changing what it got changes nothing kept.
func TestTallyKeptOnlyWhileLeadsStay(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "t.db"), Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	at := time.Date(2026, 11, 5, 10, 0, 0, 0, time.UTC)
	lead := func(email, action string) Lead {
		return Lead{Source: "AppSource", Action: action, OfferID: "a", Created: at, Customer: Customer{Email: email}}
	}
	if _, err := s.Upsert([]Lead{lead("ana@x.example", "PLT"), lead("ben@x.example", "PLT")}, UpsertOptions{}); err != nil {
		t.Fatal(err)
	}
	since := time.Date(2026, 10, 26, 0, 0, 0, 0, time.UTC).Unix()
	if err := s.PrepareTally(since, 3); err != nil {
		t.Fatal(err)
	}
	expect := func(what string, plt, ins int) {
		t.Helper()
		got, err := s.TallyLeads(since, 3)
		if err != nil {
			t.Fatal(err)
		}
		var want []LeadGroup
		if ins > 0 {
			want = append(want, LeadGroup{Source: "AppSource", Action: "INS", OfferID: "a", Leads: ins})
		}
		if plt > 0 {
			want = append(want, LeadGroup{Source: "AppSource", Action: "PLT", OfferID: "a", Leads: plt})
		}
		if !slices.Equal(got.Groups, want) || !slices.Equal(got.Weeks, []int{0, plt + ins, 0}) {
			t.Fatalf("%s: %+v, want %+v and weeks [0 %d 0]", what, got, want, plt+ins)
		}
		// What a caller does with its copy is its own affair.
		got.Groups[0].Leads, got.Weeks[1] = 99, 99
	}
	expect("counted ahead", 2, 0)
	if _, err := s.SetStatus(ContactIDForEmail("ana@x.example"), Status("won"), "", at); err != nil {
		t.Fatal(err)
	}
	expect("after a triage change", 2, 0)
	if _, err := s.Upsert([]Lead{lead("ana@x.example", "INS")}, UpsertOptions{}); err != nil {
		t.Fatal(err)
	}
	expect("after an import", 2, 1)
	if _, err := s.Forget("ben@x.example", at); err != nil {
		t.Fatal(err)
	}
	expect("after forget", 1, 1)
}
