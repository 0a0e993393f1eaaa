package tui

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/leads-inbox/leads/store"
	"github.com/leads-inbox/leads/store/view"
)

// fixture is one contact per case the inbox must order or guard.
func fixture(t testing.TB) *store.Store {
	t.Helper()
	gina := lead("", "", store.ActionInstall, 1)
	gina.Customer = store.Customer{}
	gina.NoPII = true
	msft := lead("MSFT_TEST_636573304831318844", "MSFT_TEST_636573304831318844@test.com", store.ActionInstall, 10)
	msft.IsTest = true
	leads := []store.Lead{
		lead("Alice", "alice@a.example", store.ActionContactMe, 2),
		lead("Bob", "bob@b.example", store.ActionInstall, 5),
		lead("Carol", "carol@c.example", store.ActionContactMe, 30),
		lead("Dave", "dave@d.example", store.ActionStartTestDrive, 50),
		lead("Erin", "erin@e.example", store.ActionInstall, 100),
		lead("Frank", "frank@f.example", store.ActionDoNotContact, 3),
		gina, msft,
		lead("Hank", "hank@h.example", store.ActionContactMe, 400),
		lead("Ivy", "ivy@i.example", store.ActionInstall, 200),
		lead("Jack", "jack@j.example", store.ActionInstall, 300),
	}
	s := openStore(t, leads)
	at := testNow.Add(-48 * time.Hour)
	must := func(_ store.Triage, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.SetFollowUp(store.ContactIDForEmail("hank@h.example"), testNow.Add(-24*time.Hour), at))
	must(s.SetFollowUp(store.ContactIDForEmail("ivy@i.example"), testNow.Add(72*time.Hour), at))
	must(s.SetStatus(store.ContactIDForEmail("jack@j.example"), store.StatusWon, "", at))
	return s
}

func TestUrgencyOrder(t *testing.T) {
	m := newModel(t, fixture(t), Options{})
	// Bob's clock (19h left) runs out before Alice's (22h left): one clock
	// group, least time left first, hot or not.
	want := []string{"Hank", "Bob", "Alice", "Carol", "Dave", "Erin"}
	if got := rowNames(m); !slices.Equal(got, want) {
		t.Fatalf("needs action = %v, want %v", got, want)
	}
	scr := screenText(m)
	for _, s := range []string{"24h over", "22h left", "19h left", "6h late", "26h late", "3d late"} {
		if !strings.Contains(scr, s) {
			t.Errorf("clock %q not on screen:\n%s", s, scr)
		}
	}
}

func TestViews(t *testing.T) {
	m := newModel(t, fixture(t), Options{})
	want := map[view.Lane][]string{
		viewScheduled: {"Ivy"},
		viewClosed:    {"Jack"},
		viewDNC:       {"Frank"},
		viewTest:      {"MSFT_TEST_636573304831318844"},
	}
	for v, names := range want {
		press(t, m, string(rune('1'+v)))
		if got := rowNames(m); !slices.Equal(got, names) {
			t.Errorf("view %s = %v, want %v", viewNames[v], got, names)
		}
	}
	press(t, m, "5")
	if len(m.x.visible) != 1 || m.x.dg[m.x.visible[0]].Flags&view.FlagNoPII == 0 {
		t.Errorf("no-info view holds %d contacts, want the .edu one", len(m.x.visible))
	}
	press(t, m, "3")
	if len(m.x.visible) != 10 || slices.Contains(rowNames(m), "MSFT_TEST_636573304831318844") {
		t.Errorf("all = %v: want 10 contacts without the test lead", rowNames(m))
	}
	// Unassigned counts the open contacts (nobody owns any), though its
	// tab shows only in a team.
	wantCounts := [numViews]int{viewAction: 6, viewScheduled: 1, viewAll: 10, viewClosed: 1, viewNoPII: 1, viewDNC: 1, viewTest: 1, viewUnowned: 7}
	if m.x.counts != wantCounts {
		t.Errorf("counts = %v, want %v", m.x.counts, wantCounts)
	}
	press(t, m, "tab")
	if m.view != viewClosed {
		t.Errorf("tab from all went to %v", m.view)
	}
	if !strings.Contains(screenText(m), "test lead ") {
		t.Errorf("status bar does not show the last test lead:\n%s", screenText(m))
	}
}

