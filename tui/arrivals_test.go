package tui

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/leads-inbox/leads/store"
	"github.com/leads-inbox/leads/store/view"
)

// TestNewLeadsAreMarkedUntilSeen: after a sync, the new contact (Nina)
// and the contact with a new lead (Carol) are marked in the list and no
// other; moving onto Nina unmarks her, opening Carol unmarks her.
func TestNewLeadsAreMarkedUntilSeen(t *testing.T) {
	s := fixture(t)
	syncer := func(ctx context.Context, progress func(int), warn func(string)) (int, error) {
		_, err := s.Upsert([]store.Lead{
			lead("Nina", "nina@n.example", store.ActionContactMe, 0.1),
			lead("Carol", "carol@c.example", store.ActionInstall, 0.2),
		}, store.UpsertOptions{})
		return 2, err
	}
	m := newModel(t, s, Options{Syncer: syncer})
	send(t, m, windowSize(100, 30))
	if strings.Contains(screenText(m), "+ ") {
		t.Fatalf("marks before any sync:\n%s", screenText(m))
	}
	press(t, m, "S")
	marked := func() []string {
		var out []string
		for _, l := range strings.Split(screenText(m), "\n") {
			if _, after, ok := strings.Cut(l, " + "); ok {
				out = append(out, strings.Fields(after)[0])
			}
		}
		return out
	}
	if got := strings.Join(marked(), ","); got != "Nina,Carol" && got != "Carol,Nina" {
		t.Fatalf("marked %q, want Nina and Carol:\n%s", got, screenText(m))
	}
	selectName(t, m, "Hank")
	for rowNames(m)[m.cursor] != "Nina" {
		press(t, m, "j")
	}
	if got := strings.Join(marked(), ","); got != "Carol" {
		t.Errorf("after moving onto Nina, marked %q, want Carol", got)
	}
	selectName(t, m, "Carol")
	press(t, m, "enter", "esc")
	if got := marked(); len(got) != 0 {
		t.Errorf("after opening Carol, marked %v", got)
	}
}

// TestArrivalsByLeadCount: a contact is new when its number was not there
// before or it has more leads; the first load marks nothing.
func TestArrivalsByLeadCount(t *testing.T) {
	prev := []view.Digest{{Seq: 1, Leads: 1}, {Seq: 2, Leads: 2}, {Seq: 4, Leads: 1}}
	next := []view.Digest{{Seq: 1, Leads: 1}, {Seq: 2, Leads: 3}, {Seq: 3, Leads: 1}, {Seq: 4, Leads: 1}, {Seq: 9, Leads: 1}}
	if got := arrivals(prev, next); !slices.Equal(got, []uint64{2, 3, 9}) {
		t.Errorf("arrivals = %v, want [2 3 9]", got)
	}
	if got := arrivals(nil, next); got != nil {
		t.Errorf("first load marked %v", got)
	}
}
