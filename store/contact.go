package store

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Contact is one person: every lead with the same normalised email, or a
// single lead without one. Its fields are merged from its leads, newest
// non-empty value first; Leads, Triage and History are filled only by the
// calls that say so.
type Contact struct {
	ID       string
	Seq      uint64
	Email    string // normalised; empty for a lead without an address
	Customer Customer

	First     time.Time // created time of the earliest lead
	Last      time.Time // created time of the newest lead
	LeadCount int

	LatestSource    string
	LatestAction    string
	LatestOfferID   string
	LatestOfferName string

	Sources   []string // distinct, sorted
	Actions   []string
	Offers    []string // offer IDs
	Countries []string

	IsTest bool // every lead is a Microsoft test lead
	IsDNC  bool // at least one lead is a do-not-contact notice
	NoPII  bool // no lead carries personal data

	// Search is lower-cased text (names, email, company, title, the newest
	// descriptions) for free-text search, capped in size.
	Search string

	Leads   []Lead  // in time order, when loaded
	Triage  Triage  // the user's state for this contact
	History []Event // oldest first, when loaded
}

// Name returns "First Last", trimmed.
func (c *Contact) Name() string {
	return strings.TrimSpace(c.Customer.FirstName + " " + c.Customer.LastName)
}

// Contactable reports whether the rep may reach out to this contact: it has
// an address, is not a test lead, and no lead asked not to be contacted.
func (c *Contact) Contactable() bool {
	return c.Email != "" && !c.IsTest && !c.IsDNC && !c.NoPII
}

const searchCap = 512

// merge folds one lead into the contact. Leads may arrive in any order, so
// the "latest" fields follow the lead with the newest created time.
func (c *Contact) merge(l *Lead) {
	first := c.LeadCount == 0
	c.LeadCount++
	newest := first || !l.Created.Before(c.Last)
	if first || l.Created.Before(c.First) {
		c.First = l.Created
	}
	if newest {
		c.Last = l.Created
		c.LatestSource, c.LatestAction = l.Source, l.Action
		c.LatestOfferID, c.LatestOfferName = l.OfferID, l.OfferName
	}
	cu, lc := &c.Customer, &l.Customer
	pick := func(dst *string, v string) {
		if v != "" && (newest || *dst == "") {
			*dst = v
		}
	}
	pick(&cu.FirstName, lc.FirstName)
	pick(&cu.LastName, lc.LastName)
	pick(&cu.Email, strings.TrimSpace(lc.Email))
	pick(&cu.Phone, lc.Phone)
	pick(&cu.Country, lc.Country)
	pick(&cu.Company, lc.Company)
	pick(&cu.Title, lc.Title)
	c.Email = NormalizeEmail(cu.Email)

	c.Sources = addSorted(c.Sources, l.Source)
	c.Actions = addSorted(c.Actions, l.Action)
	c.Offers = addSorted(c.Offers, l.OfferID)
	c.Countries = addSorted(c.Countries, lc.Country)
	if first {
		c.IsTest, c.NoPII = l.IsTest, l.NoPII
	} else {
		c.IsTest = c.IsTest && l.IsTest
		c.NoPII = c.NoPII && l.NoPII
	}
	c.IsDNC = c.IsDNC || l.IsDNC()
	c.Search = buildSearch(c, l.Description, newest)
}

func addSorted(ss []string, v string) []string {
	if v == "" {
		return ss
	}
	i, found := slices.BinarySearch(ss, v)
	if found {
		return ss
	}
	return slices.Insert(ss, i, v)
}

// buildSearch rebuilds the search text from the merged fields and keeps the
// descriptions already collected, newest first, within searchCap bytes.
func buildSearch(c *Contact, desc string, newest bool) string {
	cu := &c.Customer
	head := strings.ToLower(strings.Join([]string{cu.FirstName, cu.LastName, c.Email, cu.Company, cu.Title}, "\x00"))
	old := c.Search
	if i := strings.Index(old, "\x01"); i >= 0 {
		old = old[i+1:]
	} else {
		old = ""
	}
	d := strings.ToLower(strings.TrimSpace(desc))
	var descs string
	switch {
	case d == "" || strings.Contains(old, d):
		descs = old
	case newest:
		descs = d + "\x00" + old
	default:
		descs = old + "\x00" + d
	}
	s := head + "\x01" + descs
	if len(s) > searchCap {
		s = s[:searchCap]
		for !utf8.ValidString(s) {
			s = s[:len(s)-1]
		}
	}
	return s
}

// Matches reports whether the lower-cased query q occurs in the contact's
// name, email, company, title or descriptions.
func (c *Contact) Matches(q string) bool {
	return q == "" || strings.Contains(c.Search, q)
}

func encodeContact(c *Contact) []byte {
	var e enc
	e.b = make([]byte, 0, 256)
	e.b = append(e.b, 1)
	e.str(c.ID)
	e.str(c.Email)
	cu := &c.Customer
	for _, s := range []string{cu.FirstName, cu.LastName, cu.Email, cu.Phone, cu.Country, cu.Company, cu.Title} {
		e.str(s)
	}
	e.time(c.First)
	e.time(c.Last)
	e.uvarint(uint64(c.LeadCount))
	e.str(c.LatestSource)
	e.str(c.LatestAction)
	e.str(c.LatestOfferID)
	e.str(c.LatestOfferName)
	e.strs(c.Sources)
	e.strs(c.Actions)
	e.strs(c.Offers)
	e.strs(c.Countries)
	e.bool(c.IsTest)
	e.bool(c.IsDNC)
	e.bool(c.NoPII)
	e.str(c.Search)
	return e.b
}

func decodeContact(seq uint64, b []byte) (Contact, error) {
	var c Contact
	if len(b) < 1 || b[0] != 1 {
		return c, errCorrupt
	}
	d := dec{b: b[1:]}
	c.Seq = seq
	c.ID = d.str()
	c.Email = d.str()
	cu := &c.Customer
	for _, p := range []*string{&cu.FirstName, &cu.LastName, &cu.Email, &cu.Phone, &cu.Country, &cu.Company, &cu.Title} {
		*p = d.str()
	}
	c.First = d.time()
	c.Last = d.time()
	c.LeadCount = int(d.uvarint())
	c.LatestSource = d.str()
	c.LatestAction = d.str()
	c.LatestOfferID = d.str()
	c.LatestOfferName = d.str()
	c.Sources = d.strs()
	c.Actions = d.strs()
	c.Offers = d.strs()
	c.Countries = d.strs()
	c.IsTest = d.bool()
	c.IsDNC = d.bool()
	c.NoPII = d.bool()
	c.Search = d.str()
	return c, d.err
}