func TestFilterCountsAndCombination(t *testing.T) {
	leads := []store.Lead{
		lead("Ann", "ann@x.example", store.ActionContactMe, 1),
		lead("Ben", "ben@x.example", store.ActionInstall, 2),
		lead("Cy", "cy@x.example", store.ActionInstall, 3),
	}
	leads[1].Source = store.SourceAzureMarketplace
	leads[2].Customer.Country = "DE"
	// Ann also installed later: "any lead matches" counts her under Install too.
	ann2 := lead("Ann", "ann@x.example", store.ActionInstall, 0.5)
	leads = append(leads, ann2)
	m := newModel(t, openStore(t, leads), Options{})
	press(t, m, "3", "f") // all, filter panel on source
	got := map[string]int{}
	for _, c := range m.panel.choices {
		got[c.label] = c.count
	}
	if got["AppSource"] != 2 || got["Azure Mkt"] != 1 {
		t.Fatalf("source choices = %v", got)
	}
	press(t, m, "tab") // action
	got = map[string]int{}
	for _, c := range m.panel.choices {
		got[c.label] = c.count
	}
	if got["Install"] != 3 || got["Contact me"] != 1 {
		t.Fatalf("action choices = %v", got)
	}
	// Choose Install, then country DE: combined they leave Cy.
	for m.panel.choices[m.panel.cursor].label != "Install" {
		press(t, m, "j")
	}
	press(t, m, "enter", "tab", "tab")
	if m.panel.dim != dimCountry {
		t.Fatalf("dimension %d", m.panel.dim)
	}
	got = map[string]int{}
	for _, c := range m.panel.choices {
		got[c.label] = c.count
	}
	if got["US"] != 2 || got["DE"] != 1 {
		t.Fatalf("country choices under action=Install = %v", got)
	}
	for m.panel.choices[m.panel.cursor].label != "DE" {
		press(t, m, "j")
	}
	clear(m.rows) // as if the rows had never been on screen
	press(t, m, "enter", "esc")
	if len(m.pending) != 0 {
		t.Fatalf("rows left pending after the panel closed: %v", m.pending)
	}
	if names := rowNames(m); !slices.Equal(names, []string{"Cy"}) {
		t.Fatalf("rows = %v", names)
	}
	if s := screenText(m); !strings.Contains(s, "action=Install") || !strings.Contains(s, "country=DE") {
		t.Errorf("active filter not visible:\n%s", s)
	}
	press(t, m, "x")
	if m.f.active() || len(m.x.visible) != 3 {
		t.Errorf("x left filter %+v and %d rows", m.f, len(m.x.visible))
	}
}

func TestSearch(t *testing.T) {
	m := newModel(t, fixture(t), Options{})
	press(t, m, "3", "/")
	typeText(t, m, "ali")
	if names := rowNames(m); !slices.Equal(names, []string{"Alice"}) {
		t.Fatalf("search ali = %v", names)
	}
	press(t, m, "backspace", "backspace")
	if len(m.x.visible) < 2 {
		t.Fatalf("backspace did not widen the search: %v", rowNames(m))
	}
	typeText(t, m, "lice")
	press(t, m, "enter")
	if m.prompt.kind != promptNone || m.f.query != "alice" || len(m.x.visible) != 1 {
		t.Fatalf("after enter: prompt %v query %q rows %v", m.prompt.kind, m.f.query, rowNames(m))
	}
	// Searching the description and company too.
	press(t, m, "/", "esc")
	if m.f.query != "alice" {
		t.Fatalf("esc lost the query in force: %q", m.f.query)
	}
	press(t, m, "x", "/")
	typeText(t, m, "bob corp")
	if names := rowNames(m); !slices.Equal(names, []string{"Bob"}) {
		t.Fatalf("search company = %v", names)
	}
	// While the search has focus, keys are text, not commands.
	press(t, m, "q")
	if m.f.query != "bob corpq" {
		t.Fatalf("q was not typed into the search: %q", m.f.query)
	}
}

// TestSearchAllWords types names as the inbox shows them: a rep who reads
// "Alice Test" or "Contoso CTO" on screen and types it must find the
// contact, whatever the order of the words.
func TestSearchAllWords(t *testing.T) {
	m := newModel(t, fixture(t), Options{})
	press(t, m, "3")
	for _, c := range []struct {
		q    string
		want []string
	}{
		{"alice test", []string{"Alice"}},
		{"test  alice", []string{"Alice"}},
		{"alice corp cto", []string{"Alice"}},
		{"bob pricing", []string{"Bob"}},
		{"alice bob", nil},
	} {
		press(t, m, "x", "/")
		typeText(t, m, c.q)
		if names := rowNames(m); !slices.Equal(names, c.want) {
			t.Errorf("search %q = %v, want %v", c.q, names, c.want)
		}
		press(t, m, "enter")
	}
	// Backspacing through a word widens again, and retyping narrows.
	press(t, m, "x", "/")
	typeText(t, m, "alice t")
	press(t, m, "backspace", "backspace")
	typeText(t, m, "x")
	if names := rowNames(m); len(names) != 0 {
		t.Errorf("search \"alicex\" = %v", names)
	}
	press(t, m, "backspace")
	if names := rowNames(m); !slices.Equal(names, []string{"Alice"}) {
		t.Errorf("search \"alice\" after backspace = %v", names)
	}
}

func TestLogTouchAndUndo(t *testing.T) {
	s := fixture(t)
	m := newModel(t, s, Options{})
	selectName(t, m, "Alice")
	press(t, m, "t")
	tr := triageOf(t, s, "alice@a.example")
	if tr.Touches != 1 || tr.Status != store.StatusContacted || !tr.NextFollowUp.Equal(testNow.AddDate(0, 0, 2)) {
		t.Fatalf("after touch: %+v", tr)
	}
	if !strings.Contains(m.msg, "touch 1 logged") || !strings.Contains(m.msg, "touch 2 of 4") {
		t.Errorf("message %q", m.msg)
	}
	if slices.Contains(rowNames(m), "Alice") {
		t.Errorf("Alice still needs action after the touch")
	}
	if rowNames(m)[m.cursor] != "Carol" {
		t.Errorf("cursor on %s, want the next contact (Carol)", rowNames(m)[m.cursor])
	}
	press(t, m, "2")
	if !slices.Contains(rowNames(m), "Alice") {
		t.Errorf("Alice not scheduled: %v", rowNames(m))
	}
	press(t, m, "u")
	tr = triageOf(t, s, "alice@a.example")
	if tr.Touches != 0 || tr.Status != store.StatusNew || !tr.NextFollowUp.IsZero() {
		t.Fatalf("after undo: %+v", tr)
	}
	press(t, m, "1")
	if !slices.Contains(rowNames(m), "Alice") {
		t.Errorf("Alice not back in needs action after undo")
	}
	press(t, m, "u")
	if !strings.Contains(m.msg, "nothing to undo") {
		t.Errorf("second undo: %q", m.msg)
	}
}

