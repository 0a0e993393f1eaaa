package main

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/leads-inbox/leads/store"
)

// TestDemoHasRepliesAndABounce: the demo's database shows what the mail
// features look like without a mailbox: two contacts that replied and
// wait for an answer (each after a message sent to them), and one whose
// address bounced.
func TestDemoHasRepliesAndABounce(t *testing.T) {
	s, err := store.Open(filepath.Join(t.TempDir(), "demo.db"), store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	now := time.Date(2026, 11, 10, 9, 0, 0, 0, time.UTC)
	if err := addSampleLeads(s, 300, 1, now, 0); err != nil {
		t.Fatal(err)
	}
	if err := addSampleMail(s, now); err != nil {
		t.Fatal(err)
	}
	waiting, bouncing, sent := 0, 0, 0
	err = s.AllTriage(func(tr store.Triage) error {
		if tr.Waiting() {
			waiting++
		}
		if tr.Bouncing {
			bouncing++
		}
		if !tr.LastSentAt.IsZero() {
			sent++
		}
		return nil
	})
	if err != nil || waiting != 2 || bouncing != 1 || sent != 3 {
		t.Fatalf("waiting %d, bouncing %d, sent %d (%v)", waiting, bouncing, sent, err)
	}
}

// TestDemoHasATeam: the demo's contacts include one another rep owns and
// one the rep owns, so the team's views have something in them.
func TestDemoHasATeam(t *testing.T) {
	s, err := store.Open(filepath.Join(t.TempDir(), "demo.db"), store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	now := time.Date(2026, 11, 10, 9, 0, 0, 0, time.UTC)
	if err := addSampleLeads(s, 300, 1, now, 0); err != nil {
		t.Fatal(err)
	}
	if err := addSampleMail(s, now); err != nil {
		t.Fatal(err)
	}
	if err := addSampleOwners(s, "Mei", now); err != nil {
		t.Fatal(err)
	}
	owners := map[string]int{}
	err = s.AllTriage(func(tr store.Triage) error {
		if tr.Owner != "" {
			owners[tr.Owner]++
		}
		return nil
	})
	if err != nil || owners["Ana"] != 1 || owners["Mei"] != 1 || len(owners) != 2 {
		t.Fatalf("owners %v (%v)", owners, err)
	}
}
