package tui

import (
	"slices"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/leads-inbox/leads/store"
	"github.com/leads-inbox/leads/tui/cells"
)

// claimModel opens an inbox as rep Ben over Alice, Bob and Carol, with
// Carol already claimed by Ana (another rep, as a team sync brings).
func claimModel(t *testing.T) (*Model, *store.Store) {
	t.Helper()
	s := openStore(t, []store.Lead{
		lead("Alice", "alice@a.example", store.ActionContactMe, 2),
		lead("Bob", "bob@b.example", store.ActionInstall, 5),
		lead("Carol", "carol@c.example", store.ActionContactMe, 30),
	})
	if _, err := s.Claim(store.ContactIDForEmail("carol@c.example"), "Ana", false, testNow); err != nil {
		t.Fatal(err)
	}
	m := newModel(t, s, Options{Getenv: func(k string) string {
		if k == "USER" {
			return "Ben"
		}
		return ""
	}})
	return m, s
}

func ownerOf(t *testing.T, s *store.Store, email string) string {
	t.Helper()
	return triageOf(t, s, email).Owner
}

// ownerTimeline is a contact's claim and release events in words.
func ownerTimeline(t *testing.T, s *store.Store, email string) []string {
	t.Helper()
	h, err := s.History(store.ContactIDForEmail(email))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range h {
		if txt := store.OwnerEventText(e); txt != "" && !e.Undone {
			out = append(out, txt)
		}
	}
	return out
}

// TestClaimKeyClaimsReleasesAndTakesOver: c claims an unowned contact at
// once (undo gives it back, redo claims again); on the rep's own it asks
// before releasing; on another rep's it names the owner and asks before
// taking over. The views and the rows follow each change.
func TestClaimKeyClaimsReleasesAndTakesOver(t *testing.T) {
	m, s := claimModel(t)
	press(t, m, "3")
	selectName(t, m, "Alice")
	press(t, m, "c")
	if got := ownerOf(t, s, "alice@a.example"); got != "Ben" {
		t.Fatalf("c: owner %q, want Ben (message %q)", got, m.msg)
	}
	if !strings.Contains(m.msg, "claimed by Ben") || !strings.Contains(screenText(m), "@Ben") {
		t.Errorf("message %q; the row shows no owner:\n%s", m.msg, screenText(m))
	}
	press(t, m, "u")
	if got := ownerOf(t, s, "alice@a.example"); got != "" {
		t.Fatalf("u: owner %q, want nobody", got)
	}
	send(t, m, tea.KeyPressMsg{Code: 'r', Mod: tea.ModCtrl})
	if got := ownerOf(t, s, "alice@a.example"); got != "Ben" {
		t.Fatalf("redo: owner %q, want Ben", got)
	}

	// The rep's own: a y/n, and n keeps it.
	selectName(t, m, "Alice")
	press(t, m, "c")
	if m.prompt.kind != promptConfirmRelease || !strings.Contains(m.prompt.label, "release it?") {
		t.Fatalf("c on my own contact: prompt %d %q", m.prompt.kind, m.prompt.label)
	}
	press(t, m, "n")
	if got := ownerOf(t, s, "alice@a.example"); got != "Ben" {
		t.Fatalf("n released it: owner %q", got)
	}
	press(t, m, "c", "y")
	if got := ownerOf(t, s, "alice@a.example"); got != "" {
		t.Fatalf("y did not release: owner %q", got)
	}

	// Another rep's: the question names the owner.
	selectName(t, m, "Carol")
	press(t, m, "c")
	if m.prompt.kind != promptConfirmTakeover || m.prompt.label != "Ana owns this: take it over? (y/n)" {
		t.Fatalf("c on Ana's contact: prompt %d %q", m.prompt.kind, m.prompt.label)
	}
	press(t, m, "esc")
	if got := ownerOf(t, s, "carol@c.example"); got != "Ana" {
		t.Fatalf("esc took it over: owner %q", got)
	}
	press(t, m, "c", "y")
	if got := ownerOf(t, s, "carol@c.example"); got != "Ben" {
		t.Fatalf("takeover: owner %q, want Ben", got)
	}
	if want := []string{"claimed by Ana", "Ben took over from Ana"}; !slices.Equal(ownerTimeline(t, s, "carol@c.example"), want) {
		t.Errorf("Carol's timeline %q, want %q", ownerTimeline(t, s, "carol@c.example"), want)
	}
	if want := []string{"claimed by Ben", "released by Ben"}; !slices.Equal(ownerTimeline(t, s, "alice@a.example"), want) {
		t.Errorf("Alice's timeline %q, want %q", ownerTimeline(t, s, "alice@a.example"), want)
	}

	for _, c := range []struct {
		key  string
		want []string
	}{{"9", []string{"Carol"}}, {"0", []string{"Alice", "Bob"}}, {"-", nil}} {
		press(t, m, c.key)
		got := rowNames(m)
		slices.Sort(got)
		if !slices.Equal(got, c.want) {
			t.Errorf("view %s holds %v, want %v", viewNames[m.view], got, c.want)
		}
	}
}

