package cells

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// TestWidthMatchesTmux holds the widths tmux 3.3a gave these strings
// (printed in a pane, then the cursor column read back with
// `tmux display -p '#{cursor_x}'`); Width must agree, or the padding after
// a name would leave the next column off by the difference.
func TestWidthMatchesTmux(t *testing.T) {
	for _, c := range []struct {
		s    string
		tmux int
	}{
		{"सरस्वती", 6}, {"सॉफ्टवेयर", 7}, {"प्रा. लि.", 8}, {"क्षि", 3}, // Devanagari conjuncts and vowel signs
		{"สวัสดี", 4}, {"น้ำ", 2}, // Thai marks above and below
		{"e\u030a\u030a", 1}, {"é", 1}, // combining marks
		{"🇮🇳", 2},
		{"👨\u200d👩\u200d👧", 2}, // ZWJ family: tmux joins it to one emoji
	} {
		if got := Width(c.s); got != c.tmux {
			t.Errorf("Width(%q) = %d, tmux shows %d", c.s, got, c.tmux)
		}
	}
}

// TestSafeDropsAmbiguousParts: the clusters terminals disagree on are
// reduced to what all of them draw alike.
func TestSafeDropsAmbiguousParts(t *testing.T) {
	for in, want := range map[string]string{
		"a👨\u200d👩\u200d👧b": "a👨b",
		"👍🏽 ok":             "👍 ok",
		"❤\ufe0f":           "❤",
		"सरस्वती":           "सरस्वती",
		"\x1b[1mé\x1b[0m":   "\x1b[1mé\x1b[0m",
	} {
		if got := Safe(in); got != want {
			t.Errorf("Safe(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestFitCutsDevanagariToItsColumn is the inbox's bug: the company
// "सरस्वती सॉफ्टवेयर प्रा. लि." (23 cells) in an 18-cell column was not cut,
// and every later column moved right.
func TestFitCutsDevanagariToItsColumn(t *testing.T) {
	for _, s := range []string{
		"सरस्वती सॉफ्टवेयर प्रा. लि.", "บริษัท สยามซอฟต์ จำกัด", "Zoë 👨\u200d👩\u200d👧 Family GmbH",
		"Ame\u0301lie\u0301 Cafe\u0301 Cre\u0300me", "plain ascii that is long",
	} {
		for w := 1; w <= 30; w++ {
			got := Fit(s, w)
			if n := Width(got); n != w {
				t.Fatalf("Fit(%q, %d) = %q, %d cells", s, w, got, n)
			}
			// What the renderer (wcwidth per cluster) counts must agree.
			if n := ansi.StringWidthWc(got); n != w {
				t.Fatalf("Fit(%q, %d) = %q: the renderer counts %d cells", s, w, got, n)
			}
			// No cluster is split: what is kept is a prefix of whole clusters.
			kept := strings.TrimRight(strings.TrimSuffix(strings.TrimRight(got, " "), "…"), " ")
			if !strings.HasPrefix(Safe(s), kept) {
				t.Fatalf("Fit(%q, %d) = %q is not a prefix", s, w, got)
			}
			if next := Safe(s)[len(kept):]; next != "" && kept != "" {
				c, _ := ansi.FirstGraphemeCluster(Safe(s)[len(kept)-lastRuneLen(kept):], ansi.WcWidth)
				if len(c) > lastRuneLen(kept) {
					t.Fatalf("Fit(%q, %d) = %q splits the cluster %q", s, w, got, c)
				}
			}
		}
	}
}

func lastRuneLen(s string) int {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] < 0x80 || s[i] >= 0xc0 {
			return len(s) - i
		}
	}
	return len(s)
}

// TestFitKeepsStyles: a styled string is cut by its text, and its escape
// sequences neither count nor get lost.
func TestFitKeepsStyles(t *testing.T) {
	got := Fit("\x1b[1mसरस्वती सॉफ्टवेयर\x1b[0m", 10)
	if Width(got) != 10 || !strings.HasPrefix(got, "\x1b[1m") {
		t.Fatalf("Fit kept %q", got)
	}
}
