package send_test

import (
	"bytes"
	"context"
	"errors"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/leads-inbox/leads/tui/config"
	"github.com/leads-inbox/leads/tui/draft"
	"github.com/leads-inbox/leads/tui/draft/send"
	"github.com/leads-inbox/leads/tui/draft/send/smtptest"
)

const password = "pw-Zq81-never-shown"

var sender = draft.Sender{Name: "Ana Ruiz", Email: "ana@contoso.example"}

func composed(t *testing.T) send.Composed {
	t.Helper()
	d := draft.Draft{To: "mei.lin@northwind.example", ToName: "Mei Lin", Subject: "Getting started",
		Body: "Hi Mei,\n.\nA line of one dot, and ünïcode.\n"}
	c, err := send.Compose(d, sender, time.Date(2026, 11, 10, 9, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// passwordCmd is a password command printing password.
func passwordCmd(t *testing.T) []string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(p, []byte("#!/bin/sh\nprintf '%s\\n' '"+password+"'\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	return []string{p}
}

func oneLine(t *testing.T, err error) string {
	t.Helper()
	if err == nil {
		t.Fatal("no error")
	}
	s := err.Error()
	if strings.ContainsAny(s, "\r\n") || strings.Contains(s, password) {
		t.Errorf("not one clean line without the password: %q", s)
	}
	return s
}

// TestSMTPDeliversExactBytes submits to a real SMTP server in each
// security mode, with and without AUTH PLAIN: the server receives exactly
// the composed bytes, from the sender, to the one checked recipient.
func TestSMTPDeliversExactBytes(t *testing.T) {
	for _, sec := range []string{"none", "starttls", "tls"} {
		for _, auth := range []bool{false, true} {
			name := sec
			if auth {
				name += "+auth"
			}
			t.Run(name, func(t *testing.T) {
				opt := smtptest.Options{Security: sec}
				tr := &send.SMTP{Security: sec, Timeout: 10 * time.Second}
				if auth {
					opt.User, opt.Password = "ana", password
					tr.User, tr.PasswordArgs = "ana", passwordCmd(t)
				}
				srv := smtptest.Start(t, opt)
				tr.Host, tr.Port, tr.RootCAs = srv.Host, srv.Port, srv.Roots
				c := composed(t)
				if err := tr.Send(context.Background(), c.Env, c.Bytes); err != nil {
					t.Fatal(err)
				}
				got := srv.Messages()
				if len(got) != 1 || !bytes.Equal(got[0].Data, c.Bytes) || got[0].From != "ana@contoso.example" ||
					len(got[0].To) != 1 || got[0].To[0] != "mei.lin@northwind.example" || (auth && got[0].User != "ana") {
					t.Fatalf("server got %+v\nwant %q", got, c.Bytes)
				}
			})
		}
	}
}

// TestSMTPFailuresSayWhyInOneLine: a refusal, a closed port, a stalled
// server, a wrong password, an untrusted certificate and a failing
// password command each give one line without the password, and the
// server keeps nothing.
func TestSMTPFailuresSayWhyInOneLine(t *testing.T) {
	c := composed(t)
	ctx := context.Background()

	srv := smtptest.Start(t, smtptest.Options{Security: "none", RejectData: true})
	err := (&send.SMTP{Host: srv.Host, Port: srv.Port, Security: "none"}).Send(ctx, c.Env, c.Bytes)
	if s := oneLine(t, err); !strings.Contains(s, "550") || !strings.Contains(s, "Relaying denied") {
		t.Errorf("550: %q", s)
	}

	err = (&send.SMTP{Host: "127.0.0.1", Port: smtptest.ClosedPort(t), Security: "none"}).Send(ctx, c.Env, c.Bytes)
	if s := oneLine(t, err); !strings.Contains(s, "cannot connect") {
		t.Errorf("closed port: %q", s)
	}

	for _, sec := range []string{"none", "starttls", "tls"} {
		port := smtptest.Stalled(t)
		done := make(chan error, 1)
		go func() {
			done <- (&send.SMTP{Host: "127.0.0.1", Port: port, Security: sec, Timeout: 300 * time.Millisecond}).Send(ctx, c.Env, c.Bytes)
		}()
		select {
		case err := <-done:
			if s := oneLine(t, err); !strings.Contains(s, "stopped answering") {
				t.Errorf("stalled (%s): %q", sec, s)
			}
		case <-time.After(time.Minute):
			t.Fatalf("a stalled server (%s) held the send", sec)
		}
	}
	// The context bounds the whole send too.
	port := smtptest.Stalled(t)
	cctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	err = (&send.SMTP{Host: "127.0.0.1", Port: port, Security: "none"}).Send(cctx, c.Env, c.Bytes)
	if s := oneLine(t, err); !strings.Contains(s, "stopped answering") {
		t.Errorf("stalled, context: %q", s)
	}

	auth := smtptest.Start(t, smtptest.Options{Security: "starttls", User: "ana", Password: "another"})
	err = (&send.SMTP{Host: auth.Host, Port: auth.Port, Security: "starttls", RootCAs: auth.Roots, User: "ana", PasswordArgs: passwordCmd(t)}).Send(ctx, c.Env, c.Bytes)
	if s := oneLine(t, err); !strings.Contains(s, "refused the login") || !strings.Contains(s, "535") {
		t.Errorf("wrong password: %q", s)
	}
	err = (&send.SMTP{Host: auth.Host, Port: auth.Port, Security: "starttls", User: "ana", PasswordArgs: passwordCmd(t)}).Send(ctx, c.Env, c.Bytes)
	if s := oneLine(t, err); !strings.Contains(s, "not signed by an authority") {
		t.Errorf("untrusted certificate: %q", s)
	}
	failing := filepath.Join(t.TempDir(), "pw-fail")
	os.WriteFile(failing, []byte("#!/bin/sh\necho '"+password+"'\necho 'gpg: decryption failed: No secret key "+password+"' >&2\necho second >&2\nexit 2\n"), 0o700)
	err = (&send.SMTP{Host: auth.Host, Port: auth.Port, Security: "starttls", RootCAs: auth.Roots, User: "ana", PasswordArgs: []string{failing}}).Send(ctx, c.Env, c.Bytes)
	if s := oneLine(t, err); !strings.Contains(s, "decryption failed") || !strings.Contains(s, "exit status 2") {
		t.Errorf("failing password command: %q", s)
	}
	if n := len(srv.Messages()) + len(auth.Messages()); n != 0 {
		t.Errorf("servers kept %d messages", n)
	}
}

// recorder is a sendmail-compatible script that saves its arguments and
// its standard input, or fails like msmtp with an unknown account.
func recorder(t *testing.T, fail bool) (path, dir string) {
	t.Helper()
	dir = t.TempDir()
	path = filepath.Join(dir, "sendmail")
	script := "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done > \"" + dir + "/argv\"\ncat > \"" + dir + "/stdin\"\n"
	if fail {
		script += "echo 'msmtp: account work not found: \x1b[31mno configuration file available' >&2\necho 'second line' >&2\nexit 78\n"
	}
	if err := os.WriteFile(path, []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	return path, dir
}

// TestSendmailGetsExactBytes: the command gets the composed bytes on its
// standard input, its own arguments, -i, and the checked recipient after
// "--"; a command that fails gives its first error line, cleaned.
func TestSendmailGetsExactBytes(t *testing.T) {
	c := composed(t)
	path, dir := recorder(t, false)
	tr, err := send.FromConfig(config.Mail{Sendmail: "'" + path + "' -a work"})
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.Send(context.Background(), c.Env, c.Bytes); err != nil {
		t.Fatal(err)
	}
	argv, _ := os.ReadFile(filepath.Join(dir, "argv"))
	stdin, _ := os.ReadFile(filepath.Join(dir, "stdin"))
	if string(argv) != "-a\nwork\n-i\n--\nmei.lin@northwind.example\n" || !bytes.Equal(stdin, c.Bytes) {
		t.Fatalf("argv %q\nstdin %q", argv, stdin)
	}

	path, _ = recorder(t, true)
	err = (&send.Sendmail{Args: []string{path}}).Send(context.Background(), c.Env, c.Bytes)
	if s := oneLine(t, err); !strings.Contains(s, "exit status 78") || !strings.Contains(s, "account work not found") ||
		strings.Contains(s, "\x1b") || strings.Contains(s, "second line") {
		t.Errorf("failing command: %q", s)
	}
	err = (&send.Sendmail{Args: []string{filepath.Join(dir, "no-such-command")}}).Send(context.Background(), c.Env, c.Bytes)
	if s := oneLine(t, err); !strings.Contains(s, "cannot run") {
		t.Errorf("missing command: %q", s)
	}
}

// TestHostileHeadersCannotAddHeaders: a display name or subject carrying
// CR/LF (a lead's data, or a template's) adds no header, and the envelope
// is the checked address alone; an envelope with a bad address is refused
// before any command runs.
func TestHostileHeadersCannotAddHeaders(t *testing.T) {
	d := draft.Draft{To: "eve@x.example", ToName: "Eve\r\nBcc: spy@evil.example", Subject: "Hi\r\nBcc: spy2@evil.example\nX-Evil: 1",
		Body: "Body\r\nBcc: spy3@evil.example\n"}
	c, err := send.Compose(d, sender, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	m, err := mail.ReadMessage(bytes.NewReader(c.Bytes))
	if err != nil {
		t.Fatal(err)
	}
	if m.Header.Get("Bcc") != "" || m.Header.Get("X-Evil") != "" || len(c.Env.To) != 1 || c.Env.To[0] != "eve@x.example" {
		t.Fatalf("headers %v, envelope %v", m.Header, c.Env)
	}
	path, dir := recorder(t, false)
	for _, bad := range []string{"eve@x.example\r\nBcc: spy@evil.example", "a@b.example, c@d.example", "<a@b.example>"} {
		err := (&send.Sendmail{Args: []string{path}}).Send(context.Background(), send.Envelope{From: sender.Email, To: []string{bad}}, c.Bytes)
		oneLine(t, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "argv")); !errors.Is(err, os.ErrNotExist) {
		t.Error("the command ran for a bad envelope")
	}
}

// TestFromConfigSaysWhatIsMissing: each incomplete [mail] gives one line
// naming the setting.
func TestFromConfigSaysWhatIsMissing(t *testing.T) {
	for _, tc := range []struct {
		m    config.Mail
		want string
	}{
		{config.Mail{}, "not set up"},
		{config.Mail{Sendmail: "msmtp 'unclosed"}, "[mail] sendmail"},
		{config.Mail{SMTPHost: "smtp.example.com", SMTPUser: "ana"}, "password_command"},
		{config.Mail{SMTPHost: "smtp.example.com", PasswordCommand: "pass show x"}, "smtp_user"},
		{config.Mail{SMTPHost: "smtp.example.com", SMTPSecurity: "none"}, "only allowed to a server on this machine"},
		{config.Mail{SMTPHost: "smtp.example.com:587"}, "smtp_port"},
	} {
		_, err := send.FromConfig(tc.m)
		if s := oneLine(t, err); !strings.Contains(s, tc.want) {
			t.Errorf("%+v: %q, want %q", tc.m, s, tc.want)
		}
	}
	tr, err := send.FromConfig(config.Mail{SMTPHost: "smtp.example.com", SMTPUser: "ana", PasswordCommand: "pass show mail/work"})
	if err != nil || tr.String() != "SMTP smtp.example.com:587 (STARTTLS) as ana" {
		t.Errorf("default: %v %v", tr, err)
	}
	tr, err = send.FromConfig(config.Mail{SMTPHost: "localhost", SMTPSecurity: "none", SMTPPort: 2525})
	if err != nil || tr.String() != "SMTP localhost:2525 (unencrypted)" {
		t.Errorf("loopback: %v %v", tr, err)
	}
}

// TestSentCopyOnlyAfterAccepted: with sent_maildir, an accepted message is
// kept in cur/ with the S flag (the folder made, mode 700); a refused one
// leaves no copy.
func TestSentCopyOnlyAfterAccepted(t *testing.T) {
	c := composed(t)
	sent := filepath.Join(t.TempDir(), "Mail", "Sent")
	path, _ := recorder(t, false)
	tr, err := send.FromConfig(config.Mail{Sendmail: path, SentMaildir: sent})
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.Send(context.Background(), c.Env, c.Bytes); err != nil {
		t.Fatal(err)
	}
	cur, _ := filepath.Glob(filepath.Join(sent, "cur", "*:2,S"))
	tmp, _ := os.ReadDir(filepath.Join(sent, "tmp"))
	if len(cur) != 1 || len(tmp) != 0 {
		t.Fatalf("cur %v, tmp %v", cur, tmp)
	}
	if b, _ := os.ReadFile(cur[0]); !bytes.Equal(b, c.Bytes) {
		t.Errorf("copy differs")
	}
	for _, sub := range []string{"", "tmp", "new", "cur"} {
		if fi, err := os.Stat(filepath.Join(sent, sub)); err != nil || fi.Mode().Perm() != 0o700 {
			t.Errorf("%s: %v %v", sub, fi.Mode(), err)
		}
	}

	failing, _ := recorder(t, true)
	refused := filepath.Join(t.TempDir(), "Sent")
	tr, _ = send.FromConfig(config.Mail{Sendmail: failing, SentMaildir: refused})
	if err := tr.Send(context.Background(), c.Env, c.Bytes); err == nil || send.Sent(err) {
		t.Fatalf("refused send: %v", err)
	}
	if _, err := os.Stat(refused); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a refused message left a copy: %v", err)
	}

	// A copy that cannot be kept does not unsend the message.
	blocked := filepath.Join(t.TempDir(), "file")
	os.WriteFile(blocked, nil, 0o600)
	tr, _ = send.FromConfig(config.Mail{Sendmail: path, SentMaildir: filepath.Join(blocked, "Sent")})
	err = tr.Send(context.Background(), c.Env, c.Bytes)
	if err == nil || !send.Sent(err) {
		t.Errorf("copy failure: %v", err)
	}
}

// TestCommandErrorLineIsShort: a sendmail command (or a password
// command) that fails after printing megabytes on one line gives a line
// a person can read, not the first 16 KB of it.
func TestCommandErrorLineIsShort(t *testing.T) {
	c := composed(t)
	dir := t.TempDir()
	sm := filepath.Join(dir, "sm")
	if err := os.WriteFile(sm, []byte("#!/bin/sh\ncat >/dev/null\nhead -c 3000000 /dev/zero | tr '\\0' x >&2\nexit 3\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	err := (&send.Sendmail{Args: []string{sm}}).Send(context.Background(), c.Env, c.Bytes)
	if s := oneLine(t, err); len(s) > 600 || !strings.Contains(s, "exit status 3") || !strings.Contains(s, "xxx") {
		t.Errorf("%d bytes: %.200q", len(s), s)
	}
	pw := filepath.Join(dir, "pw")
	if err := os.WriteFile(pw, []byte("#!/bin/sh\nhead -c 3000000 /dev/zero | tr '\\0' y >&2\nexit 1\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	err = (&send.SMTP{Host: "127.0.0.1", Port: 1, Security: "none", User: "u", PasswordArgs: []string{pw}}).Send(context.Background(), c.Env, c.Bytes)
	if s := oneLine(t, err); len(s) > 600 || !strings.Contains(s, "password_command") {
		t.Errorf("%d bytes: %.200q", len(s), s)
	}
}
