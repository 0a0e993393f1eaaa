package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/leads-inbox/leads/store"
)

// hostileFirstName is a name typed to attack whatever shows it: a bell
// and an ST that would end an OSC sequence, a C1 ST, an OSC 0 title,
// a screen clear, a right-to-left override, markup, a ';' that would
// split OSC 777's fields, and 40 KB more.
var hostileFirstName = hostileStart + strings.Repeat("x", 40<<10)

const hostileStart = "Eve\a\x1b\\;\u009c\x1b]0;pwned\a\x1b[2J\u202egnp.exe<b>"

// hostileTableName is hostileFirstName as an Azure table can hold it: a
// string property holds at most 32K UTF-16 units, so the 40 KB are
// two-byte letters.
var hostileTableName = hostileStart + strings.Repeat("é", 20<<10)

// TestNoticeTextCannotActOnTheTerminal: a notice built from a hostile
// lead is short, holds no control, escape or bidi character, and an OSC
// notification built from it is exactly one sequence that the name
// cannot end early or split.
func TestNoticeTextCannotActOnTheTerminal(t *testing.T) {
	l := store.Lead{Action: "PLT", OfferName: "Contoso\x1b]8;;http://evil\aApp",
		Customer: store.Customer{FirstName: hostileFirstName, LastName: "Lin", Company: "A&B <i>Co</i>"}}
	ns := leadNotices([]store.Lead{l})
	if len(ns) != 1 {
		t.Fatalf("%d notices for one lead", len(ns))
	}
	wantBody := "Eve,gnp.exe<b>" + strings.Repeat("x", 25) + "… (A&B <i>Co</i>) · ContosoApp"
	var buf bytes.Buffer
	if err := (osc{w: &buf, code: 9}).notify(ns[0]); err != nil {
		t.Fatal(err)
	}
	if want := "\x1b]9;New Contact me lead: " + wantBody + "\a"; buf.String() != want {
		t.Fatalf("OSC 9:\n got %q\nwant %q", buf.String(), want)
	}
	buf.Reset()
	if err := (osc{w: &buf, code: 777}).notify(ns[0]); err != nil {
		t.Fatal(err)
	}
	if want := "\x1b]777;notify;New Contact me lead;" + wantBody + "\a"; buf.String() != want {
		t.Fatalf("OSC 777:\n got %q\nwant %q", buf.String(), want)
	}
	// For notify-send the body is escaped, as daemons read markup.
	if got := markupEscape(oneLineNotice(ns[0].Body)); got != strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(strings.ReplaceAll(wantBody, ",", ";")) {
		t.Fatalf("notify-send body %q", got)
	}
}

// TestManyNoticesFoldIntoOne: a round with many new hot leads or many
// follow-ups due shows one notice for each kind, not a screenful.
func TestManyNoticesFoldIntoOne(t *testing.T) {
	var hot []store.Lead
	for i := range 12 {
		action := "PLT"
		if i%4 == 0 {
			action = "StartTestDrive"
		}
		hot = append(hot, store.Lead{Action: action, Customer: store.Customer{FirstName: fmt.Sprint("P", i)}})
	}
	ns := leadNotices(hot)
	if len(ns) != 1 || ns[0] != (notice{Title: "12 new leads", Body: "9 Contact me, 3 Test Drive"}) {
		t.Fatalf("12 leads: %+v", ns)
	}
	if ns := leadNotices(hot[:3]); len(ns) != 3 {
		t.Fatalf("3 leads: %+v", ns)
	}
	due := []store.Contact{{Customer: store.Customer{FirstName: "Ana\x1b[31m", Company: "Contoso"}}, {}, {}, {}, {}}
	ns = followUpNotices(due)
	if len(ns) != 1 || ns[0] != (notice{Title: "5 follow-ups due", Body: "Ana (Contoso) and 4 others"}) {
		t.Fatalf("5 follow-ups: %+v", ns)
	}
}

