package tui

import (
	"bytes"
	"cmp"
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"

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
// (store order), as 'leads list --sort' breaks them (view.Order.Compare).
// A text order compares each contact's rank among all the texts, worked
// out once per order and load (sortRanks), so a filter change or a
// search keystroke sorts integers, not strings.
func (x *index) sortVisible() {
	o := x.sortBy
	if o == view.ByUrgency || len(x.visible) < 2 {
		return
	}
	type keyed struct {
		first, urgency uint64
		i              int32
	}
	ranks, blank := x.sortRanks(o)
	ks := make([]keyed, len(x.visible))
	for j, i := range x.visible {
		k := o.SortKey(&x.dg[i], x.tri[i], x.rankAt, "", "", nil)
		first := k.N
		switch {
		case ranks != nil:
			first = uint64(ranks[i])
			if o.IsReversed() && ranks[i] != blank {
				first = uint64(blank - 1 - ranks[i]) // blanks stay last
			}
		case o.IsReversed():
			first = ^first
		}
		ks[j] = keyed{first, k.Urgency, i}
	}
	slices.SortFunc(ks, func(a, b keyed) int {
		if a.first != b.first {
			return cmp.Compare(a.first, b.first)
		}
		if a.urgency != b.urgency {
			return cmp.Compare(a.urgency, b.urgency)
		}
		return cmp.Compare(a.i, b.i)
	})
	for j := range ks {
		x.visible[j] = ks[j].i
	}
}

// sortRanks returns, for a text order, every contact's rank among all the
// contacts' texts (equal texts, equal ranks) and the rank of a blank
// text, the highest; nil for the other orders. It is built once per
// order and index: the text does not change until the next load.
func (x *index) sortRanks(o view.Order) ([]uint32, uint32) {
	if !o.NeedsText() {
		return nil, 0
	}
	if x.sortRank != nil && x.sortRankOf == o.Base() {
		return x.sortRank, x.sortBlank
	}
	texts := make([]string, len(x.dg))
	byText := make([]int32, len(x.dg))
	for i := range x.dg {
		var text string
		if i+1 < len(x.text.off) {
			text = string(bytes.TrimSuffix(x.text.text[x.text.off[i]:x.text.off[i+1]], []byte{sep}))
		}
		texts[i] = o.SortKey(&x.dg[i], x.tri[i], x.rankAt, text, x.offerRaw[x.dg[i].LatestOffer], x.dict.Name).Text
		byText[i] = int32(i)
	}
	slices.SortFunc(byText, func(a, b int32) int {
		return view.ByName.Compare(view.SortKey{Text: texts[a]}, view.SortKey{Text: texts[b]})
	})
	ranks := make([]uint32, len(x.dg))
	var r uint32
	for j, i := range byText {
		if j > 0 && texts[i] != texts[byText[j-1]] {
			r++
		}
		ranks[i] = r
	}
	blank := r + 1
	for i, t := range texts {
		if t == "" {
			ranks[i] = blank
		}
	}
	x.sortRank, x.sortRankOf, x.sortBlank = ranks, o.Base(), blank
	return ranks, blank
}

// cycleSort is O: sort by the next column, in its usual direction, the
// selected contact staying selected.
func (m *Model) cycleSort() tea.Cmd {
	n := len(sortColumns)
	at := 0
	for j, c := range sortColumns {
		if c.order == m.sortBy.Base() {
			at = j
		}
	}
	return m.setSort(sortColumns[(at+1)%n].order)
}

// reverseSort is R: the same column the other way round.
func (m *Model) reverseSort() tea.Cmd { return m.setSort(m.sortBy ^ view.Reversed) }

// setSort lists the rows in order o and fetches the rows it brings on
// screen.
func (m *Model) setSort(o view.Order) tea.Cmd {
	m.sortBy = o
	if m.x == nil {
		return nil
	}
	p := m.selected()
	m.x.sortBy = o
	m.x.apply(&m.f, m.view)
	if p >= 0 {
		m.selectID(m.x.dg[p].ID)
	}
	m.clampCursor()
	m.say(m.sortText())
	return m.fetchRows()
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
