package tui

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/leads-inbox/leads/store"
	"github.com/leads-inbox/leads/store/safetext"
)

// marks are the contacts marked for a batch action, by ID, so they
// survive a reload, a re-rank and a change of filter. A marked contact the
// view or filter hides stays marked (the footer says "2 marked, 1
// hidden"), but actions only ever reach the marked rows on screen: a rep
// acts on what they can see.
type marks struct {
	set    map[[8]byte]struct{}
	anchor [8]byte // the last contact marked with space: where v starts
	hasAnc bool
}

func (k *marks) has(id [8]byte) bool { _, ok := k.set[id]; return ok }

func (k *marks) add(id [8]byte) {
	if k.set == nil {
		k.set = map[[8]byte]struct{}{}
	}
	k.set[id] = struct{}{}
}

func (k *marks) clear() { *k = marks{} }

// markedRows are the marked contacts on screen, in list order.
func (m *Model) markedRows() []int32 {
	if m.x == nil || len(m.marks.set) == 0 {
		return nil
	}
	var out []int32
	for _, i := range m.x.visible {
		if m.marks.has(m.x.dg[i].ID) {
			out = append(out, i)
		}
	}
	return out
}

// marksNote is the footer's count of marks: "3 marked", "3 marked, 1
// hidden", or "" with none.
func (m *Model) marksNote() string {
	n := len(m.marks.set)
	if n == 0 {
		return ""
	}
	if hidden := n - len(m.markedRows()); hidden > 0 {
		return fmt.Sprintf("%d marked, %d hidden", n, hidden)
	}
	return fmt.Sprintf("%d marked", n)
}

// toggleMark is space: mark the row (or unmark it) and move down, so that
// holding space marks a run of rows. The row becomes where v starts.
func (m *Model) toggleMark() tea.Cmd {
	p := m.selected()
	if p < 0 {
		return nil
	}
	id := m.x.dg[p].ID
	if m.marks.has(id) {
		delete(m.marks.set, id)
	} else {
		m.marks.add(id)
	}
	m.marks.anchor, m.marks.hasAnc = id, true
	return m.move(1)
}

// markRange is v: mark every row from the last row marked with space to
// the cursor, both included, as shift-click does in a mail client. With
// no such row on screen it marks the cursor's row and starts there.
func (m *Model) markRange() tea.Cmd {
	p := m.selected()
	if p < 0 {
		return nil
	}
	from := -1
	if m.marks.hasAnc {
		from = slices.IndexFunc(m.x.visible, func(i int32) bool { return m.x.dg[i].ID == m.marks.anchor })
	}
	if from < 0 {
		m.marks.add(m.x.dg[p].ID)
		m.marks.anchor, m.marks.hasAnc = m.x.dg[p].ID, true
		m.say("marked this row; v again, on another row, marks every row between")
		return nil
	}
	lo, hi := min(from, m.cursor), max(from, m.cursor)
	for _, i := range m.x.visible[lo : hi+1] {
		m.marks.add(m.x.dg[i].ID)
	}
	m.say(fmt.Sprintf("marked rows %d to %d (%d) · %s", lo+1, hi+1, hi-lo+1, m.marksNote()))
	return nil
}

// markAll is V or ctrl+a: mark every row of the view; when all of them
// are marked already, clear every mark instead.
func (m *Model) markAll() {
	if m.x == nil {
		return
	}
	if len(m.x.visible) > 0 && len(m.markedRows()) == len(m.x.visible) {
		m.marks.clear()
		m.say("marks cleared")
		return
	}
	for _, i := range m.x.visible {
		m.marks.add(m.x.dg[i].ID)
	}
	m.say(fmt.Sprintf("marked all %d rows of %s · V again clears, esc clears", len(m.x.visible), viewNames[m.view]))
}

