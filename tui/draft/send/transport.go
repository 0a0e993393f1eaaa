package send

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/leads-inbox/leads/store/safetext"
	"github.com/leads-inbox/leads/tui/config"
	"github.com/leads-inbox/leads/tui/draft"
)

// ErrNotSetUp says the config has no way to send: neither sendmail nor
// smtp_host in [mail].
var ErrNotSetUp = errors.New("sending is not set up: add sendmail = \"msmtp -a work\" or smtp_host to the [mail] section of the config (leads config)")

// FromConfig returns the transport the [mail] section sets up, wrapped to
// keep a copy of each sent message in sent_maildir when that is set. The
// error says in one line what is missing or wrong (ErrNotSetUp when
// nothing is set up). Nothing is run or dialled here: the password
// command runs at each send.
func FromConfig(m config.Mail) (Transport, error) {
	var t Transport
	switch {
	case m.Sendmail != "":
		args, err := draft.SplitArgs(m.Sendmail)
		if err != nil {
			return nil, fmt.Errorf("[mail] sendmail: %v: write the command as you would type it, e.g. \"msmtp -a work\"", err)
		}
		t = &Sendmail{Args: args}
	case m.SMTPHost != "":
		s, err := smtpFromConfig(m)
		if err != nil {
			return nil, err
		}
		t = s
	default:
		return nil, ErrNotSetUp
	}
	if m.SentMaildir != "" {
		t = &Copying{Transport: t, Dir: m.SentMaildir}
	}
	return t, nil
}

func smtpFromConfig(m config.Mail) (*SMTP, error) {
	s := &SMTP{Host: m.SMTPHost, Port: m.SMTPPort, Security: m.SMTPSecurity, User: m.SMTPUser}
	if s.Security == "" {
		s.Security = "starttls"
	}
	if s.Port == 0 {
		switch s.Security {
		case "tls":
			s.Port = 465
		case "none":
			s.Port = 25
		default:
			s.Port = 587
		}
	}
	if strings.ContainsAny(s.Host, " /@:") && net.ParseIP(s.Host) == nil {
		return nil, fmt.Errorf("[mail] smtp_host %q is not a host name: give the name alone, e.g. \"smtp.example.com\", and the port as smtp_port", safetext.Clean(s.Host))
	}
	if s.Security == "none" && !isLoopback(s.Host) {
		return nil, fmt.Errorf("[mail] smtp_security = \"none\" would send the message and password unencrypted, so it is only allowed to a server on this machine (localhost): use \"starttls\" or \"tls\" for %s", safetext.Clean(s.Host))
	}
	switch {
	case m.SMTPUser != "" && m.PasswordCommand == "":
		return nil, errors.New("[mail] smtp_user is set but password_command is not: add the command that prints the password, e.g. password_command = \"pass show mail/work\"")
	case m.SMTPUser == "" && m.PasswordCommand != "":
		return nil, errors.New("[mail] password_command is set but smtp_user is not: add the user name the server knows you by")
	}
	if m.PasswordCommand != "" {
		// Through the shell, as 'leads mail' runs it for IMAP: one
		// password_command serves both, so "gpg -d ~/.pw.gpg | head -1"
		// must work for both.
		s.PasswordArgs = []string{"/bin/sh", "-c", m.PasswordCommand}
	}
	return s, nil
}

// isLoopback reports whether host is this machine: "localhost" or a
// loopback address. The name is not resolved: a DNS answer must not be
// able to send a password in clear to another machine.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

// stderrCap bounds what is kept of a command's error output: its first
// line is all that is shown.
const stderrCap = 16 << 10

// capWriter keeps the first n bytes written to it and drops the rest,
// so a chatty command cannot fill memory.
type capWriter struct {
	b bytes.Buffer
	n int
}

