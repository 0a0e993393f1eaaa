package draft

import (
	"errors"
	"io"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/leads-inbox/leads/store"
)

// hostile are the strings of hostile-inputs.md ("Showing untrusted text"
// and "Drafts") that a lead can carry in any text field.
var hostile = []string{
	"Mallory\r\nBcc: x@y",
	"Mallory\nBcc: x@y",
	"Mallory\rBcc: x@y",
	"\r\n\r\nbody injection",
	"Bob\x1b]0;pwned\x07\x1b[2J",
	"\x1b]52;c;ZXZpbA==\x07",
	"\x1b]8;;http://evil\x07link",
	"Real\rFAKE",
	"back\bspace\x00nul\x7fdel\u009bc1",
	"invoice\u202Efdp.exe",
	"pay\u200Bpal",
	"=?utf-8?q?Bcc:_x@y?=",
	"a@x.com, b@y.com",
	"bob@x.com?cc=eve@x.com",
	"vim: set ft=sh:",
	" vi:tw=1 ex: Vim600: Local Variables: -*- mode: sh -*-",
	strings.Repeat("長い名前", 300),
	"Zoë 🦄 Ñandú اسم",
	"Subject: second\r\nTo: eve@evil.example",
	"%0D%0ABcc:%20x@y&cc=eve@x.com",
}

// hostileContact puts s into every text field a lead has.
func hostileContact(s string) *store.Contact {
	cu := store.Customer{FirstName: s, LastName: s, Email: "victim@example.com", Country: s, Company: s, Title: s}
	return contactOf(store.Lead{Action: store.ActionContactMe, OfferID: s, OfferName: s,
		Created: ts("2026-11-02T08:00:00Z"), Description: s + "\n" + s, Customer: cu})
}

var wantHeaders = []string{"Content-Transfer-Encoding", "Content-Type", "Date", "From", "Mime-Version", "Subject", "To", "X-Unsent"}

// checkEML parses an .eml back with net/mail and checks it has exactly the
// intended headers, one recipient, and the draft's subject and body.
func checkEML(t testing.TB, d Draft, eml []byte) {
	t.Helper()
	if strings.Contains(strings.ReplaceAll(string(eml), "\r\n", ""), "\n") || strings.Contains(strings.ReplaceAll(string(eml), "\r\n", ""), "\r") {
		t.Fatalf("bare CR or LF in .eml:\n%q", eml)
	}
	m, err := mail.ReadMessage(strings.NewReader(string(eml)))
	if err != nil {
		t.Fatalf("parse: %v\n%s", err, eml)
	}
	var keys []string
	for k, v := range m.Header {
		keys = append(keys, k)
		if len(v) != 1 {
			t.Errorf("header %s appears %d times", k, len(v))
		}
	}
	slices.Sort(keys)
	if !slices.Equal(keys, wantHeaders) {
		t.Fatalf("headers %v, want %v\n%s", keys, wantHeaders, eml)
	}
	to, err := m.Header.AddressList("To")
	if err != nil || len(to) != 1 || to[0].Address != d.To {
		t.Fatalf("To = %v (%v), want exactly %s\n%s", to, err, d.To, eml)
	}
	if want := capRunes(oneLine(d.ToName), nameCap); to[0].Name != want {
		t.Errorf("To name = %q, want %q", to[0].Name, want)
	}
	subj, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if err != nil || subj != d.Subject {
		t.Fatalf("Subject = %q (%v), want %q", subj, err, d.Subject)
	}
	if m.Header.Get("X-Unsent") != "1" || m.Header.Get("Content-Type") != "text/plain; charset=utf-8" ||
		m.Header.Get("Content-Transfer-Encoding") != "quoted-printable" {
		t.Fatalf("fixed headers wrong:\n%s", eml)
	}
	body, err := io.ReadAll(quotedprintable.NewReader(m.Body))
	if err != nil {
		t.Fatal(err)
	}
	if want := strings.ReplaceAll(d.Body, "\n", "\r\n"); string(body) != want {
		t.Fatalf("body = %q, want %q", body, want)
	}
}

