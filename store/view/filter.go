package view

import (
	"fmt"
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
// --source appsource --action "Contact me"'). Each dimension may hold
// several values, any of which may match (OR within a dimension); the
// dimensions combine with AND. Source, action and offer are a lead's: a
// contact matches when one of its leads matches all three at once.
// Country and status are the contact's.
type Filter struct {
	Source  []string
	Action  []string
	Offer   []string // offer IDs or display names
	Status  []string
	Country []string
	// Query is free text matched against name, email, company, title and
	// descriptions; every word of it must occur (package search).
	Query string
	// IncludeTest shows Microsoft's test leads, which are hidden by default.
	IncludeTest bool
	// Replied keeps the contacts whose person answered and waits for the
	// rep: the inbox's Replied view (LaneReplied), decided by RankOf.
	Replied bool
	// Bouncing keeps the contacts whose address a delivery failure came
	// back for (MailBouncing).
	Bouncing bool
	// Owner keeps the contacts this rep owns (a cleaned rep name); the
	// State a Selection matches must be read as Owner sees it, so that
	// OwnedMine means owned by Owner (store.Store.StatesFor).
	Owner string
	// Unassigned keeps the open contacts nobody owns: the inbox's
	// Unassigned view (LaneUnassigned).
	Unassigned bool
}

// Values returns the filter's values for dimension d.
func (f *Filter) Values(d Dim) []string {
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
	return nil
}

// Lead reports whether d is a dimension of a single lead (source, action,
// offer), which must match within one lead, rather than of the contact.
func (d Dim) Lead() bool { return d <= DimOffer }

// OfferNames maps offer codes to their display names, as the leads give
// them (not sanitised: a filter compares what was received).
type OfferNames map[Code]string

// Selects reports whether the filter value v selects a code of dimension
// d named name; offerName is the display name of an offer code. Names
// compare without regard to case, since a rep types "appsource" for
// AppSource; a source or an action is also selected by the label the
// inbox shows ("Contact me" for PLT), a country by any of its codes or
// English names (US, USA, United States), and an offer by its ID or by
// its display name, since the rep knows offers by name while leads carry
// both.
func Selects(d Dim, v, name, offerName string) bool {
	if strings.TrimSpace(v) == "" {
		return false
	}
	key := nameKey(d, v)
	if nameKey(d, name) == key {
		return true
	}
	return d == DimOffer && offerName != "" && Fold(offerName) == key
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
	byName  map[string][]Code // kind + nameKey(name) -> codes, in code order
	byOffer map[string][]Code // Fold(display name) -> offer codes
}

// NewSelector indexes the dictionary table n and the offers' display names.
func NewSelector(n Names, offers OfferNames) *Selector {
	s := &Selector{byName: map[string][]Code{}, byOffer: map[string][]Code{}}
	for c := 1; c < len(n); c++ {
		code := Code(c)
		kind := n.Kind(code)
		dim, ok := DimOfKind(kind)
		if !ok {
			continue
		}
		k := Entry(kind, nameKey(dim, n.Name(code)))
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
	if kind == "" || strings.TrimSpace(v) == "" {
		return nil
	}
	key := nameKey(d, v)
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
// a Selector which codes a value selects, and Digest.AnyLead which
// contacts have one lead matching every lead-level filter, so both select
// alike.
type Selection struct {
	codes       [DimStatus][]Code // nil: the dimension is not filtered
	statuses    uint32            // bit i: Statuses[i] is chosen; 0 for any
	words       []string
	includeTest bool
	replied     bool
	bouncing    bool
	owned       bool // Filter.Owner: keep OwnedMine
	unassigned  bool
}

// Resolve turns f into a Selection over the dictionary table n; offers
// gives the display names of offer codes. A status that is not one, or a
// source or action that no lead carries and Microsoft does not send, is
// an error that names the values accepted.
func (f Filter) Resolve(n Names, offers OfferNames) (*Selection, error) {
	s := &Selection{words: search.Words(f.Query), includeTest: f.IncludeTest, replied: f.Replied, bouncing: f.Bouncing,
		owned: f.Owner != "", unassigned: f.Unassigned}
	var sel *Selector
	for dim := DimSource; dim < DimStatus; dim++ {
		for _, v := range f.Values(dim) {
			if strings.TrimSpace(v) == "" {
				continue
			}
			if sel == nil {
				sel = NewSelector(n, offers)
			}
			codes := sel.Select(dim, v)
			if len(codes) == 0 && !Known(dim, v) {
				return nil, &ValueError{Dim: dim, Value: v}
			}
			// Never nil once a value is given: a value no code has
			// selects nothing.
			s.codes[dim] = append(append([]Code{}, s.codes[dim]...), codes...)
		}
		slices.Sort(s.codes[dim])
		s.codes[dim] = slices.Compact(s.codes[dim])
	}
	for _, v := range f.Status {
		if strings.TrimSpace(v) == "" {
			continue
		}
		st, err := ParseStatus(v)
		if err != nil {
			return nil, &ValueError{Dim: DimStatus, Value: v}
		}
		s.statuses |= 1 << StatusIndex(st)
	}
	return s, nil
}

// ValueError is a filter value that names nothing: a status that is not
// one, or a source or action that Microsoft does not send and no lead
// carries. Its message names the values accepted, so that a typo is not
// taken for "no contacts match".
type ValueError struct {
	Dim   Dim
	Value string
}

func (e *ValueError) Error() string {
	accepted := acceptedNames[e.Dim]
	if e.Dim == DimStatus {
		accepted = "new, contacted, engaged, qualified, won or lost"
	}
	return fmt.Sprintf("unknown %s %q: use %s", e.Dim, e.Value, accepted)
}

// NeedsState reports whether Match reads the contact's State; when it does
// not, a caller may pass the zero State and skip reading triage.
func (s *Selection) NeedsState() bool {
	return s.statuses != 0 || s.replied || s.bouncing || s.owned || s.unassigned
}

// NeedsText reports whether Match reads the digest's search text (a free-
// text query), so a caller that has no query can leave it out.
func (s *Selection) NeedsText() bool { return len(s.words) > 0 }

// Match reports whether a contact, with its digest (Search included) and
// state, passes the selection.
func (s *Selection) Match(d *Digest, st State) bool {
	if d.Test() && !s.includeTest {
		return false
	}
	if w := s.codes[DimCountry]; w != nil && !containsAny(d.Codes, w) {
		return false
	}
	if lead := (*[3][]Code)(s.codes[:DimCountry]); lead[0] != nil || lead[1] != nil || lead[2] != nil {
		if !d.AnyLead(lead) {
			return false
		}
	}
	if s.statuses != 0 && s.statuses&(1<<st.Status) == 0 {
		return false
	}
	// Which contacts wait for an answer is RankOf's to say, as it says
	// which the inbox's Replied view holds; it does not depend on the
	// time, so any moment will do.
	if s.replied && (st.Replied == 0 || !RankOf(d, st, 0).Lanes.Has(LaneReplied)) {
		return false
	}
	if s.bouncing && st.Mail&MailBouncing == 0 {
		return false
	}
	if s.owned && st.Owned != OwnedMine {
		return false
	}
	if s.unassigned && !RankOf(d, st, 0).Lanes.Has(LaneUnassigned) {
		return false
	}
	return search.Match(d.Search, s.words)
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
