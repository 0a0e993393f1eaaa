package mailbox

import (
	"bytes"
	"io"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/leads-inbox/leads/store"
)

// TestParseReply: the headers that match a reply and its first lines,
// quoted text and signature left out.
func TestParseReply(t *testing.T) {
	msg := "From: \"Mei Lin\" <Mei.Lin@Northwind.example>\r\nSubject: =?utf-8?q?Re:_Caf=C3=A9?=\r\n" +
		"Message-ID: <r1@northwind.example>\r\nIn-Reply-To: <s2@contoso.example>\r\n" +
		"References: <s1@contoso.example>\r\n <s2@contoso.example>\r\nDate: Wed, 11 Nov 2026 10:00:00 +0100\r\n\r\n" +
		"Sounds good.\r\n> quoted\r\nCall me at 10.\r\n\r\n-- \r\nMei\r\n"
	m, err := Parse(strings.NewReader(msg))
	if err != nil {
		t.Fatal(err)
	}
	if m.From != "Mei.Lin@Northwind.example" || m.Subject != "Re: Café" || m.MessageID != "r1@northwind.example" {
		t.Fatalf("%+v", m)
	}
	if got := strings.Join(m.LookupIDs(), " "); got != "s2@contoso.example s2@contoso.example s1@contoso.example" {
		t.Fatalf("lookup order %q", got)
	}
	if !m.Date.Equal(ts("2026-11-11T09:00:00Z")) || m.Text != "Sounds good.\nCall me at 10." {
		t.Fatalf("%v %q", m.Date, m.Text)
	}
}

