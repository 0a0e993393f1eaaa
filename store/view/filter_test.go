package view

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

var zeroTime time.Time

// names is a small dictionary table, indexed by code.
var names = Names{"",
	Entry(KindSource, "AppSource"),        // 1
	Entry(KindSource, "APPSOURCE"),        // 2
	Entry(KindSource, "AzureMarketplace"), // 3
	Entry(KindAction, "PLT"),              // 4
	Entry(KindAction, "INS"),              // 5
	Entry(KindOffer, "contoso.inventory"), // 6
	Entry(KindOffer, "contoso.fieldsvc"),  // 7
	Entry(KindCountry, "DE"),              // 8
	Entry(KindCountry, "de"),              // 9
	Entry(KindOfferName, "Contoso Inventory"),
	"",                            // a free code
	Entry(KindCountry, "Ελλάδα"),  // 12
	Entry(KindOffer, "Inventory"), // 13: an offer whose ID is another's name
}

var offers = OfferNames{6: "Contoso Inventory", 7: "Field Service", 13: "Something else"}

func TestSelect(t *testing.T) {
	cases := []struct {
		dim  Dim
		v    string
		want []Code
	}{
		{DimSource, "appsource", []Code{1, 2}},
		{DimSource, "AppSource", []Code{1, 2}},
		{DimSource, "azuremarketplace", []Code{3}},
		{DimSource, "App", nil}, // whole names only
		{DimSource, "PLT", nil}, // another dimension's name
		{DimSource, "", nil},    // no value selects nothing
		{DimAction, "plt", []Code{4}},
		{DimOffer, "CONTOSO.INVENTORY", []Code{6}},
		{DimOffer, "contoso inventory", []Code{6}}, // by display name
		{DimOffer, "field service", []Code{7}},     // by display name
		{DimOffer, "inventory", []Code{13}},        // by ID
		{DimOffer, "Contoso Inventory", []Code{6}}, // the offer-name kind is never selected
		{DimCountry, "DE", []Code{8, 9}},
		{DimCountry, "ΕΛΛΆΔΑ", []Code{12}},
		{DimCountry, "Contoso Inventory", nil}, // only offers go by display name
		{DimStatus, "new", nil},                // no codes
	}
	sel := NewSelector(names, offers)
	for _, c := range cases {
		if got := sel.Select(c.dim, c.v); !slices.Equal(got, c.want) {
			t.Errorf("%s %q selects %v, want %v", c.dim, c.v, got, c.want)
		}
		// Select over the table reads every code; it must agree with the
		// Selector's index and with Selects, code by code.
		if got := names.Select(c.dim, c.v, offers); !slices.Equal(got, c.want) {
			t.Errorf("Names.Select: %s %q selects %v, want %v", c.dim, c.v, got, c.want)
		}
		for code := Code(1); code < Code(len(names)); code++ {
			want := slices.Contains(c.want, code)
			if names.Kind(code) == c.dim.Kind() && c.dim.Kind() != "" && Selects(c.dim, c.v, names.Name(code), offers[code]) != want {
				t.Errorf("Selects(%s, %q, code %d) = %v", c.dim, c.v, code, !want)
			}
		}
	}
}

