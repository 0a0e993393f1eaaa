package tui

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/leads-inbox/leads/store"
	"github.com/leads-inbox/leads/store/safetext"
	"github.com/leads-inbox/leads/store/view"
)

// statWeeks is how many weeks the leads-per-week chart covers.
const statWeeks = 12

// leadStats counts leads (not contacts) by what they were; test leads are
// counted apart and nowhere else.
type leadStats struct {
	total, test int
	bySA        map[[2]string]int // source, action label
	sources     []string
	actions     []string
	offers      []offerFunnel
	weeks       [statWeeks]int
	weekStart   time.Time // Monday of the oldest week shown
}

// offerFunnel counts one offer's leads by funnel stage.
type offerFunnel struct {
	name                       string
	contact, testDrive, instal int
	total                      int
}

// followUps summarises the rep's work from the in-memory triage state.
type followUps struct {
	// replied counts the people who answered and wait for the rep.
	replied                      int
	overdue, dueToday, scheduled int
	onClock, late, decide        int
	// touches[n] counts open contacts with n touches; the last counts
	// those at or past the cadence's number of touches.
	touches   []int
	won, lost int
}

// tallyFunc counts leads for the stats screen: store.TallyLeads for every
// lead, or a count of the leads of the contacts in view (statsTally).
type tallyFunc func(since int64, weeks int) (store.LeadTally, error)

// statsWeekStart is the Monday of the oldest week the chart shows at now.
func statsWeekStart(now time.Time) time.Time {
	y, mo, d := now.Date()
	today := time.Date(y, mo, d, 0, 0, 0, 0, now.Location())
	monday := today.AddDate(0, 0, -((int(today.Weekday()) + 6) % 7))
	return monday.AddDate(0, 0, -7*(statWeeks-1))
}

func collectLeadStats(tally tallyFunc, now time.Time) (*leadStats, error) {
	s := &leadStats{bySA: map[[2]string]int{}}
	offers := map[string]*offerFunnel{}
	s.weekStart = statsWeekStart(now)
	t, err := tally(s.weekStart.Unix(), statWeeks)
	if err != nil {
		return nil, err
	}
	copy(s.weeks[:], t.Weeks)
	// Labels and clean names are worked out once a group, not once a lead.
	for _, g := range t.Groups {
		if g.Test {
			s.test += g.Leads
			continue
		}
		s.total += g.Leads
		src := safetext.Clean(g.Source)
		if sh, ok := sourceShort[g.Source]; ok {
			src = sh[1]
		}
		s.bySA[[2]string{src, actionLabel(g.Action)}] += g.Leads
		name := g.OfferName
		if name == "" {
			name = g.OfferID
		}
		o := offers[name]
		if o == nil {
			o = &offerFunnel{name: safetext.Clean(name)}
			offers[name] = o
		}
		o.total += g.Leads
		switch view.StageOf(g.Action) {
		case view.StageContactMe:
			o.contact += g.Leads
		case view.StageTestDrive:
			o.testDrive += g.Leads
		case view.StageInstall:
			o.instal += g.Leads
		}
	}
	seenS, seenA := map[string]bool{}, map[string]bool{}
	for k := range s.bySA {
		if !seenS[k[0]] {
			seenS[k[0]] = true
			s.sources = append(s.sources, k[0])
		}
		if !seenA[k[1]] {
			seenA[k[1]] = true
			s.actions = append(s.actions, k[1])
		}
	}
	slices.Sort(s.sources)
	order := map[string]int{"Contact me": 0, "Test Drive": 1, "Install": 2, "Create": 3, "DNC": 4}
	slices.SortFunc(s.actions, func(a, b string) int {
		oa, okA := order[a]
		ob, okB := order[b]
		if !okA {
			oa = 9
		}
		if !okB {
			ob = 9
		}
		if oa != ob {
			return oa - ob
		}
		return strings.Compare(a, b)
	})
	for _, o := range offers {
		s.offers = append(s.offers, *o)
	}
	slices.SortFunc(s.offers, func(a, b offerFunnel) int {
		if c := cmp.Compare(b.total, a.total); c != 0 {
			return c
		}
		return strings.Compare(a.name, b.name)
	})
	return s, nil
}

// followUpSummary reads the index over every contact, for the default
// cadence; test contacts are not counted.
func followUpSummary(x *index, now time.Time) followUps {
	return summarize(x, now, nil, store.DefaultCadence.Total())
}

