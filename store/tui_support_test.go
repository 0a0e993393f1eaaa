package store

import (
	"path/filepath"
	"slices"
	"testing"
)

// TestLoadDigestsMatchesDigests checks the inbox's loader against Digests:
// same digests, and the search text moved into the block intact.
func TestLoadDigestsMatchesDigests(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "t.db"), Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Upsert(synthLeads(3000, 0), UpsertOptions{}); err != nil {
		t.Fatal(err)
	}
	want, _, err := s.Digests()
	if err != nil {
		t.Fatal(err)
	}
	got, text, dict, err := s.LoadDigests(0x02)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) || len(text.Off) != len(got)+1 || dict == nil {
		t.Fatalf("%d digests, %d offsets; want %d", len(got), len(text.Off), len(want))
	}
	for i := range want {
		w, g := want[i], got[i]
		search := string(text.Text[text.Off[i] : text.Off[i+1]-1])
		if search != w.Search || text.Text[text.Off[i+1]-1] != 0x02 {
			t.Fatalf("digest %d: search %q, want %q", i, search, w.Search)
		}
		if !slices.Equal(g.Codes, w.Codes) {
			t.Fatalf("digest %d: codes %v, want %v", i, g.Codes, w.Codes)
		}
		if g.ID != w.ID || g.Seq != w.Seq || g.First != w.First || g.Last != w.Last || g.Hot != w.Hot ||
			g.Leads != w.Leads || g.Flags != w.Flags || g.LatestSource != w.LatestSource ||
			g.LatestAction != w.LatestAction || g.LatestOffer != w.LatestOffer || g.Country != w.Country || g.Search != "" {
			t.Fatalf("digest %d: %+v, want %+v", i, g, w)
		}
	}
	n := 0
	if err := s.LeadFacts(func(*LeadFact) { n++ }); err != nil || n != 3000 {
		t.Fatalf("LeadFacts: %d leads, %v", n, err)
	}
}
