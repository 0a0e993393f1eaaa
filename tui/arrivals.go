package tui

import (
	"github.com/leads-inbox/leads/store/view"
)

// New leads are marked. When the inbox reads the store again (after a
// sync stored something), every contact that is new or has more leads
// than before is marked in the list until the rep sees it: moves the
// cursor onto it or opens it. The marks live for the session.

// arrivals returns the Seq of every contact in next that is not in prev
// or has more leads there. It runs in the load command, off the UI
// goroutine: digests never change once loaded, so reading prev's is safe.
// A table indexed by Seq (contacts are numbered densely) costs 4 bytes a
// contact, far less than a map.
func arrivals(prev, next []view.Digest) []uint64 {
	var top uint64
	for i := range prev {
		top = max(top, prev[i].Seq)
	}
	if len(prev) == 0 || top > uint64(4*len(prev)+1<<16) {
		return nil // no earlier load, or numbers too sparse for a table
	}
	had := make([]uint32, top+1)
	for i := range prev {
		had[prev[i].Seq] = prev[i].Leads + 1 // 0: not there before
	}
	var out []uint64
	for i := range next {
		d := &next[i]
		if d.Seq > top || had[d.Seq] == 0 || had[d.Seq]-1 < d.Leads {
			out = append(out, d.Seq)
		}
	}
	return out
}

// markArrivals records what a reload brought.
func (m *Model) markArrivals(seqs []uint64) {
	if len(seqs) == 0 {
		return
	}
	if m.fresh == nil {
		m.fresh = map[uint64]bool{}
	}
	for _, s := range seqs {
		m.fresh[s] = true
	}
}

// isFresh reports a contact marked as arrived and not yet seen.
func (m *Model) isFresh(i int32) bool { return len(m.fresh) > 0 && m.fresh[m.x.dg[i].Seq] }

// seen unmarks the contact the rep moved onto or opened. before is the
// Seq under the cursor before the message, so a contact that merely
// happens to be under the cursor when it arrives stays marked.
func (m *Model) seen(before uint64, hadBefore bool) {
	if len(m.fresh) == 0 || m.x == nil {
		return
	}
	if m.screen == screenDetail {
		if p := m.x.find(idOf(m.detail.id)); p >= 0 {
			delete(m.fresh, m.x.dg[p].Seq)
		}
	}
	if p := m.selected(); p >= 0 && m.screen == screenInbox {
		if s := m.x.dg[p].Seq; hadBefore && s != before {
			delete(m.fresh, s)
		}
	}
}

// cursorSeq is the Seq under the cursor, if any.
func (m *Model) cursorSeq() (uint64, bool) {
	if p := m.selected(); p >= 0 {
		return m.x.dg[p].Seq, true
	}
	return 0, false
}
