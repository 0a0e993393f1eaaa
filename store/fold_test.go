package store_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/leads-inbox/leads/importer"
	"github.com/leads-inbox/leads/importer/gen"
	"github.com/leads-inbox/leads/store"
)

// genLeads returns the leads of a generated file in the given order and
// shape, as the importer reads them.
func genLeads(t *testing.T, rows int, order, shape string) []store.Lead {
	t.Helper()
	var buf bytes.Buffer
	now := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	if err := gen.Write(&buf, gen.Options{Rows: rows, Format: gen.FormatStorageExplorer, Seed: 7, Now: now, Order: order, Shape: shape}); err != nil {
		t.Fatal(err)
	}
	var out []store.Lead
	_, err := importer.ReadBatches(&buf, "gen.csv", importer.BatchOptions{Size: 1000}, func(b []store.Lead) error {
		for _, l := range b {
			l.Raw = append([]store.Field(nil), l.Raw...)
			out = append(out, l)
		}
		return nil
	}, func(re *importer.RowError) { t.Fatalf("row error: %v", re) })
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// contactView is what a contact shows and filters on, for comparing two
// databases built from the same leads.
type contactView struct {
	Email, LatestSource, LatestAction, LatestOfferID, LatestOfferName string
	Customer                                                          store.Customer
	First, Last                                                       time.Time
	LeadCount                                                         int
	Sources, Actions, Offers, Countries                               []string
	IsTest, IsDNC, NoPII                                              bool
	Search                                                            string
	Leads                                                             []string
}

func contactViews(t *testing.T, s *store.Store) map[string]contactView {
	t.Helper()
	out := map[string]contactView{}
	err := s.ListContacts(store.Filter{IncludeTest: true}, func(c *store.Contact) error {
		full, err := s.Contact(c.ID)
		if err != nil {
			return err
		}
		v := contactView{c.Email, c.LatestSource, c.LatestAction, c.LatestOfferID, c.LatestOfferName, c.Customer,
			c.First, c.Last, c.LeadCount, c.Sources, c.Actions, c.Offers, c.Countries, c.IsTest, c.IsDNC, c.NoPII, c.Search, nil}
		for _, l := range full.Leads {
			v.Leads = append(v.Leads, l.ID)
		}
		out[c.ID] = v
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestFoldMatchesFilingInOrder: leads imported in table order or shuffled,
// with their contacts filed by Fold (in several parts), give exactly the
// contacts that filing each lead at once, in the generator's order, gives:
// the same fields, the same latest lead, the same search text, the same
// leads. Also for the spread shape, whose people retype their address.
//
// Both ways a fold reads its leads are checked: through bbolt (a small
// fold) and with plain reads of the file in windows (a large one; here
// windows of 900 leads, so a fold takes several), the latter with the
// search texts built on another goroutine.
func TestFoldMatchesFilingInOrder(t *testing.T) {
	defer store.SetFoldPart(700)()
	for _, shape := range []string{gen.ShapeCompact, gen.ShapeSpread} {
		ref := openFresh(t)
		upsertAll(t, ref, genLeads(t, 6000, gen.OrderGenerated, shape), 1000, false)
		want := contactViews(t, ref)
		for _, run := range []struct{ order, read string }{
			{gen.OrderGenerated, "bbolt"}, {gen.OrderTable, "bbolt"}, {gen.OrderShuffled, "bbolt"},
			{gen.OrderGenerated, "plain"}, {gen.OrderTable, "plain"}, {gen.OrderShuffled, "plain"},
		} {
			order := run.order + " read through " + run.read
			restore := func() {}
			if run.read == "plain" {
				// And the search texts built on another goroutine, in
				// the batches and in the fold.
				r1, r2 := store.SetFoldScan(1, 900), store.SetSearchAhead(1)
				restore = func() { r1(); r2() }
			}
			s := openFresh(t)
			upsertAll(t, s, genLeads(t, 6000, run.order, shape), 1000, true)
			if n, err := s.Unfolded(); err != nil || n == 0 {
				t.Fatalf("%s/%s: %d leads waiting before Fold (%v); the test files nothing later", shape, order, n, err)
			}
			_, err := s.Fold()
			restore()
			if err != nil {
				t.Fatal(err)
			}
			if n, _ := s.Unfolded(); n != 0 {
				t.Fatalf("%s/%s: %d leads still waiting after Fold", shape, order, n)
			}
			got := contactViews(t, s)
			if len(got) != len(want) {
				t.Fatalf("%s/%s: %d contacts, filing in order gives %d", shape, order, len(got), len(want))
			}
			for id, w := range want {
				if g := got[id]; !reflect.DeepEqual(g, w) {
					t.Fatalf("%s/%s: contact %s differs:\n got %+v\nwant %+v", shape, order, id, g, w)
				}
			}
			if err := s.Check(); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// TestFoldOnOpenAfterCrash: leads stored with their contacts left for Fold
// (a process killed before it folded) are filed by the next open that may
// write, which says how many; a read-only open reports them waiting.
func TestFoldOnOpenAfterCrash(t *testing.T) {
	p := filepath.Join(t.TempDir(), "leads.db")
	s, err := store.Open(p, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	leads := genLeads(t, 3000, gen.OrderShuffled, gen.ShapeSpread)
	upsertAll(t, s, leads, 500, true)
	s.Close() // no Fold: as if the process died here
	ro, err := store.Open(p, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	waiting, err := ro.Unfolded()
	ro.Close()
	if err != nil || waiting == 0 {
		t.Fatalf("read-only open: %d waiting (%v)", waiting, err)
	}
	s, err = store.Open(p, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.FoldedOnOpen() < waiting {
		t.Fatalf("open filed %d leads, %d were waiting", s.FoldedOnOpen(), waiting)
	}
	ref := openFresh(t)
	upsertAll(t, ref, leads, 500, false)
	want, got := contactViews(t, ref), contactViews(t, s)
	if !reflect.DeepEqual(want, got) {
		t.Fatalf("after the fold on open: %d contacts, want %d (or their fields differ)", len(got), len(want))
	}
}

func openFresh(t *testing.T) *store.Store {
	t.Helper()
	s, err := store.Open(filepath.Join(t.TempDir(), "leads.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func upsertAll(t *testing.T, s *store.Store, leads []store.Lead, batch int, deferred bool) {
	t.Helper()
	for i := 0; i < len(leads); i += batch {
		b := append([]store.Lead(nil), leads[i:min(i+batch, len(leads))]...)
		if _, err := s.Upsert(b, store.UpsertOptions{DeferContacts: deferred}); err != nil {
			t.Fatal(fmt.Errorf("batch at %d: %w", i, err))
		}
	}
}

// TestForgetWhileAnImportWaitsOnAFullDisk: after an import was cut off
// with leads waiting to be filed, and on a disk too full to file them,
// the database still opens (saying why it could not finish) and forget
// still removes every lead of the person, the waiting ones included. The
// compaction has no room either: forget says the bytes remain, and the
// next open with room finishes the erasure.
func TestForgetWhileAnImportWaitsOnAFullDisk(t *testing.T) {
	p := filepath.Join(t.TempDir(), "leads.db")
	s, err := store.Open(p, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	leads := genLeads(t, 30000, gen.OrderShuffled, gen.ShapeCompact)
	upsertAll(t, s, leads, 5000, true)
	s.Close() // no Fold: as if the process died here
	// The person with the most leads, some of them surely waiting.
	count := map[string]int{}
	seen := map[string]bool{}
	for _, l := range leads {
		if e := store.NormalizeEmail(l.Customer.Email); e != "" && !l.IsTest && !seen[l.ComputeID()] {
			seen[l.ComputeID()] = true // a repeated row is one lead
			count[e]++
		}
	}
	var who string
	for e, n := range count {
		if n > count[who] || n == count[who] && e < who {
			who = e
		}
	}
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	// Room for a forget, not for filing thousands of leads (measured,
	// with the file grown 1 MiB at a time: with 3 MiB more the fold
	// fits; 1 and 2 MiB leave room for the forget alone).
	s, err = store.Open(p, store.Options{MaxSize: int(fi.Size()) + 1<<20})
	if err != nil {
		t.Fatalf("a full disk kept the database from opening: %v", err)
	}
	if s.FoldError() == nil {
		t.Fatal("the fold on open did not fail on the full disk; the test proves nothing")
	}
	res, err := s.Forget(who, time.Now())
	if err == nil || !strings.Contains(err.Error(), "leads forget --finish") {
		t.Fatalf("forget on a full disk: %v", err)
	}
	if p, err := s.PendingErasure(); err != nil || !p.Bytes || p.People != 0 {
		t.Fatalf("pending after a failed compaction: %+v %v", p, err)
	}
	s.Close()
	if res.Leads != count[who] {
		t.Fatalf("forget removed %d of %s's %d leads", res.Leads, who, count[who])
	}
	s, err = store.Open(p, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.FoldedOnOpen() == 0 {
		t.Fatal("the waiting leads were not filed once there was room")
	}
	if !s.ErasedOnOpen() || s.EraseError() != nil {
		t.Fatalf("the erasure was not finished once there was room: %v", s.EraseError())
	}
	if _, err := s.Contact(who); err == nil {
		t.Fatalf("%s is still there after forget", who)
	}
}
