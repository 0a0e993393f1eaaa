package calendar

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"

	"github.com/leads-inbox/leads/store"
)

var t0 = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

func lead(first, company, email string) store.Lead {
	return store.Lead{
		Origin:     store.Origin{PartitionKey: "pk", RowKey: email},
		LeadSource: "AppSource (SPZA)-Contact me|contoso.inventory-pro",
		Source:     store.SourceAppSource, Action: "Contact me",
		OfferID: "contoso.inventory-pro", OfferName: "Contoso Inventory Pro",
		Created:  t0.Add(-48 * time.Hour),
		Customer: store.Customer{FirstName: first, LastName: "Test", Email: email, Company: company, Country: "US"},
	}
}

func openStore(t *testing.T, leads ...store.Lead) *store.Store {
	t.Helper()
	s, err := store.Open(filepath.Join(t.TempDir(), "t.db"), store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := s.Upsert(leads, store.UpsertOptions{}); err != nil {
		t.Fatal(err)
	}
	return s
}

func id(email string) string { return store.ContactIDForEmail(email) }

func touch(t *testing.T, s *store.Store, email string, at time.Time) {
	t.Helper()
	if _, err := s.LogTouch(id(email), at, store.DefaultCadence, ""); err != nil {
		t.Fatal(err)
	}
}

func write(t *testing.T, s *store.Store, path string, now time.Time) Result {
	t.Helper()
	res, err := Write(s, path, Options{Now: now, Zone: "Europe/Paris"})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// parse reads the file back with the iCalendar library, by UID.
func parse(t *testing.T, path string) (map[string]*ics.VEvent, []byte) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	cal, err := ics.ParseCalendar(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("the file does not parse: %v\n%s", err, b)
	}
	out := map[string]*ics.VEvent{}
	for _, e := range cal.Events() {
		if _, dup := out[e.Id()]; dup {
			t.Fatalf("UID %s twice", e.Id())
		}
		out[e.Id()] = e
	}
	return out, b
}

func prop(e *ics.VEvent, p ics.ComponentProperty) string {
	if v := e.GetProperty(p); v != nil {
		return v.Value
	}
	return ""
}

func uidOf(t *testing.T, s *store.Store, email string) string {
	t.Helper()
	u, err := s.CalendarUID(id(email))
	if err != nil || u == "" {
		t.Fatalf("no UID for %s: %q %v", email, u, err)
	}
	return u
}

// The file has one event per scheduled follow-up of an open contact, at
// its time in UTC for a quarter of an hour, with the name, company, offer,
// touch and status, and no address unless asked; lines end in CRLF and
// are folded at 75 octets, as RFC 5545 asks.
func TestCalendarEvents(t *testing.T) {
	s := openStore(t, lead("Ana", "Contoso", "ana@x.com"), lead("Bo", "Fabrikam", "bo@x.com"), lead("Cy", "Tailspin", "cy@x.com"))
	touch(t, s, "ana@x.com", t0.Add(-time.Hour))
	paris, _ := time.LoadLocation("Europe/Paris")
	due := time.Date(2026, 12, 1, 9, 0, 0, 0, paris)
	if _, err := s.SetFollowUp(id("bo@x.com"), due, t0); err != nil {
		t.Fatal(err)
	}
	// cy has no follow-up: no event.
	path := filepath.Join(t.TempDir(), "follow-ups.ics")
	if res := write(t, s, path, t0); res.Events != 2 || res.Cancelled != 0 {
		t.Fatalf("result %+v, want 2 events", res)
	}
	evs, raw := parse(t, path)
	if len(evs) != 2 {
		t.Fatalf("%d events, want 2:\n%s", len(evs), raw)
	}
	bo := evs[uidOf(t, s, "bo@x.com")]
	if bo == nil {
		t.Fatalf("no event with bo's UID:\n%s", raw)
	}
	if got := prop(bo, ics.ComponentPropertyDtStart); got != "20261201T080000Z" {
		t.Errorf("DTSTART %q, want 09:00 Paris in UTC", got)
	}
	if got := prop(bo, ics.ComponentPropertyDtEnd); got != "20261201T081500Z" {
		t.Errorf("DTEND %q, want 15 minutes later", got)
	}
	if got := prop(bo, ics.ComponentPropertySummary); got != "Follow up: Bo Test (Fabrikam)" {
		t.Errorf("SUMMARY %q", got)
	}
	desc := prop(bo, ics.ComponentPropertyDescription)
	for _, want := range []string{"Offer: Contoso Inventory Pro", "Touch 1 of 4", "Status: new"} {
		if !strings.Contains(desc, want) {
			t.Errorf("DESCRIPTION %q lacks %q", desc, want)
		}
	}
	ana := evs[uidOf(t, s, "ana@x.com")]
	if ana == nil || prop(ana, ics.ComponentPropertyDtStart) != t0.Add(-time.Hour).AddDate(0, 0, 2).Format("20060102T150405Z") ||
		!strings.Contains(prop(ana, ics.ComponentPropertyDescription), "Touch 2 of 4") {
		t.Errorf("ana's event is wrong:\n%s", raw)
	}
	if bytes.Contains(raw, []byte("@x.com")) || bytes.Contains(raw, []byte(id("ana@x.com"))) {
		t.Errorf("the file names an address or a contact ID:\n%s", raw)
	}
	if !bytes.Contains(raw, []byte("X-WR-TIMEZONE:Europe/Paris\r\n")) || !bytes.Contains(raw, []byte("PRODID:"+ProductID+"\r\n")) {
		t.Errorf("no zone or PRODID:\n%s", raw)
	}
	checkLines(t, raw)
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v %v, want 0600", fi.Mode(), err)
	}
}

