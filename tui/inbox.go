package tui

import (
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/leads-inbox/leads/store"
	"github.com/leads-inbox/leads/store/safetext"
	"github.com/leads-inbox/leads/store/view"
	"github.com/leads-inbox/leads/tui/cells"
)

// rowText is what a row shows that is not in the digest: the contact's
// display fields, already sanitised.
type rowText struct {
	name, company, offer, email, country string
}

func rowTextOf(c *store.Contact) rowText {
	name := safetext.Clean(c.Name())
	switch {
	case name == "" && c.Customer.Email != "":
		name = safetext.Clean(c.Customer.Email)
	case name == "" && c.NoPII:
		name = "(no personal data)"
	case name == "":
		name = "(no name)"
	}
	offer := safetext.Clean(c.LatestOfferName)
	if offer == "" {
		offer = safetext.Clean(c.LatestOfferID)
	}
	return rowText{name: name, company: safetext.Clean(c.Customer.Company), offer: offer,
		email: safetext.Clean(c.Customer.Email), country: safetext.Clean(c.Customer.Country)}
}

// rowCacheMax bounds the display cache; scrolling through a million rows
// must not keep a million strings.
const rowCacheMax = 4096

// typeaheadMax bounds the keys kept while the leads load.
const typeaheadMax = 64

// keptWhileLoading reports a key that needs the loaded list (moving the
// cursor, opening the contact under it) and is kept until the list is
// in. At a million leads the first frame shows about a second before the
// full load lands; a rep who reads it and types j j enter means the third
// row, and dropping the keys left the cursor on the first. Keys that
// change a contact are not kept: the rows they would act on are not
// known yet.
func (m *Model) keptWhileLoading(k tea.KeyPressMsg) bool {
	km := &m.keys
	return key.Matches(k, km.Down, km.Up, km.Top, km.Bottom, km.HalfDown, km.HalfUp, km.PageDown, km.PageUp, km.Open)
}

// keptNow reports whether k, arriving now, would be kept by inboxKey: the
// inbox shows with nothing over it, and its leads are still loading.
func (m *Model) keptNow(k tea.KeyPressMsg) bool {
	return m.x == nil && m.loading && m.loadErr == nil && m.screen == screenInbox && !m.overlaid() && m.keptWhileLoading(k)
}

// overlaid reports a prompt, the help, the message log or the filter
// panel over the screen: they take the keys.
func (m *Model) overlaid() bool {
	return m.prompt.kind != promptNone || m.showHelp || m.msgs.showLog || m.panel.open
}

// replayTypeahead applies the keys kept while loading, in order, unless
// the inbox no longer has the keys (another screen, or something over it).
func (m *Model) replayTypeahead() tea.Cmd {
	keys := m.typeahead
	m.typeahead = nil
	var cmds []tea.Cmd
	for _, k := range keys {
		if m.screen != screenInbox || m.overlaid() {
			break
		}
		cmds = append(cmds, m.inboxKey(k))
	}
	return tea.Batch(cmds...)
}

