package tui

import (
	"fmt"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/leads-inbox/leads/store"
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
	// Leads says leads or contacts may have changed too: the inbox reads
	// every digest again; otherwise only the triage state changed and
	// the inbox reads that alone.
	Leads bool
	Err   error // why the inbox could not take the database back
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
		var open tea.Cmd
		if m.screen == screenDetail && m.detail.id != "" {
			open = m.openContactCmd(m.detail.id) // the open contact, as it is now
		}
		if !msg.Leads && m.x != nil {
			return tea.Batch(m.statesCmd(), open)
		}
		return tea.Batch(m.loadCmd(), open)
	case msg.Waited > 0:
		m.elsewhere = fmt.Sprintf("waiting %s for leads.db; changes wait", compactDuration(msg.Waited))
	default:
		m.elsewhere = msg.Who + " is writing; changes wait"
	}
	return nil
}

// statesCmd builds the index again from the digests the inbox has and the
// triage state read anew: what 'leads mark' changed, without reading every
// contact (seconds at a million leads). The digests, their search text
// and the dictionary never change once loaded, so the new index shares
// them; onLoaded carries over what was built from them.
func (m *Model) statesCmd() tea.Cmd {
	st, now, prev, me := m.st, m.now(), m.x, m.me
	dg, dict := prev.dg, prev.dict
	text := store.SearchText{Text: prev.text.text, Off: prev.text.off}
	return func() tea.Msg {
		t0 := time.Now()
		states, owners, err := st.StatesFor(me)
		if err != nil {
			return loadedMsg{err: err}
		}
		last, err := st.LastTestLead()
		if err != nil {
			return loadedMsg{err: err}
		}
		x := newIndex(dg, text, dict, states, now)
		x.takeOwners(owners, me)
		return loadedMsg{x: x, lastTest: last, took: time.Since(t0), from: prev}
	}
}

// carryOver gives x, built by statesCmd from prev's digests, what prev
// built from them; false if prev is no longer the inbox's index (a full
// load came in between), and x must not be used.
func (x *index) carryOver(prev, cur *index) bool {
	if prev != cur {
		return false
	}
	x.grams, x.codeBits, x.combos, x.tooManyCombos = prev.grams, prev.codeBits, prev.combos, prev.tooManyCombos
	x.offerRaw, x.offerNames, x.selector = prev.offerRaw, prev.offerNames, prev.selector
	return true
}
