package mailbox

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/leads-inbox/leads/importer/mailbox/dovecottest"
	"github.com/leads-inbox/leads/tui/config"
)

// Messages as they reach a rep's inbox: a reply to a message leads sent,
// a delivery failure for one, and a plain message from a stranger.
var (
	replyMsg = crlf(`From: Bob Stone <bob@contoso.example>
To: ana@example.com
Subject: Re: Your trial of Contoso Analytics
Message-ID: <reply-1@contoso.example>
In-Reply-To: <sent-1@leads.example>
References: <sent-1@leads.example>
Date: Sat, 05 Dec 2026 10:00:00 +0000
Content-Type: text/plain; charset=utf-8

Thanks Ana, a call on Tuesday works.
`)
	bounceMsg = crlf(`From: Mail Delivery System <MAILER-DAEMON@mx.example.com>
To: ana@example.com
Subject: Undelivered Mail Returned to Sender
Message-ID: <bounce-1@mx.example.com>
Date: Sat, 05 Dec 2026 10:05:00 +0000
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="b1"

--b1
Content-Type: text/plain

The message could not be delivered.
--b1
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.com

Final-Recipient: rfc822; gone@fabrikam.example
Action: failed
Status: 5.1.1
--b1
Content-Type: text/rfc822-headers

Message-ID: <sent-2@leads.example>
--b1--
`)
	plainMsg = crlf(`From: Newsletter <news@example.org>
To: ana@example.com
Subject: This week
Message-ID: <news-1@example.org>
Date: Sat, 05 Dec 2026 11:00:00 +0000

Nothing to do with leads.
`)
	laterMsg = crlf(`From: Carol Diaz <carol@fabrikam.example>
To: ana@example.com
Subject: Re: Fabrikam Sync
Message-ID: <reply-2@fabrikam.example>
In-Reply-To: <sent-3@leads.example>
Date: Sat, 05 Dec 2026 12:00:00 +0000

Yes, please send the pricing.
`)
)

func crlf(s string) []byte { return []byte(strings.ReplaceAll(s, "\n", "\r\n")) }

// got is one message a scan yielded.
type got struct {
	key  string
	body []byte
}

func scanAll(t *testing.T, src Source, cursor []byte) ([]got, []byte) {
	t.Helper()
	var out []got
	next, err := src.Scan(context.Background(), cursor, func(key string, r io.Reader) error {
		b, err := io.ReadAll(r)
		if err != nil {
			return err
		}
		out = append(out, got{key, b})
		return nil
	})
	if err != nil {
		t.Fatalf("scan: %v", err)
	}
	return out, next
}

// passwordScript writes a password command that prints the test
// password and counts its runs in a file beside it.
func passwordScript(t *testing.T) (command, counter string) {
	t.Helper()
	dir := t.TempDir()
	counter = filepath.Join(dir, "runs")
	script := filepath.Join(dir, "pw.sh")
	body := fmt.Sprintf("#!/bin/sh\necho run >> %q\nprintf '%%s\\n' %q\n", counter, dovecottest.Password)
	if err := os.WriteFile(script, []byte(body), 0o700); err != nil {
		t.Fatal(err)
	}
	return script, counter
}

func runs(t *testing.T, counter string) int {
	t.Helper()
	b, err := os.ReadFile(counter)
	if errors.Is(err, os.ErrNotExist) {
		return 0
	}
	if err != nil {
		t.Fatal(err)
	}
	return strings.Count(string(b), "run")
}

// proxy forwards loopback connections to a real server and records what
// the client sent, so a test sees the commands a scan issued. With
// stallOn set, it stops passing the server's answers on once the client
// has sent that text: a server that stalls mid-session; with hangUp too,
// it closes the connection there instead.
type proxy struct {
	addr    string
	stallOn string
	hangUp  bool
	// rewrite, when set, changes each line the server sends.
	rewrite func(line []byte) []byte
	mu      sync.Mutex
	sent    bytes.Buffer
}

// proxyOpts make a proxy misbehave: see proxy.
type proxyOpts struct {
	stallOn string
	hangUp  bool
	rewrite func([]byte) []byte
	// trickle, when set, sends the server's answers one byte at a time,
	// this long apart.
	trickle time.Duration
}

