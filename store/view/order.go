package view

import (
	"cmp"
	"fmt"
	"strings"

	"github.com/leads-inbox/leads/store/search"
)

// Order is an order in which to list contacts: one of the columns below,
// possibly Reversed. The inbox's sort key and 'leads list --sort' read the
// same Order, so the two list the same contacts in the same order.
type Order uint8

// The orders 'leads list' and the inbox offer, one per column a rep can
// sort by.
const (
	// ByRecent lists the newest activity first (the Latest column).
	ByRecent Order = iota
	// ByUrgency lists contacts as the inbox does, most urgent first.
	ByUrgency
	// ByName lists contacts by name, A to Z (the address when there is
	// no name).
	ByName
	// ByCompany lists contacts by company, A to Z.
	ByCompany
	// ByOffer lists contacts by the offer of their newest lead, by its
	// display name where one is known.
	ByOffer
	// ByStatus lists contacts by status, in the funnel's order (new,
	// contacted, engaged, qualified, won, lost).
	ByStatus
	// ByTouches lists contacts by touches logged, fewest first.
	ByTouches
	// ByEmail lists contacts by address, A to Z.
	ByEmail
	// ByCountry lists contacts by country, A to Z.
	ByCountry
	numOrders

	// Reversed, added to an order, lists it the other way round. Contacts
	// without the value (no company, say) stay last either way, and ties
	// stay most urgent first.
	Reversed Order = 0x80
)

// orderNames are the names ParseOrder reads and String writes.
var orderNames = [numOrders]string{"recent", "urgency", "name", "company", "offer", "status", "touches", "email", "country"}

// OrderNames lists the orders' names, for help texts.
func OrderNames() []string { return orderNames[:] }

// ParseOrder reads an order's name as 'leads list --sort' takes it: a
// column name ("last" is recent), with a leading "-" for the reverse.
func ParseOrder(s string) (Order, error) {
	n := strings.ToLower(strings.TrimSpace(s))
	var rev Order
	if r, ok := strings.CutPrefix(n, "-"); ok {
		n, rev = r, Reversed
	}
	if n == "last" || n == "latest" {
		n = "recent"
	}
	for o, name := range orderNames {
		if n == name {
			return Order(o) | rev, nil
		}
	}
	return 0, fmt.Errorf("unknown order %q: use %s, with a leading - to reverse", s, strings.Join(orderNames[:], ", "))
}

// String is the order's name as ParseOrder reads it.
func (o Order) String() string {
	s := orderNames[o.Base()%numOrders]
	if o.IsReversed() {
		return "-" + s
	}
	return s
}

// Base is the order without its direction.
func (o Order) Base() Order { return o &^ Reversed }

// IsReversed reports an order listed the other way round.
func (o Order) IsReversed() bool { return o&Reversed != 0 }

// NeedsState reports whether the order reads the contact's State: every
// order but recent, since ties are broken by urgency.
func (o Order) NeedsState() bool { return o.Base() != ByRecent }

// NeedsText reports whether the order sorts by text (SortKey's text
// argument and label function matter).
func (o Order) NeedsText() bool {
	switch o.Base() {
	case ByName, ByCompany, ByOffer, ByEmail, ByCountry:
		return true
	}
	return false
}

// NeedsOfferNames reports whether the order reads offers' display names.
func (o Order) NeedsOfferNames() bool { return o.Base() == ByOffer }

// Key returns a contact's place in a numeric order (recent, urgency) as of
// now (Unix seconds): a smaller key comes first. Contacts with equal keys
// are listed in store order, older contact first, as the inbox lists them.
// The other orders use SortKey.
func (o Order) Key(d *Digest, s State, now int64) uint64 {
	if o.Base() == ByUrgency {
		return RankOf(d, s, now).Key()
	}
	return Rank{At: -d.Last}.Key()
}

// SortKey is where a contact stands in an Order; Order.Compare compares
// two. Ties after it go by store order, older contact first.
type SortKey struct {
	Text    string // lower-cased text for a text order; "" sorts last
	N       uint64 // the number for a numeric order
	Urgency uint64 // breaks ties: the urgency key (0 for recent)
}

// SortKey returns contact d's key in the order as of now. text is the
// contact's search text (package search: first name, last name, address,
// company and title first), offer the display name of its newest lead's
// offer ("" for none or unknown), and label names a dictionary code.
func (o Order) SortKey(d *Digest, s State, now int64, text string, offer string, label func(Code) string) SortKey {
	var k SortKey
	base := o.Base()
	if base != ByRecent {
		k.Urgency = RankOf(d, s, now).Key()
	}
	switch base {
	case ByRecent, ByUrgency:
		k.N = o.Key(d, s, now)
		k.Urgency = 0
	case ByStatus:
		k.N = uint64(s.Status)
	case ByTouches:
		k.N = uint64(s.Touches)
	case ByName:
		f := headFields(text)
		k.Text = strings.TrimSpace(f[0] + " " + f[1])
		if k.Text == "" {
			k.Text = f[2]
		}
	case ByCompany:
		k.Text = strings.TrimSpace(headFields(text)[3])
	case ByEmail:
		k.Text = headFields(text)[2]
	case ByOffer:
		if offer == "" && label != nil {
			offer = label(d.LatestOffer)
		}
		k.Text = strings.TrimSpace(search.Field(offer))
	case ByCountry:
		if label != nil {
			k.Text = strings.TrimSpace(search.Field(label(d.Country)))
		}
	}
	return k
}

// Compare orders two keys of this order: negative when a comes first.
// An empty text sorts last whichever the direction, since a column's
// blanks are never what a rep sorts to find.
func (o Order) Compare(a, b SortKey) int {
	if (a.Text == "") != (b.Text == "") {
		if a.Text == "" {
			return 1
		}
		return -1
	}
	c := cmp.Compare(a.Text, b.Text)
	if c == 0 {
		c = cmp.Compare(a.N, b.N)
	}
	if o.IsReversed() {
		c = -c
	}
	if c == 0 {
		c = cmp.Compare(a.Urgency, b.Urgency)
	}
	return c
}

// headFields splits the head of a search text into its five fields:
// first name, last name, address, company and title.
func headFields(text string) [5]string {
	var f [5]string
	if i := strings.IndexByte(text, search.DescSep); i >= 0 {
		text = text[:i]
	}
	for j := range f {
		var rest string
		var ok bool
		f[j], rest, ok = strings.Cut(text, string(rune(search.FieldSep)))
		if !ok {
			break
		}
		text = rest
	}
	return f
}