func (m *Model) onLoaded(msg loadedMsg) tea.Cmd {
	m.loading = false
	if msg.err != nil {
		m.typeahead = nil
		m.loadErr = msg.err
		m.opt.Logf("load failed: %s", cleanErr(msg.err))
		return nil
	}
	if msg.from != nil && !msg.x.carryOver(msg.from, m.x) {
		return m.loadCmd() // a full load came first: read it all again
	}
	m.opt.Logf("loaded %d contacts in %v", len(msg.x.dg), msg.took)
	var keep [8]byte
	had := false
	if p := m.selected(); p >= 0 {
		keep, had = m.x.dg[p].ID, true
	}
	m.x, m.lastTest = msg.x, msg.lastTest
	m.x.sortBy = m.sortBy
	m.markArrivals(msg.arrived)
	if m.now().Unix()-m.x.rankAt >= 60 {
		m.x.rank(m.now().Unix()) // a slow load: clocks moved on meanwhile
	}
	early := m.early
	m.early = nil
	var repair tea.Cmd
	if m.rankRepair {
		m.rankRepair = false
		m.opt.Logf("the rank column was out of step with the contacts; rebuilding it")
		repair = m.repairRankCmd()
	}
	if early == nil || early.gen != m.st.Generation() {
		// The rows the early frame read are the same contacts unless
		// this process wrote since.
		clear(m.rows)
	}
	clear(m.pending)
	if m.openSavedOnLoad {
		m.openSavedOnLoad = false
		m.f, _ = m.filtersOf(m.cfg.Views[m.savedAt].Filter())
	}
	m.x.apply(&m.f, m.view)
	if early != nil && early.gen == m.st.Generation() && early.x.rankAt == m.x.rankAt &&
		early.lane == m.view && !m.f.active() && m.x.sortBy == view.ByUrgency && !earlyAgrees(early, m.x) {
		// The rank column missed a write: what the early frame showed
		// was not the contacts' order. Build it again for the next start.
		m.opt.Logf("the rank column disagreed with the contacts; rebuilding it")
		repair = m.repairRankCmd()
	}
	if had {
		m.selectID(keep)
	}
	m.clampCursor()
	var open tea.Cmd
	if start := m.opt.Session; start != nil {
		// 'leads session': once, on the first load.
		m.opt.Session = nil
		m.typeahead = nil
		open = m.openSession(start.Resume)
	} else {
		open = m.replayTypeahead()
	}
	if msg.from != nil {
		return tea.Batch(m.fetchRows(), open, repair) // the search prefilter is carried over
	}
	var stats tea.Cmd
	if early != nil && early.shown {
		stats = m.prepareStatsCmd() // held back while the full load ran
	}
	return tea.Batch(m.fetchRows(), gramsCmd(m.x), open, stats, repair)
}

func (m *Model) onRows(msg rowsMsg) tea.Cmd {
	for _, s := range msg.seqs {
		delete(m.pending, s)
	}
	if msg.err != nil {
		m.sayErr(msg.err)
		return nil
	}
	if len(m.rows) > rowCacheMax {
		clear(m.rows)
	}
	for i := range msg.contacts {
		m.rows[msg.contacts[i].Seq] = rowTextOf(&msg.contacts[i])
	}
	if !m.firstLog {
		m.firstLog = true
		m.opt.Logf("first complete frame after %v", time.Since(m.started))
		// The rep sees the inbox: count the stats screen's figures now.
		return tea.Batch(m.fetchRows(), m.prepareStatsCmd())
	}
	return m.fetchRows()
}

func idOf(s string) [8]byte {
	var id [8]byte
	if b, err := hex.DecodeString(s); err == nil && len(b) == len(id) {
		copy(id[:], b)
	}
	return id
}

func (m *Model) onChanged(msg changedMsg) tea.Cmd {
	if msg.err != nil {
		m.msg, m.msgErr = failText(msg), true
		m.msgs.seq++
		return nil
	}
	m.onSaved(msg)
	pos := m.x.find(idOf(msg.id))
	total := m.cadence().Total()
	if pos >= 0 {
		m.x.setTriage(pos, msg.t, m.now().Unix())
		m.x.apply(&m.f, m.view)
		m.clampCursor()
		total = m.cadenceOf(pos).Total()
	}
	m.say(m.changeText(msg, pos, total))
	var cmds []tea.Cmd
	if m.screen == screenDetail && m.detail.id == msg.id {
		cmds = append(cmds, m.openContactCmd(msg.id))
	}
	if m.stats.s != nil {
		m.stats.summary = m.statsSummary()
	}
	cmds = append(cmds, m.fetchRows())
	return tea.Batch(cmds...)
}

// triageSummary says where a contact stands after a change.
func triageSummary(t store.Triage, now time.Time, total int) string {
	parts := []string{string(t.Status)}
	switch {
	case t.Touches > total:
		parts = append(parts, fmt.Sprintf("%d touches, past the cadence's %d", t.Touches, total))
	case t.Touches > 0:
		parts = append(parts, fmt.Sprintf("%d of %d touches", t.Touches, total))
	}
	if !t.NextFollowUp.IsZero() {
		parts = append(parts, fmt.Sprintf("touch %d of %d due %s", t.Touches+1, total, formatWhen(t.NextFollowUp, now)))
	}
	return ": " + strings.Join(parts, ", ")
}

// rerank re-sorts after time passed, keeping the selected contact.
func (m *Model) rerank() {
	p := m.selected()
	m.x.rank(m.now().Unix())
	m.x.apply(&m.f, m.view)
	if p >= 0 {
		m.selectID(m.x.dg[p].ID)
	}
	m.clampCursor()
}