// selectionKey handles the marking keys in the inbox; ok is false for any
// other key.
func (m *Model) selectionKey(k tea.KeyPressMsg) (tea.Cmd, bool) {
	km := &m.keys
	switch {
	case key.Matches(k, km.Mark):
		return m.toggleMark(), true
	case key.Matches(k, km.MarkRange):
		return m.markRange(), true
	case key.Matches(k, km.MarkAll):
		m.markAll()
		return nil, true
	case key.Matches(k, km.Back) && len(m.marks.set) > 0:
		m.say(fmt.Sprintf("%d marks cleared", len(m.marks.set)))
		m.marks.clear()
		return nil, true
	case key.Matches(k, km.SortNext):
		return m.cycleSort(), true
	case key.Matches(k, km.SortReverse):
		return m.reverseSort(), true
	}
	if len(m.marks.set) > 0 && key.Matches(k, km.Claim) {
		if len(m.markedRows()) == 0 {
			return m.batchAction(k), true // says the marked are out of view
		}
		return m.batchClaim(), true
	}
	if len(m.marks.set) > 0 && key.Matches(k, km.Touch, km.FollowUp, km.Snooze1, km.Snooze3, km.Status, km.Note) {
		return m.batchAction(k), true
	}
	return nil, false
}

// skipWhy is why one marked contact is left out of a batch, in a word or two
// for the count ("1 skipped (DNC)"); "" means it takes the action.
func (m *Model) skipWhy(p int32, contact bool) string {
	d := &m.x.dg[p]
	switch {
	case d.Test():
		return "test lead"
	case d.DNC():
		return "DNC"
	case contact && d.NoInfo():
		return "no contact info"
	}
	return ""
}

// batch is a batch action in the making: the marked rows it reaches and
// those it leaves out, with why.
type batch struct {
	targets []int32
	skipped map[string]int
	hidden  int // marked but not on screen: never touched

	pending *undoEntry // the change built, waiting for y (promptConfirmBatch)
}

// bigBatch is the most rows a batch changes without asking first: past
// it, V on a large view followed by one key would change thousands of
// contacts, each saved on its own, and their undo as long.
const bigBatch = 100

func (b *batch) skip(why string) {
	if b.skipped == nil {
		b.skipped = map[string]int{}
	}
	b.skipped[why]++
}

// skipText is "; 1 skipped (DNC)", "; 3 skipped (1 DNC, 2 closed)" or "".
func (b *batch) skipText() string {
	n := 0
	var whys []string
	for w, c := range b.skipped {
		n += c
		whys = append(whys, w)
	}
	slices.Sort(whys)
	var s string
	switch {
	case n == 0:
	case len(whys) == 1:
		s = fmt.Sprintf("; %d skipped (%s)", n, whys[0])
	default:
		parts := make([]string, len(whys))
		for j, w := range whys {
			parts[j] = fmt.Sprintf("%d %s", b.skipped[w], w)
		}
		s = fmt.Sprintf("; %d skipped (%s)", n, strings.Join(parts, ", "))
	}
	if b.hidden > 0 {
		s += fmt.Sprintf("; %d marked out of view left alone", b.hidden)
	}
	return s
}

// gather collects the marked rows on screen that keep is happy with
// (keep returns why a row is skipped, or "").
func (m *Model) gather(keep func(p int32) string) *batch {
	b := &batch{}
	rows := m.markedRows()
	b.hidden = len(m.marks.set) - len(rows)
	for _, p := range rows {
		if why := keep(p); why != "" {
			b.skip(why)
			continue
		}
		b.targets = append(b.targets, p)
	}
	return b
}

