package mailbox

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/leads-inbox/leads/store"
	"github.com/leads-inbox/leads/store/view"
)

// TestMaildirReplyStopsCadenceAndRescanReadsNothing: a real Maildir on
// disk. A reply to a message leads sent is delivered; the scan marks the
// contact replied, stops its cadence and puts it in the Replied lane; a
// second scan of the unchanged folder opens no message file. A bounce
// delivered later marks the other contact's address.
func TestMaildirReplyStopsCadenceAndRescanReadsNothing(t *testing.T) {
	s := openStore(t)
	meiID := store.ContactIDForEmail(mei)
	sent := ts("2026-11-10T09:00:00Z")
	if _, err := s.LogSent(meiID, sent, store.DefaultCadence, "<sent.1@contoso.example>", "Your trial"); err != nil {
		t.Fatal(err)
	}
	dir := maildir(t)
	// The reply comes from another address of Mei's company: found by
	// In-Reply-To, not by From.
	deliver(t, dir, reply("Mei Lin <mei@other.example>", "r1@northwind.example", "sent.1@contoso.example",
		"Re: Your trial", "Yes, let's talk on Friday.\r\n\r\nOn Tue, 10 Nov 2026, Rep wrote:\r\n> Your trial ends soon\r\n"))
	deliver(t, dir, reply("stranger@spam.example", "s1@spam.example", "", "Buy now", "cheap"))
	opens := 0
	md := countingMaildir(t, dir, &opens)
	now := ts("2026-11-12T00:00:00Z")
	res := scan(t, s, md, now)
	if res.Read != 2 || res.Replies != 1 || res.Contacts != 1 || res.Skipped != 1 || opens != 2 {
		t.Fatalf("first scan: %+v, %d opens", res, opens)
	}
	tr, err := s.Triage(meiID)
	if err != nil {
		t.Fatal(err)
	}
	if !tr.RepliedAt.Equal(ts("2026-11-11T10:00:00Z")) || !tr.NextFollowUp.IsZero() {
		t.Fatalf("after the reply: %+v", tr)
	}
	r := view.RankOf(&view.Digest{Flags: view.FlagEmail, Last: sent.Unix()}, tr.State(), now.Unix())
	if r.Tier != view.TierReplied || !r.Lanes.Has(view.LaneReplied) {
		t.Fatalf("rank %+v", r)
	}
	h, _ := s.History(meiID)
	last := h[len(h)-1]
	if last.Kind != store.EventReply || last.Subject != "Re: Your trial" || last.Text != "Yes, let's talk on Friday." {
		t.Fatalf("timeline: %+v", last)
	}

	// Unchanged folder: nothing opened.
	opens = 0
	if res := scan(t, s, md, now); res.Read != 0 || opens != 0 {
		t.Fatalf("second scan: %+v, %d opens", res, opens)
	}

	// The mail program marks the reply read (new/ → cur/ with flags):
	// the directories change, the message is not read again.
	ents, _ := os.ReadDir(filepath.Join(dir, "new"))
	for _, e := range ents {
		if err := os.Rename(filepath.Join(dir, "new", e.Name()), filepath.Join(dir, "cur", e.Name()+":2,S")); err != nil {
			t.Fatal(err)
		}
	}
	if res := scan(t, s, md, now); res.Read != 0 || opens != 0 {
		t.Fatalf("scan after flags changed: %+v, %d opens", res, opens)
	}

	// A bounce of a message to Priya.
	if _, err := s.LogSent(store.ContactIDForEmail(priya), sent, store.DefaultCadence, "<sent.2@contoso.example>", "Hello"); err != nil {
		t.Fatal(err)
	}
	deliver(t, dir, dsn("b1@mx.contoso.example", priya, "sent.2@contoso.example"))
	res = scan(t, s, md, now)
	if res.Read != 1 || res.Bounces != 1 || opens != 1 {
		t.Fatalf("bounce scan: %+v, %d opens", res, opens)
	}
	pt, _ := s.Triage(store.ContactIDForEmail(priya))
	if !pt.Bouncing || !pt.RepliedAt.IsZero() {
		t.Fatalf("Priya after the bounce: %+v", pt)
	}
	// The folder never changed under the scans: nothing renamed, nothing
	// written (three files, the names as delivered or as the test moved them).
	cur, _ := os.ReadDir(filepath.Join(dir, "cur"))
	nw, _ := os.ReadDir(filepath.Join(dir, "new"))
	if len(cur) != 2 || len(nw) != 1 {
		t.Fatalf("folder changed: cur %d, new %d", len(cur), len(nw))
	}
}

