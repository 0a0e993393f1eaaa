package view

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/leads-inbox/leads/store/search"
)

// Dim is one dimension a rep narrows contacts by.
type Dim uint8

// Filter dimensions, in the order the inbox's filter panel shows them.
const (
	DimSource Dim = iota
	DimAction
	DimOffer
	DimCountry
	DimStatus // the rep's status: not a dictionary code
	NumDims
)

var dimNames = [NumDims]string{"source", "action", "offer", "country", "status"}

var dimKinds = [NumDims]string{KindSource, KindAction, KindOffer, KindCountry, ""}

// String names the dimension as the filter panel and the flags do.
func (d Dim) String() string {
	if d < NumDims {
		return dimNames[d]
	}
	return ""
}

// Kind returns the dictionary kind of the dimension's codes; "" for the
// status, which is no code.
func (d Dim) Kind() string {
	if d < NumDims {
		return dimKinds[d]
	}
	return ""
}

// DimOfKind returns the dimension whose codes are of kind, if any.
func DimOfKind(kind string) (Dim, bool) {
	for d := DimSource; d < DimStatus; d++ {
		if dimKinds[d] == kind {
			return d, true
		}
	}
	return 0, false
}

// Filter selects contacts, with values as a rep types them ('leads list
// --source appsource'). Each set field must match at least one of the
// contact's leads; set fields combine with AND.
type Filter struct {
	Source  string
	Action  string
	Offer   string // offer ID or display name
	Status  string
	Country string
	// Query is free text matched against name, email, company, title and
	// descriptions; every word of it must occur (package search).
	Query string
	// IncludeTest shows Microsoft's test leads, which are hidden by default.
	IncludeTest bool
}

// Value returns the filter's value for dimension d.
func (f *Filter) Value(d Dim) string {
	switch d {
	case DimSource:
		return f.Source
	case DimAction:
		return f.Action
	case DimOffer:
		return f.Offer
	case DimCountry:
		return f.Country
	case DimStatus:
		return f.Status
	}
	return ""
}

// OfferNames maps offer codes to their display names, as the leads give
// them (not sanitised: a filter compares what was received).
type OfferNames map[Code]string

// Selects reports whether the filter value v selects a code of dimension
// d named name; offerName is the display name of an offer code. Names
// compare without regard to case, since a rep types "appsource" for
// AppSource, and an offer is selected by its ID or by its display name,
// since the rep knows offers by name while leads carry both.
func Selects(d Dim, v, name, offerName string) bool {
	if v == "" {
		return false
	}
	if strings.EqualFold(name, v) {
		return true
	}
	return d == DimOffer && offerName != "" && strings.EqualFold(offerName, v)
}

// Select returns the codes of dimension d that the value v selects, in
// code order (see Selects). offers gives display names of offer codes.
func (n Names) Select(d Dim, v string, offers OfferNames) []Code {
	return NewSelector(n, offers).Select(d, v)
}

// Selector returns a Selector over the dictionary's table.
func (x *Dict) Selector(offers OfferNames) *Selector { return NewSelector(x.names, offers) }

// Select is Names.Select over the dictionary's table.
func (x *Dict) Select(d Dim, v string, offers OfferNames) []Code { return x.names.Select(d, v, offers) }

// Selector answers Select for many values without reading every code each
// time: the inbox asks it once per value its filter panel lists, over a
// dictionary that may hold tens of thousands of countries typed by
// strangers.
type Selector struct {
	byName  map[string][]Code // kind + Fold(name) -> codes, in code order
	byOffer map[string][]Code // Fold(display name) -> offer codes
}

// NewSelector indexes the dictionary table n and the offers' display names.
func NewSelector(n Names, offers OfferNames) *Selector {
	s := &Selector{byName: map[string][]Code{}, byOffer: map[string][]Code{}}
	for c := 1; c < len(n); c++ {
		code := Code(c)
		kind := n.Kind(code)
		if _, ok := DimOfKind(kind); !ok {
			continue
		}
		k := Entry(kind, Fold(n.Name(code)))
		s.byName[k] = append(s.byName[k], code)
		if kind == KindOffer && offers[code] != "" {
			k := Fold(offers[code])
			s.byOffer[k] = append(s.byOffer[k], code)
		}
	}
	return s
}

