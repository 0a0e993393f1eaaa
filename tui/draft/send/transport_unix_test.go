//go:build unix

package send_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/leads-inbox/leads/tui/config"
	"github.com/leads-inbox/leads/tui/draft/send"
)

// bgScript writes a script that does body, then leaves a child running
// that holds its output open (a queueing sendmail wrapper, gpg starting
// its agent), and exits 0. The child is killed when the test ends.
func bgScript(t *testing.T, body string) string {
	t.Helper()
	dir := t.TempDir()
	p := filepath.Join(dir, "cmd")
	pid := filepath.Join(dir, "pid")
	script := "#!/bin/sh\n" + body + "\nsleep 300 &\necho $! > '" + pid + "'\nexit 0\n"
	if err := os.WriteFile(p, []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if b, err := os.ReadFile(pid); err == nil {
			if n, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil {
				_ = syscall.Kill(n, syscall.SIGKILL)
			}
		}
	})
	return p
}

// TestCommandThatLeavesAChildRunningSucceeded: a sendmail command that
// took the message and exited 0, leaving a child that holds its error
// output, was reported "not sent" (and nothing logged), so the rep sent
// the message again. Its exit status is what counts. The same for the
// password command.
func TestCommandThatLeavesAChildRunningSucceeded(t *testing.T) {
	c := composed(t)
	got := filepath.Join(t.TempDir(), "stdin")
	sm := bgScript(t, "cat > '"+got+"'")
	if err := (&send.Sendmail{Args: []string{sm}}).Send(context.Background(), c.Env, c.Bytes); err != nil {
		t.Fatalf("a command that exited 0 failed the send: %v", err)
	}
	if b, _ := os.ReadFile(got); !bytes.Equal(b, c.Bytes) {
		t.Fatalf("the command got %q", b)
	}
	pw := bgScript(t, "echo secret")
	err := (&send.SMTP{Host: "127.0.0.1", Port: 1, Security: "none", User: "u", PasswordArgs: []string{pw}}).Send(context.Background(), c.Env, c.Bytes)
	if s := oneLine(t, err); strings.Contains(s, "password_command") || !strings.Contains(s, "cannot connect") {
		t.Fatalf("the password command that exited 0 failed: %q", s)
	}
}

// TestPasswordCommandIsReadTheSameForSendingAndReading: one
// password_command serves SMTP and IMAP. Reading ran it through /bin/sh,
// sending split it on blanks, so "cat ~/.mailpass" or a pipe worked for
// 'leads mail' and failed every send. Both run it through /bin/sh now.
func TestPasswordCommandIsReadTheSameForSendingAndReading(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	if err := os.WriteFile(filepath.Join(home, ".mailpass"), []byte("secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c := composed(t)
	for _, cmd := range []string{"cat ~/.mailpass", "cat \"$HOME/.mailpass\" | head -n 1"} {
		tr, err := send.FromConfig(config.Mail{SMTPHost: "127.0.0.1", SMTPPort: 1, SMTPSecurity: "none", SMTPUser: "u", PasswordCommand: cmd})
		if err != nil {
			t.Fatal(err)
		}
		err = tr.Send(context.Background(), c.Env, c.Bytes)
		if s := oneLine(t, err); strings.Contains(s, "password_command") || !strings.Contains(s, "cannot connect") {
			t.Errorf("%s: %q", cmd, s)
		}
	}
}
