package tui

import (
	"cmp"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/leads-inbox/leads/store"
	"github.com/leads-inbox/leads/store/safetext"
	"github.com/leads-inbox/leads/store/view"
	"github.com/leads-inbox/leads/tui/draft"
)

// A follow-up session (W, 'leads session') takes the view's contacts in
// urgency order, one at a time: the contact's funnel beside its draft, and
// one key per outcome, which moves on to the next contact. The queue, the
// position and the outcomes live in the store (store.Session) after every
// step, so a session stopped with q, a closed terminal or a crash resumes
// where it stopped. Every change goes through m.change like any other, so
// undo works inside a session, and the summary counts follow it.

// The outcomes of a step, as the summary counts them.
const (
	outSent    = "sent"
	outLogged  = "logged"
	outSnoozed = "snoozed"
	outStatus  = "status"
	outClosed  = "closed"
	outSkipped = "skipped"
)

// sessionMax caps a session's queue: a session is a focused half hour,
// and a view of 600,000 contacts must not become a queue of 600,000 IDs.
const sessionMax = 500

// SessionStart opens the inbox straight into a follow-up session
// ('leads session').
type SessionStart struct {
	// Resume continues the unfinished session kept in the store.
	Resume bool
}

// sessionState is the running session.
type sessionState struct {
	on      bool // the session screen (steps or summary) is open
	ses     store.Session
	summary bool
	// pending is the outcome the key pressed for the current contact
	// waits for: the step ends when its change is saved (changedMsg).
	pending string
	sending bool   // a send is in flight: no other key until it ends
	cur     string // the contact on screen; "" while its draft loads
	c       *store.Contact
	funnel  []string
	names   map[string]string // contact ID → name, for the summary
	next    sessionNext
	// stored is the unfinished session the resume prompt offers.
	stored *store.Session
	seq    uint64 // saves asked for, so that an older one never wins
	saver  *sessionSaver
}

// sessionSaver orders the session's saves, which run in tea.Cmds and so
// may run out of order: a save older than the last one written is dropped.
type sessionSaver struct {
	mu   sync.Mutex
	done uint64
}

// sessionNext is what is due next, for the summary.
type sessionNext struct {
	today, overdue, tomorrow int
	id                       string
	due                      time.Time
}

// sessionStoredMsg carries the unfinished session read from the store.
type sessionStoredMsg struct {
	ses    *store.Session
	resume bool // 'leads session --resume': no question, resume it
	err    error
}

// sessionSavedMsg reports a save of the session that failed.
type sessionSavedMsg struct{ err error }

// sessionNamesMsg carries the names of the summary's contacts.
type sessionNamesMsg struct{ names map[string]string }

// openSession is W: it offers to resume an unfinished session, else
// starts one over the view.
func (m *Model) openSession(resume bool) tea.Cmd {
	if m.x == nil {
		m.say("one moment: the contacts are still loading")
		return nil
	}
	st := m.st
	return func() tea.Msg {
		ses, err := st.LoadSession()
		return sessionStoredMsg{ses: ses, resume: resume, err: err}
	}
}

func (m *Model) onSessionStored(msg sessionStoredMsg) tea.Cmd {
	if msg.err != nil {
		m.sayErr(msg.err)
		if msg.resume {
			return nil
		}
		return m.startSession()
	}
	unfinished := msg.ses != nil && !msg.ses.Done()
	switch {
	case msg.resume && !unfinished:
		m.msg, m.msgErr = "no unfinished session to resume: W starts one on this view", true
		return nil
	case msg.resume:
		return m.resumeSession(msg.ses)
	case unfinished:
		m.sess.stored = msg.ses
		m.prompt = prompt{kind: promptSessionResume, pos: -1, label: fmt.Sprintf(
			"Resume the session on %s (%d of %d left)? y resume · n start anew · esc cancel",
			safetext.Clean(msg.ses.View), len(msg.ses.Queue)-msg.ses.Pos, len(msg.ses.Queue))}
		return nil
	}
	return m.startSession()
}

