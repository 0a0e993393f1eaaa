package tui

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/leads-inbox/leads/store"
	"github.com/leads-inbox/leads/store/search"
	"github.com/leads-inbox/leads/store/view"
	"github.com/leads-inbox/leads/tui/config"
)

// applyConfig takes up the settings that shape the model from the start:
// keys, theme, the default view. The others (cadence, date order,
// clipboard) are read where they are used.
func (m *Model) applyConfig() {
	c := m.cfg
	if len(c.Keys) > 0 {
		for _, p := range ApplyKeys(&m.keys, c.Keys) {
			m.opt.Logf("config: %s", p.Msg)
		}
	}
	switch c.Theme {
	case config.ThemeDark:
		m.dark = true
	case config.ThemeLight:
		m.dark = false
	}
	m.savedAt = -1
	if c.DefaultView != "" {
		m.startOnView(c.DefaultView)
	}
}

// startOnView makes the inbox open on the view called name, built-in or
// saved, before the contacts are loaded; false if no view has that name.
func (m *Model) startOnView(name string) bool {
	if l, ok := config.ParseLane(name); ok {
		m.view, m.savedAt, m.openSavedOnLoad = l, -1, false
		return true
	}
	// A saved view needs the index to resolve its values: onLoaded
	// opens it once the contacts are in.
	for i, v := range m.cfg.Views {
		if strings.EqualFold(v.Name, name) {
			m.savedAt, m.view = i, v.Lane
			m.openSavedOnLoad = true
			return true
		}
	}
	return false
}

// themeFixed reports whether the config chose the theme, so that the
// terminal's background reply does not override it.
func (m *Model) themeFixed() bool {
	return m.cfg.Theme == config.ThemeDark || m.cfg.Theme == config.ThemeLight
}

// cadence is the follow-up plan in force (config [cadence]).
func (m *Model) cadence() store.Cadence { return m.cfg.Cadence }

// cadenceOf is the plan of the contact at index position p: the one for
// the action of its latest lead ([cadence.actions]), else the default.
func (m *Model) cadenceOf(p int32) store.Cadence {
	if len(m.cfg.ActionCadence) == 0 {
		return m.cfg.Cadence
	}
	return m.cfg.CadenceFor(m.x.dict.Name(m.x.dg[p].LatestAction))
}

// teamViews reports whether the team's views (Mine, Unassigned, Team)
// have tabs: in a team, once a contact has an owner, or while one of
// them is shown. A rep alone keeps the eight tabs that fit 80 columns.
func (m *Model) teamViews() bool {
	return m.cfg.Team.On() || m.x != nil && m.x.anyOwner() || m.view >= numSoloViews
}

// numLanes counts the built-in views that have tabs.
func (m *Model) numLanes() int {
	if m.teamViews() {
		return int(numViews)
	}
	return int(numSoloViews)
}

// numTabs counts the tabs: the built-in views, then the saved ones.
func (m *Model) numTabs() int { return m.numLanes() + len(m.cfg.Views) }

// tab returns the tab shown now: a lane, or numLanes + a saved view.
func (m *Model) tab() int {
	if m.savedAt >= 0 {
		return m.numLanes() + m.savedAt
	}
	return int(m.view)
}

// setTab moves to tab t (wrapping): a built-in view keeps the filters, a
// saved view replaces them with its own.
func (m *Model) setTab(t int) tea.Cmd {
	n := m.numTabs()
	t = ((t % n) + n) % n
	if t < m.numLanes() {
		if m.savedAt >= 0 && m.x != nil {
			// The saved view's order goes with it; the built-in views
			// list by urgency.
			m.sortBy, m.x.sortBy = view.ByUrgency, view.ByUrgency
		}
		m.savedAt = -1
		return m.setView(view.Lane(t))
	}
	return m.openSaved(t - m.numLanes())
}

// openSaved shows saved view i: its lane with its filters.
func (m *Model) openSaved(i int) tea.Cmd {
	v := m.cfg.Views[i]
	m.savedAt, m.view = i, v.Lane
	if m.x == nil {
		m.openSavedOnLoad = true
		return nil
	}
	f, missing := m.filtersOf(v.Filter())
	m.f = f
	m.sortBy, m.x.sortBy = v.Order(), v.Order()
	if len(missing) > 0 {
		m.msg, m.msgErr = fmt.Sprintf("view %s: no lead has %s; that part of the view is left out", v.Name, strings.Join(missing, ", ")), true
	} else {
		m.say("view " + v.Name)
	}
	return m.refilter()
}

// filtersOf resolves a read-model filter against the index: a value is the
// name a lead carries (view.Selector, as 'leads list' reads it) or the
// name the inbox shows for it ("Contact me" for PLT). It returns the
// values that select nothing.
func (m *Model) filtersOf(vf view.Filter) (filters, []string) {
	var f filters
	var missing []string
	x := m.x
	if x.selector == nil {
		x.selector = x.dict.Selector(x.offerRaw)
	}
	for d := range dimStatus {
		for _, v := range vf.Values(view.Dim(d)) {
			v = strings.TrimSpace(v)
			if v == "" {
				continue
			}
			if codes := x.selector.Select(view.Dim(d), v); len(codes) > 0 {
				f.code[d] = append(f.code[d], codes...)
				continue
			}
			if c := x.codeByLabel(d, v); c != 0 {
				f.code[d] = append(f.code[d], c)
				continue
			}
			missing = append(missing, fmt.Sprintf("%s %q", view.Dim(d), v))
		}
	}
	for _, v := range vf.Status {
		st, err := store.ParseStatus(v)
		if err != nil {
			missing = append(missing, fmt.Sprintf("status %q", v))
			continue
		}
		for i, s := range store.Statuses {
			if s == st {
				f.code[dimStatus] = append(f.code[dimStatus], store.Code(i+1))
			}
		}
	}
	f.query = search.Query(vf.Query)
	return f, missing
}

// codeByLabel finds the code of dimension d whose shown name is label.
func (x *index) codeByLabel(d int, label string) store.Code {
	for c := 1; c < len(x.dims); c++ {
		if int(x.dims[c]) != d {
			continue
		}
		code := store.Code(c)
		var names []string
		switch d {
		case dimAction:
			names = []string{x.actionName(code)}
		case dimSource:
			names = []string{x.sourceName(code, true), x.sourceName(code, false)}
		case dimOffer:
			names = []string{x.offerName(code)}
		}
		for _, n := range names {
			if strings.EqualFold(n, label) {
				return code
			}
		}
	}
	return 0
}

// savedTabs renders the saved views' tabs, after the built-in ones.
func (m *Model) savedTabs() string {
	var b strings.Builder
	for i, v := range m.cfg.Views {
		label := v.Name
		if i == m.savedAt {
			if m.x != nil {
				label += " " + humanCount(len(m.x.visible))
			}
			b.WriteString(m.sty.tabActive.Render(" " + label + " "))
		} else {
			b.WriteString(m.sty.tab.Render(" " + label + " "))
		}
	}
	return b.String()
}
