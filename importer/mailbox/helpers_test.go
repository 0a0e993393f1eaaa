package mailbox

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/leads-inbox/leads/store"
)

// Addresses of the test contacts.
const (
	mei   = "mei.lin@northwind.example"
	priya = "priya@adatum.example"
	rep   = "rep@contoso.example"
)

func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// openStore returns a store with two contacts, Mei and Priya.
func openStore(t testing.TB) *store.Store {
	t.Helper()
	s, err := store.Open(filepath.Join(t.TempDir(), "leads.db"), store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	mk := func(rk, email, first string) store.Lead {
		return store.Lead{
			Origin:   store.Origin{File: "x.csv", Line: 2, PartitionKey: "p", RowKey: rk},
			Source:   "AppSource",
			Action:   "INS",
			OfferID:  "contoso.inventory-pro",
			Created:  ts("2026-11-02T08:14:05Z"),
			Customer: store.Customer{FirstName: first, LastName: "Lin", Email: email, Company: "Northwind"},
		}
	}
	if _, err := s.Upsert([]store.Lead{mk("1", mei, "Mei"), mk("2", priya, "Priya")}, store.UpsertOptions{}); err != nil {
		t.Fatal(err)
	}
	return s
}

// maildir makes an empty Maildir (cur, new, tmp) under the test's temp dir.
func maildir(t testing.TB) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "INBOX")
	for _, d := range []string{"cur", "new", "tmp"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

var deliveries int

// deliver writes a message into dir/new the way a delivery agent does
// (tmp/ first, then a rename), and returns its file name.
func deliver(t testing.TB, dir, msg string) string {
	t.Helper()
	deliveries++
	name := fmt.Sprintf("%d.M%dP%d.testhost", time.Now().Unix(), deliveries, os.Getpid())
	tmp := filepath.Join(dir, "tmp", name)
	if err := os.WriteFile(tmp, []byte(msg), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, "new", name)); err != nil {
		t.Fatal(err)
	}
	return name
}

// countingMaildir opens dir with its opens counted.
func countingMaildir(t testing.TB, dir string, opens *int) *Maildir {
	t.Helper()
	m, err := NewMaildir(dir)
	if err != nil {
		t.Fatal(err)
	}
	m.open = func(p string) (io.ReadCloser, error) {
		*opens++
		return os.Open(p)
	}
	return m
}

// scan runs one scan of src into s.
func scan(t testing.TB, s *store.Store, src Source, now time.Time) Result {
	t.Helper()
	sc := NewScanner(s, Options{Own: []string{rep}, Now: func() time.Time { return now },
		Warn: func(w string) { t.Log("warn:", w) }})
	if err := sc.Scan(context.Background(), src); err != nil {
		t.Fatal(err)
	}
	return sc.Result()
}

// reply is a plain reply from from, answering inReplyTo.
func reply(from, msgID, inReplyTo, subject, body string) string {
	h := "From: " + from + "\r\nTo: " + rep + "\r\nSubject: " + subject + "\r\nDate: Wed, 11 Nov 2026 10:00:00 +0000\r\n"
	if msgID != "" {
		h += "Message-ID: <" + msgID + ">\r\n"
	}
	if inReplyTo != "" {
		h += "In-Reply-To: <" + inReplyTo + ">\r\nReferences: <" + inReplyTo + ">\r\n"
	}
	return h + "Content-Type: text/plain; charset=utf-8\r\n\r\n" + body
}

// dsn is a standard delivery-status report of a failure to deliver
// original (a Message-ID) to rcpt.
func dsn(msgID, rcpt, original string) string {
	return "From: MAILER-DAEMON@mx.contoso.example\r\nTo: " + rep + "\r\nSubject: Undelivered Mail Returned to Sender\r\n" +
		"Date: Thu, 12 Nov 2026 08:00:00 +0000\r\nMessage-ID: <" + msgID + ">\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\r\n\r\n" +
		"--B\r\nContent-Type: text/plain\r\n\r\nThis is the mail system. Your message could not be delivered.\r\n" +
		"--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.contoso.example\r\n\r\n" +
		"Final-Recipient: rfc822; " + rcpt + "\r\nOriginal-Recipient: rfc822;" + rcpt + "\r\nAction: failed\r\nStatus: 5.1.1\r\n" +
		"Diagnostic-Code: smtp; 550 5.1.1 <" + rcpt + ">: Recipient address rejected\r\n\r\n" +
		"--B\r\nContent-Type: text/rfc822-headers\r\n\r\nFrom: " + rep + "\r\nTo: " + rcpt + "\r\nMessage-ID: <" + original + ">\r\nSubject: Your trial\r\n\r\n" +
		"--B--\r\n"
}