// sessionResumeKey answers the resume question.
func (m *Model) sessionResumeKey(k tea.KeyPressMsg) tea.Cmd {
	stored := m.sess.stored
	switch k.String() {
	case "y", "Y":
		m.closePrompt()
		return m.resumeSession(stored)
	case "n", "N":
		m.closePrompt()
		return m.startSession()
	case "esc", "q":
		m.closePrompt()
		m.say("no session")
	}
	return nil
}

// viewLabel names the view the inbox shows, as the session keeps it.
func (m *Model) viewLabel() string {
	name := viewNames[m.view]
	if m.savedAt >= 0 && m.savedAt < len(m.cfg.Views) {
		name = m.cfg.Views[m.savedAt].Name
	}
	if m.f.active() {
		name += " (filtered)"
	}
	return name
}

// startSession takes the view's contacts, with its filters and search, in
// urgency order (whatever the list is sorted by).
func (m *Model) startSession() tea.Cmd {
	x := m.x
	vis := slices.Clone(x.visible)
	if m.sortBy != view.ByUrgency {
		pos := make([]int32, len(x.dg))
		for j, i := range x.order {
			pos[i] = int32(j)
		}
		slices.SortFunc(vis, func(a, b int32) int { return cmp.Compare(pos[a], pos[b]) })
	}
	if len(vis) == 0 {
		m.msg, m.msgErr = "no contacts in this view to work through: pick another view (tab) or clear the filter (x)", true
		return nil
	}
	n := min(len(vis), sessionMax)
	q := make([]string, n)
	for j := range n {
		q[j] = x.dg[vis[j]].IDString()
	}
	ses := store.Session{View: m.viewLabel(), Started: m.now(), Queue: q}
	cmd := m.enterSession(ses)
	if len(vis) > n {
		m.say(fmt.Sprintf("session of the %d most urgent of %d contacts", n, len(vis)))
	}
	return cmd
}

// resumeSession continues a session kept in the store.
func (m *Model) resumeSession(ses *store.Session) tea.Cmd {
	cmd := m.enterSession(*ses)
	m.say(fmt.Sprintf("resumed the session on %s at %d of %d", safetext.Clean(ses.View), ses.Pos+1, len(ses.Queue)))
	return cmd
}

func (m *Model) enterSession(ses store.Session) tea.Cmd {
	saver := m.sess.saver
	if saver == nil {
		saver = &sessionSaver{}
	}
	m.sess = sessionState{on: true, ses: ses, names: map[string]string{}, saver: saver, seq: m.sess.seq}
	m.screen = screenSession
	return m.sessionShow()
}

// sessionShow shows the contact at the session's position, skipping the
// guarded ones with their reason, or the summary when the queue is done.
func (m *Model) sessionShow() tea.Cmd {
	s := &m.sess
	cleanup := m.dropKeptDraft()
	s.cur, s.c, s.funnel, s.pending = "", nil, nil, ""
	for !s.ses.Done() {
		id := s.ses.Queue[s.ses.Pos]
		p := m.x.find(idOf(id))
		if p < 0 {
			m.sessionRecord(id, outSkipped, "no longer in the inbox (forgotten or merged)")
			continue
		}
		if why := m.sessionGuard(p); why != "" {
			if n := m.nameOf(p); n != "" {
				s.names[id] = n
			}
			m.sessionRecord(id, outSkipped, why)
			continue
		}
		s.cur = id
		return tea.Batch(cleanup, m.sessionSave(), m.loadDraft(id, false))
	}
	return tea.Batch(cleanup, m.sessionSave(), m.openSummary())
}

// sessionGuard says why contact p gets no step, in the summary's words,
// or "": the draft guards (DNC, test lead, no address, closed) and an
// address the mailbox said bounces.
func (m *Model) sessionGuard(p int32) string {
	d, t := &m.x.dg[p], m.x.tri[p]
	switch {
	case d.Test():
		return "Microsoft test lead"
	case d.DNC():
		return "do not contact"
	case d.NoInfo():
		return "no contact details"
	case t.Closed():
		return "closed (" + string(store.Statuses[t.Status]) + ")"
	case t.Mail&view.MailBouncing != 0:
		return "address bouncing"
	}
	return ""
}