// TestWatchBackoff: a failing job is tried again at the next round, then
// less and less often, never more than half an hour apart (or --every).
func TestWatchBackoff(t *testing.T) {
	for _, c := range []struct {
		every time.Duration
		fails int
		want  time.Duration
	}{
		{5 * time.Minute, 0, 5 * time.Minute},
		{5 * time.Minute, 1, 5 * time.Minute},
		{5 * time.Minute, 2, 10 * time.Minute},
		{5 * time.Minute, 3, 20 * time.Minute},
		{5 * time.Minute, 4, 30 * time.Minute},
		{5 * time.Minute, 40, 30 * time.Minute},
		{2 * time.Hour, 5, 2 * time.Hour},
	} {
		if got := backoff(c.every, c.fails); got != c.want {
			t.Errorf("backoff(%v, %d) = %v, want %v", c.every, c.fails, got, c.want)
		}
	}
}

// TestWatchReadsTheMailboxAlone: with [mail] set up and no Azure
// credentials, a round of 'leads watch' is the mailbox scan (its reply
// in the round's line); with neither, or with --mail-every and no
// [mail], or an unknown --notify, it refuses to start with exit 2.
func TestWatchReadsTheMailboxAlone(t *testing.T) {
	db, getenv := draftDB(t)
	watch := func(args ...string) (int, string, string) {
		t.Helper()
		return mailCLI(t, db, getenv, append([]string{"watch", "--notify=none"}, args...)...)
	}
	if code, _, errOut := watch("--once"); code != exitUsage || !strings.Contains(errOut, "\nleads watch: nothing to watch: set LEADS_AZURE_CONNECTION_STRING") {
		t.Fatalf("nothing set up: %d %q", code, errOut)
	}
	if code, _, errOut := watch("--once", "--mail-every", "5m"); code != exitUsage || !strings.Contains(errOut, "no mailbox to read") {
		t.Fatalf("--mail-every without [mail]: %d %q", code, errOut)
	}
	if code, _, errOut := mailCLI(t, db, getenv, "watch", "--notify=bell"); code != exitUsage || errOut != "leads watch: "+errUnknownNotify.Error()+"\n" {
		t.Fatalf("--notify=bell: %d %q", code, errOut)
	}
	bad := func(k string) string {
		if k == "LEADS_AZURE_CONNECTION_STRING" {
			return "AccountName=x;AccountKey=s3cr3t-not-base64"
		}
		return getenv(k)
	}
	if code, _, errOut := mailCLI(t, db, bad, "watch", "--notify=none"); code != exitFailed || strings.Contains(errOut, "s3cr3t") || !strings.Contains(errOut, "\nleads: ") {
		t.Fatalf("a malformed connection string at start: %d %q", code, errOut)
	}
	dir := mailDir(t,
		"From: Mei Lin <mei.lin@northwind.example>\r\nSubject: Re: pricing\r\nMessage-ID: <r1@northwind.example>\r\nDate: Tue, 10 Nov 2026 08:00:00 +0000\r\n\r\nYes, 200 seats.\r\n")
	cfgFile := filepath.Join(getenv("XDG_CONFIG_HOME"), "leads", "config.toml")
	body, _ := os.ReadFile(cfgFile)
	body = []byte(strings.Replace(string(body), "[other]\nkey = 1\n", "", 1) + "\n[mail]\nmaildir = \"" + dir + "\"\n")
	if err := os.WriteFile(cfgFile, body, 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := watch("--once")
	if code != exitOK || !regexp.MustCompile(`^\d\d:\d\d mail: 1 reply\n$`).MatchString(out) {
		t.Fatalf("a round of the mailbox alone: %d %q %q", code, out, errOut)
	}
	code, out, _ = watch("--once", "--quiet")
	if code != exitOK || out != "" {
		t.Fatalf("a quiet round with nothing new: %d %q", code, out)
	}
	code, out, _ = watch("--once", "--log", "json")
	var line map[string]any
	if err := json.Unmarshal([]byte(out), &line); code != exitOK || err != nil || line["mailed"] != true || strings.Count(out, "\n") != 1 {
		t.Fatalf("a JSON round: %d %q (%v)", code, out, err)
	}
}
