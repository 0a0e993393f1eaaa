package tui

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/leads-inbox/leads/store"
	"github.com/leads-inbox/leads/store/safetext"
)

// descLines caps one description on the detail screen: a 10,000-character
// description must not push the rest of the contact off screen.
const descLines = 12

// detailScreen shows one contact: funnel timeline, descriptions, contact
// fields, notes and history.
type detailScreen struct {
	id     string
	pos    int32
	c      *store.Contact
	err    error
	lines  []string
	offset int
	width  int
	height int
}

// setSize follows the terminal: the lines are cut and wrapped to the
// width, so they are laid out again for the new one.
func (d *detailScreen) setSize(m *Model, w, h int) {
	d.width, d.height = w, h
	d.restyle(m)
	d.offset = min(d.offset, max(len(d.lines)-1, 0))
}

// restyle lays the lines out again with the current styles and width.
func (d *detailScreen) restyle(m *Model) {
	if d.c != nil {
		d.lines = m.detailLines(d.c)
	}
}

func (d *detailScreen) scroll(down bool) {
	if down {
		d.offset = min(d.offset+3, max(len(d.lines)-d.height+1, 0))
	} else {
		d.offset = max(d.offset-3, 0)
	}
}

func (m *Model) openDetail(p int32) tea.Cmd {
	id := m.x.dg[p].IDString()
	if m.detail.id != id {
		m.detail = detailScreen{id: id, pos: p, width: m.width, height: m.screenBody()}
	}
	m.screen = screenDetail
	return m.openContactCmd(id)
}

func (d *detailScreen) onContact(m *Model, msg contactMsg) tea.Cmd {
	if msg.err != nil {
		d.err = msg.err
		return nil
	}
	if msg.c == nil || msg.c.ID != d.id {
		return nil // an answer for a contact no longer on screen
	}
	d.c, d.err = msg.c, nil
	d.lines = m.detailLines(msg.c)
	d.offset = min(d.offset, max(len(d.lines)-1, 0))
	return nil
}

func (m *Model) detailKey(k tea.KeyPressMsg) tea.Cmd {
	km := &m.keys
	d := &m.detail
	page := max(d.height-1, 1)
	maxOff := max(len(d.lines)-page, 0)
	switch {
	case key.Matches(k, km.Back, km.Quit):
		m.screen = screenInbox
		return m.fetchRows()
	case isScroll(km, k):
		d.offset, _ = km.scroll(k, d.offset, maxOff, page)
	case key.Matches(k, km.Stats):
		return m.openStats()
	case key.Matches(k, km.NextContact):
		return m.stepContact(1)
	case key.Matches(k, km.PrevContact):
		return m.stepContact(-1)
	case key.Matches(k, km.CopyEmail):
		return m.copyEmail()
	default:
		if p := m.x.find(idOf(d.id)); p >= 0 {
			return m.action(k, p)
		}
	}
	return nil
}

func (m *Model) detailView() string {
	d := &m.detail
	var b strings.Builder
	title := "Contact"
	if d.c != nil {
		title += " · " + safetext.Clean(d.c.Name())
	}
	b.WriteString(m.sty.tabActive.Render(fit(" "+title, m.width)) + "\n")
	body := make([]string, 0, d.height)
	switch {
	case d.err != nil:
		body = append(body, m.sty.errText.Render(fit("Cannot open the contact: "+cleanErr(d.err), m.width)))
	case d.c == nil:
		body = append(body, "Loading…")
	default:
		end := min(d.offset+d.height, len(d.lines))
		body = append(body, d.lines[d.offset:end]...)
	}
	for len(body) < d.height {
		body = append(body, "")
	}
	b.WriteString(strings.Join(body, "\n"))
	b.WriteString("\n" + m.messageLine() + "\n" + m.statusBar())
	return b.String()
}

// detailLines lays the contact out once per change; scrolling then only
// slices the lines.
func (m *Model) detailLines(c *store.Contact) []string { return m.contactLines(c, m.width, 0) }