// sessionRecord files the outcome of the step at the position and moves on.
func (m *Model) sessionRecord(id, kind, note string) {
	s := &m.sess
	s.ses.Outcomes = append(s.ses.Outcomes, store.SessionOutcome{ID: id, Kind: kind, Note: note})
	s.ses.Pos++
}

// dropKeptDraft removes an editor file kept from the last step (the rep's
// text that could not be used), as leaving a draft does.
func (m *Model) dropKeptDraft() tea.Cmd {
	kept := m.draft.keptPath
	if kept == "" {
		return nil
	}
	m.draft.keptPath = ""
	logf := m.opt.Logf
	return func() tea.Msg {
		if err := os.Remove(kept); err != nil && !errors.Is(err, os.ErrNotExist) {
			logf("could not remove the editor file %s: %v", kept, err)
		}
		return nil
	}
}

// sessionSave keeps the session in the store; one that is through is
// removed, so that W then starts a new one.
func (m *Model) sessionSave() tea.Cmd {
	s := &m.sess
	s.seq++
	seq, sv, st := s.seq, s.saver, m.st
	snap := s.ses
	snap.Queue, snap.Outcomes = slices.Clone(snap.Queue), slices.Clone(snap.Outcomes)
	return func() tea.Msg {
		sv.mu.Lock()
		defer sv.mu.Unlock()
		if seq <= sv.done {
			return nil
		}
		sv.done = seq
		var err error
		if snap.Done() {
			err = st.EndSession()
		} else {
			err = st.SaveSession(snap)
		}
		if err != nil {
			return sessionSavedMsg{err: fmt.Errorf("the session's place was not saved (%w): finish it now, it cannot be resumed", err)}
		}
		return nil
	}
}

// sessionDraftLoaded prepares the step's draft: the template chosen by the
// funnel and the touch, as the draft screen chooses it. A contact the
// draft guards refuse is skipped with the guard's reason.
func (m *Model) sessionDraftLoaded(msg draftLoadedMsg) tea.Cmd {
	s := &m.sess
	if msg.err != nil {
		m.sessionRecord(msg.id, outSkipped, "cannot be read: "+cleanErr(msg.err))
		return m.sessionShow()
	}
	s.names[msg.id] = rowTextOf(msg.c).name
	if msg.c.Triage.Bouncing {
		m.sessionRecord(msg.id, outSkipped, "address bouncing")
		return m.sessionShow()
	}
	m.draft = draftScreen{id: msg.id, from: screenSession, c: msg.c, set: msg.set, sender: msg.sender,
		width: m.width, height: m.screenBody(), touches: m.cfg.CadenceFor(msg.c.LatestAction).Total()}
	if msg.warn != nil {
		m.draft.warn = cleanErr(msg.warn)
	}
	err := m.draft.prepare("")
	var refusal *draft.Refusal
	if errors.As(err, &refusal) {
		why := strings.TrimPrefix(safetext.Clean(refusal.Reason), "no draft: ")
		if refusal.Confirmable {
			why = "closed (" + string(msg.c.Triage.Status) + ")"
		}
		m.sessionRecord(msg.id, outSkipped, why)
		return m.sessionShow()
	}
	s.c = msg.c
	m.sessionLayout()
	return nil
}

// sessionWide says whether the funnel stands beside the draft (a wide
// terminal) rather than above it.
func (m *Model) sessionWide() bool { return m.width >= 120 }

// sessionLayout lays the funnel and the draft out for the terminal's size.
func (m *Model) sessionLayout() {
	s := &m.sess
	if s.c == nil {
		return
	}
	body := m.screenBody()
	if m.sessionWide() {
		lw := (m.width - 3) * 9 / 20
		s.funnel = m.contactLines(s.c, lw, 0)
		m.draft.width, m.draft.height = m.width-3-lw, body
	} else {
		var lines []string
		for _, l := range m.contactLines(s.c, m.width, 0) {
			if strings.TrimSpace(ansi.Strip(l)) != "" {
				lines = append(lines, l)
			}
		}
		s.funnel = lines[:min(len(lines), max(body/3, 4))]
		m.draft.width, m.draft.height = m.width, max(body-len(s.funnel)-1, 1)
	}
	m.draft.layout()
	m.draft.offset = min(m.draft.offset, max(len(m.draft.lines)-1, 0))
}

