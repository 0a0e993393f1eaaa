// Package safetext makes text that came from a lead safe to show. Leads are
// typed by strangers into a public form, so every string from one passes
// Clean before it reaches a terminal, a log line or an error message.
package safetext

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Clean removes everything that could act on a terminal or disguise text:
// escape sequences (CSI, OSC, DCS and the rest, with their payloads), C0
// and C1 control characters including CR, backspace, NUL and DEL, bidi
// overrides and isolates, zero-width characters, and invalid UTF-8.
// Newlines and tabs become spaces; Clean returns single-line text.
func Clean(s string) string {
	if isPlain(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			i++
			continue
		case r == 0x1b:
			i += escapeLen(s[i:])
			continue
		case r == 0x9b || r == 0x9d || r == 0x90 || r == 0x98 || r == 0x9e || r == 0x9f:
			// C1 CSI/OSC/DCS/SOS/PM/APC: drop the introducer and its body.
			i += size + c1BodyLen(s[i+size:], r)
			continue
		case r == '\n' || r == '\t':
			b.WriteByte(' ')
		case isHidden(r):
		default:
			b.WriteRune(r)
		}
		i += size
	}
	return b.String()
}

// CleanMultiline is Clean for text where line breaks matter (a customer's
// description, a note): it keeps "\n" and drops everything else Clean does.
func CleanMultiline(s string) string {
	parts := strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	for i, p := range parts {
		parts[i] = Clean(p)
	}
	return strings.Join(parts, "\n")
}

// isPlain is the fast path: printable ASCII needs no work.
func isPlain(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= 0x7f {
			return false
		}
	}
	return true
}

// Hidden reports a character Clean removes wherever it stands: controls
// (newline and tab included, which Clean turns into spaces), bidi
// controls, zero-width and other invisible format characters. A caller
// that wants to know whether a text needs Clean at all can test each rune.
func Hidden(r rune) bool { return isHidden(r) }

// isHidden reports characters that must never reach the screen: controls,
// bidi controls, zero-width and other invisible format characters.
func isHidden(r rune) bool {
	switch {
	case r < 0x20, r == 0x7f, r >= 0x80 && r < 0xa0:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f, r == 0x061c:
		return true // bidi embeddings, overrides, isolates and marks
	case r >= 0x200b && r <= 0x200d, r == 0x2060, r == 0xfeff, r == 0x180e, r == 0x00ad:
		return true // zero-width space/joiners, word joiner, BOM, soft hyphen
	case r >= 0xfff9 && r <= 0xfffb:
		return true // interlinear annotation controls
	case r >= 0xe0000 && r <= 0xe007f:
		return true // tag characters
	case unicode.Is(unicode.Cf, r) && r != 0x200d:
		return true
	}
	return false
}

// escapeLen returns how many bytes an escape sequence starting at s[0]
// (ESC) spans, so the whole sequence, payload included, is dropped.
func escapeLen(s string) int {
	if len(s) < 2 {
		return len(s)
	}
	switch s[1] {
	case '[': // CSI: parameters and intermediates, then a final byte 0x40-0x7e
		for i := 2; i < len(s); i++ {
			if s[i] >= 0x40 && s[i] <= 0x7e {
				return i + 1
			}
			if s[i] < 0x20 || s[i] > 0x3f && s[i] < 0x40 {
				return i
			}
		}
		return len(s)
	case ']', 'P', 'X', '^', '_': // OSC, DCS, SOS, PM, APC: up to BEL or ST
		for i := 2; i < len(s); i++ {
			if s[i] == 0x07 {
				return i + 1
			}
			if s[i] == 0x1b && i+1 < len(s) && s[i+1] == '\\' {
				return i + 2
			}
		}
		return len(s)
	default:
		// Two-byte sequences (ESC c, ESC 7, charset selection ESC ( B ...).
		if s[1] >= 0x20 && s[1] <= 0x2f && len(s) >= 3 {
			return 3
		}
		return 2
	}
}

func c1BodyLen(s string, intro rune) int {
	if intro == 0x9b {
		for i := 0; i < len(s); i++ {
			if s[i] >= 0x40 && s[i] <= 0x7e {
				return i + 1
			}
		}
		return len(s)
	}
	for i := 0; i < len(s); i++ {
		if s[i] == 0x07 {
			return i + 1
		}
		if s[i] == 0x1b && i+1 < len(s) && s[i+1] == '\\' {
			return i + 2
		}
		if r, _ := utf8.DecodeRuneInString(s[i:]); r == 0x9c {
			return i + 2
		}
	}
	return len(s)
}
