package tui

import (
	"context"
	"errors"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/leads-inbox/leads/store"
	mailsend "github.com/leads-inbox/leads/tui/draft/send"
)

// fakeTransport records what it was given to send; fail makes it refuse.
type fakeTransport struct {
	mu   sync.Mutex
	sent [][]byte
	env  []mailsend.Envelope
	fail error
}

func (f *fakeTransport) Send(_ context.Context, env mailsend.Envelope, msg []byte) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail != nil {
		return f.fail
	}
	f.sent, f.env = append(f.sent, msg), append(f.env, env)
	return nil
}

func (f *fakeTransport) String() string { return "fake transport" }

// sessionModel is the inbox over the fixture with a sender configured and
// tr as its transport (nil: sending not set up).
func sessionModel(t *testing.T, tr mailsend.Transport, extra map[string]string) (*Model, *store.Store) {
	t.Helper()
	s := fixture(t)
	env := draftEnv(t, extra)
	dir := filepath.Join(env("XDG_CONFIG_HOME"), "leads")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "config.toml"), []byte("[sender]\nname = \"Sam Rep\"\nemail = \"sam@contoso.example\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	opt := Options{Getenv: env}
	if tr != nil {
		opt.Transport = tr
	}
	return newModel(t, s, opt), s
}

// sessionName is the name of the contact the session shows.
func sessionName(m *Model) string {
	if m.sess.cur == "" {
		return ""
	}
	return m.sess.names[m.sess.cur]
}

// startSession opens a session over the All view; Hank (overdue) comes
// first, then the rest by urgency.
func startAllSession(t *testing.T, m *Model) {
	t.Helper()
	press(t, m, "3", "W")
	if m.screen != screenSession || m.sess.cur == "" {
		t.Fatalf("W did not open a session on a contact: %q\n%s", m.msg, screenText(m))
	}
}

// TestSessionOutcomesEachMoveOn: send (after a From/To/Subject
// confirmation, through the transport, logged with its Message-ID), snooze,
// log a call, set a status with lost's reason, skip: each is one key (and
// its prompt), moves to the next contact, and is counted in the summary
// with the guarded contacts' reasons.
func TestSessionOutcomesEachMoveOn(t *testing.T) {
	tr := &fakeTransport{}
	m, s := sessionModel(t, tr, nil)
	startAllSession(t, m)
	order := []string{sessionName(m)}

	press(t, m, "y")
	scr := screenText(m)
	for _, want := range []string{"Send this message?", "From:    Sam Rep <sam@contoso.example>", "To:      hank@h.example",
		"Subject: Your request about Contoso Inventory Pro", "Via:     fake transport"} {
		if !strings.Contains(scr, want) {
			t.Errorf("the confirmation lacks %q:\n%s", want, scr)
		}
	}
	if len(tr.sent) != 0 {
		t.Fatal("sent before the confirmation")
	}
	press(t, m, "y")
	if len(tr.sent) != 1 || tr.env[0].To[0] != "hank@h.example" || !strings.Contains(string(tr.sent[0]), "Hi Hank,") {
		t.Fatalf("transport got %d messages: %v", len(tr.sent), tr.env)
	}
	hank := triageOf(t, s, "hank@h.example")
	if hank.Touches != 1 || hank.LastSentAt.IsZero() {
		t.Errorf("the send was not logged: %+v", hank)
	}
	order = append(order, sessionName(m))
	press(t, m, "z") // snooze
	order = append(order, sessionName(m))
	press(t, m, "t") // log a call
	order = append(order, sessionName(m))
	press(t, m, "s", "l")
	typeText(t, m, "no budget")
	press(t, m, "enter")
	order = append(order, sessionName(m))
	press(t, m, "space") // skip
	if order[0] != "Hank Test" || order[1] == order[0] || order[4] == "" || order[4] == order[3] {
		t.Fatalf("the session did not move on after each outcome: %v", order)
	}
	check := func(name string, want func(store.Triage) bool) {
		t.Helper()
		email := strings.ToLower(strings.Fields(name)[0]) + "@" + strings.ToLower(name[:1]) + ".example"
		if tri := triageOf(t, s, email); !want(tri) {
			t.Errorf("%s: %+v", name, tri)
		}
	}
	check(order[1], func(tr store.Triage) bool { return !tr.NextFollowUp.IsZero() && tr.Touches == 0 })
	check(order[2], func(tr store.Triage) bool { return tr.Touches == 1 && tr.LastSentAt.IsZero() })
	check(order[3], func(tr store.Triage) bool { return tr.Status == store.StatusLost && tr.LostReason == "no budget" })

	for range 10 {
		if m.sess.summary {
			break
		}
		press(t, m, "space") // the rest, up to the guarded ones at the end
	}
	if !m.sess.summary {
		t.Fatalf("the queue's end did not show the summary:\n%s", screenText(m))
	}
	scr = screenText(m)
	for _, want := range []string{"Sent              1", "Logged            1", "Snoozed           1", "Closed            1  won 0 · lost 1",
		"Skipped           6", order[4] + ": skipped by you", "Frank Test: do not contact", "Jack Test: closed (won)", "(no personal data): no contact details",
		order[3] + " → lost (no budget)", "Due next:", "all 10 contacts"} {
		if !strings.Contains(scr, want) {
			t.Errorf("the summary lacks %q:\n%s", want, scr)
		}
	}
	checkLayout(t, m, 80, 24, "summary")
	press(t, m, "q")
	if m.screen != screenInbox {
		t.Fatalf("q on the summary went to screen %d", m.screen)
	}
}

