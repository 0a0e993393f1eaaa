package store

import (
	"bufio"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/leads-inbox/leads/store/view"
	bolt "go.etcd.io/bbolt"
)

// TestListingKeepsThePagesItRereads: a listing whose order has nothing
// to do with where the contacts lie in the file (a person's leads written
// together, listed by last activity) reads pages all over the file in
// every part; it keeps them mapped rather than dropping the file every
// few parts and faulting it in again. A listing in the file's order
// (here newest first, which is the file backwards) still drops what lies
// behind it, so its resident set stays a small part of the file.
func TestListingKeepsThePagesItRereads(t *testing.T) {
	old := listPart
	listPart = 25000 / 24 // 40,000 leads are 25,000 contacts
	defer func() { listPart = old }()
	at := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	// resident lists a store of leads newest first and samples the
	// file's resident pages every 250 contacts; it returns the samples
	// and the file's size, in KiB.
	resident := func(leads []Lead) ([]int64, int64) {
		t.Helper()
		s, path := openTemp(t)
		if _, err := s.Upsert(leads, UpsertOptions{}); err != nil {
			t.Fatal(err)
		}
		var samples []int64
		n := 0
		err := s.ListBrief(Filter{IncludeTest: true}, view.ByRecent, at, true, func(*Contact) error {
			if n++; n%250 == 0 {
				samples = append(samples, mappedKB(t, path))
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return samples, fileSize(t, s) / 1024
	}
	// A person's leads together, created at random.
	samples, _ := resident(synthLeads(40000, 0))
	most := slices.Max(samples)
	for i, kb := range samples[len(samples)/4:] {
		if kb < most/2 {
			t.Fatalf("in a scattered order, %d KiB of the file mapped after %d contacts, down from %d: the listing drops pages its next parts read again",
				kb, (len(samples)/4+i+1)*250, most)
		}
	}
	// The same, created in the order they are written.
	inOrder := synthLeads(40000, 0)
	for i := range inOrder {
		inOrder[i].Created = inOrder[i].Timestamp
	}
	samples, size := resident(inOrder)
	if most := slices.Max(samples); most > size/2 {
		t.Fatalf("in the file's order, %d KiB of the %d KiB file mapped at once: the listing keeps what lies behind it", most, size)
	}
}

// mappedKB is how much of the file at path this process has mapped in
// memory (Rss of its mapping in /proc/self/smaps), in KiB.
func mappedKB(t *testing.T, path string) int64 {
	t.Helper()
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var kb int64
	in := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if fields := strings.Fields(line); len(fields) >= 6 && strings.Contains(fields[0], "-") {
			in = fields[len(fields)-1] == path
			continue
		}
		if in && strings.HasPrefix(line, "Rss:") {
			v, err := strconv.ParseInt(strings.Fields(line)[1], 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			kb += v
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return kb
}

// fileSize is the size of s's file as its mapping holds it.
func fileSize(t *testing.T, s *Store) int64 {
	t.Helper()
	var size int64
	if err := s.db.View(func(tx *bolt.Tx) error { size = tx.Size(); return nil }); err != nil {
		t.Fatal(err)
	}
	return size
}
