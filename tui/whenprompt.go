package tui

import (
	"time"

	"github.com/charmbracelet/x/ansi"
)

// parseWhen reads the follow-up prompt's answer in the rep's date order
// (config date_order, else the locale).
func (m *Model) parseWhen(s string) (time.Time, error) {
	return ParseWhenIn(s, m.now(), m.cfg.DateOrder)
}

// whenPreview is the date the follow-up prompt would set, shown as the rep
// types so that 01/12 is seen to be 1 December (or January 12) before
// enter: "→ Tue 1 Dec 09:00". It is empty while the text reads as no date.
func (m *Model) whenPreview() string {
	if m.prompt.kind != promptFollowUp || m.prompt.err != "" {
		return ""
	}
	t, err := m.parseWhen(m.input.Value())
	if err != nil {
		return ""
	}
	return m.sty.ok.Render(" → " + formatWhen(t, m.now()))
}

// withPreview lays out a text prompt: the head, the input in what is
// left, and the live date preview at the end of the line.
func (m *Model) withPreview(head string) string {
	tail := m.whenPreview()
	w := max(m.width-ansi.StringWidthWc(head)-ansi.StringWidthWc(tail), 5)
	return head + m.input.view(w, m.sty) + tail
}
