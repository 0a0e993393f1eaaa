package store

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// scanFixture writes a database of n leads in batches, with a few leads
// changed afterwards (which takes them out of their blocks, so the bucket
// holds blocks and single values), and returns it open, with its path.
func scanFixture(t testing.TB, n int) (*Store, string) {
	t.Helper()
	p := filepath.Join(t.TempDir(), "leads.db")
	s, err := Open(p, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	leads := manyLeads(n)
	for i := 0; i < n; i += 700 {
		if _, err := s.Upsert(slices.Clone(leads[i:min(i+700, n)]), UpsertOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	var changed []Lead
	for i := 3; i < n; i += 97 {
		l := leads[i]
		l.Description = "changed after the import"
		changed = append(changed, l)
	}
	if res, err := s.Upsert(changed, UpsertOptions{}); err != nil || res.Updated != len(changed) {
		t.Fatalf("changing %d leads: %+v, %v", len(changed), res, err)
	}
	return s, p
}

// TestLeafScannerReadsWhatBboltReads: the plain reads a large fold uses
// find every lead bbolt's cursor finds, with the same record, whether
// they are asked for all at once or a few, and read only leaves that may
// hold the leads asked for.
func TestLeafScannerReadsWhatBboltReads(t *testing.T) {
	s, p := scanFixture(t, 6000)
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	err = s.db.View(func(tx *bolt.Tx) error {
		want := map[uint64][]byte{}
		var seqs []uint64
		if err := (leadBucket{tx.Bucket(bLeads)}).forEach(func(seq uint64, rec []byte) error {
			want[seq] = bytes.Clone(rec)
			seqs = append(seqs, seq)
			return nil
		}); err != nil {
			return err
		}
		sc, ok := newLeafScanner(f, tx)
		if !ok {
			t.Fatal("the scanner refused the file the store has open")
		}
		if len(sc.leaves) < 10 {
			t.Fatalf("%d leaves: the fixture is too small to test a walk", len(sc.leaves))
		}
		got := map[uint64][]byte{}
		if err := sc.scan(seqs, func(seq uint64, rec []byte) {
			if _, dup := got[seq]; dup {
				t.Fatalf("lead #%d read twice", seq)
			}
			got[seq] = bytes.Clone(rec)
		}); err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) {
			t.Fatalf("plain reads found %d leads, bbolt %d", len(got), len(want))
		}
		for seq, rec := range want {
			if !bytes.Equal(got[seq], rec) {
				t.Fatalf("lead #%d: plain reads give another record", seq)
			}
		}
		// A few leads: only the leaves that may hold them are read.
		few := []uint64{seqs[5], seqs[len(seqs)/2]}
		found, read := 0, 0
		if err := sc.scan(few, func(seq uint64, rec []byte) {
			read++
			if slices.Contains(few, seq) {
				found++
			}
		}); err != nil {
			t.Fatal(err)
		}
		if found != len(few) || read > len(want)/4 {
			t.Fatalf("asked for 2 leads: found %d, read %d of %d", found, read, len(want))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestLeafScannerRefusesAnotherFile: a file that is not the one the
// transaction reads (here an older copy of it) is not read: the fold
// then reads through bbolt.
func TestLeafScannerRefusesAnotherFile(t *testing.T) {
	s, p := scanFixture(t, 2000)
	old := filepath.Join(t.TempDir(), "old.db")
	copyFile(t, p, old)
	if _, err := s.Upsert(manyLeads(2100)[2000:], UpsertOptions{}); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(old)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	err = s.db.View(func(tx *bolt.Tx) error {
		if _, ok := newLeafScanner(f, tx); ok {
			t.Fatal("the scanner read an older copy of the file as the current one")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

// FuzzScanLeaf feeds damaged leaf pages to the plain-read scan: whatever
// the bytes, it returns an error or hands on records cut from the page,
// and never panics.
func FuzzScanLeaf(f *testing.F) {
	saved := pageSize
	pageSize = 4096 // small pages keep the inputs small
	s, p := scanFixture(f, 400)
	pageSize = saved
	fl, err := os.Open(p)
	if err != nil {
		f.Fatal(err)
	}
	defer fl.Close()
	if err := s.db.View(func(tx *bolt.Tx) error {
		sc, ok := newLeafScanner(fl, tx)
		if !ok {
			f.Fatal("the scanner refused the fixture")
		}
		for _, lf := range sc.leaves[:min(4, len(sc.leaves))] {
			b := make([]byte, lf.span*sc.ps)
			if _, err := fl.ReadAt(b, int64(lf.id*sc.ps)); err != nil {
				return err
			}
			binary.LittleEndian.PutUint64(b, 7)
			f.Add(b)
		}
		return nil
	}); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) < pgHeaderSize {
			return
		}
		span := 1 + uint64(binary.LittleEndian.Uint32(b[12:]))
		// A record outside b would panic on the slicing that made it;
		// each lead's record is read through, as a fold decodes it.
		_ = scanLeaf(b, 7, span, func(seq uint64, rec []byte) {
			_, _ = decodeLeadRaw(rec, false)
		})
	})
}

// TestRepeatedRowsInOneImport: within one import (leads left for Fold,
// prepared as the importer prepares them), a row repeated in a later
// batch is unchanged, a repeat with other content updates the lead, and
// the first content repeated after that update updates it back, also
// when the update came in the batch that stored the lead: the same
// counts and leads as the same batches written one by one.
func TestRepeatedRowsInOneImport(t *testing.T) {
	now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	base := manyLeads(300)
	changed := func(l Lead) Lead { l.Description = "asked for a demo"; return l }
	// base[8] is changed in the batch that stores it, while its record
	// still waits in the block being built, and repeated as it was first
	// in the next batch.
	first := slices.Concat(base[:9], []Lead{changed(base[8])}, base[9:200])
	batches := [][]Lead{
		first,
		{base[5], changed(base[6]), base[250], base[8]},
		{base[6], base[7], base[5]},
	}
	run := func(deferred bool) ([]UpsertResult, map[string]string) {
		s, err := Open(filepath.Join(t.TempDir(), "leads.db"), Options{NoSync: true})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		pr := s.NewPreparer(now)
		var res []UpsertResult
		for _, b := range batches {
			b = slices.Clone(b)
			pr.Prepare(b)
			r, err := s.Upsert(b, UpsertOptions{DeferContacts: deferred})
			if err != nil {
				t.Fatal(err)
			}
			res = append(res, r)
		}
		if _, err := s.Fold(); err != nil {
			t.Fatal(err)
		}
		descs := map[string]string{}
		for _, i := range []int{5, 6, 7, 8, 250} {
			c, err := s.Contact(ContactIDForEmail(base[i].Customer.Email))
			if err != nil {
				t.Fatal(err)
			}
			for _, l := range c.Leads {
				descs[l.ID] = l.Description
			}
		}
		return res, descs
	}
	wantRes, wantDescs := run(false)
	gotRes, gotDescs := run(true)
	if !reflect.DeepEqual(gotRes, wantRes) {
		t.Fatalf("counts within one import: %+v, batch by batch: %+v", gotRes, wantRes)
	}
	if gotRes[1].Unchanged != 1 || gotRes[1].Updated != 2 || gotRes[2].Updated != 1 || gotRes[2].Unchanged != 2 {
		t.Fatalf("counts: %+v", gotRes)
	}
	if !reflect.DeepEqual(gotDescs, wantDescs) || gotDescs[base[6].ComputeID()] != base[6].Description ||
		gotDescs[base[8].ComputeID()] != base[8].Description {
		t.Fatalf("leads within one import: %v, batch by batch: %v", gotDescs, wantDescs)
	}
}

// TestFoldReadsOnlyTheFileItHolds: when another file is put at the
// database's path while an import runs (a copy restored over it, here
// with every address changed), the fold still files the leads of the
// file it holds: it does not read the new file with plain reads.
func TestFoldReadsOnlyTheFileItHolds(t *testing.T) {
	oldMin, oldWin := foldScanMin, foldWindow
	foldScanMin, foldWindow = 1, 300
	defer func() { foldScanMin, foldWindow = oldMin, oldWin }()
	p := filepath.Join(t.TempDir(), "leads.db")
	s, err := Open(p, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	leads := manyLeads(2000)
	var first, second []Lead
	for i, l := range leads {
		if i%2 == 0 {
			first = append(first, l)
		} else {
			second = append(second, l) // each person's second lead: left for the fold
		}
	}
	for _, b := range [][]Lead{first, second} {
		if _, err := s.Upsert(b, UpsertOptions{DeferContacts: true}); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := s.Unfolded(); err != nil || n < len(second) {
		t.Fatalf("%d leads waiting for the fold (%v), want %d", n, err, len(second))
	}
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	forged := bytes.ReplaceAll(b, []byte("@example.com"), []byte("@forged.test"))
	if bytes.Equal(forged, b) {
		t.Fatal("the copy holds no address to change")
	}
	if err := os.WriteFile(p+".new", forged, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(p+".new", p); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Fold(); err != nil {
		t.Fatal(err)
	}
	n := 0
	var bad []string
	err = s.ListContacts(Filter{IncludeTest: true}, func(c *Contact) error {
		if !strings.HasSuffix(c.Email, "@example.com") || c.LeadCount != 2 {
			bad = append(bad, fmt.Sprintf("%s (%d leads)", c.Email, c.LeadCount))
		}
		n++
		return nil
	})
	if len(bad) > 0 {
		t.Fatalf("the fold read another file: %d contacts such as %s", len(bad), bad[0])
	}
	if err != nil || n != 1000 {
		t.Fatalf("%d contacts (%v), want 1000", n, err)
	}
}

// TestLeafScannerRefusesSharedPages: a branch page whose elements point
// at the same page (damage: bbolt never shares pages) is refused rather
// than walked again and again; the fold then reads through bbolt.
func TestLeafScannerRefusesSharedPages(t *testing.T) {
	s, p := scanFixture(t, 6000)
	err := s.db.View(func(tx *bolt.Tx) error {
		root := uint64(tx.Bucket(bLeads).Root())
		ps := int64(tx.DB().Info().PageSize)
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		page := b[int64(root)*ps:]
		le := binary.LittleEndian
		if le.Uint16(page[8:]) != pgBranch || le.Uint16(page[10:]) < 2 {
			t.Fatal("the fixture's leads bucket has no branch root with two children")
		}
		// The second child is the first one again.
		copy(page[pgHeaderSize+pgElemSize+8:pgHeaderSize+pgElemSize+16], page[pgHeaderSize+8:pgHeaderSize+16])
		damaged := filepath.Join(t.TempDir(), "damaged.db")
		if err := os.WriteFile(damaged, b, 0o600); err != nil {
			return err
		}
		f, err := os.Open(damaged)
		if err != nil {
			return err
		}
		defer f.Close()
		if _, ok := newLeafScanner(f, tx); ok {
			t.Fatal("a branch page with a shared child was walked")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
