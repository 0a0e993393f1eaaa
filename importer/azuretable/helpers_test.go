package azuretable

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/data/aztables"
	"github.com/leads-inbox/leads/importer/azuretable/azuritetest"
	"github.com/leads-inbox/leads/store"
)

// shared is one Azurite for the whole package: starting node costs about a
// second, and every test uses its own table.
var shared *azuritetest.Server

func TestMain(m *testing.M) {
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
		return m.Run()
	}()
	os.Exit(code)
}

// azurite returns the shared server, or skips (fails under CI) without one.
func azurite(t testing.TB) *azuritetest.Server {
	t.Helper()
	if shared == nil {
		azuritetest.Require(t)
	}
	return shared
}

var tableSeq atomic.Int64

// newTable creates a fresh table with a unique name.
func newTable(t testing.TB, s *azuritetest.Server) (string, *aztables.Client) {
	t.Helper()
	name := fmt.Sprintf("Leads%d%d", time.Now().UnixNano()%1e6, tableSeq.Add(1))
	return name, s.CreateTable(t, name)
}

// leadEntities makes n entities shaped like Partner Center's, spread over
// partitions of 100 (the batch limit), with RowKeys unique within prefix.
func leadEntities(prefix string, n int) []azuritetest.Entity {
	out := make([]azuritetest.Entity, n)
	for i := range out {
		day := 1 + (i/100)%28
		out[i] = azuritetest.Entity{
			"PartitionKey":     fmt.Sprintf("11:2F%d:2F2025", day),
			"RowKey":           fmt.Sprintf("%s-%06d", prefix, i),
			"ActionCode":       "PLT",
			"CreatedTime":      fmt.Sprintf("2025-11-%02dT10:%02d:%02d.1234567Z", day, i%60, (i/60)%60),
			"CustomerInfo":     fmt.Sprintf(`{"FirstName":"Ann%d","LastName":"Lee","Email":"ann%d.%s@contoso.com","Phone":"","Country":"NL","Company":"Contoso","Title":"CTO"}`, i, i, prefix),
			"Description":      "Campaigns: ",
			"LeadSource":       "AzureMarketplace|contoso.widget",
			"OfferDisplayName": "Contoso Widget",
		}
	}
	return out
}

// openStore opens a fresh database for the test.
func openStore(t testing.TB) *store.Store {
	t.Helper()
	s, err := store.Open(filepath.Join(t.TempDir(), "leads.db"), store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// connFor resolves an account-key connection through connection string cs.
func connFor(t testing.TB, cs, table string) *Conn {
	t.Helper()
	c, err := Resolve(Config{ConnectionString: cs, Table: table, Getenv: noEnv})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func noEnv(string) string { return "" }

// fastNet keeps retries and time-outs short enough for tests.
var fastNet = NetOptions{TryTimeout: 2 * time.Second, RetryDelay: 10 * time.Millisecond, MaxRetryDelay: 50 * time.Millisecond}

func leadCount(t testing.TB, s *store.Store) int {
	t.Helper()
	c, err := s.Count()
	if err != nil {
		t.Fatal(err)
	}
	return c.Leads
}

// mustSync runs a sync that must succeed.
func mustSync(t testing.TB, s *store.Store, opt Options) Result {
	t.Helper()
	if opt.Net == (NetOptions{}) {
		opt.Net = fastNet
	}
	res, err := Sync(context.Background(), s, opt)
	if err != nil {
		t.Fatalf("sync: %v", err)
	}
	return res
}

// assertExact checks the store holds exactly the table's rows: a full
// re-read finds every one of them already there and unchanged.
func assertExact(t testing.TB, s *store.Store, c *Conn, want int) {
	t.Helper()
	if n := leadCount(t, s); n != want {
		t.Fatalf("store has %d leads, the table %d rows", n, want)
	}
	res := mustSync(t, s, Options{Conn: c, Full: true})
	if res.Read != want || res.New != 0 || res.Updated != 0 || res.Unchanged != want {
		t.Fatalf("full re-read of a synced table: %+v, want %d read, all unchanged", res, want)
	}
}
