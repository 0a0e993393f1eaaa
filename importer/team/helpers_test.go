package team

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync/atomic"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/data/aztables"
	"github.com/leads-inbox/leads/importer/azuretable"
	"github.com/leads-inbox/leads/importer/azuretable/azuritetest"
	"github.com/leads-inbox/leads/store"
)

// shared is one Azurite for the package; every test has its own table.
var shared *azuritetest.Server

func TestMain(m *testing.M) {
	if os.Getenv(envRepDriver) != "" {
		os.Exit(repDriver())
	}
	code := func() int {
		if bin := azuritetest.Binary(); bin != "" {
			dir, err := os.MkdirTemp("", "azurite-")
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 1
			}
			defer os.RemoveAll(dir)
			s, err := azuritetest.StartServer(bin, dir)
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 1
			}
			defer s.Stop()
			shared = s
		}
		defer benchCleanup()
		return m.Run()
	}()
	os.Exit(code)
}

func azurite(t testing.TB) *azuritetest.Server {
	t.Helper()
	if shared == nil {
		azuritetest.Require(t)
	}
	return shared
}

var tableSeq atomic.Int64

func newTable(t testing.TB, s *azuritetest.Server) (string, *aztables.Client) {
	t.Helper()
	name := fmt.Sprintf("Team%d%d", time.Now().UnixNano()%1e6, tableSeq.Add(1))
	return name, s.CreateTable(t, name)
}

const testSecret = "test-team-secret"

// fastNet retries quickly: the faults are injected, not real outages.
var fastNet = azuretable.NetOptions{MaxRetries: 4, RetryDelay: 5 * time.Millisecond, MaxRetryDelay: 50 * time.Millisecond, TryTimeout: 10 * time.Second}

func options(t testing.TB, connString, table string) Options {
	t.Helper()
	conn, err := azuretable.Resolve(azuretable.Config{ConnectionString: connString, Table: table, Section: azuretable.TeamSection, Getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	return Options{Conn: conn, Secret: testSecret, Net: fastNet}
}

// contactEmail is the address of shared contact i.
func contactEmail(i int) string { return fmt.Sprintf("buyer%03d@contoso.example", i) }

// seedLeads is one lead per shared contact, the same in every rep's file.
func seedLeads(n int) []store.Lead {
	out := make([]store.Lead, n)
	base := time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)
	for i := range out {
		out[i] = store.Lead{
			Origin:   store.Origin{File: "seed.csv", Line: i + 2, PartitionKey: "p", RowKey: fmt.Sprint(i)},
			Source:   "AppSource",
			Action:   "INS",
			OfferID:  "contoso.inventory-pro",
			Created:  base.Add(time.Duration(i) * time.Minute),
			Customer: store.Customer{FirstName: "Buyer", LastName: fmt.Sprint(i), Email: contactEmail(i), Company: "Contoso"},
		}
	}
	return out
}

func openRep(t testing.TB, dir, name string, contacts int) *store.Store {
	t.Helper()
	s, err := store.Open(filepath.Join(dir, name+".db"), store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Upsert(seedLeads(contacts), store.UpsertOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := s.JoinTeam(name); err != nil {
		t.Fatal(err)
	}
	return s
}

// tableRows reads the whole table: partition -> row key -> entity.
func tableRows(t testing.TB, c *aztables.Client) map[string]map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]map[string]any{}
	pager := c.NewListEntitiesPager(nil)
	for pager.More() {
		page, err := pager.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range page.Entities {
			var m map[string]any
			if err := json.Unmarshal(b, &m); err != nil {
				t.Fatal(err)
			}
			pk, rk := m["PartitionKey"].(string), m["RowKey"].(string)
			if out[pk] == nil {
				out[pk] = map[string]map[string]any{}
			}
			out[pk][rk] = m
		}
	}
	return out
}

// teamView is what a rep holds of a contact that the team shares: its
// shared fields and its team events in the order shown.
type teamView struct {
	Owner, Status, LostReason string
	Touches                   int
	FollowUp, LastTouch       string
	Events                    []string
}

func viewOf(t testing.TB, s *store.Store, email string) teamView {
	t.Helper()
	c, err := s.Contact(email)
	if err != nil {
		t.Fatal(err)
	}
	tr := c.Triage
	v := teamView{Owner: tr.Owner, Status: string(tr.Status), LostReason: tr.LostReason, Touches: tr.Touches,
		FollowUp: fmtT(tr.NextFollowUp), LastTouch: fmtT(tr.LastTouch)}
	for _, e := range c.History {
		if e.Team != "" {
			v.Events = append(v.Events, e.Team+" "+e.Kind+" "+e.By+" "+e.To+" "+e.Text)
		}
	}
	return v
}

// tableView is the same, read from the table's rows of the contact.
func tableView(rows map[string]map[string]any) teamView {
	var v teamView
	if st, ok := rows[StateRow]; ok {
		s := stateOf(st)
		v = teamView{Owner: s.Owner, Status: string(s.Status), LostReason: s.LostReason, Touches: s.Touches,
			FollowUp: normT(s.NextFollowUp), LastTouch: normT(s.LastTouch)}
	}
	var keys []string
	for rk := range rows {
		if rk != StateRow {
			keys = append(keys, rk)
		}
	}
	sort.Strings(keys)
	for _, rk := range keys {
		m := rows[rk]
		str := func(k string) string { s, _ := m[k].(string); return s }
		v.Events = append(v.Events, rk[3:]+" "+str("kind")+" "+str("by")+" "+str("to")+" "+str("text"))
	}
	return v
}

func fmtT(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

func normT(s string) string {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return ""
	}
	return fmtT(t)
}
