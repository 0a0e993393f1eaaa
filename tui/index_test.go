package tui

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/leads-inbox/leads/store"
	"github.com/leads-inbox/leads/store/view"
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
		dg := make([]view.Digest, len(texts))
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
