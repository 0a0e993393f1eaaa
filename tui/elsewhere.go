package tui

import (
	"fmt"
	"time"

	tea "charm.land/bubbletea/v2"
)

// ElsewhereMsg tells the inbox about another leads process that has the
// database (see package handoff): the inbox let go of it for Who, is
// waiting Waited to take it back, or has it Back. While it is away the
// inbox's reads and changes wait, and the status bar says why; once back,
// the inbox reads the store again and marks what the other process added.
type ElsewhereMsg struct {
	Who    string
	Waited time.Duration
	Back   bool
	// Changed says the other process wrote: the inbox reads the store
	// again (a reader such as 'leads list' leaves nothing to read).
	Changed bool
	Err     error // why the inbox could not take the database back
}

func (m *Model) onElsewhere(msg ElsewhereMsg) tea.Cmd {
	switch {
	case msg.Err != nil:
		m.elsewhere = ""
		m.sayErr(msg.Err)
		return nil
	case msg.Back:
		m.elsewhere = ""
		if !msg.Changed {
			return nil
		}
		return m.loadCmd()
	case msg.Waited > 0:
		m.elsewhere = fmt.Sprintf("waiting %s for leads.db; changes wait", compactDuration(msg.Waited))
	default:
		m.elsewhere = msg.Who + " is writing; changes wait"
	}
	return nil
}
