package tui

import (
	tea "charm.land/bubbletea/v2"

	"github.com/leads-inbox/leads/store/safetext"
)

// copyCmd puts text on the clipboard. The draft screen's c and the contact
// screen's y share it, so both copy the same way.
func (m *Model) copyCmd(text string) tea.Cmd { return tea.SetClipboard(text) }

// copyEmail is y on the contact screen.
func (m *Model) copyEmail() tea.Cmd {
	c := m.detail.c
	if c == nil {
		return nil
	}
	email := safetext.Clean(c.Customer.Email)
	if email == "" {
		m.msg, m.msgErr = "this contact has no email address to copy", true
		return nil
	}
	m.say("copied " + email + " (OSC 52: if your terminal allows it)")
	return m.copyCmd(email)
}

// stepContact is J (d = 1) and K (d = -1) on the contact screen: it opens
// the next or previous contact of the inbox list and moves the list's
// cursor there, so esc returns to it. When the open contact has left the
// list (a touch moved it to Scheduled), the cursor already stands on the
// contact that followed it, which J opens.
func (m *Model) stepContact(d int) tea.Cmd {
	if m.x == nil || len(m.x.visible) == 0 {
		return nil
	}
	target := m.cursor
	if p := m.x.find(idOf(m.detail.id)); p >= 0 {
		j := -1
		for k, i := range m.x.visible {
			if i == p {
				j = k
				break
			}
		}
		if j >= 0 {
			target = j + d
		} else if d < 0 {
			target = m.cursor - 1
		}
	}
	if target < 0 || target >= len(m.x.visible) {
		if d > 0 {
			m.say("the last contact of the list")
		} else {
			m.say("the first contact of the list")
		}
		return nil
	}
	m.cursor = target
	m.clampCursor()
	return m.openDetail(m.x.visible[target])
}
