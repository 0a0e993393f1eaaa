// Package cells cuts and pads text to a number of terminal cells, the way
// the terminal will lay it out, so that a column of names in any script
// never pushes the next column sideways.
//
// Terminals disagree on how wide some characters are. Most (tmux among
// them, and Bubble Tea's renderer unless the terminal reports grapheme
// support) add up wcwidth per code point; some newer ones measure whole
// grapheme clusters. For most scripts the inbox follows wcwidth, which is
// what tmux shows (Devanagari conjuncts, Thai vowel marks and combining
// accents all agree with it). For the clusters on which terminals and the
// renderer disagree by a lot — emoji joined by a zero-width joiner, skin
// tone modifiers, the emoji presentation selector — Safe keeps only the
// part every terminal draws at the same width, so the columns cannot
// shift whichever terminal the rep uses.
package cells

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// Width is how many cells s takes, escape sequences not counted, after
// Safe has made it unambiguous.
func Width(s string) int {
	w := 0
	walk(s, func(seq string, text bool) bool {
		if text {
			w += ansi.StringWidthWc(seq)
		}
		return true
	})
	return w
}

// Safe returns s with the parts terminals measure differently dropped:
// a zero-width-joiner sequence keeps its first emoji (the family 👨‍👩‍👧
// shows as 👨), and skin tone modifiers and the emoji presentation
// selector (U+FE0F) go. Escape sequences pass through unchanged.
func Safe(s string) string {
	if isPlain(s) {
		return s
	}
	var b strings.Builder
	walk(s, func(seq string, _ bool) bool {
		b.WriteString(seq)
		return true
	})
	return b.String()
}

// Fit cuts s to at most w cells, ending a cut with "…", and pads it with
// spaces to exactly w cells. A grapheme cluster is never split: a cut
// falls before a cluster that would not fit, so a Devanagari conjunct or
// a base letter with its marks is shown whole or not at all. Escape
// sequences (styles) in s are kept.
func Fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if isPlain(s) {
		if len(s) > w {
			return s[:w-1] + "…"
		}
		return s + strings.Repeat(" ", w-len(s))
	}
	full := Width(s)
	if full <= w {
		return Safe(s) + strings.Repeat(" ", w-full)
	}
	var b strings.Builder
	used, room := 0, w-1 // one cell for the ellipsis
	walk(s, func(seq string, text bool) bool {
		if !text {
			b.WriteString(seq)
			return true
		}
		cw := ansi.StringWidthWc(seq)
		if used+cw > room {
			return false
		}
		b.WriteString(seq)
		used += cw
		return true
	})
	b.WriteString("…")
	used++
	return b.String() + strings.Repeat(" ", w-used)
}

// isPlain reports printable ASCII, which needs none of the work.
func isPlain(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] >= 0x7f {
			return false
		}
	}
	return true
}

// walk calls f with each escape sequence or control byte (text false) and
// each grapheme cluster, made safe (text true), in order, until f returns
// false.
func walk(s string, f func(seq string, text bool) bool) {
	var state byte
	for s != "" {
		seq, _, n, ns := ansi.DecodeSequenceWc(s, state, nil)
		state = ns
		if n <= 0 {
			n = len(s)
			seq = s
		}
		s = s[n:]
		if seq == "" {
			continue
		}
		if seq[0] < 0x20 || seq[0] == 0x7f || (seq[0] >= 0x80 && seq[0] < 0xc0) {
			if !f(seq, false) {
				return
			}
			continue
		}
		if !f(safeCluster(seq), true) {
			return
		}
	}
}

// safeCluster drops from one grapheme cluster what terminals measure
// differently: everything from the first zero-width joiner on, skin tone
// modifiers and U+FE0F.
func safeCluster(c string) string {
	if i := strings.IndexRune(c, '\u200d'); i > 0 {
		c = c[:i]
	}
	if !strings.ContainsAny(c, "\ufe0f\U0001F3FB\U0001F3FC\U0001F3FD\U0001F3FE\U0001F3FF") {
		return c
	}
	return strings.Map(func(r rune) rune {
		if r == '\ufe0f' || (r >= 0x1F3FB && r <= 0x1F3FF) {
			return -1
		}
		return r
	}, c)
}
