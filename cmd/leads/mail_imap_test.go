package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/leads-inbox/leads/importer/mailbox/dovecottest"
	"github.com/leads-inbox/leads/store"
)

// TestMailCommandReadsIMAP: 'leads mail' against a real Dovecot: Mei's
// reply marks her replied, a second run reads nothing, a bounce appended
// later marks her address bouncing.
func TestMailCommandReadsIMAP(t *testing.T) {
	srv := dovecottest.Start(t)
	db, getenv := draftDB(t)
	pw := filepath.Join(t.TempDir(), "pw.sh")
	if err := os.WriteFile(pw, []byte("#!/bin/sh\necho "+dovecottest.Password+"\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	cfgFile := filepath.Join(getenv("XDG_CONFIG_HOME"), "leads", "config.toml")
	body, _ := os.ReadFile(cfgFile)
	body = []byte(strings.Replace(string(body), "[other]\nkey = 1\n", "", 1) +
		"\n[mail]\nimap_host = \"127.0.0.1\"\nimap_port = " + strconv.Itoa(srv.PlainPort) +
		"\nimap_security = \"none\"\nimap_user = \"" + dovecottest.User + "\"\npassword_command = \"" + pw + "\"\n")
	if err := os.WriteFile(cfgFile, body, 0o600); err != nil {
		t.Fatal(err)
	}
	srv.Append(t, "INBOX", []byte("From: Mei Lin <mei.lin@northwind.example>\r\nSubject: Re: pricing\r\nMessage-ID: <r1@northwind.example>\r\nDate: Tue, 10 Nov 2026 08:00:00 +0000\r\n\r\nYes, 200 seats.\r\n"))
	srv.Append(t, "INBOX", []byte("From: spam@else.example\r\nSubject: offer\r\nMessage-ID: <s@else.example>\r\n\r\nbuy\r\n"))
	code, out, errOut := mailCLI(t, db, getenv, "mail")
	if code != exitOK || out != "2 read, 1 reply recorded (1 contact), 0 bounces, 1 skipped\n" {
		t.Fatalf("first run: %d %q %q", code, out, errOut)
	}
	code, out, errOut = mailCLI(t, db, getenv, "mail")
	if code != exitOK || out != "0 read, 0 replies recorded (0 contacts), 0 bounces, 0 skipped\n" {
		t.Fatalf("second run: %d %q %q", code, out, errOut)
	}
	// A bounce is believed only for a contact that was written to.
	ws, err := store.Open(db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ws.LogTouch(store.ContactIDForEmail("mei.lin@northwind.example"), time.Date(2026, 11, 10, 8, 10, 0, 0, time.UTC), store.DefaultCadence, ""); err != nil {
		t.Fatal(err)
	}
	if err := ws.Close(); err != nil {
		t.Fatal(err)
	}
	srv.Append(t, "INBOX", []byte("From: Mail Delivery System <MAILER-DAEMON@mx.example.com>\r\nSubject: Undelivered Mail\r\nMessage-ID: <b1@mx.example.com>\r\nDate: Tue, 10 Nov 2026 08:30:00 +0000\r\nMIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: text/plain\r\n\r\nfailed\r\n--b1\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.com\r\n\r\nFinal-Recipient: rfc822; mei.lin@northwind.example\r\nAction: failed\r\nStatus: 5.1.1\r\n--b1--\r\n"))
	code, out, errOut = mailCLI(t, db, getenv, "mail")
	if code != exitOK || out != "1 read, 0 replies recorded (0 contacts), 1 bounce, 0 skipped\n" {
		t.Fatalf("third run: %d %q %q", code, out, errOut)
	}
	s, err := store.Open(db, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	tr, _ := s.Triage(store.ContactIDForEmail("mei.lin@northwind.example"))
	if !tr.RepliedAt.Equal(time.Date(2026, 11, 10, 8, 0, 0, 0, time.UTC)) || !tr.Bouncing {
		t.Fatalf("%+v", tr)
	}
}
