package tui

import (
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/leads-inbox/leads/store/safetext"
)

// lineInput is the one-line editor of the prompts. bubbles' textinput
// would do, but it pulls in a clipboard package this module does not carry,
// and the prompts need little: typing, paste, cursor keys, word and line
// deletion, and tab completion for the lost reasons.
type lineInput struct {
	value       []rune
	pos         int
	placeholder string
	suggestions []string
	limit       int
	cut         int // characters the last update dropped at the limit
}

func (in *lineInput) reset(placeholder string, suggestions []string) {
	*in = lineInput{placeholder: placeholder, suggestions: suggestions, limit: 500}
}

func (in *lineInput) setValue(s string) {
	in.value = []rune(s)
	in.pos = len(in.value)
}

func (in *lineInput) Value() string { return string(in.value) }

func (in *lineInput) insert(s string) {
	// Pasted text may come from anywhere: keep it to one clean line.
	r := []rune(safetext.Clean(s))
	if in.limit > 0 && len(in.value)+len(r) > in.limit {
		keep := max(in.limit-len(in.value), 0)
		in.cut += len(r) - keep
		r = r[:keep]
	}
	in.value = append(in.value[:in.pos], append(r, in.value[in.pos:]...)...)
	in.pos += len(r)
}

// update applies one key or paste; it reports whether the value changed.
func (in *lineInput) update(msg tea.Msg) bool {
	before := string(in.value)
	in.cut = 0
	switch msg := msg.(type) {
	case tea.PasteMsg:
		in.insert(msg.Content)
	case tea.KeyPressMsg:
		switch msg.String() {
		case "backspace", "ctrl+h":
			if in.pos > 0 {
				in.value = append(in.value[:in.pos-1], in.value[in.pos:]...)
				in.pos--
			}
		case "delete", "ctrl+d":
			if in.pos < len(in.value) {
				in.value = append(in.value[:in.pos], in.value[in.pos+1:]...)
			}
		case "left", "ctrl+b":
			in.pos = max(in.pos-1, 0)
		case "right", "ctrl+f":
			in.pos = min(in.pos+1, len(in.value))
		case "home", "ctrl+a":
			in.pos = 0
		case "end", "ctrl+e":
			in.pos = len(in.value)
		case "ctrl+u":
			in.value, in.pos = in.value[in.pos:], 0
		case "ctrl+k":
			in.value = in.value[:in.pos]
		case "ctrl+w", "alt+backspace":
			i := in.pos
			for i > 0 && in.value[i-1] == ' ' {
				i--
			}
			for i > 0 && in.value[i-1] != ' ' {
				i--
			}
			in.value = append(in.value[:i], in.value[in.pos:]...)
			in.pos = i
		case "tab":
			if s := in.suggestion(); s != "" {
				in.setValue(s)
			}
		case "space":
			in.insert(" ")
		default:
			if msg.Text != "" {
				in.insert(msg.Text)
			}
		}
	}
	return string(in.value) != before
}

// suggestion is the first suggestion the value is a prefix of.
func (in *lineInput) suggestion() string {
	v := strings.ToLower(string(in.value))
	for _, s := range in.suggestions {
		if strings.HasPrefix(s, v) && s != v {
			return s
		}
	}
	return ""
}

// view draws the value with a block cursor, scrolled to fit width cells.
func (in *lineInput) view(width int, sty styles) string {
	if len(in.value) == 0 {
		return sty.selected.Render(" ") + sty.dim.Render(fit(in.placeholder, max(width-1, 0)))
	}
	before := string(in.value[:in.pos])
	cur, after := " ", ""
	if in.pos < len(in.value) {
		cur, after = string(in.value[in.pos]), string(in.value[in.pos+1:])
	}
	// Keep the cursor on screen: drop text from the left when it is long.
	for ansi.StringWidthWc(before)+1 > width && before != "" {
		_, n := firstRune(before)
		before = before[n:]
	}
	rest := max(width-ansi.StringWidthWc(before)-ansi.StringWidthWc(cur), 0)
	if s := in.suggestion(); s != "" && in.pos == len(in.value) {
		after = sty.dim.Render(fit(s[len(string(in.value)):]+"  (tab)", rest))
	} else {
		after = fit(after, rest)
	}
	return before + sty.selected.Render(cur) + after
}

func firstRune(s string) (rune, int) {
	for i, r := range s {
		if i > 0 {
			return r, i
		}
	}
	return 0, len(s)
}
