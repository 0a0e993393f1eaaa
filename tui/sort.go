package tui

import (
	"bytes"
	"slices"
	"strings"

	"github.com/leads-inbox/leads/store/view"
)

// sortColumns are the columns O cycles through, in the order they stand
// on screen, with the order each sorts by (view.Order, the same 'leads
// list --sort' takes, so the CLI and the inbox list alike). The Clock
// column is the urgency order, the default.
var sortColumns = []struct {
	title string
	order view.Order
}{
	{"Clock", view.ByUrgency}, {"Name", view.ByName}, {"Company", view.ByCompany},
	{"Latest", view.ByRecent}, {"Offer", view.ByOffer}, {"Status", view.ByStatus}, {"Tch", view.ByTouches},
}

// sortWords say how each order runs, for the message after O or R.
var sortWords = map[view.Order][2]string{
	view.ByUrgency: {"most urgent first", "least urgent first"},
	view.ByName:    {"A to Z", "Z to A"}, view.ByCompany: {"A to Z", "Z to A"}, view.ByOffer: {"A to Z", "Z to A"},
	view.ByRecent:  {"newest first", "oldest first"},
	view.ByStatus:  {"new to lost", "lost to new"},
	view.ByTouches: {"fewest first", "most first"},
}

// sortVisible puts the visible rows in x.sortBy, when that is not the
// urgency order they are already in. Ties go by urgency, then by position
// (store order), as 'leads list --sort' breaks them. It costs a key per
// visible row and a comparison sort, so only a chosen order pays it.
func (x *index) sortVisible() {
	o := x.sortBy
	if o == view.ByUrgency || len(x.visible) < 2 {
		return
	}
	type keyed struct {
		k view.SortKey
		i int32
	}
	texts := x.sortTexts(o)
	ks := make([]keyed, len(x.visible))
	for j, i := range x.visible {
		ks[j] = keyed{o.SortKey(&x.dg[i], x.tri[i], x.rankAt, "", "", nil), i}
		if texts != nil {
			ks[j].k.Text = texts[i]
		}
	}
	slices.SortFunc(ks, func(a, b keyed) int {
		if c := o.Compare(a.k, b.k); c != 0 {
			return c
		}
		return int(a.i) - int(b.i)
	})
	for j := range ks {
		x.visible[j] = ks[j].i
	}
}

// sortTexts returns every contact's text in a text order (nil for the
// others), built once per order and index: the text does not change
// until the next load, and building it at each filter change would
// allocate a string per contact at each keystroke of a search.
func (x *index) sortTexts(o view.Order) []string {
	if !o.NeedsText() {
		return nil
	}
	if x.sortText != nil && x.sortTextOf == o.Base() {
		return x.sortText
	}
	texts := make([]string, len(x.dg))
	for i := range x.dg {
		var text string
		if i+1 < len(x.text.off) {
			text = string(bytes.TrimSuffix(x.text.text[x.text.off[i]:x.text.off[i+1]], []byte{sep}))
		}
		texts[i] = o.SortKey(&x.dg[i], x.tri[i], x.rankAt, text, x.offerRaw[x.dg[i].LatestOffer], x.dict.Name).Text
	}
	x.sortText, x.sortTextOf = texts, o.Base()
	return texts
}

// cycleSort is O: sort by the next column (by the previous one when back),
// each in its usual direction, the selected contact staying selected.
func (m *Model) cycleSort(back bool) {
	n := len(sortColumns)
	at := 0
	for j, c := range sortColumns {
		if c.order == m.sortBy.Base() {
			at = j
		}
	}
	step := 1
	if back {
		step = n - 1
	}
	m.setSort(sortColumns[(at+step)%n].order)
}

// reverseSort is R: the same column the other way round.
func (m *Model) reverseSort() { m.setSort(m.sortBy ^ view.Reversed) }

func (m *Model) setSort(o view.Order) {
	m.sortBy = o
	if m.x == nil {
		return
	}
	p := m.selected()
	m.x.sortBy = o
	m.x.apply(&m.f, m.view)
	if p >= 0 {
		m.selectID(m.x.dg[p].ID)
	}
	m.clampCursor()
	m.say(m.sortText())
}

// sortText names the order in force, for the message after O or R.
func (m *Model) sortText() string {
	w := sortWords[m.sortBy.Base()]
	dir := w[0]
	if m.sortBy.IsReversed() {
		dir = w[1]
	}
	col := "urgency"
	for _, c := range sortColumns {
		if c.order == m.sortBy.Base() && c.order != view.ByUrgency {
			col = strings.ToLower(c.title)
		}
	}
	if m.sortBy == view.ByUrgency {
		return "sorted by urgency, most urgent first (the default) · O sorts by the next column"
	}
	return "sorted by " + col + ", " + dir + " · O next column, R reverses"
}

// sortTitle is a column's header title with the sort arrow when the list
// is sorted by it: ↑ in the column's usual direction (A to Z, fewest first,
// newest first), ↓ reversed. The default, urgency, shows no arrow.
func (m *Model) sortTitle(title string) string {
	if m.sortBy == view.ByUrgency {
		return title
	}
	for _, c := range sortColumns {
		if c.title == title && c.order == m.sortBy.Base() {
			if m.sortBy.IsReversed() {
				return title + " ↓"
			}
			return title + " ↑"
		}
	}
	return title
}