func startProxy(t *testing.T, upstream string, o proxyOpts) *proxy {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{addr: l.Addr().String(), stallOn: o.stallOn, hangUp: o.hangUp, rewrite: o.rewrite}
	var conns []net.Conn
	var cmu sync.Mutex
	t.Cleanup(func() {
		l.Close()
		cmu.Lock()
		for _, c := range conns {
			c.Close()
		}
		cmu.Unlock()
	})
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			u, err := net.Dial("tcp", upstream)
			if err != nil {
				c.Close()
				continue
			}
			cmu.Lock()
			conns = append(conns, c, u)
			cmu.Unlock()
			stalled := make(chan struct{})
			var once sync.Once
			go func() {
				buf := make([]byte, 32<<10)
				for {
					n, err := c.Read(buf)
					if n > 0 {
						p.mu.Lock()
						p.sent.Write(buf[:n])
						hit := p.stallOn != "" && strings.Contains(p.sent.String(), p.stallOn)
						p.mu.Unlock()
						if hit {
							once.Do(func() { close(stalled) })
							if p.hangUp {
								c.Close()
								u.Close()
								return
							}
						}
						if _, err := u.Write(buf[:n]); err != nil {
							return
						}
					}
					if err != nil {
						u.Close()
						return
					}
				}
			}()
			if o.trickle > 0 {
				go func() {
					br := bufio.NewReader(u)
					for {
						b, err := br.ReadByte()
						if err != nil {
							c.Close()
							return
						}
						time.Sleep(o.trickle)
						if _, err := c.Write([]byte{b}); err != nil {
							return
						}
					}
				}()
				continue
			}
			if p.rewrite != nil {
				go func() {
					br := bufio.NewReader(u)
					for {
						line, err := br.ReadBytes('\n')
						if _, werr := c.Write(p.rewrite(line)); werr != nil || err != nil {
							c.Close()
							return
						}
					}
				}()
				continue
			}
			go func() {
				buf := make([]byte, 32<<10)
				for {
					select {
					case <-stalled:
						return // keep the connection open, answer nothing
					default:
					}
					n, err := u.Read(buf)
					select {
					case <-stalled:
						return
					default:
					}
					if n > 0 {
						if _, err := c.Write(buf[:n]); err != nil {
							return
						}
					}
					if err != nil {
						c.Close()
						return
					}
				}
			}()
		}
	}()
	return p
}

// commands returns what clients sent since the last call, and forgets it.
func (p *proxy) commands() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := p.sent.String()
	p.sent.Reset()
	return s
}

func proxySource(t *testing.T, p *proxy, folder, pwCommand string) Source {
	t.Helper()
	host, port, err := net.SplitHostPort(p.addr)
	if err != nil {
		t.Fatal(err)
	}
	n, _ := strconv.Atoi(port)
	src, err := NewIMAP(IMAPConfig{Host: host, Port: n, Security: SecurityNone, User: dovecottest.User,
		Folder: folder, PasswordCommand: pwCommand, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = src.Close() })
	return src
}

// TestIMAPScanIsIncrementalAgainstDovecot: the first scan yields the
// reply, the bounce and the plain message byte for byte and leaves them
// unread; a second scan of the unchanged folder fetches nothing; one more
// message appended is the only one the next scan yields.
func TestIMAPScanIsIncrementalAgainstDovecot(t *testing.T) {
	srv := dovecottest.Start(t)
	for _, m := range [][]byte{replyMsg, bounceMsg, plainMsg} {
		srv.Append(t, "INBOX", m)
	}
	p := startProxy(t, net.JoinHostPort(srv.Host, strconv.Itoa(srv.PlainPort)), proxyOpts{})
	pw, counter := passwordScript(t)
	src := proxySource(t, p, "INBOX", pw)

	first, cur := scanAll(t, src, nil)
	if len(first) != 3 {
		t.Fatalf("first scan yielded %d messages, want 3", len(first))
	}
	for i, want := range [][]byte{replyMsg, bounceMsg, plainMsg} {
		if !bytes.Equal(first[i].body, want) {
			t.Errorf("message %d (key %s) differs from what was appended:\n%q", i, first[i].key, first[i].body)
		}
	}
	cmds := p.commands()
	// Both guards, each enough alone: a read-only folder, and fetches that
	// do not set \Seen.
	if !strings.Contains(cmds, "EXAMINE") || strings.Contains(cmds, "SELECT") || strings.Contains(cmds, "STORE") ||
		!strings.Contains(cmds, "BODY.PEEK[]") || strings.Contains(cmds, " BODY[") {
		t.Errorf("the scan must open the folder read-only (EXAMINE), fetch with BODY.PEEK and never store flags; it sent:\n%s", cmds)
	}
	for uid, flags := range srv.Flags(t, "INBOX") {
		for _, f := range flags {
			if f == `\Seen` {
				t.Errorf("message %d is marked seen after the scan", uid)
			}
		}
	}

	again, cur2 := scanAll(t, src, cur)
	if len(again) != 0 {
		t.Fatalf("a second scan of an unchanged folder yielded %d messages", len(again))
	}
	if cmds := strings.ToUpper(p.commands()); strings.Contains(cmds, "FETCH") || strings.Contains(cmds, "SEARCH") {
		t.Fatalf("a second scan of an unchanged folder asked for messages:\n%s", cmds)
	}

	srv.Append(t, "INBOX", laterMsg)
	third, _ := scanAll(t, src, cur2)
	if len(third) != 1 || !bytes.Equal(third[0].body, laterMsg) {
		t.Fatalf("after one more message the scan yielded %d messages, want only it", len(third))
	}
	if n := runs(t, counter); n != 3 {
		t.Errorf("the password command ran %d times for 3 scans, want once per scan", n)
	}
}

