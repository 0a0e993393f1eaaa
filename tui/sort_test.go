package tui

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/leads-inbox/leads/store"
	"github.com/leads-inbox/leads/store/view"
)

// TestCLISortEqualsInboxSort: for every order and its reverse, 'leads list
// --sort ORDER' lists the contacts in the order the inbox shows them when
// sorted by that column (All view), names, offers and countries in any
// case and script included.
func TestCLISortEqualsInboxSort(t *testing.T) {
	s := filterStore(t)
	x := newModel(t, s, Options{}).x
	for _, name := range view.OrderNames() {
		for _, rev := range []string{"", "-"} {
			o, err := view.ParseOrder(rev + name)
			if err != nil {
				t.Fatal(err)
			}
			x.sortBy = o
			got, want := cliIDs(t, s, store.Filter{}, o), inboxIDs(x, filters{}, false)
			if !slices.Equal(got, want) {
				t.Errorf("--sort %s%s:\nleads list %v\nthe inbox  %v", rev, name, got, want)
			}
		}
	}
	x.sortBy = view.ByName
	byName := inboxIDs(x, filters{}, false)
	x.sortBy = view.ByName | view.Reversed
	rev := inboxIDs(x, filters{}, false)
	if slices.Equal(byName, rev) {
		t.Error("the name order and its reverse agree: the test proves nothing")
	}
}

// TestSortKeyCyclesColumnsWithArrow: O sorts by the next column and the
// header shows an arrow on it, R reverses, and going round comes back to
// urgency with no arrow; the selected contact stays selected.
func TestSortKeyCyclesColumnsWithArrow(t *testing.T) {
	m := newModel(t, fixture(t), Options{})
	urgency := rowNames(m)
	selectName(t, m, "Carol")
	press(t, m, "O")
	if got, want := rowNames(m), []string{"Alice", "Bob", "Carol", "Dave", "Erin", "Hank"}; !slices.Equal(got, want) {
		t.Errorf("sorted by name: %v, want %v", got, want)
	}
	if !strings.Contains(screenText(m), "Name ↑") || !strings.Contains(m.msg, "sorted by name, A to Z") {
		t.Errorf("no arrow on Name or no message: %q\n%s", m.msg, screenText(m))
	}
	if rowNames(m)[m.cursor] != "Carol" {
		t.Errorf("the cursor left Carol: on %s", rowNames(m)[m.cursor])
	}
	press(t, m, "R")
	if got, want := rowNames(m), []string{"Hank", "Erin", "Dave", "Carol", "Bob", "Alice"}; !slices.Equal(got, want) {
		t.Errorf("name reversed: %v, want %v", got, want)
	}
	if !strings.Contains(screenText(m), "Name ↓") {
		t.Errorf("no reversed arrow:\n%s", screenText(m))
	}
	for range len(sortColumns) - 1 {
		press(t, m, "O")
	}
	if got := rowNames(m); !slices.Equal(got, urgency) || m.sortBy != view.ByUrgency {
		t.Errorf("round the columns: %v (%s), want the urgency order %v", got, m.sortBy, urgency)
	}
	if strings.ContainsAny(screenText(m), "↑↓") {
		t.Errorf("an arrow in the default order:\n%s", screenText(m))
	}
}

// TestSortSurvivesAChange: a change re-sorts the rows in the chosen order,
// not back to urgency.
func TestSortSurvivesAChange(t *testing.T) {
	m := newModel(t, fixture(t), Options{})
	press(t, m, "O") // by name
	selectName(t, m, "Bob")
	press(t, m, "n")
	typeText(t, m, "called")
	press(t, m, "enter")
	if got, want := rowNames(m), []string{"Alice", "Bob", "Carol", "Dave", "Erin", "Hank"}; !slices.Equal(got, want) {
		t.Errorf("after a note: %v, want %v", got, want)
	}
}

// TestSortFetchesTheRowsItShows: sorting brings rows on screen whose
// text is not in the (bounded) row cache, and their names are read at
// once rather than left as "…".
func TestSortFetchesTheRowsItShows(t *testing.T) {
	var leads []store.Lead
	for i := range 40 {
		leads = append(leads, lead(fmt.Sprintf("P%03d", 39-i), fmt.Sprintf("p%03d@x.example", i), store.ActionInstall, float64(i+30)))
	}
	m := newModel(t, openStore(t, leads), Options{})
	clear(m.rows) // as when the cache was emptied for scrolling elsewhere
	press(t, m, "O")
	scr := screenText(m)
	if !strings.Contains(scr, "P039 Test") || strings.Contains(scr, "…  ") {
		t.Errorf("the sorted rows were not read:\n%s", scr)
	}
}
