package tui

import (
	"path/filepath"
	"runtime"

	tea "charm.land/bubbletea/v2"

	"github.com/leads-inbox/leads/store/safetext"
	"github.com/leads-inbox/leads/tui/draft"
)

// copiedMsg reports how y's copy went.
type copiedMsg struct {
	what string
	err  error
}

// copyCmd puts text on the clipboard as the draft screen's c does: by OSC
// 52, and through the configured or system clipboard tool where there is
// one (tmux and many terminals drop OSC 52). The message after it names
// what was copied (what) and the tool used.
func (m *Model) copyCmd(text, what string) tea.Cmd {
	argv := draft.ClipboardTool(m.cfg.Clipboard, m.getenv, runtime.GOOS, lookPath)
	if argv == nil {
		m.say(what + " " + osc52Only)
		return tea.SetClipboard(text)
	}
	return tea.Batch(tea.SetClipboard(text), func() tea.Msg {
		if err := draft.CopyWith(argv, text); err != nil {
			return copiedMsg{what: what, err: err}
		}
		return copiedMsg{what: what + " with " + filepath.Base(argv[0])}
	})
}

// onCopied says how y's copy went; a failed tool still leaves OSC 52.
func (m *Model) onCopied(msg copiedMsg) {
	if msg.err != nil {
		m.msg, m.msgErr = msg.what+" by OSC 52 only: the clipboard tool failed: "+cleanErr(msg.err), true
		return
	}
	m.say(msg.what)
}

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
	return m.copyCmd(email, "copied "+email)
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
