package store

import (
	"fmt"
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

// TestContactTallyFromCountAhead: after a count ahead, the leads of any
// set of contacts, with or without a lead filter, are counted from what
// it kept exactly as from reading the leads; after an import they are
// read again and include the new lead.
func TestContactTallyFromCountAhead(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "t.db"), Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	at := time.Date(2026, 11, 5, 10, 0, 0, 0, time.UTC)
	var leads []Lead
	for i := range 40 {
		leads = append(leads, Lead{Source: []string{"AppSource", "AzureMarketplace"}[i%2], Action: []string{"PLT", "INS", "StartTestDrive"}[i%3],
			OfferID: []string{"a", "b", "c", "d"}[i%4], OfferName: []string{"", "Offer B"}[i%2],
			Created: at.Add(-time.Duration(i*53) * time.Hour), Received: at, IsTest: i%11 == 0,
			Customer: Customer{Email: fmt.Sprintf("p%d@x.example", i%13)}})
	}
	leads[5].Created = time.Time{} // dated by when it came in
	if _, err := s.Upsert(leads, UpsertOptions{}); err != nil {
		t.Fatal(err)
	}
	var all []uint64
	if err := s.ListContacts(Filter{IncludeTest: true}, func(c *Contact) error { all = append(all, c.Seq); return nil }); err != nil {
		t.Fatal(err)
	}
	since := time.Date(2026, 9, 28, 0, 0, 0, 0, time.UTC).Unix()
	sets := [][]uint64{all, all[:1], all[3:9], nil, append([]uint64{9999}, all[2:5]...)}
	keeps := []func(LeadGroup) bool{nil, func(g LeadGroup) bool { return g.Source == "AzureMarketplace" && g.Action != "INS" }}
	counts := func() []LeadTally {
		t.Helper()
		var out []LeadTally
		for _, set := range sets {
			for _, keep := range keeps {
				got, err := s.TallyContactLeads(set, since, 6, keep)
				if err != nil {
					t.Fatal(err)
				}
				out = append(out, got)
			}
		}
		return out
	}
	read := counts()
	if err := s.PrepareTally(since, 6); err != nil {
		t.Fatal(err)
	}
	kept := counts()
	for i := range read {
		if !slices.Equal(kept[i].Groups, read[i].Groups) || !slices.Equal(kept[i].Weeks, read[i].Weeks) {
			t.Fatalf("case %d: from the count ahead %+v\nread %+v", i, kept[i], read[i])
		}
	}
	if _, err := s.Upsert([]Lead{{Source: "AppSource", Action: "PLT", OfferID: "a", Created: at, Customer: Customer{Email: "p1@x.example"}}}, UpsertOptions{}); err != nil {
		t.Fatal(err)
	}
	got, err := s.TallyContactLeads(all, since, 6, nil)
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, g := range got.Groups {
		total += g.Leads
	}
	if total != len(leads)+1 {
		t.Fatalf("after an import: %d leads counted, want %d", total, len(leads)+1)
	}
}
