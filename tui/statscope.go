package tui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"

	"github.com/leads-inbox/leads/store"
	"github.com/leads-inbox/leads/store/view"
)

// statsWhole reports whether the stats cover every contact: the All view
// with no filter or search. Then the leads are counted with one pass over
// the leads (store.TallyLeads); otherwise from the contacts in view.
func (m *Model) statsWhole() bool { return m.view == view.LaneAll && !m.f.active() }

// statsScope names what the stats count, for their title.
func (m *Model) statsScope() string {
	if m.statsWhole() {
		return "all contacts"
	}
	name := viewNames[m.view] + " view"
	if m.savedAt >= 0 {
		name = "view " + m.cfg.Views[m.savedAt].Name
	}
	var parts []string
	for d := range dimStatus {
		if c := m.f.code[d]; c != 0 {
			parts = append(parts, view.Dim(d).String()+"="+m.choiceLabel(d, c))
		}
	}
	if m.f.status != 0 {
		parts = append(parts, "status="+string(store.Statuses[m.f.status-1]))
	}
	if m.f.query != "" {
		parts = append(parts, fmt.Sprintf("search %q", m.f.query))
	}
	if len(parts) > 0 {
		name += " · " + strings.Join(parts, " · ")
	}
	return fmt.Sprintf("%s (%d contacts)", name, len(m.x.visible))
}

// statsSummary is the follow-up summary of the contacts the stats cover.
func (m *Model) statsSummary() followUps {
	var in []int32
	if !m.statsWhole() {
		in = m.x.visible
	}
	return summarize(m.x, m.now(), in, m.cfg.MaxTouches())
}

// statsTally counts the leads the stats cover. For a narrowed view these
// are the leads of the contacts in view that match the lead-level filters
// (source, action, offer) themselves: a contact is in view because one of
// its leads matched, and its other leads are not what the rep asked about.
func (m *Model) statsTally() tallyFunc {
	st := m.st
	if m.statsWhole() {
		return st.TallyLeads
	}
	seqs := make([]uint64, len(m.x.visible))
	for j, i := range m.x.visible {
		seqs[j] = m.x.dg[i].Seq
	}
	keep := m.leadFilter()
	return func(since int64, weeks int) (store.LeadTally, error) {
		return st.TallyContactLeads(seqs, since, weeks, keep)
	}
}

// leadFilter is the lead-level part of the filters as a test on one
// lead's group, or nil when there is none. It is the one place the stats
// read the filter's values.
func (m *Model) leadFilter() func(store.LeadGroup) bool {
	type want struct {
		d view.Dim
		v string
	}
	var ws []want
	for _, d := range []int{dimSource, dimAction, dimOffer} {
		if c := m.f.code[d]; c != 0 {
			ws = append(ws, want{view.Dim(d), m.x.dict.Name(c)})
		}
	}
	if len(ws) == 0 {
		return nil
	}
	return func(g store.LeadGroup) bool {
		for _, w := range ws {
			name := g.Source
			switch w.d {
			case view.DimAction:
				name = g.Action
			case view.DimOffer:
				name = g.OfferID
			}
			if !view.Selects(w.d, w.v, name, g.OfferName) {
				return false
			}
		}
		return true
	}
}

// statsHints are the keys that work on the stats screen.
func (m *Model) statsHints() []key.Binding {
	k := &m.keys
	return []key.Binding{k.Back, k.Down, k.Up, k.PageDown, k.Sync, k.Help}
}
