package safetext

import (
	"strings"
	"testing"
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
	if got := CleanMultiline("one\r\ntwo\x1b[31m\nthree"); got != "one\ntwo\nthree" {
		t.Fatalf("got %q", got)
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
		for _, r := range out {
			if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || isHidden(r) {
				t.Fatalf("Clean(%q) kept %U", s, r)
			}
		}
		if strings.ContainsRune(out, 0x1b) {
			t.Fatalf("ESC survived in %q", out)
		}
	})
}
