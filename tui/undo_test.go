package tui

import (
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/leads-inbox/leads/store"
)

var ctrlR = tea.KeyPressMsg{Code: 'r', Mod: tea.ModCtrl}
var ctrlC = tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}

func TestUndoNamesTheContactAndWhereItIs(t *testing.T) {
	m := newModel(t, fixture(t), Options{})
	selectName(t, m, "Alice")
	press(t, m, "t")
	if !strings.Contains(m.msg, "Alice Test: touch 1 logged; moved to Scheduled") {
		t.Errorf("touch: %q", m.msg)
	}
	press(t, m, "4") // closed: Alice is not here
	press(t, m, "u")
	if !strings.Contains(m.msg, "Alice Test: touch 1 logged undone (not in this view)") {
		t.Errorf("undo of a contact not on screen: %q", m.msg)
	}
	press(t, m, "1")
	selectName(t, m, "Bob")
	press(t, m, "n")
	typeText(t, m, "asked for a quote")
	press(t, m, "enter")
	selectName(t, m, "Carol")
	press(t, m, "enter") // Carol's screen
	press(t, m, "u")
	if !strings.Contains(m.msg, "Bob Test: note added undone (not on this screen)") {
		t.Errorf("undo from another contact's screen: %q", m.msg)
	}
	if f := footer(m); !strings.Contains(f, "Bob Test") {
		t.Errorf("the contact screen does not show the undo: %q", f)
	}
}

func TestStatusWonNamesTheRowThatLeftAndRedo(t *testing.T) {
	s := fixture(t)
	m := newModel(t, s, Options{})
	selectName(t, m, "Bob")
	press(t, m, "s", "w")
	if !strings.Contains(m.msg, "Bob Test: status set to won (was new); moved to Closed") {
		t.Errorf("s w: %q", m.msg)
	}
	press(t, m, "u")
	if !strings.Contains(m.msg, "Bob Test: status new → won undone") || triageOf(t, s, "bob@b.example").Status != store.StatusNew {
		t.Errorf("undo: %q, status %s", m.msg, triageOf(t, s, "bob@b.example").Status)
	}
	if !slices.Contains(rowNames(m), "Bob") {
		t.Errorf("Bob not back in the view after undo: %v", rowNames(m))
	}
	send(t, m, ctrlR)
	if !strings.Contains(m.msg, "Bob Test: status new → won redone; moved to Closed") || triageOf(t, s, "bob@b.example").Status != store.StatusWon {
		t.Errorf("redo: %q, status %s", m.msg, triageOf(t, s, "bob@b.example").Status)
	}
	send(t, m, ctrlR)
	if !strings.Contains(m.msg, "nothing to redo") {
		t.Errorf("second redo: %q", m.msg)
	}
	press(t, m, "u") // the redone change undoes like any other
	if triageOf(t, s, "bob@b.example").Status != store.StatusNew {
		t.Errorf("undo after redo left %s", triageOf(t, s, "bob@b.example").Status)
	}
	selectName(t, m, "Alice")
	press(t, m, "t") // a new change: what was undone cannot be redone over it
	send(t, m, ctrlR)
	if !strings.Contains(m.msg, "nothing to redo") || triageOf(t, s, "bob@b.example").Status != store.StatusNew {
		t.Errorf("redo after a new change: %q", m.msg)
	}
}

func TestEscKeepsFiltersAndXUndoes(t *testing.T) {
	m := newModel(t, fixture(t), Options{})
	press(t, m, "/")
	typeText(t, m, "alice")
	press(t, m, "enter", "esc")
	if !slices.Equal(rowNames(m), []string{"Alice"}) || m.f.query != "alice" {
		t.Fatalf("esc cleared the search: %v %q", rowNames(m), m.f.query)
	}
	press(t, m, "f", "esc") // esc closes the panel, and only that
	if m.panel.open || m.f.query != "alice" {
		t.Fatalf("esc in the panel: open %v, query %q", m.panel.open, m.f.query)
	}
	press(t, m, "x")
	if m.f.active() || len(rowNames(m)) < 2 {
		t.Fatalf("x did not clear: %v", rowNames(m))
	}
	press(t, m, "u")
	if !slices.Equal(rowNames(m), []string{"Alice"}) || m.f.query != "alice" {
		t.Fatalf("u did not bring the search back: %v %q (%s)", rowNames(m), m.f.query, m.msg)
	}
	send(t, m, ctrlR)
	if m.f.active() {
		t.Fatalf("ctrl+r did not clear again")
	}
}