// contactLines lays the contact out at width w: the contact screen uses
// the whole width, a follow-up session the pane beside or above the draft.
// excerpt > 0 puts the newest reply's first lines in the header too, for
// the preview pane, which shows only the top of the contact.
func (m *Model) contactLines(c *store.Contact, width, excerpt int) []string {
	w := max(width, 20)
	now := m.now()
	s := &m.sty
	var out []string
	add := func(line string) { out = append(out, line) }
	addFit := func(line string) { add(fit(line, w)) }
	cu := &c.Customer

	who := []string{}
	for _, v := range []string{c.Name(), cu.Title, cu.Company} {
		if v = safetext.Clean(v); v != "" {
			who = append(who, v)
		}
	}
	add(s.title.Render(fit(strings.Join(who, " · "), w)))
	switch {
	case c.IsTest:
		add(s.dim.Render(fit("Microsoft test lead: proves the lead destination works; never a customer.", w)))
	case c.IsDNC:
		add(s.dnc.Render(fit(" DO NOT CONTACT: a partner's lead shared as information. No contact actions. ", w)))
	case !c.Contactable():
		add(s.dim.Render(fit("No personal data (.edu customers arrive without it): nobody to contact.", w)))
	}
	var fields []string
	for _, v := range []string{cu.Email, cu.Phone, cu.Country} {
		if v = safetext.Clean(v); v != "" {
			fields = append(fields, v)
		}
	}
	if len(fields) > 0 {
		addFit(strings.Join(fields, " · "))
	}
	t := c.Triage
	total := m.cfg.CadenceFor(c.LatestAction).Total()
	state := fmt.Sprintf("Status %s · %d of %d touches", t.Status, t.Touches, total)
	if !t.NextFollowUp.IsZero() {
		state += fmt.Sprintf(" · touch %d of %d due %s", t.Touches+1, total, longDate(t.NextFollowUp, now))
		if t.NextFollowUp.Before(now) {
			state += " (overdue " + compactDuration(now.Sub(t.NextFollowUp)) + ")"
		}
	}
	if t.LostReason != "" {
		state += " · lost: " + safetext.Clean(t.LostReason)
	}
	switch owner := safetext.Clean(t.Owner); {
	case owner != "" && t.Owner == m.me:
		state += " · owner " + owner + " (you)"
	case owner != "":
		state += " · owner " + owner
	case m.teamViews():
		state += " · unassigned"
	}
	add(s.bold.Render(fit(state, w)))
	if line, sty := m.firstReplyLine(c.ID); line != "" {
		add(sty.Render(fit(line, w)))
	}
	out = append(out, m.mailHeader(c, w, now, excerpt)...)
	leads := "leads"
	if c.LeadCount == 1 {
		leads = "lead"
	}
	addFit(fmt.Sprintf("%d %s · first %s · latest %s · ID %s", c.LeadCount, leads, longDate(c.First, now), longDate(c.Last, now), c.ID))
	add("")

	// The funnel: the path through the actions, then each lead and each
	// message sent, reply and bounce, in the order they happened.
	var path []string
	for i := range c.Leads {
		a := actionLabel(c.Leads[i].Action)
		if len(path) == 0 || path[len(path)-1] != a {
			path = append(path, a)
		}
	}
	add(s.section.Render("Funnel") + " " + fit(strings.Join(path, " → "), w-7))
	items := c.Timeline()
	for j, it := range items {
		if it.Event != nil {
			out = append(out, m.mailLines(it.Event, w, now)...)
		} else {
			m.leadLines(it.Lead, w, now, add)
		}
		if j < len(items)-1 {
			add(s.dim.Render("│"))
		}
	}
	add("")
	add(s.section.Render("Notes"))
	if len(t.Notes) == 0 {
		add(s.dim.Render("  none yet · n adds one"))
	}
	for _, n := range t.Notes {
		text := strings.Split(ansi.Wrap(safetext.CleanMultiline(n.Text), max(w-20, 10), " "), "\n")
		for j, tl := range text {
			prefix := strings.Repeat(" ", 19)
			if j == 0 {
				prefix = "  " + longDate(n.At, now) + " "
			}
			addFit(prefix + tl)
		}
	}
	add("")
	add(s.section.Render("History"))
	if len(c.History) == 0 {
		add(s.dim.Render("  no touches or changes yet"))
	}
	for i := len(c.History) - 1; i >= 0; i-- {
		e := c.History[i]
		line := "  " + longDate(e.At, now) + " " + eventText(e, now)
		if e.Undone {
			add(s.dim.Render(fit(line+" (undone)", w)))
		} else {
			addFit(line)
		}
	}
	return out
}