func (w *capWriter) Write(p []byte) (int, error) {
	if room := w.n - w.b.Len(); room > 0 {
		w.b.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

// maxReason caps the part of a command's error output quoted in an
// error: a line a person reads, not the megabyte a broken command wrote.
const maxReason = 300

// firstLine is the first non-blank line of b, cleaned for the terminal
// and cut to maxReason bytes on a character boundary.
func firstLine(b []byte) string {
	for _, l := range strings.Split(string(b), "\n") {
		if l = safetext.Clean(strings.TrimSpace(l)); l != "" {
			if len(l) > maxReason {
				i := maxReason
				for i > 0 && !utf8.RuneStart(l[i]) {
					i--
				}
				l = l[:i] + "…"
			}
			return l
		}
	}
	return ""
}

// Sendmail hands the message to a sendmail-compatible command (msmtp,
// sendmail, a mail program's own): the message on its standard input,
// "-i" so a line of one dot does not end it, and the recipient as an
// argument after "--", so the envelope holds the checked address and
// nothing a header could add. Exit status 0 means the command accepted it.
type Sendmail struct {
	// Args is the command and its own arguments (from [mail] sendmail).
	Args []string
}

// Send runs the command once for msg.
func (s *Sendmail) Send(ctx context.Context, env Envelope, msg []byte) error {
	if len(s.Args) == 0 {
		return ErrNotSetUp
	}
	if err := checkEnvelope(env); err != nil {
		return err
	}
	argv := append(append(append([]string(nil), s.Args[1:]...), "-i", "--"), env.To...)
	cmd := exec.CommandContext(ctx, s.Args[0], argv...)
	cmd.Stdin = bytes.NewReader(msg)
	errOut := &capWriter{n: stderrCap}
	cmd.Stdout, cmd.Stderr = io.Discard, errOut
	// A command that leaves a child holding its output open must not
	// hold the send once the command itself is gone or killed.
	cmd.WaitDelay = 2 * time.Second
	err := cmd.Run()
	if err == nil || exitedZero(err) {
		return nil
	}
	name := safetext.Clean(s.Args[0])
	if ctx.Err() != nil {
		return fmt.Errorf("%s did not finish in time and was stopped; check that it can reach your mail server", name)
	}
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		why := firstLine(errOut.b.Bytes())
		if why == "" {
			why = "it printed no reason"
		}
		return fmt.Errorf("%s failed (%s): %s", name, exit.ProcessState.String(), why)
	}
	return fmt.Errorf("cannot run %s: %s: check [mail] sendmail in the config", name, safetext.Clean(cause(err)))
}

// String names the command, for the confirmation.
func (s *Sendmail) String() string { return safetext.Clean(strings.Join(s.Args, " ")) }

// checkEnvelope refuses an envelope that is not one checked sender and at
// least one checked recipient: the transports put these on a command line
// or an SMTP command, where a line break or a second address must never
// come from a lead's data.
func checkEnvelope(env Envelope) error {
	if err := draft.ValidAddress(env.From); err != nil {
		return fmt.Errorf("sender: %w", err)
	}
	if len(env.To) == 0 {
		return errors.New("no recipient")
	}
	for _, to := range env.To {
		if err := draft.ValidAddress(to); err != nil {
			return err
		}
	}
	return nil
}

// SMTP submits the message to the rep's mail server, as a mail program
// does: STARTTLS (port 587) or implicit TLS (465), or no encryption to a
// server on this machine only, and AUTH PLAIN with the password that the
// password command prints at each send. The password is never kept.
type SMTP struct {
	Host     string
	Port     int
	Security string // "starttls", "tls" or "none"
	User     string
	// PasswordArgs is the command that prints the password on its first
	// line (from [mail] password_command); nil means no login.
	PasswordArgs []string
	// RootCAs are the certificate authorities trusted for the server;
	// nil means the system's.
	RootCAs *x509.CertPool
	// Timeout bounds the connection and each exchange with the server;
	// 0 means one minute. The context passed to Send bounds the whole.
	Timeout time.Duration
}

// String names the server and how it is reached, for the confirmation.
func (s *SMTP) String() string {
	how := map[string]string{"starttls": "STARTTLS", "tls": "TLS", "none": "unencrypted"}[s.Security]
	str := fmt.Sprintf("SMTP %s (%s)", net.JoinHostPort(s.Host, strconv.Itoa(s.Port)), how)
	if s.User != "" {
		str += " as " + s.User
	}
	return safetext.Clean(str)
}

// Send submits msg once. The error says at which step it failed, with
// the server's answer, and never holds the password.
func (s *SMTP) Send(ctx context.Context, env Envelope, msg []byte) error {
	if err := checkEnvelope(env); err != nil {
		return err
	}
	var secret []string
	err := s.send(ctx, env, msg, &secret)
	if err == nil {
		return nil
	}
	// The password must not reach a screen or a log, even should a
	// server or a library quote it back.
	text := err.Error()
	for _, p := range secret {
		if p != "" {
			text = strings.ReplaceAll(text, p, "…")
		}
	}
	return errors.New(safetext.Clean(text))
}

func (s *SMTP) send(ctx context.Context, env Envelope, msg []byte, secret *[]string) error {
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = time.Minute
	}
	addr := net.JoinHostPort(s.Host, strconv.Itoa(s.Port))
	server := "the mail server " + addr

	// The password first: a command that fails (a locked keyring) then
	// costs no connection, and a server never waits on the rep.
	var password string
	if s.User != "" {
		p, err := runPasswordCommand(ctx, s.PasswordArgs)
		if err != nil {
			return err
		}
		password = p
		*secret = []string{p,
			base64.StdEncoding.EncodeToString([]byte("\x00" + s.User + "\x00" + p)),
			base64.StdEncoding.EncodeToString([]byte(p))}
	}

	d := net.Dialer{Timeout: timeout}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("%s did not answer in time: check smtp_host and smtp_port", server)
		}
		return fmt.Errorf("cannot connect to %s: %s: check smtp_host and smtp_port", server, netReason(err))
	}
	// The context bounds everything after the dial too: closing the
	// connection ends any read or write that waits on a stalled server.
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	defer conn.Close()
	timedOut := func(err error) bool {
		var ne net.Error
		return ctx.Err() != nil || (errors.As(err, &ne) && ne.Timeout())
	}
	stalled := func(step string) error {
		return fmt.Errorf("%s stopped answering during %s: try again later, or check smtp_port and smtp_security", server, step)
	}

	tlsConf := &tls.Config{ServerName: strings.Trim(s.Host, "[]"), RootCAs: s.RootCAs, MinVersion: tls.VersionTLS12}
	var c *smtp.Client
	switch s.Security {
	case "tls":
		tc := tls.Client(conn, tlsConf)
		hctx, cancel := context.WithTimeout(ctx, timeout)
		err := tc.HandshakeContext(hctx)
		cancel()
		if err != nil {
			if timedOut(err) {
				return stalled("the TLS handshake")
			}
			return fmt.Errorf("no secure connection to %s: %s: check smtp_port (465 for tls) and smtp_security", server, tlsReason(err))
		}
		c = smtp.NewClient(tc)
	case "starttls":
		// The greeting and STARTTLS run inside the library before its
		// command timeout can be set: bound them here.
		gctx, cancel := context.WithTimeout(ctx, timeout)
		stopG := context.AfterFunc(gctx, func() { conn.Close() })
		c, err = smtp.NewClientStartTLS(conn, tlsConf)
		stopG()
		late := gctx.Err() != nil
		cancel()
		if err != nil {
			if late || timedOut(err) {
				return stalled("the greeting and STARTTLS")
			}
			return fmt.Errorf("no secure connection to %s: %s: check smtp_port (587 for starttls) and smtp_security", server, tlsReason(err))
		}
	default:
		c = smtp.NewClient(conn)
	}
	defer c.Close()
	c.CommandTimeout, c.SubmissionTimeout = timeout, 2*timeout
	if err := c.Hello("localhost"); err != nil {
		if timedOut(err) {
			return stalled("the greeting")
		}
		var cv *tls.CertificateVerificationError
		if errors.As(err, &cv) {
			// With STARTTLS the handshake runs at the first command.
			return fmt.Errorf("no secure connection to %s: %s: check smtp_host and smtp_security", server, tlsReason(err))
		}
		return fmt.Errorf("%s refused the greeting: %s", server, smtpReason(err))
	}
	if s.User != "" {
		if err := c.Auth(sasl.NewPlainClient("", s.User, password)); err != nil {
			if timedOut(err) {
				return stalled("the login")
			}
			return fmt.Errorf("%s refused the login as %s: %s: check smtp_user and password_command", server, s.User, smtpReason(err))
		}
	}
	if err := c.SendMail(env.From, env.To, bytes.NewReader(msg)); err != nil {
		if timedOut(err) {
			return stalled("the sending")
		}
		return fmt.Errorf("%s did not take the message: %s", server, smtpReason(err))
	}
	// Accepted: the answer to QUIT changes nothing.
	_ = c.Quit()
	return nil
}

