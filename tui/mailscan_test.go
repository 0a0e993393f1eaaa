package tui

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/leads-inbox/leads/store"
)

// TestMailEveryShowsReplies: the periodic mailbox scan (--mail-every) runs
// in a command, not in Update; a reply it records brings the contact to
// the top of the inbox (Replied: answer them) and the status bar says so.
func TestMailEveryShowsReplies(t *testing.T) {
	s := fixture(t)
	calls := 0
	scanner := func(ctx context.Context, warn func(string)) (int, int, error) {
		calls++
		_, ok, err := s.RecordReply(store.ContactIDForEmail("erin@e.example"),
			store.Reply{MessageID: "r1@e.example", At: testNow.Add(-time.Hour), Subject: "Re: hi"}, testNow)
		if !ok {
			return 0, 0, err
		}
		return 1, 0, err
	}
	m := newModel(t, s, Options{MailScanner: scanner, MailEvery: time.Millisecond})
	if rowNames(m)[0] == "Erin" {
		t.Fatal("Erin is first before any reply")
	}
	_, cmd := m.Update(mailTickMsg{})
	if calls != 0 || !m.mail.running {
		t.Fatalf("the scan ran inside Update (%d calls) or did not start", calls)
	}
	run(t, m, cmd)
	if calls != 1 || m.mail.running {
		t.Fatalf("%d scans, running %v", calls, m.mail.running)
	}
	if rowNames(m)[0] != "Erin" {
		t.Errorf("the replied contact is not on top: %v", rowNames(m))
	}
	if !strings.Contains(screenText(m), "+1 reply") {
		t.Errorf("status bar:\n%s", screenText(m))
	}
}

// TestMailEverySkipsWhileAScanRuns: a tick while a scan is still running
// (a slow disk, a stalled server) starts no second scan; a failed scan is
// one line on the status line.
func TestMailEverySkipsWhileAScanRuns(t *testing.T) {
	release := make(chan struct{})
	calls := 0
	fail := false
	scanner := func(ctx context.Context, warn func(string)) (int, int, error) {
		calls++
		if fail {
			return 0, 0, errors.New("mail folder /home/rep/Mail/INBOX cannot be read (no such file or directory): check [mail] maildir")
		}
		<-release
		return 0, 0, nil
	}
	m := newModel(t, fixture(t), Options{MailScanner: scanner, MailEvery: time.Millisecond})
	_, first := m.Update(mailTickMsg{})
	done := make(chan tea.Msg, 4)
	go func() { done <- first() }()
	_, second := m.Update(mailTickMsg{})
	// The second tick's commands are the next tick only: nothing of
	// them calls the scanner.
	if msgs := collect(second); len(msgs) != 0 {
		t.Fatalf("a second scan started: %v", msgs)
	}
	close(release)
	var msg tea.Msg
	for msg = range done {
		break
	}
	for _, mm := range msg.(tea.BatchMsg) {
		run(t, m, mm)
	}
	if calls != 1 || m.mail.running {
		t.Fatalf("%d scans, running %v", calls, m.mail.running)
	}
	fail = true
	send(t, m, mailTickMsg{})
	if !m.msgErr || !strings.Contains(m.msg, "cannot be read") || strings.Contains(m.msg, "\n") || !strings.Contains(screenText(m), "mail failed") {
		t.Fatalf("failure: %q\n%s", m.msg, screenText(m))
	}
}

// collect runs cmd and everything it batches, except ticks, and returns
// the messages that are not ticks.
func collect(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	switch msg := cmd().(type) {
	case nil, mailTickMsg:
		return nil
	case tea.BatchMsg:
		var out []tea.Msg
		for _, c := range msg {
			out = append(out, collect(c)...)
		}
		return out
	default:
		return []tea.Msg{msg}
	}
}
