package main

import (
	"bufio"
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/leads-inbox/leads/store"
	"github.com/leads-inbox/leads/store/safetext"
	"github.com/leads-inbox/leads/tui/config"
	"github.com/leads-inbox/leads/tui/draft"
	mailsend "github.com/leads-inbox/leads/tui/draft/send"
)

// defaultSendTimeout bounds one send: a mail server or command that
// stalls gives one line instead of a hung terminal.
const defaultSendTimeout = 2 * time.Minute

// transport is the [mail] transport, trusting the certificates of
// $SSL_CERT_FILE for SMTP when it is set, as OpenSSL-based mail programs
// do (for a submission server with a certificate of the rep's own).
func (e *env) transport(m config.Mail) (mailsend.Transport, error) {
	tr, err := mailsend.FromConfig(m)
	if err != nil {
		return nil, err
	}
	inner := tr
	if c, ok := tr.(*mailsend.Copying); ok {
		inner = c.Transport
	}
	if s, ok := inner.(*mailsend.SMTP); ok {
		if f := e.getenv("SSL_CERT_FILE"); f != "" {
			b, err := os.ReadFile(f)
			if err != nil {
				return nil, fmt.Errorf("cannot read SSL_CERT_FILE: %w", err)
			}
			pool := x509.NewCertPool()
			if !pool.AppendCertsFromPEM(b) {
				return nil, fmt.Errorf("SSL_CERT_FILE %s holds no PEM certificate", safetext.Clean(f))
			}
			s.RootCAs = pool
		}
	}
	return tr, nil
}

// sendDraft is 'leads draft --send': the message is composed once, shown
// (From, To, Subject, transport) and sent after the rep says yes (or
// --yes), and the touch is logged with its Message-ID only once the
// transport accepted it. --dry-run prints the bytes and sends nothing.
// force is --force: the rep asked to draft for a closed contact.
func sendDraft(e *env, ct *store.Contact, d draft.Draft, sender draft.Sender, yes, dryRun, force bool) int {
	c, err := mailsend.Compose(d, sender, e.now())
	if err != nil {
		return e.fail(err)
	}
	if dryRun {
		if _, err := e.stdout.Write(c.Bytes); err != nil {
			return e.fail(err)
		}
		fmt.Fprintln(e.stderr, "dry run: this is the message --send would send (with a new Message-ID); nothing was sent or logged")
		return exitOK
	}
	cfg, err := e.loadConfig()
	if err != nil {
		return e.fail(err)
	}
	tr, err := e.transport(cfg.Mail)
	if err != nil {
		fmt.Fprintln(e.stderr, "leads draft: not sent:", safetext.Clean(err.Error()))
		return exitFailed
	}
	if !yes {
		if !isTerminal(e.stdin) {
			fmt.Fprintln(e.stderr, "leads draft: --send asks before it sends, and there is no terminal to ask on: add --yes to send from a script")
			return exitUsage
		}
		to := d.To
		if d.ToName != "" {
			to = safetext.Clean(d.ToName) + " <" + d.To + ">"
		}
		from := sender.Email
		if sender.Name != "" {
			from = safetext.Clean(sender.Name) + " <" + sender.Email + ">"
		}
		fmt.Fprintf(e.stderr, "From:    %s\nTo:      %s\nSubject: %s\nVia:     %s\nSend this message now? [y/N] ",
			from, to, safetext.Clean(d.Subject), tr.String())
		line, _ := bufio.NewReader(e.stdin).ReadString('\n')
		if a := strings.TrimSpace(line); !strings.EqualFold(a, "y") && !strings.EqualFold(a, "yes") {
			fmt.Fprintln(e.stderr, "not sent")
			return exitOK
		}
	}
	// The database is opened for writing before the message goes out: if
	// another leads holds it, nothing is sent that could not be logged.
	s, ok := e.open(false)
	if !ok {
		fmt.Fprintln(e.stderr, "leads draft: not sent (the database is needed to log it)")
		return exitFailed
	}
	defer s.Close()
	// The guards again, on the contact as stored now: the database was
	// closed while the question waited, and a mail scan may have found
	// the address bouncing, or another command closed or forgot it.
	now, err := s.Contact(ct.ID)
	if err != nil {
		fmt.Fprintln(e.stderr, "leads draft: not sent:", safetext.Clean(err.Error()))
		return exitFailed
	}
	if err := draft.Check(now, force); err != nil {
		msg := strings.Replace(err.Error(), "confirm to draft anyway", "add --force to send anyway", 1)
		fmt.Fprintln(e.stderr, "leads draft: not sent:", safetext.Clean(msg))
		return exitRefused
	}
	timeout := e.sendTimeout
	if timeout <= 0 {
		timeout = defaultSendTimeout
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	serr := tr.Send(ctx, c.Env, c.Bytes)
	if !mailsend.Sent(serr) {
		fmt.Fprintln(e.stderr, "leads draft: not sent:", safetext.Clean(serr.Error()))
		return exitFailed
	}
	cad := e.cadenceFor(ct.LatestAction)
	t, err := s.LogSent(ct.ID, e.now(), cad, c.MessageID, c.Subject)
	if err != nil {
		fmt.Fprintf(e.stderr, "leads draft: sent to %s, but the touch was not logged (%s): log it with t in the inbox\n", d.To, safetext.Clean(err.Error()))
		return exitFailed
	}
	msg := fmt.Sprintf("sent to %s via %s; logged touch %d of %d", d.To, tr.String(), t.Touches, cad.Total())
	switch {
	case t.Status.Closed():
		msg += " (the contact is " + string(t.Status) + ": nothing scheduled)"
	case !t.NextFollowUp.IsZero():
		msg += "; next follow-up " + t.NextFollowUp.Local().Format("Mon 2 Jan 2006")
	case !t.RepliedAt.IsZero():
		msg += "; they replied before, so no follow-up is scheduled"
	default:
		msg += "; the cadence is done"
	}
	fmt.Fprintln(e.stderr, msg)
	var ce *mailsend.CopyError
	if errors.As(serr, &ce) {
		fmt.Fprintln(e.stderr, "leads draft:", safetext.Clean(ce.Error()))
	}
	return exitOK
}