// refilter applies a changed filter, search or view: the list starts over
// at the top, where the most urgent match is.
func (m *Model) refilter() tea.Cmd {
	if m.x == nil {
		return nil
	}
	m.applyFilters()
	return m.fetchRows()
}

// applyFilters is refilter without fetching rows, for the filter panel,
// which hides the rows until it closes. (Asking for rows marks them
// pending; a dropped request would leave them pending for good.)
func (m *Model) applyFilters() {
	m.x.apply(&m.f, m.view)
	m.cursor, m.offset = 0, 0
}

func (m *Model) selectID(id [8]byte) {
	for j, i := range m.x.visible {
		if m.x.dg[i].ID == id {
			m.cursor = j
			return
		}
	}
}

// selected returns the index position of the contact under the cursor, or -1.
func (m *Model) selected() int32 {
	if m.x == nil || m.cursor < 0 || m.cursor >= len(m.x.visible) {
		return -1
	}
	return m.x.visible[m.cursor]
}

func (m *Model) listHeight() int { return max(m.height-5, 1) }

func (m *Model) clampCursor() {
	n := 0
	if m.x != nil {
		n = len(m.x.visible)
	}
	m.cursor = min(max(m.cursor, 0), max(n-1, 0))
	h := m.listHeight()
	if m.cursor < m.offset {
		m.offset = m.cursor
	}
	if m.cursor >= m.offset+h {
		m.offset = m.cursor - h + 1
	}
	m.offset = min(max(m.offset, 0), max(n-h, 0))
	m.scrollToCursor()
}

func (m *Model) move(d int) tea.Cmd {
	m.cursor += d
	m.clampCursor()
	return m.fetchRows()
}

func (m *Model) setView(v view.Lane) tea.Cmd {
	m.view = v % numViews
	m.savedAt = -1
	return m.refilter()
}

func (m *Model) inboxKey(k tea.KeyPressMsg) tea.Cmd {
	km := &m.keys
	h := m.listHeight()
	if m.x == nil && m.loading && m.loadErr == nil && m.keptWhileLoading(k) {
		if len(m.typeahead) < typeaheadMax {
			m.typeahead = append(m.typeahead, k)
		}
		return nil
	}
	if cmd, ok := m.selectionKey(k); ok {
		return cmd
	}
	switch {
	case key.Matches(k, km.Quit):
		return m.quit()
	case key.Matches(k, km.Back):
		// esc backs out of overlays and prompts; here there is nothing
		// to back out of, and the filters took work to set: x clears.
		if m.f.active() {
			m.say("esc keeps the filters: x clears them (u brings them back)")
		}
		return nil
	case key.Matches(k, km.Down):
		return m.move(1)
	case key.Matches(k, km.Up):
		return m.move(-1)
	case key.Matches(k, km.Top):
		return m.move(-m.cursor)
	case key.Matches(k, km.Bottom):
		return m.move(1 << 30)
	case key.Matches(k, km.HalfDown):
		return m.move(h / 2)
	case key.Matches(k, km.HalfUp):
		return m.move(-h / 2)
	case key.Matches(k, km.PageDown):
		return m.move(h)
	case key.Matches(k, km.PageUp):
		return m.move(-h)
	case key.Matches(k, km.NextView):
		return m.setTab(m.tab() + 1)
	case key.Matches(k, km.PrevView):
		return m.setTab(m.tab() - 1)
	case key.Matches(k, km.ViewAction, km.ViewScheduled, km.ViewAll, km.ViewClosed, km.ViewNoPII, km.ViewDNC, km.ViewTest, km.ViewReplied):
		// By binding, not by the digit typed: [keys] may rebind them.
		for l, b := range []key.Binding{km.ViewAction, km.ViewScheduled, km.ViewAll, km.ViewClosed, km.ViewNoPII, km.ViewDNC, km.ViewTest, km.ViewReplied} {
			if key.Matches(k, b) {
				return m.setView(view.Lane(l))
			}
		}
	case key.Matches(k, km.ViewMine, km.ViewUnassigned, km.ViewTeam):
		for l, b := range map[view.Lane]key.Binding{viewMine: km.ViewMine, viewUnowned: km.ViewUnassigned, viewTeam: km.ViewTeam} {
			if key.Matches(k, b) {
				return m.setView(l)
			}
		}
	case key.Matches(k, km.Search):
		return m.openSearch()
	case key.Matches(k, km.Filter):
		m.openPanel()
		return nil
	case key.Matches(k, km.ClearAll):
		return m.clearFilters()
	case key.Matches(k, km.Stats):
		return m.openStats()
	case key.Matches(k, km.Preview):
		return m.togglePreview()
	case key.Matches(k, km.Session):
		return m.openSession(false)
	case key.Matches(k, km.Open):
		if p := m.selected(); p >= 0 {
			return m.openDetail(p)
		}
		return nil
	}
	if p := m.selected(); p >= 0 {
		return m.action(k, p)
	}
	return nil
}

