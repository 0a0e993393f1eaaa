package store

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// FuzzOpenDamagedFile feeds mutated database files to the salvage walk
// and, when the page walk of verify.go passes them, to Open, the reads and
// a write. That walk claims to stop every file that would crash bbolt; a
// crash here (a panic, or a fault in bbolt's own goroutines, which kills
// the worker) breaks the claim. Run it with -fuzzminimizetime 1s:
// minimising a 60 KB input otherwise eats the whole budget.
func FuzzOpenDamagedFile(f *testing.F) {
	saved := pageSize
	pageSize = 4096 // small pages keep the inputs small
	dir := f.TempDir()
	p := filepath.Join(dir, "seed.db")
	s, err := Open(p, Options{NoSync: true})
	if err != nil {
		f.Fatal(err)
	}
	s.Upsert(manyLeads(60), UpsertOptions{})
	s.AddNote(ContactIDForEmail("person1@example.com"), "note", ts("2026-11-01T10:00:00Z"))
	s.Close()
	pageSize = saved
	seed, err := os.ReadFile(p)
	if err != nil {
		f.Fatal(err)
	}
	// bbolt grows files ahead of need; the pages past the high-water
	// mark are not part of the database.
	m, err := readMeta(bytes.NewReader(seed))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed[:m.hwm*uint64(m.pageSize)])
	f.Fuzz(func(t *testing.T, b []byte) {
		// The salvage read path: a lenient walk decoding every record.
		if m, err := readMeta(bytes.NewReader(b)); err == nil {
			m.hwm = min(m.hwm, uint64(len(b))/uint64(max(m.pageSize, 1)))
			w := &walker{r: &pageReader{f: bytes.NewReader(b), meta: m, size: int64(len(b)), visited: map[uint64]bool{}}, lenient: true}
			w.fn = func(path [][]byte, k, v []byte) {
				if len(path) == 1 && string(path[0]) == string(bLeads) && v != nil {
					eachLeadSafe(k, v, func(Lead, bool) {})
				}
			}
			_ = w.tree(nil, m.root, nil, 0)
		}
		// Only a file the page walk passes reaches bbolt; writing the
		// others out would only slow the fuzzer down.
		if verifyReader(bytes.NewReader(b), int64(len(b))) != nil {
			return
		}
		p := filepath.Join(t.TempDir(), "f.db")
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		s, err := Open(p, Options{NoSync: true})
		if err != nil {
			return
		}
		defer s.Close()
		_ = s.ListContacts(Filter{IncludeTest: true}, func(*Contact) error { return nil })
		_ = s.Check()
		_, _ = s.Upsert(manyLeads(3), UpsertOptions{})
	})
}
