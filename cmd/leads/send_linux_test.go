//go:build linux

package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/leads-inbox/leads/store"
)

// TestDraftSendAsksOnTerminal: on a real terminal, --send shows From, To,
// Subject and the transport and asks; "n" sends and logs nothing, "y"
// sends and logs.
func TestDraftSendAsksOnTerminal(t *testing.T) {
	path, dir := sendmailRecorder(t)
	db, getenv := sendSetup(t, "sendmail = \""+path+" -a work\"\n", nil)
	ask := func(answer string) (int, string) {
		master, slave := openPTY(t)
		defer slave.Close()
		// The terminal driver keeps the typed line until leads reads it.
		if _, err := master.Write([]byte(answer + "\n")); err != nil {
			t.Fatal(err)
		}
		var out, errb bytes.Buffer
		e := &env{stdin: slave, stdout: &out, stderr: &errb, getenv: getenv,
			now: func() time.Time { return time.Date(2026, 11, 10, 9, 0, 0, 0, time.UTC) }}
		code := run(e, []string{"--db", db, "draft", "mei.lin@northwind.example", "--send"})
		return code, errb.String()
	}
	code, errs := ask("n")
	for _, want := range []string{"From:    Ana Ruiz <ana@contoso.example>\n", "To:      Mei Lin <mei.lin@northwind.example>\n",
		"Subject: Getting started with Contoso Inventory Pro\n", "Via:     " + path + " -a work\n", "[y/N] not sent\n"} {
		if !strings.Contains(errs, want) {
			t.Errorf("the question lacks %q:\n%s", want, errs)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "argv")); code != 0 || err == nil {
		t.Fatalf("n: code %d, the command ran: %v", code, err == nil)
	}
	loggedSent(t, db, "mei.lin@northwind.example", "")

	code, errs = ask("y")
	stdin, err := os.ReadFile(filepath.Join(dir, "stdin"))
	if code != 0 || err != nil || !strings.Contains(errs, "logged touch 1 of") {
		t.Fatalf("y: %d %v %q", code, err, errs)
	}
	id := messageIDLine.FindSubmatch(stdin)
	if id == nil {
		t.Fatalf("no Message-ID in %q", stdin)
	}
	loggedSent(t, db, "mei.lin@northwind.example", string(id[1]))
}

// lockedBuffer is a bytes.Buffer safe to read while run writes to it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestDraftSendRechecksAfterTheQuestion: while --send waits for the
// rep's y (the database closed, so others can use it), 'leads mail'
// finds the address bouncing. The y that follows sends nothing.
func TestDraftSendRechecksAfterTheQuestion(t *testing.T) {
	path, dir := sendmailRecorder(t)
	db, getenv := sendSetup(t, "sendmail = \""+path+"\"\n", nil)
	master, slave := openPTY(t)
	defer slave.Close()
	var out, errb lockedBuffer
	e := &env{stdin: slave, stdout: &out, stderr: &errb, getenv: getenv,
		now: func() time.Time { return time.Date(2026, 11, 10, 9, 0, 0, 0, time.UTC) }}
	done := make(chan int, 1)
	go func() { done <- run(e, []string{"--db", db, "draft", "mei.lin@northwind.example", "--send"}) }()
	for !strings.Contains(errb.String(), "Send this message now?") {
		select {
		case code := <-done:
			t.Fatalf("ended before asking: %d %s", code, errb.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
	s, err := store.Open(db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.MarkBouncing(store.ContactIDForEmail("mei.lin@northwind.example"), time.Date(2026, 11, 10, 9, 0, 0, 0, time.UTC), "b@mx.example", "5.1.1"); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := master.Write([]byte("y\n")); err != nil {
		t.Fatal(err)
	}
	code := <-done
	if _, err := os.Stat(filepath.Join(dir, "stdin")); err == nil || code == exitOK || !strings.Contains(errb.String(), "bounced") {
		t.Fatalf("code %d, sent %v:\n%s", code, err == nil, errb.String())
	}
	s, err = store.Open(db, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if tr, _ := s.Triage(store.ContactIDForEmail("mei.lin@northwind.example")); tr.Touches != 0 || !tr.LastSentAt.IsZero() {
		t.Fatalf("logged a touch: %+v", tr)
	}
}