// blocked says why a contact takes no contact actions, or "".
func (m *Model) blocked(p int32) string {
	d := &m.x.dg[p]
	switch {
	case d.Test():
		return "a Microsoft test lead: it proves the connection works; nobody to follow up"
	case d.DNC():
		return "DO NOT CONTACT: this person must not be contacted; no contact actions"
	case d.NoInfo():
		return "no contact details (.edu or no personal data): nobody to follow up"
	}
	return ""
}

// action runs a triage key on contact p, from the inbox or the detail screen.
func (m *Model) action(k tea.KeyPressMsg, p int32) tea.Cmd {
	km := &m.keys
	contact := key.Matches(k, km.Touch, km.FollowUp, km.Snooze1, km.Snooze3)
	if contact {
		if why := m.blocked(p); why != "" {
			m.msg, m.msgErr = why, true
			return nil
		}
	}
	st := m.st
	switch {
	case key.Matches(k, km.Draft):
		return m.startDraft(p)
	case key.Matches(k, km.Touch):
		if m.x.tri[p].Closed() {
			m.msg, m.msgErr = "this contact is closed: set another status (s) before logging a touch", true
			return nil
		}
		return m.touchOrAsk(p)
	case key.Matches(k, km.Snooze1, km.Snooze3):
		days := 1
		if key.Matches(k, km.Snooze3) {
			days = 3
		}
		due := SnoozeDue(m.now(), m.x.tri[p].Due, days)
		return m.change(p, fmt.Sprintf("snoozed to %s", formatWhen(due, m.now())), func(id string, at time.Time) (store.Triage, error) {
			return st.SetFollowUp(id, due, at)
		})
	case key.Matches(k, km.FollowUp):
		return m.openInput(promptFollowUp, p, "Follow up: ", "tomorrow 3pm, in 3 days, fri, dec 10, 2026-12-01")
	case key.Matches(k, km.Note):
		return m.openInput(promptNote, p, "Note: ", "what happened, what to do next")
	case key.Matches(k, km.Status):
		m.prompt = prompt{kind: promptStatus, pos: p}
		return nil
	case key.Matches(k, km.ClearBounce):
		return m.askClearBounce(p)
	case key.Matches(k, km.Claim):
		return m.claimKey(p)
	}
	return nil
}

func (m *Model) onWheel(msg tea.MouseWheelMsg) tea.Cmd {
	if m.msgs.showLog {
		m.logKey(m.keyFor(msg.Button == tea.MouseWheelDown))
		return nil
	}
	if m.showHelp {
		m.helpWheel(msg.Button == tea.MouseWheelDown)
		return nil
	}
	switch m.screen {
	case screenDetail:
		m.detail.scroll(msg.Button == tea.MouseWheelDown)
		return nil
	case screenStats:
		m.stats.scroll(msg.Button == tea.MouseWheelDown)
		return nil
	case screenDraft, screenSession:
		m.draft.scroll(msg.Button == tea.MouseWheelDown)
		return nil
	}
	if msg.Button == tea.MouseWheelDown {
		return m.move(3)
	}
	return m.move(-3)
}

func (m *Model) onClick(msg tea.MouseClickMsg) tea.Cmd {
	if m.screen != screenInbox || m.prompt.kind != promptNone || m.panel.open || m.showHelp || m.msgs.showLog {
		return nil
	}
	y := msg.Mouse().Y - 3 // tabs, filter line, header
	if m.x == nil || (m.previewShown() && msg.Mouse().X >= m.width*3/5) {
		return nil // no list yet, or a click on the preview pane
	}
	if lines := m.listLines(m.offset, m.listHeight()); y >= 0 && y < len(lines) && !lines[y].header {
		m.cursor = lines[y].row
		m.clampCursor()
	}
	return nil
}