func TestUndoStackAcrossContacts(t *testing.T) {
	s := fixture(t)
	m := newModel(t, s, Options{})
	selectName(t, m, "Alice")
	press(t, m, "t")
	selectName(t, m, "Bob")
	press(t, m, "n")
	typeText(t, m, "left a voicemail")
	press(t, m, "enter")
	if n := triageOf(t, s, "bob@b.example").Notes; len(n) != 1 || n[0].Text != "left a voicemail" {
		t.Fatalf("notes %+v", n)
	}
	press(t, m, "u") // the note on Bob
	if n := triageOf(t, s, "bob@b.example").Notes; len(n) != 0 {
		t.Fatalf("undo kept the note: %+v", n)
	}
	if triageOf(t, s, "alice@a.example").Touches != 1 {
		t.Fatalf("undo touched Alice first")
	}
	press(t, m, "u") // Alice's touch
	if triageOf(t, s, "alice@a.example").Touches != 0 {
		t.Fatalf("second undo did not revert Alice")
	}
}

func TestFollowUpPrompt(t *testing.T) {
	s := fixture(t)
	m := newModel(t, s, Options{})
	selectName(t, m, "Bob")
	press(t, m, "d")
	typeText(t, m, "someday")
	press(t, m, "enter")
	if m.prompt.kind != promptFollowUp || m.prompt.err == "" {
		t.Fatalf("bad date: prompt %v err %q", m.prompt.kind, m.prompt.err)
	}
	if !strings.Contains(screenText(m), "not a date") {
		t.Errorf("error not shown:\n%s", screenText(m))
	}
	for range "someday" {
		press(t, m, "backspace")
	}
	typeText(t, m, "fri")
	press(t, m, "enter")
	want := time.Date(2026, 11, 27, dueHour, 0, 0, 0, time.UTC)
	if got := triageOf(t, s, "bob@b.example").NextFollowUp; !got.Equal(want) {
		t.Fatalf("due %v, want %v", got, want)
	}
	press(t, m, "d", "esc")
	if m.prompt.kind != promptNone {
		t.Fatalf("esc did not close the prompt")
	}
}

func TestSnooze(t *testing.T) {
	s := fixture(t)
	m := newModel(t, s, Options{})
	selectName(t, m, "Hank") // overdue since yesterday: snooze counts from now
	press(t, m, "Z")
	want := time.Date(2026, 11, 27, dueHour, 0, 0, 0, time.UTC)
	if got := triageOf(t, s, "hank@h.example").NextFollowUp; !got.Equal(want) {
		t.Fatalf("Z: due %v, want %v", got, want)
	}
	press(t, m, "2")
	selectName(t, m, "Hank") // now scheduled in the future: snooze counts from the due date
	press(t, m, "z")
	want = want.AddDate(0, 0, 1)
	if got := triageOf(t, s, "hank@h.example").NextFollowUp; !got.Equal(want) {
		t.Fatalf("z: due %v, want %v", got, want)
	}
}

func TestStatusLostAsksReasonAndConfirms(t *testing.T) {
	s := fixture(t)
	m := newModel(t, s, Options{})
	selectName(t, m, "Carol")
	press(t, m, "s", "l")
	if m.prompt.kind != promptLostReason {
		t.Fatalf("lost did not ask for a reason: %v", m.prompt.kind)
	}
	press(t, m, "enter") // empty reason is refused
	if m.prompt.kind != promptLostReason || m.prompt.err == "" {
		t.Fatalf("empty reason accepted")
	}
	typeText(t, m, "no r")
	press(t, m, "tab", "enter") // tab completes "no response"
	if m.prompt.kind != promptConfirmLost {
		t.Fatalf("no response before the cadence is done did not ask to confirm: %v", m.prompt.kind)
	}
	press(t, m, "n")
	if st := triageOf(t, s, "carol@c.example").Status; st != store.StatusNew {
		t.Fatalf("declined confirm still closed: %s", st)
	}
	press(t, m, "s", "l")
	typeText(t, m, "no response")
	press(t, m, "enter", "y")
	tr := triageOf(t, s, "carol@c.example")
	if tr.Status != store.StatusLost || tr.LostReason != store.LostNoResponse {
		t.Fatalf("after confirm: %+v", tr)
	}
	press(t, m, "4")
	if !slices.Contains(rowNames(m), "Carol") {
		t.Errorf("Carol not in closed: %v", rowNames(m))
	}
	// Another reason closes at once.
	press(t, m, "1")
	selectName(t, m, "Dave")
	press(t, m, "s", "l")
	typeText(t, m, "no budget")
	press(t, m, "enter")
	if tr := triageOf(t, s, "dave@d.example"); tr.Status != store.StatusLost || tr.LostReason != "no budget" {
		t.Fatalf("Dave: %+v", tr)
	}
}

