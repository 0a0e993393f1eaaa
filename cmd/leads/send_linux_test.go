//go:build linux

package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
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
