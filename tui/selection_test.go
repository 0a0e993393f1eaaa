package tui

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/leads-inbox/leads/store"
)

var ctrlA = tea.KeyPressMsg{Code: 'a', Mod: tea.ModCtrl}

// marked names the marked rows on screen, in list order.
func marked(m *Model) []string {
	var out []string
	names := rowNames(m)
	for j, i := range m.x.visible {
		if m.marks.has(m.x.dg[i].ID) {
			out = append(out, names[j])
		}
	}
	return out
}

// TestMarkThreeSetStatusUndoOnce: space marks three rows, the footer
// counts them and the gutter shows them; s c sets the status of all three
// in one key, one u undoes all three, ctrl+r redoes them.
func TestMarkThreeSetStatusUndoOnce(t *testing.T) {
	s := fixture(t)
	m := newModel(t, s, Options{})
	press(t, m, "O") // by name: the rows' order does not hang on urgency rules
	selectName(t, m, "Alice")
	press(t, m, "space", "space", "space")
	if got := marked(m); !slices.Equal(got, []string{"Alice", "Bob", "Carol"}) {
		t.Fatalf("marked %v", got)
	}
	if rowNames(m)[m.cursor] != "Dave" {
		t.Errorf("space did not move down: on %s", rowNames(m)[m.cursor])
	}
	scr := screenText(m)
	if !strings.Contains(scr, "3 marked") || strings.Count(scr, "✓") != 3 {
		t.Errorf("footer or gutter:\n%s", scr)
	}
	press(t, m, "s")
	if !strings.Contains(footer(m), "Status of 3 marked") {
		t.Errorf("status prompt: %q", footer(m))
	}
	press(t, m, "c")
	if !strings.Contains(m.msg, "status set to contacted on 3") {
		t.Errorf("batch: %q", m.msg)
	}
	for _, e := range []string{"alice@a.example", "bob@b.example", "carol@c.example"} {
		if st := triageOf(t, s, e).Status; st != store.StatusContacted {
			t.Errorf("%s: %s after the batch", e, st)
		}
	}
	if st := triageOf(t, s, "dave@d.example").Status; st != store.StatusNew {
		t.Errorf("an unmarked row changed: Dave %s", st)
	}
	press(t, m, "u")
	if !strings.Contains(m.msg, "status set to contacted on 3 contacts undone") {
		t.Errorf("undo: %q", m.msg)
	}
	for _, e := range []string{"alice@a.example", "bob@b.example", "carol@c.example"} {
		if st := triageOf(t, s, e).Status; st != store.StatusNew {
			t.Errorf("%s: %s after one u", e, st)
		}
	}
	send(t, m, ctrlR)
	if !strings.Contains(m.msg, "on 3 contacts redone") || triageOf(t, s, "bob@b.example").Status != store.StatusContacted {
		t.Errorf("redo: %q", m.msg)
	}
	press(t, m, "esc")
	if len(m.marks.set) != 0 || strings.Contains(screenText(m), "marked") {
		t.Errorf("esc left marks: %v", marked(m))
	}
}

// TestBatchSkipsGuardedContacts: in All, a batch status skips the DNC
// contact, the test lead is never in it, and a touch skips the closed
// (won) contact and the DNC one, each counted by why.
func TestBatchSkipsGuardedContacts(t *testing.T) {
	s := fixture(t)
	m := newModel(t, s, Options{})
	press(t, m, "3")
	for _, n := range []string{"Alice", "Frank", "Jack"} {
		selectName(t, m, n)
		press(t, m, "space")
	}
	press(t, m, "t")
	if !strings.Contains(m.msg, "touch logged on 1; 2 skipped (1 DNC, 1 closed)") {
		t.Errorf("touch: %q", m.msg)
	}
	if triageOf(t, s, "frank@f.example").Touches != 0 || triageOf(t, s, "jack@j.example").Touches != 0 {
		t.Error("a guarded contact got a touch")
	}
	press(t, m, "s", "g") // Alice is contacted by her touch
	if !strings.Contains(m.msg, "status set to engaged on 1; 2 skipped (1 DNC, 1 closed)") {
		t.Errorf("status: %q", m.msg)
	}
	if st := triageOf(t, s, "frank@f.example").Status; st != store.StatusNew {
		t.Errorf("DNC contact got status %s", st)
	}
	press(t, m, "z")
	if !strings.Contains(m.msg, "snoozed 1 day(s) on 2; 1 skipped (DNC)") {
		t.Errorf("snooze: %q", m.msg)
	}
}

// TestMarkRangeAndAll: v marks from the last row marked with space to the
// cursor; V marks every row of the view and a second V clears; ctrl+a is
// V.
func TestMarkRangeAndAll(t *testing.T) {
	m := newModel(t, fixture(t), Options{})
	press(t, m, "O") // by name: the rows' order does not hang on urgency rules
	selectName(t, m, "Dave")
	press(t, m, "space") // Dave marked, cursor on Erin
	selectName(t, m, "Alice")
	press(t, m, "v")
	if got := marked(m); !slices.Equal(got, []string{"Alice", "Bob", "Carol", "Dave"}) {
		t.Errorf("v: %v", got)
	}
	press(t, m, "V")
	if got := marked(m); !slices.Equal(got, rowNames(m)) {
		t.Errorf("V: %v of %v", got, rowNames(m))
	}
	press(t, m, "V")
	if len(m.marks.set) != 0 {
		t.Errorf("a second V left %v", marked(m))
	}
	send(t, m, ctrlA)
	if len(marked(m)) != len(m.x.visible) {
		t.Errorf("ctrl+a: %v", marked(m))
	}
}