func actionLabel(a string) string {
	if l, ok := actionLabels[a]; ok {
		return l
	}
	return safetext.Clean(a)
}

func eventText(e store.Event, now time.Time) string {
	switch e.Kind {
	case store.EventTouch:
		s := "touch logged"
		if e.Text != "" {
			s += ": " + safetext.Clean(e.Text)
		}
		return s
	case store.EventStatus:
		s := "status → " + safetext.Clean(e.To)
		if e.Text != "" {
			s += " (" + safetext.Clean(e.Text) + ")"
		}
		return s
	case store.EventFollowUp:
		if e.To == "" {
			return "follow-up cleared"
		}
		if t, err := time.Parse(time.RFC3339, e.To); err == nil {
			return "follow-up set for " + longDate(t, now)
		}
		return "follow-up set"
	case store.EventNote:
		return "note added"
	case store.EventMerge:
		return "work of a former address merged in"
	case store.EventClaim, store.EventRelease:
		return store.OwnerEventText(e)
	case store.EventSent, store.EventReply, store.EventBounce, store.EventBounceCleared:
		return mailEventText(e)
	case store.EventUndo:
		// Text is the kind of event undone, as stored: say it in words.
		what := map[string]string{store.EventTouch: "touch", store.EventStatus: "status change",
			store.EventFollowUp: "follow-up date", store.EventNote: "note",
			store.EventSent: "sent message's touch", store.EventBounceCleared: "clearing of the bouncing mark",
			store.EventClaim: "claim", store.EventRelease: "release"}[e.Text]
		if what == "" {
			what = "change"
		}
		return "undid the last " + what
	}
	return safetext.Clean(e.Kind)
}

// leadLines lays out one lead of the funnel timeline: when, what, which
// offer from where, and its description, capped.
func (m *Model) leadLines(l *store.Lead, w int, now time.Time, add func(string)) {
	s := &m.sty
	offer := safetext.Clean(l.OfferName)
	if id := safetext.Clean(l.OfferID); id != "" && id != offer {
		if offer != "" {
			offer += " (" + id + ")"
		} else {
			offer = id
		}
	}
	src := safetext.Clean(l.Source)
	if sh, ok := sourceShort[l.Source]; ok {
		src = sh[1]
	}
	line := fmt.Sprintf("● %s  %-10s %s · %s", longDate(l.When(), now), fit(actionLabel(l.Action), 10), offer, src)
	if l.IsTest {
		line += " · test"
	}
	add(fit(line, w))
	desc := strings.TrimSpace(safetext.CleanMultiline(l.Description))
	if desc == "" {
		return
	}
	wrapped := strings.Split(ansi.Wrap(desc, max(w-4, 10), " "), "\n")
	more := len(wrapped) - descLines
	if more > 0 {
		wrapped = wrapped[:descLines]
	}
	for _, dl := range wrapped {
		add(s.dim.Render("│   ") + fit(dl, w-4))
	}
	if more > 0 {
		add(s.dim.Render(fit(fmt.Sprintf("│   … %d more lines", more), w)))
	}
}