// summarize counts the contacts at positions in (nil: every contact).
// "Due today" ends at the rep's midnight, in now's time zone, not UTC's.
func summarize(x *index, now time.Time, in []int32, total int) followUps {
	f := followUps{touches: make([]int, total+1)}
	y, mo, d := now.Date()
	endOfDay := time.Date(y, mo, d+1, 0, 0, 0, 0, now.Location()).Unix()
	n := len(x.dg)
	if in != nil {
		n = len(in)
	}
	for j := range n {
		i := int32(j)
		if in != nil {
			i = in[j]
		}
		if x.dg[i].Test() {
			continue
		}
		t := x.tri[i]
		switch store.Statuses[t.Status] {
		case store.StatusWon:
			f.won++
			continue
		case store.StatusLost:
			f.lost++
			continue
		}
		switch x.tier[i] {
		case view.TierReplied:
			f.replied++
		case view.TierOverdue:
			f.overdue++
		case view.TierScheduled:
			f.scheduled++
			if t.Due < endOfDay {
				f.dueToday++
			}
		case view.TierHotClock, view.TierClock:
			f.onClock++
			if t.Due != 0 { // a follow-up set while the first-reply clock runs
				f.scheduled++
				if t.Due < endOfDay {
					f.dueToday++
				}
			}
		case view.TierHotLate, view.TierLate:
			f.late++
		case view.TierDecide:
			f.decide++
		}
		if x.tier[i] != view.TierRest {
			f.touches[min(int(t.Touches), total)]++
		}
	}
	return f
}

// statsScreen shows the pictures: tables and bars.
type statsScreen struct {
	from    screen // where esc goes back to
	scope   string // what is counted: "all contacts", or the view and filters
	s       *leadStats
	summary followUps
	err     error
	offset  int
	width   int
	height  int
	lines   []string
}

func (s *statsScreen) setSize(w, h int) { s.width, s.height = w, h }

func (s *statsScreen) scroll(down bool) {
	if down {
		s.offset = min(s.offset+3, max(len(s.lines)-s.height, 0))
	} else {
		s.offset = max(s.offset-3, 0)
	}
}

func (s *statsScreen) onStats(m *Model, msg statsMsg) {
	s.s, s.err = msg.s, msg.err
}

func (m *Model) openStats() tea.Cmd {
	if m.x == nil {
		return nil
	}
	if m.screen != screenStats {
		m.stats.from = m.screen
	}
	m.screen = screenStats
	m.stats.scope = m.statsScope()
	m.stats.summary = m.statsSummary()
	m.stats.offset = 0
	m.stats.s = nil // recount: leads may have arrived
	return m.statsCmd()
}

func (m *Model) statsKey(k tea.KeyPressMsg) tea.Cmd {
	km := &m.keys
	s := &m.stats
	maxOff := max(len(s.lines)-s.height, 0)
	switch {
	case key.Matches(k, km.Back, km.Quit, km.Stats):
		// Back to where the stats were opened: the inbox or a contact.
		m.screen = s.from
		if m.screen == screenStats || m.screen == screenDraft {
			m.screen = screenInbox
		}
		return m.fetchRows()
	default:
		s.offset, _ = km.scroll(k, s.offset, maxOff, s.height)
	}
	return nil
}

// isScroll reports whether k moves a scrolling screen.
func isScroll(km *KeyMap, k tea.KeyPressMsg) bool {
	_, ok := km.scroll(k, 0, 1, 2)
	return ok
}

