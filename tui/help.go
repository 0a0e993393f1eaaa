package tui

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"
)

// helpColW is one column of the help: a key, its description and a gap.
const helpColW = 26

// helpKeyW is the width of the keys in a help column: every key that does
// the same thing is listed ("S-tab/h/←").
const helpKeyW = 9

// helpLines lists every key, grouped, the groups flowed top to bottom into
// as many columns as the width allows, as short as the groups permit.
func (m *Model) helpLines() []string {
	groups := m.keys.FullHelp()
	var blocks [][]string
	for gi, g := range groups {
		lines := []string{m.sty.section.Render(fullHelpTitles[gi])}
		for _, b := range g {
			h := b.Help()
			lines = append(lines, m.sty.key.Render(fit(h.Key, helpKeyW))+" "+h.Desc)
		}
		blocks = append(blocks, lines)
	}
	extra := []string{m.sty.section.Render("In prompts and panels"),
		m.sty.key.Render(fit("enter", helpKeyW)) + " confirm",
		m.sty.key.Render(fit("esc", helpKeyW)) + " cancel / close",
		m.sty.key.Render(fit("^c", helpKeyW)) + " cancel prompt",
		m.sty.key.Render(fit("esc", helpKeyW)) + " dismiss error",
		m.sty.key.Render(fit("tab h l", helpKeyW)) + " next group",
		m.sty.key.Render(fit("space", helpKeyW)) + " add/remove value",
		m.sty.key.Render(fit("0", helpKeyW)) + " clear filter",
		m.sty.key.Render(fit("n…l", helpKeyW)) + " status after s",
		m.sty.key.Render(fit("y n", helpKeyW)) + " answer",
		m.sty.key.Render(fit("wheel", helpKeyW)) + " scroll (mouse)",
	}
	blocks = append(blocks, extra)

	cols := min(max(m.width/helpColW, 1), len(blocks))
	// The shortest height at which the groups, kept in order and a blank
	// line apart, fill no more than cols columns.
	flow := func(height int) [][]string {
		var out [][]string
		var col []string
		for _, b := range blocks {
			need := len(b)
			if len(col) > 0 {
				need++
			}
			if len(col) > 0 && len(col)+need > height {
				out = append(out, col)
				col = nil
			}
			if len(col) > 0 {
				col = append(col, "")
			}
			col = append(col, b...)
		}
		return append(out, col)
	}
	height := 0
	for _, b := range blocks {
		height = max(height, len(b))
	}
	columns := flow(height)
	for len(columns) > cols {
		height++
		columns = flow(height)
	}
	rows := make([]string, height)
	for i := range rows {
		var line strings.Builder
		for _, c := range columns {
			cell := ""
			if i < len(c) {
				cell = c[i]
			}
			line.WriteString(fit(cell, helpColW-1) + " ")
		}
		rows[i] = fit(line.String(), m.width)
	}
	return rows
}

// helpPage is how many help lines fit under the title.
func (m *Model) helpPage() int { return max(m.height-1, 1) }

// helpKey scrolls the help when it is taller than the terminal, so every
// key stays reachable on a small one.
func (m *Model) helpKey(k tea.KeyPressMsg) {
	maxOff := max(len(m.helpLines())-m.helpPage(), 0)
	if off, ok := m.keys.scroll(k, min(m.helpOffset, maxOff), maxOff, m.helpPage()); ok {
		m.helpOffset = off
	}
}

func (m *Model) helpWheel(down bool) {
	maxOff := max(len(m.helpLines())-m.helpPage(), 0)
	if down {
		m.helpOffset = min(m.helpOffset+3, maxOff)
	} else {
		m.helpOffset = max(min(m.helpOffset, maxOff)-3, 0)
	}
}

// helpView draws the help, scrolled to helpOffset.
func (m *Model) helpView() string {
	lines := m.helpLines()
	page := m.helpPage()
	off := min(m.helpOffset, max(len(lines)-page, 0))
	head := " Keys · ? or esc closes"
	if len(lines) > page {
		head = fmt.Sprintf(" Keys · j/k scroll, lines %d–%d of %d · ? or esc closes", off+1, min(off+page, len(lines)), len(lines))
	}
	out := []string{m.sty.tabActive.Render(fit(head, m.width))}
	out = append(out, lines[off:min(off+page, len(lines))]...)
	for len(out) < m.height {
		out = append(out, "")
	}
	return strings.Join(out, "\n")
}
