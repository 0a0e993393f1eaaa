package tui

import (
	"image/color"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/leads-inbox/leads/store"
	"github.com/leads-inbox/leads/store/view"
	"github.com/leads-inbox/leads/tui/config"
)

func configModel(t *testing.T, c *config.Config) (*Model, *store.Store) {
	t.Helper()
	s := openStore(t, []store.Lead{
		lead("Alice", "alice@a.example", store.ActionContactMe, 2),
		lead("Bob", "bob@b.example", store.ActionInstall, 5),
		lead("Carol", "carol@c.example", store.ActionContactMe, 30),
	})
	return newModel(t, s, Options{Config: c}), s
}

func baseConfig() *config.Config {
	return config.Defaults(func(string) string { return "" })
}

// A saved view is a tab after the built-in ones; tab reaches it, and it
// applies its filter, written with the name the inbox shows ("Contact me").
func TestConfigSavedViewIsATab(t *testing.T) {
	c := baseConfig()
	c.Views = []config.View{{Name: "hot", Lane: view.LaneAll, Action: "Contact me", Sort: "urgency"}}
	m, _ := configModel(t, c)
	if !strings.Contains(screenText(m), " hot ") {
		t.Fatalf("no tab for the saved view:\n%s", screenText(m))
	}
	press(t, m, "8") // the last built-in view
	press(t, m, "tab")
	if m.savedAt != 0 || m.view != view.LaneAll {
		t.Fatalf("tab did not open the saved view: savedAt %d view %d", m.savedAt, m.view)
	}
	got := rowNames(m)
	slices.Sort(got)
	if !slices.Equal(got, []string{"Alice", "Carol"}) {
		t.Fatalf("saved view rows %v", got)
	}
	if !strings.Contains(screenText(m), "action=Contact me") {
		t.Fatalf("the filter line does not show the view's filter:\n%s", screenText(m))
	}
	press(t, m, "tab") // wraps to the first built-in view, filters kept
	if m.savedAt != -1 || m.view != view.LaneAction {
		t.Fatalf("tab after the last saved view: savedAt %d view %d", m.savedAt, m.view)
	}
}

// The default view from the config is where the inbox opens, a saved one
// included.
func TestConfigDefaultSavedView(t *testing.T) {
	c := baseConfig()
	c.Views = []config.View{{Name: "installs", Lane: view.LaneAll, Action: "INS", Sort: "urgency"}}
	c.DefaultView = "installs"
	m, _ := configModel(t, c)
	if got := rowNames(m); !slices.Equal(got, []string{"Bob"}) || m.savedAt != 0 {
		t.Fatalf("opened on %v (savedAt %d)", got, m.savedAt)
	}
	c2 := baseConfig()
	c2.DefaultView = "all"
	m2, _ := configModel(t, c2)
	if m2.view != view.LaneAll {
		t.Fatalf("default view all: %d", m2.view)
	}
}

// A saved view whose value no lead has says so instead of silently
// showing everything.
func TestConfigSavedViewUnknownValueSaysSo(t *testing.T) {
	c := baseConfig()
	c.Views = []config.View{{Name: "nl", Lane: view.LaneAll, Country: "Netherlands"}}
	m, _ := configModel(t, c)
	for range numSoloViews - m.view {
		press(t, m, "tab")
	}
	if !m.msgErr || !strings.Contains(m.msg, `country "Netherlands"`) {
		t.Fatalf("message %q", m.msg)
	}
}

// The cadence in the config is the one touches follow and the screens
// count against.
func TestConfigCadenceDrivesTouches(t *testing.T) {
	c := baseConfig()
	c.Cadence = config.CadenceOf([]int{1}, 2)
	m, s := configModel(t, c)
	press(t, m, "3")
	selectName(t, m, "Alice")
	press(t, m, "t")
	tr := triageOf(t, s, "alice@a.example")
	if want := testNow.AddDate(0, 0, 1); !tr.NextFollowUp.Equal(want) {
		t.Fatalf("next follow-up %v, want %v (1 day)", tr.NextFollowUp, want)
	}
	if !strings.Contains(m.msg, "1 of 2 touches") {
		t.Fatalf("message %q", m.msg)
	}
}

// A key from [keys] replaces the default.
func TestConfigKeysRebind(t *testing.T) {
	c := baseConfig()
	c.Keys = map[string][]string{"touch": {"T"}}
	m, s := configModel(t, c)
	press(t, m, "3")
	selectName(t, m, "Alice")
	press(t, m, "t")
	if tr := triageOf(t, s, "alice@a.example"); tr.Touches != 0 {
		t.Fatal("t still logs a touch")
	}
	press(t, m, "T")
	if tr := triageOf(t, s, "alice@a.example"); tr.Touches != 1 {
		t.Fatal("T does not log a touch")
	}
}

func TestApplyKeysProblems(t *testing.T) {
	km := DefaultKeyMap()
	probs := ApplyKeys(&km, map[string][]string{
		"bogus":     {"x"},
		"follow_up": {"j"},      // j moves down
		"note":      {"ctrl+"},  // not a key
		"search":    {"ctrl+s"}, // fine
		"draft_eml": {"t"},      // t is the template key on the draft screen
		"stats":     {"m"},      // m is mailto, but only on the draft screen: no clash
	})
	var msgs []string
	for _, p := range probs {
		msgs = append(msgs, p.Action)
	}
	slices.Sort(msgs)
	if !slices.Equal(msgs, []string{"bogus", "draft_eml", "follow_up", "note"}) {
		t.Fatalf("problems %v", probs)
	}
	if !slices.Equal(km.Search.Keys(), []string{"ctrl+s"}) || !slices.Equal(km.Stats.Keys(), []string{"m"}) {
		t.Fatal("good bindings not applied")
	}
	if !slices.Equal(km.FollowUp.Keys(), []string{"d"}) || !slices.Equal(km.Note.Keys(), []string{"n"}) {
		t.Fatalf("a binding with a problem must keep its default: %v %v", km.FollowUp.Keys(), km.Note.Keys())
	}
}