// quits says whether cmd, run, quits the program.
func quits(cmd tea.Cmd) bool {
	if cmd == nil {
		return false
	}
	switch msg := cmd().(type) {
	case tea.QuitMsg:
		return true
	case tea.BatchMsg:
		return slices.ContainsFunc(msg, quits)
	}
	return false
}

func TestCtrlCInAPromptKeepsTheText(t *testing.T) {
	s := fixture(t)
	m := newModel(t, s, Options{})
	selectName(t, m, "Alice")
	press(t, m, "n")
	typeText(t, m, "call back on friday")
	if _, cmd := m.Update(ctrlC); quits(cmd) {
		t.Fatalf("ctrl+c in the note prompt quit and lost the note")
	}
	if m.prompt.kind != promptNone || !strings.Contains(m.msg, "call back on friday") || !strings.Contains(m.msg, "not saved") {
		t.Fatalf("ctrl+c: prompt %d, message %q", m.prompt.kind, m.msg)
	}
	if n := triageOf(t, s, "alice@a.example").Notes; len(n) != 0 {
		t.Fatalf("the note was saved: %+v", n)
	}
	press(t, m, "M")
	if !strings.Contains(screenText(m), "call back on friday") {
		t.Fatalf("the message log lost the typed note")
	}
	press(t, m, "esc")
	// The search prompt: ctrl+c restores the search in force, as esc does.
	press(t, m, "/")
	typeText(t, m, "bob")
	if _, cmd := m.Update(ctrlC); quits(cmd) || m.f.query != "" || m.prompt.kind != promptNone {
		t.Fatalf("ctrl+c in search: query %q, prompt %d", m.f.query, m.prompt.kind)
	}
	if _, cmd := m.Update(ctrlC); !quits(cmd) {
		t.Fatalf("ctrl+c with no prompt open did not quit")
	}
}

func TestBadDateKeepsTheTypedText(t *testing.T) {
	for _, w := range []int{80, 160} {
		m := newModel(t, fixture(t), Options{})
		send(t, m, windowSize(w, 24))
		selectName(t, m, "Bob")
		press(t, m, "d")
		typeText(t, m, "31/31")
		press(t, m, "enter")
		f := footer(m)
		if m.prompt.kind != promptFollowUp || !strings.Contains(f, "Follow up: 31/31") || !strings.Contains(f, "is no date") || widthOf(f) > w {
			t.Errorf("at %d columns the bad date is not on the prompt line beside its error: %q", w, f)
		}
	}
}

func TestTouchPastTheCadenceAsks(t *testing.T) {
	s := fixture(t)
	id := store.ContactIDForEmail("alice@a.example")
	for i := range store.DefaultCadence.Total() {
		if _, err := s.LogTouch(id, testNow.Add(-time.Duration(10-i)*time.Hour), store.DefaultCadence, ""); err != nil {
			t.Fatal(err)
		}
	}
	m := newModel(t, s, Options{})
	press(t, m, "3")
	selectName(t, m, "Alice")
	press(t, m, "t")
	if m.prompt.kind != promptConfirmTouch || !strings.Contains(footer(m), "Log touch 5 anyway? y/n") {
		t.Fatalf("a fifth touch did not ask: %q", footer(m))
	}
	press(t, m, "n")
	if tr := triageOf(t, s, "alice@a.example"); tr.Touches != 4 || !strings.Contains(m.msg, "no touch logged") {
		t.Fatalf("n: %d touches, %q", tr.Touches, m.msg)
	}
	press(t, m, "t", "y")
	if tr := triageOf(t, s, "alice@a.example"); tr.Touches != 5 {
		t.Fatalf("y: %d touches", tr.Touches)
	}
	if strings.Contains(m.msg, "5 of 4") || !strings.Contains(m.msg, "Alice Test: touch 5 logged") {
		t.Errorf("message %q", m.msg)
	}
}
