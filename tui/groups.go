package tui

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"charm.land/lipgloss/v2"

	"github.com/leads-inbox/leads/store/view"
)

// The inbox list shows its urgency groups (view.Group): a header line
// with the group's name and count starts each group, and the window's
// first line is always the header of the group its top row is in, so a
// rep scrolled deep into the list still sees what kind of work it is.

// listLine is one line of the list: a row (the position in visible) or,
// when header is set, the header of group g.
type listLine struct {
	row    int
	header bool
	g      view.Group
}

// groupOf is the group of the j-th visible row.
func (m *Model) groupOf(j int) view.Group { return m.x.tier[m.x.visible[j]].Group() }

// grouped reports whether the list shows group headers: when it holds
// more than one group (a view of closed contacts is one group, and a
// header would only take a line).
func (m *Model) grouped() bool {
	n := len(m.x.visible)
	return n > 0 && m.groupOf(0) != m.groupOf(n-1)
}

// groupCount is how many visible rows are in group g. The list is in
// urgency order, so a group is one run found by binary search.
func (m *Model) groupCount(g view.Group) int {
	n := len(m.x.visible)
	lo := sort.Search(n, func(j int) bool { return m.groupOf(j) >= g })
	hi := sort.Search(n, func(j int) bool { return m.groupOf(j) > g })
	return hi - lo
}

// listLines lays out the list window from offset in lh lines.
func (m *Model) listLines(offset, lh int) []listLine {
	n := len(m.x.visible)
	lines := make([]listLine, 0, lh)
	grouped := m.grouped()
	for j := offset; j < n && len(lines) < lh; j++ {
		if grouped {
			g := m.groupOf(j)
			if j == offset || g != m.groupOf(j-1) {
				if len(lines)+2 > lh && j != offset {
					break // a header needs its first row under it
				}
				lines = append(lines, listLine{header: true, g: g})
				if len(lines) == lh {
					break
				}
			}
		}
		lines = append(lines, listLine{row: j})
	}
	return lines
}

// rowShown reports whether visible row j is drawn when the list starts
// at offset.
func (m *Model) rowShown(offset, j int) bool {
	for _, l := range m.listLines(offset, m.listHeight()) {
		if !l.header && l.row == j {
			return true
		}
	}
	return false
}

// scrollToCursor moves the window down until the header lines leave room
// for the cursor's row.
func (m *Model) scrollToCursor() {
	if m.x == nil {
		return
	}
	for m.offset < m.cursor && !m.rowShown(m.offset, m.cursor) {
		m.offset++
	}
}

// groupHeader draws a group's header line: its name and count.
func (m *Model) groupHeader(g view.Group) string {
	label := fmt.Sprintf("── %s · %s ", g, humanCount(m.groupCount(g)))
	return m.sty.section.Render(fit(label+strings.Repeat("─", max(m.width-len([]rune(label)), 0)), m.width))
}

// firstReplyLine is the contact screen's line for the 24-hour first-reply
// clock while it matters: the time left while it runs (a follow-up date
// set meanwhile does not stop it), or how late the first reply is.
func (m *Model) firstReplyLine(id string) (string, lipgloss.Style) {
	if m.x == nil {
		return "", m.sty.row
	}
	p := m.x.find(idOf(id))
	if p < 0 {
		return "", m.sty.row
	}
	now := m.now().Unix()
	r := view.RankOf(&m.x.dg[p], m.x.tri[p], now)
	dur := func(s int64) string { return compactDuration(time.Duration(s) * time.Second) }
	switch r.Tier {
	case view.TierHotClock:
		return "First reply: " + dur(r.Clock(now)) + " left on the 24-hour clock", m.sty.hot
	case view.TierClock:
		return "First reply: " + dur(r.Clock(now)) + " left on the 24-hour clock", m.sty.warm
	case view.TierHotLate:
		return "First reply: " + dur(r.Clock(now)) + " late (the 24-hour clock ran out)", m.sty.lateHot
	case view.TierLate:
		return "First reply: " + dur(r.Clock(now)) + " late (the 24-hour clock ran out)", m.sty.late
	}
	return "", m.sty.row
}
