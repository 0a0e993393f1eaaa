package tui

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/leads-inbox/leads/store"
	"github.com/leads-inbox/leads/store/view"
)

// TestTeamRoundAfterEachChange: a saved change starts a team round soon
// after (never inside Update); what the round pulled shows in the rows
// without a restart, and a conflict the rep lost is said on the status
// line naming who and what. A round that fails shows the inbox offline
// with its queue, and the change stays saved.
func TestTeamRoundAfterEachChange(t *testing.T) {
	s := fixture(t)
	calls := 0
	var fail error
	round := func(ctx context.Context) (TeamResult, error) {
		calls++
		if fail != nil {
			return TeamResult{Queued: 2}, fail
		}
		// A teammate qualified Bob meanwhile; their later status won.
		if _, err := s.SetStatus(store.ContactIDForEmail("bob@b.example"), store.StatusQualified, "", testNow); err != nil {
			return TeamResult{}, err
		}
		return TeamResult{Pushed: 1, Pulled: 1, Conflicts: []string{"Ana set qualified 2 min ago\x1b[2J"}}, nil
	}
	m := newModel(t, s, Options{Team: round})
	pos := m.x.find(idOf(store.ContactIDForEmail("bob@b.example")))
	if pos < 0 {
		t.Fatal("no Bob")
	}
	_, cmd := m.Update(changedMsg{id: store.ContactIDForEmail("alice@a.example"), pos: -1, what: "touch"})
	if calls != 0 {
		t.Fatal("the team round ran inside Update")
	}
	run(t, m, cmd)
	if calls != 1 || m.team.running {
		t.Fatalf("%d rounds after one change, running %v", calls, m.team.running)
	}
	pos = m.x.find(idOf(store.ContactIDForEmail("bob@b.example")))
	if got := m.x.status[pos]; got != view.StatusIndex(store.StatusQualified) {
		t.Errorf("the pulled status is not shown: %d", got)
	}
	if !strings.Contains(m.msg, "Ana set qualified 2 min ago") || strings.Contains(m.msg, "\x1b") {
		t.Errorf("conflict message %q", m.msg)
	}
	fail = errors.New("cannot reach the team table: check your network")
	send(t, m, teamTickMsg{})
	if calls != 2 || !strings.Contains(screenText(m), "team offline") || !strings.Contains(screenText(m), "(2 queued)") {
		t.Errorf("offline round (%d calls):\n%s", calls, screenText(m))
	}
}
