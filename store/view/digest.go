package view

import (
	"encoding/hex"
	"slices"
	"strings"
)

// Dictionary kinds: a Code in a Digest stands for a kind and a name.
const (
	KindSource  = "s"
	KindAction  = "a"
	KindOffer   = "o"
	KindCountry = "c"
	// KindOfferName is the kind of offer display names, which contact
	// records code to save room. No digest field holds one, so no filter
	// lists them.
	KindOfferName = "n"
)

// Digest flags.
const (
	FlagTest  uint8 = 1 << iota // every lead is a Microsoft test lead
	FlagDNC                     // a lead asked not to be contacted
	FlagNoPII                   // no lead carries personal data
	FlagEmail                   // the contact has an address
)

// Code is a dictionary code: it stands for one kind and name (a source, an
// action, an offer, a country) in digests. 0 means "none". Codes are never
// reused, so a code read from an old record can only mean what it meant
// when it was written, or nothing.
type Code = uint32

// Digest is the compact view of one contact that the inbox keeps in memory
// for every contact: no display strings, only codes, times and flags, plus
// the search text. The full contact is read only for rows on screen.
type Digest struct {
	ID    [8]byte
	Seq   uint64 // the contact's key in the store
	First int64  // Unix seconds of the earliest lead
	Last  int64  // Unix seconds of the newest lead
	// Hot is the Unix time of the newest Contact me or Test Drive lead, the
	// leads that start the 24-hour first-reply clock; zero if none.
	Hot          int64
	Leads        uint32
	Flags        uint8
	LatestSource Code
	LatestAction Code
	LatestOffer  Code
	Country      Code
	// Codes holds the contact's distinct country codes, then a 0, then
	// each distinct (source, action, offer) of its leads as three codes
	// (0 where a lead has none), so that a filter on source, action and
	// offer can ask whether one lead has all three (AnyLead). Keeping the
	// lead combinations in the one slice, rather than a slice of their
	// own, saves the inbox 24 bytes for each of 760,000 contacts. A
	// record from before schema 5 reads as every code, no 0 and no
	// combinations (see AnyLead).
	Codes []Code
	// Search is the contact's search text (package search). The inbox
	// keeps all of them in one block instead and leaves this empty.
	Search string
}

// IDString returns the contact ID as shown to users.
func (d *Digest) IDString() string { return hex.EncodeToString(d.ID[:]) }

// Has reports whether any of the contact's leads carries code (not 0).
func (d *Digest) Has(code Code) bool {
	for _, c := range d.Codes {
		if c == code {
			return code != 0
		}
	}
	return false
}

// LeadCombos returns the (source, action, offer) codes of the contact's
// leads, three per distinct combination, and whether the digest holds
// them (a record from before schema 5 does not).
func (d *Digest) LeadCombos() ([]Code, bool) {
	for i, c := range d.Codes {
		if c == 0 {
			rest := d.Codes[i+1:]
			return rest[:len(rest)/3*3], true
		}
	}
	return nil, false
}

// AnyLead reports whether one of the contact's leads matches every set
// of want at once: want[0] holds the sources chosen, want[1] the actions,
// want[2] the offers, nil for a dimension not filtered. This is what
// makes "Azure Marketplace" and "Contact me" together find the people
// who pressed Contact me on Azure Marketplace, not those who did one
// thing there and the other elsewhere. A digest without combinations
// (older than schema 5) matches each dimension on any lead, as it used to.
func (d *Digest) AnyLead(want *[3][]Code) bool {
	combos, ok := d.LeadCombos()
	if !ok {
		for _, w := range want {
			if w != nil && !containsAny(d.Codes, w) {
				return false
			}
		}
		return true
	}
	for i := 0; i+3 <= len(combos); i += 3 {
		if ComboMatches(combos[i:i+3:i+3], want) {
			return true
		}
	}
	return false
}

// ComboMatches reports whether one lead's (source, action, offer) codes
// match every set of want (see AnyLead).
func ComboMatches(combo []Code, want *[3][]Code) bool {
	for k, w := range want {
		if w != nil && !slices.Contains(w, combo[k]) {
			return false
		}
	}
	return true
}

func containsAny(have, want []Code) bool {
	for _, c := range have {
		if c != 0 && slices.Contains(want, c) {
			return true
		}
	}
	return false
}

// Test reports a contact made only of Microsoft's test leads: it proves
// the lead destination works and is counted nowhere else.
func (d *Digest) Test() bool { return d.Flags&FlagTest != 0 }

// DNC reports a contact who asked not to be contacted.
func (d *Digest) DNC() bool { return d.Flags&FlagDNC != 0 }

// NoInfo reports a contact the rep cannot write to: no lead carries
// personal data (Microsoft strips it for .edu customers), or there is no
// address at all.
func (d *Digest) NoInfo() bool { return d.Flags&FlagNoPII != 0 || d.Flags&FlagEmail == 0 }

// Entry is a dictionary entry, kind and name in one string: the form the
// store keeps and a Names table holds.
func Entry(kind, name string) string { return kind + ":" + name }

// SplitEntry splits an entry made by Entry; ok is false for a string
// Entry cannot have made.
func SplitEntry(e string) (kind, name string, ok bool) {
	return strings.Cut(e, ":")
}

// Names is a dictionary as a table: Names[code] is the code's entry (see
// Entry), "" for a free code. Reading it needs no map, so the store can
// decode records with the table it keeps.
type Names []string

// Name returns the name behind code without its kind. A code outside the
// table or without an entry has no name, never a panic: a record may
// carry a code its dictionary lost.
func (n Names) Name(code Code) string {
	if code == 0 || uint64(code) >= uint64(len(n)) {
		return ""
	}
	_, name, _ := SplitEntry(n[code])
	return name
}

// Kind returns the kind of code (KindSource, ...), or "" for none.
func (n Names) Kind(code Code) string {
	if code == 0 || uint64(code) >= uint64(len(n)) {
		return ""
	}
	kind, _, _ := SplitEntry(n[code])
	return kind
}

// Dict maps digest codes to names and back. Code 0 means "none"; so does
// a code the dictionary does not hold.
type Dict struct {
	names Names
	codes map[string]Code
}

// NewDict returns the dictionary of a table; it keeps names, which the
// caller must not change afterwards.
func NewDict(names Names) *Dict {
	d := &Dict{names: names, codes: make(map[string]Code, len(names))}
	for c, e := range names {
		if c > 0 && e != "" {
			d.codes[e] = Code(c)
		}
	}
	return d
}

// Name returns the name behind code without its kind prefix.
func (d *Dict) Name(code Code) string { return d.names.Name(code) }

// Kind returns the kind of code (KindSource, ...).
func (d *Dict) Kind(code Code) string { return d.names.Kind(code) }

// Code returns the code of name of the given kind, and whether it exists.
func (d *Dict) Code(kind, name string) (Code, bool) {
	c, ok := d.codes[Entry(kind, name)]
	return c, ok
}

// Codes returns every code of a kind, in code order.
func (d *Dict) Codes(kind string) []Code {
	var out []Code
	for i := 1; i < len(d.names); i++ {
		if d.names.Kind(Code(i)) == kind {
			out = append(out, Code(i))
		}
	}
	return out
}

// Len returns one past the largest code.
func (d *Dict) Len() int { return len(d.names) }