// TestIMAPChangedUIDValidityRescans: a cursor saved under another
// UIDVALIDITY (the server renumbered the folder) reads it all again, even
// though its UID is past every message; so does a folder deleted and made
// again on the server.
func TestIMAPChangedUIDValidityRescans(t *testing.T) {
	srv := dovecottest.Start(t)
	srv.Append(t, "INBOX", replyMsg)
	srv.Append(t, "INBOX", plainMsg)
	src := tlsSource(t, srv, SecurityTLS, "INBOX")
	_, cur := scanAll(t, src, nil)
	c := parseCursor(cur)
	if c.validity == 0 || c.next != 3 {
		t.Fatalf("cursor after two messages = %+v (%q)", c, cur)
	}
	stale := imapCursor{validity: c.validity + 1, next: 1000}.encode()
	all, _ := scanAll(t, src, stale)
	if len(all) != 2 {
		t.Fatalf("a changed UIDVALIDITY yielded %d messages, want the whole folder (2)", len(all))
	}
	if none, _ := scanAll(t, src, imapCursor{validity: c.validity, next: 1000}.encode()); len(none) != 0 {
		t.Fatalf("the same UIDVALIDITY past the last UID yielded %d messages", len(none))
	}

	// The server's own renumbering: the folder deleted and made again
	// holds one message, UID 1, below the saved cursor's next UID (3).
	srv.Append(t, "Replies", replyMsg)
	srv.Append(t, "Replies", bounceMsg)
	replies := tlsSource(t, srv, SecurityTLS, "Replies")
	_, cur = scanAll(t, replies, nil)
	c0 := srv.Client(t)
	if err := c0.Delete("Replies"); err != nil {
		t.Fatal(err)
	}
	srv.Append(t, "Replies", laterMsg)
	after, cur2 := scanAll(t, replies, cur)
	if len(after) != 1 || !bytes.Equal(after[0].body, laterMsg) {
		t.Fatalf("after the folder was made again the scan yielded %d messages, want the one in it", len(after))
	}
	if parseCursor(cur2).validity == parseCursor(cur).validity {
		t.Fatalf("the server kept UIDVALIDITY %d for the new folder; the test needs it changed", parseCursor(cur).validity)
	}
}

func tlsSource(t *testing.T, srv *dovecottest.Server, security, folder string) Source {
	t.Helper()
	port := srv.TLSPort
	if security != SecurityTLS {
		port = srv.PlainPort
	}
	src, err := NewIMAP(IMAPConfig{Host: srv.Host, Port: port, Security: security, User: dovecottest.User,
		Folder: folder, TLS: srv.TLS, Timeout: 10 * time.Second,
		Password: func(context.Context) (string, error) { return dovecottest.Password, nil }})
	if err != nil {
		t.Fatal(err)
	}
	return src
}

// TestIMAPOverTLSAndSTARTTLS: both secured ways reach the folder; a
// certificate nobody vouched for, and TLS to the plain port, are refused
// in one line.
func TestIMAPOverTLSAndSTARTTLS(t *testing.T) {
	srv := dovecottest.Start(t)
	srv.Append(t, "Replies", replyMsg)
	for _, sec := range []string{SecurityTLS, SecuritySTARTTLS} {
		got, _ := scanAll(t, tlsSource(t, srv, sec, "Replies"), nil)
		if len(got) != 1 || !bytes.Equal(got[0].body, replyMsg) {
			t.Errorf("%s: yielded %d messages, want the reply", sec, len(got))
		}
	}
	for _, sec := range []string{SecurityTLS, SecuritySTARTTLS} {
		port := srv.TLSPort
		if sec == SecuritySTARTTLS {
			port = srv.PlainPort
		}
		src, err := NewIMAP(IMAPConfig{Host: srv.Host, Port: port, Security: sec, User: dovecottest.User,
			Folder: "Replies", Timeout: 10 * time.Second,
			Password: func(context.Context) (string, error) { return dovecottest.Password, nil }})
		if err != nil {
			t.Fatal(err)
		}
		_, err = src.Scan(context.Background(), nil, func(string, io.Reader) error { return nil })
		checkOneLine(t, err, "certificate is not trusted")
	}
	// tls set for the plain port: the server's greeting is no TLS record.
	src, err := NewIMAP(IMAPConfig{Host: srv.Host, Port: srv.PlainPort, User: dovecottest.User, TLS: srv.TLS,
		Timeout: 10 * time.Second, Password: func(context.Context) (string, error) { return dovecottest.Password, nil }})
	if err != nil {
		t.Fatal(err)
	}
	_, err = src.Scan(context.Background(), nil, func(string, io.Reader) error { return nil })
	checkOneLine(t, err, "does not speak TLS on this port")
}

// checkOneLine fails unless err is one line that contains want and no
// secret.
func checkOneLine(t *testing.T, err error, want string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error; want one containing %q", want)
	}
	msg := err.Error()
	if strings.ContainsAny(msg, "\r\n") {
		t.Errorf("error is not one line: %q", msg)
	}
	if !strings.Contains(msg, want) {
		t.Errorf("error %q does not say %q", msg, want)
	}
	if strings.Contains(msg, dovecottest.Password) || strings.Contains(msg, "hunter2") {
		t.Errorf("error shows the password: %q", msg)
	}
}

// TestIMAPMissingFolderIsOneLine names the folder and what to check.
func TestIMAPMissingFolderIsOneLine(t *testing.T) {
	srv := dovecottest.Start(t)
	src := tlsSource(t, srv, SecurityTLS, "No Such Folder")
	cur := []byte("imap1 5 7")
	next, err := src.Scan(context.Background(), cur, func(string, io.Reader) error { return nil })
	checkOneLine(t, err, `folder "No Such Folder" cannot be opened`)
	checkOneLine(t, err, "imap_folders")
	if !bytes.Equal(next, cur) {
		t.Errorf("a failed scan changed the cursor to %q", next)
	}
}