// TestHiddenMarksStayButAreNotActedOn: marks on rows a search hides stay
// (the footer counts them as hidden), and a batch reaches only the marked
// rows on screen, saying so.
func TestHiddenMarksStayButAreNotActedOn(t *testing.T) {
	s := fixture(t)
	m := newModel(t, s, Options{})
	press(t, m, "O") // by name: the rows' order does not hang on urgency rules
	selectName(t, m, "Alice")
	press(t, m, "space", "space")
	press(t, m, "/")
	typeText(t, m, "alice")
	press(t, m, "enter")
	if !strings.Contains(screenText(m), "2 marked, 1 hidden") {
		t.Errorf("footer:\n%s", screenText(m))
	}
	press(t, m, "n")
	typeText(t, m, "sent the price list")
	press(t, m, "enter")
	if !strings.Contains(m.msg, "note added on 1; 1 marked out of view left alone") {
		t.Errorf("note: %q", m.msg)
	}
	if len(triageOf(t, s, "bob@b.example").Notes) != 0 {
		t.Error("a hidden marked row got the note")
	}
	press(t, m, "x")
	if got := marked(m); !slices.Equal(got, []string{"Alice", "Bob"}) {
		t.Errorf("marks after the filter cleared: %v", got)
	}
}

// TestBatchTouchPastCadenceAsksOnce: with marked contacts past the
// cadence, t asks once; s skips those and touches the rest, and u undoes
// it in one step.
func TestBatchTouchPastCadenceAsksOnce(t *testing.T) {
	s := fixture(t)
	for range store.DefaultCadence.Total() {
		for _, e := range []string{"alice@a.example", "bob@b.example"} {
			if _, err := s.LogTouch(store.ContactIDForEmail(e), testNow.Add(-time.Hour), store.DefaultCadence, ""); err != nil {
				t.Fatal(err)
			}
		}
	}
	m := newModel(t, s, Options{})
	for _, n := range []string{"Alice", "Bob", "Carol"} {
		selectName(t, m, n)
		press(t, m, "space")
	}
	press(t, m, "t")
	if m.prompt.kind != promptConfirmTouch || !strings.Contains(footer(m), "2 of 3 marked had all 4 touches") {
		t.Fatalf("no single question: %q", footer(m))
	}
	press(t, m, "s")
	if !strings.Contains(m.msg, "touch logged on 1; 2 skipped (cadence done)") {
		t.Errorf("skip: %q", m.msg)
	}
	if triageOf(t, s, "alice@a.example").Touches != 4 || triageOf(t, s, "carol@c.example").Touches != 1 {
		t.Error("touches went to the wrong contacts")
	}
	press(t, m, "t", "n")
	if triageOf(t, s, "carol@c.example").Touches != 1 {
		t.Error("n logged a touch")
	}
	press(t, m, "u")
	if triageOf(t, s, "carol@c.example").Touches != 0 {
		t.Errorf("undo: %q", m.msg)
	}
}

// TestBigBatchAsksFirstAndUndoesAsOne: V on a view of more than bigBatch
// rows and one key asks before changing them all; n changes nothing, y
// changes every row, and one u takes every change back.
func TestBigBatchAsksFirstAndUndoesAsOne(t *testing.T) {
	var leads []store.Lead
	const n = bigBatch + 20
	for i := range n {
		leads = append(leads, lead(fmt.Sprintf("P%03d", i), fmt.Sprintf("p%03d@x.example", i), store.ActionInstall, float64(i+30)))
	}
	s := openStore(t, leads)
	m := newModel(t, s, Options{})
	send(t, m, ctrlA)
	press(t, m, "s", "g")
	if m.prompt.kind != promptConfirmBatch || !strings.Contains(footer(m), fmt.Sprintf("Change %d contacts? y/n", n)) {
		t.Fatalf("no question before %d changes: %q", n, footer(m))
	}
	press(t, m, "n")
	if triageOf(t, s, "p007@x.example").Status != store.StatusNew {
		t.Fatal("n changed a contact")
	}
	press(t, m, "s", "g", "y")
	if !strings.Contains(m.msg, fmt.Sprintf("status set to engaged on %d", n)) {
		t.Errorf("y: %q", m.msg)
	}
	for _, e := range []string{"p000@x.example", "p119@x.example"} {
		if st := triageOf(t, s, e).Status; st != store.StatusEngaged {
			t.Errorf("%s: %s", e, st)
		}
	}
	press(t, m, "u")
	for _, e := range []string{"p000@x.example", "p119@x.example"} {
		if st := triageOf(t, s, e).Status; st != store.StatusNew {
			t.Errorf("%s after one u: %s (%q)", e, st, m.msg)
		}
	}
	if got := len(m.x.visible); got != n {
		t.Errorf("%d rows in Needs action after the undo, want %d", got, n)
	}
}