func TestStatusWonAndTouchOnClosed(t *testing.T) {
	s := fixture(t)
	m := newModel(t, s, Options{})
	selectName(t, m, "Erin")
	press(t, m, "s", "w")
	if st := triageOf(t, s, "erin@e.example").Status; st != store.StatusWon {
		t.Fatalf("status %s", st)
	}
	press(t, m, "4")
	selectName(t, m, "Erin")
	press(t, m, "t")
	if !m.msgErr || triageOf(t, s, "erin@e.example").Touches != 0 {
		t.Fatalf("touch on a closed contact: %q", m.msg)
	}
}

func TestGuardsOfferNoContactActions(t *testing.T) {
	s := fixture(t)
	m := newModel(t, s, Options{})
	for _, v := range []string{"6", "5", "7"} {
		press(t, m, v)
		for _, k := range []string{"t", "z", "Z", "d"} {
			press(t, m, k)
			if m.prompt.kind != promptNone {
				t.Fatalf("view %s: %s opened a prompt", v, k)
			}
			if !m.msgErr {
				t.Fatalf("view %s: %s gave no refusal", v, k)
			}
		}
	}
	tr := triageOf(t, s, "frank@f.example")
	if tr.Touches != 0 || !tr.NextFollowUp.IsZero() {
		t.Fatalf("DNC contact changed: %+v", tr)
	}
	press(t, m, "6")
	if !strings.Contains(screenText(m), "DNC") {
		t.Errorf("DNC row not marked:\n%s", screenText(m))
	}
	press(t, m, "enter")
	if scr := screenText(m); !strings.Contains(scr, "DO NOT CONTACT") {
		t.Errorf("detail does not say DO NOT CONTACT:\n%s", scr)
	}
	press(t, m, "t")
	if !strings.Contains(m.msg, "DO NOT CONTACT") {
		t.Errorf("touch from detail: %q", m.msg)
	}
}

func TestTestLeadsNeverCounted(t *testing.T) {
	s := fixture(t)
	m := newModel(t, s, Options{})
	shown := 0
	for v := view.Lane(0); v < numViews; v++ {
		run(t, m, m.setView(v))
		if m.view != v {
			t.Fatalf("view %s not shown", viewNames[v])
		}
		tests := 0
		for _, i := range m.x.visible {
			if m.x.dg[i].Flags&view.FlagTest != 0 {
				tests++
			}
		}
		switch {
		case v == viewTest && tests == 0:
			t.Errorf("the test lead is not in view %s", viewNames[v])
		case v != viewTest && tests > 0:
			t.Errorf("test lead in view %s", viewNames[v])
		}
		shown += len(m.x.visible)
	}
	if shown == 0 {
		t.Fatal("no view showed anything")
	}
	// The status bar's count of contacts leaves the test lead out too: in
	// the All view it is the number of rows.
	run(t, m, m.setView(viewAll))
	if want := fmt.Sprintf("1/%d · %d contacts", len(m.x.visible), len(m.x.visible)); !strings.Contains(screenText(m), want) {
		t.Errorf("status bar lacks %q:\n%s", want, screenText(m))
	}
	f := followUpSummary(m.x, testNow)
	open := 0
	for _, n := range f.touches {
		open += n
	}
	if open != 7 || f.won != 1 { // 6 needing action + Ivy scheduled; Jack won
		t.Errorf("summary %+v", f)
	}
	press(t, m, "i")
	if m.screen != screenStats || m.stats.s == nil {
		t.Fatalf("stats not loaded: %v", m.stats.err)
	}
	if m.stats.s.test != 1 || m.stats.s.total != 10 {
		t.Errorf("stats counted %d leads and %d test leads, want 10 and 1", m.stats.s.total, m.stats.s.test)
	}
	scr := screenText(m)
	for _, want := range []string{"Leads per source × action", "Funnel per offer", "Leads per week", "overdue 1", "1 test lead"} {
		if !strings.Contains(scr+strings.Join(m.statsLines(), "\n"), want) {
			t.Errorf("stats lack %q:\n%s", want, scr)
		}
	}
	press(t, m, "esc")
	if m.screen != screenInbox {
		t.Errorf("esc did not leave stats")
	}
}

func TestDetailFunnel(t *testing.T) {
	leads := []store.Lead{
		lead("Mia", "mia@m.example", store.ActionContactMe, 72),
		lead("Mia", "mia@m.example", store.ActionStartTestDrive, 48),
		lead("Mia", "mia@m.example", store.ActionInstall, 3),
	}
	leads[2].Description = "line one\nline two"
	s := openStore(t, leads)
	m := newModel(t, s, Options{})
	press(t, m, "3", "enter")
	if m.screen != screenDetail {
		t.Fatal("enter did not open the contact")
	}
	scr := screenText(m)
	for _, want := range []string{"Funnel Contact me → Test Drive → Install", "Contoso Inventory Pro", "mia@m.example",
		"line two", "Notes", "History", "3 leads"} {
		if !strings.Contains(scr, want) {
			t.Errorf("detail lacks %q:\n%s", want, scr)
		}
	}
	press(t, m, "t")
	if scr := screenText(m); !strings.Contains(scr, "touch logged") || !strings.Contains(scr, "1 of 4 touches") {
		t.Errorf("history not refreshed after a touch:\n%s", scr)
	}
	press(t, m, "j", "k", "G", "g", "esc")
	if m.screen != screenInbox {
		t.Errorf("esc did not go back")
	}
}

