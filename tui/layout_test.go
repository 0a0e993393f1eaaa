package tui

import (
	"fmt"
	"regexp"
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
		at, rows := -1, 0
		for _, l := range lines {
			if !strings.Contains(l, " Test ") || !strings.Contains(l, "left") {
				continue // not a row
			}
			rows++
			if w := cells.Width(l); w != sz[0] {
				t.Errorf("at %dx%d the row %q is %d cells wide", sz[0], sz[1], l, w)
			}
			i := strings.Index(l, " 0/4")
			if i < 0 {
				t.Fatalf("at %dx%d no touches column in %q", sz[0], sz[1], l)
			}
			if at < 0 {
				at = cells.Width(l[:i])
			}
			if cells.Width(l[:i]) != at {
				t.Errorf("at %dx%d the touches column moved: %q", sz[0], sz[1], l)
			}
		}
		if rows != len(leads) {
			t.Errorf("at %dx%d %d rows, want %d", sz[0], sz[1], rows, len(leads))
		}
	}
}

// TestWideScreenGivesRoomToWhatIsCut: at 160 columns a long offer name is
// shown whole instead of the name column keeping blank cells, and the
// email and country columns appear; at 100 columns there is no room for
// the email.
func TestWideScreenGivesRoomToWhatIsCut(t *testing.T) {
	l := lead("Ann", "ann.longaddress@contoso-holdings.example", "Contact me", 1)
	l.OfferName = "Contoso Inventory Pro (BYOL) for Retail"
	l.Customer.Country = "IN"
	m := newModel(t, openStore(t, []store.Lead{l}), Options{})
	send(t, m, windowSize(160, 45))
	press(t, m, "p") // the preview pane off: the list has the whole width
	scr := screenText(m)
	for _, want := range []string{"Email", "Ctry", l.OfferName, l.Customer.Email, " IN "} {
		if !strings.Contains(scr, want) {
			t.Errorf("at 160 columns %q is missing:\n%s", want, scr)
		}
	}
	if c := m.columns(); c.name > 2*len("Ann Test") {
		t.Errorf("the name column takes %d cells for %q", c.name, "Ann Test")
	}
	send(t, m, windowSize(100, 30))
	if scr := screenText(m); strings.Contains(scr, "Email") {
		t.Errorf("at 100 columns the email column squeezes the others:\n%s", scr)
	}
}

// TestTabsKeepCountsAt80: at 80 columns every view's tab keeps its count
// (the labels are abbreviated instead).
func TestTabsKeepCountsAt80(t *testing.T) {
	m := newModel(t, fixture(t), Options{})
	send(t, m, windowSize(80, 24))
	for v := range numViews {
		m.x.counts[v] = 1_200_000 // the widest count there is: 1.2M
	}
	tabs := strings.Split(screenText(m), "\n")[0]
	if m.teamViews() {
		t.Fatal("a rep alone, with no owner anywhere, has the team's tabs")
	}
	for v := range numSoloViews {
		re := regexp.MustCompile(fmt.Sprintf(`%d ?(%s|%s) 1\.2M`, v+1, viewNames[v], tabShort[v]))
		if !re.MatchString(tabs) {
			t.Errorf("view %d has no count in %q", v+1, tabs)
		}
	}
	if w := cells.Width(tabs); w > 80 {
		t.Errorf("tabs are %d cells wide", w)
	}
}
