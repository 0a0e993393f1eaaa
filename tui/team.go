package tui

import (
	"context"
	"errors"
	"fmt"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/leads-inbox/leads/store/safetext"
)

// TeamResult is what one round with the team's shared table did.
type TeamResult struct {
	// Pushed and Pulled count the changes sent and received.
	Pushed, Pulled int
	// Queued counts this rep's changes still waiting to be sent.
	Queued int
	// Conflicts say, one line each, where another rep's later change to
	// the same field won ("Ana set qualified 2 min ago").
	Conflicts []string
}

// TeamRound pushes this rep's queued changes to the team's table and
// pulls the others'. The cmd package wires in the team sync; the inbox
// only runs it in a tea.Cmd, after each change and every TeamEvery.
type TeamRound func(ctx context.Context) (TeamResult, error)

// teamTickMsg starts a periodic team round.
type teamTickMsg struct{}

// teamPushMsg asks for a round soon after a change, so the team sees it.
type teamPushMsg struct{ gen int }

// teamDoneMsg ends a team round.
type teamDoneMsg struct {
	r    TeamResult
	err  error
	took time.Duration
}

// teamState is the inbox's work with the team table.
type teamState struct {
	running bool
	again   bool // a change came while a round ran: run one more
	gen     int  // the newest change's number, to batch quick changes
	note    string
}

// teamPushDelay gathers the changes of a quick run of keys into one
// round, while still reaching the team within about a second.
const teamPushDelay = 300 * time.Millisecond

func teamTick(every time.Duration) tea.Cmd {
	return tea.Tick(every, func(time.Time) tea.Msg { return teamTickMsg{} })
}

// teamChanged is called after each saved change: the change is pushed
// at once (after teamPushDelay), as the rep's teammates expect to see it.
func (m *Model) teamChanged() tea.Cmd {
	if m.opt.Team == nil {
		return nil
	}
	m.team.gen++
	gen := m.team.gen
	return tea.Tick(teamPushDelay, func(time.Time) tea.Msg { return teamPushMsg{gen} })
}

// startTeam runs a round off the UI goroutine; a round asked for while
// one runs is run once after it, never queued twice.
func (m *Model) startTeam() tea.Cmd {
	if m.opt.Team == nil {
		return nil
	}
	if m.team.running {
		m.team.again = true
		return nil
	}
	m.team.running, m.team.again = true, false
	round := m.opt.Team
	return func() tea.Msg {
		t0 := time.Now()
		ctx, cancel := context.WithTimeout(context.Background(), teamRoundLimit)
		defer cancel()
		r, err := round(ctx)
		return teamDoneMsg{r: r, err: err, took: time.Since(t0)}
	}
}

// teamRoundLimit bounds one round, so a stalled network shows as
// offline instead of holding every later round.
const teamRoundLimit = 2 * time.Minute

// onTeamDone shows what the round did, tells the rep of each conflict
// they lost, and reads the triage again when teammates' changes came in.
func (m *Model) onTeamDone(msg teamDoneMsg) tea.Cmd {
	m.team.running = false
	at := m.now().Format("15:04")
	var cmds []tea.Cmd
	if msg.r.Pulled > 0 && m.x != nil {
		cmds = append(cmds, m.statesCmd(), m.calendarChanged())
		if m.screen == screenDetail && m.detail.id != "" {
			cmds = append(cmds, m.openContactCmd(m.detail.id))
		}
	}
	switch {
	case msg.err != nil && !errors.Is(msg.err, context.Canceled):
		m.team.note = "team offline " + at
		if msg.r.Queued > 0 {
			m.team.note += fmt.Sprintf(" (%d queued)", msg.r.Queued)
		}
		m.opt.Logf("team round failed: %s", cleanErr(msg.err))
	case msg.r.Queued > 0:
		m.team.note = fmt.Sprintf("team: %d queued %s", msg.r.Queued, at)
	default:
		m.team.note = ""
	}
	if n := len(msg.r.Conflicts); n > 0 {
		text := safetext.Clean(msg.r.Conflicts[n-1])
		if n > 1 {
			text += fmt.Sprintf(" (and %d more: see the contacts' history)", n-1)
		}
		m.say(text)
	}
	m.opt.Logf("team: pushed %d, pulled %d, %d conflicts in %v", msg.r.Pushed, msg.r.Pulled, len(msg.r.Conflicts), msg.took)
	if m.team.again {
		cmds = append(cmds, m.startTeam())
	}
	return tea.Batch(cmds...)
}
