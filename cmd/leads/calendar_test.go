package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"

	"github.com/leads-inbox/leads/store"
)

// calendarDB imports the samples and schedules follow-ups for three
// people, one of whom asked not to be contacted (priya: no event).
func calendarDB(t *testing.T) string {
	t.Helper()
	db := tempDB(t)
	if r := runCLI(t, db, "", "import", "testdata/storage-explorer-export.csv"); r.code != exitOK {
		t.Fatalf("import: %q", r.stderr)
	}
	s, err := store.Open(db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 9, 9, 0, 0, 0, time.UTC)
	for _, email := range []string{"mei.lin@northwind.example", "olu@tailspin.example", "priya@adatum.example"} {
		if _, err := s.LogTouch(store.ContactIDForEmail(email), at, store.DefaultCadence, ""); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return db
}

// calendarEvents parses a calendar file.
func calendarEvents(t *testing.T, path string) ([]*ics.VEvent, []byte) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	cal, err := ics.ParseCalendar(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%s does not parse: %v", path, err)
	}
	return cal.Events(), b
}

// leads calendar writes the file named by --out, or by [calendar] path,
// with the address only when include_email says so; forget takes the
// person's event out of it, as it does with an export.
func TestCalendarCommandAndForget(t *testing.T) {
	db := calendarDB(t)
	out := filepath.Join(t.TempDir(), "follow-ups.ics")
	cfg := "[calendar]\npath = \"" + out + "\"\ninclude_email = true\n"
	r := configCLI(t, db, cfg, "calendar")
	if r.code != exitOK || !strings.Contains(r.stdout, "wrote 2 follow-ups to "+out) {
		t.Fatalf("calendar: %d %q %q", r.code, r.stdout, r.stderr)
	}
	evs, raw := calendarEvents(t, out)
	if len(evs) != 2 || !bytes.Contains(raw, []byte("Email: mei.lin@northwind.example")) || bytes.Contains(raw, []byte("priya")) {
		t.Fatalf("want 2 events with addresses, none for a do-not-contact:\n%s", raw)
	}
	if r := runCLI(t, db, "", "forget", "--yes", "Mei.Lin@Northwind.example"); r.code != exitOK ||
		!strings.Contains(r.stdout, "removed their follow-up from the calendar "+out) {
		t.Fatalf("forget: %d %q %q", r.code, r.stdout, r.stderr)
	}
	evs, raw = calendarEvents(t, out)
	if len(evs) != 1 || bytes.Contains(bytes.ToLower(raw), []byte("mei")) || bytes.Contains(raw, []byte("Northwind")) {
		t.Fatalf("after forget the calendar still holds the person:\n%s", raw)
	}
	// Written again: still without them, and without a cancellation.
	if r := configCLI(t, db, cfg, "calendar"); r.code != exitOK || !strings.Contains(r.stdout, "wrote 1 follow-up to") ||
		strings.Contains(r.stdout, "cancelled") {
		t.Fatalf("calendar after forget: %d %q %q", r.code, r.stdout, r.stderr)
	}
}

// Without --out or a configured path, the command says what to give.
func TestCalendarCommandNeedsAFile(t *testing.T) {
	db := calendarDB(t)
	r := runCLI(t, db, "", "calendar")
	if r.code != exitUsage || !strings.Contains(r.stderr, "--out") || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
		t.Fatalf("calendar without a file: %d %q", r.code, r.stderr)
	}
	// --out wins over the config; without include_email no address.
	out := filepath.Join(t.TempDir(), "x.ics")
	r = configCLI(t, db, "[calendar]\npath = \"/nonexistent/dir/f.ics\"\n", "calendar", "--out", out)
	if r.code != exitOK {
		t.Fatalf("calendar --out: %d %q", r.code, r.stderr)
	}
	if _, raw := calendarEvents(t, out); bytes.Contains(raw, []byte("olu@tailspin.example")) {
		t.Fatalf("an address is in the file without include_email:\n%s", raw)
	}
	// A folder that is not there: one line that names the file.
	r = configCLI(t, db, "[calendar]\npath = \"/nonexistent/dir/f.ics\"\n", "calendar")
	if r.code != exitFailed || !strings.Contains(r.stderr, "cannot write the calendar /nonexistent/dir/f.ics") || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
		t.Fatalf("calendar to a missing folder: %d %q", r.code, r.stderr)
	}
}

// TestCalendarOutDashIsRefused: "--out -" reads as "to standard output"
// (as draft --eml - is), but wrote a file named "-" in the current folder
// and recorded it as the calendar. It is refused, writing nothing.
func TestCalendarOutDashIsRefused(t *testing.T) {
	db := calendarDB(t)
	dir := t.TempDir()
	t.Chdir(dir)
	r := runCLI(t, db, "", "calendar", "--out", "-")
	if _, err := os.Stat(filepath.Join(dir, "-")); err == nil || r.code != exitUsage || r.stdout != "" ||
		strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
		t.Fatalf("calendar --out -: %d %q %q, a file named - written: %v", r.code, r.stdout, r.stderr, err == nil)
	}
}
