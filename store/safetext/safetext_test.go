package safetext

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestClean(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"plain", "Mei Lin", "Mei Lin"},
		{"osc title and clear", "Bob\x1b]0;pwned\x07\x1b[2J", "Bob"},
		{"osc52 clipboard", "Eve\x1b]52;c;ZXZpbA==\x07", "Eve"},
		{"osc8 link with ST", "x\x1b]8;;http://evil\x1b\\click\x1b]8;;\x1b\\", "xclick"},
		{"carriage return", "Real\rFAKE", "RealFAKE"},
		{"backspace nul del", "a\bb\x00c\x7fd", "abcd"},
		{"c1 csi", "a\u009b2Jb", "ab"},
		{"bidi override", "invoice\u202Efdp.exe", "invoicefdp.exe"},
		{"zero width", "pay\u200Bpal", "paypal"},
		{"newline becomes space", "a\nb", "a b"},
		{"cjk and emoji kept", "王小明 🚀 Ünïcödé", "王小明 🚀 Ünïcödé"},
		{"combining kept", "e\u0301", "e\u0301"},
		{"invalid utf8 dropped", "a\xffb", "ab"},
		{"unterminated osc", "a\x1b]0;never ends", "a"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Clean(c.in); got != c.want {
				t.Fatalf("Clean(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
}

func TestCleanMultilineKeepsLines(t *testing.T) {
	if got := CleanMultiline("one\r\ntwo\x1b[31m\nthree\u2028four\u2029five"); got != "one\ntwo\nthree\nfour\nfive" {
		t.Fatalf("got %q", got)
	}
}

// TestCleanRemovesDefaultIgnorable: every character that shows as nothing
// is removed, so none can hide inside a word, while an emoji keeps the
// selector that makes it one.
func TestCleanRemovesDefaultIgnorable(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"line separator", "a\u2028b", "a b"},
		{"paragraph separator", "a\u2029b", "a b"},
		{"combining grapheme joiner", "pay\u034fpal", "paypal"},
		{"emoji selector after a letter", "pay\ufe0fpal", "paypal"},
		{"text selector", "pay\ufe0epal", "paypal"},
		{"hangul filler", "pay\u3164pal", "paypal"},
		{"hangul choseong filler", "pay\u115fpal", "paypal"},
		{"hangul jungseong filler", "pay\u1160pal", "paypal"},
		{"halfwidth hangul filler", "pay\uffa0pal", "paypal"},
		{"khmer inherent vowel", "pay\u17b4pal", "paypal"},
		{"mongolian selector", "pay\u180bpal", "paypal"},
		{"ideographic selector", "pay\U000E0100pal", "paypal"},
		{"reserved default-ignorable", "pay\u2065pal", "paypal"},
		{"selector at the start", "\ufe0fpaypal", "paypal"},
		{"two selectors after an emoji", "\u2764\ufe0f\ufe0f", "\u2764\ufe0f"},
		{"emoji keeps its selector", "I \u2764\ufe0f it", "I \u2764\ufe0f it"},
		{"selector after a hidden character", "\u2764\u200b\ufe0f", "\u2764\ufe0f"},
		{"keycap", "press 1\ufe0f\u20e3", "press 1\ufe0f\u20e3"},
		{"digit without keycap", "1\ufe0f2", "12"},
		{"double exclamation emoji", "\u203c\ufe0f", "\u203c\ufe0f"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Clean(c.in); got != c.want {
				t.Fatalf("Clean(%+q) = %+q, want %+q", c.in, got, c.want)
			}
		})
	}
	// Every default-ignorable code point, between two letters.
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if !DefaultIgnorable(r) {
			continue
		}
		if got := Clean("a" + string(r) + "b"); got != "ab" {
			t.Fatalf("Clean keeps %U between letters: %+q", r, got)
		}
	}
}

// defaultIgnorableRanges is Default_Ignorable_Code_Point as Unicode 15's
// DerivedCoreProperties.txt lists it, the version of Go's tables.
var defaultIgnorableRanges = [][2]rune{
	{0x00ad, 0x00ad}, {0x034f, 0x034f}, {0x061c, 0x061c}, {0x115f, 0x1160},
	{0x17b4, 0x17b5}, {0x180b, 0x180f}, {0x200b, 0x200f}, {0x202a, 0x202e},
	{0x2060, 0x206f}, {0x3164, 0x3164}, {0xfe00, 0xfe0f}, {0xfeff, 0xfeff},
	{0xffa0, 0xffa0}, {0xfff0, 0xfff8}, {0x1bca0, 0x1bca3}, {0x1d173, 0x1d17a},
	{0xe0000, 0xe0fff},
}

