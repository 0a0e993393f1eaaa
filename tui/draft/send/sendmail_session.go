// REMOVE AT MERGE: a stand-in for the [mail] sendmail transport, written
// on the session branch only so that 'leads session' can send until the
// send branch's FromConfig lands; at merge, delete this file and call
// FromConfig where cmd/leads/session.go calls SessionSendmail.

package send

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"slices"
	"strings"

	"github.com/leads-inbox/leads/store/safetext"
	"github.com/leads-inbox/leads/tui/config"
)

// sendmailCmd hands a message to a sendmail-compatible command on stdin,
// recipients taken from the headers (-t).
type sendmailCmd struct{ argv []string }

// SessionSendmail returns the [mail] sendmail transport, or nil when the
// config sets none. (Temporary: see the top of this file.)
func SessionSendmail(m config.Mail) Transport {
	argv := strings.Fields(m.Sendmail)
	if len(argv) == 0 {
		return nil
	}
	if !slices.Contains(argv, "-t") {
		argv = append(argv, "-t")
	}
	return sendmailCmd{argv: argv}
}

// Send runs the command with the message on stdin; exit 0 is accepted.
func (s sendmailCmd) Send(ctx context.Context, _ Envelope, msg []byte) error {
	cmd := exec.CommandContext(ctx, s.argv[0], s.argv[1:]...)
	cmd.Stdin = bytes.NewReader(msg)
	var errb bytes.Buffer
	cmd.Stderr = &errb
	if err := cmd.Run(); err != nil {
		why := strings.TrimSpace(safetext.Clean(firstLine(errb.String())))
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			why = "it did not finish in time"
		}
		if why == "" {
			why = err.Error()
		}
		return fmt.Errorf("the sendmail command %s failed: %s; check [mail] sendmail in the config", s.argv[0], why)
	}
	return nil
}

// String names the command, for the confirmation.
func (s sendmailCmd) String() string { return strings.Join(s.argv, " ") }

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}
