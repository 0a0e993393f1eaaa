package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/leads-inbox/leads/store/view"
)

func openTemp(t *testing.T) (*Store, string) {
	t.Helper()
	p := filepath.Join(t.TempDir(), "leads.db")
	s, err := Open(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, p
}

func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func sampleLeads() []Lead {
	mk := func(pk, rk, action, source, email, first string, created string) Lead {
		return Lead{
			Origin:   Origin{File: "x.csv", Line: 2, PartitionKey: pk, RowKey: rk},
			Source:   source,
			Action:   action,
			OfferID:  "contoso.inventory-pro",
			Created:  ts(created),
			Customer: Customer{FirstName: first, LastName: "Lin", Email: email, Country: "TW", Company: "Northwind"},
		}
	}
	return []Lead{
		mk("p", "1", "PLT", "AppSource", "mei.lin@northwind.example", "Mei", "2026-11-02T08:14:05Z"),
		mk("p", "2", "StartTestDrive", "AppSource", "Mei.Lin@Northwind.example ", "Mei", "2026-11-03T15:40:47Z"),
		mk("p", "3", "INS", "AzureMarketplace", "mei.lin@northwind.example", "Mei", "2026-11-05T09:02:08Z"),
		mk("p", "4", "DNC", "AppSource", "priya@adatum.example", "Priya", "2026-11-06T11:11:09Z"),
		mk("p", "5", "INS", "AzureMarketplace", "", "", "2026-11-06T13:29:58Z"),
	}
}

func TestUpsertIsIdempotentAndGroupsContacts(t *testing.T) {
	s, _ := openTemp(t)
	r, err := s.Upsert(sampleLeads(), UpsertOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if r.New != 5 || r.Updated != 0 || r.Unchanged != 0 {
		t.Fatalf("first import: %+v", r)
	}
	r, err = s.Upsert(sampleLeads(), UpsertOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if r.New != 0 || r.Updated != 0 || r.Unchanged != 5 {
		t.Fatalf("second import: %+v", r)
	}
	n, _ := s.Count()
	if n.Leads != 5 || n.Contacts != 3 {
		t.Fatalf("counts %+v, want 5 leads, 3 contacts", n)
	}
	c, err := s.Contact("MEI.LIN@northwind.example")
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, l := range c.Leads {
		actions = append(actions, l.Action)
	}
	if got := strings.Join(actions, ">"); got != "PLT>StartTestDrive>INS" {
		t.Fatalf("funnel %s", got)
	}
	if c.LatestAction != "INS" || c.LeadCount != 3 || !c.Contactable() {
		t.Fatalf("contact %+v", c)
	}
	p, _ := s.Contact("priya@adatum.example")
	if !p.IsDNC || p.Contactable() {
		t.Fatalf("DNC contact should not be contactable: %+v", p)
	}
}

func TestChangedRowUpdatesAndMovesContact(t *testing.T) {
	s, _ := openTemp(t)
	leads := sampleLeads()
	if _, err := s.Upsert(leads, UpsertOptions{}); err != nil {
		t.Fatal(err)
	}
	// The same entity with a new Timestamp and a corrected email.
	l := leads[2]
	l.ID = ""
	l.Timestamp = ts("2026-11-09T00:00:00Z")
	l.Customer.Email = "mei@other.example"
	r, err := s.Upsert([]Lead{l}, UpsertOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Updated != 1 {
		t.Fatalf("%+v", r)
	}
	mei, _ := s.Contact("mei.lin@northwind.example")
	if mei.LeadCount != 2 || len(mei.Leads) != 2 || mei.LatestAction != "StartTestDrive" {
		t.Fatalf("old contact not rebuilt: %+v", mei)
	}
	other, err := s.Contact("mei@other.example")
	if err != nil || other.LeadCount != 1 {
		t.Fatalf("moved lead: %v %+v", err, other)
	}
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
}

func TestDryRunWritesNothing(t *testing.T) {
	s, _ := openTemp(t)
	r, err := s.Upsert(sampleLeads(), UpsertOptions{DryRun: true})
	if err != nil || r.New != 5 {
		t.Fatalf("%v %+v", err, r)
	}
	n, _ := s.Count()
	if n.Leads != 0 {
		t.Fatalf("dry run stored %d leads", n.Leads)
	}
	d, dict, err := s.Digests()
	if err != nil || len(d) != 0 || dict.Len() != 1 {
		t.Fatalf("dry run left digests or dictionary entries: %d %d", len(d), dict.Len())
	}
}

func TestTriageSurvivesReimportAndUndo(t *testing.T) {
	s, p := openTemp(t)
	if _, err := s.Upsert(sampleLeads(), UpsertOptions{}); err != nil {
		t.Fatal(err)
	}
	id := ContactIDForEmail("mei.lin@northwind.example")
	at := ts("2026-11-10T09:00:00Z")
	tr, err := s.LogTouch(id, at, DefaultCadence, "called")
	if err != nil {
		t.Fatal(err)
	}
	if tr.Touches != 1 || tr.Status != StatusContacted || !tr.NextFollowUp.Equal(at.AddDate(0, 0, 2)) {
		t.Fatalf("after touch: %+v", tr)
	}
	if _, err := s.SetStatus(id, StatusLost, "", at); err == nil {
		t.Fatal("lost without a reason was accepted")
	}
	if _, err := s.SetStatus(id, StatusEngaged, "", at.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	// Re-importing must not touch triage.
	if _, err := s.Upsert(sampleLeads(), UpsertOptions{}); err != nil {
		t.Fatal(err)
	}
	tr, err = s.Undo(id, at.Add(2*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if tr.Status != StatusContacted || tr.Touches != 1 {
		t.Fatalf("undo did not restore: %+v", tr)
	}
	s.Close()
	s2, err := Open(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	c, err := s2.Contact(id[:8])
	if err != nil {
		t.Fatal(err)
	}
	if c.Triage.Touches != 1 || len(c.Triage.Notes) != 1 || len(c.History) != 3 {
		t.Fatalf("after reopen: %+v history=%d", c.Triage, len(c.History))
	}
}

func TestCadence(t *testing.T) {
	at := ts("2026-11-01T10:00:00Z")
	want := []int{2, 5, 10}
	for n := 1; n <= 3; n++ {
		next, ok := DefaultCadence.Next(n, at)
		if !ok || !next.Equal(at.AddDate(0, 0, want[n-1])) {
			t.Fatalf("touch %d: %v %v", n, next, ok)
		}
	}
	if _, ok := DefaultCadence.Next(4, at); ok {
		t.Fatal("cadence should end after the fourth touch")
	}
	if DefaultCadence.Total() != 4 {
		t.Fatal("four touches planned")
	}
}

func TestListFiltersAndOrder(t *testing.T) {
	s, _ := openTemp(t)
	leads := sampleLeads()
	leads = append(leads, Lead{Origin: Origin{PartitionKey: "p", RowKey: "t"}, Source: "AzureMarketplace", Action: "INS",
		Created: ts("2026-11-07T07:44:59Z"), IsTest: true,
		Customer: Customer{Email: "MSFT_TEST_1@test.com", FirstName: "MSFT_TEST_1"}})
	if _, err := s.Upsert(leads, UpsertOptions{}); err != nil {
		t.Fatal(err)
	}
	list := func(f Filter) []string {
		var out []string
		if err := s.ListContacts(f, func(c *Contact) error { out = append(out, c.Email); return nil }); err != nil {
			t.Fatal(err)
		}
		return out
	}
	all := list(Filter{})
	if strings.Join(all, ",") != ",priya@adatum.example,mei.lin@northwind.example" {
		t.Fatalf("order: %q", all)
	}
	if got := list(Filter{IncludeTest: true}); len(got) != 4 || got[0] != "msft_test_1@test.com" {
		t.Fatalf("with test: %q", got)
	}
	// Mei pressed Contact me on AppSource and installed from Azure
	// Marketplace: source and action must hold on one lead.
	if got := list(Filter{Action: []string{"plt"}, Source: []string{"AzureMarketplace"}}); len(got) != 0 {
		t.Fatalf("source and action of different leads matched: %q", got)
	}
	if got := list(Filter{Action: []string{"plt", "ins"}, Source: []string{"AzureMarketplace"}}); len(got) != 2 {
		t.Fatalf("two actions, one source: %q", got)
	}
	if got := list(Filter{Query: "PRIYA"}); len(got) != 1 {
		t.Fatalf("query: %q", got)
	}
	// Every word must occur, in any field: the name as shown, first and
	// last, and words from two fields.
	for q, want := range map[string]string{"Mei Lin": "mei.lin@northwind.example", "  priya   northwind ": "priya@adatum.example",
		"lin adatum": "priya@adatum.example", "mei adatum": ""} {
		if got := strings.Join(list(Filter{Query: q}), ","); got != want {
			t.Errorf("query %q: %q, want %q", q, got, want)
		}
	}
	last, _ := s.LastTestLead()
	if !last.Equal(ts("2026-11-07T07:44:59Z")) {
		t.Fatalf("last test lead %v", last)
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	csv := filepath.Join(dir, "leads.csv")
	os.WriteFile(csv, []byte("PartitionKey,RowKey\nA,B\n"), 0o644)
	for _, c := range []struct {
		path string
		want error
	}{{csv, ErrNotDatabase}, {dir, ErrNotDatabase}} {
		_, err := Open(c.path, Options{})
		if !errors.Is(err, c.want) {
			t.Fatalf("%s: %v", c.path, err)
		}
		if strings.Contains(err.Error(), "\n") {
			t.Fatalf("multi-line error: %q", err)
		}
	}
	before, _ := os.ReadFile(csv)
	after, _ := os.ReadFile(csv)
	if string(before) != string(after) {
		t.Fatal("foreign file was changed")
	}

	p := filepath.Join(dir, "leads.db")
	s, err := Open(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(p)
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v", fi.Mode())
	}
	start := time.Now()
	_, err = Open(p, Options{Timeout: 200 * time.Millisecond})
	if !errors.Is(err, ErrInUse) || time.Since(start) > 5*time.Second {
		t.Fatalf("second open: %v", err)
	}
	if !strings.Contains(err.Error(), "leads.db is in use by another leads process") {
		t.Fatalf("message: %q", err)
	}
	s.Close()
}

func TestNewerSchemaRefused(t *testing.T) {
	s, p := openTemp(t)
	s.db.Update(func(tx *boltTx) error { return tx.Bucket(bMeta).Put(kSchema, []byte("99")) })
	s.Close()
	_, err := Open(p, Options{})
	if !errors.Is(err, ErrNewerSchema) || !strings.Contains(err.Error(), "99") {
		t.Fatalf("%v", err)
	}
}

func TestLeadCodecRoundTrip(t *testing.T) {
	l := sampleLeads()[0]
	l.ID = l.ComputeID()
	l.Extra = []Field{{"Foo", "bar"}}
	l.Raw = []Field{{"PartitionKey", "p"}, {"CustomerInfo", `{"a":1}`}}
	l.Timestamp = ts("2026-11-02T08:14:09Z")
	got, err := decodeLead(encodeLead(nil, &l, nil))
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != l.ID || got.Customer != l.Customer || !got.Created.Equal(l.Created) || got.Origin != l.Origin ||
		len(got.Raw) != 2 || got.Raw[1] != l.Raw[1] || got.Extra[0] != l.Extra[0] {
		t.Fatalf("round trip:\n%+v\n%+v", got, l)
	}
	if _, err := decodeLead([]byte{1, 200}); err == nil {
		t.Fatal("truncated record decoded")
	}
}

// TestTriageFollowsAnAddressChange: when a re-imported lead comes with a
// corrected address, its contact moves, and the rep's status, notes,
// history and draft records move with it instead of staying behind under
// a contact that no longer exists. Where the new contact has triage state
// of its own, that stays and gains the notes.
func TestTriageFollowsAnAddressChange(t *testing.T) {
	s, _ := openTemp(t)
	mk := func(rk, email string) Lead {
		return Lead{Origin: Origin{PartitionKey: "p", RowKey: rk}, Source: "AppSource", Action: "PLT",
			Created: ts("2026-11-02T08:00:00Z"), Customer: Customer{FirstName: "Bob", Email: email}}
	}
	if _, err := s.Upsert([]Lead{mk("1", "bob@wrong.example"), mk("2", "ann@x.example")}, UpsertOptions{}); err != nil {
		t.Fatal(err)
	}
	wrong, right, ann := ContactIDForEmail("bob@wrong.example"), ContactIDForEmail("bob@right.example"), ContactIDForEmail("ann@x.example")
	at := ts("2026-11-03T09:00:00Z")
	if _, err := s.SetStatus(wrong, StatusQualified, "", at); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddNote(wrong, "wants the enterprise plan", at.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordDraftFile(wrong, "/tmp/bob.eml"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddNote(ann, "ann's own note", at); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddNote(wrong, "bob also knows ann", at.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	// Bob's lead comes again with the corrected address.
	if r, err := s.Upsert([]Lead{mk("1", "bob@right.example")}, UpsertOptions{}); err != nil || r.Updated != 1 {
		t.Fatalf("update: %+v %v", r, err)
	}
	if _, err := s.Contact(wrong); err == nil {
		t.Fatal("the old contact is still there")
	}
	tr, err := s.Triage(right)
	if err != nil || tr.Status != StatusQualified || len(tr.Notes) != 2 || tr.ContactID != right {
		t.Fatalf("triage after the move: %+v, %v", tr, err)
	}
	if h, _ := s.History(right); len(h) != 3 {
		t.Fatalf("history after the move: %d events", len(h))
	}
	if h, _ := s.History(wrong); len(h) != 0 {
		t.Fatalf("history left behind: %d events", len(h))
	}
	if f, _ := s.DraftFiles(right); len(f) != 1 || f[0] != "/tmp/bob.eml" {
		t.Fatalf("draft records: %v", f)
	}
	if old, _ := s.Triage(wrong); old.Status != StatusNew || len(old.Notes) != 0 {
		t.Fatalf("triage left behind: %+v", old)
	}
	// Undo works on the moved history: the last note goes.
	if tr, err := s.Undo(right, at.Add(3*time.Hour)); err != nil || len(tr.Notes) != 1 || tr.ContactID != right {
		t.Fatalf("undo after the move: %+v, %v", tr, err)
	}
	// Now Bob's lead moves onto Ann's contact, which has state of its own
	// (a note only): the status furthest along the funnel, qualified,
	// is kept, with the notes of both.
	if _, err := s.Upsert([]Lead{mk("1", "ann@x.example")}, UpsertOptions{}); err != nil {
		t.Fatal(err)
	}
	tr, err = s.Triage(ann)
	if err != nil || tr.Status != StatusQualified || len(tr.Notes) != 2 || tr.Notes[0].Text != "ann's own note" {
		t.Fatalf("merged triage: %+v, %v", tr, err)
	}
	// Every event before the merge holds a snapshot of one side only:
	// undoing one would drop the other side's work, so undo stops there.
	if _, err := s.Undo(ann, at.Add(4*time.Hour)); err == nil || !strings.Contains(err.Error(), "merged") {
		t.Fatalf("undo past the merge: %v", err)
	}
	if tr, _ = s.Triage(ann); len(tr.Notes) != 2 {
		t.Fatalf("after the refused undo: %+v", tr)
	}
	// A change made after the merge is undone as usual.
	if _, err := s.SetStatus(ann, StatusContacted, "", at.Add(5*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if tr, err = s.Undo(ann, at.Add(6*time.Hour)); err != nil || tr.Status != StatusQualified || len(tr.Notes) != 2 {
		t.Fatalf("undo after the merge: %+v, %v", tr, err)
	}
}

// TestNewestValueWinsInAnyOrder: each customer field is the newest lead's
// non-empty value whatever order the leads arrive in, in one batch or
// several: an older lead must not keep its value over a newer one that
// arrives after a newest lead without that field.
func TestNewestValueWinsInAnyOrder(t *testing.T) {
	mk := func(rk, day, company, first string) Lead {
		return Lead{Origin: Origin{PartitionKey: "p", RowKey: rk}, Source: "AppSource", Action: "PLT",
			Created: ts("2026-11-0" + day + "T08:00:00Z"), Customer: Customer{Email: "x@y.example", Company: company, FirstName: first}}
	}
	leads := []Lead{mk("1", "1", "Old Co", "Al"), mk("2", "2", "New Co", ""), mk("3", "3", "", "Alan")}
	for _, order := range [][]int{{0, 1, 2}, {0, 2, 1}, {2, 1, 0}, {1, 2, 0}, {2, 0, 1}} {
		for _, split := range []int{0, 1, 2} {
			s, _ := openTemp(t)
			var batches [][]Lead
			var b []Lead
			for i, k := range order {
				b = append(b, leads[k])
				if i == split || i == len(order)-1 {
					batches, b = append(batches, b), nil
				}
			}
			for _, b := range batches {
				if _, err := s.Upsert(b, UpsertOptions{}); err != nil {
					t.Fatal(err)
				}
			}
			c, err := s.Contact("x@y.example")
			if err != nil {
				t.Fatal(err)
			}
			if c.Customer.Company != "New Co" || c.Customer.FirstName != "Alan" {
				t.Errorf("order %v in %d batches: company %q, first name %q; want New Co, Alan",
					order, len(batches), c.Customer.Company, c.Customer.FirstName)
			}
			s.Close()
		}
	}
}

// TestOlderCopyDoesNotUndoNewer: a table entity's Timestamp is its last
// change. A copy older than the stored one (a CSV exported before a sync
// brought the newer entity) leaves the lead as it is; a newer one updates
// it.
func TestOlderCopyDoesNotUndoNewer(t *testing.T) {
	s, _ := openTemp(t)
	mk := func(stamp, desc string) Lead {
		return Lead{Origin: Origin{PartitionKey: "p", RowKey: "r1"}, Source: "AppSource", Action: "PLT",
			Created: ts("2026-11-01T08:00:00Z"), Timestamp: ts(stamp), Description: desc,
			Customer: Customer{Email: "x@y.example"}}
	}
	if _, err := s.Upsert([]Lead{mk("2026-11-05T10:00:00Z", "Campaigns: NEW")}, UpsertOptions{}); err != nil {
		t.Fatal(err)
	}
	r, err := s.Upsert([]Lead{mk("2026-11-02T10:00:00Z", "Campaigns: ")}, UpsertOptions{})
	if err != nil || r.Unchanged != 1 || r.Older != 1 || r.Updated != 0 {
		t.Fatalf("older copy: %+v %v", r, err)
	}
	c, _ := s.Contact("x@y.example")
	if len(c.Leads) != 1 || c.Leads[0].Description != "Campaigns: NEW" {
		t.Fatalf("the older copy replaced the newer: %+v", c.Leads)
	}
	r, err = s.Upsert([]Lead{mk("2026-11-06T10:00:00Z", "Campaigns: NEWER")}, UpsertOptions{})
	if err != nil || r.Updated != 1 || r.Older != 0 {
		t.Fatalf("newer copy: %+v %v", r, err)
	}
	c, _ = s.Contact("x@y.example")
	if c.Leads[0].Description != "Campaigns: NEWER" {
		t.Fatalf("the newer copy was not stored: %+v", c.Leads)
	}
}

// TestGenerationCountsLeadChanges: the number the inbox compares around a
// sync moves when a write stores or changes a lead, not for a write that
// changes no lead (a sync that found nothing new still saves its progress),
// nor for a dry run.
func TestGenerationCountsLeadChanges(t *testing.T) {
	s, _ := openTemp(t)
	l := Lead{Origin: Origin{PartitionKey: "p", RowKey: "1"}, Source: "AppSource", Action: "PLT",
		Created: ts("2026-11-02T08:00:00Z"), Customer: Customer{Email: "a@x.example"}}
	g0 := s.Generation()
	if _, err := s.Upsert([]Lead{l}, UpsertOptions{}); err != nil {
		t.Fatal(err)
	}
	g1 := s.Generation()
	if g1 == g0 {
		t.Fatal("a new lead left the generation as it was")
	}
	if _, err := s.Upsert([]Lead{l}, UpsertOptions{SyncKey: "acct/table", SyncState: []byte("page 2")}); err != nil {
		t.Fatal(err)
	}
	l.Customer.Company = "Now Inc"
	if _, err := s.Upsert([]Lead{l}, UpsertOptions{DryRun: true}); err != nil {
		t.Fatal(err)
	}
	if g := s.Generation(); g != g1 {
		t.Fatalf("unchanged leads, or a dry run, moved the generation: %d, was %d", g, g1)
	}
	if res, err := s.Upsert([]Lead{l}, UpsertOptions{}); err != nil || res.Updated != 1 {
		t.Fatalf("%+v %v", res, err)
	}
	if s.Generation() == g1 {
		t.Fatal("a changed lead left the generation as it was")
	}
}

// A listing reads contacts and leads a part at a time, in the order they
// are stored, and hands them out in the listing's order. Whatever the
// part size, the listing is the same: every contact once, in order, each
// with its own leads, oldest first, as a single contact read gives them.
func TestListingInPartsKeepsOrderAndLeads(t *testing.T) {
	s, _ := openTemp(t)
	var leads []Lead
	// Leads of a person arrive apart, in several batches, so a contact's
	// leads are far from each other in the file and from its record.
	for round := 0; round < 3; round++ {
		batch := len(leads)
		for p := 0; p < 40; p++ {
			if (p+round)%3 == 0 {
				continue
			}
			leads = append(leads, Lead{
				Origin:   Origin{File: "x.csv", Line: 2 + len(leads), PartitionKey: "p", RowKey: fmt.Sprintf("%d-%d", p, round)},
				Source:   "AppSource",
				Action:   []string{"PLT", "StartTestDrive", "INS"}[round],
				OfferID:  fmt.Sprintf("offer-%d", p%4),
				Created:  ts("2026-11-02T08:00:00Z").Add(time.Duration((p*7+round*13)%50) * time.Hour),
				Customer: Customer{FirstName: fmt.Sprint("P", p), Email: fmt.Sprintf("p%d@x.example", p)},
			})
		}
		if _, err := s.Upsert(leads[batch:], UpsertOptions{DeferContacts: true}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Fold(); err != nil {
		t.Fatal(err)
	}
	listing := func(part int) []string {
		t.Helper()
		old := listPart
		listPart = part
		defer func() { listPart = old }()
		var out []string
		for _, order := range []view.Order{view.ByRecent, view.ByUrgency} {
			if err := s.ListContactsBy(Filter{}, order, ts("2026-11-20T00:00:00Z"), func(c *Contact) error {
				line := c.ID + " " + c.Email + ":"
				for _, l := range c.Leads {
					line += " " + l.ID + "/" + l.Action
				}
				out = append(out, line)
				return nil
			}); err != nil {
				t.Fatal(err)
			}
		}
		return out
	}
	whole := listing(1 << 20)
	if len(whole) != 2*40 {
		t.Fatalf("listed %d contacts, want 80 (40 in each order)", len(whole))
	}
	for _, part := range []int{1, 3, 7, 40} {
		if got := listing(part); !slices.Equal(got, whole) {
			t.Fatalf("parts of %d list\n%s\nwant\n%s", part, strings.Join(got, "\n"), strings.Join(whole, "\n"))
		}
	}
	for _, line := range whole[:40] {
		id := strings.Fields(line)[0]
		c, err := s.Contact(id)
		if err != nil {
			t.Fatal(err)
		}
		want := c.ID + " " + c.Email + ":"
		for _, l := range c.Leads {
			want += " " + l.ID + "/" + l.Action
		}
		if line != want {
			t.Fatalf("listed %q, but the contact holds %q", line, want)
		}
	}
}
