package tui

import (
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/leads-inbox/leads/store/view"
	"github.com/leads-inbox/leads/tui/cells"
)

// columns holds the width of each column of the inbox list; 0 hides it.
type columns struct{ clock, name, company, latest, offer, email, country, status, tch, owner int }

// ownerW is the owner column's width: "@" and seven cells of the name.
const ownerW = 8

// Room the optional columns need before they show: the country when the
// flexible columns have this many cells, the email from this many.
const (
	countryFrom = 60
	emailFrom   = 96
)

// columns lays the list out for the terminal width. The clock (why the row
// is urgent) and the name always show; as the width falls, the columns a
// rep can do without go first: the email and country (shown only when
// there is room), the offer (most sellers have one or two), the company,
// the latest action, the touches, and last the status, which is where a
// do-not-contact or test lead is flagged.
//
// The flexible columns (name, company, offer, email) start at a minimum
// and the room left goes to those whose text on screen is cut, a cell at
// a time, so a short name column does not hold blank cells while the offer
// beside it is cut.
func (m *Model) columns() columns {
	const nameMin, companyMin, offerMin, emailMin, countryW = 12, 8, 8, 16, 4
	shown := func(name string) bool { return m.cfg.Columns == nil || slices.Contains(m.cfg.Columns, name) }
	pick := func(name string, w int) int {
		if shown(name) {
			return w
		}
		return 0
	}
	c := columns{clock: 9, latest: pick("latest", 13), status: pick("status", 9), tch: pick("touches", 3)}
	if m.teamViews() {
		// Whose the contact is, once owners matter; the first column to
		// go when the width falls.
		c.owner = pick("owner", ownerW)
	}
	if m.width >= 110 && c.latest > 0 {
		c.latest = 22
	}
	// free is the room left for flex columns after the other columns
	// shown and a space between each two columns.
	free := func(flex int) int {
		w, n := 0, flex
		for _, x := range []int{c.clock, c.latest, c.status, c.tch, c.owner} {
			if x > 0 {
				w += x
				n++
			}
		}
		return m.width - w - (n - 1)
	}
	names, flex, mins := []string{"name"}, []*int{&c.name}, []int{nameMin}
	if shown("company") {
		names, flex, mins = append(names, "company"), append(flex, &c.company), append(mins, companyMin)
	}
	if shown("offer") {
		names, flex, mins = append(names, "offer"), append(flex, &c.offer), append(mins, offerMin)
	}
	if r := free(len(flex)); r >= sum(mins) {
		n := len(flex)
		if shown("country") && r >= countryFrom {
			c.country = countryW
			n++
			r = free(n) - countryW
		}
		if shown("email") && r >= emailFrom {
			names, flex, mins = append(names, "email"), append(flex, &c.email), append(mins, emailMin)
			r = free(n+1) - c.country
		}
		m.share(names, flex, mins, r)
		return c
	}
	c.owner = 0
	if r := free(len(flex)); r >= sum(mins) {
		m.share(names, flex, mins, r)
		return c
	}
	if r := free(2); shown("company") && r >= nameMin+companyMin {
		c.offer = 0
		c.name = max(r*4/7, nameMin)
		c.company = r - c.name
		return c
	}
	c.company, c.offer = 0, 0
	for _, drop := range []*int{&c.latest, &c.tch, &c.status} {
		if r := free(1); r >= nameMin {
			c.name = r
			return c
		}
		*drop = 0
	}
	c.name = free(1) // 10 cells at the narrowest, 20 columns
	return c
}

func sum(xs []int) int {
	n := 0
	for _, x := range xs {
		n += x
	}
	return n
}

// share sets the flexible columns (names says which: name, then company
// and offer when shown, then email) to room cells in all: each its
// minimum, then a cell at a time to the columns whose widest text in the
// window is cut, and what is left when nothing is cut to the offer (the
// column that most often runs long), else the company, else the name.
func (m *Model) share(names []string, cols []*int, mins []int, room int) {
	need := m.windowNeeds(names)
	for i, p := range cols {
		*p = mins[i]
		room -= mins[i]
	}
	for room > 0 {
		gave := false
		for i, p := range cols {
			if room > 0 && *p < need[i] {
				*p++
				room--
				gave = true
			}
		}
		if !gave {
			break
		}
	}
	rest := 0
	for i, n := range names {
		if n == "company" || n == "offer" {
			rest = i
		}
	}
	*cols[rest] += room
}

