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
// and C1 control characters including CR, backspace, NUL and DEL, every
// invisible character (see Hidden: bidi controls, zero-width and other
// default-ignorable code points such as U+034F, Hangul fillers and
// variation selectors), and invalid UTF-8. U+FE0F stays only where it
// makes the character before it an emoji. Newlines, tabs and the line and
// paragraph separators U+2028/U+2029 become spaces; Clean returns
// single-line text. A character keeps at most MaxMarks combining marks, so
// a letter buried under thousands of accents shows as a letter.
func Clean(s string) string {
	if isPlain(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	var prev rune // the last rune written
	marks := 0    // combining marks written since the last base character
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
		case r == '\n' || r == '\t' || r == 0x2028 || r == 0x2029:
			b.WriteByte(' ')
			prev, marks = ' ', 0
		case r == emojiPresentation:
			if emojiBefore(prev, s[i+size:]) {
				b.WriteRune(r)
				prev = r
			}
		case isHidden(r):
		case isMark(r):
			if marks < MaxMarks {
				b.WriteRune(r)
				prev = r
			}
			marks++
		default:
			b.WriteRune(r)
			prev, marks = r, 0
		}
		i += size
	}
	return b.String()
}

// isMark reports a combining mark (general category M), which draws on
// the character before it. Text checks every character it holds, so the
// Basic Multilingual Plane is a bit set built once.
func isMark(r rune) bool {
	switch {
	case r < 0x300:
		return false // no mark below the combining diacritics
	case r <= 0xffff:
		return marksBMP[r>>6]&(1<<(r&63)) != 0
	}
	return unicode.Is(unicode.M, r)
}

// marksBMP is isMark for U+0000 to U+FFFF.
var marksBMP = bitsBMP(unicode.M)

// bitsBMP returns the Basic Multilingual Plane part of the tables as a bit
// set.
func bitsBMP(tables ...*unicode.RangeTable) *[1024]uint64 {
	var set [1024]uint64
	for _, t := range tables {
		for _, rg := range t.R16 {
			for r := rune(rg.Lo); r <= rune(rg.Hi); r += rune(rg.Stride) {
				set[r>>6] |= 1 << (r & 63)
			}
		}
	}
	return &set
}

// MaxMarks is how many combining marks Clean keeps on one character. Real
// text needs two or three (Vietnamese, Hebrew points, Indic vowel signs);
// a stranger's name of one letter and 10,000 accents would otherwise fill
// a line of 40,000 characters and flood the terminal on every redraw.
const MaxMarks = 4

// emojiPresentation is VARIATION SELECTOR-16, which asks for a character's
// emoji form ("❤" + U+FE0F draws a red heart).
const emojiPresentation = 0xfe0f

// emojiBefore reports whether U+FE0F after prev (and before rest) is part
// of an emoji: prev is a symbol (emoji are symbols), one of the few
// punctuation marks that have an emoji form, or a keycap base followed by
// the enclosing keycap. After a letter it only hides: "pay\ufe0fpal".
func emojiBefore(prev rune, rest string) bool {
	switch prev {
	case 0x203c, 0x2049, 0x3030, 0x303d: // ‼ ⁉ 〰 〽
		return true
	case '#', '*', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		next, _ := utf8.DecodeRuneInString(rest)
		return next == 0x20e3 // combining enclosing keycap
	}
	return unicode.Is(unicode.So, prev)
}

// Unchanged reports whether Clean leaves s as it is, but for line breaks
// and tabs (which it turns into spaces): nothing to remove, no mark over
// the cap, no byte that is not UTF-8. Nearly every text, in any script,
// is; a caller that keeps cleaned text can skip Clean when it is.
func Unchanged(s string) bool {
	marks := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\n' && c != '\t' || c == 0x7f {
				return false
			}
			marks = 0
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError, isHidden(r), r == 0x2028, r == 0x2029:
			return false
		case isMark(r):
			if marks++; marks > MaxMarks {
				return false
			}
		default:
			marks = 0
		}
		i += size
	}
	return true
}

// CleanMultiline is Clean for text where line breaks matter (a customer's
// description, a note): it keeps "\n" (U+2028 and U+2029 become one) and
// drops everything else Clean does.
func CleanMultiline(s string) string {
	parts := strings.Split(lineBreaks.Replace(s), "\n")
	for i, p := range parts {
		parts[i] = Clean(p)
	}
	return strings.Join(parts, "\n")
}

// lineBreaks turns every way of ending a line into "\n": CRLF, and the
// line and paragraph separators, which Clean would make spaces.
var lineBreaks = strings.NewReplacer("\r\n", "\n", "\u2028", "\n", "\u2029", "\n")

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

// Hidden reports a character Clean removes: controls (newline and tab
// included, which Clean turns into spaces) and every character that takes
// no place on screen, so that one can hide inside a word ("pay\u034fpal"
// shows as "paypal"). Those are Unicode's Default_Ignorable_Code_Point
// characters (DefaultIgnorable) and the few other format characters,
// which the sanitiser has always removed. U+FE0F is among them; Clean
// keeps it only as part of an emoji. This is the one definition of an
// invisible character: the address identity (store.NormalizeEmail) and
// the search text use it too.
func Hidden(r rune) bool { return isHidden(r) }

// isHidden is Hidden.
func isHidden(r rune) bool {
	switch {
	case r < 0x20, r == 0x7f, r >= 0x80 && r < 0xa0:
		return true // C0 and C1 controls, DEL
	case r < 0xad:
		return false // the rest of Latin-1: the fast path for most text
	case r <= 0xffff:
		return hiddenBMP[r>>6]&(1<<(r&63)) != 0
	}
	return invisible(r)
}

// invisible reports a default-ignorable code point or another format
// character (Cf): the sanitiser has always removed every one of those.
func invisible(r rune) bool {
	return DefaultIgnorable(r) || unicode.Is(unicode.Cf, r)
}

// hiddenBMP is invisible for U+0000 to U+FFFF as a bit set: one bit test
// per character of a name. It is built once from the ranges of the three
// tables DefaultIgnorable is derived from: what the derivation takes out
// of them is all format characters, which invisible keeps anyway, so the
// union is the same set (TestDefaultIgnorableIsTheUnicodeProperty checks
// every code point).
var hiddenBMP = bitsBMP(unicode.Cf, unicode.Other_Default_Ignorable_Code_Point, unicode.Variation_Selector)

// DefaultIgnorable reports Unicode's Default_Ignorable_Code_Point
// property: characters that a renderer shows as nothing at all when it
// does not support them, such as U+034F COMBINING GRAPHEME JOINER, the
// Hangul fillers U+115F, U+1160, U+3164 and U+FFA0, U+17B4, the Mongolian
// and other variation selectors, zero-width and bidi controls. The
// standard library has the properties it is made of but not the property
// itself; it is derived as UAX #44 defines it: Other_Default_Ignorable_Code_Point,
// format characters (Cf) and variation selectors, less white space, the
// interlinear annotation and Egyptian hieroglyph format characters and
// the prepended concatenation marks (format characters that are seen).
func DefaultIgnorable(r rune) bool {
	switch {
	case r >= 0xfff9 && r <= 0xfffb, r >= 0x13430 && r <= 0x1343f:
		return false
	case unicode.Is(unicode.White_Space, r), unicode.Is(unicode.Prepended_Concatenation_Mark, r):
		return false
	}
	return unicode.Is(unicode.Other_Default_Ignorable_Code_Point, r) ||
		unicode.Is(unicode.Cf, r) ||
		unicode.Is(unicode.Variation_Selector, r)
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
