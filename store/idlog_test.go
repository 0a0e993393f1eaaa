package store

import (
	"bytes"
	"encoding/binary"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// runCount returns how many runs an ID index holds, and how many of its
// values are chunks after a run's first.
func runCount(t *testing.T, s *Store, bucket []byte) (runs, more int) {
	t.Helper()
	if err := s.db.View(func(tx *bolt.Tx) error {
		runs = countRuns(tx.Bucket(bucket))
		return tx.Bucket(bucket).ForEach(func(k, _ []byte) error {
			if len(k) == 12 && binary.BigEndian.Uint32(k[8:]) > 0 {
				more++
			}
			return nil
		})
	}); err != nil {
		t.Fatal(err)
	}
	return runs, more
}

// TestIDLogAcrossManyBatches: an import of many batches appends one run per
// batch and merges them once there are more than maxRuns, and a lookup
// through the runs (what readers do) agrees with the writer's map for every
// lead and contact, before and after a forget and a reopen. With small
// pages, runs take several chunks each; the first runs are then rewritten
// whole under 8-byte keys, as earlier versions wrote them.
func TestIDLogAcrossManyBatches(t *testing.T) {
	t.Run("one chunk a run", func(t *testing.T) { testIDLog(t, 10, false) })
	t.Run("chunks", func(t *testing.T) {
		defer func(p int) { pageSize = p }(pageSize)
		pageSize = 4096
		testIDLog(t, 3*runChunkEntries(pageSize)-5, true)
	})
}

func testIDLog(t *testing.T, per int, chunked bool) {
	s, p := openTemp(t)
	const batches = maxRuns + 8
	all := manyLeads(batches * per)
	for i := 0; i < batches; i++ {
		if _, err := s.Upsert(all[i*per:(i+1)*per], UpsertOptions{}); err != nil {
			t.Fatal(err)
		}
		runs, more := runCount(t, s, bLeadIdx)
		if runs > maxRuns || (i < maxRuns && runs != i+1) {
			t.Fatalf("after batch %d: %d runs (merged at more than %d)", i, runs, maxRuns)
		}
		if chunked != (more > 0) {
			t.Fatalf("after batch %d: %d chunks after runs' first", i, more)
		}
		if chunked && i == 2 {
			oldStyleRuns(t, s, bLeadIdx)
		}
		if i == 5 {
			// As after a reopen: the next write counts the runs it loads.
			s.idx.invalidate()
		}
	}
	if n, _ := runCount(t, s, bLeadIdx); n >= batches {
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

// oldStyleRuns rewrites every run of an index as one value under an 8-byte
// key, as earlier versions wrote runs, and drops the writer's map so that
// the next write loads it from them.
func oldStyleRuns(t *testing.T, s *Store, bucket []byte) {
	t.Helper()
	if err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucket)
		runs := map[uint64][]byte{}
		var keys [][]byte
		_ = b.ForEach(func(k, v []byte) error {
			runs[binary.BigEndian.Uint64(k)] = append(runs[binary.BigEndian.Uint64(k)], v...)
			keys = append(keys, bytes.Clone(k))
			return nil
		})
		for _, k := range keys {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		for seq, run := range runs {
			if err := b.Put(u64(seq), run); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	s.idx.invalidate()
	if runs, more := runCount(t, s, bucket); more != 0 || runs != 3 {
		t.Fatalf("rewritten: %d runs, %d chunks after a first", runs, more)
	}
}
