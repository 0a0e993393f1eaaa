package tui

import (
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/leads-inbox/leads/store"
)

// promptNames name what a text prompt holds, for the message that says it
// was not saved.
var promptNames = map[promptKind]string{
	promptNote: "note", promptFollowUp: "follow-up date", promptLostReason: "lost reason",
}

// interruptPrompt is ctrl+c while a prompt is open. The prompt closes as
// esc closes it, and the message says so and repeats what was typed (the
// message log, M, keeps it), so quitting never drops a half-written note
// silently: a second ctrl+c, with no prompt open, quits.
func (m *Model) interruptPrompt() tea.Cmd {
	kind := m.prompt.kind
	typed := strings.TrimSpace(m.input.Value())
	before, seq := m.msg, m.msgs.seq
	cmd := m.promptKey(tea.KeyPressMsg{Code: tea.KeyEscape})
	said := m.msg != "" && (m.msg != before || m.msgs.seq != seq)
	if m.prompt.kind != promptNone {
		m.closePrompt()
	}
	switch name := promptNames[kind]; {
	case name != "" && typed != "":
		m.say(fmt.Sprintf("%s not saved: %q · ctrl+c again quits", name, typed))
	case said:
		m.say(m.msg + " · ctrl+c again quits")
	default:
		m.say("cancelled · ctrl+c again quits")
	}
	return cmd
}

// touchOrAsk logs the next touch on contact p, asking first when the
// cadence's touches are all done: a sixth email to someone who never
// answered four is a choice, not a keystroke.
func (m *Model) touchOrAsk(p int32) tea.Cmd {
	n, total := int(m.x.tri[p].Touches)+1, m.cadenceOf(p).Total()
	if n > total {
		who := m.nameOf(p)
		if who == "" {
			who = "This contact"
		}
		m.prompt = prompt{kind: promptConfirmTouch, pos: p,
			label: fmt.Sprintf("%s had all %d touches of the cadence. Log touch %d anyway? y/n", who, total, n)}
		return nil
	}
	return m.logTouch(p)
}

// logTouch logs the next touch on contact p.
func (m *Model) logTouch(p int32) tea.Cmd {
	st, cad := m.st, m.cadenceOf(p)
	n := int(m.x.tri[p].Touches) + 1
	return m.change(p, fmt.Sprintf("touch %d logged", n), func(id string, at time.Time) (store.Triage, error) {
		return st.LogTouch(id, at, cad, "")
	})
}

// confirmTouchKey answers the question of touchOrAsk.
func (m *Model) confirmTouchKey(k tea.KeyPressMsg) tea.Cmd {
	p := m.prompt.pos
	switch k.String() {
	case "y", "Y":
		m.closePrompt()
		return m.logTouch(p)
	case "n", "N", "esc", "q":
		m.closePrompt()
		m.say("no touch logged")
	}
	return nil
}
