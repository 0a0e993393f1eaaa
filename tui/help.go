package tui

import (
	"strings"
)

// helpView lists every key, grouped, in as many columns as fit.
func (m *Model) helpView() string {
	groups := m.keys.FullHelp()
	var blocks [][]string
	for gi, g := range groups {
		lines := []string{m.sty.section.Render(fullHelpTitles[gi])}
		for _, b := range g {
			h := b.Help()
			lines = append(lines, m.sty.key.Render(fit(h.Key, 7))+" "+h.Desc)
		}
		blocks = append(blocks, lines)
	}
	extra := []string{m.sty.section.Render("In prompts and panels"),
		m.sty.key.Render(fit("enter", 7)) + " confirm / choose",
		m.sty.key.Render(fit("esc", 7)) + " cancel / close",
		m.sty.key.Render(fit("tab h l", 7)) + " next filter group",
		m.sty.key.Render(fit("0", 7)) + " clear this filter",
		m.sty.key.Render(fit("n…l", 7)) + " status after s",
		m.sty.key.Render(fit("y n", 7)) + " answer a question",
	}
	blocks = append(blocks, extra)

	colW := 26
	cols := max(m.width/colW, 1)
	var rows []string
	for start := 0; start < len(blocks); start += cols {
		end := min(start+cols, len(blocks))
		height := 0
		for _, b := range blocks[start:end] {
			height = max(height, len(b))
		}
		for i := 0; i < height; i++ {
			var line strings.Builder
			for _, b := range blocks[start:end] {
				cell := ""
				if i < len(b) {
					cell = b[i]
				}
				line.WriteString(fit(cell, colW-1) + " ")
			}
			rows = append(rows, fit(line.String(), m.width))
		}
		rows = append(rows, "")
	}
	title := m.sty.tabActive.Render(fit(" Keys · ? or esc closes", m.width))
	out := []string{title}
	out = append(out, rows...)
	if len(out) > m.height {
		out = out[:m.height]
	}
	for len(out) < m.height {
		out = append(out, "")
	}
	return strings.Join(out, "\n")
}