// --- drawing ---

// fit truncates s to w cells and pads it, by the width the terminal
// draws it at, so that wide characters, conjuncts and combining marks
// cannot shift the columns (see package cells).
func fit(s string, w int) string { return cells.Fit(s, w) }

// humanCount writes 1234 as 1.2k and 760000 as 760k, for the tabs.
func humanCount(n int) string {
	switch {
	case n < 1000:
		return strconv.Itoa(n)
	case n < 10_000:
		return fmt.Sprintf("%.1fk", float64(n)/1000)
	case n < 1_000_000:
		return strconv.Itoa(n/1000) + "k"
	}
	return fmt.Sprintf("%.1fM", float64(n)/1e6)
}

var actionLabels = map[string]string{
	store.ActionContactMe: "Contact me", store.ActionStartTestDrive: "Test Drive",
	store.ActionInstall: "Install", store.ActionCreate: "Create", store.ActionDoNotContact: "DNC",
}

var sourceShort = map[string][2]string{
	store.SourceAppSource:        {"AS", "AppSource"},
	store.SourceAzureMarketplace: {"AM", "Azure Mkt"},
	store.SourceAzurePortal:      {"AP", "Azure portal"},
	store.SourceTestDrive:        {"TD", "TestDrive"},
}

// actionName is the label of an action code as a rep knows it.
func (x *index) actionName(code store.Code) string {
	n := x.label(code)
	if l, ok := actionLabels[n]; ok {
		return l
	}
	return n
}

func (x *index) sourceName(code store.Code, long bool) string {
	n := x.label(code)
	if s, ok := sourceShort[n]; ok {
		if long {
			return s[1]
		}
		return s[0]
	}
	return n
}

// clock is the first column: what makes this row urgent (view.Rank.Clock),
// for the tier the row was ranked in.
func (m *Model) clock(i int32, now int64) (string, lipgloss.Style) {
	r := view.RankOf(&m.x.dg[i], m.x.tri[i], m.x.rankAt)
	c := r.Clock(now)
	dur := func(s int64) string { return compactDuration(time.Duration(s) * time.Second) }
	switch r.Tier {
	case view.TierReplied:
		return dur(c) + " ago", m.sty.replied // how long the person has waited
	case view.TierOverdue:
		return dur(c) + " over", m.sty.urgent
	case view.TierHotClock:
		return dur(c) + " left", m.sty.hot
	case view.TierClock:
		return dur(c) + " left", m.sty.warm
	case view.TierHotLate:
		return dur(c) + " late", m.sty.lateHot
	case view.TierLate:
		return dur(c) + " late", m.sty.late
	case view.TierDecide:
		return "decide", m.sty.bold
	case view.TierScheduled:
		return shortDate(time.Unix(c, 0), m.now()), m.sty.ok
	}
	return dur(c) + " ago", m.sty.dim
}

func (m *Model) statusCell(i int32) (string, lipgloss.Style) {
	d := &m.x.dg[i]
	switch {
	case d.Test():
		return "test", m.sty.dim
	case d.DNC():
		return "DNC", m.sty.dnc
	}
	if mark, sty := m.replyMark(m.x.tri[i]); mark != "" {
		return mark, *sty
	}
	st := string(store.Statuses[m.x.tri[i].Status])
	if d.NoInfo() {
		if st == string(store.StatusNew) {
			return "no info", m.sty.dim
		}
	}
	return st, m.sty.row
}