func TestMovement(t *testing.T) {
	var leads []store.Lead
	for i := 0; i < 100; i++ {
		leads = append(leads, lead(string(rune('A'+i%26))+"x", "p"+string(rune('a'+i%26))+string(rune('a'+i/26))+"@m.example", store.ActionInstall, float64(i)))
	}
	m := newModel(t, openStore(t, leads), Options{})
	h := m.listHeight()
	steps := []struct {
		key  string
		want int
	}{{"j", 1}, {"j", 2}, {"k", 1}, {"G", 99}, {"g", 0}, {"ctrl+d", h / 2}, {"ctrl+d", h / 2 * 2}, {"ctrl+u", h / 2}, {"k", h/2 - 1}}
	for _, st := range steps {
		press(t, m, st.key)
		if m.cursor != st.want {
			t.Fatalf("after %s cursor %d, want %d", st.key, m.cursor, st.want)
		}
	}
	press(t, m, "G")
	if scr := screenText(m); !strings.Contains(scr, "100/100") {
		t.Errorf("status bar position:\n%s", scr)
	}
}

func TestHelpListsEveryKey(t *testing.T) {
	m := newModel(t, fixture(t), Options{})
	// Tall enough for the whole help at once (smaller screens scroll it;
	// TestHelpReachesEveryKeyWhenSmall covers that).
	send(t, m, windowSize(160, 60))
	press(t, m, "?")
	scr := screenText(m)
	for _, g := range m.keys.FullHelp() {
		for _, b := range g {
			h := b.Help()
			if !strings.Contains(scr, h.Key) || !strings.Contains(scr, h.Desc) {
				t.Errorf("help lacks %q %q", h.Key, h.Desc)
			}
			for _, k := range b.Keys() {
				if k == "e" && h.Desc != "email draft" {
					t.Errorf("e is for email drafts but bound to %q", h.Desc)
				}
			}
		}
	}
	press(t, m, "?")
	if m.showHelp {
		t.Errorf("? did not close help")
	}
}

// TestLayoutAtSizes: every screen fits the terminal, down to the narrowest
// width the inbox lays out for.
func TestLayoutAtSizes(t *testing.T) {
	m := newModel(t, fixture(t), Options{})
	sizes := [][2]int{{80, 24}, {100, 30}, {60, 15}, {160, 50}}
	for _, w := range []int{20, 30, 40, 51} {
		for _, h := range []int{6, 7, 8, 12} {
			sizes = append(sizes, [2]int{w, h})
		}
	}
	for _, size := range sizes {
		send(t, m, windowSize(size[0], size[1]))
		for _, setup := range [][]string{{"1"}, {"f"}, {"esc", "enter"}, {"esc", "i"}, {"esc", "?"}, {"?", "/"}} {
			press(t, m, setup...)
			checkLayout(t, m, size[0], size[1], strings.Join(setup, " "))
		}
		press(t, m, "esc")
	}
}

// TestInboxColumnsAtNarrowWidths: below the width that holds every column,
// the inbox drops the columns a rep can best do without, so no row runs
// off the screen, and the clock and the name always show.
func TestInboxColumnsAtNarrowWidths(t *testing.T) {
	m := newModel(t, fixture(t), Options{})
	for w := 20; w <= 120; w++ {
		send(t, m, windowSize(w, 12))
		checkLayout(t, m, w, 12, "inbox")
		scr := screenText(m)
		for _, s := range []string{"24h over", "Hank", "Alice"} {
			if !strings.Contains(scr, s) {
				t.Errorf("%d columns: %q is missing:\n%s", w, s, scr)
			}
		}
	}
	for _, c := range []struct {
		w          int
		show, hide []string
	}{
		{20, []string{"Clock", "Name"}, []string{"Status", "Tch", "Latest", "Company", "Offer"}},
		{30, []string{"Clock", "Name"}, []string{"Status", "Tch", "Latest", "Company", "Offer"}},
		{35, []string{"Clock", "Name", "Status"}, []string{"Tch", "Latest", "Company", "Offer"}},
		{40, []string{"Clock", "Name", "Status", "Tch"}, []string{"Latest", "Company", "Offer"}},
		{51, []string{"Clock", "Name", "Latest", "Status", "Tch"}, []string{"Company", "Offer"}},
		{60, []string{"Clock", "Name", "Company", "Latest", "Status", "Tch"}, []string{"Offer"}},
		{80, []string{"Clock", "Name", "Company", "Latest", "Offer", "Status", "Tch"}, nil},
	} {
		send(t, m, windowSize(c.w, 12))
		header := strings.Split(screenText(m), "\n")[2]
		for _, s := range c.show {
			if !strings.Contains(header, s) {
				t.Errorf("%d columns: no %s column: %q", c.w, s, header)
			}
		}
		for _, s := range c.hide {
			if strings.Contains(header, s) {
				t.Errorf("%d columns: %s column should give way: %q", c.w, s, header)
			}
		}
	}
}

