package mailbox

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/leads-inbox/leads/store"
)

// TestReplyWithAnImpossibleDateStillMarksReplied: a reply dated in year
// 0 (or any time before mail existed) stops the cadence, so it must also
// leave the contact replied; otherwise the contact is neither due nor in
// the Replied view and the answer is lost from sight. Such a date counts
// as the time of the scan, like a date in the future.
func TestReplyWithAnImpossibleDateStillMarksReplied(t *testing.T) {
	for _, date := range []string{"Sat, 01 Jan 0000 00:00:00 +0000", "Mon, 01 Jan 1900 00:00:00 +0000"} {
		s := openStore(t)
		dir := maildir(t)
		deliver(t, dir, "From: "+mei+"\r\nSubject: yes\r\nMessage-ID: <old@n.example>\r\nDate: "+date+"\r\n\r\nyes\r\n")
		md, _ := NewMaildir(dir)
		now := ts("2026-11-12T00:00:00Z")
		if res := scan(t, s, md, now); res.Replies != 1 {
			t.Fatalf("%s: %+v", date, res)
		}
		tr, _ := s.Triage(store.ContactIDForEmail(mei))
		if !tr.RepliedAt.Equal(now) {
			t.Fatalf("%s: replied at %v, want the scan's time %v", date, tr.RepliedAt, now)
		}
	}
}

// TestBounceWithAnImpossibleDateIsDatedNow: the same for a bounce.
func TestBounceWithAnImpossibleDateIsDatedNow(t *testing.T) {
	s := openStore(t)
	id := store.ContactIDForEmail(mei)
	if _, err := s.LogSent(id, ts("2026-11-10T00:00:00Z"), store.DefaultCadence, "sent1@contoso.example", "hi"); err != nil {
		t.Fatal(err)
	}
	dir := maildir(t)
	deliver(t, dir, strings.Replace(dsn("d0@mx.example", mei, "sent1@contoso.example"),
		"Thu, 12 Nov 2026 08:00:00 +0000", "Sat, 01 Jan 0000 00:00:00 +0000", 1))
	md, _ := NewMaildir(dir)
	now := ts("2026-11-12T00:00:00Z")
	scan(t, s, md, now)
	tr, _ := s.Triage(id)
	if !tr.Bouncing || !tr.BouncedAt.Equal(now) {
		t.Fatalf("%+v", tr)
	}
}

// TestReplyWithoutAUsableMessageIDIsRecordedOnce: a reply with no
// Message-ID, or one that cannot be a key (2,000 bytes, a space, a NUL),
// found twice (a copy in a second folder, an IMAP folder read anew) is
// one reply in the timeline, not one per copy.
func TestReplyWithoutAUsableMessageIDIsRecordedOnce(t *testing.T) {
	for _, hdr := range []string{"", "Message-ID: <" + strings.Repeat("a", 2000) + "@x>\r\n",
		"Message-ID: <a b@x>\r\n", "Message-ID: <a\x00b@x>\r\n"} {
		s := openStore(t)
		msg := "From: " + mei + "\r\nSubject: no id\r\n" + hdr + "Date: Wed, 11 Nov 2026 10:00:00 +0000\r\n\r\nhello\r\n"
		a, b := maildir(t), maildir(t)
		deliver(t, a, msg)
		deliver(t, b, msg)
		now := ts("2026-11-12T00:00:00Z")
		ma, _ := NewMaildir(a)
		mb, _ := NewMaildir(b)
		r1, r2 := scan(t, s, ma, now), scan(t, s, mb, now)
		if r1.Replies+r2.Replies != 1 {
			t.Fatalf("%q: %+v then %+v", hdr, r1, r2)
		}
		evs := replyEvents(t, s, mei)
		if evs != 1 {
			t.Fatalf("%q: %d reply events", hdr, evs)
		}
	}
}

// replyEvents counts the reply events in a contact's history.
func replyEvents(t *testing.T, s *store.Store, email string) int {
	t.Helper()
	h, err := s.History(store.ContactIDForEmail(email))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range h {
		if e.Kind == store.EventReply {
			n++
		}
	}
	return n
}