func (m *Model) row(i int32, c columns, selected bool, now int64) string {
	d := &m.x.dg[i]
	rt, ok := m.rows[d.Seq]
	if !ok {
		rt = rowText{name: "…", company: "", offer: m.x.label(d.LatestOffer)}
	}
	clock, clockSty := m.clock(i, now)
	long := c.latest >= 20
	latest := m.x.actionName(d.LatestAction)
	if src := m.x.sourceName(d.LatestSource, long); src != "" {
		sep := "·"
		if long {
			sep = " · "
		}
		latest += sep + src
	}
	status, statusSty := m.statusCell(i)
	tch := fmt.Sprintf("%d/%d", m.x.tri[i].Touches, m.cadenceOf(i).Total())
	var tchSty *lipgloss.Style
	if m.x.tri[i].Touches == 0 {
		tchSty = &m.sty.dim
	}
	var cells []string
	add := func(s string, w int, sty *lipgloss.Style) {
		if w <= 0 {
			return // a column the width has no room for
		}
		s = fit(s, w)
		if sty != nil && !selected {
			s = sty.Render(s)
		}
		cells = append(cells, s)
	}
	if len(m.marks.set) > 0 {
		add(m.markCell(i), 1, &m.sty.ok)
	}
	add(clock, c.clock, &clockSty)
	if m.isFresh(i) {
		// Arrived with the last sync and not seen yet: a marked name.
		add("+ "+rt.name, c.name, &m.sty.title)
	} else {
		add(rt.name, c.name, nil)
	}
	add(rt.company, c.company, nil)
	add(latest, c.latest, nil)
	add(rt.offer, c.offer, nil)
	add(rt.email, c.email, &m.sty.dim)
	add(rt.country, c.country, nil)
	add(status, c.status, &statusSty)
	add(tch, c.tch, tchSty)
	add(ownerTag(m.x.ownerOf(i)), c.owner, ownerSty(m, i))
	if selected {
		return m.sty.selected.Render(strings.Join(cells, " "))
	}
	return strings.Join(cells, " ")
}

// filterLine shows the active filter, always: a rep must never wonder why
// a lead is missing.
func (m *Model) filterLine() string {
	if !m.f.active() {
		return m.sty.dim.Render(fit("No filter · / search · f filter by source, action, offer, country, status", m.width))
	}
	var parts []string
	for k := 0; k < numDims; k++ {
		var vs []string
		for _, c := range m.f.code[k] {
			v := m.x.label(c)
			switch k {
			case dimAction:
				v = m.x.actionName(c)
			case dimOffer:
				v = m.x.offerName(c)
			case dimStatus:
				v = m.choiceLabel(k, c)
			}
			vs = append(vs, v)
		}
		if len(vs) > 0 {
			parts = append(parts, view.Dim(k).String()+"="+strings.Join(vs, "|"))
		}
	}
	if m.f.query != "" {
		parts = append(parts, "search \""+m.f.query+"\"")
	}
	line := "Filter: " + strings.Join(parts, " · ") + "  (x clears)"
	return m.sty.filterOn.Render(fit(line, m.width))
}

func (m *Model) headerLine(c columns) string {
	var h []string
	if len(m.marks.set) > 0 {
		h = append(h, " ") // the marks' gutter
	}
	for _, col := range []struct {
		title string
		w     int
	}{{"Clock", c.clock}, {"Name", c.name}, {"Company", c.company}, {"Latest", c.latest},
		{"Offer", c.offer}, {"Email", c.email}, {"Ctry", c.country}, {"Status", c.status}, {"Tch", c.tch}, {"Owner", c.owner}} {
		if col.w > 0 {
			h = append(h, fit(m.sortTitle(col.title), col.w))
		}
	}
	return m.sty.header.Render(fit(strings.Join(h, " "), m.width))
}

func (m *Model) inboxView() string {
	if m.earlyDrawable() {
		// Drawn from the early index, as it will be once loaded.
		m.x = m.early.x
		defer func() { m.x = nil }()
	}
	var b strings.Builder
	lh := m.listHeight()
	b.WriteString(m.tabs())
	b.WriteByte('\n')
	switch {
	case m.loadErr != nil:
		b.WriteString(m.sty.errText.Render(fit("Cannot load the leads: "+cleanErr(m.loadErr), m.width)))
		b.WriteString(strings.Repeat("\n", lh+2))
	case m.x == nil:
		b.WriteString("\n\n" + fit("  Loading leads…", m.width) + strings.Repeat("\n", lh))
	case m.panel.open:
		b.WriteString(m.filterLine() + "\n")
		b.WriteString(m.panelView(lh + 1))
	default:
		b.WriteString(m.filterLine() + "\n")
		b.WriteString(m.listArea(lh))
	}
	b.WriteString(m.messageLine() + "\n")
	b.WriteString(m.statusBar())
	return b.String()
}

