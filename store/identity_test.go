package store_test

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/leads-inbox/leads/store"
)

// TestNormalizeEmail: the documented forms of one address give one
// identity; different people stay apart.
func TestNormalizeEmail(t *testing.T) {
	cases := []struct{ in, want string }{
		{"mei.lin@northwind.example", "mei.lin@northwind.example"},
		{"  Mei.Lin@Northwind.Example \r\n", "mei.lin@northwind.example"},
		{"josé@x.example", "josé@x.example"},                                                                      // NFC
		{"jose\u0301@x.example", "josé@x.example"},                                                                // NFD
		{"josé\u200b@x.example", "josé@x.example"},                                                                // zero-width space
		{"JOSÉ@X.EXAMPLE", "josé@x.example"},                                                                      // case beyond ASCII
		{"zed\u200b@x.example", "zed@x.example"},                                                                  // zero-width in ASCII
		{"\ufeffzed@x.example", "zed@x.example"},                                                                  // byte-order mark
		{"z\u034fed@x.example", "zed@x.example"},                                                                  // combining grapheme joiner
		{"z\u2066ed\u2069@x.example", "zed@x.example"},                                                            // bidi isolate
		{"zed\u00ad@x.example", "zed@x.example"},                                                                  // soft hyphen
		{"z\ufe0fed@x.example", "zed@x.example"},                                                                  // variation selector
		{"zed\x00@x.example", "zed@x.example"},                                                                    // NUL
		{"straße@x.example", "strasse@x.example"},                                                                 // full case folding
		{"ΣΊΣΥΦΟΣ@x.example", "σίσυφοσ@x.example"},                                                                // final sigma folds too
		{"\u3000zed@x.example\u3000", "zed@x.example"},                                                            // ideographic space
		{"zed@x.example\xff", "zed@x.example"},                                                                    // invalid UTF-8
		{"e" + strings.Repeat("\u0301", 1000) + "@x.example", "é" + strings.Repeat("\u0301", 999) + "@x.example"}, // a combining flood keeps no joiner
		{"", ""},
		{"\u200b", ""},
	}
	for _, c := range cases {
		if got := store.NormalizeEmail(c.in); got != c.want {
			t.Errorf("NormalizeEmail(%q) = %q, want %q", c.in, got, c.want)
		}
		if got := store.NormalizeEmail(store.NormalizeEmail(c.in)); got != c.want {
			t.Errorf("NormalizeEmail is not idempotent on %q: %q", c.in, got)
		}
	}
	if store.NormalizeEmail("ana@x.example") == store.NormalizeEmail("anna@x.example") {
		t.Fatal("two people share an identity")
	}
}

// identityLead is one lead from the address as typed.
func identityLead(rk, email string, created string) store.Lead {
	at, _ := time.Parse(time.RFC3339, created)
	return store.Lead{
		Origin:   store.Origin{File: "x.csv", Line: 2, PartitionKey: "p", RowKey: rk},
		Source:   "AppSource",
		Action:   "PLT",
		OfferID:  "contoso.inventory-pro",
		Created:  at,
		Customer: store.Customer{FirstName: "José", LastName: "Silva", Email: email, Country: "PT"},
	}
}

