package tui

import (
	"context"
	"errors"
	"fmt"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/leads-inbox/leads/store/safetext"
)

// MailScanner reads the rep's mailbox into the open store, as 'leads mail'
// does: replies mark their contacts, bounces their addresses; warn gets
// each message that could not be read (the inbox logs it). It returns how
// many replies and bounces it recorded. The cmd package wires in
// importer/mailbox; the inbox only runs it in a tea.Cmd.
type MailScanner func(ctx context.Context, warn func(string)) (replies, bounces int, err error)

// mailTickMsg starts a periodic mailbox scan (--mail-every).
type mailTickMsg struct{}

// mailDoneMsg ends a mailbox scan.
type mailDoneMsg struct {
	replies, bounces int
	err              error
	took             time.Duration
}

// mailState is the inbox's periodic mailbox scan.
type mailState struct {
	running bool
	cancel  context.CancelFunc
	note    string // the status bar's word on the last scan
}

func mailTick(every time.Duration) tea.Cmd {
	return tea.Tick(every, func(time.Time) tea.Msg { return mailTickMsg{} })
}

// startMail runs the scanner off the UI goroutine. A scan still running
// when the timer fires again (a slow disk, a stalled server) is left to
// finish: the tick is skipped, never queued, so the inbox never waits.
func (m *Model) startMail() tea.Cmd {
	if m.opt.MailScanner == nil || m.mail.running {
		return nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	m.mail.running, m.mail.cancel = true, cancel
	scan, logf := m.opt.MailScanner, m.opt.Logf
	return func() tea.Msg {
		t0 := time.Now()
		r, b, err := scan(ctx, func(w string) { logf("mail: %s", safetext.Clean(w)) })
		return mailDoneMsg{replies: r, bounces: b, err: err, took: time.Since(t0)}
	}
}

// onMailDone shows what a scan found and reloads the inbox when it
// recorded anything, so that replied contacts move to the Replied lane.
func (m *Model) onMailDone(msg mailDoneMsg) tea.Cmd {
	m.mail.running = false
	if m.mail.cancel != nil {
		m.mail.cancel()
		m.mail.cancel = nil
	}
	at := m.now().Format("15:04")
	var reload tea.Cmd
	if msg.replies+msg.bounces > 0 {
		// Recorded before a failure too: show what is in the file. A
		// reply stops a cadence, so the calendar loses that follow-up.
		reload = tea.Batch(m.loadCmd(), m.calendarChanged())
	}
	if msg.err != nil {
		if errors.Is(msg.err, context.Canceled) {
			return reload
		}
		m.mail.note = "mail failed " + at
		m.sayErr(fmt.Errorf("mail: %w", msg.err))
		m.opt.Logf("mail scan failed: %s", cleanErr(msg.err))
		return reload
	}
	m.opt.Logf("mail: %d replies, %d bounces in %v", msg.replies, msg.bounces, msg.took)
	switch {
	case msg.replies == 0 && msg.bounces == 0:
		m.mail.note = ""
	case msg.bounces == 0:
		m.mail.note = "+" + plural(msg.replies, "reply", "replies") + " " + at
	default:
		m.mail.note = "+" + plural(msg.replies, "reply", "replies") + ", " + plural(msg.bounces, "bounce", "bounces") + " " + at
	}
	return reload
}