// listBlock draws the column header and lh lines of the list at m.width,
// each line ending in a newline.
func (m *Model) listBlock(lh int) string {
	var b strings.Builder
	c := m.columns()
	m.gutterRoom(&c)
	b.WriteString(m.headerLine(c) + "\n")
	now := m.now().Unix()
	n := 0
	for _, l := range m.listLines(m.offset, lh) {
		if l.header {
			b.WriteString(m.groupHeader(l.g))
		} else {
			b.WriteString(m.row(m.x.visible[l.row], c, l.row == m.cursor, now))
		}
		b.WriteByte('\n')
		n++
	}
	if len(m.x.visible) == 0 {
		// Wrapped, not cut: the hint is what to do next, and is read whole
		// at any width.
		for _, l := range strings.Split(ansi.Wrap(m.emptyText(), max(m.width-2, 10), " "), "\n") {
			if n < lh {
				b.WriteString(m.sty.dim.Render(fit("  "+l, m.width)) + "\n")
				n++
			}
		}
	}
	b.WriteString(strings.Repeat("\n", max(lh-n, 0)))
	return b.String()
}

func (m *Model) emptyText() string {
	if len(m.x.dg) == 0 {
		return "No leads yet: 'leads import FILE' reads an export, S syncs the Azure table, 'leads demo' shows sample leads."
	}
	if m.f.active() {
		return "Nothing matches this filter in this view. x clears the filter; tab shows other views."
	}
	switch m.view {
	case viewAction:
		return "Nothing needs you right now: no overdue follow-ups and no new leads."
	case viewScheduled:
		return "No follow-ups scheduled. Log a touch (t) or set a date (d) to schedule one."
	case viewTest:
		return "No Microsoft test lead yet. Publish or validate an offer to get one."
	}
	return "No contacts here."
}

// messageLine is the prompt when one is open, else the last feedback.
func (m *Model) messageLine() string {
	if m.prompt.kind != promptNone {
		return fit(m.promptView(), m.width)
	}
	if m.msg == "" {
		hints := m.keys.ShortHelp()
		if m.screen == screenStats {
			hints = m.statsHints()
		} else if m.screen != screenInbox {
			k := &m.keys
			hints = []key.Binding{k.Back, k.Draft, k.Touch, k.FollowUp, k.Snooze1, k.Status, k.Note, k.Undo, k.Help}
			p := m.x.find(idOf(m.detail.id))
			if m.screen == screenDetail && p >= 0 && m.blocked(p) != "" {
				hints = []key.Binding{k.Back, k.Status, k.Note, k.Undo, k.Help}
			}
			if m.screen == screenDetail && p >= 0 && m.x.tri[p].Mail&view.MailBouncing != 0 {
				hints = append([]key.Binding{k.Back, k.ClearBounce}, hints[1:]...)
			}
		}
		return m.sty.dim.Render(fit(m.help.ShortHelpView(hints), m.width))
	}
	return m.msgLine()
}

func (m *Model) statusBar() string {
	var left []string
	if m.opt.Banner != "" {
		left = append(left, m.opt.Banner)
	}
	// First, so a narrow terminal still says why changes wait.
	if m.elsewhere != "" {
		left = append(left, m.elsewhere)
	}
	if m.x != nil {
		left = append(left, fmt.Sprintf("%d of %d contacts", len(m.x.visible), m.x.contacts))
		if m.screen == screenInbox && len(m.x.visible) > 0 {
			left[len(left)-1] = fmt.Sprintf("%d/%d · %d contacts", m.cursor+1, len(m.x.visible), m.x.contacts)
		}
		if n := m.marksNote(); n != "" && m.screen == screenInbox {
			left = append(left, n)
		}
	}
	if m.lastTest.IsZero() {
		left = append(left, "no test lead yet")
	} else {
		left = append(left, "test lead "+compactDuration(m.now().Sub(m.lastTest))+" ago")
	}
	switch {
	case m.syncing:
		left = append(left, fmt.Sprintf("%s syncing: %d read", m.spin.View(), m.syncRead))
	case m.syncNote != "":
		left = append(left, m.syncNote)
	}
	if m.mail.note != "" {
		left = append(left, m.mail.note)
	}
	if m.team.note != "" {
		left = append(left, m.team.note)
	}
	l := strings.Join(left, " · ")
	r := "? help"
	space := m.width - ansi.StringWidthWc(r) - 1
	return m.sty.statusBar.Render(fit(" "+fit(l, space-1)+r, m.width))
}
