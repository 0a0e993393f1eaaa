package azuretable

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/data/aztables"
	"github.com/leads-inbox/leads/importer/azuretable/azuritetest"
	"github.com/leads-inbox/leads/store"
	"golang.org/x/sync/errgroup"
)

// BenchmarkSync100k compares, side by side in one run, a full sync of
// 100,000 entities from Azurite into a fresh on-disk store (fsync on, as
// 'leads sync' runs) with a bare aztables pager loop that only counts the
// same entities; the two alternate so drift in the emulator hits both. It
// reports the median of each, their ratio (the target is <= 1.1), and the
// requests an incremental sync with nothing new makes (1).
//
//	go test ./importer/azuretable -run '^$' -bench Sync100k -benchtime 3x
//
// BENCH_SYNC_N changes the entity count.
func BenchmarkSync100k(b *testing.B) {
	n := 100_000
	if v, err := strconv.Atoi(os.Getenv("BENCH_SYNC_N")); err == nil && v > 0 {
		n = v
	}
	srv := azurite(b)
	table, tc := newTable(b, srv)
	seedStart := time.Now()
	seedParallel(b, tc, leadEntities("bench", n))
	b.Logf("seeded %d entities in %v", n, time.Since(seedStart).Round(time.Millisecond))
	c := connFor(b, srv.ConnectionString(), table)
	// Server Date headers have one-second resolution: let the seed's last
	// second pass, so the watermark lands after it.
	time.Sleep(1100 * time.Millisecond)

	bare := func() time.Duration {
		start := time.Now()
		cred, _ := aztables.NewSharedKeyCredential(azuritetest.Account, azuritetest.Key)
		client, err := aztables.NewClientWithSharedKey(srv.URL+"/"+table, cred, nil)
		if err != nil {
			b.Fatal(err)
		}
		count := 0
		pager := client.NewListEntitiesPager(nil)
		for pager.More() {
			p, err := pager.NextPage(context.Background())
			if err != nil {
				b.Fatal(err)
			}
			count += len(p.Entities)
		}
		if count != n {
			b.Fatalf("bare loop counted %d", count)
		}
		return time.Since(start)
	}
	var incrRequests int
	full := func() time.Duration {
		dir := b.TempDir()
		s, err := store.Open(filepath.Join(dir, "leads.db"), store.Options{})
		if err != nil {
			b.Fatal(err)
		}
		defer s.Close()
		start := time.Now()
		res, err := Sync(context.Background(), s, Options{Conn: c})
		d := time.Since(start)
		if err != nil || res.New != n {
			b.Fatalf("sync: %+v %v", res, err)
		}
		// The seed is seconds old, so the default five-minute overlap would
		// cover all of it; a live table's leads are spread over months.
		res, err = Sync(context.Background(), s, Options{Conn: c, Overlap: time.Millisecond})
		if err != nil || res.New != 0 {
			b.Fatalf("incremental: %+v %v", res, err)
		}
		incrRequests = res.Requests
		return d
	}

	bare() // warm up the emulator's caches and the connection pool
	var bares, syncs []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		bares = append(bares, bare())
		syncs = append(syncs, full())
	}
	b.StopTimer()
	mb, ms := median(bares), median(syncs)
	b.ReportMetric(mb.Seconds(), "bare-s")
	b.ReportMetric(ms.Seconds(), "sync-s")
	b.ReportMetric(ms.Seconds()/mb.Seconds(), "ratio")
	b.ReportMetric(float64(incrRequests), "incr-requests")
	b.Logf("bare pager %v, sync %v (ratio %.3f), runs bare %v sync %v; incremental with nothing new: %d request(s)",
		mb.Round(time.Millisecond), ms.Round(time.Millisecond), ms.Seconds()/mb.Seconds(), bares, syncs, incrRequests)
}

func median(ds []time.Duration) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

// seedParallel seeds with a few batches in flight: one at a time, 100,000
// entities take minutes of round trips.
func seedParallel(b *testing.B, tc *aztables.Client, ents []azuritetest.Entity) {
	var g errgroup.Group
	g.SetLimit(4)
	for i := 0; i < len(ents); i += 100 {
		chunk := ents[i:min(i+100, len(ents))]
		g.Go(func() error {
			if err := azuritetest.SeedErr(context.Background(), tc, chunk, aztables.TransactionTypeAdd); err != nil {
				return fmt.Errorf("seed: %w", err)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		b.Fatal(err)
	}
}