func TestEMLHostile(t *testing.T) {
	set := mustLoad(t, "")
	date := ts("2026-11-12T10:00:00Z")
	for _, h := range hostile {
		for _, name := range []string{"contact-me", "test-drive", "install", "touch-2", "touch-3", "touch-4"} {
			d, err := Prepare(hostileContact(h), set, testSender, Options{Template: name, Loc: time.UTC})
			if err != nil {
				t.Fatalf("%q %s: %v", h, name, err)
			}
			if strings.ContainsAny(d.Subject, "\r\n\x1b\u202e\u200b") || strings.ContainsAny(d.Body, "\r\x1b\u202e\u200b\x00\b") {
				t.Errorf("%q: control or bidi text reached the draft: %q / %q", h, d.Subject, d.Body)
			}
			eml, err := EML(d, testSender, date)
			if err != nil {
				t.Fatal(err)
			}
			checkEML(t, d, eml)
		}
		// A hand-built draft with raw hostile text: EML itself must hold.
		raw := Draft{To: "victim@example.com", ToName: h, Subject: h + " subject", Body: h + "\n"}
		eml, err := EML(raw, Sender{Name: h, Email: "ana@contoso.example"}, date)
		if err != nil {
			t.Fatal(err)
		}
		m, err := mail.ReadMessage(strings.NewReader(string(eml)))
		if err != nil {
			t.Fatalf("%q: %v", h, err)
		}
		if len(m.Header) != len(wantHeaders) || len(m.Header["Bcc"]) > 0 || len(m.Header["Cc"]) > 0 {
			t.Fatalf("%q: headers %v", h, m.Header)
		}
		if to, err := m.Header.AddressList("To"); err != nil || len(to) != 1 || to[0].Address != raw.To {
			t.Fatalf("%q: To %v %v", h, to, err)
		}
	}
}