// TestDefaultIgnorableIsTheUnicodeProperty: the derived set is exactly the
// published one, and Hidden holds all of it.
func TestDefaultIgnorableIsTheUnicodeProperty(t *testing.T) {
	if unicode.Version != "15.0.0" {
		t.Skipf("the list below is Unicode 15's; Go has %s", unicode.Version)
	}
	n := 0
	for r := rune(0); r <= unicode.MaxRune; r++ {
		want := false
		for _, rg := range defaultIgnorableRanges {
			want = want || rg[0] <= r && r <= rg[1]
		}
		if got := DefaultIgnorable(r); got != want {
			t.Fatalf("DefaultIgnorable(%U) = %v, want %v", r, got, want)
		}
		control := r < 0x20 || r == 0x7f || r >= 0x80 && r < 0xa0
		if got, want := Hidden(r), control || want || unicode.Is(unicode.Cf, r); got != want {
			t.Fatalf("Hidden(%U) = %v, want %v (controls, default-ignorable and format characters)", r, got, want)
		}
		if isMark(r) != unicode.Is(unicode.M, r) {
			t.Fatalf("isMark(%U) is not its general category", r)
		}
		if want {
			n++
			if !Hidden(r) {
				t.Fatalf("Hidden(%U) is false for a default-ignorable code point", r)
			}
		}
	}
	if n != 4174 {
		t.Fatalf("%d default-ignorable code points, Unicode 15 has 4174", n)
	}
}

// TestCleanCapsCombiningMarks: a letter under 10,000 accents shows with
// MaxMarks of them; real accented text is untouched.
func TestCleanCapsCombiningMarks(t *testing.T) {
	flood := "Z" + strings.Repeat("\u0301", 10000) + "oe"
	if got, want := Clean(flood), "Z"+strings.Repeat("\u0301", MaxMarks)+"oe"; got != want {
		t.Fatalf("Clean(flood) = %d bytes %+q, want %+q", len(got), got[:min(len(got), 40)], want)
	}
	// A hidden character between the marks does not start a new character.
	hidden := "a" + strings.Repeat("\u0301\u200b\u034f", 50)
	if got, want := Clean(hidden), "a"+strings.Repeat("\u0301", MaxMarks); got != want {
		t.Fatalf("Clean(marks between hidden characters) = %+q, want %+q", got, want)
	}
	for _, s := range []string{"Nguye\u0302\u0303n", "e\u0323\u0302", "\u05e9\u05c1\u05b8\u0591", "कृष्ण", "ཀྵྰྀ"} {
		if got := Clean(s); got != s {
			t.Errorf("Clean(%+q) = %+q: real text changed", s, got)
		}
	}
	if Unchanged(flood) || !Unchanged("Nguye\u0302\u0303n") || Unchanged("a\u2028b") || Unchanged("pay\u034fpal") {
		t.Fatal("Unchanged disagrees with Clean")
	}
}

func FuzzClean(f *testing.F) {
	for _, s := range []string{"Bob\x1b]0;pwned\x07", "a\u009bb", "pay\u200Bpal", "x\x1b[", "\x1b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := Clean(s)
		if !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8 out of %q", s)
		}
		var prev rune
		marks := 0
		for i, r := range out {
			if r == 0x2028 || r == 0x2029 || isHidden(r) && !(r == 0xfe0f && emojiBefore(prev, out[i+3:])) {
				t.Fatalf("Clean(%q) kept %U", s, r)
			}
			if unicode.Is(unicode.M, r) && r != 0xfe0f {
				if marks++; marks > MaxMarks {
					t.Fatalf("Clean(%q) kept %d marks on one character", s, marks)
				}
			} else if r != 0xfe0f {
				marks = 0
			}
			prev = r
		}
		if again := Clean(out); again != out {
			t.Fatalf("Clean is not idempotent on %q: %q, then %q", s, out, again)
		}
		if Unchanged(s) && out != strings.NewReplacer("\n", " ", "\t", " ").Replace(s) {
			t.Fatalf("Unchanged(%q), but Clean gives %q", s, out)
		}
		if strings.ContainsRune(out, 0x1b) {
			t.Fatalf("ESC survived in %q", out)
		}
	})
}