// TestMaildirUnchangedFolderIsNotListed: when neither directory's time
// changed (and is not too recent to trust), the scan does not even list
// the folder; a cursor saved right after a delivery is listed again, so a
// message delivered in the same clock tick is not missed.
func TestMaildirUnchangedFolderIsNotListed(t *testing.T) {
	dir := maildir(t)
	deliver(t, dir, reply(mei, "a@x", "", "hi", "hello"))
	opens := 0
	md := countingMaildir(t, dir, &opens)
	ctx := context.Background()
	read := func(string, io.Reader) error { return nil }
	// Just after the delivery: the times are too fresh to trust.
	c1, err := md.Scan(ctx, nil, read)
	if err != nil || opens != 1 {
		t.Fatal(err, opens)
	}
	if _, mt, _ := decodeCursor(c1); mt != [2]int64{} {
		t.Fatalf("fresh directory times were trusted: %v", mt)
	}
	// A later scan: the names are listed (no open), and the times kept.
	md.now = func() time.Time { return time.Now().Add(time.Hour) }
	c2, err := md.Scan(ctx, c1, read)
	if err != nil || opens != 1 {
		t.Fatal(err, opens)
	}
	// Now the folder is not listed at all: with new/ unreadable a listing
	// would fail, so the scan must not list it. (A stat still works.)
	md.open = func(string) (io.ReadCloser, error) { t.Fatal("opened a message"); return nil, nil }
	newDir := filepath.Join(dir, "new")
	moved := newDir + ".away"
	if err := os.Rename(newDir, moved); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(newDir, 0o700); err != nil {
		t.Fatal(err)
	}
	// Restore new/'s time: the new directory is a different one, but a
	// same-time directory stands for "unchanged" in the cursor.
	fi, _ := os.Stat(moved)
	if err := os.Chtimes(newDir, fi.ModTime(), fi.ModTime()); err != nil {
		t.Fatal(err)
	}
	c3, err := md.Scan(ctx, c2, read)
	if err != nil || string(c3) != string(c2) {
		t.Fatalf("unchanged folder: %v, cursor changed %v", err, string(c3) != string(c2))
	}
}

// TestMaildirGoneIsOneLine: a folder that disappears gives one line that
// names it and says what to do; the saved cursor is kept.
func TestMaildirGoneIsOneLine(t *testing.T) {
	s := openStore(t)
	dir := maildir(t)
	deliver(t, dir, reply(mei, "a@x", "", "hi", "hello"))
	md, _ := NewMaildir(dir)
	scan(t, s, md, time.Now())
	before, _ := s.MailCursor(md.ID())
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	err := NewScanner(s, Options{}).Scan(context.Background(), md)
	if err == nil {
		t.Fatal("no error for a missing folder")
	}
	if msg := err.Error(); strings.ContainsAny(msg, "\r\n") || !strings.Contains(msg, dir) || !strings.Contains(msg, "[mail] maildir") {
		t.Fatalf("error: %q", msg)
	}
	after, _ := s.MailCursor(md.ID())
	if string(after) != string(before) {
		t.Fatal("the cursor changed on a failed scan")
	}
}

// TestMaildirSkipsWhatIsNotAMessage: a FIFO (which would block an open
// forever), a symbolic link and the mail program's dot files are not
// read.
func TestMaildirSkipsWhatIsNotAMessage(t *testing.T) {
	dir := maildir(t)
	if err := mkfifo(filepath.Join(dir, "cur", "1.fifo:2,S")); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	if err := os.Symlink("/etc/passwd", filepath.Join(dir, "new", "2.link")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "cur", ".uidvalidity"), []byte("1"), 0o600); err != nil {
		t.Fatal(err)
	}
	deliver(t, dir, reply(mei, "a@x", "", "hi", "hello"))
	md, _ := NewMaildir(dir)
	var keys []string
	done := make(chan error, 1)
	go func() {
		_, err := md.Scan(context.Background(), nil, func(k string, r io.Reader) error {
			keys = append(keys, k)
			return nil
		})
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil || len(keys) != 1 {
			t.Fatalf("%v, read %q", err, keys)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the scan blocked on a FIFO")
	}
}

// TestMaildirStopsAtAFailedRecord: an error from the record stops the
// scan, and the cursor it returns covers only what was recorded, so the
// next scan reads the failed message again.
func TestMaildirStopsAtAFailedRecord(t *testing.T) {
	dir := maildir(t)
	deliver(t, dir, reply(mei, "a@x", "", "one", "1"))
	deliver(t, dir, reply(mei, "b@x", "", "two", "2"))
	md, _ := NewMaildir(dir)
	n := 0
	c, err := md.Scan(context.Background(), nil, func(string, io.Reader) error {
		n++
		if n == 2 {
			return io.ErrUnexpectedEOF
		}
		return nil
	})
	if err == nil {
		t.Fatal("no error")
	}
	again := 0
	if _, err := md.Scan(context.Background(), c, func(string, io.Reader) error { again++; return nil }); err != nil || again != 1 {
		t.Fatalf("after a failed record: %v, %d read again", err, again)
	}
}

// TestUniqueName: the key is the name before the info part, whatever
// flags the mail program adds.
func TestUniqueName(t *testing.T) {
	for in, want := range map[string]string{
		"1700000000.M1P2.host":          "1700000000.M1P2.host",
		"1700000000.M1P2.host:2,S":      "1700000000.M1P2.host",
		"1700000000.M1P2.host:2,RS":     "1700000000.M1P2.host",
		"1700000000_0.1.host,U=12:2,FS": "1700000000_0.1.host,U=12",
		"1700000000.R5.host,U=3;2,S":    "1700000000.R5.host,U=3",
	} {
		if got := uniqueName(in); got != want {
			t.Errorf("uniqueName(%q) = %q, want %q", in, got, want)
		}
	}
}