// sessionKey answers a key on the session's screen.
func (m *Model) sessionKey(k tea.KeyPressMsg) tea.Cmd {
	km := &m.keys
	s := &m.sess
	if s.summary {
		if key.Matches(k, km.Back, km.Quit) || k.String() == "enter" {
			return m.closeSession()
		}
		return nil
	}
	if s.sending || m.draft.busy {
		m.say("one moment: the message is still on its way (or the editor open)")
		return nil
	}
	if key.Matches(k, km.Back, km.Quit) {
		return tea.Batch(m.sessionSave(), m.openSummary())
	}
	if s.cur == "" {
		return nil // the draft is still loading
	}
	p := m.x.find(idOf(s.cur))
	if p < 0 {
		m.sessionRecord(s.cur, outSkipped, "no longer in the inbox (forgotten or merged)")
		return m.sessionShow()
	}
	d := &m.draft
	switch {
	case key.Matches(k, km.SessionSend):
		return m.sessionAskSend()
	case key.Matches(k, km.DraftEdit):
		if d.err != nil {
			m.msg, m.msgErr = "no draft to edit: "+cleanErr(d.err), true
			return nil
		}
		return m.draftOutput(k)
	case key.Matches(k, km.Touch):
		s.pending = outLogged
		return m.action(k, p)
	case key.Matches(k, km.Snooze1, km.Snooze3):
		s.pending = outSnoozed
		return m.action(k, p)
	case key.Matches(k, km.Status):
		s.pending = outStatus
		m.prompt = prompt{kind: promptStatus, pos: p}
		return nil
	case key.Matches(k, km.SessionSkip):
		m.sessionRecord(s.cur, outSkipped, "skipped by you")
		m.say(s.names[s.cur] + ": skipped")
		return m.sessionShow()
	case isScroll(km, k):
		page := max(d.height-1, 1)
		d.offset, _ = km.scroll(k, d.offset, max(len(d.lines)-page, 0), page)
	}
	return nil
}

// sessionAskSend asks to send the draft on screen, showing From, To and
// Subject; without a transport or a sender it says what to set up and the
// step stays.
func (m *Model) sessionAskSend() tea.Cmd {
	d := &m.draft
	switch {
	case m.opt.Transport == nil:
		m.msg, m.msgErr = "sending is not set up: add a [mail] section to the config (leads config) · t logs a touch you sent yourself", true
	case d.err != nil:
		m.msg, m.msgErr = "no draft to send: "+cleanErr(d.err), true
	case d.sender.Email == "":
		m.msg, m.msgErr = "no sender address: set email in the [sender] section of the config (leads config)", true
	default:
		m.prompt = prompt{kind: promptSessionSend, pos: -1, label: "Send this message to " + safetext.Clean(d.d.To) + "? y send · n no"}
	}
	return nil
}

// sessionSendKey answers the send confirmation.
func (m *Model) sessionSendKey(k tea.KeyPressMsg) tea.Cmd {
	switch k.String() {
	case "y", "Y":
		m.closePrompt()
		s, d := &m.sess, &m.draft
		s.pending, s.sending = outSent, true
		m.say("sending to " + safetext.Clean(d.d.To) + "…")
		return m.sendCmd(d.id, s.names[d.id], d.d, d.sender)
	case "n", "N", "esc", "q":
		m.closePrompt()
		m.say("not sent")
	}
	return nil
}

// sessionSendLines are the confirmation's lines: who it is from and to,
// the subject, and the transport that takes it.
func (m *Model) sessionSendLines(w int) []string {
	d := &m.draft
	from := d.sender.Email
	if d.sender.Name != "" {
		from = d.sender.Name + " <" + from + ">"
	}
	via := ""
	if m.opt.Transport != nil {
		via = m.opt.Transport.String()
	}
	out := []string{m.sty.prompt.Render(fit("Send this message?", w))}
	for _, l := range [][2]string{{"From", from}, {"To", d.d.To}, {"Subject", d.d.Subject}, {"Via", via}} {
		out = append(out, fit(fmt.Sprintf("  %-8s %s", l[0]+":", safetext.Clean(l[1])), w))
	}
	return append(out, m.sty.dim.Render(fit("  y send · n keep the draft", w)))
}