// Select returns the codes of dimension d that the value v selects, in
// code order: what Selects says, found by key.
func (s *Selector) Select(d Dim, v string) []Code {
	kind := d.Kind()
	if kind == "" || v == "" {
		return nil
	}
	key := Fold(v)
	out := s.byName[Entry(kind, key)]
	if d == DimOffer {
		if more := s.byOffer[key]; len(more) > 0 {
			out = append(slices.Clone(out), more...)
			slices.Sort(out)
			out = slices.Compact(out)
		}
	}
	return slices.Clip(out)
}

// Fold returns a key under which two strings are equal exactly when
// strings.EqualFold says they are: each rune becomes the smallest rune
// of its simple case-folding orbit (so "k", "K" and the Kelvin sign all
// become "K"), and a byte that is not UTF-8 becomes U+FFFD, as EqualFold
// reads it.
func Fold(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		// The smallest rune of an ASCII letter's orbit is its upper
		// case: the orbits of k and s also hold the Kelvin sign and the
		// long s, which are larger.
		return strings.ToUpper(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		m := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			m = min(m, f)
		}
		b.WriteRune(m)
	}
	return b.String()
}

// Selection is a Filter resolved against a dictionary, ready to match
// digests: what 'leads list' and 'leads export' match each contact with.
// The inbox keeps bitsets of the same codes instead, for speed, but asks
// a Selector which codes a value selects, so both select alike.
type Selection struct {
	codes       [DimStatus][]Code // nil: the dimension is not filtered
	status      int               // index into Statuses, -1 for any
	words       []string
	includeTest bool
}

// Resolve turns f into a Selection over the dictionary table n; offers
// gives the display names of offer codes. A status that is not one is an
// error.
func (f Filter) Resolve(n Names, offers OfferNames) (*Selection, error) {
	s := &Selection{status: -1, words: search.Words(f.Query), includeTest: f.IncludeTest}
	var sel *Selector
	for dim := DimSource; dim < DimStatus; dim++ {
		if v := f.Value(dim); v != "" {
			if sel == nil {
				sel = NewSelector(n, offers)
			}
			// Never nil: a value no code has selects nothing.
			s.codes[dim] = append([]Code{}, sel.Select(dim, v)...)
		}
	}
	if f.Status != "" {
		st, err := ParseStatus(f.Status)
		if err != nil {
			return nil, err
		}
		s.status = int(StatusIndex(st))
	}
	return s, nil
}

// NeedsState reports whether Match reads the contact's State; when it does
// not, a caller may pass the zero State and skip reading triage.
func (s *Selection) NeedsState() bool { return s.status >= 0 }

// Match reports whether a contact, with its digest (Search included) and
// state, passes the selection.
func (s *Selection) Match(d *Digest, st State) bool {
	if d.Test() && !s.includeTest {
		return false
	}
	for _, want := range s.codes {
		if want != nil && !hasAny(d.Codes, want) {
			return false
		}
	}
	if s.status >= 0 && int(st.Status) != s.status {
		return false
	}
	return search.Match(d.Search, s.words)
}

func hasAny(have, want []Code) bool {
	for _, c := range have {
		if slices.Contains(want, c) {
			return true
		}
	}
	return false
}

// OfferNamer decides which contact names each offer: the most recent
// contact whose newest lead is for the offer (on a tie, the older
// contact), so that a renamed offer goes by its current name. Digests hold
// no display names, so the caller reads the picked contacts' latest offer
// names. The zero OfferNamer is ready to use.
type OfferNamer struct {
	best map[Code]offerPick
}

type offerPick struct {
	last int64
	seq  uint64
}

// Add considers one contact.
func (o *OfferNamer) Add(d *Digest) {
	if d.LatestOffer == 0 {
		return
	}
	if o.best == nil {
		o.best = map[Code]offerPick{}
	}
	p, ok := o.best[d.LatestOffer]
	if !ok || d.Last > p.last || d.Last == p.last && d.Seq < p.seq {
		o.best[d.LatestOffer] = offerPick{d.Last, d.Seq}
	}
}

// Picks returns each offer code with the sequence number of the contact
// that names it, in code order.
func (o *OfferNamer) Picks() (codes []Code, seqs []uint64) {
	for c := range o.best {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	for _, c := range codes {
		seqs = append(seqs, o.best[c].seq)
	}
	return codes, seqs
}