// TestExcerptLeavesOutQuotes: the attribution line of a quote (in one or
// two lines, in a few languages), Outlook's rule and "Original Message"
// end the excerpt.
func TestExcerptLeavesOutQuotes(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Yes.\nOn Tue, 10 Nov 2026 at 09:00, Rep <rep@contoso.example> wrote:\n> hi", "Yes."},
		{"Yes.\nOn Tue, 10 Nov 2026 at 09:00, Rep <rep@contoso.example>\nwrote:\n> hi", "Yes."},
		{"Oui.\n\nLe mar. 10 nov. 2026, Rep a écrit :\n> hi", "Oui."},
		{"Ja.\nAm 10.11.2026 schrieb Rep:\n> hi", "Ja."},
		{"Sure\n\n-----Original Message-----\nFrom: Rep", "Sure"},
		{"Sure\n________________________________\nFrom: Rep", "Sure"},
		{"a\n\n\n\nb", "a\n\nb"},
	} {
		if got := excerpt(tc.in); got != tc.want {
			t.Errorf("excerpt(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestHTMLOnlyReply: an HTML-only body becomes plain text: tags, script,
// style and the quoted blockquote gone, entities decoded.
func TestHTMLOnlyReply(t *testing.T) {
	msg := "From: mei.lin@northwind.example\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" +
		"<html><head><title>x</title><style>p{color:red}</style></head><body><script>alert(1)</script>" +
		"<p>Hi &amp; thanks,</p><div>let&#39;s meet.<br>Mei</div>" +
		"<blockquote>Your trial ends <b>soon</b></blockquote></body></html>"
	m, err := Parse(strings.NewReader(msg))
	if err != nil {
		t.Fatal(err)
	}
	if m.Text != "Hi & thanks,\n\nlet's meet.\nMei" {
		t.Fatalf("%q", m.Text)
	}
}

// TestParseDSN: a standard report gives the failed recipient, the
// returned Message-ID and the status; a delay report is no failure.
func TestParseDSN(t *testing.T) {
	m, err := Parse(strings.NewReader(dsn("b1@mx", priya, "sent.2@contoso.example")))
	if err != nil {
		t.Fatal(err)
	}
	b := m.Bounce
	if b == nil || len(b.Recipients) == 0 || b.Recipients[0] != priya || len(b.MessageIDs) != 1 || b.MessageIDs[0] != "sent.2@contoso.example" ||
		!strings.HasPrefix(b.Reason, "5.1.1 smtp; 550") {
		t.Fatalf("%+v", b)
	}
	delayed := strings.ReplaceAll(dsn("b2@mx", priya, "sent.2@contoso.example"), "Action: failed", "Action: delayed")
	if m, _ := Parse(strings.NewReader(delayed)); m.Bounce != nil {
		t.Fatalf("a delay is a bounce: %+v", m.Bounce)
	}
}

// TestParseNonStandardBounces: Exim's X-Failed-Recipients and qmail's
// "failure notice" with the original message inline.
func TestParseNonStandardBounces(t *testing.T) {
	exim := "From: Mail Delivery System <Mailer-Daemon@mx.example>\r\nX-Failed-Recipients: " + priya + "\r\n" +
		"Subject: Mail delivery failed: returning message to sender\r\n\r\nA message could not be delivered.\r\n"
	m, _ := Parse(strings.NewReader(exim))
	if m.Bounce == nil || len(m.Bounce.Recipients) != 1 || m.Bounce.Recipients[0] != priya {
		t.Fatalf("exim: %+v", m.Bounce)
	}
	qmail := "From: MAILER-DAEMON@mx.example\r\nSubject: failure notice\r\n\r\nHi. This is the qmail-send program.\r\n" +
		"<" + priya + ">:\r\nSorry, no mailbox here by that name.\r\n\r\n--- Below this line is a copy of the message.\r\n\r\n" +
		"From: rep@contoso.example\r\nMessage-ID: <sent.9@contoso.example>\r\nSubject: hello\r\n"
	m, _ = Parse(strings.NewReader(qmail))
	if m.Bounce == nil || len(m.Bounce.MessageIDs) != 1 || m.Bounce.MessageIDs[0] != "sent.9@contoso.example" {
		t.Fatalf("qmail: %+v", m.Bounce)
	}
	warn := strings.Replace(qmail, "failure notice", "Warning: message delayed", 1)
	if m, _ := Parse(strings.NewReader(warn)); m.Bounce != nil {
		t.Fatalf("a delay warning is a bounce: %+v", m.Bounce)
	}
}

// countingReader counts the bytes read from it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// TestParseHostile: what a stranger can put in a message. Nothing raw
// comes out (the fields are valid UTF-8 and bounded), a huge message is
// read only up to the cap, deep nesting and part floods stop at their
// bounds, a wrong or unknown charset still gives text.
func TestParseHostile(t *testing.T) {
	big := strings.Repeat("A", 40<<10)
	nest := func(depth int) string {
		var b strings.Builder
		b.WriteString("From: mei.lin@northwind.example\r\nContent-Type: multipart/mixed; boundary=b0\r\n\r\n")
		for i := range depth {
			b.WriteString("--b" + strconv.Itoa(i) + "\r\nContent-Type: multipart/mixed; boundary=b" + strconv.Itoa(i+1) + "\r\n\r\n")
		}
		b.WriteString("--b" + strconv.Itoa(depth) + "\r\nContent-Type: text/plain\r\n\r\ndeep text\r\n")
		return b.String()
	}
	parts := func(n int) string {
		var b strings.Builder
		b.WriteString("From: mei.lin@northwind.example\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n")
		for range n {
			b.WriteString("--x\r\nContent-Type: application/octet-stream\r\n\r\nzz\r\n")
		}
		b.WriteString("--x\r\nContent-Type: text/plain\r\n\r\nlast\r\n--x--\r\n")
		return b.String()
	}
	cases := []struct {
		name, msg string
		check     func(t *testing.T, m Message, read int64)
	}{
		{"escapes", "From: mei.lin@northwind.example\r\nSubject: hi\x1b]0;pwned\x07\x1b[2J\r\n\r\nBody\x1b]52;c;aGk=\x07 \x9b31m red\r\n", nil},
		{"encoded CR/LF", "From: mei.lin@northwind.example\r\nSubject: =?utf-8?q?a=0D=0ABcc:_eve@x.example?=\r\n\r\nline\rFAKE\r\n", nil},
		{"40 KB subject", "From: mei.lin@northwind.example\r\nSubject: " + big + "\r\n\r\nhi\r\n", func(t *testing.T, m Message, _ int64) {
			if len(m.Subject) > maxField {
				t.Fatalf("subject of %d bytes", len(m.Subject))
			}
		}},
		{"enormous", "From: mei.lin@northwind.example\r\n\r\nfirst line\r\n" + strings.Repeat("x", 8<<20), func(t *testing.T, m Message, read int64) {
			if read > MaxMessageBytes+4096 {
				t.Fatalf("read %d bytes of an enormous message", read)
			}
			if !strings.HasPrefix(m.Text, "first line") {
				t.Fatalf("%q", m.Text[:20])
			}
		}},
		{"deep nesting", nest(5000), func(t *testing.T, m Message, _ int64) {
			if m.Text != "" {
				t.Fatalf("text beyond the depth cap: %q", m.Text)
			}
		}},
		{"shallow nesting", nest(3), func(t *testing.T, m Message, _ int64) {
			if m.Text != "deep text" {
				t.Fatalf("%q", m.Text)
			}
		}},
		{"part flood", parts(10000), func(t *testing.T, m Message, _ int64) {
			if m.Text != "" {
				t.Fatalf("text beyond the part cap: %q", m.Text)
			}
		}},
		{"unknown charset", "From: mei.lin@northwind.example\r\nSubject: =?x-klingon?q?Qapla=FF?=\r\nContent-Type: text/plain; charset=x-klingon\r\n\r\nQapla\xff\xfe!\r\n", func(t *testing.T, m Message, _ int64) {
			if !strings.HasPrefix(m.Text, "Qapla") {
				t.Fatalf("%q", m.Text)
			}
		}},
		{"wrong charset", "From: mei.lin@northwind.example\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nCaf\xe9 cr\xe8me\r\n", nil},
		{"latin-1", "From: mei.lin@northwind.example\r\nContent-Type: text/plain; charset=iso-8859-1\r\n\r\nCaf\xe9\r\n", func(t *testing.T, m Message, _ int64) {
			if m.Text != "Café" {
				t.Fatalf("%q", m.Text)
			}
		}},
		{"no header", "\x00\x01\x02", nil},
		{"control Message-ID", "From: a@b\r\nMessage-ID: <a\x1bb@x>\r\nIn-Reply-To: <c d@x> <ok@x>\r\n\r\n", func(t *testing.T, m Message, _ int64) {
			if m.MessageID != "" || len(m.InReplyTo) != 1 || m.InReplyTo[0] != "ok@x" {
				t.Fatalf("%+v", m)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cr := &countingReader{r: strings.NewReader(tc.msg)}
			done := make(chan Message, 1)
			go func() {
				m, _ := Parse(cr)
				done <- m
			}()
			var m Message
			select {
			case m = <-done:
			case <-time.After(20 * time.Second):
				t.Fatal("parse did not end")
			}
			for _, s := range append([]string{m.MessageID, m.From, m.Subject, m.Text}, m.InReplyTo...) {
				if !utf8.ValidString(s) {
					t.Fatalf("invalid UTF-8 out: %q", s)
				}
			}
			if len(m.Text) > excerptBytes+maxField {
				t.Fatalf("excerpt of %d bytes", len(m.Text))
			}
			if tc.check != nil {
				tc.check(t, m, cr.n)
			}
		})
	}
}

// TestHostileReplyStoredClean: a reply full of escape sequences, CR/LF
// tricks and a 40 KB subject, from a contact's address, read from a real
// Maildir: the timeline keeps a cleaned, capped subject and excerpt.
func TestHostileReplyStoredClean(t *testing.T) {
	s := openStore(t)
	dir := maildir(t)
	msg := "From: " + mei + "\r\nSubject: =?utf-8?q?Re=0D=0ABcc:_eve@x.example_=1B]0;pwned=07?=" + strings.Repeat("S", 40<<10) + "\r\n" +
		"Message-ID: <h1@northwind.example>\r\nDate: Wed, 11 Nov 2026 10:00:00 +0000\r\n\r\n" +
		"Hello\x1b[2J\x1b]8;;http://evil.example\x07click\x1b]8;;\x07\rFAKE\u202Egnp.exe\u200B\r\n"
	deliver(t, dir, msg)
	md, _ := NewMaildir(dir)
	if res := scan(t, s, md, ts("2026-11-12T00:00:00Z")); res.Replies != 1 {
		t.Fatalf("%+v", res)
	}
	h, _ := s.History(store.ContactIDForEmail(mei))
	ev := h[len(h)-1]
	for _, f := range []string{ev.Subject, ev.Text} {
		for _, bad := range []string{"\x1b", "\r", "\x07", "\u202E", "\u200B"} {
			if strings.Contains(f, bad) {
				t.Fatalf("raw %q reached the store: %q", bad, f)
			}
		}
	}
	if strings.Contains(ev.Subject, "\n") || len(ev.Subject) > 210 || !strings.HasPrefix(ev.Subject, "Re") {
		t.Fatalf("subject %q", ev.Subject)
	}
	if !strings.HasPrefix(ev.Text, "Hello") {
		t.Fatalf("text %q", ev.Text)
	}
}

// TestForgedFromOnlyMarksAReply: a stranger forging a contact's address
// marks a reply, and nothing else changes: the status, notes, follow-up
// count and bouncing mark stay as they were, whatever the message says.
func TestForgedFromOnlyMarksAReply(t *testing.T) {
	s := openStore(t)
	id := store.ContactIDForEmail(mei)
	if _, err := s.SetStatus(id, store.StatusContacted, "", ts("2026-11-09T00:00:00Z")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddNote(id, "real note", ts("2026-11-09T00:00:00Z")); err != nil {
		t.Fatal(err)
	}
	before, _ := s.Triage(id)
	dir := maildir(t)
	deliver(t, dir, "From: "+mei+"\r\nSubject: status: won\r\nX-Leads-Status: won\r\nAuto-Submitted: no\r\n"+
		"Message-ID: <forged@evil.example>\r\nContent-Type: multipart/mixed; boundary=q\r\n\r\n--q\r\nContent-Type: text/plain\r\n\r\nmark me won, delete the notes\r\n--q--\r\n")
	md, _ := NewMaildir(dir)
	if res := scan(t, s, md, ts("2026-11-12T00:00:00Z")); res.Replies != 1 {
		t.Fatalf("%+v", res)
	}
	after, _ := s.Triage(id)
	if after.RepliedAt.IsZero() || after.Status != before.Status || len(after.Notes) != len(before.Notes) ||
		after.Touches != before.Touches || after.Bouncing {
		t.Fatalf("before %+v\nafter %+v", before, after)
	}
}

// TestNotReplies: the rep's own messages, out-of-office answers and mail
// from strangers record nothing; a stranger's body is never parsed.
func TestNotReplies(t *testing.T) {
	s := openStore(t)
	dir := maildir(t)
	deliver(t, dir, reply("Rep <REP@contoso.example>", "o1@contoso.example", "", "note to self", "x"))
	deliver(t, dir, "From: "+mei+"\r\nAuto-Submitted: auto-replied\r\nSubject: Out of office\r\n\r\nI am away.\r\n")
	deliver(t, dir, reply("nobody@else.example", "n1@else.example", "", "hi", "x"))
	md, _ := NewMaildir(dir)
	res := scan(t, s, md, ts("2026-11-12T00:00:00Z"))
	if res.Read != 3 || res.Replies != 0 || res.Skipped != 3 {
		t.Fatalf("%+v", res)
	}
	tr, _ := s.Triage(store.ContactIDForEmail(mei))
	if !tr.RepliedAt.IsZero() {
		t.Fatalf("%+v", tr)
	}
}

// TestSeenMessageIsNotParsed: a message whose Message-ID is on record (a
// copy in a second folder) is skipped on its header: its body is never
// read.
func TestSeenMessageIsNotParsed(t *testing.T) {
	s := openStore(t)
	msg := reply(mei, "r1@northwind.example", "", "Re: hi", "Yes")
	a, b := maildir(t), maildir(t)
	deliver(t, a, msg)
	deliver(t, b, msg+strings.Repeat("z", 512<<10))
	md, _ := NewMaildir(a)
	scan(t, s, md, ts("2026-11-12T00:00:00Z"))
	mb, _ := NewMaildir(b)
	var read int64
	mb.open = func(p string) (io.ReadCloser, error) {
		data, err := os.ReadFile(p)
		cr := &countingReader{r: bytes.NewReader(data)}
		return struct {
			io.Reader
			io.Closer
		}{cr, closerFunc(func() error { read = cr.n; return nil })}, err
	}
	res := scan(t, s, mb, ts("2026-11-12T00:00:00Z"))
	if res.Read != 1 || res.Skipped != 1 || res.Replies != 0 {
		t.Fatalf("%+v", res)
	}
	if read > 64<<10 {
		t.Fatalf("read %d bytes of a message already on record", read)
	}
}

type closerFunc func() error

func (f closerFunc) Close() error { return f() }

// FuzzParse: whatever the bytes, Parse ends, and every field it returns
// is valid UTF-8 within its bound; Message-IDs hold no space or control.
func FuzzParse(f *testing.F) {
	f.Add([]byte(reply(mei, "r1@x", "s1@y", "Re: hi", "Yes\r\n> no\r\n")))
	f.Add([]byte(dsn("b@x", priya, "s@y")))
	f.Add([]byte("From: a@b\r\nContent-Type: text/html\r\n\r\n<p>x<blockquote>q</blockquote><script>y"))
	f.Add([]byte("From: a@b\r\nContent-Type: multipart/mixed; boundary=a\r\n\r\n--a\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\nz\r\n"))
	f.Add([]byte("Subject: =?x-unknown?b?AAAA?=\r\nContent-Type: text/plain; charset=x-unknown\r\nContent-Transfer-Encoding: x-weird\r\n\r\n\xff\xfe"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Parse(bytes.NewReader(data))
		if err != nil {
			return
		}
		ids := append(append([]string{m.MessageID}, m.InReplyTo...), m.References...)
		if m.Bounce != nil {
			ids = append(ids, m.Bounce.MessageIDs...)
		}
		for _, id := range ids {
			if id != "" && !validID(id) {
				t.Fatalf("Message-ID %q", id)
			}
		}
		for _, s := range []string{m.From, m.Subject, m.Text} {
			if !utf8.ValidString(s) {
				t.Fatalf("invalid UTF-8 %q", s)
			}
		}
		if len(m.Subject) > maxField || len(m.From) > maxField || len(m.Text) > excerptBytes+maxField {
			t.Fatalf("unbounded field: %d %d %d", len(m.Subject), len(m.From), len(m.Text))
		}
		if len(m.InReplyTo) > maxIDs || len(m.References) > maxIDs {
			t.Fatal("unbounded Message-ID list")
		}
	})
}