// sessionChanged follows a saved change: the current contact's outcome
// ends its step, and an undo or redo takes a step's outcome out of the
// summary or back in.
func (m *Model) sessionChanged(msg changedMsg) tea.Cmd {
	s := &m.sess
	if !s.on {
		return nil
	}
	if msg.err != nil {
		if msg.id == s.cur {
			s.sending, s.pending = false, ""
		}
		return nil
	}
	switch msg.kind {
	case kindChange:
		if msg.id != s.cur || s.pending == "" || s.summary {
			return nil
		}
		kind, note := s.pending, ""
		switch {
		case kind == outStatus && msg.t.Status.Closed():
			kind, note = outClosed, string(msg.t.Status)
			if msg.t.LostReason != "" {
				note += " (" + safetext.Clean(msg.t.LostReason) + ")"
			}
		case kind == outStatus:
			note = string(msg.t.Status)
		}
		s.sending = false
		m.sessionRecord(s.cur, kind, note)
		return m.sessionShow()
	case kindUndo, kindRedo:
		undo := msg.kind == kindUndo
		for i := len(s.ses.Outcomes) - 1; i >= 0; i-- {
			o := &s.ses.Outcomes[i]
			if o.ID == msg.id && o.Kind != outSkipped && o.Undone != undo {
				o.Undone = undo
				if s.summary {
					m.sessionCountNext()
				}
				return m.sessionSave()
			}
		}
	}
	return nil
}

// onSessionMailSent ends a failed send's wait: the step stays, and the
// message says why it was not sent.
func (m *Model) onSessionMailSent(msg mailSentMsg) {
	if s := &m.sess; s.on && msg.id == s.cur && msg.err != nil {
		s.sending, s.pending = false, ""
	}
}

// openSummary shows the session's summary and reads the names it needs.
func (m *Model) openSummary() tea.Cmd {
	s := &m.sess
	s.summary, s.cur, s.pending = true, "", ""
	m.sessionCountNext()
	var ids []string
	for _, o := range s.ses.Outcomes {
		if _, ok := s.names[o.ID]; !ok && !slices.Contains(ids, o.ID) {
			ids = append(ids, o.ID)
		}
	}
	if s.next.id != "" {
		ids = append(ids, s.next.id)
	}
	st := m.st
	return func() tea.Msg {
		names := map[string]string{}
		for _, id := range ids {
			if c, err := st.Contact(id); err == nil && c != nil {
				names[id] = rowTextOf(c).name
			}
		}
		return sessionNamesMsg{names: names}
	}
}

// sessionCountNext counts the follow-ups due today and tomorrow, and finds
// the one due first, over every open contact.
func (m *Model) sessionCountNext() {
	now := m.now()
	y, mo, d := now.Date()
	tomorrow := time.Date(y, mo, d+1, 0, 0, 0, 0, now.Location()).Unix()
	after := time.Date(y, mo, d+2, 0, 0, 0, 0, now.Location()).Unix()
	var n sessionNext
	first := int64(0)
	for i := range m.x.tri {
		t := m.x.tri[i]
		if t.Due == 0 || t.Closed() || m.x.dg[i].Test() || m.x.dg[i].DNC() {
			continue
		}
		switch {
		case t.Due < tomorrow:
			n.today++
			if t.Due <= now.Unix() {
				n.overdue++
			}
		case t.Due < after:
			n.tomorrow++
		}
		if first == 0 || t.Due < first {
			first, n.id = t.Due, m.x.dg[i].IDString()
		}
	}
	if first != 0 {
		n.due = time.Unix(first, 0).In(now.Location())
	}
	m.sess.next = n
}

// closeSession leaves the summary for the inbox; an unfinished session
// stays in the store for W or 'leads session --resume'.
func (m *Model) closeSession() tea.Cmd {
	s := &m.sess
	if !s.ses.Done() {
		m.say(fmt.Sprintf("session stopped at %d of %d: W resumes it", s.ses.Pos+1, len(s.ses.Queue)))
	} else {
		m.say("session done")
	}
	m.sess = sessionState{saver: s.saver, seq: s.seq}
	m.screen = screenInbox
	m.x.apply(&m.f, m.view)
	m.clampCursor()
	return m.fetchRows()
}