// batchAction is an action key with rows marked: it applies to every
// marked row on screen, each guarded as it would be alone, and one u
// undoes it all.
func (m *Model) batchAction(k tea.KeyPressMsg) tea.Cmd {
	km := &m.keys
	if len(m.markedRows()) == 0 {
		m.msg, m.msgErr = fmt.Sprintf("the %d marked are not in this view: show them (tab, x) or esc clears the marks", len(m.marks.set)), true
		return nil
	}
	contact := func(p int32) string { return m.skipWhy(p, true) }
	switch {
	case key.Matches(k, km.Touch):
		b := m.gather(func(p int32) string {
			if why := contact(p); why != "" {
				return why
			}
			if m.x.tri[p].Closed() {
				return "closed"
			}
			return ""
		})
		return m.batchTouch(b)
	case key.Matches(k, km.Snooze1, km.Snooze3):
		days := 1
		if key.Matches(k, km.Snooze3) {
			days = 3
		}
		b := m.gather(contact)
		st, now := m.st, m.now()
		return m.runBatch(b, fmt.Sprintf("snoozed %d day(s)", days), func(p int32) (string, changeFn) {
			from := now
			if due := m.x.tri[p].Due; due > from.Unix() {
				from = time.Unix(due, 0).In(from.Location())
			}
			due := time.Date(from.Year(), from.Month(), from.Day()+days, dueHour, 0, 0, 0, from.Location())
			return "snoozed to " + shortDate(due, now), func(id string, at time.Time) (store.Triage, error) {
				return st.SetFollowUp(id, due, at)
			}
		})
	case key.Matches(k, km.FollowUp):
		return m.openBatchInput(promptFollowUp, m.gather(contact), "Follow up: ", "tomorrow, 3d, 2w, fri, next mon, 2026-12-01")
	case key.Matches(k, km.Note):
		return m.openBatchInput(promptNote, m.gather(func(int32) string { return "" }), "Note: ", "what happened, what to do next")
	case key.Matches(k, km.Status):
		n := len(m.markedRows())
		m.prompt = prompt{kind: promptStatus, pos: -1, batch: &batch{}, label: fmt.Sprintf("Status of %d marked: ", n)}
		return nil
	}
	return nil
}

// openBatchInput opens a text prompt whose answer goes to every target.
func (m *Model) openBatchInput(kind promptKind, b *batch, label, placeholder string) tea.Cmd {
	if len(b.targets) == 0 {
		m.msg, m.msgErr = "nothing to do: none of the marked rows takes this"+b.skipText(), true
		return nil
	}
	cmd := m.openInput(kind, -1, fmt.Sprintf("%s(%d marked) ", label, len(b.targets)), placeholder)
	m.prompt.batch = b
	return cmd
}

// batchTouch logs a touch on every target, asking once when some of them
// had all the cadence's touches already.
func (m *Model) batchTouch(b *batch) tea.Cmd {
	total := store.DefaultCadence.Total()
	past := 0
	for _, p := range b.targets {
		if int(m.x.tri[p].Touches) >= total {
			past++
		}
	}
	if past > 0 && len(b.targets) > 0 {
		m.prompt = prompt{kind: promptConfirmTouch, pos: -1, batch: b,
			label: fmt.Sprintf("%d of %d marked had all %d touches. y: touch all · s: skip those %d · n: cancel", past, len(b.targets), total, past)}
		return nil
	}
	return m.logTouches(b)
}

func (m *Model) logTouches(b *batch) tea.Cmd {
	st := m.st
	return m.runBatch(b, "touch logged", func(p int32) (string, changeFn) {
		return fmt.Sprintf("touch %d logged", m.x.tri[p].Touches+1), func(id string, at time.Time) (store.Triage, error) {
			return st.LogTouch(id, at, store.DefaultCadence, "")
		}
	})
}

// batchPromptKey answers a prompt opened for the marked rows.
func (m *Model) batchPromptKey(k tea.KeyPressMsg) tea.Cmd {
	p := m.prompt
	b := p.batch
	switch p.kind {
	case promptConfirmTouch:
		switch k.String() {
		case "y", "Y":
			m.closePrompt()
			return m.logTouches(b)
		case "s", "S":
			m.closePrompt()
			total := store.DefaultCadence.Total()
			nb := &batch{skipped: b.skipped, hidden: b.hidden}
			for _, q := range b.targets {
				if int(m.x.tri[q].Touches) >= total {
					nb.skip("cadence done")
					continue
				}
				nb.targets = append(nb.targets, q)
			}
			return m.logTouches(nb)
		case "n", "N", "esc", "q":
			m.closePrompt()
			m.say("no touch logged")
		}
		return nil
	case promptConfirmBatch:
		switch k.String() {
		case "y", "Y":
			m.closePrompt()
			return m.batchCmd(*b.pending, kindChange, b.skipText())
		case "n", "N", "esc", "q":
			m.closePrompt()
			m.say("nothing changed")
		}
		return nil
	case promptStatus:
		if k.String() == "esc" {
			m.closePrompt()
			m.say("cancelled")
			return nil
		}
		for _, c := range statusChoices {
			if k.String() != c.key {
				continue
			}
			m.closePrompt()
			if c.st == store.StatusLost {
				n := len(m.markedRows())
				cmd := m.openInput(promptLostReason, -1, fmt.Sprintf("Lost because (%d marked): ", n), "no response, no budget, chose a competitor… (tab completes)")
				m.prompt.batch = &batch{}
				return cmd
			}
			return m.batchStatus(c.st, "", false)
		}
		return nil
	case promptConfirmLost:
		switch k.String() {
		case "y", "Y":
			m.closePrompt()
			return m.batchStatus(store.StatusLost, p.reason, true)
		case "n", "N", "esc", "q":
			m.closePrompt()
			m.say("not closed")
		}
		return nil
	}
	switch k.String() {
	case "esc":
		m.closePrompt()
		m.say("cancelled")
		return nil
	case "enter":
		return m.batchSubmit()
	}
	return m.edit(k)
}

