package tui

import (
	"errors"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
)

// clockModel is newModel with a clock the test moves.
func clockModel(t *testing.T) (*Model, *time.Time) {
	t.Helper()
	now := testNow
	m := newModel(t, fixture(t), Options{Now: func() time.Time { return now }})
	return m, &now
}

// footer is the message line: the line above the status bar.
func footer(m *Model) string {
	lines := strings.Split(screenText(m), "\n")
	return lines[len(lines)-2]
}

func TestMessageExpiresAndHintsComeBack(t *testing.T) {
	m, now := clockModel(t)
	var waits []time.Duration
	m.msgs.after = func(d time.Duration, fn func(time.Time) tea.Msg) tea.Cmd {
		waits = append(waits, d)
		return nil
	}
	selectName(t, m, "Alice")
	press(t, m, "t")
	if f := footer(m); !strings.Contains(f, "Alice Test: touch 1 logged") {
		t.Fatalf("no message after t: %q", f)
	}
	if len(waits) != 1 || waits[0] > msgLife {
		t.Fatalf("the message's expiry was not scheduled: %v", waits)
	}
	*now = now.Add(msgLife / 2)
	send(t, m, msgTickMsg{})
	if !strings.Contains(footer(m), "touch 1 logged") {
		t.Fatalf("the message went before its time: %q", footer(m))
	}
	*now = now.Add(msgLife)
	send(t, m, msgTickMsg{})
	if f := footer(m); strings.Contains(f, "touch 1 logged") || !strings.Contains(f, "open contact") {
		t.Fatalf("after %v the hints did not come back: %q", msgLife, f)
	}

	// The next key clears a message at once, whatever the clock says.
	press(t, m, "x")
	if !strings.Contains(footer(m), "no filter") {
		t.Fatalf("x said nothing: %q", footer(m))
	}
	press(t, m, "j")
	if f := footer(m); !strings.Contains(f, "open contact") {
		t.Fatalf("a move kept the old message: %q", f)
	}
}

func TestContactScreenHintsComeBack(t *testing.T) {
	m, now := clockModel(t)
	selectName(t, m, "Alice")
	press(t, m, "enter", "n")
	typeText(t, m, "rang, no answer")
	press(t, m, "enter")
	if f := footer(m); !strings.Contains(f, "Alice Test: note added") {
		t.Fatalf("no message on the contact screen: %q", f)
	}
	*now = now.Add(msgLife)
	send(t, m, msgTickMsg{})
	if f := footer(m); !strings.Contains(f, "esc back") || !strings.Contains(f, "log touch") {
		t.Fatalf("the contact screen's hints did not come back: %q", f)
	}
}

func TestErrorStaysUntilTheNextKey(t *testing.T) {
	m, now := clockModel(t)
	press(t, m, "3")
	selectName(t, m, "Frank")
	press(t, m, "enter", "t")
	if !m.msgErr || !strings.Contains(footer(m), "DO NOT CONTACT") {
		t.Fatalf("no error for a touch on a DNC contact: %q", footer(m))
	}
	*now = now.Add(time.Hour)
	send(t, m, msgTickMsg{})
	if !strings.Contains(footer(m), "DO NOT CONTACT") {
		t.Fatalf("the error expired before the rep saw it: %q", footer(m))
	}
	// esc dismisses it and does nothing else: the contact screen stays.
	press(t, m, "esc")
	if m.screen != screenDetail || m.msg != "" {
		t.Fatalf("esc on an error: screen %d, message %q; want the error gone and the contact screen kept", m.screen, m.msg)
	}
	if f := footer(m); !strings.Contains(f, "esc back") {
		t.Fatalf("hints after dismissing the error: %q", f)
	}
	press(t, m, "esc")
	if m.screen != screenInbox {
		t.Fatalf("the second esc did not go back")
	}
	// An error that comes while a prompt covers the message line is not
	// dismissed by the typing: the rep has not seen it.
	press(t, m, "n")
	send(t, m, syncDoneMsg{err: errors.New("network dropped"), manual: true})
	typeText(t, m, "ok")
	if !m.msgErr || !strings.Contains(m.msg, "network dropped") {
		t.Fatalf("typing in a prompt dismissed an error the rep could not see: %q", m.msg)
	}
	press(t, m, "backspace", "backspace", "esc", "esc")
	// Any other key dismisses it and does its own work too.
	selectName(t, m, "Frank")
	press(t, m, "t")
	cur := m.cursor
	press(t, m, "j")
	if m.msg != "" || m.cursor != cur+1 {
		t.Fatalf("j after an error: message %q, cursor %d → %d", m.msg, cur, m.cursor)
	}
}

func TestLongMessageReadsWholeInTheLog(t *testing.T) {
	m, _ := clockModel(t)
	send(t, m, windowSize(40, 20))
	press(t, m, "S") // sync is not set up: a message longer than 40 columns
	long := m.msg
	if widthOf(long) <= 40 {
		t.Fatalf("the message fits; the test needs a longer one: %q", long)
	}
	f := footer(m)
	if widthOf(f) > 40 || !strings.Contains(f, "M reads it whole") {
		t.Fatalf("a cut message does not say where to read it: %q", f)
	}
	press(t, m, "M")
	scr := screenText(m)
	if !strings.Contains(scr, "Messages") {
		t.Fatalf("M did not open the message log:\n%s", scr)
	}
	var words []string
	for _, l := range strings.Split(scr, "\n")[1:] {
		words = append(words, strings.Fields(l)...)
	}
	if got := strings.Join(words, " "); !strings.Contains(got, long) {
		t.Fatalf("the log does not hold %q whole:\n%s", long, scr)
	}
	for _, l := range strings.Split(scr, "\n") {
		if widthOf(l) > 40 {
			t.Fatalf("log line wider than the terminal: %q", l)
		}
	}
	press(t, m, "esc")
	if m.msgs.showLog || !strings.Contains(screenText(m), "Clock") {
		t.Fatalf("esc did not close the log")
	}
}

func TestEmptyDatabaseHintIsWhole(t *testing.T) {
	m := newModel(t, openStore(t, nil), Options{})
	for _, w := range []int{60, 100} {
		send(t, m, windowSize(w, 24))
		var words []string
		for _, l := range strings.Split(screenText(m), "\n") {
			if widthOf(l) > w {
				t.Fatalf("line wider than %d: %q", w, l)
			}
			words = append(words, strings.Fields(l)...)
		}
		if hint := m.emptyText(); !strings.Contains(strings.Join(words, " "), hint) {
			t.Errorf("at %d columns the hint %q is not whole:\n%s", w, hint, screenText(m))
		}
	}
}
