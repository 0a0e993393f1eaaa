package mailbox

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/leads-inbox/leads/store/safetext"
	"github.com/leads-inbox/leads/tui/config"
)

// IMAPSources returns one Source per folder of the [mail] imap_* settings
// (none when imap_host is unset), for 'leads mail' and the inbox's
// repeated scans: each scans its folder and saves its own cursor under
// its ID.
func IMAPSources(m config.Mail) ([]Source, error) {
	if m.IMAPHost == "" {
		return nil, nil
	}
	folders := m.IMAPFolders
	if len(folders) == 0 {
		folders = []string{"INBOX"}
	}
	var out []Source
	for _, f := range folders {
		s, err := NewIMAP(IMAPConfigFrom(m, f))
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// IMAPConfigFrom is the IMAPConfig of one folder of the [mail] settings.
func IMAPConfigFrom(m config.Mail, folder string) IMAPConfig {
	return IMAPConfig{
		Host:            m.IMAPHost,
		Port:            m.IMAPPort,
		Security:        m.IMAPSecurity,
		User:            m.IMAPUser,
		Folder:          folder,
		PasswordCommand: m.PasswordCommand,
	}
}

// passwordTimeout bounds a password command: a keyring that waits for an
// answer nobody gives must not hang the scan.
const passwordTimeout = 60 * time.Second

// RunPasswordCommand runs [mail] password_command through /bin/sh (it is
// written as the rep would type it: "pass show mail/work") and returns
// the first line it printed. The password is kept nowhere, and no error
// repeats what the command printed on its standard output.
func RunPasswordCommand(ctx context.Context, command string) (string, error) {
	command = strings.TrimSpace(command)
	if command == "" {
		return "", errors.New("no [mail] password_command: set it to a command that prints the password")
	}
	ctx, cancel := context.WithTimeout(ctx, passwordTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "/bin/sh", "-c", command)
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &limitedBuffer{b: &stdout, max: 64 << 10}
	cmd.Stderr = &limitedBuffer{b: &stderr, max: 64 << 10}
	// A child left holding the output (gpg starting its agent) must not
	// hold the scan: the output is closed two seconds after the command
	// exits, and an exit status of 0 still counts as success.
	cmd.WaitDelay = 2 * time.Second
	err := cmd.Run()
	if errors.Is(err, exec.ErrWaitDelay) {
		err = nil
	}
	if ctx.Err() != nil {
		return "", fmt.Errorf("[mail] password_command did not finish within %s: check it runs without asking anything", passwordTimeout)
	}
	if err != nil {
		msg := firstLine(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		return "", fmt.Errorf("[mail] password_command failed: %s", safetext.Clean(msg))
	}
	pw := strings.TrimRight(firstLineRaw(stdout.String()), "\r")
	if pw == "" {
		return "", errors.New("[mail] password_command printed no password on its first line")
	}
	return pw, nil
}

func firstLineRaw(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// firstLine is the first non-blank line of a command's error output, cut
// short for a one-line message.
func firstLine(s string) string {
	sc := bufio.NewScanner(strings.NewReader(s))
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" {
			return shorten(l, 200)
		}
	}
	return ""
}

// limitedBuffer keeps the first max bytes a command writes and discards
// the rest, so a runaway command cannot fill memory.
type limitedBuffer struct {
	b   *bytes.Buffer
	max int
}

func (w *limitedBuffer) Write(p []byte) (int, error) {
	if room := w.max - w.b.Len(); room > 0 {
		w.b.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

// shorten cuts s to at most n bytes on a character boundary, marking the cut.
func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
