package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/leads-inbox/leads/store"
)

// mailDir makes a Maildir holding msgs in new/.
func mailDir(t *testing.T, msgs ...string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "Mail", "INBOX")
	for _, d := range []string{"cur", "new", "tmp"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	for i, m := range msgs {
		name := filepath.Join(dir, "new", "1762851600.M"+string(rune('a'+i))+"P1.host")
		if err := os.WriteFile(name, []byte(m), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func mailCLI(t *testing.T, db string, getenv func(string) string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: getenv,
		now: func() time.Time { return time.Date(2026, 11, 10, 9, 0, 0, 0, time.UTC) }}
	code := run(e, append([]string{"--db", db}, args...))
	return code, out.String(), errb.String()
}

// TestMailCommandRecordsRepliesOnce: 'leads mail' reads the folders in
// [mail] maildir: Mei's reply marks her replied, the rep's own copy is not
// a reply, a stranger is skipped; a second run reads nothing.
func TestMailCommandRecordsRepliesOnce(t *testing.T) {
	db, getenv := draftDB(t)
	dir := mailDir(t,
		"From: Mei Lin <mei.lin@northwind.example>\r\nSubject: Re: pricing\r\nMessage-ID: <r1@northwind.example>\r\nDate: Tue, 10 Nov 2026 08:00:00 +0000\r\n\r\nYes, 200 seats.\r\n",
		"From: Ana <ana@contoso.example>\r\nSubject: copy\r\nMessage-ID: <own@contoso.example>\r\n\r\nmine\r\n",
		"From: spam@else.example\r\nSubject: offer\r\nMessage-ID: <s@else.example>\r\n\r\nbuy\r\n")
	cfgFile := filepath.Join(getenv("XDG_CONFIG_HOME"), "leads", "config.toml")
	body, _ := os.ReadFile(cfgFile)
	body = []byte(strings.Replace(string(body), "[other]\nkey = 1\n", "", 1) + "\n[mail]\nmaildir = \"" + dir + "\"\n")
	if err := os.WriteFile(cfgFile, body, 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := mailCLI(t, db, getenv, "mail")
	if code != exitOK || out != "3 read, 1 reply recorded (1 contact), 0 bounces, 2 skipped\n" {
		t.Fatalf("first run: %d %q %q", code, out, errOut)
	}
	code, out, _ = mailCLI(t, db, getenv, "mail")
	if code != exitOK || out != "0 read, 0 replies recorded (0 contacts), 0 bounces, 0 skipped\n" {
		t.Fatalf("second run: %d %q", code, out)
	}
	s, err := store.Open(db, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	tr, _ := s.Triage(store.ContactIDForEmail("mei.lin@northwind.example"))
	if !tr.RepliedAt.Equal(time.Date(2026, 11, 10, 8, 0, 0, 0, time.UTC)) {
		t.Fatalf("%+v", tr)
	}
}

// TestMailCommandErrors: nothing set up is a usage error that says what
// to set; a folder that is gone is one line and exit 1, and the other
// folders are still read.
func TestMailCommandErrors(t *testing.T) {
	db, getenv := draftDB(t)
	code, _, errOut := mailCLI(t, db, getenv, "mail")
	if code != exitUsage || !strings.Contains(errOut, "--maildir") || strings.Count(errOut, "\n") != 2 {
		// Two lines: the config file's problem ([other]) and this one.
		t.Fatalf("not set up: %d %q", code, errOut)
	}
	gone := filepath.Join(t.TempDir(), "nowhere")
	code, out, errOut := mailCLI(t, db, getenv, "mail", "--maildir", gone)
	lines := strings.Split(strings.TrimSpace(errOut), "\n")
	last := lines[len(lines)-1]
	if code != exitFailed || !strings.Contains(last, gone) || !strings.HasPrefix(out, "0 read") {
		t.Fatalf("gone: %d %q %q", code, out, errOut)
	}
}

// TestMailEveryFlag: --mail-every takes at least a minute, and needs a
// mailbox in [mail]; both are said before the inbox takes the terminal.
func TestMailEveryFlag(t *testing.T) {
	db, getenv := draftDB(t)
	code, _, errOut := mailCLI(t, db, getenv, "--mail-every", "30s")
	if code != exitUsage || !strings.Contains(errOut, "--mail-every must be at least 1m") {
		t.Fatalf("30s: %d %q", code, errOut)
	}
	code, _, errOut = mailCLI(t, db, getenv, "--mail-every", "5m")
	if code != exitUsage || !strings.Contains(errOut, "no mailbox to read") {
		t.Fatalf("no mailbox: %d %q", code, errOut)
	}
}
