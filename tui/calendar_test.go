package tui

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	ics "github.com/arran4/golang-ical"

	"github.com/leads-inbox/leads/store"
	"github.com/leads-inbox/leads/tui/config"
)

// calendarModel opens the inbox with [calendar] rewrite on, writing to
// path; its ticks are kept in fired for the test to deliver.
func calendarModel(t *testing.T, path string, fired *[]tea.Msg) (*Model, *store.Store) {
	t.Helper()
	s := openStore(t, []store.Lead{lead("Ana", "ana@x.com", "Contact me", 3), lead("Bo", "bo@x.com", "Contact me", 5)})
	cfg := config.Defaults(func(string) string { return "" })
	cfg.Calendar = config.Calendar{Path: path, Rewrite: true}
	m := newModel(t, s, Options{Config: cfg})
	m.cal.after = func(_ time.Duration, fn func(time.Time) tea.Msg) tea.Cmd {
		*fired = append(*fired, fn(testNow))
		return nil
	}
	return m, s
}

// deliver sends the kept ticks in order and reports how many writes
// they started.
func deliver(t *testing.T, m *Model, fired *[]tea.Msg) int {
	t.Helper()
	writes := 0
	for len(*fired) > 0 {
		msg := (*fired)[0]
		*fired = (*fired)[1:]
		_, cmd := m.Update(msg)
		if cmd != nil {
			writes++
			run(t, m, cmd)
		}
	}
	return writes
}

func calendarFile(t *testing.T, path string) []*ics.VEvent {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	cal, err := ics.ParseCalendar(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%v:\n%s", err, b)
	}
	return cal.Events()
}

// With rewrite on, a saved change rewrites the calendar once the changes
// stop: three touches in a row give one write, holding all of them; a
// later status change cancels that contact's event.
func TestInboxRewritesTheCalendarAfterChanges(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f.ics")
	var fired []tea.Msg
	m, _ := calendarModel(t, path, &fired)
	press(t, m, "3") // the All view keeps touched contacts in sight
	selectName(t, m, "Ana")
	press(t, m, "t")
	selectName(t, m, "Bo")
	press(t, m, "t", "z")
	if len(fired) != 3 {
		t.Fatalf("%d rewrites scheduled for 3 changes", len(fired))
	}
	if _, err := os.Stat(path); err == nil {
		t.Fatalf("the calendar was written before the changes stopped")
	}
	if n := deliver(t, m, &fired); n != 1 {
		t.Fatalf("%d writes for a burst of 3 changes, want 1", n)
	}
	if evs := calendarFile(t, path); len(evs) != 2 {
		t.Fatalf("%d events, want 2", len(evs))
	}
	selectName(t, m, "Ana")
	press(t, m, "s")
	typeText(t, m, "won")
	press(t, m, "enter")
	deliver(t, m, &fired)
	cancelled := 0
	for _, e := range calendarFile(t, path) {
		if p := e.GetProperty(ics.ComponentPropertyStatus); p != nil && p.Value == "CANCELLED" {
			cancelled++
		}
	}
	if cancelled != 1 {
		t.Fatalf("%d cancelled events after Ana was won, want 1", cancelled)
	}
}

// A calendar that cannot be written is one line on the status bar; the
// change itself is saved.
func TestInboxSaysWhenTheCalendarCannotBeWritten(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing", "f.ics")
	var fired []tea.Msg
	m, s := calendarModel(t, path, &fired)
	selectName(t, m, "Ana")
	press(t, m, "t")
	deliver(t, m, &fired)
	if !m.msgErr || !strings.HasPrefix(m.msg, "calendar not updated: cannot write the calendar") || strings.Contains(m.msg, "\n") {
		t.Fatalf("message %q (error %v)", m.msg, m.msgErr)
	}
	if tr := triageOf(t, s, "ana@x.com"); tr.Touches != 1 {
		t.Fatalf("the touch was not saved: %+v", tr)
	}
}

// Without rewrite, changes schedule nothing.
func TestInboxLeavesTheCalendarAloneByDefault(t *testing.T) {
	s := openStore(t, []store.Lead{lead("Ana", "ana@x.com", "Contact me", 3)})
	m := newModel(t, s, Options{})
	var fired []tea.Msg
	m.cal.after = func(_ time.Duration, fn func(time.Time) tea.Msg) tea.Cmd {
		fired = append(fired, fn(testNow))
		return nil
	}
	press(t, m, "t")
	if len(fired) != 0 {
		t.Fatalf("a rewrite was scheduled without [calendar] rewrite")
	}
}