// TestOneContactPerAddressIdentity: NFC, NFD, zero-width and case variants
// of one address are one contact, found by the form the inbox shows; forget
// of that form erases all of them, and a later import of any variant is
// skipped.
func TestOneContactPerAddressIdentity(t *testing.T) {
	p := t.TempDir() + "/leads.db"
	s, err := store.Open(p, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { s.Close() }()
	variants := []string{"josé@x.example", "jose\u0301@x.example", "josé\u200b@x.example", "JOSÉ@X.example "}
	var leads []store.Lead
	for i, v := range variants {
		leads = append(leads, identityLead(string(rune('a'+i)), v, "2026-11-0"+string(rune('1'+i))+"T08:00:00Z"))
	}
	leads = append(leads, identityLead("z", "zed\u200b@x.example", "2026-11-05T08:00:00Z"))
	if _, err := s.Upsert(leads, store.UpsertOptions{}); err != nil {
		t.Fatal(err)
	}
	n, err := s.Count()
	if err != nil {
		t.Fatal(err)
	}
	if n.Contacts != 2 {
		t.Fatalf("%d contacts, want 2 (José and Zed)", n.Contacts)
	}
	c, err := s.Contact("josé@x.example")
	if err != nil {
		t.Fatal(err)
	}
	if c.LeadCount != 4 || len(c.Leads) != 4 {
		t.Fatalf("José has %d leads, want 4", c.LeadCount)
	}
	z, err := s.Contact("zed@x.example")
	if err != nil {
		t.Fatalf("the contact shown as zed@x.example is not found by it: %v", err)
	}
	if z.Email != "zed@x.example" {
		t.Fatalf("Zed's identity %q", z.Email)
	}
	res, err := s.Forget("jose\u0301@x.example", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if res.Leads != 4 {
		t.Fatalf("forget removed %d leads, want 4", res.Leads)
	}
	r, err := s.Upsert([]store.Lead{identityLead("n", "JOSE\u0301@x.example", "2026-11-09T08:00:00Z")}, store.UpsertOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Forgotten != 1 || r.New != 0 {
		t.Fatalf("a variant of the forgotten address came back: %+v", r)
	}
	if ok, err := s.IsForgotten("josé\u200b@x.example"); err != nil || !ok {
		t.Fatalf("IsForgotten of a variant: %v %v", ok, err)
	}
}

// TestRepairSchema3Damage: a schema-3 file written by the previous
// release, carrying both kinds of dictionary damage (a lost code later
// handed to another offer, and a lost code before a saved one, which made
// every read panic) and one person split into three contacts by Unicode
// forms of their address, opens, is repaired, and keeps the rep's work.
func TestRepairSchema3Damage(t *testing.T) {
	p := unpackDB(t, "testdata/schema3-damaged.db.gz")
	s, err := store.Open(p, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(p + ".bak-schema3"); err != nil {
		t.Fatalf("no backup of the schema-3 file: %v", err)
	}
	var all []store.Contact
	if err := s.ListContacts(store.Filter{}, func(c *store.Contact) error {
		all = append(all, *c)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	byEmail := map[string]store.Contact{}
	for _, c := range all {
		byEmail[c.Email] = c
	}
	// José, Zed, Mei, Long, Late, Longer, Ana, istanbul, i̇stanbul, and
	// the two leads whose addresses were invisible characters only.
	if len(all) != 11 {
		t.Fatalf("%d contacts after repair, want 11: %v", len(all), byEmail)
	}
	jose, ok := byEmail["josé@fabrikam.example"]
	if !ok || jose.LeadCount != 3 {
		t.Fatalf("José: %+v", jose)
	}
	// The NFD contact was won with two touches; the NFC one had a later
	// note only: the merge keeps the win, the touches and both notes.
	if jose.Triage.Status != store.StatusWon || jose.Triage.Touches != 2 || len(jose.Triage.Notes) != 3 {
		t.Fatalf("José's triage after the merge: status %s, %d touches, %d notes", jose.Triage.Status, jose.Triage.Touches, len(jose.Triage.Notes))
	}
	// One old contact split by the new identity: each lead where a fresh
	// import would put it, so forget by either address finds its lead.
	lower, upper := byEmail["istanbul@x.example"], byEmail[store.NormalizeEmail("İSTANBUL@x.example")]
	if lower.LeadCount != 1 || upper.LeadCount != 1 || lower.Customer.FirstName != "Lower" || upper.Customer.FirstName != "Upper" {
		t.Fatalf("the split contact: %+v / %+v", lower, upper)
	}
	// No address is no identity: each such lead stands alone, and the
	// status set on one stays with it.
	var alone []store.Contact
	for _, c := range all {
		if c.Email == "" {
			alone = append(alone, c)
		}
	}
	if len(alone) != 2 || alone[0].LeadCount != 1 || alone[1].LeadCount != 1 {
		t.Fatalf("leads without a visible address: %d contacts", len(alone))
	}
	if alone[0].Triage.Status == alone[1].Triage.Status {
		t.Fatalf("the status set on one address-less lead spread to the other")
	}
	if _, ok := byEmail["zed@tailspin.example"]; !ok {
		t.Fatal("Zed is not found by the address shown")
	}
	if mei := byEmail["mei@northwind.example"]; len(mei.Triage.Notes) != 1 {
		t.Fatal("Mei's note was lost")
	}
	for _, tc := range []struct{ email, country string }{
		{"long@adatum.example", strings.Repeat("x", 40000)},
		{"long2@adatum.example", strings.Repeat("y", 40000)},
		{"ana@contoso.example", "ES"},
		{"late@tailspin.example", "DE"},
	} {
		c := byEmail[tc.email]
		if len(c.Countries) != 1 || c.Countries[0] != tc.country || c.Customer.Country != tc.country {
			t.Fatalf("%s: countries %d, first %.10q", tc.email, len(c.Countries), c.Countries)
		}
		if len(c.Offers) != 1 {
			t.Fatalf("%s: offers %q", tc.email, c.Offers)
		}
	}
	if long := byEmail["long@adatum.example"]; len(long.Triage.Notes) != 1 {
		t.Fatal("the note on the damaged contact was lost")
	}
	var late []string
	if err := s.ListContacts(store.Filter{Offer: []string{"late.offer"}}, func(c *store.Contact) error {
		late = append(late, c.Email)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(late) != 1 || late[0] != "late@tailspin.example" {
		t.Fatalf("offer late.offer matches %q", late)
	}
	// The inbox's view agrees: no digest code without a name.
	dg, dict, err := s.Digests()
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dg {
		for _, code := range append(d.Codes, d.LatestSource, d.LatestAction, d.LatestOffer, d.Country) {
			if code != 0 && dict.Name(code) == "" {
				t.Fatalf("contact %s carries code %d with no name", d.IDString(), code)
			}
		}
	}
	// A second import of a damaged lead changes nothing and writes fine.
	s.Close()
	s, err = store.Open(p, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(p)
	if !bytes.Contains(raw, []byte(strings.Repeat("y", 1000))) {
		t.Fatal("the long country is gone from the file")
	}
}
