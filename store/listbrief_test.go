package store

import (
	"cmp"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/leads-inbox/leads/store/view"
)

// listedText is what a listing writes of a contact (list, list --json),
// as one line.
func listedText(c *Contact) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %+v %s %v %d %v %v %v %v %s %s", c.ID, c.Email, c.Customer, c.Triage.Status,
		c.Triage.NextFollowUp, c.Triage.Touches, c.IsTest, c.IsDNC, c.NoPII, c.Last, c.LatestAction, c.Name())
	b.WriteString(" leads:")
	for _, l := range c.Leads {
		fmt.Fprintf(&b, " [%s %s %s %s %s %s %v %v]", l.ID, l.LeadSource, l.Source, l.Action, l.OfferID, l.OfferName,
			l.Created, l.IsTest)
	}
	return b.String()
}

// TestBriefListingEqualsFullListing: the brief listing, which reuses its
// memory from part to part while the previous part is still being
// written out, hands out what the full listing does of every field a
// listing writes, in the same order, at any part size; without leads it
// hands out none.
func TestBriefListingEqualsFullListing(t *testing.T) {
	s, _ := openTemp(t)
	var leads []Lead
	for round := 0; round < 3; round++ {
		for p := 0; p < 50; p++ {
			if (p+round)%4 == 0 {
				continue
			}
			leads = append(leads, Lead{
				Origin:     Origin{File: "x.csv", Line: 2 + len(leads), PartitionKey: "p", RowKey: fmt.Sprintf("%d-%d", p, round)},
				LeadSource: fmt.Sprintf("src-%d|<&>\u2028", p%3),
				Source:     []string{"AppSource", "AzureMarketplace"}[p%2],
				Action:     []string{"PLT", "StartTestDrive", "INS"}[round],
				OfferID:    fmt.Sprintf("offer-%d", p%5),
				OfferName:  fmt.Sprintf("Offer %d \xff", p%5),
				Created:    ts("2026-11-02T08:00:00Z").Add(time.Duration((p*7+round*13)%50) * time.Hour),
				Customer: Customer{FirstName: fmt.Sprint("P", p), LastName: "Ł\u200b", Email: fmt.Sprintf("p%d@x.example", p),
					Company: fmt.Sprintf("Co %d", p%7), Country: []string{"DE", "US", strings.Repeat("x", 3000)}[p%3]},
				IsTest: p == 7,
			})
		}
	}
	if _, err := s.Upsert(leads, UpsertOptions{}); err != nil {
		t.Fatal(err)
	}
	at := ts("2026-11-20T00:00:00Z")
	if _, err := s.SetStatus(ContactIDForEmail("p3@x.example"), Status("won"), "", at); err != nil {
		t.Fatal(err)
	}
	list := func(brief, withLeads bool, part int, order view.Order) []string {
		t.Helper()
		old := listPart
		listPart = part
		defer func() { listPart = old }()
		var out []string
		fn := func(c *Contact) error { out = append(out, listedText(c)); return nil }
		var err error
		if brief {
			err = s.ListBrief(Filter{IncludeTest: true}, order, at, withLeads, fn)
		} else {
			err = s.ListContactsBy(Filter{IncludeTest: true}, order, at, fn)
		}
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	for _, order := range []view.Order{view.ByRecent, view.ByUrgency, view.ByName} {
		full := list(false, true, 1<<20, order)
		if len(full) != 50 {
			t.Fatalf("listed %d contacts, want 50", len(full))
		}
		for _, part := range []int{1, 2, 7, 50, 1 << 20} {
			if got := list(true, true, part, order); !slices.Equal(got, full) {
				t.Fatalf("brief listing in parts of %d:\n%s\nwant\n%s", part, strings.Join(got, "\n"), strings.Join(full, "\n"))
			}
		}
		for i, line := range list(true, false, 3, order) {
			if want, _, _ := strings.Cut(full[i], " leads:"); line != want+" leads:" {
				t.Fatalf("without leads %q, want %q", line, want+" leads:")
			}
		}
	}
}

// TestListingOrderIsTheReadModelsOrder: every order, both ways, lists
// the contacts as the read model orders them (Order.SortKey, then
// Order.Compare, ties by store order), brief or full, at any part size.
// The listing sorts compact keys of its own rather than SortKeys: this
// holds it to the read model's order, ties and reversal included.
func TestListingOrderIsTheReadModelsOrder(t *testing.T) {
	s, _ := openTemp(t)
	var leads []Lead
	for p := 0; p < 60; p++ {
		leads = append(leads, Lead{
			Origin:  Origin{File: "x.csv", Line: 2 + p, PartitionKey: "p", RowKey: fmt.Sprint(p)},
			Source:  []string{"AppSource", "AzureMarketplace"}[p%2],
			Action:  []string{"PLT", "StartTestDrive", "INS", "Contact me"}[p%4],
			OfferID: fmt.Sprintf("offer-%d", p%5),
			// Equal times for several people, so ties are many.
			Created: ts("2026-11-02T08:00:00Z").Add(time.Duration(p%9) * time.Hour),
			Customer: Customer{FirstName: []string{"Ann", "", "Zoë", "bob"}[p%4], Email: fmt.Sprintf("p%d@x.example", p),
				Company: []string{"", "Acme", "acme", "Zed <&>"}[p%4], Country: []string{"DE", "", "US"}[p%3]},
		})
	}
	if _, err := s.Upsert(leads, UpsertOptions{}); err != nil {
		t.Fatal(err)
	}
	at := ts("2026-11-20T00:00:00Z")
	for p := 0; p < 60; p += 3 {
		id := ContactIDForEmail(fmt.Sprintf("p%d@x.example", p))
		for range p % 4 {
			if _, err := s.LogTouch(id, at.Add(-time.Duration(p)*time.Hour), Cadence{}, "call"); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.SetStatus(id, []Status{StatusNew, "contacted", "won", "lost"}[p%4], "no response", at); err != nil {
			t.Fatal(err)
		}
	}
	dg, _, err := s.Digests()
	if err != nil {
		t.Fatal(err)
	}
	offers, err := s.OfferNames(dg)
	if err != nil {
		t.Fatal(err)
	}
	states := map[[8]byte]view.State{}
	if err := s.AllTriage(func(tr Triage) error {
		var d Digest
		copy(d.ID[:], mustHex(t, tr.ContactID))
		states[d.ID] = tr.State()
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	names := s.names()
	for o := view.Order(0); int(o) < len(view.OrderNames()); o++ {
		for _, order := range []view.Order{o, o | view.Reversed} {
			type ref struct {
				key view.SortKey
				seq uint64
			}
			var want []ref
			for i := range dg {
				d := &dg[i]
				want = append(want, ref{order.SortKey(d, states[d.ID], at.Unix(), d.Search, offers[d.LatestOffer], names.Name), d.Seq})
			}
			slices.SortFunc(want, func(a, b ref) int {
				if c := order.Compare(a.key, b.key); c != 0 {
					return c
				}
				return cmp.Compare(a.seq, b.seq)
			})
			for _, brief := range []bool{false, true} {
				for _, part := range []int{1, 7, 1 << 20} {
					old := listPart
					listPart = part
					var got []uint64
					fn := func(c *Contact) error { got = append(got, c.Seq); return nil }
					if brief {
						err = s.ListBrief(Filter{IncludeTest: true}, order, at, true, fn)
					} else {
						err = s.ListContactsBy(Filter{IncludeTest: true}, order, at, fn)
					}
					listPart = old
					if err != nil {
						t.Fatal(err)
					}
					if len(got) != len(want) {
						t.Fatalf("%s: listed %d contacts, want %d", order, len(got), len(want))
					}
					for i := range got {
						if got[i] != want[i].seq {
							t.Fatalf("%s (brief %v, parts of %d): contact %d is #%d, want #%d", order, brief, part, i, got[i], want[i].seq)
						}
					}
				}
			}
		}
	}
}

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
