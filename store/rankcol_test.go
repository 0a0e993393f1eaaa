package store_test

import (
	"encoding/binary"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/leads-inbox/leads/importer/gen"
	"github.com/leads-inbox/leads/store"
)

// rankColumnMatches fails t unless the store's check passes (it compares
// the rank column with one built from the contacts) and the rank digests
// read from the column are the full digests' ranking fields, in the same
// order.
func rankColumnMatches(t *testing.T, s *store.Store, step string) {
	t.Helper()
	if err := s.Check(); err != nil {
		t.Fatalf("%s: %v", step, err)
	}
	full, _, _, err := s.LoadDigests(0)
	if err != nil {
		t.Fatal(err)
	}
	got, ok, err := s.RankDigests()
	if err != nil || !ok {
		t.Fatalf("%s: the rank column was not read (%v)", step, err)
	}
	want := make([]store.Digest, len(full))
	for i, d := range full {
		want[i] = store.Digest{ID: d.ID, Seq: d.Seq, Last: d.Last, Hot: d.Hot, Flags: d.Flags}
	}
	if len(got) == 0 && len(want) == 0 {
		return
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s: the rank column holds %d contacts, the digests %d, or their fields differ", step, len(got), len(want))
	}
}

// TestRankColumnFollowsEveryWriter: every way contacts are written
// (import filing each lead, import left for Fold, Fold, the fold on open
// after a crash, a changed row moving a lead to another contact, forget,
// purge) leaves the rank column equal to one built from the contacts.
func TestRankColumnFollowsEveryWriter(t *testing.T) {
	p := filepath.Join(t.TempDir(), "leads.db")
	s, err := store.Open(p, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	rankColumnMatches(t, s, "empty")
	leads := genLeads(t, 4000, gen.OrderShuffled, gen.ShapeSpread)
	upsertAll(t, s, leads[:1500], 300, false)
	rankColumnMatches(t, s, "import")
	upsertAll(t, s, leads[1500:2500], 400, true)
	if _, err := s.Fold(); err != nil {
		t.Fatal(err)
	}
	rankColumnMatches(t, s, "import then fold")
	upsertAll(t, s, leads[2500:], 500, true)
	s.Close() // as if killed before Fold
	if s, err = store.Open(p, store.Options{}); err != nil {
		t.Fatal(err)
	}
	defer func() { s.Close() }()
	rankColumnMatches(t, s, "fold on open")
	// The same entities again with a later timestamp and another address:
	// each lead leaves its contact for a new one.
	var moved []store.Lead
	for _, l := range leads[:40] {
		if l.Customer.Email == "" {
			continue
		}
		l.ID = ""
		l.Timestamp = l.Timestamp.Add(time.Hour)
		l.Customer.Email = "moved." + l.Customer.Email
		moved = append(moved, l)
	}
	if _, err := s.Upsert(moved, store.UpsertOptions{}); err != nil {
		t.Fatal(err)
	}
	rankColumnMatches(t, s, "changed rows")
	if _, err := s.Forget(moved[0].Customer.Email, time.Now()); err != nil {
		t.Fatal(err)
	}
	rankColumnMatches(t, s, "forget")
	if _, err := s.Purge(time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC), false); err != nil {
		t.Fatal(err)
	}
	rankColumnMatches(t, s, "purge")
}

// TestRankColumnOutOfStepIsNotRead: a contact written without its rank
// column (as a leads without the column would) makes the column unread,
// the check report it, and the next open that may write build it again.
// A damaged block is not read either (its checksum), the check reports
// it, and the next write to it builds the column again rather than
// patching the damage in; RepairRankColumn does too.
func TestRankColumnOutOfStepIsNotRead(t *testing.T) {
	p := filepath.Join(t.TempDir(), "leads.db")
	s, err := store.Open(p, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	upsertAll(t, s, genLeads(t, 600, gen.OrderGenerated, gen.ShapeCompact), 600, false)
	s.Close()
	raw := func(fn func(tx *bolt.Tx) error) {
		t.Helper()
		db, err := bolt.Open(p, 0o600, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Update(fn); err != nil {
			t.Fatal(err)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
	}
	// A new contact, as a copy of the first under the next seq.
	raw(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte("contacts"))
		_, v := b.Cursor().First()
		seq, err := b.NextSequence()
		if err != nil {
			return err
		}
		var k [8]byte
		binary.BigEndian.PutUint64(k[:], seq)
		return b.Put(k[:], append([]byte(nil), v...))
	})
	ro, err := store.Open(p, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, err := ro.RankDigests(); ok || err != nil {
		t.Errorf("a column behind its contacts was read (%v)", err)
	}
	if err := ro.Check(); err == nil {
		t.Error("the check passed a column behind its contacts")
	}
	ro.Close()
	if s, err = store.Open(p, store.Options{}); err != nil {
		t.Fatal(err)
	}
	rankColumnMatches(t, s, "open after a write without the column")
	s.Close()
	damage := func() {
		t.Helper()
		// One bit of the first slot's newest-lead time.
		raw(func(tx *bolt.Tx) error {
			b := tx.Bucket([]byte("rank_col"))
			k, v := b.Cursor().First()
			v = append([]byte(nil), v...)
			v[17] ^= 1
			return b.Put(append([]byte(nil), k...), v)
		})
		if s, err = store.Open(p, store.Options{}); err != nil {
			t.Fatal(err)
		}
		if _, ok, err := s.RankDigests(); ok || err != nil {
			t.Errorf("a damaged rank column was read (%v)", err)
		}
		if err := s.Check(); err == nil {
			t.Error("the check passed a damaged rank column")
		}
	}
	damage()
	if err := s.RepairRankColumn(); err != nil {
		t.Fatal(err)
	}
	rankColumnMatches(t, s, "repair")
	s.Close()
	damage()
	defer s.Close()
	// A lead for another contact of the damaged block than the damaged
	// slot's (the first).
	all := genLeads(t, 600, gen.OrderGenerated, gen.ShapeCompact)
	l := all[len(all)-1]
	l.ID, l.Origin.RowKey = "", l.Origin.RowKey+"-again"
	l.Created = l.Created.Add(time.Hour)
	if _, err := s.Upsert([]store.Lead{l}, store.UpsertOptions{}); err != nil {
		t.Fatal(err)
	}
	rankColumnMatches(t, s, "a write to a damaged block")
}