// TestForgedDSNCannotMarkAnUnmailedContact: anyone can write a delivery
// report. One naming a contact that was never written to did not come
// back from our mail, and must not stop the rep's drafts to them.
func TestForgedDSNCannotMarkAnUnmailedContact(t *testing.T) {
	s := openStore(t)
	dir := maildir(t)
	deliver(t, dir, strings.Replace(dsn("forged@evil.example", priya, "unknown@evil.example"),
		"MAILER-DAEMON@mx.contoso.example", "eve@evil.example", 1))
	md, _ := NewMaildir(dir)
	res := scan(t, s, md, ts("2026-11-12T00:00:00Z"))
	tr, _ := s.Triage(store.ContactIDForEmail(priya))
	if tr.Bouncing || res.Bounces != 0 {
		t.Fatalf("%+v %+v", res, tr)
	}
}

// TestDSNMarksOnlyTheContactItCameFor: a report that returns the message
// leads sent to Mei but names Priya (also written to) as the failed
// recipient came for Mei's message: Mei is marked, Priya is not.
func TestDSNMarksOnlyTheContactItCameFor(t *testing.T) {
	s := openStore(t)
	at := ts("2026-11-10T00:00:00Z")
	for _, c := range []struct{ email, id string }{{mei, "to-mei@contoso.example"}, {priya, "to-priya@contoso.example"}} {
		if _, err := s.LogSent(store.ContactIDForEmail(c.email), at, store.DefaultCadence, c.id, "hi"); err != nil {
			t.Fatal(err)
		}
	}
	dir := maildir(t)
	deliver(t, dir, dsn("d1@mx.example", priya, "to-mei@contoso.example"))
	md, _ := NewMaildir(dir)
	scan(t, s, md, ts("2026-11-12T00:00:00Z").Add(time.Hour))
	m, _ := s.Triage(store.ContactIDForEmail(mei))
	p, _ := s.Triage(store.ContactIDForEmail(priya))
	if !m.Bouncing || p.Bouncing {
		t.Fatalf("mei bouncing %v, priya bouncing %v", m.Bouncing, p.Bouncing)
	}
}

// TestMessageReplacedByALinkToAFIFOIsNotOpened: the listing saw a regular
// file, then the name became a link to a FIFO (or the FIFO itself) before
// the open. Opening it would wait forever for a writer and hang this and
// every later --mail-every scan; it is skipped with a warning instead.
func TestMessageReplacedByALinkToAFIFOIsNotOpened(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := mkfifo(fifo); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(fifo, link); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{link, fifo, filepath.Join(dir, "zero")} {
		if p == filepath.Join(dir, "zero") {
			if err := os.Symlink("/dev/zero", p); err != nil {
				t.Fatal(err)
			}
		}
		done := make(chan error, 1)
		go func() {
			f, err := openMessage(p)
			if err == nil {
				f.Close()
			}
			done <- err
		}()
		select {
		case err := <-done:
			if err == nil {
				t.Errorf("%s was opened as a message", p)
			}
		case <-time.After(20 * time.Second):
			t.Fatalf("opening %s never returned", p)
		}
	}
}

// TestReplyWithAnOutOfRangeZoneIsRecorded: "Date: … +2400" or "-2459"
// parses, but such a zone cannot be stored; the record failed, which
// stops a scan, and the same message stopped every later scan of the
// folder. The time is kept in UTC.
func TestReplyWithAnOutOfRangeZoneIsRecorded(t *testing.T) {
	for _, zone := range []string{"+2400", "-2459"} {
		s := openStore(t)
		if _, err := s.LogSent(store.ContactIDForEmail(priya), ts("2026-11-10T00:00:00Z"), store.DefaultCadence, "x@contoso.example", "hi"); err != nil {
			t.Fatal(err)
		}
		dir := maildir(t)
		deliver(t, dir, "From: "+mei+"\r\nSubject: tz\r\nMessage-ID: <tz@n.example>\r\nDate: Wed, 11 Nov 2026 10:00:00 "+zone+"\r\n\r\nhi\r\n")
		deliver(t, dir, strings.Replace(dsn("tzb@mx.example", priya, "x@contoso.example"), "+0000", zone, 1))
		deliver(t, dir, strings.Replace(reply(priya, "p2@a.example", "", "hello", "yes"), "+0000", zone, 1))
		md, _ := NewMaildir(dir)
		sc := NewScanner(s, Options{Own: []string{rep}, Now: func() time.Time { return ts("2026-11-12T00:00:00Z") }})
		if err := sc.Scan(t.Context(), md); err != nil {
			t.Fatalf("%s: %v", zone, err)
		}
		if res := sc.Result(); res.Replies != 2 || res.Bounces != 1 {
			t.Fatalf("%s: %+v", zone, res)
		}
	}
}