// TestClaimKeyRefusedWhenAnotherClaimedFirst: a contact another process
// claimed after the inbox read it is not taken over silently: the store
// refuses and the message names the owner.
func TestClaimKeyRefusedWhenAnotherClaimedFirst(t *testing.T) {
	m, s := claimModel(t)
	press(t, m, "3")
	selectName(t, m, "Bob")
	if _, err := s.Claim(store.ContactIDForEmail("bob@b.example"), "Ana", false, testNow); err != nil {
		t.Fatal(err)
	}
	press(t, m, "c")
	if got := ownerOf(t, s, "bob@b.example"); got != "Ana" {
		t.Fatalf("owner %q, want Ana still", got)
	}
	if !m.msgErr || !strings.Contains(m.msg, "Ana owns this contact") {
		t.Errorf("message %q (error %v)", m.msg, m.msgErr)
	}
}

// TestBatchClaimSkipsOtherRepsContacts: c with rows marked claims the
// unowned ones, skips another rep's and says how many; one u gives all
// back.
func TestBatchClaimSkipsOtherRepsContacts(t *testing.T) {
	m, s := claimModel(t)
	press(t, m, "3", "V", "c")
	for _, e := range []string{"alice@a.example", "bob@b.example"} {
		if got := ownerOf(t, s, e); got != "Ben" {
			t.Errorf("%s: owner %q, want Ben", e, got)
		}
	}
	if got := ownerOf(t, s, "carol@c.example"); got != "Ana" {
		t.Errorf("Carol: owner %q, want Ana", got)
	}
	if !strings.Contains(m.msg, "claimed by Ben on 2") || !strings.Contains(m.msg, "1 skipped (another rep's)") {
		t.Errorf("message %q", m.msg)
	}
	press(t, m, "u")
	for _, e := range []string{"alice@a.example", "bob@b.example"} {
		if got := ownerOf(t, s, e); got != "" {
			t.Errorf("after u, %s: owner %q", e, got)
		}
	}
}

// TestClaimOnTheContactScreen: the header names the owner, c asks to take
// over another rep's contact, and the header and the history follow.
func TestClaimOnTheContactScreen(t *testing.T) {
	m, s := claimModel(t)
	press(t, m, "3")
	selectName(t, m, "Carol")
	press(t, m, "enter")
	if scr := screenText(m); !strings.Contains(scr, "owner Ana") {
		t.Fatalf("the header does not name the owner:\n%s", scr)
	}
	press(t, m, "c", "y")
	if got := ownerOf(t, s, "carol@c.example"); got != "Ben" {
		t.Fatalf("owner %q", got)
	}
	scr := screenText(m)
	if !strings.Contains(scr, "owner Ben (you)") || !strings.Contains(scr, "Ben took over from Ana") {
		t.Errorf("the contact screen after the takeover:\n%s", scr)
	}
}