// TestFilterPanelOnShortScreens: at 6 and 7 lines the filter panel once
// drew 8; now it fits, and j/k still scroll through every value.
func TestFilterPanelOnShortScreens(t *testing.T) {
	m := newModel(t, fixture(t), Options{})
	press(t, m, "3") // all contacts: more than one value per dimension
	for _, h := range []int{6, 7, 8} {
		send(t, m, windowSize(40, h))
		press(t, m, "f")
		for m.panel.dim != dimAction {
			press(t, m, "tab")
		}
		if len(m.panel.choices) < 3 {
			t.Fatalf("want several actions to scroll through, have %v", m.panel.choices)
		}
		press(t, m, "g")
		for j := range m.panel.choices {
			checkLayout(t, m, 40, h, "filter panel, value "+strconv.Itoa(j))
			label := m.panel.choices[m.panel.cursor].label
			if scr := screenText(m); m.panel.cursor != j || !strings.Contains(scr, label) {
				t.Errorf("height %d: the value under the cursor, %q, is not on screen:\n%s", h, label, scr)
			}
			press(t, m, "j")
		}
		press(t, m, "esc")
	}
}

func checkLayout(t *testing.T, m *Model, w, h int, what string) {
	t.Helper()
	lines := strings.Split(screenText(m), "\n")
	if len(lines) != h {
		t.Errorf("%dx%d %s: %d lines, want %d", w, h, what, len(lines), h)
	}
	for i, l := range lines {
		if n := widthOf(l); n > w {
			t.Errorf("%dx%d %s: line %d is %d cells wide: %q", w, h, what, i, n, l)
		}
	}
}

func TestSyncFromInbox(t *testing.T) {
	s := fixture(t)
	calls := 0
	syncer := func(ctx context.Context, progress func(int), warn func(string)) (int, error) {
		calls++
		progress(1)
		_, err := s.Upsert([]store.Lead{lead("Nina", "nina@n.example", store.ActionContactMe, 0.1)}, store.UpsertOptions{})
		return 1, err
	}
	m := newModel(t, s, Options{Syncer: syncer, SyncEvery: time.Millisecond})
	press(t, m, "S")
	if calls != 1 || m.syncing {
		t.Fatalf("sync ran %d times, syncing=%v", calls, m.syncing)
	}
	if rowNames(m)[0] != "Hank" || !slices.Contains(rowNames(m), "Nina") {
		t.Errorf("new lead not in place: %v", rowNames(m))
	}
	if !strings.Contains(screenText(m), "+1 new lead") {
		t.Errorf("status bar does not say what arrived:\n%s", screenText(m))
	}
	send(t, m, syncTickMsg{})
	if calls != 2 {
		t.Errorf("the periodic tick did not sync")
	}
	m2 := newModel(t, s, Options{})
	press(t, m2, "S")
	if !strings.Contains(m2.msg, "not set up") {
		t.Errorf("sync without a syncer: %q", m2.msg)
	}
}

// TestSyncShowsWhatItStored: a sync that stores a page of leads and then
// fails, or one that only updates leads, still brings them on screen;
// the log gets the sync's warnings.
func TestSyncShowsWhatItStored(t *testing.T) {
	s := fixture(t)
	var logged []string
	fail := true
	syncer := func(ctx context.Context, progress func(int), warn func(string)) (int, error) {
		if _, err := s.Upsert([]store.Lead{lead("Nina", "nina@n.example", store.ActionContactMe, 0.1)}, store.UpsertOptions{}); err != nil {
			return 0, err
		}
		warn("entity p/r7: CustomerInfo is not JSON")
		if fail {
			return 1, errors.New("the network dropped after page 3")
		}
		return 0, nil
	}
	m := newModel(t, s, Options{Syncer: syncer, Logf: func(f string, a ...any) { logged = append(logged, fmt.Sprintf(f, a...)) }})
	press(t, m, "S")
	if !slices.Contains(rowNames(m), "Nina") || !strings.Contains(m.msg, "network dropped") {
		t.Errorf("after a failed sync that stored a lead: rows %v, message %q", rowNames(m), m.msg)
	}
	if !slices.ContainsFunc(logged, func(l string) bool { return strings.Contains(l, "CustomerInfo is not JSON") }) {
		t.Errorf("warning not logged: %q", logged)
	}
	// A sync that reports nothing new but changed a lead shows the change.
	fail = false
	changed := lead("Nina", "nina@n.example", store.ActionContactMe, 0.1)
	changed.Customer.Company = "Nina Corp"
	syncer2 := func(ctx context.Context, progress func(int), warn func(string)) (int, error) {
		_, err := s.Upsert([]store.Lead{changed}, store.UpsertOptions{})
		return 0, err
	}
	m.opt.Syncer = syncer2
	press(t, m, "S")
	if !strings.Contains(screenText(m), "Nina Corp") {
		t.Errorf("an updated lead is not shown after a sync with nothing new:\n%s", screenText(m))
	}
}

// TestSyncNotSetUpIsQuietOnTheTimer: with no table configured, S says how
// to set one up; the periodic sync keeps trying without saying it again.
func TestSyncNotSetUpIsQuietOnTheTimer(t *testing.T) {
	calls := 0
	syncer := func(ctx context.Context, progress func(int), warn func(string)) (int, error) {
		calls++
		return 0, fmt.Errorf("%w: set LEADS_AZURE_CONNECTION_STRING", ErrSyncNotSetUp)
	}
	m := newModel(t, fixture(t), Options{Syncer: syncer, SyncEvery: time.Millisecond})
	send(t, m, syncTickMsg{})
	if calls != 1 || m.msg != "" {
		t.Errorf("timer: %d calls, message %q", calls, m.msg)
	}
	press(t, m, "S")
	if calls != 2 || !strings.Contains(m.msg, "sync is not set up: set LEADS_AZURE_CONNECTION_STRING") {
		t.Errorf("S: %d calls, message %q", calls, m.msg)
	}
}