// TestFoldIsEqualFold: Fold keys are equal exactly when strings.EqualFold
// says the strings are, for the letters whose folding is not one-to-one
// and for bytes that are not UTF-8.
func TestFoldIsEqualFold(t *testing.T) {
	alphabet := []string{"k", "K", "\u212a", "s", "S", "\u017f", "σ", "ς", "Σ", "ß", "ẞ", "SS", "é", "É", "e\u0301",
		"i", "I", "İ", "ı", "\xff", "\xfe", "\uFFFD", "a", "Ǆ", "ǅ", "ǆ", "1", " "}
	rng := rand.New(rand.NewPCG(3, 4))
	word := func() string {
		var b strings.Builder
		for n := rng.IntN(4); n >= 0; n-- {
			b.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		return b.String()
	}
	for range 20_000 {
		a, b := word(), word()
		if (Fold(a) == Fold(b)) != strings.EqualFold(a, b) {
			t.Fatalf("%q and %q: Fold equal %v, EqualFold %v", a, b, Fold(a) == Fold(b), strings.EqualFold(a, b))
		}
	}
}

func TestSelectionMatch(t *testing.T) {
	alice := Digest{Flags: FlagEmail, Codes: []Code{2, 4, 6, 8}, Search: "alice\x00contoso"}
	bob := Digest{Flags: FlagEmail | FlagDNC, Codes: []Code{3, 5, 7, 12}, Search: "bob"}
	test := Digest{Flags: FlagEmail | FlagTest, Codes: []Code{1, 4, 6}, Search: "msft_test"}
	contacted := State{Touches: 1, Status: StatusIndex(StatusContacted)}
	cases := []struct {
		f    Filter
		want string // the contacts matched: a alice, b bob, t test
	}{
		{Filter{}, "ab"},
		{Filter{IncludeTest: true}, "abt"},
		{Filter{Source: []string{"appsource"}}, "a"},
		{Filter{Source: []string{"appsource"}, IncludeTest: true}, "at"},
		{Filter{Action: []string{"INS"}}, "b"},
		{Filter{Offer: []string{"Contoso Inventory"}}, "a"},
		{Filter{Offer: []string{"contoso.fieldsvc"}}, "b"},
		{Filter{Country: []string{"de"}}, "a"},
		{Filter{Country: []string{"ελλάδα"}}, "b"},
		{Filter{Country: []string{"nowhere"}}, ""},
		{Filter{Status: []string{"Contacted"}}, "a"},
		{Filter{Status: []string{"new"}}, "b"},
		{Filter{Source: []string{"AppSource"}, Action: []string{"INS"}}, ""}, // every field must match
		{Filter{Query: "ALICE"}, "a"},
		{Filter{Query: "alice bob"}, ""},
		{Filter{Query: "test", IncludeTest: true}, "t"},
	}
	for _, c := range cases {
		sel, err := c.f.Resolve(names, offers)
		if err != nil {
			t.Fatal(err)
		}
		got := ""
		if sel.Match(&alice, contacted) {
			got += "a"
		}
		if sel.Match(&bob, State{}) {
			got += "b"
		}
		if sel.Match(&test, State{}) {
			got += "t"
		}
		if got != c.want {
			t.Errorf("%+v matches %q, want %q", c.f, got, c.want)
		}
		if sel.NeedsState() != (len(c.f.Status) > 0) {
			t.Errorf("%+v: NeedsState %v", c.f, sel.NeedsState())
		}
	}
	if _, err := (Filter{Status: []string{"dnc"}}).Resolve(names, offers); err == nil {
		t.Error("an unknown status was accepted")
	}
}

// TestOfferNamer: the most recent contact whose newest lead is for an
// offer names it; a tie goes to the older contact.
func TestOfferNamer(t *testing.T) {
	var o OfferNamer
	for _, d := range []Digest{
		{Seq: 1, LatestOffer: 6, Last: 100},
		{Seq: 2, LatestOffer: 6, Last: 300},
		{Seq: 3, LatestOffer: 6, Last: 200},
		{Seq: 4, LatestOffer: 7, Last: 50},
		{Seq: 5, LatestOffer: 7, Last: 50},
		{Seq: 6, Last: 900}, // no offer
	} {
		o.Add(&d)
	}
	codes, seqs := o.Picks()
	if !slices.Equal(codes, []Code{6, 7}) || !slices.Equal(seqs, []uint64{2, 4}) {
		t.Errorf("picks %v %v", codes, seqs)
	}
}

func TestDict(t *testing.T) {
	d := NewDict(names)
	if c, ok := d.Code(KindCountry, "de"); !ok || c != 9 {
		t.Errorf("Code(country, de) = %d %v", c, ok)
	}
	if d.Name(12) != "Ελλάδα" || d.Kind(12) != KindCountry || d.Name(11) != "" || d.Kind(99) != "" || d.Name(0) != "" {
		t.Error("names of codes")
	}
	if got := d.Codes(KindSource); !slices.Equal(got, []Code{1, 2, 3}) {
		t.Errorf("source codes %v", got)
	}
	for dim := DimSource; dim < DimStatus; dim++ {
		if got, ok := DimOfKind(dim.Kind()); !ok || got != dim {
			t.Errorf("DimOfKind(%q) = %v %v", dim.Kind(), got, ok)
		}
	}
	if _, ok := DimOfKind(KindOfferName); ok {
		t.Error("offer names are a filter dimension")
	}
}

// TestLeadFiltersMatchWithinOneLead: source, action and offer must hold
// on one lead; several values of one dimension are alternatives; the
// country is the contact's, whichever lead carried it.
func TestLeadFiltersMatchWithinOneLead(t *testing.T) {
	// Mia installed from Azure Marketplace and pressed Contact me on
	// AppSource; Bo pressed Contact me on Azure Marketplace.
	mia := Digest{Flags: FlagEmail, Codes: []Code{8, 0, 3, 5, 6, 1, 4, 7}}
	bo := Digest{Flags: FlagEmail, Codes: []Code{12, 0, 3, 4, 6}}
	cases := []struct {
		f    Filter
		want string // m Mia, b Bo
	}{
		{Filter{Source: []string{"Azure Marketplace"}}, "mb"},
		{Filter{Action: []string{"Contact me"}}, "mb"},
		{Filter{Source: []string{"Azure Marketplace"}, Action: []string{"Contact me"}}, "b"},
		{Filter{Source: []string{"AppSource"}, Action: []string{"INS"}}, ""},
		{Filter{Source: []string{"AppSource"}, Offer: []string{"contoso.fieldsvc"}}, "m"},
		{Filter{Source: []string{"AppSource", "AzureMarketplace"}, Action: []string{"PLT"}}, "mb"},
		{Filter{Action: []string{"Install", "Contact me"}, Offer: []string{"contoso.inventory"}}, "mb"},
		{Filter{Action: []string{"Install"}, Offer: []string{"contoso.inventory"}, Country: []string{"DE"}}, "m"},
		{Filter{Action: []string{"PLT"}, Country: []string{"de", "Ελλάδα"}}, "mb"},
		{Filter{Status: []string{"new", "won"}}, "mb"},
		{Filter{Status: []string{"won", "lost"}}, ""},
	}
	for _, c := range cases {
		sel, err := c.f.Resolve(names, offers)
		if err != nil {
			t.Fatalf("%+v: %v", c.f, err)
		}
		got := ""
		if sel.Match(&mia, State{}) {
			got += "m"
		}
		if sel.Match(&bo, State{}) {
			got += "b"
		}
		if got != c.want {
			t.Errorf("%+v matches %q, want %q", c.f, got, c.want)
		}
	}
}

// TestNamesAsTheInboxShowsThem: a source or an action goes by Microsoft's
// code or by the label the inbox shows, in any case; a country by its
// ISO codes or English name; an unknown source or action is an error
// that names what to type.
func TestNamesAsTheInboxShowsThem(t *testing.T) {
	sel := NewSelector(Names{"",
		Entry(KindAction, "PLT"), Entry(KindAction, "StartTestDrive"), Entry(KindSource, "AzureMarketplace"),
		Entry(KindCountry, "US"), Entry(KindCountry, "USA"), Entry(KindCountry, "United States"), Entry(KindCountry, "DE"),
		Entry(KindCountry, "Narnia"),
	}, nil)
	cases := []struct {
		dim  Dim
		v    string
		want []Code
	}{
		{DimAction, "Contact me", []Code{1}},
		{DimAction, "CONTACT  ME", []Code{1}},
		{DimAction, "plt", []Code{1}},
		{DimAction, "test drive", []Code{2}},
		{DimSource, "Azure Marketplace", []Code{3}},
		{DimSource, "azure mkt", []Code{3}},
		{DimCountry, "us", []Code{4, 5, 6}},
		{DimCountry, "USA", []Code{4, 5, 6}},
		{DimCountry, "united states of america", []Code{4, 5, 6}},
		{DimCountry, "Germany", []Code{7}},
		{DimCountry, "deu", []Code{7}},
		{DimCountry, "NARNIA", []Code{8}},
	}
	for _, c := range cases {
		if got := sel.Select(c.dim, c.v); !slices.Equal(got, c.want) {
			t.Errorf("%s %q selects %v, want %v", c.dim, c.v, got, c.want)
		}
	}
	for _, f := range []Filter{{Action: []string{"Contact"}}, {Source: []string{"Marketplace"}}} {
		_, err := f.Resolve(names, offers)
		if err == nil || !strings.Contains(err.Error(), "Contact me (PLT)") && !strings.Contains(err.Error(), "Azure Marketplace") {
			t.Errorf("%+v: %v", f, err)
		}
	}
	// Known but carried by no lead: no error, and nothing matches.
	if sel, err := (Filter{Action: []string{"Create"}}).Resolve(names, offers); err != nil || sel.Match(&Digest{Codes: []Code{0, 3, 4, 6}}, State{}) {
		t.Errorf("a known action no lead carries: %v", err)
	}
}