// scroll applies a movement key to the offset of a scrolling screen and
// reports whether k was one; every screen that scrolls uses the same keys.
func (km *KeyMap) scroll(k tea.KeyPressMsg, offset, maxOff, page int) (int, bool) {
	switch {
	case key.Matches(k, km.Down):
		return min(offset+1, maxOff), true
	case key.Matches(k, km.Up):
		return max(offset-1, 0), true
	case key.Matches(k, km.Top):
		return 0, true
	case key.Matches(k, km.Bottom):
		return maxOff, true
	case key.Matches(k, km.HalfDown, km.PageDown):
		return min(offset+page/2, maxOff), true
	case key.Matches(k, km.HalfUp, km.PageUp):
		return max(offset-page/2, 0), true
	}
	return offset, false
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

func bar(n, max, width int) string {
	if max <= 0 || n <= 0 || width <= 0 {
		return ""
	}
	w := n * width / max
	if w == 0 {
		return "▏"
	}
	return strings.Repeat("█", w)
}

func (m *Model) statsLines() []string {
	// Every line is fitted to the terminal, however narrow.
	w := max(m.width, 1)
	sty := &m.sty
	st := &m.stats
	var out []string
	add := func(s string) { out = append(out, s) }
	f := st.summary
	add(sty.section.Render("Follow-up"))
	add(fit(fmt.Sprintf("  replied, waiting for your answer %d", f.replied), w))
	add(fit(fmt.Sprintf("  overdue %d · due today %d · scheduled %d · cadence done %d", f.overdue, f.dueToday, f.scheduled, f.decide), w))
	add(fit(fmt.Sprintf("  new leads: %d inside the 24h clock, %d late", f.onClock, f.late), w))
	add(fit(fmt.Sprintf("  closed: won %d · lost %d", f.won, f.lost), w))
	maxT := slices.Max(f.touches[:])
	for i, n := range f.touches {
		label := plural(i, "touch", "touches")
		if i == len(f.touches)-1 {
			label = fmt.Sprintf("%d+ touches", i)
		}
		add(fit(fit(fmt.Sprintf("  %-10s %7d ", label, n), 21)+sty.bar.Render(bar(n, maxT, w-24)), w))
	}
	add("")
	if st.err != nil {
		add(sty.errText.Render(fit("Cannot count the leads: "+cleanErr(st.err), w)))
		return out
	}
	if st.s == nil {
		add("Counting leads…")
		return out
	}
	s := st.s
	add(sty.section.Render(fit(fmt.Sprintf("Leads per source × action: %s (%s not counted)",
		plural(s.total, "lead", "leads"), plural(s.test, "test lead", "test leads")), w)))
	colW := 11
	head := fit("", 14)
	for _, a := range s.actions {
		head += fit(a, colW)
	}
	add(sty.bold.Render(fit(head, w)))
	maxCell := 0
	for _, n := range s.bySA {
		maxCell = max(maxCell, n)
	}
	for _, src := range s.sources {
		line := fit(src, 14)
		for _, a := range s.actions {
			n := s.bySA[[2]string{src, a}]
			cell := fit(fmt.Sprintf("%d", n), colW)
			if n > 0 && n*4 >= maxCell {
				cell = sty.bold.Render(cell) // the busiest cells stand out
			} else if n == 0 {
				cell = sty.dim.Render(cell)
			}
			line += cell
		}
		add(fit(line, w))
	}
	add("")
	add(fit(sty.section.Render("Funnel per offer")+sty.dim.Render("  Contact me → Test Drive → Install"), w))
	nameW := min(max(w/3, 12), 30)
	barW := max((w-nameW-8)/3-7, 3)
	maxO := 1
	for _, o := range s.offers {
		maxO = max(maxO, o.contact, o.testDrive, o.instal)
	}
	for i, o := range s.offers {
		if i == 15 {
			add(sty.dim.Render(fit(fmt.Sprintf("  … %d more offers", len(s.offers)-15), w)))
			break
		}
		cell := func(n int) string {
			return fit(fmt.Sprintf("%6d ", n)+bar(n, maxO, barW), barW+7)
		}
		add(fit(fit(o.name, nameW)+" "+cell(o.contact)+" "+cell(o.testDrive)+" "+cell(o.instal), w))
	}
	add("")
	add(sty.section.Render("Leads per week"))
	maxW := slices.Max(s.weeks[:])
	for i, n := range s.weeks {
		wk := s.weekStart.AddDate(0, 0, 7*i)
		add(fit(fit(fmt.Sprintf("  %s %7d ", wk.Format("Jan 02"), n), 17)+sty.bar.Render(bar(n, maxW, w-20)), w))
	}
	return out
}

func (m *Model) statsView() string {
	s := &m.stats
	s.lines = m.statsLines()
	var b strings.Builder
	b.WriteString(m.sty.tabActive.Render(fit(" Stats of "+s.scope+" · esc back · j/k scroll", m.width)) + "\n")
	end := min(s.offset+s.height, len(s.lines))
	body := append([]string(nil), s.lines[min(s.offset, end):end]...)
	for len(body) < s.height {
		body = append(body, "")
	}
	b.WriteString(strings.Join(body, "\n"))
	b.WriteString("\n" + m.messageLine() + "\n" + m.statusBar())
	return b.String()
}
