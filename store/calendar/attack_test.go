package calendar

import (
	"path/filepath"
	"regexp"
	"testing"
	"time"
)

// TestCalendarFollowUpAtTheEndOfTime: a follow-up typed for the last
// minutes of 9999 west of UTC is year 10000 in UTC: once stored, every
// calendar write failed on it ("year outside of range") and so did every
// later change of the contact; one at 23:55 UTC gave a DTEND in year
// 10000 that calendar programs cannot read. Such dates are refused, and
// the latest one allowed still makes a valid calendar.
func TestCalendarFollowUpAtTheEndOfTime(t *testing.T) {
	s := openStore(t, lead("Ana", "Contoso", "ana@x.example"))
	t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	west := time.FixedZone("UTC-12", -12*3600)
	for _, due := range []time.Time{time.Date(9999, 12, 31, 23, 55, 0, 0, west), time.Date(9999, 12, 31, 23, 55, 0, 0, time.UTC)} {
		if _, err := s.SetFollowUp(id("ana@x.example"), due, t0); err == nil {
			t.Fatalf("a follow-up at %v was kept", due)
		}
	}
	if _, err := s.SetFollowUp(id("ana@x.example"), time.Date(9998, 12, 31, 23, 55, 0, 0, time.UTC), t0); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "f.ics")
	write(t, s, path, t0)
	evs, raw := parse(t, path)
	stamp := regexp.MustCompile(`^\d{8}T\d{6}Z$`)
	for uid, e := range evs {
		for _, p := range []string{prop(e, "DTSTART"), prop(e, "DTEND")} {
			if !stamp.MatchString(p) {
				t.Errorf("%s: %q is not an RFC 5545 UTC time\n%s", uid, p, raw)
			}
		}
	}
}
