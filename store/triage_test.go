package store

import (
	"testing"
	"time"
)

// TestMergeTriageLosesNothing: joining two contacts' triage keeps the
// status furthest along the funnel with its follow-up and reason, the
// larger touch count, the later last touch and every note.
func TestMergeTriageLosesNothing(t *testing.T) {
	at := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	noteOnly := Triage{ContactID: "a", Status: StatusNew, Notes: []Note{{At: at.Add(3 * time.Hour), Text: "later note"}}, Updated: at.Add(3 * time.Hour)}
	won := Triage{ContactID: "b", Status: StatusWon, Touches: 2, LastTouch: at, Notes: []Note{{At: at, Text: "signed"}}, Updated: at.Add(time.Hour)}
	due := Triage{ContactID: "c", Status: StatusContacted, Touches: 1, NextFollowUp: at.Add(48 * time.Hour), LastTouch: at.Add(time.Hour), Updated: at.Add(time.Hour)}
	lost := Triage{ContactID: "d", Status: StatusLost, LostReason: "budget", Touches: 4, Updated: at.Add(5 * time.Hour)}
	cases := []struct {
		name       string
		a, b       Triage
		status     Status
		touches    int
		notes      int
		followUp   time.Time
		lastTouch  time.Time
		lostReason string
	}{
		{"won beats a later note", noteOnly, won, StatusWon, 2, 2, time.Time{}, at, ""},
		{"either way round", won, noteOnly, StatusWon, 2, 2, time.Time{}, at, ""},
		{"contacted keeps its follow-up", noteOnly, due, StatusContacted, 1, 1, at.Add(48 * time.Hour), at.Add(time.Hour), ""},
		{"of two closed, the later", won, lost, StatusLost, 4, 1, time.Time{}, at, "budget"},
		{"a closed one drops the follow-up", due, won, StatusWon, 2, 1, time.Time{}, at.Add(time.Hour), ""},
	}
	for _, c := range cases {
		got := mergeTriage(c.a, c.b)
		if got.ContactID != c.a.ContactID || got.Status != c.status || got.Touches != c.touches || len(got.Notes) != c.notes ||
			!got.NextFollowUp.Equal(c.followUp) || !got.LastTouch.Equal(c.lastTouch) || got.LostReason != c.lostReason {
			t.Errorf("%s: %+v", c.name, got)
		}
		for i := 1; i < len(got.Notes); i++ {
			if got.Notes[i].At.Before(got.Notes[i-1].At) {
				t.Errorf("%s: notes out of order", c.name)
			}
		}
	}
}
