package store

import (
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// TestNewlyDueOncePerContactAndDueTime: a follow-up that has fallen due
// is returned once (a second call, as after a restart, returns nothing
// and writes nothing); moved to another due time, once more; a follow-up
// not yet due is not returned; forgetting the person removes the record
// of it, which holds the contact ID (a plain hash of the address).
func TestNewlyDueOncePerContactAndDueTime(t *testing.T) {
	s, _ := openTemp(t)
	if _, err := s.Upsert(sampleLeads(), UpsertOptions{}); err != nil {
		t.Fatal(err)
	}
	now := ts("2026-11-20T09:00:00Z")
	mei := ContactIDForEmail("mei.lin@northwind.example")
	if _, err := s.SetFollowUp(mei, now.Add(-time.Hour), now.Add(-2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	txid := func() int {
		var id int
		if err := s.db.View(func(tx *bolt.Tx) error { id = tx.ID(); return nil }); err != nil {
			t.Fatal(err)
		}
		return id
	}
	due, err := s.NewlyDue(now)
	if err != nil || len(due) != 1 || due[0].ID != mei || due[0].Name() != "Mei Lin" {
		t.Fatalf("first call: %+v %v", due, err)
	}
	before := txid()
	if due, err := s.NewlyDue(now.Add(time.Minute)); err != nil || len(due) != 0 {
		t.Fatalf("second call: %+v %v", due, err)
	}
	if txid() != before {
		t.Fatal("a call with nothing new wrote to the file")
	}
	if _, err := s.SetFollowUp(mei, now.Add(time.Hour), now); err != nil {
		t.Fatal(err)
	}
	if due, err := s.NewlyDue(now); err != nil || len(due) != 0 {
		t.Fatalf("not due yet: %+v %v", due, err)
	}
	if due, err := s.NewlyDue(now.Add(2 * time.Hour)); err != nil || len(due) != 1 || due[0].ID != mei {
		t.Fatalf("moved and due again: %+v %v", due, err)
	}
	if _, err := s.Forget("mei.lin@northwind.example", now); err != nil {
		t.Fatal(err)
	}
	if err := s.db.View(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bNotified).Get([]byte(mei)); v != nil {
			t.Fatal("the forgotten person's notified follow-up is still recorded")
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}
