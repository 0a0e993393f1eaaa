package tui

import (
	"strings"
	"testing"

	"github.com/leads-inbox/leads/store"
	"github.com/leads-inbox/leads/store/view"
)

// The stats count what the inbox shows: every lead in the unfiltered All
// view, else the leads of the contacts in view that match the lead-level
// filters, and the title says which.
func TestStatsFollowViewAndFilter(t *testing.T) {
	s := openStore(t, []store.Lead{
		lead("Alice", "alice@a.example", store.ActionContactMe, 2),
		lead("Alice", "alice@a.example", store.ActionInstall, 3),
		lead("Bob", "bob@b.example", store.ActionInstall, 5),
		lead("Carol", "carol@c.example", store.ActionContactMe, 30),
	})
	m := newModel(t, s, Options{})
	press(t, m, "3", "i")
	if m.stats.s == nil || m.stats.s.total != 4 || !strings.Contains(screenText(m), "Stats of all contacts") {
		t.Fatalf("unfiltered: %+v\n%s", m.stats.s, screenText(m))
	}
	press(t, m, "esc")
	m.f, _ = m.filtersOf(view.Filter{Action: []string{"Contact me"}})
	run(t, m, m.refilter())
	press(t, m, "i")
	scr := screenText(m)
	if !strings.Contains(scr, "Stats of All view · action=Contact me (2 contacts)") {
		t.Fatalf("title does not say what is counted:\n%s", scr)
	}
	// Alice's install lead is not a Contact me lead: 2 leads, not 3.
	if m.stats.s.total != 2 || m.stats.s.bySA[[2]string{"AppSource", "Contact me"}] != 2 {
		t.Fatalf("filtered stats %+v", m.stats.s)
	}
	var open int
	for _, n := range m.stats.summary.touches {
		open += n
	}
	if open != 2 {
		t.Fatalf("follow-up summary counts %d open contacts, want the 2 in view", open)
	}
	// A search narrows them too.
	press(t, m, "esc", "/")
	typeText(t, m, "carol")
	press(t, m, "enter", "i")
	if m.stats.s.total != 1 || !strings.Contains(screenText(m), `search "carol"`) {
		t.Fatalf("search: %+v\n%s", m.stats.s, screenText(m))
	}
}

// esc from the stats goes back where they were opened, and their hint
// bar offers only keys that work there.
func TestStatsBackAndHints(t *testing.T) {
	m := newModel(t, fixture(t), Options{})
	selectName(t, m, "Alice")
	press(t, m, "enter", "i")
	if m.screen != screenStats {
		t.Fatalf("i on a contact: screen %d", m.screen)
	}
	m.msg = ""
	hint := strings.Split(strings.TrimRight(screenText(m), "\n"), "\n")
	bar := hint[len(hint)-2]
	for _, bad := range []string{"log touch", "set status", "email draft", "follow-up"} {
		if strings.Contains(bar, bad) {
			t.Errorf("stats hint bar offers %q: %q", bad, bar)
		}
	}
	if !strings.Contains(bar, "esc") {
		t.Errorf("stats hint bar lacks esc: %q", bar)
	}
	press(t, m, "esc")
	if m.screen != screenDetail {
		t.Fatalf("esc from stats opened on a contact went to screen %d", m.screen)
	}
	press(t, m, "esc", "i", "esc")
	if m.screen != screenInbox {
		t.Fatalf("esc from stats opened in the inbox went to screen %d", m.screen)
	}
}

// TestStatsCountedAheadShowNewLeads: the whole-file stats the inbox
// counts after its first frame are what `i` shows, and once a sync (or
// any import) stores a lead, `i` counts it.
func TestStatsCountedAheadShowNewLeads(t *testing.T) {
	s := openStore(t, []store.Lead{
		lead("Alice", "alice@a.example", store.ActionContactMe, 2),
		lead("Bob", "bob@b.example", store.ActionInstall, 5),
	})
	m := newModel(t, s, Options{})
	run(t, m, m.prepareStatsCmd())
	press(t, m, "3", "i")
	if m.stats.s == nil || m.stats.s.total != 2 {
		t.Fatalf("counted ahead: %+v", m.stats.s)
	}
	press(t, m, "esc")
	if _, err := s.Upsert([]store.Lead{lead("Carol", "carol@c.example", store.ActionContactMe, 1)}, store.UpsertOptions{}); err != nil {
		t.Fatal(err)
	}
	press(t, m, "i")
	if m.stats.s == nil || m.stats.s.total != 3 || m.stats.s.bySA[[2]string{"AppSource", "Contact me"}] != 2 {
		t.Fatalf("after a new lead: %+v", m.stats.s)
	}
}