// theme = "light" holds whatever background the terminal reports.
func TestConfigThemeFixed(t *testing.T) {
	c := baseConfig()
	c.Theme = config.ThemeLight
	m, _ := configModel(t, c)
	send(t, m, tea.BackgroundColorMsg{Color: color.Black})
	if m.dark {
		t.Fatal("theme light was overridden by a dark background")
	}
}

// The follow-up prompt shows the date it would set while the rep types,
// read in the configured order, and enter sets that date.
func TestFollowUpPromptPreviewsDate(t *testing.T) {
	for _, tc := range []struct {
		order config.DateOrder
		shown string
		want  time.Time
	}{
		{config.DayMonth, "→ Tue 1 Dec 09:00", time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)},
		{config.MonthDay, "→ Tue 12 Jan 2027 09:00", time.Date(2027, 1, 12, 9, 0, 0, 0, time.UTC)},
	} {
		c := baseConfig()
		c.DateOrder = tc.order
		m, s := configModel(t, c)
		press(t, m, "3")
		selectName(t, m, "Alice")
		press(t, m, "d")
		typeText(t, m, "01/12")
		scr := screenText(m)
		if !strings.Contains(scr, tc.shown) {
			t.Fatalf("%v: no preview %q on screen:\n%s", tc.order, tc.shown, scr)
		}
		typeText(t, m, "x")
		if strings.Contains(screenText(m), "→") {
			t.Fatalf("a preview for text that is no date:\n%s", screenText(m))
		}
		press(t, m, "backspace", "enter")
		if got := triageOf(t, s, "alice@a.example").NextFollowUp; !got.Equal(tc.want) {
			t.Fatalf("%v: follow-up %v, want %v", tc.order, got, tc.want)
		}
	}
}

// A contact whose latest lead is an install follows [cadence.actions]
// install, in the Tch column and when a touch is logged.
func TestConfigCadencePerAction(t *testing.T) {
	c := baseConfig()
	c.ActionCadence = map[string]store.Cadence{store.ActionInstall: {Days: []int{7}}}
	m, s := configModel(t, c)
	press(t, m, "3")
	selectName(t, m, "Bob") // latest lead: an install
	press(t, m, "t")
	if got, want := triageOf(t, s, "bob@b.example").NextFollowUp, testNow.AddDate(0, 0, 7); !got.Equal(want) {
		t.Fatalf("Bob's next follow-up %v, want %v", got, want)
	}
	if !strings.Contains(m.msg, "1 of 2 touches") {
		t.Fatalf("message %q", m.msg)
	}
	selectName(t, m, "Alice") // Contact me: the default plan
	press(t, m, "t")
	if got, want := triageOf(t, s, "alice@a.example").NextFollowUp, testNow.AddDate(0, 0, 2); !got.Equal(want) {
		t.Fatalf("Alice's next follow-up %v, want %v", got, want)
	}
	if !strings.Contains(m.msg, "1 of 4 touches") {
		t.Fatalf("message %q", m.msg)
	}
}

// A saved view's sort is how the inbox lists it; the built-in views go
// back to urgency when the rep leaves it.
func TestConfigSavedViewSorts(t *testing.T) {
	c := baseConfig()
	c.Views = []config.View{{Name: "byname", Lane: view.LaneAll, Sort: "-name"}}
	m, _ := configModel(t, c)
	press(t, m, "8", "tab")
	if m.savedAt != 0 {
		t.Fatalf("tab did not open the saved view: savedAt %d", m.savedAt)
	}
	if got := rowNames(m); !slices.Equal(got, []string{"Carol", "Bob", "Alice"}) {
		t.Fatalf("saved view sorted by -name lists %v", got)
	}
	press(t, m, "tab")
	if m.savedAt != -1 || m.sortBy != view.ByUrgency {
		t.Fatalf("leaving the saved view kept its order: savedAt %d sort %v", m.savedAt, m.sortBy)
	}
}

// [inbox] columns chooses the optional columns; the clock and the name
// always show, and the room of the hidden ones goes to the others.
func TestConfigColumns(t *testing.T) {
	c := baseConfig()
	c.Columns = []string{"offer", "email"}
	m, _ := configModel(t, c)
	send(t, m, windowSize(120, 24))
	head := strings.Split(screenText(m), "\n")
	var header string
	for _, l := range head {
		if strings.Contains(l, "Clock") {
			header = l
			break
		}
	}
	for _, want := range []string{"Clock", "Name", "Offer", "Email"} {
		if !strings.Contains(header, want) {
			t.Errorf("header lacks %s: %q", want, header)
		}
	}
	for _, hidden := range []string{"Company", "Latest", "Status", "Tch", "Country"} {
		if strings.Contains(header, hidden) {
			t.Errorf("header shows the hidden column %s: %q", hidden, header)
		}
	}
	if got := widthOf(header); got > 120 {
		t.Errorf("header is %d cells wide at 120 columns", got)
	}
}
