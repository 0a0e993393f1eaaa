package tui

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/leads-inbox/leads/store"
)

// testNow is the frozen clock of every test.
var testNow = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

// lead builds one synthetic lead; hoursAgo dates it relative to testNow.
func lead(first, email, action string, hoursAgo float64) store.Lead {
	return store.Lead{
		Origin:     store.Origin{PartitionKey: "pk", RowKey: fmt.Sprintf("%s-%s-%v", email, action, hoursAgo)},
		LeadSource: "AppSource (SPZA)-" + action + "|contoso.inventory-pro",
		Source:     store.SourceAppSource, Action: action,
		OfferID: "contoso.inventory-pro", OfferName: "Contoso Inventory Pro",
		Created:     testNow.Add(-time.Duration(hoursAgo * float64(time.Hour))),
		Description: "Please call me about pricing",
		Customer: store.Customer{FirstName: first, LastName: "Test", Email: email, Country: "US",
			Company: first + " Corp", Title: "CTO"},
	}
}

// openStore makes a database holding leads.
func openStore(t testing.TB, leads []store.Lead) *store.Store {
	t.Helper()
	s, err := store.Open(filepath.Join(t.TempDir(), "t.db"), store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if len(leads) > 0 {
		if _, err := s.Upsert(leads, store.UpsertOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// newModel opens the inbox on leads, loaded and sized, with a frozen clock.
func newModel(t testing.TB, s *store.Store, opt Options) *Model {
	t.Helper()
	if opt.Now == nil {
		opt.Now = func() time.Time { return testNow }
	}
	m := New(s, opt)
	m.msgs.after = noTick
	run(t, m, m.loadCmd())
	send(t, m, tea.WindowSizeMsg{Width: 80, Height: 24})
	if m.x == nil {
		t.Fatalf("not loaded: %v", m.loadErr)
	}
	return m
}

// send delivers msg and runs every command it causes, as the program would
// (ticks and spinner frames excepted: they only schedule redraws).
func send(t testing.TB, m *Model, msg tea.Msg) {
	t.Helper()
	_, cmd := m.Update(msg)
	run(t, m, cmd)
}

func run(t testing.TB, m *Model, cmd tea.Cmd) {
	t.Helper()
	if cmd == nil {
		return
	}
	msg := cmd()
	switch msg := msg.(type) {
	case nil:
	case tea.BatchMsg:
		for _, c := range msg {
			run(t, m, c)
		}
	case spinner.TickMsg, clockMsg, syncTickMsg, mailTickMsg, teamTickMsg:
	case tea.QuitMsg:
	default:
		send(t, m, msg)
	}
}

// press sends keys: single characters, or names such as "enter", "esc".
func press(t testing.TB, m *Model, keys ...string) {
	t.Helper()
	for _, k := range keys {
		send(t, m, keyMsg(k))
	}
}

func keyMsg(k string) tea.KeyPressMsg {
	switch k {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	case "backspace":
		return tea.KeyPressMsg{Code: tea.KeyBackspace}
	case "space":
		return tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
	case "ctrl+d":
		return tea.KeyPressMsg{Code: 'd', Mod: tea.ModCtrl}
	case "ctrl+u":
		return tea.KeyPressMsg{Code: 'u', Mod: tea.ModCtrl}
	}
	r := []rune(k)
	if len(r) != 1 {
		panic("unknown key " + k)
	}
	return tea.KeyPressMsg{Code: r[0], Text: k}
}

// typeText types text into whatever has focus.
func typeText(t testing.TB, m *Model, text string) {
	t.Helper()
	for _, r := range text {
		if r == ' ' {
			press(t, m, "space")
			continue
		}
		press(t, m, string(r))
	}
}

var sgr = regexp.MustCompile(`\x1b\[[0-9;:]*m`)

// plain is the screen without the styling the inbox itself adds.
func plain(s string) string { return sgr.ReplaceAllString(s, "") }

// screenText renders the current view as plain text.
func screenText(m *Model) string { return plain(m.render()) }

// rowNames lists the names in the inbox rows, top to bottom.
func rowNames(m *Model) []string {
	var out []string
	for _, i := range m.x.visible {
		rt, ok := m.rows[m.x.dg[i].Seq]
		if !ok {
			out = append(out, "?")
			continue
		}
		out = append(out, strings.Fields(rt.name)[0])
	}
	return out
}

// triageOf reads a contact's saved state from the store.
func triageOf(t testing.TB, s *store.Store, email string) store.Triage {
	t.Helper()
	c, err := s.Contact(email)
	if err != nil {
		t.Fatal(err)
	}
	return c.Triage
}

// selectName moves the cursor onto the named contact.
func selectName(t testing.TB, m *Model, name string) {
	t.Helper()
	for j := range m.x.visible {
		if rowNames(m)[j] == name {
			m.cursor = j
			m.clampCursor()
			return
		}
	}
	t.Fatalf("%s is not in view %s: %v", name, viewNames[m.view], rowNames(m))
}

// noTick stands in for tea.Tick: the harness runs every command at once,
// so tests move the clock and send msgTickMsg themselves.
func noTick(time.Duration, func(time.Time) tea.Msg) tea.Cmd { return nil }

func windowSize(w, h int) tea.WindowSizeMsg { return tea.WindowSizeMsg{Width: w, Height: h} }

func widthOf(s string) int { return ansi.StringWidthWc(s) }