// TestTeamTabsAppear: a rep alone with no owner anywhere keeps the eight
// tabs; in a team the three team views follow them, and at 80 columns
// all eleven fit with their keys.
func TestTeamTabsAppear(t *testing.T) {
	solo := newModel(t, fixture(t), Options{})
	if tabs := strings.Split(screenText(solo), "\n")[0]; strings.Contains(tabs, "Mine") || strings.Contains(tabs, "Min") {
		t.Fatalf("a rep alone has team tabs: %q", tabs)
	}
	m, _ := claimModel(t) // one contact has an owner
	for _, w := range []int{160, 80} {
		send(t, m, windowSize(w, 24))
		tabs := strings.Split(screenText(m), "\n")[0]
		for _, want := range []string{"9", "0", "-"} {
			v := map[string]int{"9": int(viewMine), "0": int(viewUnowned), "-": int(viewTeam)}[want]
			if !strings.Contains(tabs, want+" "+viewNames[v]) && !strings.Contains(tabs, want+tabShort[v]) {
				t.Errorf("at %d columns no tab %s %s in %q", w, want, viewNames[v], tabs)
			}
		}
		if cw := cells.Width(tabs); cw > w {
			t.Errorf("at %d columns the tabs take %d", w, cw)
		}
	}
	for v := range numViews {
		m.x.counts[v] = 1_200_000
	}
	tabs := strings.Split(screenText(m), "\n")[0]
	if !strings.Contains(tabs, "-Tea") || cells.Width(tabs) > 80 {
		t.Errorf("at 80 columns with the widest counts: %q", tabs)
	}
	// The views a rep works from keep their counts.
	for _, want := range []string{"1Act 1.2M", "2Sch 1.2M", "8Rep 1.2M", "9Min 1.2M", "0Una 1.2M"} {
		if !strings.Contains(tabs, want) {
			t.Errorf("at 80 columns no %q in %q", want, tabs)
		}
	}
}

// TestOwnerColumnKeepsItsWidth: a long owner name in a wide script is cut
// to the owner column; no row grows past the terminal.
func TestOwnerColumnKeepsItsWidth(t *testing.T) {
	s := openStore(t, []store.Lead{lead("Alice", "alice@a.example", store.ActionContactMe, 2)})
	long := strings.Repeat("王", 20) + "\x1b[31m👨‍👩‍👧"
	if _, err := s.Claim(store.ContactIDForEmail("alice@a.example"), long, false, testNow); err != nil {
		t.Fatal(err)
	}
	m := newModel(t, s, Options{Getenv: func(string) string { return "" }})
	for _, w := range []int{80, 120} {
		send(t, m, windowSize(w, 24))
		scr := screenText(m)
		if !strings.Contains(scr, "@王王王") || strings.Contains(scr, "\x1b[31") {
			t.Errorf("at %d columns the owner is not shown cleaned:\n%s", w, scr)
		}
		for _, ln := range strings.Split(scr, "\n") {
			if cw := cells.Width(ln); cw > w {
				t.Errorf("at %d columns a line takes %d: %q", w, cw, ln)
			}
		}
	}
}

// TestClaimKeyInKeysConfig: [keys] claim rebinds c, and a key another
// inbox action has is refused, so c and t stay apart.
func TestClaimKeyInKeysConfig(t *testing.T) {
	km := DefaultKeyMap()
	if probs := ApplyKeys(&km, map[string][]string{"claim": {"t"}}); len(probs) != 1 || !strings.Contains(probs[0].Msg, "touch") {
		t.Fatalf("claim = t: %+v", probs)
	}
	if !slices.Equal(km.Claim.Keys(), []string{"c"}) {
		t.Fatalf("a refused binding changed claim: %v", km.Claim.Keys())
	}
	if probs := ApplyKeys(&km, map[string][]string{"claim": {"C"}}); len(probs) != 0 || !slices.Equal(km.Claim.Keys(), []string{"C"}) {
		t.Fatalf("claim = C: %+v, keys %v", probs, km.Claim.Keys())
	}
}
