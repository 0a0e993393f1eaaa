package tui

import (
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// msgLife is how long a message stays on the message line. After it, or
// at the next key, the key hints come back: a rep who moves on must not
// keep reading an old answer as if it were about the new row.
const msgLife = 5 * time.Second

// msgLogMax is how many messages the message log (M) keeps.
const msgLogMax = 100

// msgTickMsg asks the model to drop a message that has lived msgLife.
type msgTickMsg struct{}

// logEntry is one message as the log (M) shows it.
type logEntry struct {
	at   time.Time
	text string
	err  bool
}

// msgState is the feedback line and what it takes to expire it.
type msgState struct {
	seq     int       // bumped by every say/sayErr, so a repeated text counts as new
	at      time.Time // when the message on the line was set
	ticking bool      // a msgTickMsg is on its way
	log     []logEntry
	showLog bool
	logOff  int
	// after schedules a message's expiry; tea.Tick in the program. Tests
	// replace it, because the harness runs every command at once and
	// drives time through the model's clock and msgTickMsg instead.
	after func(time.Duration, func(time.Time) tea.Msg) tea.Cmd
}

// Update routes a message (update, in model.go) and then keeps the
// message line honest: a new message is stamped and logged, and one that
// may expire gets a tick to clear it.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	m.expireMsg()
	before, seq := m.msg, m.msgs.seq
	if _, ok := msg.(msgTickMsg); ok {
		m.msgs.ticking = false
	}
	_, cmd := m.updatePreview(msg)
	if m.msg != "" && (m.msg != before || m.msgs.seq != seq) {
		m.msgs.at = m.now()
		m.msgs.log = append(m.msgs.log, logEntry{at: m.msgs.at, text: m.msg, err: m.msgErr})
		if n := len(m.msgs.log); n > msgLogMax {
			m.msgs.log = append(m.msgs.log[:0], m.msgs.log[n-msgLogMax:]...)
		}
	}
	if m.msg != "" && !m.msgErr && !m.msgs.ticking && m.msgs.after != nil {
		m.msgs.ticking = true
		wait := max(msgLife-m.now().Sub(m.msgs.at), 100*time.Millisecond)
		cmd = tea.Batch(cmd, m.msgs.after(wait, func(time.Time) tea.Msg { return msgTickMsg{} }))
	}
	return m, cmd
}

// expireMsg drops a message older than msgLife. Errors do not expire: they
// stay until the rep's next key (keyClearsMsg) or a newer message.
func (m *Model) expireMsg() {
	if m.msg != "" && !m.msgErr && m.now().Sub(m.msgs.at) >= msgLife {
		m.msg = ""
	}
}

// keyClearsMsg is the first thing a key does: a message has been read by
// the time the rep acts again, so the hints come back, and an old answer
// is never read as one about the row the rep moved to. An error counts as
// read only if it was on screen (not under a prompt, the help or the log);
// esc that dismisses an error does nothing else, so it cannot also leave
// the screen. It reports whether the key was spent that way.
func (m *Model) keyClearsMsg(k tea.KeyPressMsg) bool {
	if m.msg == "" {
		return false
	}
	if !m.msgErr {
		m.msg = ""
		return false
	}
	if m.prompt.kind != promptNone || m.showHelp || m.msgs.showLog {
		return false
	}
	m.msg, m.msgErr = "", false
	return k.String() == "esc"
}

// msgLine draws a message on one line of the screen's width; one that does
// not fit says where to read it whole.
func (m *Model) msgLine() string {
	tail := ""
	text := m.msg
	if ansi.StringWidthWc(text) > m.width {
		tail = " · M reads it whole"
		if m.width < 40 {
			tail = " M"
		}
		text = ansi.TruncateWc(text, max(m.width-ansi.StringWidthWc(tail), 1), "…")
	}
	if m.msgErr {
		return m.sty.errText.Render(fit(text, m.width-ansi.StringWidthWc(tail))) + m.sty.dim.Render(tail)
	}
	return fit(text, m.width-ansi.StringWidthWc(tail)) + m.sty.dim.Render(tail)
}

// openLog shows the message log, newest first.
func (m *Model) openLog() {
	m.msgs.showLog, m.msgs.logOff = true, 0
}

// logLines lays the log out: every message whole, wrapped to the width,
// newest first.
func (m *Model) logLines() []string {
	var out []string
	if len(m.msgs.log) == 0 {
		return []string{m.sty.dim.Render("  no messages yet")}
	}
	for i := len(m.msgs.log) - 1; i >= 0; i-- {
		e := m.msgs.log[i]
		stamp := e.at.Format("15:04:05") + " "
		body := strings.Split(ansi.Wrap(e.text, max(m.width-len(stamp), 10), " "), "\n")
		for j, l := range body {
			prefix := strings.Repeat(" ", len(stamp))
			if j == 0 {
				prefix = m.sty.dim.Render(stamp)
			}
			if e.err {
				l = m.sty.errText.Render(l)
			}
			out = append(out, prefix+l)
		}
	}
	return out
}

// logKey scrolls the log; esc, q or M close it.
func (m *Model) logKey(k tea.KeyPressMsg) {
	switch k.String() {
	case "esc", "q", "M":
		m.msgs.showLog = false
		return
	}
	page := max(m.height-1, 1)
	maxOff := max(len(m.logLines())-page, 0)
	if off, ok := m.keys.scroll(k, min(m.msgs.logOff, maxOff), maxOff, page); ok {
		m.msgs.logOff = off
	}
}

// keyFor is the movement key a wheel turn stands for in the log.
func (m *Model) keyFor(down bool) tea.KeyPressMsg {
	if down {
		return tea.KeyPressMsg{Code: 'j', Text: "j"}
	}
	return tea.KeyPressMsg{Code: 'k', Text: "k"}
}

// logView draws the message log over the screen.
func (m *Model) logView() string {
	lines := m.logLines()
	page := max(m.height-1, 1)
	off := min(m.msgs.logOff, max(len(lines)-page, 0))
	head := " Messages, newest first · j/k scroll · M or esc closes"
	out := []string{m.sty.tabActive.Render(fit(head, m.width))}
	for _, l := range lines[off:min(off+page, len(lines))] {
		out = append(out, fit(l, m.width))
	}
	for len(out) < m.height {
		out = append(out, "")
	}
	return strings.Join(out, "\n")
}
