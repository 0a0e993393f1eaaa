package tui

import (
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/leads-inbox/leads/store"
)

// previewFrom is the terminal width from which the inbox shows the
// selected contact beside the list: below it, the list needs every cell.
const previewFrom = 140

// preview is the pane beside the list on a wide screen: the selected
// contact's funnel, notes and history, as the contact screen lays them
// out. It is on by default; the p key hides and shows it.
type preview struct {
	hidden bool           // the rep turned it off
	id     string         // the contact shown
	want   string         // the contact asked for, while the answer is on its way
	c      *store.Contact // nil until loaded
	err    error
}

// previewMsg is a contact read for the preview pane.
type previewMsg struct {
	id  string
	c   *store.Contact
	err error
}

// Update routes a message to the screen or overlay that owns it, then
// unmarks a new contact the rep moved onto or opened (arrivals.go) and
// has the preview pane follow the cursor: whatever moved it (a key, a
// click, a re-rank, a reload), the pane asks for the contact now selected.
func (m *Model) updatePreview(msg tea.Msg) (tea.Model, tea.Cmd) {
	if pm, ok := msg.(previewMsg); ok {
		if pm.id == m.preview.want {
			m.preview.id, m.preview.c, m.preview.err, m.preview.want = pm.id, pm.c, pm.err, ""
		}
		// The cursor may have moved back to another contact meanwhile.
		return m, m.previewCmd(nil)
	}
	before, had := m.cursorSeq()
	_, cmd := m.update(msg)
	if _, reload := msg.(loadedMsg); !reload {
		m.seen(before, had)
	}
	if pc := m.previewCmd(msg); pc != nil {
		cmd = tea.Batch(cmd, pc)
	}
	return m, cmd
}

// previewShown reports whether the inbox draws the preview pane.
func (m *Model) previewShown() bool {
	return !m.preview.hidden && m.width >= previewFrom && m.screen == screenInbox && m.x != nil && !m.panel.open
}

// previewCmd reads the selected contact when the pane shows another one,
// or when msg changed it (a triage change or a reload).
func (m *Model) previewCmd(msg tea.Msg) tea.Cmd {
	if !m.previewShown() {
		return nil
	}
	p := m.selected()
	if p < 0 {
		return nil
	}
	id := m.x.dg[p].IDString()
	stale := false
	switch msg := msg.(type) {
	case changedMsg:
		stale = msg.id == id
	case loadedMsg:
		stale = true
	}
	if !stale && (id == m.preview.id || id == m.preview.want) {
		return nil
	}
	m.preview.want = id
	st := m.st
	return func() tea.Msg {
		c, err := st.Contact(id)
		return previewMsg{id: id, c: c, err: err}
	}
}

// togglePreview is the p key.
func (m *Model) togglePreview() tea.Cmd {
	if m.width < previewFrom {
		m.say("the preview needs a terminal 140 columns wide or more")
		return nil
	}
	m.preview.hidden = !m.preview.hidden
	return m.previewCmd(nil)
}

// listArea draws the list, with the preview pane beside it when it shows:
// the list keeps three fifths of the width.
func (m *Model) listArea(lh int) string {
	if !m.previewShown() {
		return m.listBlock(lh)
	}
	full := m.width
	listW := full * 3 / 5
	paneW := full - listW - 1
	// The list's layout (columns, padding, headers) reads m.width, so it
	// is drawn at the list's width; the same holds for the contact lines.
	m.width = listW
	left := strings.Split(strings.TrimSuffix(m.listBlock(lh), "\n"), "\n")
	m.width = paneW
	right := m.previewLines(lh + 1)
	m.width = full
	sep := m.sty.dim.Render("│")
	var b strings.Builder
	for i := range lh + 1 {
		l, r := "", ""
		if i < len(left) {
			l = left[i]
		}
		if i < len(right) {
			r = right[i]
		}
		if l == "" {
			l = fit("", listW)
		}
		b.WriteString(l + sep + fit(r, paneW) + "\n")
	}
	return b.String()
}

// previewLines lays out the selected contact in n lines at m.width.
func (m *Model) previewLines(n int) []string {
	var lines []string
	p := m.selected()
	switch {
	case p < 0:
	case m.preview.err != nil && m.preview.id == m.x.dg[p].IDString():
		lines = []string{m.sty.errText.Render(fit("Cannot read the contact: "+cleanErr(m.preview.err), m.width))}
	case m.preview.c == nil || m.preview.c.ID != m.x.dg[p].IDString():
		lines = []string{m.sty.dim.Render(fit(" Loading…", m.width))}
	default:
		lines = m.contactLines(m.preview.c, m.width, previewReplyLines)
	}
	if len(lines) > n {
		lines = lines[:n]
	}
	return lines
}
