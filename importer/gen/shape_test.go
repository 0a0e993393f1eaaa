package gen

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/leads-inbox/leads/importer"
	"github.com/leads-inbox/leads/store"
)

func normEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// funnelDays returns, for each person with leads on two or more days, the
// days between their first and last lead.
func funnelDays(leads []parsed) []float64 {
	first, last := map[string]time.Time{}, map[string]time.Time{}
	for _, p := range leads {
		e := normEmail(p.cust["email"])
		if e == "" || strings.HasPrefix(e, "msft_test_") {
			continue
		}
		if f, ok := first[e]; !ok || p.created.Before(f) {
			first[e] = p.created
		}
		if p.created.After(last[e]) {
			last[e] = p.created
		}
	}
	var out []float64
	for e, f := range first {
		if d := last[e].Sub(f).Hours() / 24; d >= 1 {
			out = append(out, d)
		}
	}
	slices.Sort(out)
	return out
}

// TestSpreadShape checks what the spread shape promises against the compact
// shape of the same seed.
func TestSpreadShape(t *testing.T) {
	const n = 20000
	opt := Options{Rows: n, Format: FormatStorageExplorer, Seed: 1}
	compact := parse(t, opt.Format, generate(t, opt))
	opt.Shape = ShapeSpread
	spread := parse(t, opt.Format, generate(t, opt))

	spellings := map[string]map[string]bool{}
	leadsOf := map[string]int{}
	var sourceOnly, messages, tests int
	var lead, trail, upper bool
	for _, p := range spread {
		e := p.cust["email"]
		if strings.HasPrefix(p.cust["firstname"], "MSFT_TEST_") {
			tests++
			continue
		}
		if e != "" {
			k := normEmail(e)
			if spellings[k] == nil {
				spellings[k] = map[string]bool{}
			}
			spellings[k][e] = true
			leadsOf[k]++
			lead = lead || strings.HasPrefix(e, " ")
			trail = trail || strings.HasSuffix(e, " ")
			upper = upper || e == strings.ToUpper(e)
		}
		if !strings.Contains(p.leadSource, "|") {
			sourceOnly++
			if p.action != "INS" && p.action != "PLT" && p.action != "StartTestDrive" {
				t.Errorf("source-only LeadSource %q with action %s", p.leadSource, p.action)
			}
		}
		if strings.Contains(p.desc, `"message":`) {
			var m map[string]string
			if err := json.Unmarshal([]byte(p.desc), &m); err != nil || m["utm_source"] == "" || m["message"] == "" {
				t.Errorf("message description %q: %v", p.desc, err)
			}
			messages++
		}
	}
	repeat, respelled := 0, 0
	for k, sp := range spellings {
		if leadsOf[k] >= 3 {
			repeat++
			if len(sp) >= 2 {
				respelled++
			}
		}
	}
	cd, sd := funnelDays(compact), funnelDays(spread)
	t.Logf("people with 3+ leads %d, respelled %d; source-only %d; message JSON %d; multi-day people compact %d (median %.1f d, max %.1f) spread %d (median %.1f d, max %.1f)",
		repeat, respelled, sourceOnly, messages, len(cd), cd[len(cd)/2], cd[len(cd)-1], len(sd), sd[len(sd)/2], sd[len(sd)-1])

	counted := float64(n - tests)
	if repeat < 100 || float64(respelled) < 0.8*float64(repeat) {
		t.Errorf("%d of %d people with 3+ leads have more than one spelling of their address", respelled, repeat)
	}
	if !lead || !trail || !upper {
		t.Errorf("leading space %v, trailing space %v, upper case %v", lead, trail, upper)
	}
	if f := float64(sourceOnly) / counted; f < 0.15 || f > 0.35 {
		t.Errorf("source-only LeadSource on %.1f%% of leads, want 15..35%%", 100*f)
	}
	if f := float64(messages) / counted; f < 0.1 || f > 0.3 {
		t.Errorf("message JSON in %.1f%% of descriptions, want 10..30%%", 100*f)
	}
	if sd[len(sd)/2] < 2*cd[len(cd)/2] || sd[len(sd)-1] < 28 {
		t.Errorf("spread funnels: median %.1f days against compact %.1f, longest %.1f", sd[len(sd)/2], cd[len(cd)/2], sd[len(sd)-1])
	}
}

// TestSpreadSameRowsInEveryOrder: shape and order are independent.
func TestSpreadSameRowsInEveryOrder(t *testing.T) {
	for _, f := range Formats {
		opt := Options{Rows: 2000, Format: f, Seed: 3, Shape: ShapeSpread}
		want := rawRows(t, f, generate(t, opt))
		for _, order := range []string{OrderTable, OrderShuffled} {
			opt.Order = order
			if !slices.Equal(rawRows(t, f, generate(t, opt)), want) {
				t.Errorf("%s %s: other rows than the generated order", f, order)
			}
		}
	}
}

// TestSpreadImports runs spread files in every format through the real
// importer and store: every row is read without a problem, each lead keeps
// its action and description, and each person's spellings of their address
// end up as one contact.
func TestSpreadImports(t *testing.T) {
	for _, f := range Formats {
		for _, order := range []string{OrderGenerated, OrderTable} {
			t.Run(f+"/"+order, func(t *testing.T) {
				data := generate(t, Options{Rows: 3000, Format: f, Seed: 2, Shape: ShapeSpread, Order: order})
				want := parse(t, f, data)
				var got []store.Lead
				stats, err := importer.Read(bytes.NewReader(data), "spread", func(l store.Lead) error {
					got = append(got, l)
					return nil
				}, func(e *importer.RowError) { t.Errorf("import: %v", e) })
				if err != nil {
					t.Fatal(err)
				}
				if stats.Leads != len(want) || stats.Rejected != 0 || stats.Warnings != 0 || len(got) != len(want) {
					t.Fatalf("stats %+v for %d rows", stats, len(want))
				}
				emails := map[string]bool{}
				for i, l := range got {
					if l.Action != want[i].action || l.Description != want[i].desc {
						t.Fatalf("row %d: action %q description %q, want %q %q", i+1, l.Action, l.Description, want[i].action, want[i].desc)
					}
					if e := normEmail(want[i].cust["email"]); e != "" {
						emails[e] = true
					}
				}

				s, err := store.Open(filepath.Join(t.TempDir(), "leads.db"), store.Options{NoSync: true})
				if err != nil {
					t.Fatal(err)
				}
				defer s.Close()
				if _, err := s.Upsert(got, store.UpsertOptions{}); err != nil {
					t.Fatal(err)
				}
				contacts := map[string]int{}
				err = s.ListContacts(store.Filter{IncludeTest: true}, func(c *store.Contact) error {
					if c.Email != "" {
						contacts[c.Email]++
					}
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
				for e := range emails {
					if contacts[e] != 1 {
						t.Errorf("%q is in %d contacts", e, contacts[e])
					}
				}
				if len(contacts) != len(emails) {
					t.Errorf("%d contacts with an address, %d addresses in the file", len(contacts), len(emails))
				}
			})
		}
	}
}

func TestUnknownShape(t *testing.T) {
	err := Write(io.Discard, Options{Rows: 1, Format: FormatWebhook, Shape: "messy"})
	if !errors.Is(err, ErrUnknownShape) {
		t.Errorf("err = %v", err)
	}
}
