package azuretable

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/data/aztables"
	"github.com/leads-inbox/leads/importer/azuretable/azuritetest"
	"github.com/leads-inbox/leads/store"
)

func TestFirstSync(t *testing.T) {
	srv := azurite(t)
	table, tc := newTable(t, srv)
	ents := leadEntities("a", 250)
	ents[7]["CustomerInfo"] = `{"FirstName":"MSFT_TEST","LastName":"MSFT_TEST","Email":"test@microsoft.com"}`
	azuritetest.Seed(t, tc, ents)
	s := openStore(t)
	c := connFor(t, srv.ConnectionString(), table)

	res := mustSync(t, s, Options{Conn: c, PageSize: 100})
	if !res.Full || res.Read != 250 || res.New != 250 || res.Test != 1 || res.Pages != 3 || res.Rejected != 0 {
		t.Fatalf("first sync: %+v", res)
	}
	if n := leadCount(t, s); n != 250 {
		t.Fatalf("%d leads stored", n)
	}
	var got *store.Lead
	err := s.ListContacts(store.Filter{Query: "ann42.a@contoso.com"}, func(ct *store.Contact) error {
		for i := range ct.Leads {
			if ct.Leads[i].Origin.RowKey == "a-000042" {
				got = &ct.Leads[i]
			}
		}
		return nil
	})
	if err != nil || got == nil {
		t.Fatalf("lead a-000042 not found (%v)", err)
	}
	// Listings leave out the raw record; the contact has it.
	full, err := s.Contact("ann42.a@contoso.com")
	if err != nil {
		t.Fatal(err)
	}
	for i := range full.Leads {
		if full.Leads[i].Origin.RowKey == "a-000042" {
			got.Raw = full.Leads[i].Raw
		}
	}
	if got.Origin.Account != azuritetest.Account || got.Origin.Table != table || got.Origin.PartitionKey != "11:2F1:2F2025" {
		t.Errorf("origin %+v", got.Origin)
	}
	if got.Customer.Email != "ann42.a@contoso.com" || got.Source != store.SourceAzureMarketplace || got.OfferID != "contoso.widget" ||
		got.Action != "PLT" || got.OfferName != "Contoso Widget" || got.Timestamp.IsZero() {
		t.Errorf("lead %+v", got)
	}
	if want := time.Date(2025, 11, 1, 10, 42, 0, 123456700, time.UTC); !got.Created.Equal(want) {
		t.Errorf("Created %v, want %v", got.Created, want)
	}
	var names []string
	for _, f := range got.Raw {
		names = append(names, f.Name)
	}
	if want := []string{"PartitionKey", "RowKey", "Timestamp", "ActionCode", "CreatedTime", "CustomerInfo", "Description", "LeadSource", "OfferDisplayName"}; !slices.Equal(names, want) {
		t.Errorf("raw fields %v, want %v", names, want)
	}
	if len(got.Extra) != 0 {
		t.Errorf("extra %v", got.Extra)
	}
	// Test lead seen by the store's own bookkeeping.
	if lt, err := s.LastTestLead(); err != nil || lt.IsZero() {
		t.Errorf("LastTestLead %v %v", lt, err)
	}
}

func TestIncrementalFetchesOnlyChanges(t *testing.T) {
	srv := azurite(t)
	table, tc := newTable(t, srv)
	azuritetest.Seed(t, tc, leadEntities("a", 300))
	// Date headers have one-second resolution; let the seed's second pass
	// so the run's start is after the newest seeded Timestamp.
	time.Sleep(1100 * time.Millisecond)
	p := azuritetest.NewProxy(t, srv)
	s := openStore(t)
	c := connFor(t, p.ConnectionString(), table)
	opt := Options{Conn: c, Overlap: time.Millisecond}
	if res := mustSync(t, s, opt); res.New != 300 {
		t.Fatalf("first sync %+v", res)
	}

	added := leadEntities("b", 20)
	modified := leadEntities("a", 300)[100:110]
	for _, e := range modified {
		e["Description"] = "Campaigns: modified"
	}
	azuritetest.Seed(t, tc, added)
	azuritetest.Upsert(t, tc, modified)

	p.SetFault(nil)
	res := mustSync(t, s, opt)
	if res.Full || res.New != 20 || res.Updated != 10 {
		t.Fatalf("incremental sync: %+v", res)
	}
	// Besides the changes, only entities inside the overlap may come back:
	// at least the newest seeded batch, whose entities share one Timestamp
	// that the >= filter matches.
	inWindow := 0
	pager := tc.NewListEntitiesPager(&aztables.ListEntitiesOptions{Filter: ptr(timestampFilter(res.Since))})
	for pager.More() {
		pg, err := pager.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		inWindow += len(pg.Entities)
	}
	if res.Read != inWindow || res.Unchanged != inWindow-30 || res.Unchanged > 100 {
		t.Fatalf("incremental read %d (unchanged %d); %d entities changed since the filter's start, 30 of them by the test", res.Read, res.Unchanged, inWindow)
	}
	if q := p.Queries(); q != 1 {
		t.Fatalf("incremental sync made %d queries, want 1", q)
	}

	// Nothing new: one request, nothing stored.
	p.SetFault(nil)
	res = mustSync(t, s, opt)
	if res.New != 0 || res.Updated != 0 || res.Requests != 1 || p.Queries() != 1 || p.Requests() != 1 {
		t.Fatalf("sync with nothing new: %+v, proxy saw %d requests", res, p.Requests())
	}
	assertExact(t, s, c, 320)
}