// TestSessionWithoutTransportSaysSoAndStays: y with no [mail] transport
// says what to set up and the step stays; t still logs the touch.
func TestSessionWithoutTransportSaysSoAndStays(t *testing.T) {
	m, s := sessionModel(t, nil, nil)
	startAllSession(t, m)
	first := sessionName(m)
	press(t, m, "y")
	if m.prompt.kind != promptNone || sessionName(m) != first || !strings.Contains(m.msg, "sending is not set up") {
		t.Fatalf("y without a transport: prompt %d, on %q, msg %q", m.prompt.kind, sessionName(m), m.msg)
	}
	if tri := triageOf(t, s, "hank@h.example"); tri.Touches != 0 {
		t.Fatalf("something was logged: %+v", tri)
	}
}

// TestSessionSendFailureStays: a transport that refuses leaves the step
// on screen with the reason, and logs nothing.
func TestSessionSendFailureStays(t *testing.T) {
	tr := &fakeTransport{fail: errors.New("connection refused")}
	m, s := sessionModel(t, tr, nil)
	startAllSession(t, m)
	press(t, m, "y", "y")
	if sessionName(m) != "Hank Test" || !strings.Contains(m.msg, "not sent: connection refused") || m.sess.sending {
		t.Fatalf("after a failed send: on %q, msg %q, sending %v", sessionName(m), m.msg, m.sess.sending)
	}
	if tri := triageOf(t, s, "hank@h.example"); tri.Touches != 0 {
		t.Fatalf("a failed send was logged: %+v", tri)
	}
	press(t, m, "n") // n is nothing here: the step still waits
	if sessionName(m) != "Hank Test" {
		t.Fatal("the step moved on by itself")
	}
}

// TestSessionUndoFollowsTheSummary: u inside a session undoes the last
// step's change in the store, and the summary stops counting it; ctrl+r
// brings both back.
func TestSessionUndoFollowsTheSummary(t *testing.T) {
	m, s := sessionModel(t, nil, nil)
	startAllSession(t, m)
	press(t, m, "z")
	if tri := triageOf(t, s, "hank@h.example"); tri.NextFollowUp.Before(testNow) {
		t.Fatalf("not snoozed: %+v", tri)
	}
	press(t, m, "u")
	if tri := triageOf(t, s, "hank@h.example"); !tri.NextFollowUp.Before(testNow) {
		t.Fatalf("undo did not take the snooze back: %+v", tri)
	}
	press(t, m, "q")
	if !strings.Contains(screenText(m), "Snoozed           0") {
		t.Fatalf("the summary counts an undone snooze:\n%s", screenText(m))
	}
	send(t, m, keyMsgCtrlR())
	if !strings.Contains(screenText(m), "Snoozed           1") {
		t.Fatalf("the summary does not count the redone snooze:\n%s", screenText(m))
	}
}

func keyMsgCtrlR() tea.KeyPressMsg { return tea.KeyPressMsg{Code: 'r', Mod: tea.ModCtrl} }

// TestSessionResumesWhereItStopped: a session stopped with q is kept in
// the store; a new inbox offers it on W and resumes at the same contact
// with the outcomes so far, and 'leads session --resume' (Options.Session)
// resumes without asking.
func TestSessionResumesWhereItStopped(t *testing.T) {
	m, s := sessionModel(t, nil, nil)
	startAllSession(t, m)
	press(t, m, "space", "space")
	third := sessionName(m)
	press(t, m, "q", "q")
	ses, err := s.LoadSession()
	if err != nil || ses == nil || ses.Pos != 2 || len(ses.Outcomes) != 2 {
		t.Fatalf("stored session: %+v %v", ses, err)
	}

	m2 := newModel(t, s, Options{Getenv: m.opt.Getenv})
	press(t, m2, "W")
	if m2.prompt.kind != promptSessionResume || !strings.Contains(screenText(m2), "Resume the session on All") {
		t.Fatalf("W did not offer to resume: %q\n%s", m2.prompt.label, screenText(m2))
	}
	press(t, m2, "y")
	if sessionName(m2) != third {
		t.Fatalf("resumed on %q, want %q", sessionName(m2), third)
	}

	m3 := New(s, Options{Getenv: m.opt.Getenv, Now: func() time.Time { return testNow }, Session: &SessionStart{Resume: true}})
	m3.msgs.after = noTick
	run(t, m3, m3.loadCmd())
	if m3.screen != screenSession || sessionName(m3) != third {
		t.Fatalf("--resume opened on %q (screen %d)", sessionName(m3), m3.screen)
	}
	// n on the offer starts a new session over the view instead.
	m4 := newModel(t, s, Options{Getenv: m.opt.Getenv})
	press(t, m4, "3", "W", "n")
	if sessionName(m4) != "Hank Test" || m4.sess.ses.Pos != 0 {
		t.Fatalf("n did not start a new session: on %q at %d", sessionName(m4), m4.sess.ses.Pos)
	}
}