// sessionTally counts the outcomes the summary shows; an undone change
// does not count, but a sent message does (the touch's log is undone,
// the message went out all the same).
type sessionTally struct {
	sent, sentUndone, logged, snoozed, status, won, lost, skipped int
}

func (s *sessionState) tally() sessionTally {
	var t sessionTally
	for _, o := range s.ses.Outcomes {
		if o.Undone {
			if o.Kind == outSent {
				t.sent++
				t.sentUndone++
			}
			continue
		}
		switch o.Kind {
		case outSent:
			t.sent++
		case outLogged:
			t.logged++
		case outSnoozed:
			t.snoozed++
		case outStatus:
			t.status++
		case outClosed:
			if strings.HasPrefix(o.Note, string(store.StatusWon)) {
				t.won++
			} else {
				t.lost++
			}
		case outSkipped:
			t.skipped++
		}
	}
	return t
}

// sessionView draws a step: the funnel beside (wide) or above the draft.
func (m *Model) sessionView() string {
	s := &m.sess
	if s.summary {
		return m.summaryView()
	}
	var b strings.Builder
	title := fmt.Sprintf("Session · %s · %d of %d", safetext.Clean(s.ses.View), min(s.ses.Pos+1, len(s.ses.Queue)), len(s.ses.Queue))
	d := &m.draft
	if s.c != nil {
		title += " · " + s.names[s.cur] + " · template " + safetext.Clean(d.tmpl)
		if d.err == nil && d.d.Touch > 0 {
			title += fmt.Sprintf(" · touch %d of %d", d.d.Touch, d.touches)
		}
	}
	b.WriteString(m.sty.tabActive.Render(fit(" "+title, m.width)) + "\n")
	body := m.screenBody()
	var lines []string
	if s.c == nil {
		lines = append(lines, "Loading…")
	} else {
		dl := m.sessionDraftLines()
		if m.sessionWide() {
			lw := (m.width - 3) * 9 / 20
			for i := range body {
				l, r := strings.Repeat(" ", lw), ""
				if i < len(s.funnel) {
					l = padCells(s.funnel[i], lw)
				}
				if i < len(dl) {
					r = dl[i]
				}
				lines = append(lines, l+m.sty.dim.Render(" │ ")+r)
			}
		} else {
			lines = append(lines, s.funnel...)
			lines = append(lines, m.sty.section.Render(fit("── Draft "+strings.Repeat("─", max(m.width, 10)), m.width)))
			lines = append(lines, dl...)
		}
	}
	for len(lines) < body {
		lines = append(lines, "")
	}
	b.WriteString(strings.Join(lines[:body], "\n"))
	footer := m.messageLine()
	if m.prompt.kind == promptNone && m.msg == "" {
		footer = m.sty.dim.Render(fit(m.help.ShortHelpView(m.sessionHints()), m.width))
	}
	b.WriteString("\n" + footer + "\n" + m.statusBar())
	return b.String()
}

// sessionDraftLines is the draft pane: the send confirmation first while
// it is asked, a broken template's note, then the draft from its offset.
func (m *Model) sessionDraftLines() []string {
	d := &m.draft
	w := d.width
	var out []string
	if m.prompt.kind == promptSessionSend {
		out = append(out, m.sessionSendLines(w)...)
		out = append(out, "")
	}
	if d.warn != "" {
		out = append(out, m.sty.errText.Render(fit("Note: "+d.warn, w)))
	}
	rows := max(d.height-len(out), 1)
	end := min(d.offset+rows, len(d.lines))
	for i, l := range d.lines[min(d.offset, end):end] {
		if d.err != nil && i+d.offset < 2 {
			l = m.sty.errText.Render(l)
		}
		out = append(out, l)
	}
	for len(out) < d.height {
		out = append(out, strings.Repeat(" ", w))
	}
	return out[:d.height]
}