// TestStatsAtNarrowWidths: the stats screen fits any width the inbox lays
// out for (20 columns and up); its bars once took a negative width below
// 24 columns and panicked.
func TestStatsAtNarrowWidths(t *testing.T) {
	m := newModel(t, fixture(t), Options{})
	for _, w := range []int{20, 21, 22, 23, 24, 30, 40, 59} {
		send(t, m, windowSize(w, 24))
		press(t, m, "i")
		if m.screen != screenStats {
			t.Fatalf("width %d: stats not shown", w)
		}
		for i, l := range m.statsLines() {
			if n := widthOf(l); n > w {
				t.Errorf("width %d: stats line %d is %d cells wide: %q", w, i, n, l)
			}
		}
		press(t, m, "esc")
	}
}

// TestDueTodayIsLocal: "due today" on the stats screen ends at the rep's
// midnight. At 17:00 in Los Angeles (01:00 UTC the next day), a follow-up
// at 09:00 the next local day is not due today, and one at 23:00 local is.
func TestDueTodayIsLocal(t *testing.T) {
	la, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		t.Skip("no time zone data:", err)
	}
	s := fixture(t)
	now := time.Date(2026, 11, 24, 17, 0, 0, 0, la)
	m := newModel(t, s, Options{Now: func() time.Time { return now }})
	base := followUpSummary(m.x, now).dueToday
	var ids []string
	for _, i := range m.x.visible {
		if m.x.tri[i].Due == 0 && m.x.dg[i].Flags&view.FlagTest == 0 {
			ids = append(ids, m.x.dg[i].IDString())
		}
	}
	if len(ids) < 2 {
		t.Fatalf("fixture has %d contacts without a follow-up", len(ids))
	}
	for _, f := range []struct {
		id  string
		due time.Time
	}{{ids[0], time.Date(2026, 11, 25, 9, 0, 0, 0, la)}, {ids[1], time.Date(2026, 11, 24, 23, 0, 0, 0, la)}} {
		if _, err := s.SetFollowUp(f.id, f.due, now); err != nil {
			t.Fatal(err)
		}
	}
	m = newModel(t, s, Options{Now: func() time.Time { return now }})
	if got := followUpSummary(m.x, now).dueToday; got != base+1 {
		t.Errorf("due today = %d, want %d (one of the two new follow-ups)", got, base+1)
	}
}

// TestSearchShownText finds contacts by what the screen shows: the names
// are stored as typed, with an invisible zero-width space or a carriage
// return inside, and the inbox shows them without.
func TestSearchShownText(t *testing.T) {
	s := fixture(t)
	pay := lead("Pay\u200bPal", "pp@p.example", store.ActionInstall, 7)
	pay.Customer.LastName = "Real\rFAKE"
	jose := lead("José", "jose@j.example", store.ActionInstall, 8)
	jose.Description = "Llamar\tpor favor"
	if _, err := s.Upsert([]store.Lead{pay, jose}, store.UpsertOptions{}); err != nil {
		t.Fatal(err)
	}
	m := newModel(t, s, Options{})
	press(t, m, "3")
	for _, c := range []struct {
		q    string
		want []string
	}{
		{"paypal", []string{"PayPal"}},
		{"realfake", []string{"PayPal"}},
		{"paypal realfake", []string{"PayPal"}},
		{"josé", []string{"José"}},
		{"llamar por", []string{"José"}},
		{"alice test", []string{"Alice"}},
		{"jack", []string{"Jack"}},
	} {
		press(t, m, "x", "/")
		typeText(t, m, c.q)
		if names := rowNames(m); !slices.Equal(names, c.want) {
			t.Errorf("search %q = %v, want %v", c.q, names, c.want)
		}
		press(t, m, "enter")
	}
}

// TestPanelChosenWithoutMatches reopens the filter panel in a view where
// the chosen values match nobody: they stay listed under the same names
// the panel gives them elsewhere, with a count of 0.
func TestPanelChosenWithoutMatches(t *testing.T) {
	m := newModel(t, fixture(t), Options{})
	press(t, m, "3", "f") // all, filter panel on source
	for m.panel.dim != dimStatus {
		press(t, m, "tab")
	}
	for m.panel.choices[m.panel.cursor].label != "won" {
		press(t, m, "j")
	}
	press(t, m, "enter", "esc", "1", "f") // the won contact is not in Action
	for m.panel.dim != dimStatus {
		press(t, m, "tab")
	}
	want := choice{code: store.Code(view.StatusIndex(store.StatusWon)) + 1, label: "won", count: 0}
	if !slices.Contains(m.panel.choices, want) {
		t.Errorf("status choices = %+v, want %+v among them", m.panel.choices, want)
	}
	if s := screenText(m); !strings.Contains(s, "● won") {
		t.Errorf("chosen status not shown as won:\n%s", s)
	}
}