// TestSessionTakesTheFilteredViewInUrgencyOrder: the queue is the view's
// rows with its search, in urgency order even when the list is sorted by
// name.
func TestSessionTakesTheFilteredViewInUrgencyOrder(t *testing.T) {
	m, _ := sessionModel(t, nil, nil)
	press(t, m, "3", "O") // sort by name
	press(t, m, "/")
	typeText(t, m, "Corp")
	press(t, m, "enter", "W")
	var names []string
	for !m.sess.summary {
		names = append(names, sessionName(m))
		press(t, m, "space")
	}
	// Hank is overdue: first in urgency order, last by name.
	if len(names) == 0 || names[0] != "Hank Test" {
		t.Fatalf("session order %v", names)
	}
	if !strings.Contains(m.sess.ses.View, "All (filtered)") {
		t.Errorf("view %q", m.sess.ses.View)
	}
}

// TestSessionLayout: at 80×24 the funnel stands above the draft, at 160
// columns beside it; nothing runs past the width, in a step, in the send
// confirmation and in the summary.
func TestSessionLayout(t *testing.T) {
	m, _ := sessionModel(t, &fakeTransport{}, nil)
	startAllSession(t, m)
	checkLayout(t, m, 80, 24, "session step")
	scr := screenText(m)
	if !strings.Contains(scr, "Funnel Contact me") || !strings.Contains(scr, "── Draft") || !strings.Contains(scr, "Hi Hank,") {
		t.Errorf("80 columns: no funnel above the draft:\n%s", scr)
	}
	press(t, m, "y")
	checkLayout(t, m, 80, 24, "session confirm")
	press(t, m, "n")
	send(t, m, windowSize(160, 40))
	checkLayout(t, m, 160, 40, "session step wide")
	for _, l := range strings.Split(screenText(m), "\n") {
		if strings.Contains(l, "Funnel Contact me") && !strings.Contains(l, "│") {
			t.Errorf("160 columns: the funnel line has no draft beside it: %q", l)
		}
	}
	if !strings.Contains(screenText(m), "│ Hi Hank,") {
		t.Errorf("160 columns: no draft pane:\n%s", screenText(m))
	}
	press(t, m, "q")
	checkLayout(t, m, 160, 40, "summary wide")
}

// TestSessionEditThenSend: E opens the draft in $EDITOR, and once the
// editor returns the confirmation asks to send the edited message, which
// is what the transport gets.
func TestSessionEditThenSend(t *testing.T) {
	dir := t.TempDir()
	script := filepath.Join(dir, "editor.sh")
	if err := os.WriteFile(script, []byte("#!/bin/sh\nsed -i 's/^Hi /EDITED Hi /' \"$1\"\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	tr := &fakeTransport{}
	m, s := sessionModel(t, tr, map[string]string{"EDITOR": script})
	startAllSession(t, m)
	runEditor(t, m)
	if m.prompt.kind != promptSessionSend || !strings.Contains(screenText(m), "EDITED Hi Hank") {
		t.Fatalf("after the editor: prompt %d\n%s", m.prompt.kind, screenText(m))
	}
	press(t, m, "y")
	if len(tr.sent) != 1 || !strings.Contains(string(tr.sent[0]), "EDITED Hi Hank") {
		t.Fatalf("the edited message did not go out: %d sent", len(tr.sent))
	}
	if tri := triageOf(t, s, "hank@h.example"); tri.Touches != 1 || sessionName(m) == "Hank Test" {
		t.Fatalf("after the send: %+v, on %q", tri, sessionName(m))
	}
}

// TestSessionHostileText: a name and company with terminal escapes, and a
// lost reason typed with one, reach the session's step, its confirmation
// and its summary cleaned.
func TestSessionHostileText(t *testing.T) {
	h := lead("Eve\x1b]52;c;cHduZWQ=\x07\x1b[2J", "eve@e.example", store.ActionContactMe, 0.5)
	h.Customer.Company = "Evil\x1b[31m Corp\x9b"
	s := openStore(t, []store.Lead{h})
	env := draftEnv(t, nil)
	m := newModel(t, s, Options{Getenv: env, Transport: &fakeTransport{}})
	press(t, m, "W")
	screens := []string{m.render()}
	press(t, m, "y")
	screens = append(screens, m.render())
	press(t, m, "n", "s", "l")
	typeText(t, m, "bad\x1b[2Jreason")
	press(t, m, "enter")
	screens = append(screens, m.render())
	for i, scr := range screens {
		if p := plain(scr); strings.ContainsAny(p, "\x1b\x07\x9b") {
			t.Errorf("screen %d carries a raw control character: %q", i, p)
		}
	}
	if !m.sess.summary || !strings.Contains(screenText(m), "Closed            1") {
		t.Fatalf("no summary after the last contact:\n%s", screenText(m))
	}
}
