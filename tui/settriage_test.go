package tui

import (
	"bytes"
	"fmt"
	"math/bits"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/leads-inbox/leads/importer"
	"github.com/leads-inbox/leads/importer/gen"
	"github.com/leads-inbox/leads/store"
	"github.com/leads-inbox/leads/store/view"
)

// TestSetTriageMovesOneContactAsAFullRankWould: after many triage changes
// (status, touches, follow-up dates in the past and the future, back to
// new), each moving only the changed contact, the ranking, the lanes and
// the status sets are exactly what ranking every contact again gives.
func TestSetTriageMovesOneContactAsAFullRankWould(t *testing.T) {
	var buf bytes.Buffer
	if err := gen.Write(&buf, gen.Options{Rows: 3000, Format: gen.FormatStorageExplorer, Seed: 5, Now: testNow}); err != nil {
		t.Fatal(err)
	}
	var leads []store.Lead
	if _, err := importer.ReadCSV(&buf, "gen.csv", func(l store.Lead) error {
		leads = append(leads, l)
		return nil
	}, nil); err != nil {
		t.Fatal(err)
	}
	s := openStore(t, leads)
	dg, text, dict, err := s.LoadDigests(sep)
	if err != nil {
		t.Fatal(err)
	}
	now := testNow.Unix()
	x := newIndex(dg, text, dict, nil, testNow)
	rng := rand.New(rand.NewPCG(1, 2))
	for k := range 500 {
		i := int32(rng.IntN(len(x.dg)))
		tr := store.Triage{Status: view.Statuses[rng.IntN(len(view.Statuses))], Touches: rng.IntN(5)}
		switch rng.IntN(3) {
		case 0:
			tr.NextFollowUp = testNow.Add(time.Duration(rng.IntN(96)-48) * time.Hour)
		case 1:
			tr = store.Triage{Status: store.StatusNew}
		}
		x.setTriage(i, tr, now+int64(k)) // later clocks: the ranking stays at its own time
		if k%50 != 49 {
			continue
		}
		y := &index{dg: x.dg, tri: slices.Clone(x.tri), status: slices.Clone(x.status)}
		y.rank(x.rankAt)
		if !slices.Equal(x.order, y.order) || !slices.Equal(x.keys, y.keys) || !slices.Equal(x.omask, y.omask) ||
			!slices.Equal(x.mask, y.mask) || !slices.Equal(x.tier, y.tier) {
			t.Fatalf("after %d changes the ranking differs from a full one", k+1)
		}
		for v := range x.viewSet {
			if !slices.Equal(x.viewSet[v], y.viewSet[v]) {
				t.Fatalf("after %d changes lane %d differs", k+1, v)
			}
		}
		for st := range x.statusSet {
			if !slices.Equal(x.statusSet[st], y.statusSet[st]) {
				t.Fatalf("after %d changes status set %d differs", k+1, st)
			}
		}
	}
}

// TestManyChoicesCountedInOnePass: with more countries than the panel
// counts one by one (strangers type a country each), the one-pass count
// gives every choice the same number as counting its own set, names that
// differ only in case included.
func TestManyChoicesCountedInOnePass(t *testing.T) {
	var leads []store.Lead
	for i := range 2000 {
		l := lead("P", fmt.Sprintf("p%d@x.example", i), store.ActionContactMe, float64(i%50))
		l.Customer.Country = fmt.Sprintf("Country %d", i%(manyChoices+150))
		if i%7 == 0 {
			l.Customer.Country = strings.ToUpper(l.Customer.Country)
		}
		leads = append(leads, l)
	}
	s := openStore(t, leads)
	dg, text, dict, err := s.LoadDigests(sep)
	if err != nil {
		t.Fatal(err)
	}
	x := newIndex(dg, text, dict, nil, testNow)
	var choices []store.Code
	for c := 1; c < len(x.dims); c++ {
		if int(x.dims[c]) == dimCountry && x.choosable(store.Code(c)) {
			choices = append(choices, store.Code(c))
		}
	}
	if len(choices) <= manyChoices {
		t.Fatalf("only %d choices: the test does not reach the one-pass count", len(choices))
	}
	base := allOf(nil, len(x.dg))
	got := x.countInOnePass(base, dimCountry, choices, &[3][]store.Code{})
	for _, c := range choices {
		n := 0
		set := x.selectSet(c)
		for w := range base {
			n += bits.OnesCount64(base[w] & set[w])
		}
		if got[c] != n {
			t.Fatalf("%s: one pass counts %d, its own set %d", x.dict.Name(c), got[c], n)
		}
	}
}