// windowNeeds is the width of the widest text of each named column (name,
// company, offer, email) among the rows in the window (rows not loaded
// yet count as short).
func (m *Model) windowNeeds(names []string) []int {
	need := make([]int, len(names))
	if m.x == nil {
		return need
	}
	end := min(m.offset+m.listHeight(), len(m.x.visible))
	for j := m.offset; j < end; j++ {
		rt, ok := m.rows[m.x.dg[m.x.visible[j]].Seq]
		if !ok {
			continue
		}
		for i, n := range names {
			s := rt.name
			switch n {
			case "company":
				s = rt.company
			case "offer":
				s = rt.offer
			case "email":
				s = rt.email
			}
			need[i] = max(need[i], cells.Width(s))
		}
	}
	return need
}

// tabShort are the tab labels when the full ones and their counts do not
// fit: at 80 columns every view keeps its count.
var tabShort = [numViews]string{"Act", "Sch", "All", "Cls", "NoI", "DNC", "Tst", "Rep", "Min", "Una", "Tea"}

// tabKey is the key a view's tab is labelled with: its number for the
// first eight, the bound key for the team's views.
func (m *Model) tabKey(v view.Lane) string {
	switch v {
	case viewMine:
		return firstKey(m.keys.ViewMine)
	case viewUnowned:
		return firstKey(m.keys.ViewUnassigned)
	case viewTeam:
		return firstKey(m.keys.ViewTeam)
	}
	return fmt.Sprint(v + 1)
}

// firstKey is the first key of a binding, "" when it has none.
func firstKey(b key.Binding) string {
	if ks := b.Keys(); len(ks) > 0 {
		return ks[0]
	}
	return ""
}

// tabs draws the view tabs, each with its count. As the width falls the
// tabs lose their padding, then take short labels, and only when even
// those do not fit do the counts of the other views go.
func (m *Model) tabs() string {
	counts := [numViews]int{}
	if m.x != nil {
		counts = m.x.counts
	}
	build := func(names *[numViews]string, counted func(view.Lane) bool, padded bool) string {
		n := view.Lane(m.numLanes())
		parts := make([]string, n)
		short := names == &tabShort
		for v := view.Lane(0); v < n; v++ {
			label := m.tabKey(v) + " " + names[v]
			if short {
				// "1Act": the key stays beside its label, a column saved
				// per tab so that all eight keep their counts at 80.
				label = m.tabKey(v) + names[v]
			}
			if counted(v) || v == m.view {
				label += " " + humanCount(counts[v])
			}
			switch {
			case v == m.view && m.savedAt < 0 && short:
				parts[v] = m.sty.tabActive.Render(label) // its colour marks it
			case v == m.view && m.savedAt < 0:
				parts[v] = m.sty.tabActive.Render(" " + label + " ")
			case padded:
				parts[v] = m.sty.tab.Render(" " + label + " ")
			default:
				parts[v] = m.sty.tab.Render(label)
			}
		}
		if padded {
			return strings.Join(parts, "") + m.savedTabs()
		}
		return strings.Join(parts, " ") + m.savedTabs()
	}
	all := func(view.Lane) bool { return true }
	none := func(view.Lane) bool { return false }
	work := func(v view.Lane) bool {
		return v == viewAction || v == viewScheduled || v == viewReplied || v == viewMine || v == viewUnowned
	}
	var s string
	for _, try := range []func() string{
		func() string { return build(&viewNames, all, true) },
		func() string { return build(&viewNames, all, false) },
		func() string { return build(&tabShort, all, false) },
		// With the team's three views, eleven tabs: at 80 columns the
		// short labels stay, and the views a rep works from keep their
		// counts.
		func() string { return build(&tabShort, work, false) },
		func() string { return build(&viewNames, none, true) },
		func() string { return build(&tabShort, none, false) },
	} {
		if s = try(); lipgloss.Width(s) <= m.width {
			break
		}
	}
	return ansi.TruncateWc(s, m.width, "")
}
