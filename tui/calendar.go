package tui

import (
	"fmt"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/leads-inbox/leads/store/calendar"
	"github.com/leads-inbox/leads/store/safetext"
)

// With [calendar] rewrite, the inbox rewrites the follow-up calendar
// after every saved change, so the rep's calendar program shows what the
// inbox does. The write runs in a Cmd, never in Update; it waits for
// calendarDelay of quiet first, so that a burst of changes (a batch, a
// run of snoozes) gives one write, and at most one write runs at a time.

// calendarDelay is the quiet after a change before the calendar is
// rewritten.
const calendarDelay = 2 * time.Second

// calendarState is the inbox's side of the rewrites.
type calendarState struct {
	gen     int  // counts saved changes; a tick for an older one is dropped
	writing bool // a write is running
	again   bool // a change was saved while it ran: write once more after it
	// after schedules the tick (tea.Tick in the program; tests fire it
	// at once).
	after func(time.Duration, func(time.Time) tea.Msg) tea.Cmd
}

// calendarTickMsg ends the quiet after change gen.
type calendarTickMsg struct{ gen int }

// calendarWrittenMsg is the end of a write.
type calendarWrittenMsg struct{ err error }

// calendarChanged is called after a change was saved: it schedules a
// rewrite when the config asks for them.
func (m *Model) calendarChanged() tea.Cmd {
	if !m.cfg.Calendar.Rewrite || m.cfg.Calendar.Path == "" {
		return nil
	}
	m.cal.gen++
	gen := m.cal.gen
	after := m.cal.after
	if after == nil {
		after = tea.Tick
	}
	return after(calendarDelay, func(time.Time) tea.Msg { return calendarTickMsg{gen} })
}

// onCalendarTick starts the write once the changes have stopped.
func (m *Model) onCalendarTick(msg calendarTickMsg) tea.Cmd {
	if msg.gen != m.cal.gen {
		return nil
	}
	if m.cal.writing {
		m.cal.again = true
		return nil
	}
	m.cal.writing = true
	st, path := m.st, m.cfg.Calendar.Path
	opt := calendar.Options{Now: m.now(), Zone: calendar.ZoneName(m.getenv),
		IncludeEmail: m.cfg.Calendar.IncludeEmail, Cadence: m.cfg.CadenceFor}
	return func() tea.Msg {
		_, err := calendar.Write(st, path, opt)
		return calendarWrittenMsg{err: err}
	}
}

// onCalendarWritten says in one line when the write failed; the next
// change tries again.
func (m *Model) onCalendarWritten(msg calendarWrittenMsg) tea.Cmd {
	m.cal.writing = false
	if msg.err != nil {
		m.opt.Logf("calendar: %s", safetext.Clean(msg.err.Error()))
		m.sayErr(fmt.Errorf("calendar not updated: %w", msg.err))
	}
	if m.cal.again {
		m.cal.again = false
		return m.calendarChanged()
	}
	return nil
}