// TestIMAPWrongPasswordIsOneLineWithoutSecret: the server's refusal is
// one line naming the settings to check, and never the password.
func TestIMAPWrongPasswordIsOneLineWithoutSecret(t *testing.T) {
	srv := dovecottest.Start(t)
	src, err := NewIMAP(IMAPConfig{Host: srv.Host, Port: srv.TLSPort, User: dovecottest.User, TLS: srv.TLS,
		PasswordCommand: "echo hunter2", Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	_, err = src.Scan(context.Background(), nil, func(string, io.Reader) error { return nil })
	checkOneLine(t, err, "refused the login")
	if strings.Contains(src.ID(), "hunter2") || !strings.Contains(src.ID(), "127.0.0.1") || !strings.Contains(src.ID(), "INBOX") {
		t.Errorf("ID %q must name the host and folder and no secret", src.ID())
	}
}

// TestIMAPBatchesCapsAndResumesAfterAnError: messages come in UID order
// over several FETCHes; each is cut at MaxMessageBytes; an error from fn
// stops the scan with a cursor that covers only the messages before it,
// so the next scan starts at the failed one.
func TestIMAPBatchesCapsAndResumesAfterAnError(t *testing.T) {
	srv := dovecottest.Start(t)
	big := append(crlf("From: x@example.com\nSubject: big\n\n"), bytes.Repeat([]byte("0123456789abcde\r\n"), 200_000)...) // about 3.4 MB
	msgs := [][]byte{replyMsg, bounceMsg, big, plainMsg, laterMsg}
	for _, m := range msgs {
		srv.Append(t, "INBOX", m)
	}
	src, err := NewIMAP(IMAPConfig{Host: srv.Host, Port: srv.TLSPort, User: dovecottest.User, TLS: srv.TLS,
		Batch: 2, MaxMessageBytes: 1 << 20, Timeout: 10 * time.Second,
		Password: func(context.Context) (string, error) { return dovecottest.Password, nil }})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	stop := errors.New("stop here")
	cur, err := src.Scan(context.Background(), nil, func(key string, r io.Reader) error {
		if key == "4" {
			return stop
		}
		b, err := io.ReadAll(r)
		if err != nil {
			return err
		}
		i, _ := strconv.Atoi(key)
		want := msgs[i-1]
		if len(want) > 1<<20 {
			want = want[:1<<20]
		}
		if !bytes.Equal(b, want) {
			t.Errorf("message %s: %d bytes, want %d (cut at 1 MiB)", key, len(b), len(want))
		}
		keys = append(keys, key)
		return nil
	})
	if !errors.Is(err, stop) {
		t.Fatalf("scan error = %v, want fn's", err)
	}
	if strings.Join(keys, ",") != "1,2,3" {
		t.Fatalf("yielded %v before the error, want 1,2,3", keys)
	}
	rest, _ := scanAll(t, src, cur)
	if len(rest) != 2 || rest[0].key != "4" || rest[1].key != "5" {
		t.Fatalf("the scan after the error yielded %d messages (%v), want 4 and 5", len(rest), rest)
	}
}

// stallServer accepts connections and, after greeting (when greet is set),
// reads whatever comes and never answers.
func stallServer(t *testing.T, greet string) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
	})
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			if greet != "" {
				_, _ = io.WriteString(c, greet)
			}
			go func() { _, _ = io.Copy(io.Discard, c) }()
		}
	}()
	return l.Addr().String()
}

// scanWithin runs a scan and fails the test if it has not returned in
// limit: a hang is the failure, not a slow machine.
func scanWithin(t *testing.T, src Source, ctx context.Context, limit time.Duration) error {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		_, err := src.Scan(ctx, nil, func(string, io.Reader) error { return nil })
		done <- err
	}()
	select {
	case err := <-done:
		return err
	case <-time.After(limit):
		t.Fatalf("the scan did not return within %s", limit)
		return nil
	}
}

