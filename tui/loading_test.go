package tui

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
)

// TestSearchTypedWhileLoading: a search typed and entered before the
// leads have loaded (a rep quick on the keys, or an inbox reloading after
// another process wrote) is kept and applied once they are in; it used to
// crash the inbox on enter.
func TestSearchTypedWhileLoading(t *testing.T) {
	s := fixture(t)
	m := New(s, Options{Now: func() time.Time { return testNow }})
	m.msgs.after = noTick
	send(t, m, tea.WindowSizeMsg{Width: 80, Height: 24})
	press(t, m, "3", "/", "b", "o", "b", "enter")
	if !strings.Contains(m.msg, "once the leads are loaded") {
		t.Fatalf("message %q", m.msg)
	}
	run(t, m, m.loadCmd())
	if got := rowNames(m); len(got) != 1 || got[0] != "Bob" {
		t.Fatalf("rows after the load: %v", got)
	}
}
