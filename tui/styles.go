package tui

import (
	"image/color"

	"charm.land/bubbles/v2/help"
	"charm.land/lipgloss/v2"
)

// styles holds every style the screens use, built once per background.
type styles struct {
	noColor bool

	tab, tabActive     lipgloss.Style
	header             lipgloss.Style
	row, selected      lipgloss.Style
	dim, bold          lipgloss.Style
	urgent, late, warm lipgloss.Style
	hot, lateHot       lipgloss.Style
	ok, dnc            lipgloss.Style
	statusBar          lipgloss.Style
	filterOn           lipgloss.Style
	prompt, errText    lipgloss.Style
	title, section     lipgloss.Style
	box                lipgloss.Style
	bar                lipgloss.Style
	key                lipgloss.Style
	hintKey            lipgloss.Style // a key in the footer hints and the help
	// replied marks a person who answered and waits for the rep;
	// bouncing an address a delivery failure came back for.
	replied, bouncing lipgloss.Style
}

// newStyles builds the styles for a dark or light background. With noColor
// (NO_COLOR set) it uses only bold, faint and reverse video, so the cursor
// and urgency stay visible without a single colour.
func newStyles(isDark, noColor bool) styles {
	ld := lipgloss.LightDark(isDark)
	c := func(light, dark string) color.Color { return ld(lipgloss.Color(light), lipgloss.Color(dark)) }
	s := styles{noColor: noColor}
	base := lipgloss.NewStyle()
	if noColor {
		s.tab = base
		s.tabActive = base.Bold(true).Reverse(true)
		s.header = base.Bold(true).Underline(true)
		s.row = base
		s.selected = base.Reverse(true)
		s.dim = base.Faint(true)
		s.bold = base.Bold(true)
		s.urgent = base.Bold(true)
		s.late = base.Bold(true)
		s.warm = base
		s.hot = base.Bold(true)
		s.lateHot = base.Bold(true)
		s.ok = base
		s.dnc = base.Bold(true)
		s.statusBar = base.Reverse(true)
		s.filterOn = base.Bold(true)
		s.prompt = base.Bold(true)
		s.errText = base.Bold(true)
		s.title = base.Bold(true)
		s.section = base.Bold(true).Underline(true)
		s.box = base.Border(lipgloss.NormalBorder())
		s.bar = base
		s.key = base.Bold(true)
		s.hintKey = base.Bold(true)
		s.replied = base.Bold(true).Underline(true)
		s.bouncing = base.Bold(true).Reverse(true)
		return s
	}
	accent := c("#5A3FC0", "#B4A5FF")
	s.tab = base.Foreground(c("#555555", "#A0A0A0"))
	s.tabActive = base.Bold(true).Foreground(c("#FFFFFF", "#1A1A1A")).Background(accent)
	s.header = base.Bold(true).Foreground(c("#333333", "#DDDDDD")).Underline(true)
	s.row = base
	s.selected = base.Background(c("#DCD6FF", "#3C3470")).Foreground(c("#000000", "#FFFFFF"))
	// Every text colour keeps WCAG AA contrast (4.5:1) on a black and a
	// white terminal (contrast_test.go): the dim grey is no lighter than
	// #6B6B6B on white and no darker than #8A8A8A on black.
	s.dim = base.Foreground(c("#6B6B6B", "#8A8A8A"))
	s.bold = base.Bold(true)
	s.urgent = base.Bold(true).Foreground(c("#B00020", "#FF6B6B"))
	s.late = base.Foreground(c("#B35C00", "#FFB454"))
	s.warm = base.Foreground(c("#00703C", "#7EE787"))
	s.hot = s.warm.Bold(true)
	s.lateHot = s.late.Bold(true)
	s.ok = base.Foreground(c("#1F6FEB", "#79C0FF"))
	s.dnc = base.Bold(true).Foreground(c("#FFFFFF", "#FFFFFF")).Background(c("#B00020", "#A4001D"))
	s.statusBar = base.Foreground(c("#222222", "#DDDDDD")).Background(c("#E4E4E4", "#303030"))
	s.filterOn = base.Bold(true).Foreground(accent)
	s.prompt = base.Bold(true).Foreground(accent)
	s.errText = base.Bold(true).Foreground(c("#B00020", "#FF6B6B"))
	s.title = base.Bold(true).Foreground(accent)
	s.section = base.Bold(true).Foreground(c("#333333", "#EEEEEE")).Underline(true)
	s.box = base.Border(lipgloss.RoundedBorder()).BorderForeground(accent)
	s.bar = base.Foreground(accent)
	s.key = base.Bold(true).Foreground(accent)
	s.hintKey = base.Foreground(c("#333333", "#D0D0D0"))
	// A reply is the best news in the inbox: a colour of its own, apart
	// from the reds, ambers and greens of the clocks.
	s.replied = base.Bold(true).Foreground(c("#006A70", "#5CE0E6"))
	s.bouncing = base.Bold(true).Foreground(c("#9C1C6B", "#FF8AD0"))
	return s
}

// helpStyles draws the key hints and the help overlay in the theme's own
// colours: the bubbles defaults are far below a readable contrast (their
// descriptions are 2.4:1 on black and 2.1:1 on white).
func helpStyles(s styles) help.Styles {
	if s.noColor {
		return help.Styles{ShortKey: s.bold, FullKey: s.bold}
	}
	return help.Styles{
		ShortKey: s.hintKey, ShortDesc: s.dim, ShortSeparator: s.dim, Ellipsis: s.dim,
		FullKey: s.hintKey, FullDesc: s.dim, FullSeparator: s.dim,
	}
}