// TestIMAPStalledServerGivesOneLine: a server that accepts and never
// answers, one that greets and then stalls (plain and TLS), and a real
// Dovecot whose answers stop in the middle of a FETCH each end the scan
// with one line saying the server stopped answering.
func TestIMAPStalledServerGivesOneLine(t *testing.T) {
	var asked atomic.Int32
	pw := func(context.Context) (string, error) { asked.Add(1); return "hunter2", nil }
	cases := []struct {
		name, security, greet string
	}{
		{"silent", SecurityNone, ""},
		{"greets then stalls", SecurityNone, "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] ready\r\n"},
		{"silent TLS", SecurityTLS, ""},
		{"STARTTLS greets then stalls", SecuritySTARTTLS, "* OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			host, port, _ := net.SplitHostPort(stallServer(t, c.greet))
			n, _ := strconv.Atoi(port)
			src, err := NewIMAP(IMAPConfig{Host: host, Port: n, Security: c.security, User: "ana",
				Password: pw, Timeout: 300 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			checkOneLine(t, scanWithin(t, src, context.Background(), 20*time.Second), "stopped answering")
		})
	}
	// Only the server whose greeting gave its capabilities got as far as
	// the login (which then stalled): the others never had the password
	// asked for.
	if n := asked.Load(); n != 1 {
		t.Errorf("the password was asked %d times; want once, for the server that greeted with its capabilities", n)
	}
	t.Run("real server stalls mid-FETCH", func(t *testing.T) {
		srv := dovecottest.Start(t)
		srv.Append(t, "INBOX", replyMsg)
		p := startProxy(t, net.JoinHostPort(srv.Host, strconv.Itoa(srv.PlainPort)), proxyOpts{stallOn: "FETCH"})
		host, port, _ := net.SplitHostPort(p.addr)
		n, _ := strconv.Atoi(port)
		src, err := NewIMAP(IMAPConfig{Host: host, Port: n, Security: SecurityNone, User: dovecottest.User,
			Timeout:  300 * time.Millisecond,
			Password: func(context.Context) (string, error) { return dovecottest.Password, nil }})
		if err != nil {
			t.Fatal(err)
		}
		checkOneLine(t, scanWithin(t, src, context.Background(), 20*time.Second), "stopped answering")
	})
}

// TestIMAPCancelEndsAStalledScan: cancelling the scan (Ctrl-C, the inbox
// quitting) ends it even while the server is silent and the timeout is
// long, and nothing is printed on stderr.
func TestIMAPCancelEndsAStalledScan(t *testing.T) {
	host, port, _ := net.SplitHostPort(stallServer(t, "* OK ready\r\n"))
	n, _ := strconv.Atoi(port)
	src, err := NewIMAP(IMAPConfig{Host: host, Port: n, Security: SecurityNone, User: "ana",
		Password: func(context.Context) (string, error) { return "hunter2", nil }, Timeout: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	// The IMAP client prints read errors on stderr, which under the inbox
	// would land on the screen: none may come out.
	stderr, err := os.CreateTemp(t.TempDir(), "stderr")
	if err != nil {
		t.Fatal(err)
	}
	saved := os.Stderr
	os.Stderr = stderr
	defer func() { os.Stderr = saved }()
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	checkOneLine(t, scanWithin(t, src, ctx, 20*time.Second), "stopped")
	time.Sleep(100 * time.Millisecond) // let the client's reader end
	os.Stderr = saved
	if b, err := os.ReadFile(stderr.Name()); err != nil || len(b) > 0 {
		t.Errorf("the scan wrote to stderr: %q %v", b, err)
	}
}

// TestIMAPConfigChecks: settings that cannot work are refused before any
// connection, in one line, and "none" only goes to this machine.
func TestIMAPConfigChecks(t *testing.T) {
	ok := IMAPConfig{Host: "imap.example.com", User: "ana", PasswordCommand: "pass show mail"}
	bad := map[string]func(*IMAPConfig){
		"imap_host":                   func(c *IMAPConfig) { c.Host = "" },
		"imap_user":                   func(c *IMAPConfig) { c.User = "" },
		"password_command":            func(c *IMAPConfig) { c.PasswordCommand = "" },
		"in the clear":                func(c *IMAPConfig) { c.Security = SecurityNone },
		`"tls", "starttls" or "none"`: func(c *IMAPConfig) { c.Security = "ssl" },
		"not a host name":             func(c *IMAPConfig) { c.Host = "user:hunter2@imap.example.com" },
		"the port goes in imap_port":  func(c *IMAPConfig) { c.Host = "imap.example.com:993" },
	}
	for want, change := range bad {
		c := ok
		change(&c)
		_, err := NewIMAP(c)
		checkOneLine(t, err, want)
	}
	for _, h := range []string{"localhost", "127.0.0.1", "::1"} {
		c := ok
		c.Host, c.Security = h, SecurityNone
		if _, err := NewIMAP(c); err != nil {
			t.Errorf("none to %s refused: %v", h, err)
		}
	}
	src, err := NewIMAP(ok)
	if err != nil {
		t.Fatal(err)
	}
	if src.ID() != "imaps://ana@imap.example.com:993/INBOX" {
		t.Errorf("ID = %q", src.ID())
	}
}

// TestIMAPSourcesFromConfig: 'leads mail' gets one source per configured
// folder, with the config's host, port, security and user.
func TestIMAPSourcesFromConfig(t *testing.T) {
	m := config.Mail{IMAPHost: "imap.example.com", IMAPPort: 1143, IMAPSecurity: "starttls", IMAPUser: "ana@example.com",
		IMAPFolders: []string{"INBOX", "Clients/Replies"}, PasswordCommand: "pass show mail"}
	srcs, err := IMAPSources(m)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, s := range srcs {
		ids = append(ids, s.ID())
	}
	want := "imap://ana%40example.com@imap.example.com:1143/INBOX imap://ana%40example.com@imap.example.com:1143/Clients/Replies"
	if strings.Join(ids, " ") != want {
		t.Errorf("IDs = %v, want %s", ids, want)
	}
	if srcs, err := IMAPSources(config.Mail{Maildirs: []string{"/m"}}); err != nil || len(srcs) != 0 {
		t.Errorf("no imap_host: %d sources, %v", len(srcs), err)
	}
}

// TestPasswordCommand: the first line is the password; a failing command
// says why without repeating what it printed on stdout.
func TestPasswordCommand(t *testing.T) {
	pw, err := RunPasswordCommand(context.Background(), "printf 'hunter2\\nsecond line\\n'")
	if err != nil || pw != "hunter2" {
		t.Fatalf("password = %q, %v", pw, err)
	}
	_, err = RunPasswordCommand(context.Background(), "echo hunter2; echo 'pass: mail/work is not in the store' >&2; exit 1")
	checkOneLine(t, err, "mail/work is not in the store")
	_, err = RunPasswordCommand(context.Background(), "true")
	checkOneLine(t, err, "printed no password")
}

// TestReadmeIMAPExample: the README's [mail] imap_* example is a config
// without problems and gives one source per folder.
func TestReadmeIMAPExample(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(b), "### Replies from an IMAP server")
	if !ok {
		t.Fatal("the README has no IMAP section")
	}
	_, rest, _ = strings.Cut(rest, "```toml\n")
	example, _, _ := strings.Cut(rest, "```")
	path := filepath.Join(t.TempDir(), "config.toml")
	if err := os.WriteFile(path, []byte(example), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(path, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Problems) > 0 {
		t.Fatalf("the example has problems: %+v", cfg.Problems)
	}
	srcs, err := IMAPSources(cfg.Mail)
	if err != nil {
		t.Fatal(err)
	}
	if len(srcs) != 2 || srcs[1].ID() != "imaps://ana%40example.com@imap.example.com:993/Customers" {
		t.Fatalf("sources from the example: %d, %v", len(srcs), srcs)
	}
}

// TestIMAPLoginWhereAuthPlainIsNotOffered: AUTHENTICATE PLAIN where the
// server offers it, the LOGIN command where it does not (the proxy takes
// AUTH=PLAIN out of Dovecot's capabilities); both log in.
func TestIMAPLoginWhereAuthPlainIsNotOffered(t *testing.T) {
	srv := dovecottest.Start(t)
	srv.Append(t, "INBOX", replyMsg)
	for _, c := range []struct {
		hide      bool
		want, not string
	}{
		{false, "AUTHENTICATE PLAIN", " LOGIN "},
		{true, " LOGIN ", "AUTHENTICATE"},
	} {
		var rewrite func([]byte) []byte
		if c.hide {
			rewrite = func(line []byte) []byte { return bytes.ReplaceAll(line, []byte(" AUTH=PLAIN"), nil) }
		}
		p := startProxy(t, net.JoinHostPort(srv.Host, strconv.Itoa(srv.PlainPort)), proxyOpts{rewrite: rewrite})
		pw, _ := passwordScript(t)
		got, _ := scanAll(t, proxySource(t, p, "INBOX", pw), nil)
		if len(got) != 1 {
			t.Errorf("AUTH=PLAIN hidden %v: yielded %d messages", c.hide, len(got))
		}
		if cmds := p.commands(); !strings.Contains(cmds, c.want) || strings.Contains(cmds, c.not) {
			t.Errorf("AUTH=PLAIN hidden %v: want %q and no %q in:\n%s", c.hide, c.want, c.not, cmds)
		}
	}
}

// TestIMAPServerHangsUpMidFetch: a connection closed in the middle of a
// FETCH ends the scan with one line, and the cursor it returns makes the
// next scan read the messages it did not get.
func TestIMAPServerHangsUpMidFetch(t *testing.T) {
	srv := dovecottest.Start(t)
	srv.Append(t, "INBOX", replyMsg)
	srv.Append(t, "INBOX", plainMsg)
	pw, _ := passwordScript(t)
	p := startProxy(t, net.JoinHostPort(srv.Host, strconv.Itoa(srv.PlainPort)), proxyOpts{stallOn: "FETCH", hangUp: true})
	cur, err := proxySource(t, p, "INBOX", pw).Scan(context.Background(), nil, func(string, io.Reader) error {
		t.Error("a message reached fn although the server hung up before answering the FETCH")
		return nil
	})
	checkOneLine(t, err, "closed the connection")
	direct := startProxy(t, net.JoinHostPort(srv.Host, strconv.Itoa(srv.PlainPort)), proxyOpts{})
	got, _ := scanAll(t, proxySource(t, direct, "INBOX", pw), cur)
	if len(got) != 2 {
		t.Fatalf("the scan after the hang-up yielded %d messages, want both", len(got))
	}
}

// TestIMAPFolderNameWithAccentsAndSpaces: a folder name outside ASCII
// (IMAP's modified UTF-7 on the wire) is opened and named in the ID.
func TestIMAPFolderNameWithAccentsAndSpaces(t *testing.T) {
	srv := dovecottest.Start(t)
	const folder = "Réponses clients"
	srv.Append(t, folder, replyMsg)
	src := tlsSource(t, srv, SecurityTLS, folder)
	got, _ := scanAll(t, src, nil)
	if len(got) != 1 {
		t.Fatalf("yielded %d messages from %q", len(got), folder)
	}
	if !strings.HasSuffix(src.ID(), "/R%C3%A9ponses%20clients") {
		t.Errorf("ID = %q", src.ID())
	}
}

// fakeIMAP is a scripted server: it greets, then answers each command
// line by its verb (the words after the tag, upper-cased) with the
// reply from script, "%[1]s" standing for the tag; a verb the script
// lacks gets "TAG BAD". After a reply ending in no CRLF it stops
// answering, keeping the connection open.
func fakeIMAP(t *testing.T, greet string, script map[string]string) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
	})
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			go func() {
				_, _ = io.WriteString(c, greet)
				br := bufio.NewReader(c)
				for {
					line, err := br.ReadString('\n')
					if err != nil {
						return
					}
					tag, rest, _ := strings.Cut(strings.TrimRight(line, "\r\n"), " ")
					verb := strings.ToUpper(rest)
					reply, ok := "", false
					for k, v := range script {
						if strings.HasPrefix(verb, k) && len(k) > len(reply) {
							reply, ok = v, true
						}
					}
					if !ok {
						reply = "%[1]s BAD unknown\r\n"
					}
					out := fmt.Sprintf(reply, tag)
					if _, err := io.WriteString(c, out); err != nil {
						return
					}
					if !strings.HasSuffix(out, "\r\n") {
						_, _ = io.Copy(io.Discard, br)
						return
					}
				}
			}()
		}
	}()
	return l.Addr().String()
}

