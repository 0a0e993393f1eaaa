package tui

import (
	"slices"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
)

// TestFollowUpKeepsTheFirstReplyClock: d on a new lead with 19h left
// schedules it and leaves it on the clock; the contact screen shows the
// clock.
func TestFollowUpKeepsTheFirstReplyClock(t *testing.T) {
	s := fixture(t)
	m := newModel(t, s, Options{})
	selectName(t, m, "Bob")
	press(t, m, "d")
	typeText(t, m, "3d")
	press(t, m, "enter")
	if tr := triageOf(t, s, "bob@b.example"); tr.NextFollowUp.IsZero() {
		t.Fatalf("follow-up not set: %+v", tr)
	}
	if !slices.Contains(rowNames(m), "Bob") || !strings.Contains(screenText(m), "19h left") {
		t.Fatalf("Bob left the clock after a follow-up date:\n%s", screenText(m))
	}
	selectName(t, m, "Bob")
	press(t, m, "enter")
	if scr := screenText(m); !strings.Contains(scr, "First reply: 19h left on the 24-hour clock") {
		t.Errorf("the contact screen does not show the clock:\n%s", scr)
	}
	press(t, m, "esc", "2")
	if !slices.Contains(rowNames(m), "Bob") {
		t.Errorf("Bob is not in Scheduled: %v", rowNames(m))
	}
}

// TestCursorStaysOnScreenAcrossGroupHeaders: the header lines take room
// from the rows, and moving down through every group of a short window
// never leaves the selected row undrawn; a click on a header selects
// nothing, a click on a row selects it.
func TestCursorStaysOnScreenAcrossGroupHeaders(t *testing.T) {
	m := newModel(t, fixture(t), Options{})
	send(t, m, windowSize(80, 8)) // three list lines
	for j := range len(m.x.visible) {
		if m.cursor != j {
			t.Fatalf("cursor %d, want %d", m.cursor, j)
		}
		name := rowNames(m)[j]
		found := false
		for _, l := range strings.Split(screenText(m), "\n")[3:6] {
			found = found || strings.Contains(l, name+" Test")
		}
		if !found {
			t.Fatalf("row %d (%s) not drawn:\n%s", j, name, screenText(m))
		}
		press(t, m, "j")
	}
	press(t, m, "g")
	if l := strings.Split(screenText(m), "\n")[3]; !strings.HasPrefix(l, "── Overdue · 1") {
		t.Fatalf("first list line %q, want the Overdue header", l)
	}
	send(t, m, windowSize(80, 24))
	press(t, m, "j", "j")
	click := func(y int) { send(t, m, tea.MouseClickMsg{X: 5, Y: y, Button: tea.MouseLeft}) }
	click(3) // the Overdue header
	if m.cursor != 2 {
		t.Errorf("a click on a header moved the cursor to %d", m.cursor)
	}
	click(6) // header, Hank, header, then Bob
	if got := rowNames(m)[m.cursor]; got != "Bob" {
		t.Errorf("a click on Bob's line selected %s", got)
	}
}
