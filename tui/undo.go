package tui

import (
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/leads-inbox/leads/store"
	"github.com/leads-inbox/leads/store/view"
)

// changeKind says whether a saved change was the rep's, an undo or a redo.
type changeKind int

const (
	kindChange changeKind = iota
	kindUndo
	kindRedo
)

// changeFn is one triage change of a contact, as the store runs it.
type changeFn func(id string, at time.Time) (store.Triage, error)

// undoEntry is one step of the session's undo (and redo) stack: a triage
// change of one contact, or the filters that x cleared.
type undoEntry struct {
	id   string   // the contact changed
	name string   // its name, as every message about it says it
	what string   // the change, as undo and redo name it ("status lost → won")
	fn   changeFn // the change itself, which redo runs again

	filter bool    // x cleared the filters: undo puts f back
	f      filters // the filters before x

	batch []undoEntry // a batch action (selection.go): one entry per contact, undone and redone together
}

// nameOf is the name a contact goes by in messages, from the rows and the
// contact screen already loaded; "" when neither holds it, and the change's
// command reads it from the store.
func (m *Model) nameOf(p int32) string {
	if p < 0 || m.x == nil {
		return ""
	}
	if rt, ok := m.rows[m.x.dg[p].Seq]; ok {
		return rt.name
	}
	if c := m.detail.c; c != nil && c.ID == m.x.dg[p].IDString() {
		return rowTextOf(c).name
	}
	return ""
}

// changeAs runs one triage change of contact pos in a Cmd. what is how the
// message says it ("status set to won (was lost)"), undoWhat how undo and
// redo name it later ("status lost → won").
func (m *Model) changeAs(pos int32, what, undoWhat string, fn changeFn) tea.Cmd {
	e := undoEntry{id: m.x.dg[pos].IDString(), name: m.nameOf(pos), what: undoWhat, fn: fn}
	return m.runChange(pos, e, kindChange, what)
}

// runChange saves a change, an undo (e.fn unused) or a redo of contact e.id.
func (m *Model) runChange(pos int32, e undoEntry, kind changeKind, what string) tea.Cmd {
	st, at := m.st, m.now()
	wasIn := pos >= 0 && m.inView(pos)
	return func() tea.Msg {
		var t store.Triage
		var err error
		if kind == kindUndo {
			t, err = st.Undo(e.id, at)
		} else {
			t, err = e.fn(e.id, at)
		}
		if e.name == "" {
			e.name = "contact " + e.id
			if c, cerr := st.Contact(e.id); cerr == nil && c != nil {
				e.name = rowTextOf(c).name
			}
		}
		return changedMsg{id: e.id, pos: pos, t: t, what: what, kind: kind, entry: e, wasIn: wasIn, err: err}
	}
}

// undoLast reverts the newest change made in this session, whichever
// contact it was on, and says whose it was.
func (m *Model) undoLast() tea.Cmd {
	return m.step(&m.undo, &m.redo, kindUndo, "nothing to undo in this session",
		"filters and search back (ctrl+r clears them again)")
}

// redoLast applies again the newest change undo took back.
func (m *Model) redoLast() tea.Cmd {
	return m.step(&m.redo, &m.undo, kindRedo, "nothing to redo: undo (u) first",
		"filters and search cleared again (u brings them back)")
}

// step takes the newest entry off from, applies it the way kind says and
// files it in to, so that the other key can take it back again. A filter
// entry swaps the filters in force with the ones it holds.
func (m *Model) step(from, to *[]undoEntry, kind changeKind, none, filtersBack string) tea.Cmd {
	if len(*from) == 0 || m.x == nil {
		m.say(none)
		return nil
	}
	e := (*from)[len(*from)-1]
	*from = (*from)[:len(*from)-1]
	if e.filter {
		e.f, m.f = m.f, e.f
		*to = append(*to, e)
		m.say(filtersBack)
		return m.refilter()
	}
	if e.batch != nil {
		return m.batchCmd(e, kind, "")
	}
	return m.runChange(m.x.find(idOf(e.id)), e, kind, "")
}

// clearFilters is x: every filter and the search go, and u brings them back.
func (m *Model) clearFilters() tea.Cmd {
	if !m.f.active() {
		m.say("no filter or search to clear")
		return nil
	}
	m.undo = append(m.undo, undoEntry{filter: true, f: m.f})
	m.redo = nil
	m.f, m.savedAt = filters{}, -1
	m.say("filters and search cleared (u brings them back)")
	return m.refilter()
}

// inView says whether contact p is a row of the current view and filters.
func (m *Model) inView(p int32) bool {
	if m.x == nil || p < 0 || int(p) >= len(m.x.mask) || !m.x.mask[p].Has(m.view) {
		return false
	}
	if !m.f.active() {
		return true
	}
	mt := m.x.matcher(&m.f, -1)
	return m.x.ok(&mt, p)
}

// movedTo names where a contact went when a change took it out of the
// view: the first other view it is in, or the filter it no longer matches.
func (m *Model) movedTo(p int32) string {
	if m.x.mask[p].Has(m.view) {
		return "no longer matches the filter"
	}
	lanes := []view.Lane{viewAction, viewScheduled, viewClosed, viewNoPII, viewDNC, viewTest}
	if m.view >= numSoloViews {
		// From a team view, say whose it became: a claimed contact
		// moves to Mine, a released one to Unassigned.
		lanes = append([]view.Lane{viewMine, viewUnowned, viewTeam}, lanes...)
	}
	for _, l := range lanes {
		if m.x.mask[p].Has(l) {
			return "moved to " + viewNames[l]
		}
	}
	return "left this view"
}

// changeText is the message for a saved change: whose, what, where the
// contact went, and where it stands now.
func (m *Model) changeText(msg changedMsg, p int32, total int) string {
	e := msg.entry
	var b strings.Builder
	b.WriteString(e.name + ": ")
	switch msg.kind {
	case kindUndo:
		b.WriteString(e.what + " undone")
	case kindRedo:
		b.WriteString(e.what + " redone")
	default:
		b.WriteString(msg.what)
	}
	switch {
	case m.screen == screenDetail && m.detail.id != msg.id:
		b.WriteString(" (not on this screen)")
	case m.screen == screenDetail:
	case m.screen != screenInbox:
	case p < 0 || !m.inView(p) && !msg.wasIn:
		b.WriteString(" (not in this view)")
	case msg.wasIn && !m.inView(p):
		b.WriteString("; " + m.movedTo(p))
	}
	b.WriteString(" · " + strings.TrimPrefix(triageSummary(msg.t, m.now(), total), ": "))
	return b.String()
}

// onSaved files a saved change in the undo and redo stacks.
func (m *Model) onSaved(msg changedMsg) {
	switch msg.kind {
	case kindChange:
		m.undo = append(m.undo, msg.entry)
		m.redo = nil
	case kindUndo:
		m.redo = append(m.redo, msg.entry)
	case kindRedo:
		m.undo = append(m.undo, msg.entry)
	}
}

// failText is the message for a change the store refused.
func failText(msg changedMsg) string {
	verb := map[changeKind]string{kindChange: "not saved", kindUndo: "cannot undo", kindRedo: "cannot redo"}[msg.kind]
	return fmt.Sprintf("%s: %s: %s", msg.entry.name, verb, cleanErr(msg.err))
}