// batchSubmit acts on a text prompt's value for the marked rows.
func (m *Model) batchSubmit() tea.Cmd {
	p := m.prompt
	val := strings.TrimSpace(m.input.Value())
	st := m.st
	switch p.kind {
	case promptFollowUp:
		due, err := ParseWhen(val, m.now())
		if err != nil {
			m.prompt.err = safetext.Clean(err.Error())
			return nil
		}
		m.closePrompt()
		what := "follow-up set for " + shortDate(due, m.now())
		return m.runBatch(p.batch, what, func(int32) (string, changeFn) {
			return what, func(id string, at time.Time) (store.Triage, error) { return st.SetFollowUp(id, due, at) }
		})
	case promptNote:
		if val == "" {
			m.prompt.err = "the note is empty"
			return nil
		}
		m.closePrompt()
		what := "note added"
		if p.cut {
			what = fmt.Sprintf("note added (cut to %d characters)", m.input.limit)
		}
		return m.runBatch(p.batch, what, func(int32) (string, changeFn) {
			return what, func(id string, at time.Time) (store.Triage, error) { return st.AddNote(id, val, at) }
		})
	case promptLostReason:
		if val == "" {
			m.prompt.err = "give a reason (tab completes: " + strings.Join(lostReasons[:3], ", ") + ")"
			return nil
		}
		m.closePrompt()
		return m.batchStatus(store.StatusLost, val, false)
	}
	return nil
}

// batchStatus sets status s on the marked rows. Test leads and contacts
// who asked not to be contacted are skipped, as are contacts already in
// s and, for an open status, closed ones (reopen those one at a time).
// Closing as "no response" before the cadence is done asks once.
func (m *Model) batchStatus(s store.Status, reason string, confirmed bool) tea.Cmd {
	b := m.gather(func(p int32) string {
		if why := m.skipWhy(p, false); why != "" {
			return why
		}
		cur := store.Statuses[m.x.tri[p].Status]
		switch {
		case cur == s:
			return "already " + string(s)
		case m.x.tri[p].Closed() && !s.Closed():
			return "closed"
		}
		return ""
	})
	total := store.DefaultCadence.Total()
	if !confirmed && s == store.StatusLost && strings.EqualFold(reason, store.LostNoResponse) {
		early := 0
		for _, p := range b.targets {
			if int(m.x.tri[p].Touches) < total && m.blocked(p) == "" {
				early++
			}
		}
		if early > 0 {
			m.prompt = prompt{kind: promptConfirmLost, pos: -1, batch: b, reason: reason,
				label: fmt.Sprintf("%d of %d have fewer than %d touches. Close all as no response anyway? y/n", early, len(b.targets), total)}
			return nil
		}
	}
	st := m.st
	what := "status set to " + string(s)
	if reason != "" {
		what = "closed as lost (" + safetext.Clean(reason) + ")"
	}
	return m.runBatch(b, what, func(p int32) (string, changeFn) {
		from := store.Statuses[m.x.tri[p].Status]
		return "status " + string(from) + " → " + string(s), func(id string, at time.Time) (store.Triage, error) {
			return st.SetStatus(id, s, reason, at)
		}
	})
}

// batchMsg reports a batch saved, undone or redone.
type batchMsg struct {
	kind    changeKind
	entry   undoEntry // the batch, as undo and redo keep it: the parts that were saved
	ts      []store.Triage
	failed  int
	err     error // the first failure
	skipped string
}

