package team

import (
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/leads-inbox/leads/importer/azuretable/azuritetest"
	"github.com/leads-inbox/leads/store"
)

// TestPushStartsFromTheKeptState: a push starts from the state row kept
// from the last pull or push, with its ETag, and reads no row first; when
// another rep changed the row since, its If-Match fails and the row is
// read and the change applied again: every touch counts, and both reps
// and the table agree.
func TestPushStartsFromTheKeptState(t *testing.T) {
	srv := azurite(t)
	table, client := newTable(t, srv)
	dir := t.TempDir()
	ana, ben := openRep(t, dir, "Ana", 3), openRep(t, dir, "Ben", 3)
	pa := azuritetest.NewProxy(t, srv)
	oa, ob := options(t, pa.ConnectionString(), table), options(t, srv.ConnectionString(), table)
	var reads atomic.Int32
	pa.SetRequestFault(func(_ int, r *http.Request) azuritetest.Action {
		if r.Method == http.MethodGet && strings.Contains(r.URL.Path, "(PartitionKey=") {
			reads.Add(1)
		}
		return nil
	})
	id := store.ContactIDForEmail(contactEmail(1))
	touch := func(s *store.Store) {
		t.Helper()
		if _, err := s.LogTouch(id, time.Now(), store.DefaultCadence, ""); err != nil {
			t.Fatal(err)
		}
	}
	anaRound := func(what string, wantReads bool) {
		t.Helper()
		reads.Store(0)
		if r := mustSync(t, ana, "Ana", oa); r.Pushed != 1 {
			t.Fatalf("%s: %+v", what, r)
		}
		if got := reads.Load(); (got > 0) != wantReads {
			t.Fatalf("%s: Ana's push read %d rows", what, got)
		}
	}

	touch(ben)
	mustSync(t, ben, "Ben", ob)
	mustSync(t, ana, "Ana", oa) // pulls Ben's state row
	touch(ana)
	anaRound("after a pull", false)
	touch(ana)
	anaRound("after her own push", false)
	touch(ben)
	mustSync(t, ben, "Ben", ob) // Ana's kept row is stale now
	touch(ana)
	anaRound("after Ben's change", true)
	mustSync(t, ben, "Ben", ob)

	va, vb := viewOf(t, ana, contactEmail(1)), viewOf(t, ben, contactEmail(1))
	vt := tableView(tableRows(t, client)[Partition(testSecret, contactEmail(1))])
	if va.Touches != 5 || len(va.Events) != 5 {
		t.Fatalf("Ana's view: %+v", va)
	}
	if !equalView(va, vb) || !equalView(va, vt) {
		t.Fatalf("views differ:\nAna   %+v\nBen   %+v\ntable %+v", va, vb, vt)
	}
}
