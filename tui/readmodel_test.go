package tui

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/leads-inbox/leads/store"
	"github.com/leads-inbox/leads/store/search"
	"github.com/leads-inbox/leads/store/view"
)

// filterStore holds contacts that test what each filter value selects:
// names that differ only in case, a contact whose leads differ, an offer
// whose ID is another offer's display name, a renamed offer, DNC, no
// personal data, a test lead, hostile text, and the rep's own statuses
// and dates.
func filterStore(t *testing.T) *store.Store {
	t.Helper()
	var leads []store.Lead
	add := func(first, email, source, action, offer, offerName, country string, hoursAgo float64) *store.Lead {
		l := lead(first, email, action, hoursAgo)
		l.Source, l.OfferID, l.OfferName, l.Customer.Country = source, offer, offerName, country
		leads = append(leads, l)
		return &leads[len(leads)-1]
	}
	add("Alice", "alice@a.example", "AppSource", "PLT", "contoso.inventory-pro", "Contoso Inventory Pro", "US", 2)
	add("Bob", "bob@b.example", "APPSOURCE", "INS", "contoso.fieldsvc", "Field Service", "us", 30)
	add("Carol", "carol@c.example", "AzureMarketplace", "StartTestDrive", "Field Service", "Carol's offer", "DE", 100)
	add("Carol", "carol@c.example", "AppSource", "PLT", "contoso.inventory-pro", "Contoso Inventory Pro", "DE", 200)
	add("Dan", "dan@d.example", "AzurePortal", "DNC", "contoso.inventory-pro", "Contoso Inventory Pro", "Ελλάδα", 5)
	add("Erin", "erin@e.example", hostile[0], "Create", "contoso."+hostile[8], hostile[8], hostile[2], 50)
	add("Frank", "frank@f.example", "TestDrive", "PLT", "contoso.inventory-pro", "Inventory Pro (old name)", "ελλάδα", 2000)
	add("Jürgen", "jurgen@j.example", "AppSource", "StartTestDrive", "contoso.fieldsvc", "Field Service", "USA", 40)
	edu := add("", "", "AppSource", "INS", "contoso.inventory-pro", "Contoso Inventory Pro", "", 10)
	edu.NoPII = true
	test := add("MSFT_TEST_1", "msft_test_1@test.example", "AzureMarketplace", "INS", "contoso.fieldsvc", "Field Service", "US", 300)
	test.IsTest = true
	s := openStore(t, leads)
	must := func(_ store.Triage, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	id := store.ContactIDForEmail
	must(s.LogTouch(id("alice@a.example"), testNow.Add(-time.Hour), store.DefaultCadence, ""))
	must(s.SetStatus(id("bob@b.example"), store.StatusWon, "", testNow))
	must(s.SetFollowUp(id("carol@c.example"), testNow.Add(-3*time.Hour), testNow.Add(-4*time.Hour)))
	must(s.SetStatus(id("frank@f.example"), store.StatusEngaged, "", testNow))
	return s
}

// cliIDs lists what 'leads list' (and 'leads export') would, in order.
func cliIDs(t *testing.T, s *store.Store, f store.Filter, o view.Order) []string {
	t.Helper()
	var out []string
	if err := s.ListContactsBy(f, o, testNow, func(c *store.Contact) error {
		out = append(out, c.ID)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// inboxIDs lists what the inbox shows under f, in its order: the All view,
// and the Test view too when test leads are included, as 'leads list
// --include-test' does.
func inboxIDs(x *index, f filters, includeTest bool) []string {
	x.apply(&f, viewAll)
	all := slices.Clone(x.visible)
	if includeTest {
		x.apply(&f, viewTest)
		all = append(all, x.visible...)
	}
	var out []string
	for _, i := range all {
		out = append(out, x.dg[i].IDString())
	}
	return out
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// TestCLIFiltersEqualInboxFilters: for every value the inbox's filter
// panel offers, in every dimension, 'leads list --source/--action/
// --offer/--country/--status' with that value (as listed, upper-cased,
// lower-cased) selects the same contacts as the inbox, alone and
// combined, with and without test leads.
func TestCLIFiltersEqualInboxFilters(t *testing.T) {
	for _, readDigests := range []bool{false, true} {
		t.Run(map[bool]string{false: "combination sets", true: "digests"}[readDigests], func(t *testing.T) {
			s := filterStore(t)
			m := newModel(t, s, Options{})
			m.x.tooManyCombos = readDigests // the fallback for too many lead combinations
			cliFiltersEqualInboxFilters(t, s, m.x)
		})
	}
}

func cliFiltersEqualInboxFilters(t *testing.T, s *store.Store, x *index) {
	set := func(f *store.Filter, dim int, v string) {
		switch dim {
		case dimSource:
			f.Source = []string{v}
		case dimAction:
			f.Action = []string{v}
		case dimOffer:
			f.Offer = []string{v}
		case dimCountry:
			f.Country = []string{v}
		case dimStatus:
			f.Status = []string{v}
		}
	}
	check := func(what string, cli store.Filter, inbox filters) {
		t.Helper()
		for _, test := range []bool{false, true} {
			cli.IncludeTest = test
			got, want := cliIDs(t, s, cli, view.ByRecent), inboxIDs(x, inbox, test)
			if !sameSet(got, want) {
				t.Errorf("%s (test leads %v): leads list finds %v, the inbox %v", what, test, got, want)
			}
		}
	}
	checked := 0
	for dim := dimSource; dim < dimStatus; dim++ {
		for _, c := range x.dict.Codes(view.Dim(dim).Kind()) {
			name := x.dict.Name(c)
			var f filters
			f.code[dim] = []store.Code{c}
			for _, v := range []string{name, strings.ToUpper(name), strings.ToLower(name)} {
				var cli store.Filter
				set(&cli, dim, v)
				check(view.Dim(dim).String()+" "+v, cli, f)
				checked++
			}
		}
	}
	for st := range view.Statuses {
		var f filters
		f.code[dimStatus] = []store.Code{store.Code(st) + 1}
		check("status "+string(view.Statuses[st]), store.Filter{Status: []string{strings.ToUpper(string(view.Statuses[st]))}}, f)
	}
	if checked < 30 {
		t.Fatalf("only %d values checked", checked)
	}
	// An offer by its display name selects what the panel's choice of the
	// offer does; a renamed offer goes by its newest name only.
	pro, _ := x.dict.Code(view.KindOffer, "contoso.inventory-pro")
	var byName filters
	byName.code[dimOffer] = []store.Code{pro}
	check("offer by name", store.Filter{Offer: []string{"contoso inventory PRO"}}, byName)
	if got := cliIDs(t, s, store.Filter{Offer: []string{"Inventory Pro (old name)"}}, view.ByRecent); len(got) != 0 {
		t.Errorf("an offer's former name still selects %v", got)
	}
	// Combined dimensions, the search included.
	code := func(kind, name string) store.Code {
		c, ok := x.dict.Code(kind, name)
		if !ok {
			t.Fatalf("no %s %q", kind, name)
		}
		return c
	}
	combos := []struct {
		cli   store.Filter
		inbox filters
	}{
		{store.Filter{Source: []string{"appsource"}, Action: []string{"plt"}}, filters{code: [numDims][]store.Code{dimSource: {code(view.KindSource, "AppSource")}, dimAction: {code(view.KindAction, "PLT")}}}},
		{store.Filter{Offer: []string{"contoso.inventory-pro"}, Country: []string{"de"}, Status: []string{"new"}}, filters{code: [numDims][]store.Code{dimOffer: {pro}, dimCountry: {code(view.KindCountry, "DE")}, dimStatus: {1}}}},
		{store.Filter{Country: []string{"ΕΛΛΆΔΑ"}, Query: "frank"}, filters{code: [numDims][]store.Code{dimCountry: {code(view.KindCountry, "Ελλάδα")}}, query: "frank"}},
		{store.Filter{Source: []string{"APPSOURCE"}, Status: []string{"won"}}, filters{code: [numDims][]store.Code{dimSource: {code(view.KindSource, "APPSOURCE")}, dimStatus: {store.Code(view.StatusIndex(view.StatusWon)) + 1}}}},
		// The new rules: within one lead, several values, names as shown.
		{store.Filter{Source: []string{"AzureMarketplace"}, Action: []string{"Contact me"}}, filters{code: [numDims][]store.Code{dimSource: {code(view.KindSource, "AzureMarketplace")}, dimAction: {code(view.KindAction, "PLT")}}}},
		{store.Filter{Source: []string{"Azure Marketplace"}, Action: []string{"Test Drive"}}, filters{code: [numDims][]store.Code{dimSource: {code(view.KindSource, "AzureMarketplace")}, dimAction: {code(view.KindAction, "StartTestDrive")}}}},
		{store.Filter{Source: []string{"AppSource", "TestDrive"}, Action: []string{"PLT", "INS"}, Offer: []string{"contoso.inventory-pro"}},
			filters{code: [numDims][]store.Code{dimSource: {code(view.KindSource, "AppSource"), code(view.KindSource, "TestDrive")}, dimAction: {code(view.KindAction, "PLT"), code(view.KindAction, "INS")}, dimOffer: {pro}}}},
		{store.Filter{Country: []string{"USA", "Germany"}, Status: []string{"new", "won"}}, filters{code: [numDims][]store.Code{dimCountry: {code(view.KindCountry, "US"), code(view.KindCountry, "DE")}, dimStatus: {1, store.Code(view.StatusIndex(view.StatusWon)) + 1}}}},
		{store.Filter{Query: "jurgen"}, filters{query: "jurgen"}},
		{store.Filter{Query: "Jürgen", Action: []string{"Contact me"}}, filters{query: search.Query("Jürgen"), code: [numDims][]store.Code{dimAction: {code(view.KindAction, "PLT")}}}},
	}
	for _, c := range combos {
		check("combined", c.cli, c.inbox)
	}
	// One choice per set of contacts: AppSource and APPSOURCE are one.
	var labels []string
	for c := range x.choiceCounts(&filters{}, viewAll, dimSource) {
		labels = append(labels, strings.ToLower(x.label(c)))
	}
	slices.Sort(labels)
	if len(labels) != len(slices.Compact(slices.Clone(labels))) {
		t.Errorf("source choices %v list one value twice", labels)
	}
}

// TestCLIUrgencyEqualsInboxOrder: 'leads list --sort urgency' lists the
// contacts in the inbox's order.
func TestCLIUrgencyEqualsInboxOrder(t *testing.T) {
	s := filterStore(t)
	x := newModel(t, s, Options{}).x
	for _, test := range []bool{false, true} {
		var want []string
		for _, i := range x.order {
			if test || !x.mask[i].Has(view.LaneTest) {
				want = append(want, x.dg[i].IDString())
			}
		}
		got := cliIDs(t, s, store.Filter{IncludeTest: test}, view.ByUrgency)
		if !slices.Equal(got, want) {
			t.Errorf("test leads %v: leads list --sort urgency\n%v\nthe inbox\n%v", test, got, want)
		}
	}
	// The order is not the recent one, or this test would prove nothing.
	if slices.Equal(cliIDs(t, s, store.Filter{}, view.ByUrgency), cliIDs(t, s, store.Filter{}, view.ByRecent)) {
		t.Error("urgency and recent orders agree on this data")
	}
}

// TestUrgentWorkDoesNotSink: a contact whose cadence is done (decide)
// comes before leads long past their clock, the clock group is in order
// of time left (an install with 19h left before a Contact me with 22h
// left), and a follow-up date set during the first-reply clock keeps the
// contact on the clock, in the inbox and in 'leads list --sort urgency'
// alike.
func TestUrgentWorkDoesNotSink(t *testing.T) {
	s := openStore(t, []store.Lead{
		lead("Alice", "alice@a.example", store.ActionContactMe, 2),
		lead("Bob", "bob@b.example", store.ActionInstall, 5),
		lead("Erin", "erin@e.example", store.ActionInstall, 100),
		lead("Dora", "dora@d.example", store.ActionInstall, 500),
		lead("Fay", "fay@f.example", store.ActionInstall, 1),
	})
	at := testNow.Add(-time.Hour)
	for range 4 {
		if _, err := s.LogTouch(store.ContactIDForEmail("dora@d.example"), at, store.DefaultCadence, ""); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.SetFollowUp(store.ContactIDForEmail("dora@d.example"), time.Time{}, at); err != nil {
		t.Fatal(err)
	}
	// Fay has 23h left; a follow-up in three days must not hide that.
	if _, err := s.SetFollowUp(store.ContactIDForEmail("fay@f.example"), testNow.Add(72*time.Hour), at); err != nil {
		t.Fatal(err)
	}
	m := newModel(t, s, Options{})
	want := []string{"Bob", "Alice", "Fay", "Dora", "Erin"}
	if got := rowNames(m); !slices.Equal(got, want) {
		t.Fatalf("needs action = %v, want %v", got, want)
	}
	var ids []string
	for _, n := range want {
		ids = append(ids, store.ContactIDForEmail(strings.ToLower(n)+"@"+strings.ToLower(n[:1])+".example"))
	}
	if got := cliIDs(t, s, store.Filter{}, view.ByUrgency); !slices.Equal(got, ids) {
		t.Errorf("leads list --sort urgency = %v, want %v", got, ids)
	}
	scr := screenText(m)
	for _, s := range []string{"19h left", "22h left", "23h left", "decide", "3d late",
		"── Reply within 24h · 3", "── Cadence done: decide · 1", "── Late · 1"} {
		if !strings.Contains(scr, s) {
			t.Errorf("%q not on screen:\n%s", s, scr)
		}
	}
	if strings.Index(scr, "Cadence done") > strings.Index(scr, "── Late ·") {
		t.Errorf("the decide group is below the late one:\n%s", scr)
	}
	press(t, m, "2")
	if got := rowNames(m); !slices.Equal(got, []string{"Fay"}) {
		t.Errorf("scheduled = %v, want Fay (on the clock and scheduled)", got)
	}
}
