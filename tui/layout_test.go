package tui

import (
	"strings"
	"testing"

	"github.com/leads-inbox/leads/store"
	"github.com/leads-inbox/leads/tui/cells"
)

// TestDevanagariKeepsColumns: a company in Devanagari, Thai, an emoji
// family or with combining marks is cut to its column, and every row of
// the list is exactly as wide as the terminal, at every size checked.
func TestDevanagariKeepsColumns(t *testing.T) {
	var leads []store.Lead
	for i, c := range []string{"सरस्वती सॉफ्टवेयर प्रा. लि.", "บริษัท สยามซอฟต์ จำกัด", "The 👨\u200d👩\u200d👧 Family 👍🏽 Shop", "Cafe\u0301 Cre\u0300me Bru\u0302le\u0301e SARL", "Plain Company Limited"} {
		l := lead([]string{"सुनीता", "สมชาย", "Zoë", "Ame\u0301lie", "Ann"}[i], string(rune('a'+i))+"@x.example", "Contact me", float64(i+1))
		l.Customer.Company = c
		leads = append(leads, l)
	}
	m := newModel(t, openStore(t, leads), Options{})
	for _, sz := range [][2]int{{80, 24}, {100, 30}, {160, 45}} {
		send(t, m, windowSize(sz[0], sz[1]))
		lines := strings.Split(screenText(m), "\n")
		for _, l := range lines[3 : 3+len(leads)] {
			if w := cells.Width(l); w != sz[0] {
				t.Errorf("at %dx%d the row %q is %d cells wide", sz[0], sz[1], l, w)
			}
			if !strings.HasSuffix(strings.TrimRight(l, " "), "0/4") {
				t.Errorf("at %dx%d the touches column moved: %q", sz[0], sz[1], l)
			}
		}
	}
}
