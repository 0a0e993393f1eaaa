package main

import (
	"bytes"
	"io"
	"net/mail"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/leads-inbox/leads/store"
	"github.com/leads-inbox/leads/tui/draft/send/smtptest"
)

const sendPassword = "pw-K7q2-never-printed"

// sendSetup is draftDB with a [mail] section (mailTOML) in the config,
// and SSL_CERT_FILE pointing at certPEM when given.
func sendSetup(t *testing.T, mailTOML string, certPEM []byte) (db string, getenv func(string) string) {
	t.Helper()
	db, base := draftDB(t)
	cfg := filepath.Join(base("XDG_CONFIG_HOME"), "leads", "config.toml")
	if err := os.WriteFile(cfg, []byte("[sender]\nname = \"Ana Ruiz\"\nemail = \"ana@contoso.example\"\n\n[mail]\n"+mailTOML), 0o600); err != nil {
		t.Fatal(err)
	}
	certFile := ""
	if certPEM != nil {
		certFile = filepath.Join(t.TempDir(), "ca.pem")
		if err := os.WriteFile(certFile, certPEM, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return db, func(k string) string {
		if k == "SSL_CERT_FILE" {
			return certFile
		}
		return base(k)
	}
}

// sendCLI runs leads draft with a send timeout short enough for the
// stalled server.
func sendCLI(t *testing.T, db string, getenv func(string) string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: getenv, sendTimeout: 2 * time.Second,
		now: func() time.Time { return time.Date(2026, 11, 10, 9, 0, 0, 0, time.UTC) }}
	code := run(e, append([]string{"--db", db, "draft"}, args...))
	return code, out.String(), errb.String()
}

// passwordScript prints sendPassword, as 'pass show' would.
func passwordScript(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "pass")
	if err := os.WriteFile(p, []byte("#!/bin/sh\nprintf '%s\\n' '"+sendPassword+"'\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	return p
}

var messageIDLine = regexp.MustCompile(`(?m)^Message-ID: <([^>]+)>\r$`)

// sameButMessageID compares a sent message with the dry run's: the time
// is frozen, so only the Message-ID (new for every message) may differ.
// It returns the sent message's ID.
func sameButMessageID(t *testing.T, dry, sent []byte) string {
	t.Helper()
	m := messageIDLine.FindSubmatch(sent)
	if m == nil || !messageIDLine.Match(dry) {
		t.Fatalf("no Message-ID:\n%s", sent)
	}
	if a, b := messageIDLine.ReplaceAll(dry, []byte("Message-ID: <x>\r")), messageIDLine.ReplaceAll(sent, []byte("Message-ID: <x>\r")); !bytes.Equal(a, b) {
		t.Fatalf("sent bytes differ from the dry run:\n%q\n%q", a, b)
	}
	return string(m[1])
}

// loggedSent checks that ref's contact has exactly the touch of a sent
// message with messageID (or, with messageID "", nothing at all).
func loggedSent(t *testing.T, db, ref, messageID string) {
	t.Helper()
	s, err := store.Open(db, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c, err := s.Contact(ref)
	if err != nil {
		t.Fatal(err)
	}
	h, err := s.History(c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if messageID == "" {
		if c.Triage.Touches != 0 || !c.Triage.LastSentAt.IsZero() || len(h) != 0 {
			t.Fatalf("logged after a failed send: %+v %+v", c.Triage, h)
		}
		return
	}
	owner, err := s.ContactForMessageIDs([]string{messageID})
	if err != nil || owner != c.ID || c.Triage.Touches != 1 || c.Triage.LastSentAt.IsZero() || len(h) != 1 ||
		h[0].Kind != store.EventSent || h[0].MessageID != messageID {
		t.Fatalf("not logged as sent with %s: owner %q %v, %+v, %+v", messageID, owner, err, c.Triage, h)
	}
}

// TestDraftSendSMTP sends through a real SMTP server in each security
// mode, logging in with AUTH PLAIN: the server receives the dry run's
// bytes, from the sender to the contact's address only, and the touch is
// logged with the Message-ID; the password appears nowhere.
func TestDraftSendSMTP(t *testing.T) {
	for _, sec := range []string{"none", "starttls", "tls"} {
		t.Run(sec, func(t *testing.T) {
			srv := smtptest.Start(t, smtptest.Options{Security: sec, User: "ana", Password: sendPassword})
			db, getenv := sendSetup(t, "smtp_host = \"127.0.0.1\"\nsmtp_port = "+strconv.Itoa(srv.Port)+"\nsmtp_security = \""+sec+
				"\"\nsmtp_user = \"ana\"\npassword_command = \""+passwordScript(t)+"\"\n", srv.CertPEM)
			code, dry, errs := sendCLI(t, db, getenv, "mei.lin@northwind.example", "--send", "--dry-run")
			if code != 0 || !strings.Contains(errs, "nothing was sent") || len(srv.Messages()) != 0 {
				t.Fatalf("dry run: %d %q", code, errs)
			}
			loggedSent(t, db, "mei.lin@northwind.example", "")
			code, out, errs := sendCLI(t, db, getenv, "mei.lin@northwind.example", "--send", "--yes")
			if code != 0 || out != "" || !strings.Contains(errs, "sent to mei.lin@northwind.example via SMTP 127.0.0.1:") ||
				!strings.Contains(errs, "logged touch 1 of") {
				t.Fatalf("send: %d %q %q", code, out, errs)
			}
			if strings.Contains(errs+dry, sendPassword) {
				t.Fatal("the password was printed")
			}
			got := srv.Messages()
			if len(got) != 1 || got[0].User != "ana" || got[0].From != "ana@contoso.example" ||
				strings.Join(got[0].To, ",") != "mei.lin@northwind.example" {
				t.Fatalf("server got %+v", got)
			}
			id := sameButMessageID(t, []byte(dry), got[0].Data)
			loggedSent(t, db, "mei.lin@northwind.example", id)
		})
	}
}

// sendmailRecorder is a sendmail-compatible script that saves its
// arguments and standard input in dir.
func sendmailRecorder(t *testing.T) (path, dir string) {
	t.Helper()
	dir = t.TempDir()
	path = filepath.Join(dir, "sendmail")
	script := "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done > \"" + dir + "/argv\"\ncat > \"" + dir + "/stdin\"\n"
	if err := os.WriteFile(path, []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	return path, dir
}

// TestDraftSendSendmail: the recording command gets exactly the dry
// run's bytes (but the Message-ID), -i and the recipient after "--"; a
// hostile display name adds no header and no recipient; with
// sent_maildir, a copy is kept.
func TestDraftSendSendmail(t *testing.T) {
	path, dir := sendmailRecorder(t)
	sent := filepath.Join(t.TempDir(), "Sent")
	db, getenv := sendSetup(t, "sendmail = \"'"+path+"' -a work\"\nsent_maildir = \""+sent+"\"\n", nil)
	// A name with a line break and a header in it, as an export can carry.
	s, err := store.Open(db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Upsert([]store.Lead{{Action: "PLT", Created: time.Date(2026, 11, 9, 8, 0, 0, 0, time.UTC),
		Customer: store.Customer{FirstName: "Mallory\r\nBcc: spy@evil.example\r\n", LastName: "X", Email: "mallory@fabrikam.example",
			Company: "Fab\nCc: spy2@evil.example"}}}, store.UpsertOptions{}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	for _, ref := range []string{"mei.lin@northwind.example", "mallory@fabrikam.example"} {
		code, dry, errs := sendCLI(t, db, getenv, ref, "--send", "--dry-run")
		if code != 0 {
			t.Fatalf("dry run: %d %s", code, errs)
		}
		code, _, errs = sendCLI(t, db, getenv, ref, "--send", "--yes")
		if code != 0 || !strings.Contains(errs, "sent to "+ref+" via '"+path+"' -a work") && !strings.Contains(errs, "sent to "+ref+" via "+path+" -a work") {
			t.Fatalf("send: %d %q", code, errs)
		}
		argv, _ := os.ReadFile(filepath.Join(dir, "argv"))
		stdin, _ := os.ReadFile(filepath.Join(dir, "stdin"))
		if string(argv) != "-a\nwork\n-i\n--\n"+ref+"\n" {
			t.Fatalf("argv %q", argv)
		}
		id := sameButMessageID(t, []byte(dry), stdin)
		loggedSent(t, db, ref, id)
		m, err := mail.ReadMessage(bytes.NewReader(stdin))
		if err != nil || m.Header.Get("Bcc") != "" || m.Header.Get("Cc") != "" {
			t.Fatalf("headers: %v %v", m.Header, err)
		}
	}
	if cur, _ := filepath.Glob(filepath.Join(sent, "cur", "*:2,S")); len(cur) != 2 {
		t.Errorf("sent copies: %v", cur)
	}
	// Forgetting Mallory (typed in another case) removes the copy sent to
	// them, and only that one.
	var out, errb bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: getenv,
		now: func() time.Time { return time.Date(2026, 11, 10, 9, 0, 0, 0, time.UTC) }}
	if code := run(e, []string{"--db", db, "forget", "--yes", "MALLORY@Fabrikam.example"}); code != 0 || !strings.Contains(out.String(), "removed 1 message sent to them") {
		t.Fatalf("forget: %d %s %s", code, out.String(), errb.String())
	}
	cur, _ := filepath.Glob(filepath.Join(sent, "cur", "*:2,S"))
	if len(cur) != 1 {
		t.Fatalf("sent copies after forget: %v", cur)
	}
	if b, _ := os.ReadFile(cur[0]); bytes.Contains(bytes.ToLower(b), []byte("mallory")) {
		t.Fatalf("the copy left is Mallory's")
	}
}

// TestDraftSendFailuresLogNothing: a command that exits 1, a server that
// answers 550, a port nobody listens on and a server that accepts and
// never answers each give one line, exit non-zero and log nothing.
func TestDraftSendFailuresLogNothing(t *testing.T) {
	failing := filepath.Join(t.TempDir(), "sendmail")
	os.WriteFile(failing, []byte("#!/bin/sh\ncat >/dev/null\necho 'sendmail: fatal: no route to host' >&2\necho more >&2\nexit 1\n"), 0o700)
	rejecting := smtptest.Start(t, smtptest.Options{Security: "none", RejectData: true})
	for _, tc := range []struct{ name, mail, want string }{
		{"exit 1", "sendmail = \"" + failing + "\"\n", "no route to host"},
		{"550", "smtp_host = \"127.0.0.1\"\nsmtp_security = \"none\"\nsmtp_port = " + strconv.Itoa(rejecting.Port) + "\n", "550"},
		{"closed port", "smtp_host = \"127.0.0.1\"\nsmtp_security = \"none\"\nsmtp_port = " + strconv.Itoa(smtptest.ClosedPort(t)) + "\n", "cannot connect"},
		{"stalled", "smtp_host = \"127.0.0.1\"\nsmtp_security = \"starttls\"\nsmtp_user = \"ana\"\npassword_command = \"" + passwordScript(t) +
			"\"\nsmtp_port = " + strconv.Itoa(smtptest.Stalled(t)) + "\n", "stopped answering"},
		{"not set up", "", "not set up"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db, getenv := sendSetup(t, tc.mail, nil)
			code, out, errs := sendCLI(t, db, getenv, "mei.lin@northwind.example", "--send", "--yes")
			if code != exitFailed || out != "" || !strings.HasPrefix(errs, "leads draft: not sent: ") || strings.Count(errs, "\n") != 1 ||
				!strings.Contains(errs, tc.want) || strings.Contains(errs, sendPassword) {
				t.Fatalf("%d %q %q", code, out, errs)
			}
			loggedSent(t, db, "mei.lin@northwind.example", "")
		})
	}
	if len(rejecting.Messages()) != 0 {
		t.Error("the rejecting server kept a message")
	}
}

// TestDraftSendGuards: the draft guards hold for --send; a bouncing
// address is refused, naming how to clear it; without a terminal --send
// needs --yes; --send is not combined with other outputs.
func TestDraftSendGuards(t *testing.T) {
	path, dir := sendmailRecorder(t)
	db, getenv := sendSetup(t, "sendmail = \""+path+"\"\n", nil)
	for _, tc := range []struct {
		ref  string
		code int
		want string
	}{
		{"priya@adatum.example", exitRefused, "asked not to be contacted"},
		{"msft_test_6390@test.com", exitRefused, "test lead"},
		{store.ContactIDForEmail("eve@x.example\r\nBcc: spy@evil.example"), exitRefused, "not one valid address"},
	} {
		code, out, errs := sendCLI(t, db, getenv, tc.ref, "--send", "--yes")
		if code != tc.code || out != "" || !strings.Contains(errs, tc.want) {
			t.Errorf("%s: %d %q %q", tc.ref, code, out, errs)
		}
	}
	if code, _, errs := sendCLI(t, db, getenv, "mei.lin@northwind.example", "--send"); code != exitUsage || !strings.Contains(errs, "--yes") {
		t.Errorf("no terminal: %d %q", code, errs)
	}
	if code, _, _ := sendCLI(t, db, getenv, "mei.lin@northwind.example", "--send", "--stdout"); code != exitUsage {
		t.Errorf("--send --stdout: %d", code)
	}
	if code, _, _ := sendCLI(t, db, getenv, "mei.lin@northwind.example", "--yes"); code != exitUsage {
		t.Errorf("--yes alone: %d", code)
	}

	s, err := store.Open(db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	c, _ := s.Contact("mei.lin@northwind.example")
	if _, _, err := s.MarkBouncing(c.ID, time.Now(), "bounce-1@mx.example", "550 no such user"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	for _, args := range [][]string{{"--send", "--yes"}, {"--stdout"}} {
		code, out, errs := sendCLI(t, db, getenv, append([]string{"mei.lin@northwind.example"}, args...)...)
		if code != exitRefused || out != "" || !strings.Contains(errs, "bounced") || !strings.Contains(errs, "contact screen (B)") {
			t.Errorf("bouncing %v: %d %q %q", args, code, out, errs)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "argv")); err == nil {
		t.Error("a guarded contact was sent to")
	}

	// A closed contact needs --force, and its send is logged without a
	// follow-up.
	s, _ = store.Open(db, store.Options{})
	if _, err := s.ClearBouncing(c.ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetStatus(c.ID, store.StatusWon, "", time.Now()); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if code, _, errs := sendCLI(t, db, getenv, "mei.lin@northwind.example", "--send", "--yes"); code != exitRefused || !strings.Contains(errs, "--force") {
		t.Errorf("closed: %d %q", code, errs)
	}
	if code, _, errs := sendCLI(t, db, getenv, "mei.lin@northwind.example", "--send", "--yes", "--force"); code != 0 || !strings.Contains(errs, "nothing scheduled") {
		t.Errorf("closed --force: %d %q", code, errs)
	}
}

// TestDraftEditThenSend: --edit --send sends the message as the rep left
// it in the editor (subject and body changed) and logs that message's
// touch; an edit that breaks the draft's marker lines sends nothing, logs
// nothing and prints the rep's text so it is not lost.
func TestDraftEditThenSend(t *testing.T) {
	path, dir := sendmailRecorder(t)
	db, base := sendSetup(t, "sendmail = \"'"+path+"'\"\n", nil)
	editor := func(script string) func(string) string {
		p := filepath.Join(t.TempDir(), "editor")
		if err := os.WriteFile(p, []byte("#!/bin/sh\n"+script), 0o700); err != nil {
			t.Fatal(err)
		}
		return func(k string) string {
			if k == "EDITOR" {
				return p
			}
			if k == "VISUAL" {
				return ""
			}
			return base(k)
		}
	}
	broken := editor("sed -i '/end of message$/d' \"$1\"\n")
	code, out, errs := sendCLI(t, db, broken, "mei.lin@northwind.example", "--edit", "--send", "--yes")
	if code == 0 || !strings.Contains(errs, "cannot be used") || !strings.Contains(out, "To: ") {
		t.Fatalf("broken edit: %d %q %q", code, out, errs)
	}
	if _, err := os.Stat(filepath.Join(dir, "stdin")); err == nil {
		t.Fatal("a broken edit was sent")
	}
	loggedSent(t, db, "mei.lin@northwind.example", "")

	good := editor("sed -i -e 's/^Subject: .*/Subject: Walkthrough on Tuesday/' -e '/end of message$/i PS: Tuesday at 3 works for us.' \"$1\"\n")
	if code, _, errs := sendCLI(t, db, good, "mei.lin@northwind.example", "--edit", "--send", "--yes"); code != 0 {
		t.Fatalf("edit then send: %d %q", code, errs)
	}
	stdin, err := os.ReadFile(filepath.Join(dir, "stdin"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := mail.ReadMessage(bytes.NewReader(stdin))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(m.Body)
	if m.Header.Get("Subject") != "Walkthrough on Tuesday" || !strings.Contains(string(body), "PS: Tuesday at 3 works for us.") {
		t.Fatalf("sent the template's message, not the edited one:\n%s", stdin)
	}
	loggedSent(t, db, "mei.lin@northwind.example", messageIDLine.FindStringSubmatch(string(stdin))[1])

	// Without an editor, --edit says what to set.
	noEditor := func(k string) string {
		if k == "EDITOR" || k == "VISUAL" {
			return ""
		}
		return base(k)
	}
	if code, _, errs := sendCLI(t, db, noEditor, "mei.lin@northwind.example", "--edit", "--stdout"); code != exitUsage || !strings.Contains(errs, "set $VISUAL or $EDITOR") {
		t.Fatalf("no editor: %d %q", code, errs)
	}
}
