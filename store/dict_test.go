package store

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/leads-inbox/leads/store/view"
)

// strangerLead is one lead whose customer-typed fields a test fills.
func strangerLead(rk, email string) Lead {
	return Lead{
		Origin:   Origin{File: "x.json", PartitionKey: "p", RowKey: rk},
		Source:   "AppSource",
		Action:   "PLT",
		OfferID:  "contoso.inventory-pro",
		Created:  ts("2026-11-02T08:14:05Z"),
		Customer: Customer{FirstName: "Ana", Email: email, Country: "PT", Company: "Fabrikam"},
	}
}

// listAll returns every contact that f matches.
func listAll(t *testing.T, s *Store, f Filter) []Contact {
	t.Helper()
	var out []Contact
	if err := s.ListContacts(f, func(c *Contact) error {
		out = append(out, *c)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestLongFieldsInEveryCodedField: a 40,000-character value in any field
// the digest dictionary codes (country, action, source, offer ID, offer
// name; in CJK too) is stored, shown and filtered after a reopen, and the
// next lead's names keep their own codes. Before schema 4 the dictionary
// entry was refused by bbolt without a word and every read then panicked.
func TestLongFieldsInEveryCodedField(t *testing.T) {
	long := strings.Repeat("x", 40_000)
	cjk := strings.Repeat("國", 11_000)
	cases := []struct {
		name string
		set  func(l *Lead, v string)
		get  func(c *Contact) []string
		f    func(v string) Filter
	}{
		{"country", func(l *Lead, v string) { l.Customer.Country = v }, func(c *Contact) []string { return c.Countries }, func(v string) Filter { return Filter{Country: []string{v}} }},
		{"action", func(l *Lead, v string) { l.Action = v }, func(c *Contact) []string { return c.Actions }, func(v string) Filter { return Filter{Action: []string{v}} }},
		{"source", func(l *Lead, v string) { l.Source = v }, func(c *Contact) []string { return c.Sources }, func(v string) Filter { return Filter{Source: []string{v}} }},
		{"offer", func(l *Lead, v string) { l.OfferID = v }, func(c *Contact) []string { return c.Offers }, func(v string) Filter { return Filter{Offer: []string{v}} }},
		{"offer name", func(l *Lead, v string) { l.OfferName = v }, func(c *Contact) []string { return []string{c.LatestOfferName} }, func(v string) Filter { return Filter{Offer: []string{v}} }},
	}
	for _, tc := range cases {
		for _, v := range []string{long, cjk} {
			t.Run(fmt.Sprintf("%s/%d", tc.name, len(v)), func(t *testing.T) {
				s, p := openTemp(t)
				l := strangerLead("1", "ana@fabrikam.example")
				tc.set(&l, v)
				if _, err := s.Upsert([]Lead{l}, UpsertOptions{}); err != nil {
					t.Fatal(err)
				}
				// A later lead, after a restart, with names of its own.
				s.Close()
				s, err := Open(p, Options{})
				if err != nil {
					t.Fatal(err)
				}
				defer s.Close()
				late := strangerLead("2", "late@tailspin.example")
				late.OfferID, late.Customer.Country = "late.offer", "DE"
				if _, err := s.Upsert([]Lead{late}, UpsertOptions{}); err != nil {
					t.Fatal(err)
				}
				got := listAll(t, s, tc.f(v))
				if len(got) != 1 || got[0].Email != "ana@fabrikam.example" {
					t.Fatalf("filter on the long %s matched %d contacts", tc.name, len(got))
				}
				if vals := tc.get(&got[0]); !contains(vals, v) {
					t.Fatalf("long %s not shown back: %d values", tc.name, len(vals))
				}
				if got := listAll(t, s, Filter{Offer: []string{"late.offer"}, Country: []string{"DE"}}); len(got) != 1 || got[0].Email != "late@tailspin.example" {
					t.Fatalf("the later lead's names: %d contacts", len(got))
				}
				if _, err := s.Contact("ana@fabrikam.example"); err != nil {
					t.Fatal(err)
				}
				if _, err := s.Forget("ana@fabrikam.example", time.Now()); err != nil {
					t.Fatal(err)
				}
				s.Close()
				b, err := os.ReadFile(p)
				if err != nil {
					t.Fatal(err)
				}
				if bytes.Contains(b, []byte(v[:3000])) {
					t.Fatalf("the forgotten person's %s is still in the file", tc.name)
				}
			})
		}
	}
}

func contains(ss []string, v string) bool {
	for _, s := range ss {
		if s == v {
			return true
		}
	}
	return false
}

// TestSeventyThousandDistinctValues: past 65,535 distinct names (the old
// 16-bit codes) every filter still finds the contact it should.
func TestSeventyThousandDistinctValues(t *testing.T) {
	if testing.Short() {
		t.Skip("70,000 leads")
	}
	s, _ := openTemp(t)
	const n = 70_000
	batch := make([]Lead, 0, 10_000)
	for i := range n {
		l := strangerLead(fmt.Sprint(i), fmt.Sprintf("p%d@example.com", i))
		l.Customer.Country = fmt.Sprintf("Country typed by stranger %d", i)
		batch = append(batch, l)
		if len(batch) == cap(batch) {
			if _, err := s.Upsert(batch, UpsertOptions{}); err != nil {
				t.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	late := strangerLead("late", "late@tailspin.example")
	late.OfferID, late.Customer.Country, late.Source, late.Action = "late.offer", "DE", "TestDrive", "StartTestDrive"
	if _, err := s.Upsert([]Lead{late}, UpsertOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, f := range []Filter{{Country: []string{"DE"}}, {Offer: []string{"late.offer"}}, {Source: []string{"TestDrive"}}, {Action: []string{"StartTestDrive"}},
		{Country: []string{"DE"}, Offer: []string{"late.offer"}, Source: []string{"TestDrive"}, Action: []string{"StartTestDrive"}}} {
		if got := listAll(t, s, f); len(got) != 1 || got[0].Email != "late@tailspin.example" {
			t.Fatalf("%+v matched %d contacts", f, len(got))
		}
	}
	if got := listAll(t, s, Filter{Country: []string{"Country typed by stranger 69999"}}); len(got) != 1 {
		t.Fatalf("the 70,000th country matched %d contacts", len(got))
	}
	dg, dict, err := s.Digests()
	if err != nil {
		t.Fatal(err)
	}
	de, ok := dict.Code(view.KindCountry, "DE")
	if !ok || de <= 0xFFFF {
		t.Fatalf("DE has code %d (%v), want one past 16 bits", de, ok)
	}
	found := 0
	for i := range dg {
		if dg[i].Has(de) {
			found++
			if dict.Name(dg[i].Country) != "DE" {
				t.Fatalf("digest country %q", dict.Name(dg[i].Country))
			}
		}
	}
	if found != 1 {
		t.Fatalf("%d digests carry DE", found)
	}
}

// TestForgetSweepsTheDictionary: a name only the forgotten person used
// leaves the dictionary; names others use stay, and keep their codes.
func TestForgetSweepsTheDictionary(t *testing.T) {
	s, p := openTemp(t)
	a := strangerLead("1", "ana@fabrikam.example")
	a.Customer.Country = "Rua das Flores 12, 4050-262 Porto"
	b := strangerLead("2", "bo@tailspin.example")
	if _, err := s.Upsert([]Lead{a, b}, UpsertOptions{}); err != nil {
		t.Fatal(err)
	}
	_, before, _ := s.Digests()
	pt, _ := before.Code(view.KindCountry, "PT")
	if _, err := s.Forget("ana@fabrikam.example", time.Now()); err != nil {
		t.Fatal(err)
	}
	_, after, _ := s.Digests()
	if _, ok := after.Code(view.KindCountry, a.Customer.Country); ok {
		t.Fatal("the forgotten person's country is still in the dictionary")
	}
	if c, ok := after.Code(view.KindCountry, "PT"); !ok || c != pt {
		t.Fatalf("PT: code %d %v, was %d", c, ok, pt)
	}
	// The writer's copy of the dictionary follows the file: a new lead
	// with the forgotten name gets a code that is saved.
	c := strangerLead("3", "cy@tailspin.example")
	c.Customer.Country = a.Customer.Country
	if _, err := s.Upsert([]Lead{c}, UpsertOptions{}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s2, err := Open(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if got := listAll(t, s2, Filter{Country: []string{a.Customer.Country}}); len(got) != 1 || got[0].Email != "cy@tailspin.example" {
		t.Fatalf("country filter after reopen: %d contacts", len(got))
	}
}