// checkLines: every line ends in CRLF and is at most 75 octets.
func checkLines(t *testing.T, raw []byte) {
	t.Helper()
	if !bytes.HasSuffix(raw, []byte("END:VCALENDAR\r\n")) {
		t.Errorf("the file does not end with END:VCALENDAR CRLF")
	}
	for i, l := range bytes.SplitAfter(raw, []byte("\r\n")) {
		if len(l) == 0 {
			continue
		}
		body := bytes.TrimSuffix(l, []byte("\r\n"))
		if len(body) == len(l) || bytes.ContainsAny(body, "\r\n") {
			t.Fatalf("line %d is not ended by CRLF alone: %q", i+1, l)
		}
		if len(body) > 75 {
			t.Fatalf("line %d is %d octets: %q", i+1, len(body), body)
		}
	}
}

// A second write keeps every UID and, with nothing changed, every byte; a
// moved follow-up keeps its UID with a higher SEQUENCE; a done one becomes
// a cancelled event with a higher SEQUENCE still, which leaves the file
// after KeepCancelled; a new follow-up for the same person reuses the UID.
func TestCalendarUpdatesAndCancels(t *testing.T) {
	s := openStore(t, lead("Ana", "Contoso", "ana@x.com"), lead("Bo", "Fabrikam", "bo@x.com"))
	touch(t, s, "ana@x.com", t0)
	touch(t, s, "bo@x.com", t0)
	path := filepath.Join(t.TempDir(), "f.ics")
	write(t, s, path, t0)
	_, first := parse(t, path)
	write(t, s, path, t0.Add(time.Hour))
	if _, again := parse(t, path); !bytes.Equal(first, again) {
		t.Fatalf("nothing changed but the file did:\n%s\n---\n%s", first, again)
	}
	ana, bo := uidOf(t, s, "ana@x.com"), uidOf(t, s, "bo@x.com")

	// Snooze ana: same UID, SEQUENCE 1, the new time.
	later := t0.Add(96 * time.Hour)
	if _, err := s.SetFollowUp(id("ana@x.com"), later, t0.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	write(t, s, path, t0.Add(2*time.Hour))
	evs, raw := parse(t, path)
	if e := evs[ana]; e == nil || prop(e, ics.ComponentPropertySequence) != "1" ||
		prop(e, ics.ComponentPropertyDtStart) != later.Format("20060102T150405Z") ||
		prop(e, ics.ComponentPropertyDtstamp) != t0.Add(2*time.Hour).Format("20060102T150405Z") {
		t.Fatalf("the moved event is wrong:\n%s", raw)
	}
	if e := evs[bo]; e == nil || prop(e, ics.ComponentPropertySequence) != "0" {
		t.Fatalf("bo's unchanged event changed:\n%s", raw)
	}

	// Bo is won: his event is cancelled, with nothing of him in it.
	if _, err := s.SetStatus(id("bo@x.com"), store.StatusWon, "", t0.Add(3*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if res := write(t, s, path, t0.Add(3*time.Hour)); res.Events != 1 || res.Cancelled != 1 {
		t.Fatalf("result %+v, want 1 event and 1 cancellation", res)
	}
	evs, raw = parse(t, path)
	e := evs[bo]
	if e == nil || prop(e, ics.ComponentPropertyStatus) != "CANCELLED" || prop(e, ics.ComponentPropertySequence) != "1" {
		t.Fatalf("no cancellation for bo:\n%s", raw)
	}
	if bytes.Contains(raw, []byte("Bo Test")) || bytes.Contains(raw, []byte("Fabrikam")) {
		t.Errorf("the cancellation still names bo:\n%s", raw)
	}
	// Kept for a while, with the same SEQUENCE on each write.
	write(t, s, path, t0.Add(10*24*time.Hour))
	if evs, raw = parse(t, path); evs[bo] == nil || prop(evs[bo], ics.ComponentPropertySequence) != "1" {
		t.Fatalf("the cancellation changed or went after 10 days:\n%s", raw)
	}
	// Then dropped.
	write(t, s, path, t0.Add(KeepCancelled+4*time.Hour))
	if evs, raw = parse(t, path); evs[bo] != nil || evs[ana] == nil {
		t.Fatalf("after %v the cancellation should be gone and ana stay:\n%s", KeepCancelled, raw)
	}

	// Ana's follow-up is cleared, then set again: same UID, growing SEQUENCE.
	if _, err := s.SetFollowUp(id("ana@x.com"), time.Time{}, t0.Add(5*time.Hour)); err != nil {
		t.Fatal(err)
	}
	write(t, s, path, t0.Add(KeepCancelled+5*time.Hour))
	if evs, raw = parse(t, path); prop(evs[ana], ics.ComponentPropertyStatus) != "CANCELLED" || prop(evs[ana], ics.ComponentPropertySequence) != "2" {
		t.Fatalf("ana's removed follow-up is not cancelled with SEQUENCE 2:\n%s", raw)
	}
	if _, err := s.SetFollowUp(id("ana@x.com"), later, t0.Add(6*time.Hour)); err != nil {
		t.Fatal(err)
	}
	write(t, s, path, t0.Add(KeepCancelled+6*time.Hour))
	if evs, raw = parse(t, path); prop(evs[ana], ics.ComponentPropertyStatus) != "CONFIRMED" || prop(evs[ana], ics.ComponentPropertySequence) != "3" {
		t.Fatalf("ana's follow-up set again is not back with SEQUENCE 3:\n%s", raw)
	}
}

// With include_email the address is in the description; test leads and
// do-not-contact contacts have no event.
func TestCalendarIncludeEmailAndGuards(t *testing.T) {
	dnc := lead("Dee", "Dnc", "dee@x.com")
	dnc.Action = store.ActionDoNotContact
	s := openStore(t, lead("Ana", "Contoso", "ana@x.com"), dnc)
	touch(t, s, "ana@x.com", t0)
	if _, err := s.SetFollowUp(id("dee@x.com"), t0.Add(time.Hour), t0); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "f.ics")
	if _, err := Write(s, path, Options{Now: t0, IncludeEmail: true}); err != nil {
		t.Fatal(err)
	}
	evs, raw := parse(t, path)
	if len(evs) != 1 || !strings.Contains(prop(evs[uidOf(t, s, "ana@x.com")], ics.ComponentPropertyDescription), "Email: ana@x.com") {
		t.Fatalf("want ana's event alone, with her address:\n%s", raw)
	}
	if bytes.Contains(raw, []byte("X-WR-TIMEZONE")) {
		t.Errorf("no zone was given, yet the file names one")
	}
}

// Names typed by strangers: escape sequences, CR/LF that would start a
// property or an event of their own, 40 KB, and the characters iCalendar
// escapes. The file parses to the same single event, with the text
// cleaned, cut, and escaped.
func TestCalendarHostileNames(t *testing.T) {
	huge := strings.Repeat("W", 40<<10)
	cases := []struct {
		name, first, company, want string
	}{
		{"escapes", "Bob\x1b]0;pwned\x07\x1b[2J", "Evil\x1b]52;c;aGk=\x07 Corp", "Follow up: Bob Test (Evil Corp)"},
		{"crlf", "Eve\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:x", "Co\rDESCRIPTION:pwn", "Follow up: Eve END:VEVENT BEGIN:VEVENT UID:x Test (CoDESCRIPTION:pwn)"},
		{"special", `Smith, Jr.; "Al" \n\`, `A\,B;C:D`, `Follow up: Smith, Jr.; "Al" \n\ Test (A\,B;C:D)`},
		{"huge", huge, huge, "Follow up: " + strings.Repeat("W", maxField-1) + "… (" + strings.Repeat("W", maxField-1) + "…)"},
		{"bidi", "pay\u200bpal\u202e", "Co\u2028rp", "Follow up: paypal Test (Co rp)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			l := lead(c.first, c.company, "h@x.com")
			l.OfferName = c.company
			s := openStore(t, l)
			touch(t, s, "h@x.com", t0)
			path := filepath.Join(t.TempDir(), "f.ics")
			write(t, s, path, t0)
			evs, raw := parse(t, path)
			if len(evs) != 1 {
				t.Fatalf("%d events, want 1:\n%s", len(evs), raw)
			}
			e := evs[uidOf(t, s, "h@x.com")]
			if got := prop(e, ics.ComponentPropertySummary); got != c.want {
				t.Errorf("SUMMARY %q, want %q", got, c.want)
			}
			if n := bytes.Count(raw, []byte("\r\nBEGIN:VEVENT\r\n")); n != 1 {
				t.Errorf("%d BEGIN:VEVENT lines, want 1", n)
			}
			if bytes.ContainsAny(raw, "\x1b\x07\u200b\u202e") {
				t.Errorf("a control or invisible character reached the file")
			}
			if len(raw) > 4<<10 {
				t.Errorf("the file is %d bytes: a 40 KB name was not cut", len(raw))
			}
			checkLines(t, raw)
			if c.name == "special" && !bytes.Contains(unfold(raw), []byte(`SUMMARY:Follow up: Smith\, Jr.\; "Al" \\n\\ Test (A\\\,B\;C:D)`)) {
				t.Errorf("commas, semicolons and backslashes are not escaped:\n%s", raw)
			}
		})
	}
}

func unfold(b []byte) []byte { return bytes.ReplaceAll(b, []byte("\r\n "), nil) }

// A symbolic link at the path stays a link, and the file it points to
// is replaced, mode 0600; the file is on the database's list of copies
// once however often it is written.
func TestCalendarSymlinkAndCopies(t *testing.T) {
	s := openStore(t, lead("Ana", "Contoso", "ana@x.com"))
	touch(t, s, "ana@x.com", t0)
	dir := t.TempDir()
	target := filepath.Join(dir, "real.ics")
	if err := os.WriteFile(target, []byte("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.ics")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	write(t, s, link, t0)
	write(t, s, link, t0.Add(time.Minute))
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("the link was replaced by a file: %v %v", fi.Mode(), err)
	}
	if evs, _ := parse(t, target); len(evs) != 1 {
		t.Fatalf("the link's target was not written")
	}
	if fi, _ := os.Stat(target); fi.Mode().Perm() != 0o600 {
		t.Errorf("target mode %v, want 0600", fi.Mode().Perm())
	}
	copies, err := store.Copies(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	if len(copies) != 1 || copies[0].Kind != store.CopyCalendar || copies[0].Path != link {
		t.Fatalf("copies %+v, want the calendar once", copies)
	}
}

// Forgetting a person deletes their calendar entry, and Without takes
// their event out of the file and leaves the others as they were.
func TestCalendarForget(t *testing.T) {
	s := openStore(t, lead("Ana", "Contoso", "ana@x.com"), lead("Bo", "Fabrikam", "bo@x.com"))
	touch(t, s, "ana@x.com", t0)
	touch(t, s, "bo@x.com", t0)
	path := filepath.Join(t.TempDir(), "f.ics")
	write(t, s, path, t0)
	anaUID, boUID := uidOf(t, s, "ana@x.com"), uidOf(t, s, "bo@x.com")
	if _, err := s.Forget("ana@x.com", t0); err != nil {
		t.Fatal(err)
	}
	entries, err := s.CalendarEntries()
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := entries[id("ana@x.com")]; ok || len(entries) != 1 {
		t.Fatalf("entries after forget: %v", entries)
	}
	// The UID can still be found after the forget, for the copies.
	if u := uidOf(t, s, "ana@x.com"); u != anaUID {
		t.Fatalf("UID after forget %q, want %q", u, anaUID)
	}
	n, err := Without(path, anaUID)
	if err != nil || n != 1 {
		t.Fatalf("Without: %d %v", n, err)
	}
	evs, raw := parse(t, path)
	if len(evs) != 1 || evs[boUID] == nil || bytes.Contains(raw, []byte("Ana Test")) {
		t.Fatalf("after Without, want bo's event alone:\n%s", raw)
	}
	// The next write leaves no cancellation for the forgotten person.
	write(t, s, path, t0.Add(time.Hour))
	if evs, raw = parse(t, path); len(evs) != 1 {
		t.Fatalf("the next write brought the forgotten person back:\n%s", raw)
	}
	// Another program's calendar is not touched.
	other := filepath.Join(t.TempDir(), "other.ics")
	foreign := strings.ReplaceAll(string(raw), ProductID, "-//Other//EN")
	if err := os.WriteFile(other, []byte(foreign), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Without(other, boUID); err == nil {
		t.Fatalf("Without rewrote a calendar leads did not write")
	}
}

// A calendar program's own parser (Python's icalendar, as Debian ships
// it) reads the same events: UIDs, times, sequences, statuses, titles.
func TestCalendarReadsInPythonICalendar(t *testing.T) {
	py := "/usr/bin/python3"
	if err := exec.Command(py, "-c", "import icalendar").Run(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("python3-icalendar is missing (apt-get install python3-icalendar): %v", err)
		}
		t.Skipf("python3-icalendar is not installed: %v", err)
	}
	s := openStore(t, lead("Ana", "Contoso", "ana@x.com"), lead(`Bo, "B"; \x`, "Fab\x1b[2Jrikam", "bo@x.com"), lead(strings.Repeat("é", 500), "Cé", "cy@x.com"))
	touch(t, s, "ana@x.com", t0)
	touch(t, s, "bo@x.com", t0.Add(time.Hour))
	touch(t, s, "cy@x.com", t0.Add(2*time.Hour))
	path := filepath.Join(t.TempDir(), "f.ics")
	write(t, s, path, t0)
	if _, err := s.SetStatus(id("cy@x.com"), store.StatusLost, store.LostNoResponse, t0); err != nil {
		t.Fatal(err)
	}
	write(t, s, path, t0.Add(time.Hour))
	want, _ := parse(t, path)

	script := `
import icalendar, json, sys
cal = icalendar.Calendar.from_ical(open(sys.argv[1], 'rb').read())
out = []
for e in cal.walk('VEVENT'):
    out.append({
        'uid': str(e['UID']),
        'summary': str(e.get('SUMMARY', '')),
        'description': str(e.get('DESCRIPTION', '')),
        'start': e.decoded('DTSTART').isoformat(),
        'end': e.decoded('DTEND').isoformat(),
        'sequence': int(e.get('SEQUENCE', 0)),
        'status': str(e.get('STATUS', '')),
    })
print(json.dumps({'zone': str(cal.get('X-WR-TIMEZONE', '')), 'events': out}))
`
	cmd := exec.Command(py, "-c", script, path)
	cmd.Env = append(os.Environ(), "PYTHONIOENCODING=utf-8")
	b, err := cmd.Output()
	if err != nil {
		t.Fatalf("python icalendar failed: %v\n%s", err, b)
	}
	var got struct {
		Zone   string
		Events []struct {
			UID, Summary, Description, Start, End, Status string
			Sequence                                      int
		}
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	if got.Zone != "Europe/Paris" || len(got.Events) != len(want) || len(want) != 3 {
		t.Fatalf("python read zone %q and %d events; Go read %d:\n%s", got.Zone, len(got.Events), len(want), b)
	}
	for _, pe := range got.Events {
		ge := want[pe.UID]
		if ge == nil {
			t.Fatalf("python read UID %q that Go did not", pe.UID)
		}
		start, _ := ge.GetStartAt()
		end, _ := ge.GetEndAt()
		seq, _ := strconv.Atoi(prop(ge, ics.ComponentPropertySequence))
		if pe.Summary != prop(ge, ics.ComponentPropertySummary) || pe.Description != prop(ge, ics.ComponentPropertyDescription) ||
			pe.Start != start.UTC().Format("2006-01-02T15:04:05+00:00") || pe.End != end.UTC().Format("2006-01-02T15:04:05+00:00") ||
			pe.Sequence != seq || pe.Status != prop(ge, ics.ComponentPropertyStatus) {
			t.Errorf("python and Go disagree on %s:\npython %+v\ngo summary %q desc %q start %v seq %d status %q", pe.UID, pe,
				prop(ge, ics.ComponentPropertySummary), prop(ge, ics.ComponentPropertyDescription), start, seq, prop(ge, ics.ComponentPropertyStatus))
		}
	}
	statuses := []string{}
	for _, pe := range got.Events {
		statuses = append(statuses, pe.Status)
	}
	slices.Sort(statuses)
	if !slices.Equal(statuses, []string{"CANCELLED", "CONFIRMED", "CONFIRMED"}) {
		t.Errorf("statuses %v, want two confirmed and one cancelled", statuses)
	}
}

// The zone name comes from $TZ in the forms the C library takes, and
// names no zone for a $TZ that is not one and no /etc/localtime link.
func TestZoneName(t *testing.T) {
	for tz, want := range map[string]string{
		"Europe/Paris":                         "Europe/Paris",
		":America/New_York":                    "America/New_York",
		"/usr/share/zoneinfo/Asia/Tokyo":       "Asia/Tokyo",
		":/usr/share/zoneinfo/Australia/Perth": "Australia/Perth",
	} {
		if got := ZoneName(func(k string) string {
			if k == "TZ" {
				return tz
			}
			return ""
		}); got != want {
			t.Errorf("TZ=%q: zone %q, want %q", tz, got, want)
		}
	}
	if _, err := os.Readlink("/etc/localtime"); err != nil {
		if got := ZoneName(func(string) string { return "" }); got != "" {
			t.Errorf("no TZ and no /etc/localtime link, yet zone %q", got)
		}
	}
}

// A calendar never takes the place of something else: a file that is not
// a calendar (a mistyped name), the database itself, a folder. Each is
// refused in one line and left as it was.
func TestCalendarRefusesToReplaceOtherFiles(t *testing.T) {
	s := openStore(t, lead("Ana", "Contoso", "ana@x.com"))
	touch(t, s, "ana@x.com", t0)
	dir := t.TempDir()
	notes := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(notes, []byte("my notes"), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "db-link.ics")
	if err := os.Symlink(s.Path(), link); err != nil {
		t.Fatal(err)
	}
	dbBefore, err := os.ReadFile(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{
		notes:    "is not a calendar file",
		s.Path(): "is the database itself",
		link:     "is the database itself",
		dir:      "is not a regular file",
	} {
		_, err := Write(s, path, Options{Now: t0})
		if err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: error %v, want one line with %q", path, err, want)
		}
	}
	if b, _ := os.ReadFile(notes); string(b) != "my notes" {
		t.Errorf("notes.txt was changed: %q", b)
	}
	if b, _ := os.ReadFile(s.Path()); !bytes.Equal(b, dbBefore) {
		t.Errorf("the database file was changed")
	}
	if entries, _ := s.CalendarEntries(); len(entries) != 0 {
		t.Errorf("a refused write left calendar entries: %v", entries)
	}
}