func ptr[T any](v T) *T { return &v }

func TestEmptyPageWithContinuation(t *testing.T) {
	srv := azurite(t)
	table, tc := newTable(t, srv)
	azuritetest.Seed(t, tc, leadEntities("a", 250))
	p := azuritetest.NewProxy(t, srv)
	s := openStore(t)
	c := connFor(t, p.ConnectionString(), table)
	// Pages 1 and 3 (of the real ones) come as an empty page first.
	p.SetFault(func(n int, r *http.Request) azuritetest.Action {
		if n == 0 || n == 3 {
			return azuritetest.EmptyPage()
		}
		return nil
	})
	res := mustSync(t, s, Options{Conn: c, PageSize: 100})
	if res.Read != 250 || res.New != 250 || res.Pages != 5 {
		t.Fatalf("sync over empty pages: %+v", res)
	}
	p.SetFault(nil)
	assertExact(t, s, c, 250)
}

func TestSASAuth(t *testing.T) {
	srv := azurite(t)
	table, tc := newTable(t, srv)
	azuritetest.Seed(t, tc, leadEntities("a", 120))
	now := time.Now().UTC()
	sas := srv.SASURL(t, table, aztables.SASPermissions{Read: true}, now.Add(-time.Hour), now.Add(time.Hour))
	c, err := Resolve(Config{SASURL: sas, Getenv: noEnv})
	if err != nil {
		t.Fatal(err)
	}
	if c.Table != table || c.Account != azuritetest.Account || c.Auth != "SAS" {
		t.Fatalf("resolved %v", c)
	}
	s := openStore(t)
	res := mustSync(t, s, Options{Conn: c})
	if res.New != 120 {
		t.Fatalf("SAS sync %+v", res)
	}
	// The same table through the account key meets the same leads.
	res = mustSync(t, s, Options{Conn: connFor(t, srv.ConnectionString(), table), Full: true})
	if res.New != 0 || res.Unchanged != 120 {
		t.Fatalf("key sync after SAS sync %+v", res)
	}
	if strings.Contains(c.String(), "sig") {
		t.Fatalf("Conn.String shows the SAS: %s", c)
	}
}

func TestConnectionStringAuth(t *testing.T) {
	srv := azurite(t)
	table, tc := newTable(t, srv)
	azuritetest.Seed(t, tc, leadEntities("a", 10))
	// UseDevelopmentStorage=true means the fixed port 10002, so it can be
	// checked only for its expansion; the explicit form is what runs.
	dev, err := Resolve(Config{ConnectionString: "UseDevelopmentStorage=true", Getenv: noEnv})
	if err != nil || dev.Endpoint != DevStoreEndpoint || dev.Account != DevStoreAccount || dev.key == nil || dev.Table != DefaultTable {
		t.Fatalf("UseDevelopmentStorage=true: %v %v", dev, err)
	}
	s := openStore(t)
	res := mustSync(t, s, Options{Conn: connFor(t, srv.ConnectionString(), table)})
	if res.New != 10 {
		t.Fatalf("sync %+v", res)
	}
}

