package view

import (
	"slices"
	"strings"
	"testing"
)

// TestParseOrderColumnsAndReverse: every column's name parses, "last" is
// recent, a leading "-" reverses, String gives the name back, and an
// unknown name is refused with the list of names.
func TestParseOrderColumnsAndReverse(t *testing.T) {
	for _, n := range OrderNames() {
		for _, s := range []string{n, "-" + n, strings.ToUpper(n)} {
			o, err := ParseOrder(s)
			if err != nil {
				t.Errorf("%q: %v", s, err)
				continue
			}
			if want := strings.ToLower(s); o.String() != want {
				t.Errorf("%q parses to %s", s, o)
			}
		}
	}
	if o, err := ParseOrder("last"); err != nil || o != ByRecent {
		t.Errorf("last: %v %v", o, err)
	}
	if _, err := ParseOrder("salary"); err == nil || !strings.Contains(err.Error(), "company") {
		t.Errorf("unknown order: %v", err)
	}
}

// TestTextOrderBlanksLastTiesByUrgency: a contact without the value sorts
// last in both directions, and equal values keep the urgency order even
// when the order is reversed.
func TestTextOrderBlanksLastTiesByUrgency(t *testing.T) {
	text := func(first, last, email, company string) string {
		return first + "\x00" + last + "\x00" + email + "\x00" + company + "\x00cto\x01desc"
	}
	const now = 1_800_000_000
	ds := []Digest{{Last: now - 10, Flags: FlagEmail}, {Last: now - 20, Flags: FlagEmail}, {Last: now - 30, Flags: FlagEmail}, {Last: now - 40, Flags: FlagEmail}}
	texts := []string{text("bo", "", "b@x", "Zeta"), text("", "", "", ""), text("al", "", "a@x", "Acme"), text("al", "", "a2@x", "Acme")}
	for _, o := range []Order{ByCompany, ByCompany | Reversed} {
		idx := []int{0, 1, 2, 3}
		slices.SortFunc(idx, func(a, b int) int {
			return o.Compare(o.SortKey(&ds[a], State{}, now, texts[a], "", nil), o.SortKey(&ds[b], State{}, now, texts[b], "", nil))
		})
		want := []int{3, 2, 0, 1} // the two Acme ones by urgency: 3 has less time left on its clock
		if o.IsReversed() {
			want = []int{0, 3, 2, 1}
		}
		if !slices.Equal(idx, want) {
			t.Errorf("%s: %v, want %v", o, idx, want)
		}
	}
	if k := ByName.SortKey(&ds[0], State{}, now, text("", "", "only@x", ""), "", nil); k.Text != "only@x" {
		t.Errorf("a contact without a name sorts by %q, want its address", k.Text)
	}
}