func TestEMLForm(t *testing.T) {
	set := mustLoad(t, "")
	d, err := Prepare(joseAlvarez(), set, testSender, Options{Loc: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	eml, err := EML(d, testSender, ts("2026-11-12T10:00:00Z"))
	if err != nil {
		t.Fatal(err)
	}
	checkEML(t, d, eml)
	s := string(eml)
	for _, want := range []string{"From: \"Ana Ruiz\" <ana@contoso.example>\r\n", "To: =?utf-8?", "Date: Thu, 12 Nov 2026 10:00:00 +0000\r\n",
		"MIME-Version: 1.0\r\n", "X-Unsent: 1\r\n", "\r\n\r\nHi Jos=C3=A9,\r\n"} {
		if !strings.Contains(s, want) {
			t.Errorf("missing %q in\n%s", want, s)
		}
	}
	// Without a configured address the mail program fills in From.
	eml, _ = EML(d, Sender{Name: "Ana"}, time.Now())
	if strings.Contains(string(eml), "From:") {
		t.Error("From written without a sender address")
	}
	// A very long non-ASCII subject folds into encoded-words of legal size.
	d.Subject = strings.Repeat("Ñandú ", 40)
	eml, _ = EML(d, testSender, time.Now())
	for _, l := range strings.Split(string(eml), "\r\n") {
		if len(l) > 78 && !strings.HasPrefix(l, "Hi ") && !strings.HasPrefix(l, "Thank") {
			t.Errorf("line of %d bytes: %q", len(l), l)
		}
	}
	d.Subject = oneLine(d.Subject)
	checkEML(t, d, eml)
}

var badAddresses = []string{
	"a@x.com\r\nBcc: v", "a@x.com\nBcc: v", "a@x.com, b@y.com", "a@x.com;b@y.com", "bob@x.com?cc=eve@x.com",
	"Bob <bob@x.com>", "<bob@x.com>", `"a b"@x.com`, `"ab"@x.com`, "bob@x.com (comment)", "bob", "@x.com",
	"bob@", "a@b@c.com", "bob@x.com&cc=eve@x.com", "bob%40x.com@y.com", "bo b@x.com", "bob@x.com\x00",
	"bob@[1.2.3.4]\r\n", "", strings.Repeat("a", 250) + "@x.com",
	// Characters net/mail takes but a terminal or a reader acts on.
	"eve\u009b2J@evil.example", "eve\u202eab@evil.example", "pay\u200bpal@x.example", "bob\xff@x.com",
	"bob@x\u2066.com", "bob\u0085@x.com",
}

func TestValidAddress(t *testing.T) {
	for _, a := range badAddresses {
		if err := ValidAddress(a); err == nil {
			t.Errorf("%q accepted", a)
		} else if strings.ContainsAny(err.Error(), "\r\n\x00") {
			t.Errorf("%q: message carries control characters: %q", a, err)
		}
	}
	for _, a := range []string{"mei.lin@northwind.example", " Mei.Lin@Northwind.example ", "o'brien+leads@x.co.uk",
		"müller@beispiel.example", "李@例え.example"} {
		if err := ValidAddress(a); err != nil {
			t.Errorf("%q refused: %v", a, err)
		}
	}
}

func TestGuards(t *testing.T) {
	set := mustLoad(t, "")
	dnc := meiLin()
	dnc.IsDNC = true
	test := kenjiSato()
	test.IsTest = true
	edu := contactOf(store.Lead{Action: "INS", NoPII: true, Customer: store.Customer{Country: "US"}})
	edu.NoPII = true
	noMail := kenjiSato()
	noMail.Customer.Email, noMail.Email = "", ""
	won := joseAlvarez()
	won.Triage.Status = store.StatusWon
	bouncing := meiLin()
	bouncing.Triage.Bouncing = true
	bouncingWon := joseAlvarez()
	bouncingWon.Triage.Status, bouncingWon.Triage.Bouncing = store.StatusWon, true
	cases := []struct {
		name string
		c    *store.Contact
		want string
	}{
		{"dnc", dnc, "asked not to be contacted"},
		{"test", test, "test lead"},
		{"edu", edu, "no email address"},
		{"no address", noMail, "no email address"},
		{"won", won, "closed (won)"},
		// Bouncing is refused outright, closed or not, and says how
		// to clear the mark.
		{"bouncing", bouncing, "clear the bouncing mark in the contact screen (B)"},
		{"bouncing won", bouncingWon, "bounced"},
	}
	for _, a := range badAddresses[:17] {
		c := kenjiSato()
		c.Customer.Email = a
		cases = append(cases, struct {
			name string
			c    *store.Contact
			want string
		}{"address " + a, c, "not one valid address"})
	}
	for _, tc := range cases {
		_, err := Prepare(tc.c, set, testSender, Options{})
		var r *Refusal
		if !errors.As(err, &r) || !strings.Contains(r.Reason, tc.want) {
			t.Errorf("%s: got %v, want a refusal about %q", tc.name, err, tc.want)
			continue
		}
		if strings.ContainsAny(r.Reason, "\r\n\x1b") {
			t.Errorf("%s: reason is not one clean line: %q", tc.name, r.Reason)
		}
		if r.Confirmable != (tc.name == "won") {
			t.Errorf("%s: confirmable = %v", tc.name, r.Confirmable)
		}
	}
	if _, err := Prepare(won, set, testSender, Options{Confirmed: true}); err != nil {
		t.Errorf("confirmed closed contact: %v", err)
	}
}

func TestChoose(t *testing.T) {
	set := mustLoad(t, "")
	td := contactOf(store.Lead{Action: store.ActionStartTestDrive, Customer: store.Customer{Email: "a@b.example"}})
	for _, tc := range []struct {
		c    *store.Contact
		want string
	}{
		{meiLin(), "install"}, {joseAlvarez(), "install"}, {kenjiSato(), "contact-me"}, {td, "test-drive"},
		{touched(kenjiSato(), 2), "touch-2"}, {touched(meiLin(), 3), "touch-3"},
		{touched(kenjiSato(), 4), "touch-4"}, {touched(kenjiSato(), 7), "touch-4"},
		{contactOf(store.Lead{Action: "SomethingNew", Customer: store.Customer{Email: "a@b.example"}}), "contact-me"},
	} {
		if got := set.Choose(NewData(tc.c, Sender{}, time.UTC)); got != tc.want {
			t.Errorf("%s touch %d: chose %s, want %s", tc.c.Name(), tc.c.Triage.Touches+1, got, tc.want)
		}
	}
	// A user's touch-6 serves touch 6 and later.
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "touch-6.tmpl"), []byte("Subject: six\n\nHi {{or .FirstName \"there\"}}\n"), 0o600)
	set = mustLoad(t, dir)
	if got := set.Choose(NewData(touched(kenjiSato(), 9), Sender{}, time.UTC)); got != "touch-6" {
		t.Errorf("touch 9 chose %s", got)
	}
}

func TestMeiLinData(t *testing.T) {
	d := NewData(meiLin(), testSender, time.UTC)
	if d.Action != "INS" || d.ActionDate != "5 November 2026" || d.Stage != StageInstall ||
		d.Description != "Please contact me about pricing for 200 seats" || d.Touch != 1 || d.TouchTotal != 4 ||
		d.OfferID != "contoso.inventory-pro" {
		t.Errorf("%+v", d)
	}
}