// runBatch saves one change per target in a Cmd (each contact in its
// own transaction, as a single change is) and files them as one undo
// entry. each gives a target's change and how undo names it.
func (m *Model) runBatch(b *batch, what string, each func(p int32) (string, changeFn)) tea.Cmd {
	if len(b.targets) == 0 {
		m.msg, m.msgErr = "nothing to do: none of the marked rows takes this"+b.skipText(), true
		return nil
	}
	e := undoEntry{what: what}
	for _, p := range b.targets {
		w, fn := each(p)
		e.batch = append(e.batch, undoEntry{id: m.x.dg[p].IDString(), name: m.nameOf(p), what: w, fn: fn})
	}
	e.name = fmt.Sprintf("%d contacts", len(e.batch))
	if len(e.batch) > bigBatch {
		b.pending = &e
		m.prompt = prompt{kind: promptConfirmBatch, pos: -1, batch: b,
			label: fmt.Sprintf("Change %d contacts? y/n · %s%s", len(e.batch), what, b.skipText())}
		return nil
	}
	return m.batchCmd(e, kindChange, b.skipText())
}

// batchCmd runs a batch, or its undo or redo, in a Cmd.
func (m *Model) batchCmd(e undoEntry, kind changeKind, skipped string) tea.Cmd {
	st, at := m.st, m.now()
	return func() tea.Msg {
		out := batchMsg{kind: kind, entry: e, skipped: skipped}
		out.entry.batch = nil
		for _, part := range e.batch {
			var t store.Triage
			var err error
			if kind == kindUndo {
				t, err = st.Undo(part.id, at)
			} else {
				t, err = part.fn(part.id, at)
			}
			if err != nil {
				out.failed++
				if out.err == nil {
					out.err = err
				}
				continue
			}
			out.entry.batch = append(out.entry.batch, part)
			out.ts = append(out.ts, t)
		}
		return out
	}
}

// onBatch takes a saved batch into the index, the undo stacks and the
// message line.
func (m *Model) onBatch(msg batchMsg) tea.Cmd {
	e := msg.entry
	if len(e.batch) > 0 {
		e.name = fmt.Sprintf("%d contacts", len(e.batch))
		m.onSaved(changedMsg{kind: msg.kind, entry: e})
		many := len(e.batch) > 64
		for j, part := range e.batch {
			p := m.x.find(idOf(part.id))
			if p < 0 {
				continue
			}
			if many {
				// One ranking for all, instead of one shift per contact.
				m.x.putTriage(p, msg.ts[j])
			} else {
				m.x.setTriage(p, msg.ts[j], m.now().Unix())
			}
		}
		if many {
			m.x.rank(m.x.rankAt)
		}
		sel := m.selected()
		m.x.apply(&m.f, m.view)
		if sel >= 0 {
			m.selectID(m.x.dg[sel].ID)
		}
		m.clampCursor()
		if m.stats.s != nil {
			m.stats.summary = followUpSummary(m.x, m.now())
		}
	}
	var text string
	switch msg.kind {
	case kindUndo:
		text = fmt.Sprintf("%s on %s undone", e.what, e.name)
	case kindRedo:
		text = fmt.Sprintf("%s on %s redone", e.what, e.name)
	default:
		text = fmt.Sprintf("%s on %d%s", e.what, len(e.batch), msg.skipped)
		if len(e.batch) > 0 {
			text += " (u undoes all)"
		}
	}
	if msg.failed > 0 {
		m.msg, m.msgErr = fmt.Sprintf("%s; %d not saved: %s", text, msg.failed, cleanErr(msg.err)), true
		m.msgs.seq++
	} else {
		m.say(text)
	}
	return m.fetchRows()
}

// markCell is a row's mark in the gutter that shows while any row is
// marked.
func (m *Model) markCell(i int32) string {
	if m.marks.has(m.x.dg[i].ID) {
		return "✓"
	}
	return " "
}

// gutterRoom takes the marks' gutter (a mark and a space) from the name
// column while any row is marked, so the rows keep the screen's width.
func (m *Model) gutterRoom(c *columns) {
	if len(m.marks.set) > 0 {
		c.name = max(c.name-2, 1)
	}
}
