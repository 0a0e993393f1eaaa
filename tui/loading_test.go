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

// TestEveryKeyWhileLoading: no key, alone or followed by enter, text and
// esc, crashes an inbox whose leads have not loaded yet (the first
// seconds at a million leads, and every reload after another process
// wrote), nor one that shows its early frame (ranked from the rank
// column) while the full load runs.
func TestEveryKeyWhileLoading(t *testing.T) {
	keys := []string{"enter", "esc", "tab", "space", "backspace", "ctrl+d", "ctrl+u"}
	for c := '!'; c <= '~'; c++ {
		keys = append(keys, string(c))
	}
	s := fixture(t)
	for _, early := range []bool{false, true} {
		for _, k := range keys {
			for _, then := range [][]string{nil, {"enter"}, {"a", "enter"}, {"y"}, {"esc"}} {
				m := New(s, Options{Now: func() time.Time { return testNow }})
				m.msgs.after = noTick
				send(t, m, tea.WindowSizeMsg{Width: 80, Height: 24})
				func() {
					defer func() {
						if r := recover(); r != nil {
							t.Errorf("%q then %v before the load (early frame %v): panic %v", k, then, early, r)
						}
					}()
					load := m.loadCmd()
					if early {
						msg, ok := m.earlyCmd()().(earlyMsg)
						if !ok || !msg.ok {
							t.Fatal("no early frame")
						}
						_, load = m.Update(msg)
						if !strings.Contains(m.render(), " ago ") {
							t.Fatalf("the early frame shows no row:\n%s", m.render())
						}
					}
					press(t, m, append([]string{k}, then...)...)
					_ = m.View()
					run(t, m, load)
					_ = m.View()
				}()
			}
		}
	}
}

// TestMovementTypedWhileLoadingIsKept: j j typed before the full load
// (on the early frame at a million leads, or on "Loading leads…") moves
// the cursor two rows once the load lands, and a following enter opens
// that contact. A key that changes a contact (t, touch) is not kept,
// since the row it would act on was not on screen, and it drops the keys
// kept before it (keys act in the order typed): the cursor stays on the
// first row and nothing changes.
func TestMovementTypedWhileLoadingIsKept(t *testing.T) {
	s := fixture(t)
	ref := newModel(t, s, Options{})
	want := ref.x.dg[ref.x.visible[2]].IDString()
	for _, early := range []bool{false, true} {
		for _, keys := range [][]string{{"j", "j"}, {"j", "j", "enter"}, {"j", "j", "t"}} {
			m := New(s, Options{Now: func() time.Time { return testNow }})
			m.msgs.after = noTick
			send(t, m, tea.WindowSizeMsg{Width: 80, Height: 24})
			load := m.loadCmd()
			if early {
				msg, ok := m.earlyCmd()().(earlyMsg)
				if !ok || !msg.ok {
					t.Fatal("no early frame")
				}
				_, load = m.Update(msg)
			}
			press(t, m, keys...)
			if m.cursor != 0 {
				t.Fatalf("%v (early frame %v): the cursor moved to %d before the load", keys, early, m.cursor)
			}
			run(t, m, load)
			wantRow := 2
			if keys[len(keys)-1] == "t" {
				wantRow = 0
			}
			if m.cursor != wantRow || m.x.dg[m.selected()].IDString() != ref.x.dg[ref.x.visible[wantRow]].IDString() {
				t.Fatalf("%v (early frame %v): after the load the cursor is on row %d, want row %d", keys, early, m.cursor, wantRow)
			}
			opened := m.screen == screenDetail
			if wantOpen := keys[len(keys)-1] == "enter"; opened != wantOpen {
				t.Fatalf("%v (early frame %v): detail open %v, want %v", keys, early, opened, wantOpen)
			}
			if opened && m.detail.id != want {
				t.Fatalf("%v: opened %s, want the third row's contact %s", keys, m.detail.id, want)
			}
			if c, err := s.Contact(want); err != nil || c.Triage.Touches != 0 {
				t.Fatalf("%v: a key typed before the load changed the contact: %+v %v", keys, c.Triage, err)
			}
		}
	}
}

// TestTypeaheadKeepsTheOrderOfKeys: a key that acts at once while the
// leads load (help, a search) drops the movement keys typed before it,
// so nothing is applied out of order or behind what it opened: j j enter
// then ? leaves the help open over the first row, not a contact opened
// under it.
func TestTypeaheadKeepsTheOrderOfKeys(t *testing.T) {
	s := fixture(t)
	for _, keys := range [][]string{{"j", "j", "enter", "?"}, {"j", "enter", "/"}} {
		m := New(s, Options{Now: func() time.Time { return testNow }})
		m.msgs.after = noTick
		send(t, m, tea.WindowSizeMsg{Width: 80, Height: 24})
		load := m.loadCmd()
		press(t, m, keys...)
		run(t, m, load)
		if m.screen != screenInbox || m.cursor != 0 {
			t.Fatalf("%v: after the load screen %v, cursor %d: the kept keys were applied after a later key", keys, m.screen, m.cursor)
		}
		if !m.overlaid() {
			t.Fatalf("%v: what the last key opened is gone", keys)
		}
	}
}