// summaryView draws the session's summary.
func (m *Model) summaryView() string {
	s := &m.sess
	w := m.width
	var b strings.Builder
	title := "Session summary · " + safetext.Clean(s.ses.View)
	if s.ses.Done() {
		title += fmt.Sprintf(" · all %d contacts", len(s.ses.Queue))
	} else {
		title += fmt.Sprintf(" · stopped at %d of %d", s.ses.Pos+1, len(s.ses.Queue))
	}
	b.WriteString(m.sty.tabActive.Render(fit(" "+title, w)) + "\n")
	t := s.tally()
	name := func(id string) string {
		if n := s.names[id]; n != "" {
			return n
		}
		return "contact " + id
	}
	var lines []string
	add := func(l string) { lines = append(lines, fit(l, w)) }
	row := func(label string, n int, more string) {
		l := fmt.Sprintf("  %-15s %3d", label, n)
		if more != "" {
			l += "  " + more
		}
		add(l)
	}
	sentMore := ""
	if t.sentUndone > 0 {
		sentMore = fmt.Sprintf("(%d touch log undone: the message went out all the same)", t.sentUndone)
	}
	row("Sent", t.sent, sentMore)
	row("Logged", t.logged, "")
	row("Snoozed", t.snoozed, "")
	row("Closed", t.won+t.lost, fmt.Sprintf("won %d · lost %d", t.won, t.lost))
	row("Status changes", t.status, "")
	row("Skipped", t.skipped, "")
	for _, o := range s.ses.Outcomes {
		if o.Kind == outSkipped {
			add("    " + name(o.ID) + ": " + safetext.Clean(o.Note))
		}
	}
	var changed []string
	for _, o := range s.ses.Outcomes {
		if (o.Kind == outStatus || o.Kind == outClosed) && !o.Undone {
			changed = append(changed, name(o.ID)+" → "+safetext.Clean(o.Note))
		}
	}
	if len(changed) > 0 {
		add("  Statuses: " + strings.Join(changed, " · "))
	}
	add("")
	n := s.next
	due := fmt.Sprintf("Due next: %d today", n.today)
	if n.overdue > 0 {
		due += fmt.Sprintf(" (%d overdue)", n.overdue)
	}
	due += fmt.Sprintf(" · %d tomorrow", n.tomorrow)
	add(due)
	if n.id != "" {
		add("  first: " + name(n.id) + ", " + longDate(n.due, m.now()))
	}
	add("")
	if !s.ses.Done() {
		lines = append(lines, m.sty.dim.Render(fit("The session is kept: W in the inbox or 'leads session --resume' continues it.", w)))
	}
	body := m.screenBody()
	for len(lines) < body {
		lines = append(lines, "")
	}
	b.WriteString(strings.Join(lines[:body], "\n"))
	footer := m.messageLine()
	if m.prompt.kind == promptNone && m.msg == "" {
		footer = m.sty.dim.Render(fit("enter/q/esc back to the inbox · u undoes the last change", w))
	}
	b.WriteString("\n" + footer + "\n" + m.statusBar())
	return b.String()
}

// sessionHints is the footer of a step: every outcome's key, in few words
// so that they fit 80 columns, under the keys in force ([keys] may rebind
// them).
func (m *Model) sessionHints() []key.Binding {
	k := &m.keys
	first := func(b key.Binding) string {
		if ks := b.Keys(); len(ks) > 0 {
			return ks[0]
		}
		return "?"
	}
	h := func(name, desc string) key.Binding {
		return key.NewBinding(key.WithKeys(name), key.WithHelp(name, desc))
	}
	return []key.Binding{h(first(k.SessionSend), "send"), h(first(k.DraftEdit), "edit+send"), h(first(k.Touch), "log call"),
		h(first(k.Snooze1)+"/"+first(k.Snooze3), "snooze"), h(first(k.Status), "status"), h(first(k.SessionSkip), "skip"),
		h(first(k.Quit), "stop")}
}

// padCells pads or cuts a styled line to w cells: the funnel's lines are
// cut to the pane, but its blank and section lines are not padded, and
// the draft pane must start in the same column on every line.
func padCells(s string, w int) string {
	n := ansi.StringWidthWc(s)
	if n > w {
		return ansi.TruncateWc(s, w, "")
	}
	return s + strings.Repeat(" ", w-n)
}
