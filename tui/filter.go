package tui

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/leads-inbox/leads/store"
	"github.com/leads-inbox/leads/store/view"
)

// filterPanel picks values per dimension (several in one dimension are
// alternatives), showing how many contacts of the current view each choice
// would leave given the other dimensions' filters.
type filterPanel struct {
	open    bool
	dim     int
	cursor  int
	offset  int
	choices []choice
}

type choice struct {
	code  store.Code // dictionary code, or 1+status index for the status dimension
	label string
	count int
}

func (m *Model) openPanel() {
	if m.x == nil {
		return
	}
	m.panel.open = true
	m.panel.loadChoices(m)
}

// loadChoices recounts the current dimension: one pass over the contacts.
func (fp *filterPanel) loadChoices(m *Model) {
	counts := m.x.choiceCounts(&m.f, m.view, fp.dim)
	fp.choices = fp.choices[:0]
	for code, n := range counts {
		fp.choices = append(fp.choices, choice{code: code, label: m.choiceLabel(fp.dim, code), count: n})
	}
	// A chosen value stays listed even when nothing else would match it,
	// under the same name it has when something does.
	for _, sel := range m.f.code[fp.dim] {
		if _, ok := counts[sel]; !ok {
			fp.choices = append(fp.choices, choice{code: sel, label: m.choiceLabel(fp.dim, sel), count: 0})
		}
	}
	slices.SortFunc(fp.choices, func(a, b choice) int {
		if c := cmp.Compare(b.count, a.count); c != 0 {
			return c
		}
		return strings.Compare(a.label, b.label)
	})
	fp.cursor = min(fp.cursor, max(len(fp.choices)-1, 0))
}

// choiceLabel names a value of dimension dim as the panel lists it; code
// is a dictionary code, or 1 + the status index for the status dimension.
func (m *Model) choiceLabel(dim int, code store.Code) string {
	var label string
	switch dim {
	case dimStatus:
		if int(code) >= 1 && int(code) <= len(store.Statuses) {
			label = string(store.Statuses[code-1])
		}
	case dimAction:
		label = m.x.actionName(code)
	case dimSource:
		label = m.x.sourceName(code, true)
	case dimOffer:
		label = m.x.offerName(code)
	default:
		label = m.x.label(code)
	}
	if label == "" {
		label = "(none)"
	}
	return label
}

// chosen reports whether the choice code is one of dimension dim's values.
func (m *Model) chosen(dim int, code store.Code) bool {
	return slices.Contains(m.f.code[dim], code)
}

func (m *Model) panelKey(k tea.KeyPressMsg) tea.Cmd {
	fp := &m.panel
	km := &m.keys
	switch {
	case key.Matches(k, km.Back, km.Filter), k.String() == "q":
		fp.open = false
		return m.fetchRows()
	case k.String() == "tab", k.String() == "l", k.String() == "right":
		fp.dim = (fp.dim + 1) % numDims
		fp.cursor, fp.offset = 0, 0
		fp.loadChoices(m)
	case k.String() == "shift+tab", k.String() == "h", k.String() == "left":
		fp.dim = (fp.dim + numDims - 1) % numDims
		fp.cursor, fp.offset = 0, 0
		fp.loadChoices(m)
	case key.Matches(k, km.Down):
		fp.cursor = min(fp.cursor+1, max(len(fp.choices)-1, 0))
	case key.Matches(k, km.Up):
		fp.cursor = max(fp.cursor-1, 0)
	case key.Matches(k, km.Top):
		fp.cursor = 0
	case key.Matches(k, km.Bottom):
		fp.cursor = max(len(fp.choices)-1, 0)
	case k.String() == "enter", k.String() == "space":
		if fp.cursor < len(fp.choices) {
			// Adds the value to the dimension's, or takes it out again.
			m.toggleDim(fp.dim, fp.choices[fp.cursor].code)
			fp.loadChoices(m)
		}
	case k.String() == "backspace", k.String() == "delete", k.String() == "0":
		m.setDim(fp.dim, 0)
		fp.loadChoices(m)
	case key.Matches(k, km.ClearAll):
		m.f = filters{}
		m.applyFilters()
		fp.loadChoices(m)
	}
	return nil
}

// setDim makes code the only value of dimension dim; 0 clears it.
func (m *Model) setDim(dim int, code store.Code) {
	if code == 0 {
		m.f.code[dim] = nil
	} else {
		m.f.code[dim] = []store.Code{code}
	}
	m.applyFilters() // rows are fetched when the panel closes
}

// toggleDim adds code to dimension dim's values, or removes it if it is
// one. A new slice each time: an earlier copy of the filters keeps its own.
func (m *Model) toggleDim(dim int, code store.Code) {
	cur := m.f.code[dim]
	if i := slices.Index(cur, code); i >= 0 {
		cur = slices.Delete(slices.Clone(cur), i, i+1)
	} else {
		cur = append(slices.Clone(cur), code)
	}
	if len(cur) == 0 {
		cur = nil
	}
	m.f.code[dim] = cur
	m.applyFilters()
}

// panelView draws the panel in h lines: dimension tabs, the key hint, the
// choices and the count. On a very short terminal the count and then the
// hint give way, so that at least one choice always shows.
func (m *Model) panelView(h int) string {
	fp := &m.panel
	var b strings.Builder
	var tabs []string
	for d := 0; d < numDims; d++ {
		label := view.Dim(d).String()
		if n := len(m.f.code[d]); n == 1 {
			label += "*"
		} else if n > 1 {
			label += fmt.Sprintf("*%d", n)
		}
		if d == fp.dim {
			tabs = append(tabs, m.sty.tabActive.Render(" "+label+" "))
		} else {
			tabs = append(tabs, m.sty.tab.Render(" "+label+" "))
		}
	}
	b.WriteString(fit(strings.Join(tabs, " "), m.width) + "\n")
	hint, count := h >= 4, h >= 3
	rows := h - 1
	if hint {
		b.WriteString(m.sty.dim.Render(fit("tab/h/l dimension · j/k move · enter/space add or remove · 0 clear · f/esc close", m.width)) + "\n")
		rows--
	}
	if count {
		rows--
	}
	rows = max(rows, 1)
	if fp.cursor < fp.offset {
		fp.offset = fp.cursor
	}
	if fp.cursor >= fp.offset+rows {
		fp.offset = fp.cursor - rows + 1
	}
	n := 0
	for j := fp.offset; j < len(fp.choices) && n < rows; j++ {
		c := fp.choices[j]
		mark := "  "
		if m.chosen(fp.dim, c.code) {
			mark = "● "
		}
		line := fit(mark+fit(c.label, max(m.width-14, 10))+fmt.Sprintf(" %8d", c.count), m.width)
		if j == fp.cursor {
			line = m.sty.selected.Render(line)
		}
		b.WriteString(line + "\n")
		n++
	}
	if len(fp.choices) == 0 {
		b.WriteString(m.sty.dim.Render(fit("  no values in this view", m.width)) + "\n")
		n++
	}
	b.WriteString(strings.Repeat("\n", max(rows-n, 0)))
	if count {
		b.WriteString(m.sty.dim.Render(fit(fmt.Sprintf("%d contacts in this view with these filters", len(m.x.visible)), m.width)) + "\n")
	}
	return b.String()
}
