package tui

import (
	"fmt"
	"slices"
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
		if cs := m.f.code[d]; len(cs) > 0 {
			labels := make([]string, len(cs))
			for i, c := range cs {
				labels[i] = m.choiceLabel(d, c)
			}
			parts = append(parts, view.Dim(d).String()+"="+strings.Join(labels, "|"))
		}
	}
	if cs := m.f.code[dimStatus]; len(cs) > 0 {
		labels := make([]string, 0, len(cs))
		for _, c := range cs {
			if c >= 1 && int(c) <= len(store.Statuses) {
				labels = append(labels, string(store.Statuses[c-1]))
			}
		}
		parts = append(parts, "status="+strings.Join(labels, "|"))
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
	// Within a dimension any chosen value will do; every dimension chosen
	// must hold on the one lead.
	type want struct {
		d  view.Dim
		vs []string
	}
	var ws []want
	for _, d := range []int{dimSource, dimAction, dimOffer} {
		if cs := m.f.code[d]; len(cs) > 0 {
			w := want{d: view.Dim(d)}
			for _, c := range cs {
				w.vs = append(w.vs, m.x.dict.Name(c))
			}
			ws = append(ws, w)
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
			if !slices.ContainsFunc(w.vs, func(v string) bool { return view.Selects(w.d, v, name, g.OfferName) }) {
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
