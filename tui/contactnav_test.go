package tui

import (
	"fmt"
	"strings"
	"testing"
)

// TestContactScreenNextPreviousAndCopy: J and K on the contact screen open
// the next and previous contact of the list (esc returns to the list on
// that row), and y copies the email address the way the draft screen's c
// copies (OSC 52).
func TestContactScreenNextPreviousAndCopy(t *testing.T) {
	m := newModel(t, fixture(t), Options{})
	names := rowNames(m)
	press(t, m, "enter")
	if m.detail.c == nil || !strings.HasPrefix(m.detail.c.Name(), names[0]) {
		t.Fatalf("opened %v, want %s", m.detail.c, names[0])
	}
	press(t, m, "J")
	if !strings.HasPrefix(m.detail.c.Name(), names[1]) || !strings.Contains(screenText(m), names[1]+" Test") {
		t.Fatalf("J opened %s, want %s", m.detail.c.Name(), names[1])
	}
	press(t, m, "J", "K")
	if !strings.HasPrefix(m.detail.c.Name(), names[1]) {
		t.Fatalf("J K opened %s, want %s", m.detail.c.Name(), names[1])
	}
	press(t, m, "K", "K")
	if !strings.Contains(m.msg, "first contact") || !strings.HasPrefix(m.detail.c.Name(), names[0]) {
		t.Errorf("K on the first contact: %q, open %s", m.msg, m.detail.c.Name())
	}
	press(t, m, "J")
	_, cmd := m.Update(keyMsg("y"))
	if cmd == nil {
		t.Fatal("y copied nothing")
	}
	if got := fmt.Sprint(cmd()); !strings.Contains(got, "bob@b.example") {
		t.Errorf("y put %q on the clipboard, want Bob's address", got)
	}
	if !strings.Contains(m.msg, "copied bob@b.example") {
		t.Errorf("message %q", m.msg)
	}
	// A touch moves Bob out of the list: J opens who followed him.
	press(t, m, "t", "J")
	if !strings.HasPrefix(m.detail.c.Name(), names[2]) {
		t.Errorf("J after Bob left the list opened %s, want %s", m.detail.c.Name(), names[2])
	}
	press(t, m, "esc")
	if rowNames(m)[m.cursor] != names[2] {
		t.Errorf("back in the list on %s, want %s", rowNames(m)[m.cursor], names[2])
	}
}