// smtpReason is the server's answer (code and text), or the error.
func smtpReason(err error) string {
	var se *smtp.SMTPError
	if errors.As(err, &se) {
		msg := strings.Join(strings.Fields(se.Message), " ")
		if se.EnhancedCode != (smtp.EnhancedCode{}) && se.EnhancedCode != smtp.NoEnhancedCode {
			return fmt.Sprintf("%d %d.%d.%d %s", se.Code, se.EnhancedCode[0], se.EnhancedCode[1], se.EnhancedCode[2], msg)
		}
		return fmt.Sprintf("%d %s", se.Code, msg)
	}
	return strings.TrimPrefix(err.Error(), "smtp: ")
}

// netReason is the last part of a dial error ("connection refused").
func netReason(err error) string {
	var op *net.OpError
	if errors.As(err, &op) && op.Err != nil {
		return op.Err.Error()
	}
	return err.Error()
}

// tlsReason names what is wrong with the server's certificate, or the
// protocol error, in a few words.
func tlsReason(err error) string {
	var unknown x509.UnknownAuthorityError
	var host x509.HostnameError
	var inval x509.CertificateInvalidError
	switch {
	case errors.As(err, &unknown):
		return "its certificate is not signed by an authority this machine trusts"
	case errors.As(err, &host):
		return "its certificate is for another host name"
	case errors.As(err, &inval):
		return "its certificate is not valid (" + inval.Error() + ")"
	}
	return strings.TrimPrefix(err.Error(), "smtp: ")
}