// TestResizeRelaysOutScreens narrows the terminal with a contact and then
// the stats open: the lines follow the new width, and widening again
// gives the room back.
func TestResizeRelaysOutScreens(t *testing.T) {
	m := newModel(t, fixture(t), Options{})
	send(t, m, windowSize(120, 30))
	selectName(t, m, "Alice")
	press(t, m, "enter")
	checkLayout(t, m, 120, 30, "contact")
	send(t, m, windowSize(60, 24))
	checkLayout(t, m, 60, 24, "contact narrowed")
	send(t, m, windowSize(120, 30))
	wide := 0
	for _, l := range strings.Split(screenText(m), "\n") {
		wide = max(wide, widthOf(l))
	}
	if wide <= 60 {
		t.Errorf("contact widened back to 120 is still %d cells wide", wide)
	}
	press(t, m, "i")
	checkLayout(t, m, 120, 30, "stats")
	send(t, m, windowSize(60, 24))
	checkLayout(t, m, 60, 24, "stats narrowed")
}

// TestHelpReachesEveryKeyWhenSmall opens the help on small terminals:
// what does not fit on one screen is reached by scrolling with j.
func TestHelpReachesEveryKeyWhenSmall(t *testing.T) {
	for _, size := range [][2]int{{80, 20}, {60, 24}, {40, 12}, {100, 30}} {
		w, h := size[0], size[1]
		m := newModel(t, fixture(t), Options{})
		send(t, m, windowSize(w, h))
		press(t, m, "?")
		seen := map[string]bool{}
		for range 100 {
			checkLayout(t, m, w, h, "help")
			scr := screenText(m)
			for _, l := range strings.Split(scr, "\n") {
				seen[strings.Join(strings.Fields(l), " ")] = true
			}
			press(t, m, "j")
			if screenText(m) == scr {
				break
			}
		}
		for _, g := range m.keys.FullHelp() {
			for _, b := range g {
				want := b.Help().Key + " " + b.Help().Desc
				found := false
				for l := range seen {
					found = found || strings.Contains(l, want)
				}
				if !found {
					t.Errorf("%dx%d: help never shows %q", w, h, want)
				}
			}
		}
		press(t, m, "k", "esc")
		if m.showHelp {
			t.Errorf("%dx%d: esc did not close the help", w, h)
		}
	}
}

// TestLongNoteSaysItWasCut: a note runs to 500 characters. A paste or
// typing past that is cut, and the rep is told while still editing and
// again when the note is saved.
func TestLongNoteSaysItWasCut(t *testing.T) {
	s := fixture(t)
	m := newModel(t, s, Options{})
	selectName(t, m, "Alice")
	press(t, m, "n")
	send(t, m, tea.PasteMsg{Content: strings.Repeat("x", 499)})
	if scr := screenText(m); strings.Contains(scr, "cut to") {
		t.Fatalf("a note within the limit is reported cut:\n%s", scr)
	}
	send(t, m, tea.PasteMsg{Content: "yz"})
	if scr := screenText(m); !strings.Contains(scr, "cut to 500 characters") {
		t.Errorf("the prompt does not say the paste was cut:\n%s", scr)
	}
	press(t, m, "enter")
	if !strings.Contains(m.msg, "note added (cut to 500 characters)") {
		t.Errorf("message after saving: %q", m.msg)
	}
	notes := triageOf(t, s, "alice@a.example").Notes
	if len(notes) != 1 || notes[0].Text != strings.Repeat("x", 499)+"y" {
		t.Fatalf("saved notes: %v", notes)
	}

	selectName(t, m, "Bob")
	press(t, m, "n")
	typeText(t, m, "short note")
	press(t, m, "enter")
	if strings.Contains(m.msg, "cut") {
		t.Errorf("a short note is reported cut: %q", m.msg)
	}
}

// TestWarmLateLeadsFirst: past the 24-hour clock, Contact me and Test
// Drive leads rank first while they are warm, most recent first; a hot
// lead weeks old is one of the rest, below a lead an hour late.
func TestWarmLateLeadsFirst(t *testing.T) {
	s := openStore(t, []store.Lead{
		lead("Old", "old@o.example", store.ActionStartTestDrive, 16*7*24),
		lead("Install", "ins@i.example", store.ActionInstall, 25),
		lead("Warm", "warm@w.example", store.ActionContactMe, 50),
		lead("Warmer", "warmer@w.example", store.ActionContactMe, 30),
	})
	m := newModel(t, s, Options{})
	if got, want := rowNames(m), []string{"Warmer", "Warm", "Install", "Old"}; !slices.Equal(got, want) {
		t.Errorf("order %v, want %v", got, want)
	}
}

// TestUndoInHistoryReadsAsWords: the contact screen's history says what
// an undo took back in words, not the stored event kind.
func TestUndoInHistoryReadsAsWords(t *testing.T) {
	for kind, want := range map[string]string{store.EventTouch: "undid the last touch", store.EventFollowUp: "undid the last follow-up date",
		store.EventStatus: "undid the last status change", store.EventNote: "undid the last note", "\x1b[2J": "undid the last change"} {
		if got := eventText(store.Event{Kind: store.EventUndo, Text: kind}, testNow); got != want {
			t.Errorf("undo of %q reads %q, want %q", kind, got, want)
		}
	}
	if got := eventText(store.Event{Kind: store.EventMerge}, testNow); got != "work of a former address merged in" {
		t.Errorf("a merge reads %q", got)
	}
}
