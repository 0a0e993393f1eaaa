package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/leads-inbox/leads/store"
)

// cliNow is the clock runCLI gives leads.
var cliNow = time.Date(2026, 11, 10, 9, 0, 0, 0, time.UTC)

// hostileSubject and hostileExcerpt are a reply written to act on the
// terminal it is shown on, to hide text, and to flood the screen.
const hostileSubject = "Re: \x1b]0;pwned\x07offer\u202efdp.exe\u200b"

var hostileExcerpt = "Bob\x1b]52;c;cHduZWQ=\x07 \x1b]8;;http://evil.example\x07link\x1b]8;;\x07 \x1b[31mred\rFAKE\u009b31m\n" +
	"second\u2028line \u202eevil\u200b\n" + strings.Repeat("flood ", 40_000/6)

// mailDB is filterLeadsDB with mail on record, as the mailbox and the
// sends would leave it: Bo was sent a message three days ago and replied
// five hours ago; Mia replied an hour ago; Jürgen replied ten hours ago,
// the rep logged a touch since (so he waits for nobody), and his address
// bounced. Bo's reply is hostile when hostile is set.
func mailDB(t *testing.T, hostile bool) string {
	t.Helper()
	db := filterLeadsDB(t)
	s, err := store.Open(db, store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	id := func(email string) string {
		c, err := s.Contact(email)
		if err != nil {
			t.Fatal(err)
		}
		return c.ID
	}
	bo, mia := id("bo@x.example"), id("mia@x.example")
	jurgen := id("juergen.becker.with.a.very.long.address@sales.contoso-international.example")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err = s.LogSent(bo, cliNow.Add(-72*time.Hour), store.DefaultCadence, "<s1@leads.example>", "Alpha: your question")
	must(err)
	boReply := store.Reply{MessageID: "<r1@x.example>", At: cliNow.Add(-5 * time.Hour), Subject: "Re: Alpha: your question", Excerpt: "Yes please.\nCall me on Friday."}
	if hostile {
		boReply.Subject, boReply.Excerpt = hostileSubject, hostileExcerpt
	}
	_, _, err = s.RecordReply(bo, boReply, cliNow)
	must(err)
	_, _, err = s.RecordReply(mia, store.Reply{MessageID: "<r2@x.example>", At: cliNow.Add(-time.Hour), Subject: "Beta"}, cliNow)
	must(err)
	_, _, err = s.RecordReply(jurgen, store.Reply{MessageID: "<r3@x.example>", At: cliNow.Add(-10 * time.Hour), Subject: "Test Drive"}, cliNow)
	must(err)
	_, err = s.LogTouch(jurgen, cliNow.Add(-2*time.Hour), store.DefaultCadence, "called back")
	must(err)
	_, _, err = s.MarkBouncing(jurgen, cliNow.Add(-time.Hour), "<dsn@mx.example>", "550 5.1.1 mailbox unknown")
	must(err)
	return db
}

// listOrder runs list --json with args and returns the first names in the
// order listed.
func listOrder(t *testing.T, db string, args ...string) []string {
	t.Helper()
	r := runCLI(t, db, "", append([]string{"list", "--json"}, args...)...)
	if r.code != 0 {
		t.Fatalf("list %q: %d %q", args, r.code, r.stderr)
	}
	var out []string
	for _, ln := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		if ln == "" {
			continue
		}
		var c contactOut
		if err := json.Unmarshal([]byte(ln), &c); err != nil {
			t.Fatalf("not JSON: %v: %s", err, ln)
		}
		out = append(out, c.FirstName)
	}
	return out
}

// TestListJSONMailFields: list --json gives each contact's newest reply,
// last message sent (RFC 3339 in UTC, null when none) and bouncing mark.
func TestListJSONMailFields(t *testing.T) {
	db := mailDB(t, false)
	r := runCLI(t, db, "", "list", "--json")
	if r.code != 0 {
		t.Fatalf("list: %d %q", r.code, r.stderr)
	}
	got := map[string]map[string]any{}
	for _, ln := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(ln), &m); err != nil {
			t.Fatal(err)
		}
		got[m["first_name"].(string)] = m
	}
	for _, c := range []struct {
		name              string
		replied, lastSent any
		bouncing          bool
	}{
		{"Bo", "2026-11-10T04:00:00Z", "2026-11-07T09:00:00Z", false},
		{"Mia", "2026-11-10T08:00:00Z", nil, false},
		{"Jürgen", "2026-11-09T23:00:00Z", nil, true},
	} {
		m := got[c.name]
		for k, want := range map[string]any{"replied_at": c.replied, "last_sent_at": c.lastSent, "bouncing": c.bouncing} {
			v, ok := m[k]
			if !ok || v != want {
				t.Errorf("%s: %s = %v (present %v), want %v", c.name, k, v, ok, want)
			}
		}
	}
}

