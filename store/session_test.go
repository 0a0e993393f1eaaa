package store

import (
	"slices"
	"testing"
	"time"
)

// TestSessionSurvivesReopen: a saved session comes back after the store is
// closed and opened again, with its queue, position and outcomes, and
// EndSession removes it.
func TestSessionSurvivesReopen(t *testing.T) {
	s, path := openTemp(t)
	if ses, err := s.LoadSession(); err != nil || ses != nil {
		t.Fatalf("fresh store has a session: %v %v", ses, err)
	}
	want := Session{View: "Action", Started: ts("2026-11-20T09:00:00Z"), Queue: []string{"a", "b", "c"}, Pos: 2,
		Outcomes: []SessionOutcome{{ID: "a", Kind: "sent"}, {ID: "b", Kind: "skipped", Note: "DNC"}}}
	if err := s.SaveSession(want); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err := Open(path, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, err := s.LoadSession()
	if err != nil || got == nil || got.Pos != 2 || !slices.Equal(got.Queue, want.Queue) || len(got.Outcomes) != 2 || got.Outcomes[1].Note != "DNC" || got.Done() {
		t.Fatalf("got %+v %v", got, err)
	}
	if err := s.EndSession(); err != nil {
		t.Fatal(err)
	}
	if got, err := s.LoadSession(); err != nil || got != nil {
		t.Fatalf("after end: %+v %v", got, err)
	}
}

// TestForgetTakesThePersonOutOfTheSession: forget removes the contact's
// place in the queue and its outcomes; the position moves back so the
// session resumes at the same next contact.
func TestForgetTakesThePersonOutOfTheSession(t *testing.T) {
	s, _ := openTemp(t)
	if _, err := s.Upsert(sampleLeads(), UpsertOptions{}); err != nil {
		t.Fatal(err)
	}
	mei := ContactIDForEmail("mei.lin@northwind.example")
	other, next := "00000000000000aa", "00000000000000bb"
	if err := s.SaveSession(Session{Queue: []string{other, mei, next}, Pos: 2,
		Outcomes: []SessionOutcome{{ID: other, Kind: "skipped"}, {ID: mei, Kind: "status", Note: "lost (no budget)"}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Forget("mei.lin@northwind.example", time.Now()); err != nil {
		t.Fatal(err)
	}
	got, err := s.LoadSession()
	if err != nil || got == nil {
		t.Fatal(got, err)
	}
	if !slices.Equal(got.Queue, []string{other, next}) || got.Pos != 1 || got.Queue[got.Pos] != next {
		t.Fatalf("queue %v pos %d", got.Queue, got.Pos)
	}
	if len(got.Outcomes) != 1 || got.Outcomes[0].ID != other {
		t.Fatalf("outcomes %+v", got.Outcomes)
	}
}