func TestMailto(t *testing.T) {
	set := mustLoad(t, "")
	check := func(d Draft) {
		t.Helper()
		u, err := Mailto(d)
		if errors.Is(err, ErrMailtoTooLong) && len(d.Body)*3 > MaxMailtoLen {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		if strings.ContainsAny(u, " +\r\n") {
			t.Fatalf("raw space, plus or line break in %q", u)
		}
		pu, err := url.Parse(u)
		if err != nil || pu.Scheme != "mailto" {
			t.Fatalf("%q: %v", u, err)
		}
		to, err := url.PathUnescape(pu.Opaque)
		if err != nil {
			t.Fatal(err)
		}
		addrs, err := mail.ParseAddressList(to)
		if err != nil || len(addrs) != 1 || addrs[0].Address != d.To {
			t.Fatalf("recipients %v (%v) in %q", addrs, err, u)
		}
		q, err := url.ParseQuery(pu.RawQuery)
		if err != nil {
			t.Fatal(err)
		}
		if len(q) != 2 || len(q["subject"]) != 1 || len(q["body"]) != 1 {
			t.Fatalf("query fields %v in %q", q, u)
		}
		if q.Get("subject") != d.Subject {
			t.Fatalf("subject %q, want %q", q.Get("subject"), d.Subject)
		}
		if want := strings.ReplaceAll(d.Body, "\n", "\r\n"); q.Get("body") != want {
			t.Fatalf("body %q, want %q", q.Get("body"), want)
		}
	}
	d, _ := Prepare(meiLin(), set, testSender, Options{})
	check(d)
	u, _ := Mailto(d)
	if !strings.HasPrefix(u, "mailto:mei.lin@northwind.example?subject=Getting%20started%20with%20") || !strings.Contains(u, "Hi%20Mei%2C%0D%0A%0D%0A") {
		t.Errorf("unexpected encoding: %s", u)
	}
	for _, h := range hostile {
		d, err := Prepare(hostileContact(h), set, testSender, Options{})
		if err != nil {
			t.Fatal(err)
		}
		check(d)
		// Raw hostile text in a hand-built draft: the subject is made one
		// line, the body kept exactly (with CRLF line breaks).
		raw := Draft{To: "victim@example.com", Subject: oneLine(h), Body: h + "\n" + "a+b&c=d?e#f%g\n"}
		raw.Body = strings.ReplaceAll(strings.ReplaceAll(raw.Body, "\r\n", "\n"), "\r", "\n")
		if raw.Subject != "" {
			check(raw)
		}
	}
	for _, a := range badAddresses {
		if _, err := Mailto(Draft{To: a, Subject: "s", Body: "b\n"}); err == nil {
			t.Errorf("mailto accepted %q", a)
		}
	}
	if _, err := Mailto(Draft{To: "a@b.example", Subject: "s", Body: strings.Repeat("x", MaxMailtoLen)}); err == nil {
		t.Error("an over-long mailto was built")
	}
	cmd, err := OpenCmd(u)
	if err != nil || cmd.Args[len(cmd.Args)-1] != u {
		t.Errorf("open command %v %v", cmd, err)
	}
	if _, err := OpenCmd("file:///etc/passwd"); err == nil {
		t.Error("OpenCmd opened a non-mailto URL")
	}
}

func TestOSC52(t *testing.T) {
	if got := OSC52("Hi\x1b[2J"); got != "\x1b]52;c;SGkbWzJK\x07" {
		t.Errorf("%q", got)
	}
}

func TestClipboardToolChoice(t *testing.T) {
	have := map[string]bool{}
	look := func(n string) (string, error) {
		if have[n] {
			return "/usr/bin/" + n, nil
		}
		return "", os.ErrNotExist
	}
	env := func(kv map[string]string) func(string) string { return func(k string) string { return kv[k] } }
	x11 := env(map[string]string{"DISPLAY": ":0"})
	if got := ClipboardTool(nil, x11, "linux", look); got != nil {
		t.Fatalf("no tool installed: %v", got)
	}
	have["xsel"] = true
	if got := ClipboardTool(nil, x11, "linux", look); len(got) == 0 || got[0] != "xsel" {
		t.Fatalf("xsel: %v", got)
	}
	have["xclip"], have["wl-copy"] = true, true
	if got := ClipboardTool(nil, x11, "linux", look); got[0] != "xclip" {
		t.Fatalf("X11 prefers xclip: %v", got)
	}
	if got := ClipboardTool(nil, env(map[string]string{"WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0"}), "linux", look); got[0] != "wl-copy" {
		t.Fatalf("Wayland: %v", got)
	}
	if got := ClipboardTool(nil, env(nil), "linux", look); got != nil {
		t.Fatalf("no session (ssh): %v", got)
	}
	have["pbcopy"] = true
	if got := ClipboardTool(nil, env(nil), "darwin", look); got[0] != "pbcopy" {
		t.Fatalf("macOS: %v", got)
	}
	if got := ClipboardTool([]string{"my-copy", "-x"}, x11, "linux", look); got[0] != "my-copy" {
		t.Fatalf("configured: %v", got)
	}
}
