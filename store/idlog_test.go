package store

import (
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// runCount returns how many runs an ID index holds.
func runCount(t *testing.T, s *Store, bucket []byte) int {
	t.Helper()
	n := 0
	if err := s.db.View(func(tx *bolt.Tx) error {
		n = tx.Bucket(bucket).Stats().KeyN
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestIDLogAcrossManyBatches: an import of many small batches appends one
// run per batch and merges them once there are more than maxRuns, and a
// lookup through the runs (what readers do) agrees with the writer's map
// for every lead and contact, before and after a forget and a reopen.
func TestIDLogAcrossManyBatches(t *testing.T) {
	s, p := openTemp(t)
	const batches, per = maxRuns + 8, 10
	all := manyLeads(batches * per)
	for i := 0; i < batches; i++ {
		if _, err := s.Upsert(all[i*per:(i+1)*per], UpsertOptions{}); err != nil {
			t.Fatal(err)
		}
		if n := runCount(t, s, bLeadIdx); n > maxRuns {
			t.Fatalf("after batch %d: %d runs, more than %d", i, n, maxRuns)
		}
	}
	if n := runCount(t, s, bLeadIdx); n >= batches {
		t.Fatalf("%d runs after %d batches: never merged", n, batches)
	}
	check := func(when string, gone string) {
		t.Helper()
		err := s.db.View(func(tx *bolt.Tx) error {
			for i := range all {
				k := idBytes(all[i].ComputeID())
				seq, ok := lookupRuns(tx.Bucket(bLeadIdx), k)
				want := all[i].Customer.Email != gone
				if ok != want {
					t.Fatalf("%s: lead %d found %v, want %v", when, i, ok, want)
				}
				if rec, err := (leadBucket{tx.Bucket(bLeads)}).get(seq); ok && (err != nil || rec == nil) {
					t.Fatalf("%s: lead %d points at missing #%d", when, i, seq)
				}
				if m := s.idx.leads.mem; m != nil {
					if ms, mok := m.get(idKey(k)); mok != ok || ms != seq {
						t.Fatalf("%s: lead %d: map says %d/%v, runs %d/%v", when, i, ms, mok, seq, ok)
					}
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	check("after import", "")
	if res, err := s.Upsert(all, UpsertOptions{}); err != nil || res.Unchanged != len(all) {
		t.Fatalf("same leads again: %+v %v", res, err)
	}
	gone := all[7].Customer.Email
	if _, err := s.Forget(gone, time.Now()); err != nil {
		t.Fatal(err)
	}
	check("after forget", gone)
	if _, err := s.Contact(gone); err == nil {
		t.Fatal("forgotten contact still found by email")
	}
	s.Close()
	s2, err := Open(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	s = s2
	// A new batch loads the map from the runs, tombstones included.
	res, err := s.Upsert(all[:per], UpsertOptions{AllowForgotten: false})
	if err != nil {
		t.Fatal(err)
	}
	if res.Unchanged+res.Forgotten != per || res.New != 0 {
		t.Fatalf("after reopen: %+v", res)
	}
	check("after reopen", gone)
	for i := 0; i < len(all); i += 37 {
		c, err := s.Contact(all[i].Customer.Email)
		if all[i].Customer.Email == gone {
			continue
		}
		if err != nil || c.Email != all[i].Customer.Email {
			t.Fatalf("contact of lead %d: %v", i, err)
		}
		if _, err := s.Contact(c.ID[:8]); err != nil {
			t.Fatalf("contact %s by prefix: %v", c.ID, err)
		}
	}
}
