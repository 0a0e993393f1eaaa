package tui

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/leads-inbox/leads/store"
	"github.com/leads-inbox/leads/store/safetext"
)

// TestSearchMatchesBruteForce checks the prefiltered, incremental search
// against strings.Contains of every word on every contact, for many queries typed one
// key at a time, with and without the prefilter built.
func TestSearchMatchesBruteForce(t *testing.T) {
	testSearch(t, 3000, 300)
	// Enough contacts for the parallel paths (50,000 and up).
	testSearch(t, 60_000, 15)
}

func testSearch(t *testing.T, contacts, queries int) {
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := "aaaeeimnorst xyz@.\x00é李-"
	var texts []string
	for i := 0; i < contacts; i++ {
		var b strings.Builder
		for k := rng.IntN(60); k >= 0; k-- {
			r := []rune(alphabet)
			b.WriteRune(r[rng.IntN(len(r))])
		}
		texts = append(texts, b.String())
	}
	build := func(withGrams bool) *index {
		dg := make([]store.Digest, len(texts))
		var st store.SearchText
		for _, s := range texts {
			st.Off = append(st.Off, uint32(len(st.Text)))
			st.Text = append(st.Text, s...)
			st.Text = append(st.Text, sep)
		}
		st.Off = append(st.Off, uint32(len(st.Text)))
		x := &index{dg: dg, text: corpus{text: st.Text, off: st.Off}}
		if withGrams {
			x.grams = buildGrams(&x.text, len(dg))
		}
		return x
	}
	// matches is the search by definition: every word of q is in s.
	matches := func(s, q string) bool {
		for _, w := range strings.Fields(q) {
			if !strings.Contains(s, w) {
				return false
			}
		}
		return true
	}
	check := func(withGrams bool, q string, got bitset) {
		t.Helper()
		for i, s := range texts {
			if want := matches(s, q); (got == nil || got.has(int32(i))) != want {
				t.Fatalf("grams=%v: search %q, contact %d %q: got %v", withGrams, q, i, s, !want)
			}
		}
	}
	for _, withGrams := range []bool{true, false} {
		x := build(withGrams)
		for n := 0; n < queries; n++ {
			q := ""
			for k := rng.IntN(6); k >= 0; k-- {
				r := []rune(alphabet)
				q += string(r[rng.IntN(len(r))])
				check(withGrams, q, x.search(q))
			}
			// Narrowing must never have changed an earlier result that
			// a backspace will return to.
			for k, sq := range x.queries {
				check(withGrams, sq, x.hitBits[k])
			}
		}
	}
}

// TestCorpusClean checks the search text against safetext.Clean of each
// field, contact by contact, once some contacts have shrunk and the rest
// have moved up. A line break may stay where the screen shows a space
// (see shownAsIs).
func TestCorpusClean(t *testing.T) {
	for _, contacts := range []int{3000, 60_000} {
		rng := rand.New(rand.NewPCG(3, 4))
		parts := []string{"ab", "é", "\x00", "\x01", "\u200b", "\r", "\n", "\x1b[31m", "\xff", "\x02", "z"}
		var texts []string
		var st store.SearchText
		for i := 0; i < contacts; i++ {
			var b strings.Builder
			for k := rng.IntN(8); k >= 0; k-- {
				if rng.IntN(10) == 0 {
					b.WriteString(parts[rng.IntN(len(parts))])
				} else {
					b.WriteString(parts[rng.IntN(2)])
				}
			}
			texts = append(texts, b.String())
			st.Off = append(st.Off, uint32(len(st.Text)))
			st.Text = append(st.Text, b.String()...)
			st.Text = append(st.Text, sep)
		}
		st.Off = append(st.Off, uint32(len(st.Text)))
		c := corpus{text: st.Text, off: st.Off}
		c.apply(c.shownPatches())
		for i, s := range texts {
			var want []byte
			start := 0
			for k := 0; k <= len(s); k++ {
				if k < len(s) && s[k] > 0x01 {
					continue
				}
				want = append(want, strings.ReplaceAll(safetext.Clean(s[start:k]), "\uFFFD", "")...)
				if k < len(s) {
					want = append(want, s[k])
				}
				start = k + 1
			}
			want = append(want, sep)
			got := bytes.Map(func(r rune) rune {
				if r == '\n' || r == '\t' {
					return ' '
				}
				return r
			}, c.text[c.off[i]:c.off[i+1]])
			if string(got) != string(want) {
				t.Fatalf("%d contacts: contact %d %q: got %q, want %q", contacts, i, s, got, want)
			}
		}
		if int(c.off[contacts]) != len(c.text) {
			t.Fatalf("end %d, text %d", c.off[contacts], len(c.text))
		}
	}
}

// TestShownAsIsTakesWhitespaceAsShown: line breaks and tabs, which the
// screen shows as spaces, need no patch (query words hold no whitespace);
// a carriage return, an escape or a hidden character does.
func TestShownAsIsTakesWhitespaceAsShown(t *testing.T) {
	for s, want := range map[string]bool{
		"call me\nafter lunch\x00mei": true, "llamar\tpor favor": true, "plain": true,
		"real\rfake": false, "pay\u200bpal": false, "a\x1b[2jb": false, "bad \xff byte": false,
	} {
		if got := shownAsIs([]byte(s)); got != want {
			t.Errorf("shownAsIs(%q) = %v, want %v", s, got, want)
		}
	}
}
