package tui

import (
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/leads-inbox/leads/store"
	"github.com/leads-inbox/leads/store/safetext"
	"github.com/leads-inbox/leads/store/view"
)

// What the mail told about a contact, as the contact screen, the preview
// pane and the inbox rows show it. The text of a reply was written by a
// stranger: the store keeps it cleaned and capped, and it is cleaned again
// here before it reaches a style, as every lead string is.

// replyLines caps the quoted lines of one reply in the timeline, and
// previewReplyLines the excerpt in the preview pane's header: a long
// reply must not push the rest of the contact off screen.
const (
	replyLines        = 6
	previewReplyLines = 3
)

// quoted lays out a reply's text as a quote: every line starts "> ",
// wrapped to w cells, at most n lines; more says how many were left out.
func quoted(text string, w, n int) (lines []string, more int) {
	text = strings.TrimSpace(safetext.CleanMultiline(text))
	if text == "" {
		return nil, 0
	}
	room := max(w-2, 8)
	for _, l := range strings.Split(text, "\n") {
		l = strings.TrimRight(l, " \t")
		if l == "" {
			lines = append(lines, ">")
			continue
		}
		for _, wl := range strings.Split(ansi.Wrap(l, room, " "), "\n") {
			lines = append(lines, "> "+fit(wl, room))
		}
	}
	if len(lines) > n {
		more = len(lines) - n
		lines = lines[:n]
	}
	return lines, more
}

// subjectOf is a mail event's subject for one line.
func subjectOf(e *store.Event) string {
	if s := safetext.Clean(e.Subject); s != "" {
		return s
	}
	return "(no subject)"
}

// mailHeader is the contact screen's lines about the mail: a reply that
// waits for the rep, a bouncing address, the last message sent. With
// excerpt > 0 (the preview pane, which shows only the top of a contact)
// the newest reply's first lines follow its line.
func (m *Model) mailHeader(c *store.Contact, w int, now time.Time, excerpt int) []string {
	s := &m.sty
	t := c.Triage
	var out []string
	if !t.RepliedAt.IsZero() {
		line := "Replied " + ago(t.RepliedAt, now)
		sty := s.replied
		if t.Waiting() {
			line += " · waiting for your answer"
		} else {
			line += " · answered since"
			sty = s.bold
		}
		out = append(out, sty.Render(fit(line, w)))
		if r := c.LatestReply(); r != nil && excerpt > 0 {
			out = append(out, fit("  "+subjectOf(r), w))
			lines, more := quoted(r.Text, w-2, excerpt)
			for _, l := range lines {
				out = append(out, s.dim.Render(fit("  "+l, w)))
			}
			if more > 0 {
				out = append(out, s.dim.Render(fit(fmt.Sprintf("  … %d more lines (enter opens the contact)", more), w)))
			}
		}
	}
	if t.Bouncing {
		line := "Bouncing since " + longDate(t.BouncedAt, now) + ": drafts to this address are refused · " +
			m.keys.ClearBounce.Help().Key + " clears the mark"
		out = append(out, s.bouncing.Render(fit(line, w)))
	}
	if !t.LastSentAt.IsZero() {
		out = append(out, fit("Last sent "+longDate(t.LastSentAt, now)+" ("+ago(t.LastSentAt, now)+")", w))
	}
	return out
}

// ago says how long before now t was: "2h ago", or "just now".
func ago(t, now time.Time) string {
	d := now.Sub(t)
	if d < time.Minute {
		return "just now"
	}
	return compactDuration(d) + " ago"
}

// mailLines lays out one mail event of the timeline at width w: its date,
// what it was, its subject or reason, and a reply's first lines quoted.
func (m *Model) mailLines(e *store.Event, w int, now time.Time) []string {
	s := &m.sty
	date := longDate(e.At, now)
	var out []string
	head := func(label, text string, sty *lipgloss.Style) {
		line := fmt.Sprintf("● %s  %-10s %s", date, label, text)
		if sty != nil {
			out = append(out, sty.Render(fit(line, w)))
			return
		}
		out = append(out, fit(line, w))
	}
	switch e.Kind {
	case store.EventSent:
		text := subjectOf(e)
		if e.Undone {
			text += " (its touch undone)"
		}
		head("Sent", text, nil)
	case store.EventReply:
		head("Replied", subjectOf(e), &s.replied)
		lines, more := quoted(e.Text, w-4, replyLines)
		for _, l := range lines {
			out = append(out, s.dim.Render("│   ")+fit(l, w-4))
		}
		if more > 0 {
			out = append(out, s.dim.Render(fit(fmt.Sprintf("│   … %d more lines", more), w)))
		}
	case store.EventBounce:
		reason := safetext.Clean(e.Text)
		if reason == "" {
			reason = "delivery failed"
		}
		head("Bounced", reason, &s.bouncing)
	case store.EventBounceCleared:
		text := "bouncing mark cleared"
		if e.Undone {
			text += " (undone)"
		}
		head("Cleared", text, nil)
	}
	return out
}

// mailEventText is a mail event as the history lists it, in one line.
func mailEventText(e store.Event) string {
	switch e.Kind {
	case store.EventSent:
		return "message sent: " + subjectOf(&e)
	case store.EventReply:
		return "reply received: " + subjectOf(&e)
	case store.EventBounce:
		return "delivery failed: address marked bouncing"
	case store.EventBounceCleared:
		return "bouncing mark cleared"
	}
	return ""
}

// replyMark is the status cell of a row whose person waits for an answer
// or whose address bounces, or "" for neither. It stands in for the
// status, which the contact screen shows beside it: what the rep must do
// next matters more in the list. A closed contact keeps its status.
func (m *Model) replyMark(s view.State) (string, *lipgloss.Style) {
	switch {
	case s.Closed():
		return "", nil
	case s.Mail&view.MailBouncing != 0:
		return "bouncing", &m.sty.bouncing
	case s.Replied != 0:
		return "replied", &m.sty.replied
	}
	return "", nil
}

// askClearBounce is the B key: with a y/n first, since it lets drafts go to
// an address a delivery failure came back for.
func (m *Model) askClearBounce(p int32) tea.Cmd {
	if m.x.tri[p].Mail&view.MailBouncing == 0 {
		m.say("this address is not marked as bouncing: nothing to clear")
		return nil
	}
	who := m.nameOf(p)
	if who == "" {
		who = "this contact"
	}
	m.prompt = prompt{kind: promptConfirmBounce, pos: p,
		label: "Clear the bouncing mark of " + who + "? Drafts to the address are allowed again. y/n"}
	return nil
}

// confirmBounceKey answers the y/n of askClearBounce; the change goes
// through the undo stack, so u brings the mark back.
func (m *Model) confirmBounceKey(k tea.KeyPressMsg) tea.Cmd {
	p := m.prompt.pos
	switch k.String() {
	case "y", "Y":
		m.closePrompt()
		st := m.st
		return m.changeAs(p, "bouncing mark cleared (u brings it back)", "bouncing mark cleared", func(id string, at time.Time) (store.Triage, error) {
			return st.ClearBouncing(id, at)
		})
	case "n", "N", "esc", "q":
		m.closePrompt()
		m.say("the address stays marked as bouncing")
	}
	return nil
}
