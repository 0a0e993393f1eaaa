package store

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// leadValues counts the leads bucket's values: blocks and single leads.
func leadValues(t *testing.T, s *Store) (blocks, singles int) {
	t.Helper()
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bLeads).ForEach(func(_, v []byte) error {
			if isLeadBlock(v) {
				blocks++
			} else {
				singles++
			}
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return blocks, singles
}

// checkAllLeads reads every lead the way each reader does (a contact's
// funnel, the listing, the stats pass, the count) and compares them with
// want, keyed by RowKey.
func checkAllLeads(t *testing.T, s *Store, want map[string]Lead) {
	t.Helper()
	n, err := s.Count()
	if err != nil || n.Leads != len(want) {
		t.Fatalf("Count = %+v, %v; want %d leads", n, err, len(want))
	}
	if facts, err := tallied(s); err != nil || facts != len(want) {
		t.Fatalf("TallyLeads counted %d leads (%v), want %d", facts, err, len(want))
	}
	seen := map[string]bool{}
	err = s.ListContacts(Filter{IncludeTest: true}, func(lc *Contact) error {
		c, err := s.Contact(lc.ID)
		if err != nil {
			return err
		}
		if len(c.Leads) != len(lc.Leads) {
			return fmt.Errorf("contact %s: %d leads in the listing, %d shown", c.ID, len(lc.Leads), len(c.Leads))
		}
		for _, l := range c.Leads {
			w, ok := want[l.Origin.RowKey]
			if !ok || seen[l.Origin.RowKey] {
				return fmt.Errorf("unexpected or repeated lead %s", l.Origin.RowKey)
			}
			seen[l.Origin.RowKey] = true
			if l.Description != w.Description || l.Customer.Email != w.Customer.Email || !l.Created.Equal(w.Created) {
				return fmt.Errorf("lead %s reads back as %q/%s, want %q/%s", l.Origin.RowKey, l.Description, l.Customer.Email, w.Description, w.Customer.Email)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != len(want) {
		t.Fatalf("contacts hold %d leads, want %d", len(seen), len(want))
	}
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
}

func byRowKey(leads []Lead) map[string]Lead {
	m := map[string]Lead{}
	for _, l := range leads {
		m[l.Origin.RowKey] = l
	}
	return m
}

// TestLeadBlocks: a batch's new leads are stored in blocks, and every
// later change (an updated row, a forgotten person, the same lead twice in
// one batch) reads back right, through every reader.
func TestLeadBlocks(t *testing.T) {
	s, _ := openTemp(t)
	leads := manyLeads(300)
	res, err := s.Upsert(slices.Clone(leads), UpsertOptions{})
	if err != nil || res.New != 300 {
		t.Fatalf("first import: %+v %v", res, err)
	}
	blocks, singles := leadValues(t, s)
	if blocks < 2 || blocks+singles > 300/20 {
		t.Fatalf("300 new leads stored as %d blocks and %d single values", blocks, singles)
	}
	want := byRowKey(leads)
	checkAllLeads(t, s, want)

	// Two rows change, one at a block's start and one inside it: both are
	// taken out of their blocks, the rest stay as they were.
	changed := slices.Clone(leads)
	for _, i := range []int{0, 151} {
		changed[i].Description = fmt.Sprintf("changed %d", i)
		want[changed[i].Origin.RowKey] = changed[i]
	}
	res, err = s.Upsert(slices.Clone(changed), UpsertOptions{})
	if err != nil || res.Updated != 2 || res.Unchanged != 298 || res.New != 0 {
		t.Fatalf("import with two changed rows: %+v %v", res, err)
	}
	checkAllLeads(t, s, want)
	if b, sg := leadValues(t, s); b >= blocks || sg < 2 {
		t.Fatalf("after the updates: %d blocks and %d singles, from %d blocks", b, sg, blocks)
	}
	res, err = s.Upsert(slices.Clone(changed), UpsertOptions{})
	if err != nil || res.Unchanged != 300 {
		t.Fatalf("the same import again: %+v %v", res, err)
	}

	// Forgetting a person deletes their two leads, wherever they are.
	gone := changed[151].Customer.Email
	if _, err := s.Forget(gone, time.Now()); err != nil {
		t.Fatal(err)
	}
	for _, l := range changed {
		if l.Customer.Email == gone {
			delete(want, l.Origin.RowKey)
		}
	}
	checkAllLeads(t, s, want)
	res, err = s.Upsert(slices.Clone(changed), UpsertOptions{})
	if err != nil || res.Forgotten != 2 || res.Unchanged != 298 {
		t.Fatalf("import after forgetting: %+v %v", res, err)
	}
}

// TestLeadTwiceInOneBatch: a lead met again in the batch that brought it,
// before its block is written, is found there: unchanged, or updated in
// place.
func TestLeadTwiceInOneBatch(t *testing.T) {
	s, _ := openTemp(t)
	leads := manyLeads(40)
	again := leads[5]
	moved := leads[6]
	moved.Description = "second sighting"
	batch := append(slices.Clone(leads), again, moved)
	res, err := s.Upsert(batch, UpsertOptions{})
	if err != nil || res.New != 40 || res.Unchanged != 1 || res.Updated != 1 {
		t.Fatalf("batch with a repeated and a changed lead: %+v %v", res, err)
	}
	want := byRowKey(leads)
	want[moved.Origin.RowKey] = moved
	checkAllLeads(t, s, want)
	if blocks, singles := leadValues(t, s); blocks != 1 || singles != 0 {
		t.Fatalf("one batch of 40 small leads: %d blocks and %d singles, want one block", blocks, singles)
	}
}

// TestSingleLeadValuesStillRead: files from before blocks hold one value
// per lead, and batches of one still write one; both read and change like
// blocks do, side by side with them.
func TestSingleLeadValuesStillRead(t *testing.T) {
	s, _ := openTemp(t)
	leads := manyLeads(30)
	for i := range 10 {
		if _, err := s.Upsert([]Lead{leads[i]}, UpsertOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Upsert(slices.Clone(leads[10:]), UpsertOptions{}); err != nil {
		t.Fatal(err)
	}
	if blocks, singles := leadValues(t, s); blocks != 1 || singles != 10 {
		t.Fatalf("%d blocks and %d singles, want 1 and 10", blocks, singles)
	}
	want := byRowKey(leads)
	checkAllLeads(t, s, want)
	changed := slices.Clone(leads)
	for _, i := range []int{3, 9, 10, 29} {
		changed[i].Description = "new text"
		want[changed[i].Origin.RowKey] = changed[i]
	}
	if res, err := s.Upsert(slices.Clone(changed), UpsertOptions{}); err != nil || res.Updated != 4 {
		t.Fatalf("%+v %v", res, err)
	}
	checkAllLeads(t, s, want)
}

// TestBlockFillsItsPages: blocks are cut before they pass leadBlockMax,
// and a block holds as many leads as fit.
func TestBlockFillsItsPages(t *testing.T) {
	s, _ := openTemp(t)
	if _, err := s.Upsert(manyLeads(2000), UpsertOptions{}); err != nil {
		t.Fatal(err)
	}
	var sizes []int
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bLeads).ForEach(func(_, v []byte) error {
			sizes = append(sizes, len(v))
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, n := range sizes {
		if max := leadBlockMax(s.db.Info().PageSize); n > max || (i < len(sizes)-1 && n < max-600) {
			t.Fatalf("block %d of %d is %d bytes, want at most %d and full but for the last", i, len(sizes), n, max)
		}
	}
}

// FuzzLeadBlock: blocks read back what was written, and reading any bytes
// as a block never panics and never yields a record past the value's end.
func FuzzLeadBlock(f *testing.F) {
	f.Add(uint64(7), []byte{1, 2, 3}, []byte("\x02abc"), []byte{0xFF, 2, 0, 1, 'x', 1, 1, 'y'})
	f.Add(uint64(1<<63), []byte{}, []byte("x"), []byte{0xFF, 0xFF})
	f.Fuzz(func(t *testing.T, key uint64, deltas, recs, raw []byte) {
		var seqs []uint64
		var rs [][]byte
		seq := key
		for i, d := range deltas {
			if i > 0 {
				if d == 0 || seq+uint64(d) < seq {
					break
				}
				seq += uint64(d)
			}
			seqs = append(seqs, seq)
			cut := min(len(recs), int(d)%8)
			rs = append(rs, recs[:cut])
			recs = recs[cut:]
		}
		if len(seqs) > 0 {
			b := appendLeadBlock(nil, seqs, rs)
			i := 0
			err := eachInBlock(key, b, func(s uint64, r []byte) bool {
				if i >= len(seqs) || s != seqs[i] || !bytes.Equal(r, rs[i]) {
					t.Fatalf("entry %d reads back as #%d %q", i, s, r)
				}
				i++
				return true
			})
			if err != nil || i != len(seqs) {
				t.Fatalf("read %d of %d entries: %v", i, len(seqs), err)
			}
		}
		if len(raw) == 0 {
			return
		}
		raw[0] = leadBlockTag
		prev, first := uint64(0), true
		_ = eachInBlock(key, raw, func(s uint64, r []byte) bool {
			if !first && s <= prev {
				t.Fatalf("sequence numbers go back: %d after %d", s, prev)
			}
			if len(r) > len(raw) {
				t.Fatalf("record of %d bytes from a %d-byte value", len(r), len(raw))
			}
			prev, first = s, false
			return true
		})
		eachLeadSafe(u64(key), raw, func(Lead, bool) {})
	})
}

// TestUpgradeFromSchema2: a schema-2 file, whose leads are single values,
// is upgraded with a backup, reads every lead, changes nothing on the same
// import, and stores the next batch's new leads in blocks beside the old.
func TestUpgradeFromSchema2(t *testing.T) {
	p := filepath.Join(t.TempDir(), "leads.db")
	s, err := Open(p, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	leads := manyLeads(60)
	for i := range 20 {
		if _, err := s.Upsert([]Lead{leads[i]}, UpsertOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bMeta).Put(kSchema, []byte("2")) }); err != nil {
		t.Fatal(err)
	}
	s.Close()

	s, err = Open(p, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := os.Stat(p + ".bak-schema2"); err != nil {
		t.Fatalf("no backup of the schema-2 file: %v", err)
	}
	err = s.db.View(func(tx *bolt.Tx) error {
		if v := string(tx.Bucket(bMeta).Get(kSchema)); v != strconv.Itoa(SchemaVersion) {
			t.Fatalf("schema %q after the upgrade, want %d", v, SchemaVersion)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	checkAllLeads(t, s, byRowKey(leads[:20]))
	if res, err := s.Upsert(slices.Clone(leads[:20]), UpsertOptions{}); err != nil || res.Unchanged != 20 {
		t.Fatalf("the same leads again: %+v %v", res, err)
	}
	if res, err := s.Upsert(slices.Clone(leads), UpsertOptions{}); err != nil || res.New != 40 {
		t.Fatalf("40 more: %+v %v", res, err)
	}
	if blocks, singles := leadValues(t, s); blocks != 1 || singles != 20 {
		t.Fatalf("%d blocks and %d singles, want 1 and 20", blocks, singles)
	}
	checkAllLeads(t, s, byRowKey(leads))
}

// TestWritesReuseTheirRoom: each write reuses the room the last one took
// for records and contacts. Batches large enough to fill several blocks of
// each, some of whose leads join contacts from the batch before, must all
// read back as written.
func TestWritesReuseTheirRoom(t *testing.T) {
	s, _ := openTemp(t)
	all := manyLeads(18000)
	want := map[string]Lead{}
	for b := range 3 {
		batch := slices.Clone(all[b*6000 : (b+1)*6000])
		if b > 0 {
			// Every tenth lead is another lead of someone from the
			// batch before.
			for i := 0; i < len(batch); i += 10 {
				batch[i].Customer.Email = all[(b-1)*6000+i].Customer.Email
			}
		}
		for _, l := range batch {
			want[l.Origin.RowKey] = l
		}
		res, err := s.Upsert(batch, UpsertOptions{})
		if err != nil || res.New != 6000 {
			t.Fatalf("batch %d: %+v %v", b, res, err)
		}
		checkAllLeads(t, s, want)
	}
	// Each contact holds exactly the leads with its address.
	perEmail := map[string]int{}
	for _, l := range want {
		perEmail[NormalizeEmail(l.Customer.Email)]++
	}
	err := s.ListContacts(Filter{IncludeTest: true}, func(c *Contact) error {
		if n := perEmail[c.Email]; c.LeadCount != n || len(c.Leads) != n {
			return fmt.Errorf("contact %s has %d leads (%d listed), want %d", c.Email, c.LeadCount, len(c.Leads), n)
		}
		delete(perEmail, c.Email)
		return nil
	})
	if err != nil || len(perEmail) != 0 {
		t.Fatalf("%v; %d addresses without a contact", err, len(perEmail))
	}
}