// passwordTimeout bounds the password command: a keyring that asks
// for a passphrase nobody can type must not hold the send forever.
const passwordTimeout = time.Minute

// runPasswordCommand runs the password command and returns the first line
// it printed. The output is never put into an error: a failure says only
// the command's exit and the first line it wrote to its error output.
func runPasswordCommand(ctx context.Context, args []string) (string, error) {
	if len(args) == 0 {
		return "", errors.New("[mail] password_command is not set")
	}
	ctx, cancel := context.WithTimeout(ctx, passwordTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	out := &capWriter{n: 64 << 10}
	errOut := &capWriter{n: stderrCap}
	cmd.Stdout, cmd.Stderr = out, errOut
	cmd.WaitDelay = 2 * time.Second
	err := cmd.Run()
	if exitedZero(err) {
		err = nil
	}
	name := args[0]
	if len(args) == 3 && args[1] == "-c" {
		// A shell command line: name its first word, not the shell.
		if f := strings.Fields(args[2]); len(f) > 0 {
			name = f[0]
		}
	}
	name = safetext.Clean(name)
	pw := ""
	if sc := bufio.NewScanner(bytes.NewReader(out.b.Bytes())); sc.Scan() {
		pw = strings.TrimRight(sc.Text(), "\r")
	}
	if err != nil {
		// The password goes before the line is cut, so no part of it is
		// left at the cut.
		raw := errOut.b.Bytes()
		if pw != "" {
			raw = bytes.ReplaceAll(raw, []byte(pw), []byte("…"))
		}
		why := firstLine(raw)
		var exit *exec.ExitError
		switch {
		case ctx.Err() != nil:
			return "", fmt.Errorf("password_command (%s) did not finish in time", name)
		case errors.As(err, &exit) && why != "":
			return "", fmt.Errorf("password_command (%s) failed (%s): %s", name, exit.ProcessState.String(), why)
		case errors.As(err, &exit):
			return "", fmt.Errorf("password_command (%s) failed (%s)", name, exit.ProcessState.String())
		}
		return "", fmt.Errorf("cannot run password_command (%s): %s", name, safetext.Clean(cause(err)))
	}
	if pw == "" {
		return "", fmt.Errorf("password_command (%s) printed no password", name)
	}
	return pw, nil
}

// exitedZero reports a command that exited with status 0 but left a
// child holding its output open, which WaitDelay then closed: the command
// did its work (a sendmail wrapper took the message and queued it in the
// background), and reporting a failure would make the rep send it again.
func exitedZero(err error) bool {
	return errors.Is(err, exec.ErrWaitDelay)
}

// cause is the innermost reason of a failure to start a command ("no
// such file or directory").
func cause(err error) string {
	for {
		u := errors.Unwrap(err)
		if u == nil {
			return err.Error()
		}
		err = u
	}
}