// TestListRepliedFirst: --replied lists the people waiting for an answer,
// newest reply first, and not one answered since; --sort urgency puts
// them before everyone else; --bouncing lists the bouncing address; a
// saved view on the replied lane lists what --replied does; the table
// marks both.
func TestListRepliedFirst(t *testing.T) {
	db := mailDB(t, false)
	if got := strings.Join(listOrder(t, db, "--replied"), ","); got != "Mia,Bo" {
		t.Errorf("--replied lists %s, want Mia,Bo (newest reply first, Jürgen answered)", got)
	}
	if got := listOrder(t, db, "--sort", "urgency"); len(got) != 3 || got[0] != "Mia" || got[1] != "Bo" {
		t.Errorf("--sort urgency lists %v, want Mia and Bo first", got)
	}
	if got := strings.Join(listOrder(t, db, "--bouncing"), ","); got != "Jürgen" {
		t.Errorf("--bouncing lists %s, want Jürgen", got)
	}
	if got := strings.Join(listOrder(t, db, "--replied", "--bouncing"), ","); got != "" {
		t.Errorf("--replied --bouncing lists %s, want nobody", got)
	}
	r := configCLI(t, db, "[views.answers]\nlane = \"replied\"\n", "list", "--view", "answers")
	if r.code != exitOK || r.stderr != "" {
		t.Fatalf("--view on the replied lane: %d %q", r.code, r.stderr)
	}
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != 3 || !strings.Contains(lines[1], "Mia") || !strings.Contains(lines[2], "Bo") || !strings.Contains(lines[1], "(replied)") {
		t.Errorf("--view answers:\n%s", r.stdout)
	}
	r = runCLI(t, db, "", "list")
	if !strings.Contains(r.stdout, "(bouncing)") {
		t.Errorf("the table does not mark the bouncing address:\n%s", r.stdout)
	}
}

// TestShowMailTimeline: leads show tells that the person replied and
// waits, when the last message went out, and lists the message and the
// reply, quoted, in the funnel timeline in the order they happened; show
// --json holds the same events and fields.
func TestShowMailTimeline(t *testing.T) {
	db := mailDB(t, false)
	r := runCLI(t, db, "", "show", "bo@x.example")
	if r.code != 0 {
		t.Fatalf("show: %d %q", r.code, r.stderr)
	}
	out := r.stdout
	for _, want := range []string{"Replied: ", "waiting for your answer", "Last sent: ", "Sent                   Alpha: your question",
		"Replied                Re: Alpha: your question", "      > Yes please.\n      > Call me on Friday.\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("show lacks %q:\n%s", want, out)
		}
	}
	// (The webhook lead is placed by when it was received, which is the
	// real clock's now: the contact screen's test checks a lead's place.)
	if lead, sent, reply := strings.Index(out, "Contact me"), strings.Index(out, "Sent  "), strings.Index(out, "Replied     "); !(lead >= 0 && sent >= 0 && sent < reply) {
		t.Errorf("timeline out of order:\n%s", out)
	}
	if r := runCLI(t, db, "", "show", "juergen.becker.with.a.very.long.address@sales.contoso-international.example"); !strings.Contains(r.stdout, "Bouncing since") ||
		!strings.Contains(r.stdout, "Bounced                550 5.1.1 mailbox unknown") || !strings.Contains(r.stdout, "answered since") {
		t.Errorf("show of a bouncing, answered contact:\n%s", r.stdout)
	}

	r = runCLI(t, db, "", "show", "bo@x.example", "--json")
	var p struct {
		RepliedAt  *string       `json:"replied_at"`
		LastSentAt *string       `json:"last_sent_at"`
		History    []store.Event `json:"history"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &p); err != nil {
		t.Fatalf("show --json: %v\n%s", err, r.stdout)
	}
	if p.RepliedAt == nil || *p.RepliedAt != "2026-11-10T04:00:00Z" || p.LastSentAt == nil {
		t.Errorf("show --json: replied_at %v, last_sent_at %v", p.RepliedAt, p.LastSentAt)
	}
	kinds := map[string]store.Event{}
	for _, e := range p.History {
		kinds[e.Kind] = e
	}
	if e := kinds[store.EventReply]; e.Subject != "Re: Alpha: your question" || e.Text != "Yes please.\nCall me on Friday." {
		t.Errorf("show --json reply event: %+v", e)
	}
	if e := kinds[store.EventSent]; e.Subject != "Alpha: your question" || e.MessageID == "" {
		t.Errorf("show --json sent event: %+v", e)
	}
}