func fakeSource(t *testing.T, addr, security string) Source {
	t.Helper()
	host, port, _ := net.SplitHostPort(addr)
	n, _ := strconv.Atoi(port)
	src, err := NewIMAP(IMAPConfig{Host: host, Port: n, Security: security, User: "ana",
		Password: func(context.Context) (string, error) { return "hunter2", nil }, Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return src
}

// TestIMAPHugeLiteralIsRefusedBeforeItIsAllocated: a server that answers
// the FETCH of one message with a 2 GB literal ends the scan with one
// line, and the scan never allocates anything near that (the IMAP client
// would allocate a literal's whole announced size before reading it).
func TestIMAPHugeLiteralIsRefusedBeforeItIsAllocated(t *testing.T) {
	addr := fakeIMAP(t, "* OK [CAPABILITY IMAP4rev1] ready\r\n", map[string]string{
		"CAPABILITY": "* CAPABILITY IMAP4rev1\r\n%[1]s OK done\r\n",
		"LOGIN":      "%[1]s OK logged in\r\n",
		"EXAMINE":    "* 1 EXISTS\r\n* OK [UIDVALIDITY 7] ok\r\n* OK [UIDNEXT 2] ok\r\n%[1]s OK [READ-ONLY] done\r\n",
		"UID SEARCH": "* SEARCH 1\r\n%[1]s OK done\r\n",
		"UID FETCH":  "* 1 FETCH (UID 1 BODY[]<0> {2000000000}\r\nFrom: a@b.example\r\n",
	})
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	err := scanWithin(t, fakeSource(t, addr, SecurityNone), context.Background(), 20*time.Second)
	runtime.ReadMemStats(&after)
	checkOneLine(t, err, "more than the 1048576 bytes asked for")
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 256<<20 {
		t.Errorf("the scan allocated %d MB for a message it refused", grew>>20)
	}
}

// TestIMAPSTARTTLSRefusals: a server that says no to STARTTLS, and one
// that sends clear text after agreeing (an injection before the
// handshake), are refused in one line before the password is sent.
func TestIMAPSTARTTLSRefusals(t *testing.T) {
	for want, reply := range map[string]string{
		"does not offer STARTTLS": "%[1]s BAD not here\r\n",
		"data in the clear":       "%[1]s OK begin TLS\r\n* OK injected\r\n",
	} {
		addr := fakeIMAP(t, "* OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n", map[string]string{"STARTTLS": reply})
		checkOneLine(t, scanWithin(t, fakeSource(t, addr, SecuritySTARTTLS), context.Background(), 20*time.Second), want)
	}
}

// chunkConn reads its data a few bytes at a time, as a slow network
// would deliver it.
type chunkConn struct {
	net.Conn
	r    *strings.Reader
	size int
}

func (c *chunkConn) Read(p []byte) (int, error) { return c.r.Read(p[:min(len(p), c.size)]) }

// TestLiteralGuardFollowsTheStream: a literal header split over reads is
// still seen; the bytes inside a literal let through (a message quoting
// "{999999999}") are not taken for a header; a quoted string is not one.
func TestLiteralGuardFollowsTheStream(t *testing.T) {
	read := func(stream string, size int) (string, bool) {
		dc := &deadlineConn{}
		g := &literalGuard{Conn: &chunkConn{r: strings.NewReader(stream), size: size}, under: dc, max: 100}
		var out bytes.Buffer
		buf := make([]byte, 64)
		for {
			n, err := g.Read(buf)
			out.Write(buf[:n])
			if err != nil {
				return out.String(), dc.tooLarge.Load()
			}
		}
	}
	inside := "* 1 FETCH (UID 1 BODY[]<0> {19}\r\nX: {999999999}\r\n.\r\n)\r\n* 2 FETCH (FLAGS (\"{500}\"))\r\nA OK done\r\n"
	huge := "* 1 FETCH (UID 1 BODY[]<0> {101}\r\n" + strings.Repeat("x", 101) + ")\r\n"
	for _, size := range []int{1, 2, 3, 7, 64} {
		if got, refused := read(inside, size); refused || got != inside {
			t.Errorf("chunks of %d: refused %v, passed %q", size, refused, got)
		}
		got, refused := read(huge, size)
		if !refused || strings.Contains(got, "{101}\r\n") {
			t.Errorf("chunks of %d: a 101-byte literal over a 100 cap: refused %v, passed %q", size, refused, got)
		}
	}
}

// TestIMAPOutOfOrderAnswersLoseNothing: a server may answer a FETCH in
// any order; a message answered after a higher UID is still read, and an
// error on it leaves the cursor before it.
func TestIMAPOutOfOrderAnswersLoseNothing(t *testing.T) {
	addr := fakeIMAP(t, "* OK [CAPABILITY IMAP4rev1] ready\r\n", map[string]string{
		"CAPABILITY": "* CAPABILITY IMAP4rev1\r\n%[1]s OK done\r\n",
		"LOGIN":      "%[1]s OK logged in\r\n",
		"EXAMINE":    "* 2 EXISTS\r\n* OK [UIDVALIDITY 7] ok\r\n* OK [UIDNEXT 3] ok\r\n%[1]s OK [READ-ONLY] done\r\n",
		"UID SEARCH": "* SEARCH 1 2\r\n%[1]s OK done\r\n",
		"UID FETCH":  "* 2 FETCH (UID 2 BODY[]<0> {5}\r\nhello)\r\n* 1 FETCH (UID 1 BODY[]<0> {5}\r\nworld)\r\n%[1]s OK done\r\n",
		"LOGOUT":     "* BYE bye\r\n%[1]s OK done\r\n",
	})
	src := fakeSource(t, addr, SecurityNone)
	all, cur := scanAll(t, src, nil)
	if len(all) != 2 || all[0].key != "2" || all[1].key != "1" || string(all[1].body) != "world" {
		t.Fatalf("yielded %v", all)
	}
	if c := parseCursor(cur); c != (imapCursor{validity: 7, next: 3}) {
		t.Fatalf("cursor after both = %+v", c)
	}
	stop := errors.New("stop")
	cur, err := src.Scan(context.Background(), nil, func(key string, _ io.Reader) error {
		if key == "1" {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || parseCursor(cur).next != 1 {
		t.Fatalf("an error on UID 1 answered after UID 2: cursor %q, %v; want UID 1 read again", cur, err)
	}
}

// TestIMAPScanMemoryStaysBounded: a scan of 60 MB of mail holds only a
// few messages at a time: the heap in use while fn runs stays far below
// what the folder holds.
func TestIMAPScanMemoryStaysBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("appends 60 MB to a real server")
	}
	srv := dovecottest.Start(t)
	c := srv.Client(t)
	body := bytes.Repeat([]byte("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:;,!?\r\n"), 15_000) // about 1 MB
	const n = 60
	for i := range n {
		msg := append(fmt.Appendf(nil, "From: c%d@example.com\r\nSubject: %d\r\nMessage-ID: <m%d@example.com>\r\n\r\n", i, i, i), body...)
		if err := c.Append("INBOX", nil, time.Now(), bytes.NewReader(msg)); err != nil {
			t.Fatal(err)
		}
	}
	src := tlsSource(t, srv, SecurityTLS, "INBOX")
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base, peak := ms.HeapInuse, ms.HeapInuse
	count := 0
	_, err := src.Scan(context.Background(), nil, func(key string, r io.Reader) error {
		if _, err := io.Copy(io.Discard, r); err != nil {
			return err
		}
		count++
		runtime.ReadMemStats(&ms)
		peak = max(peak, ms.HeapInuse)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if count != n {
		t.Fatalf("yielded %d messages, want %d", count, n)
	}
	t.Logf("heap in use: %d MB before, %d MB at most during the scan of %d MB", base>>20, peak>>20, n*len(body)>>20)
	if grew := peak - base; grew > 32<<20 {
		t.Errorf("the heap grew by %d MB during the scan: messages are being kept", grew>>20)
	}
}

// TestIMAPTrickleIsCutAtTheScanLimit: a server that answers one byte at a
// time, each well inside the read timeout, cannot hold a scan past its
// whole-scan limit: the scan ends with one line saying what happened.
func TestIMAPTrickleIsCutAtTheScanLimit(t *testing.T) {
	srv := dovecottest.Start(t)
	srv.Append(t, "INBOX", replyMsg)
	p := startProxy(t, net.JoinHostPort(srv.Host, strconv.Itoa(srv.PlainPort)), proxyOpts{trickle: 20 * time.Millisecond})
	host, port, _ := net.SplitHostPort(p.addr)
	n, _ := strconv.Atoi(port)
	src, err := NewIMAP(IMAPConfig{Host: host, Port: n, Security: SecurityNone, User: dovecottest.User,
		Timeout: time.Second, MaxScan: 2 * time.Second,
		Password: func(context.Context) (string, error) { return dovecottest.Password, nil }})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	checkOneLine(t, scanWithin(t, src, context.Background(), 20*time.Second), "sent too slowly")
}