func TestFaultsEndWithExactRows(t *testing.T) {
	srv := azurite(t)
	table, tc := newTable(t, srv)
	azuritetest.Seed(t, tc, leadEntities("a", 500))
	p := azuritetest.NewProxy(t, srv)
	s := openStore(t)
	c := connFor(t, p.ConnectionString(), table)
	// Query 0: three 503s in a row, then 500 OperationTimedOut, then a
	// stalled answer (the per-try timeout must fire), then a connection
	// dropped in the middle of a page; and the same once more later on.
	plan := map[int]azuritetest.Action{
		0: azuritetest.Status(503, "ServerBusy"), 1: azuritetest.Status(503, "ServerBusy"), 2: azuritetest.Status(503, "ServerBusy"),
		4: azuritetest.Status(500, "OperationTimedOut"),
		6: azuritetest.Stall(),
		8: azuritetest.DropMidPage(), 9: azuritetest.DropMidPage(),
		11: azuritetest.Status(503, "ServerBusy"),
	}
	p.SetFault(func(n int, r *http.Request) azuritetest.Action { return plan[n] })
	net := fastNet
	net.TryTimeout = 300 * time.Millisecond
	start := time.Now()
	res, err := Sync(context.Background(), s, Options{Conn: c, PageSize: 100, Net: net})
	if err != nil {
		t.Fatalf("sync through faults: %v", err)
	}
	if res.Read != 500 || res.New != 500 || res.Pages != 5 || res.Requests != 5+len(plan) {
		t.Fatalf("sync through faults: %+v (want 5 pages in %d requests)", res, 5+len(plan))
	}
	if time.Since(start) > 10*time.Second {
		t.Fatalf("took %v", time.Since(start))
	}
	p.SetFault(nil)
	assertExact(t, s, c, 500)
}

func TestGivesUpAfterRetries(t *testing.T) {
	srv := azurite(t)
	table, tc := newTable(t, srv)
	azuritetest.Seed(t, tc, leadEntities("a", 300))
	p := azuritetest.NewProxy(t, srv)
	s := openStore(t)
	c := connFor(t, p.ConnectionString(), table)
	// Page 2 is busy for good: the sync gives up with one line, keeps page 1
	// and the next sync, with the service back, resumes at page 2.
	p.SetFault(func(n int, r *http.Request) azuritetest.Action {
		if n >= 1 {
			return azuritetest.Status(503, "ServerBusy")
		}
		return nil
	})
	net := fastNet
	net.MaxRetries = 2
	res, err := Sync(context.Background(), s, Options{Conn: c, PageSize: 100, Net: net})
	if err == nil || !strings.Contains(err.Error(), "busy") || strings.Contains(err.Error(), "\n") {
		t.Fatalf("want a one-line busy error, got %v", err)
	}
	if res.Pages != 1 || leadCount(t, s) != 100 || p.Queries() != 4 {
		t.Fatalf("after giving up: %+v, %d leads, %d queries", res, leadCount(t, s), p.Queries())
	}
	p.SetFault(nil)
	res = mustSync(t, s, Options{Conn: c, PageSize: 100})
	if !res.Resumed || res.Read != 200 || res.New != 200 {
		t.Fatalf("resumed sync %+v", res)
	}
	assertExact(t, s, c, 300)
}

func TestCancelMidwayAndResume(t *testing.T) {
	srv := azurite(t)
	table, tc := newTable(t, srv)
	azuritetest.Seed(t, tc, leadEntities("a", 1000))
	s := openStore(t)
	c := connFor(t, srv.ConnectionString(), table)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	res, err := Sync(ctx, s, Options{Conn: c, PageSize: 100, Net: fastNet, Progress: func(p Progress) {
		if p.Pages >= 3 {
			cancel()
		}
	}})
	if !errors.Is(err, ErrInterrupted) || !errors.Is(err, context.Canceled) {
		t.Fatalf("want interrupted, got %v", err)
	}
	// Pages already fetched when the cancel came are stored too (they are
	// whole); what matters is that the store and the position agree.
	stored := leadCount(t, s)
	if res.Pages < 3 || res.Pages >= 10 || stored != res.Pages*100 || res.Read != stored {
		t.Fatalf("after cancel: %+v, %d leads stored", res, stored)
	}
	res = mustSync(t, s, Options{Conn: c, PageSize: 100})
	if !res.Resumed || !res.Full || res.Read != 1000-stored || res.New != 1000-stored {
		t.Fatalf("resume after %d stored: %+v", stored, res)
	}
	assertExact(t, s, c, 1000)
}

