package store_test

import (
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/leads-inbox/leads/importer"
	"github.com/leads-inbox/leads/store"
)

// schema1DB unpacks a database written by the schema-1 leads: the sample
// CSV and webhook leads, and one contact with a logged touch and a note.
func schema1DB(t *testing.T) string { return unpackDB(t, "testdata/schema1.db.gz") }

// unpackDB writes a gzipped database from testdata into a new file.
func unpackDB(t *testing.T, name string) string {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "leads.db")
	out, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, zr); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestUpgradeFromSchema1: a file from the first release opens, is upgraded
// with a backup of the old version beside it, and keeps every lead,
// contact, touch and note; its ID indexes still find everything, so the
// same files imported again change nothing.
func TestUpgradeFromSchema1(t *testing.T) {
	p := schema1DB(t)
	ro, err := store.Open(p, store.Options{ReadOnly: true})
	if err == nil {
		ro.Close()
		t.Fatal("a read-only open upgraded or accepted an old file")
	}
	s, err := store.Open(p, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := os.Stat(p + ".bak-schema1"); err != nil {
		t.Fatalf("no backup of the schema-1 file: %v", err)
	}
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
	n, err := s.Count()
	if err != nil || n.Leads != 10 {
		t.Fatalf("after the upgrade: %+v %v, want 10 leads", n, err)
	}
	const id = "9c54f00dd195d94f"
	for _, ref := range []string{id, id[:6], id[:7], "Someone@Contoso.example"} {
		c, err := s.Contact(ref)
		if err != nil {
			t.Fatalf("Contact(%q): %v", ref, err)
		}
		if c.ID != id || c.Triage.Status != store.StatusContacted || len(c.Triage.Notes) != 1 || c.Triage.Touches != 1 {
			t.Fatalf("Contact(%q) = %s, triage %+v", ref, c.ID, c.Triage)
		}
	}
	var leads []store.Lead
	for _, f := range []string{"../cmd/leads/testdata/storage-explorer-export.csv", "../cmd/leads/testdata/webhook-leads.ndjson"} {
		r, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		// The webhook payloads carry no ID: the store gives them one from
		// their content, so the same file finds the same leads.
		if _, err := importer.Read(r, f, func(l store.Lead) error { leads = append(leads, l); return nil }, nil); err != nil {
			t.Fatal(err)
		}
		r.Close()
	}
	res, err := s.Upsert(leads, store.UpsertOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.New != 0 || res.Updated != 0 || res.Unchanged != len(leads) {
		t.Fatalf("re-import after the upgrade: %+v", res)
	}
	if _, err := s.LogTouch(id, time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC), store.Cadence{}, ""); err != nil {
		t.Fatalf("a touch after the upgrade: %v", err)
	}
}

// TestUpgradeFromSchema4: a file written by the schema-4 leads (made with
// that release's store: Mia installed from Azure Marketplace and pressed
// Contact me on AppSource, and is contacted with a note; Bo pressed Contact
// me on Azure Marketplace; Jürgen's country is "Deutschland") is upgraded
// with a backup beside it. Afterwards source and action match within one
// lead, "jurgen" finds Jürgen, US and USA are one country, and the rep's
// triage is where it was.
func TestUpgradeFromSchema4(t *testing.T) {
	p := unpackDB(t, "testdata/schema4.db.gz")
	s, err := store.Open(p, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := os.Stat(p + ".bak-schema4"); err != nil {
		t.Fatalf("no backup of the schema-4 file: %v", err)
	}
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
	list := func(f store.Filter) string {
		t.Helper()
		var out []string
		if err := s.ListContacts(f, func(c *store.Contact) error {
			out = append(out, c.Customer.FirstName)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		slices.Sort(out)
		return strings.Join(out, ",")
	}
	for _, c := range []struct {
		f    store.Filter
		want string
	}{
		{store.Filter{Source: []string{"Azure Marketplace"}, Action: []string{"Contact me"}}, "Bo"},
		{store.Filter{Source: []string{"AppSource"}, Action: []string{"PLT"}}, "Mia"},
		{store.Filter{Source: []string{"AzureMarketplace"}, Action: []string{"INS"}, Offer: []string{"contoso.alpha"}}, "Mia"},
		{store.Filter{Source: []string{"AzureMarketplace"}, Offer: []string{"contoso.beta"}}, ""},
		{store.Filter{Query: "jurgen"}, "Jürgen"},
		{store.Filter{Query: "JÜRGEN"}, "Jürgen"},
		{store.Filter{Country: []string{"United States"}}, "Mia"},
		{store.Filter{Country: []string{"germany"}}, "Bo,Jürgen"},
		{store.Filter{Status: []string{"contacted"}, Action: []string{"Contact me"}}, "Mia"},
	} {
		if got := list(c.f); got != c.want {
			t.Errorf("%+v lists %q, want %q", c.f, got, c.want)
		}
	}
	c, err := s.Contact("mixed@contoso.example")
	if err != nil {
		t.Fatal(err)
	}
	if c.Triage.Status != store.StatusContacted || len(c.Triage.Notes) != 1 || c.LeadCount != 2 {
		t.Fatalf("Mia after the upgrade: %d leads, triage %+v", c.LeadCount, c.Triage)
	}
	if want := []store.LeadCombo{{"AppSource", "PLT", "contoso.beta"}, {"AzureMarketplace", "INS", "contoso.alpha"}}; !slices.Equal(c.Combos, want) {
		t.Fatalf("Mia's lead combinations %v, want %v", c.Combos, want)
	}
}