func TestCancelWhileStalledReturnsFast(t *testing.T) {
	srv := azurite(t)
	table, tc := newTable(t, srv)
	azuritetest.Seed(t, tc, leadEntities("a", 300))
	p := azuritetest.NewProxy(t, srv)
	s := openStore(t)
	c := connFor(t, p.ConnectionString(), table)
	p.SetFault(func(n int, r *http.Request) azuritetest.Action {
		if n >= 2 {
			return azuritetest.Stall()
		}
		return nil
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var cancelled time.Time
	go func() {
		for p.Queries() < 3 {
			time.Sleep(10 * time.Millisecond)
		}
		time.Sleep(200 * time.Millisecond)
		cancelled = time.Now()
		cancel()
	}()
	// The default 30 s try timeout: only the cancellation can end this.
	res, err := Sync(ctx, s, Options{Conn: c, PageSize: 100})
	if !errors.Is(err, context.Canceled) || !errors.Is(err, ErrInterrupted) || !strings.Contains(err.Error(), "run the same command again") {
		t.Fatalf("want an interrupted sync that says how to resume, got %v", err)
	}
	if d := time.Since(cancelled); d > time.Second {
		t.Fatalf("Sync returned %v after the cancel", d)
	}
	if res.Pages != 2 || leadCount(t, s) != 200 {
		t.Fatalf("kept %+v, %d leads", res, leadCount(t, s))
	}
}

func TestDryRunStoresNothing(t *testing.T) {
	srv := azurite(t)
	table, tc := newTable(t, srv)
	azuritetest.Seed(t, tc, leadEntities("a", 150))
	s := openStore(t)
	c := connFor(t, srv.ConnectionString(), table)
	res := mustSync(t, s, Options{Conn: c, DryRun: true, PageSize: 100})
	if res.Read != 150 || res.New != 150 || leadCount(t, s) != 0 {
		t.Fatalf("dry run %+v, %d stored", res, leadCount(t, s))
	}
	if st, _ := s.SyncState(SyncKey(c.Account, c.Table)); st != nil {
		t.Fatalf("dry run stored a position: %s", st)
	}
}

// TestForgottenPersonStaysOutUnlessAllowed: after 'leads forget', a full
// sync skips the person's entities; with AllowForgotten it stores them.
func TestForgottenPersonStaysOutUnlessAllowed(t *testing.T) {
	srv := azurite(t)
	table, tc := newTable(t, srv)
	azuritetest.Seed(t, tc, leadEntities("f", 5))
	s := openStore(t)
	c := connFor(t, srv.ConnectionString(), table)
	mustSync(t, s, Options{Conn: c})
	if _, err := s.Forget("ann3.f@contoso.com", time.Now()); err != nil {
		t.Fatal(err)
	}
	if n := leadCount(t, s); n != 4 {
		t.Fatalf("after forget: %d leads", n)
	}
	res := mustSync(t, s, Options{Conn: c, Full: true})
	if res.Forgotten != 1 || leadCount(t, s) != 4 {
		t.Fatalf("full sync brought the forgotten person back: %+v, %d leads", res, leadCount(t, s))
	}
	res = mustSync(t, s, Options{Conn: c, Full: true, AllowForgotten: true})
	if res.New != 1 || leadCount(t, s) != 5 {
		t.Fatalf("AllowForgotten did not store the lead: %+v", res)
	}
}

// TestStopStoresEveryFetchedPage: pages the fetcher already holds when a
// stop comes (the store was the slower side) are stored before Sync
// returns, not dropped to be read again: 'leads watch' stopped by
// SIGTERM keeps every page it fetched.
func TestStopStoresEveryFetchedPage(t *testing.T) {
	srv := azurite(t)
	table, tc := newTable(t, srv)
	azuritetest.Seed(t, tc, leadEntities("a", 100))
	p := azuritetest.NewProxy(t, srv)
	s := openStore(t)
	c := connFor(t, p.ConnectionString(), table)
	// Pages 1 to 4 are served; the fifth query never gets an answer.
	p.SetFault(func(n int, r *http.Request) azuritetest.Action {
		if n >= 4 {
			return azuritetest.Stall()
		}
		return nil
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// The first commit waits until pages 2 to 4 are fetched and waiting
	// (the fifth query has been asked), then the stop comes.
	res, err := Sync(ctx, s, Options{Conn: c, PageSize: 10, Net: fastNet, Progress: func(pr Progress) {
		if pr.Pages != 1 {
			return
		}
		for p.Queries() < 5 {
			time.Sleep(5 * time.Millisecond)
		}
		cancel()
	}})
	if !errors.Is(err, ErrInterrupted) {
		t.Fatalf("want an interrupted sync, got %v", err)
	}
	if res.Pages != 4 || leadCount(t, s) != 40 || res.Read != 40 {
		t.Fatalf("stopped with 4 pages fetched: kept %+v, %d leads stored", res, leadCount(t, s))
	}
	p.SetFault(nil)
	res = mustSync(t, s, Options{Conn: c, PageSize: 10})
	if !res.Resumed || res.New != 60 {
		t.Fatalf("resume: %+v", res)
	}
	assertExact(t, s, c, 100)
}
