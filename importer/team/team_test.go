package team

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/data/aztables"
	"github.com/leads-inbox/leads/importer/azuretable"
	"github.com/leads-inbox/leads/importer/azuretable/azuritetest"
	"github.com/leads-inbox/leads/store"
)

func mustSync(t *testing.T, s *store.Store, rep string, o Options) Result {
	t.Helper()
	r, err := Sync(context.Background(), s, rep, o)
	if err != nil {
		t.Fatalf("%s's sync: %v", rep, err)
	}
	return r
}

func isBatch(r *http.Request) bool {
	return r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "$batch")
}

// TestRacingTouchesReapplyAfter412: Ben's push lands between Ana's read
// of the state and her transaction; hers fails its If-Match (412), is
// re-read and re-applied: both touches count, and both reps end with the
// same state and the same two events in the same order.
func TestRacingTouchesReapplyAfter412(t *testing.T) {
	srv := azurite(t)
	table, client := newTable(t, srv)
	dir := t.TempDir()
	ana, ben := openRep(t, dir, "Ana", 3), openRep(t, dir, "Ben", 3)
	pa, pb := azuritetest.NewProxy(t, srv), azuritetest.NewProxy(t, srv)
	oa, ob := options(t, pa.ConnectionString(), table), options(t, pb.ConnectionString(), table)
	id := store.ContactIDForEmail(contactEmail(1))
	now := time.Now()
	if _, err := ana.LogTouch(id, now, store.DefaultCadence, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := ben.LogTouch(id, now, store.DefaultCadence, "called"); err != nil {
		t.Fatal(err)
	}
	var batches, raced atomic.Int32
	pa.SetRequestFault(func(n int, r *http.Request) azuritetest.Action {
		if isBatch(r) && batches.Add(1) == 1 {
			mustSync(t, ben, "Ben", ob) // Ben commits after Ana read the state
			raced.Store(1)
		}
		return nil
	})
	if r := mustSync(t, ana, "Ana", oa); r.Pushed != 1 || len(r.Conflicts) != 0 {
		t.Fatalf("Ana's push: %+v", r)
	}
	if raced.Load() != 1 || batches.Load() < 2 {
		t.Fatalf("the race did not happen: %d transactions", batches.Load())
	}
	mustSync(t, ben, "Ben", ob)
	va, vb := viewOf(t, ana, contactEmail(1)), viewOf(t, ben, contactEmail(1))
	rows := tableRows(t, client)[Partition(testSecret, contactEmail(1))]
	vt := tableView(rows)
	if va.Touches != 2 || len(va.Events) != 2 {
		t.Fatalf("Ana's view: %+v", va)
	}
	if !equalView(va, vb) || !equalView(va, vt) {
		t.Fatalf("views differ:\nAna   %+v\nBen   %+v\ntable %+v", va, vb, vt)
	}
}

func equalView(a, b teamView) bool {
	if a.Owner != b.Owner || a.Status != b.Status || a.LostReason != b.LostReason || a.Touches != b.Touches ||
		a.FollowUp != b.FollowUp || a.LastTouch != b.LastTouch || len(a.Events) != len(b.Events) {
		return false
	}
	for i := range a.Events {
		if a.Events[i] != b.Events[i] {
			return false
		}
	}
	return true
}

// TestSameFieldLaterChangeWins: Ana sets qualified offline, Ben sets won
// after her and pushes first. When Ana pushes, Ben's later status stays,
// she is told who set what, and her inbox takes Ben's status; her event
// is kept in everyone's history. A later change pushed last wins with no
// conflict.
func TestSameFieldLaterChangeWins(t *testing.T) {
	srv := azurite(t)
	table, _ := newTable(t, srv)
	dir := t.TempDir()
	ana, ben := openRep(t, dir, "Ana", 3), openRep(t, dir, "Ben", 3)
	oa, ob := options(t, srv.ConnectionString(), table), options(t, srv.ConnectionString(), table)
	id := store.ContactIDForEmail(contactEmail(2))
	now := time.Now()
	if _, err := ana.SetStatus(id, store.StatusQualified, "", now); err != nil {
		t.Fatal(err)
	}
	if _, err := ben.SetStatus(id, store.StatusWon, "", now); err != nil {
		t.Fatal(err)
	}
	mustSync(t, ben, "Ben", ob)
	r := mustSync(t, ana, "Ana", oa)
	if len(r.Conflicts) != 1 || r.Conflicts[0].By != "Ben" || r.Conflicts[0].Field != store.TeamStatus {
		t.Fatalf("Ana was not told: %+v", r)
	}
	if line := r.Summary(time.Now()); !strings.Contains(line, "1 conflict: Ben set won") {
		t.Fatalf("summary: %q", line)
	}
	if got := viewOf(t, ana, contactEmail(2)); got.Status != "won" || len(got.Events) != 2 {
		t.Fatalf("Ana's view: %+v", got)
	}
	// Ana changes it again, later than Ben: hers wins, quietly.
	if _, err := ana.SetStatus(id, store.StatusEngaged, "", time.Now()); err != nil {
		t.Fatal(err)
	}
	if r := mustSync(t, ana, "Ana", oa); len(r.Conflicts) != 0 {
		t.Fatalf("a later change conflicted: %+v", r)
	}
	// Ana had seen Ben's won when she changed it: Ben is not told.
	if r := mustSync(t, ben, "Ben", ob); len(r.Conflicts) != 0 {
		t.Fatalf("Ben told of a change made over his, seen: %+v", r)
	}
	va, vb := viewOf(t, ana, contactEmail(2)), viewOf(t, ben, contactEmail(2))
	if va.Status != "engaged" || !equalView(va, vb) {
		t.Fatalf("views differ:\nAna %+v\nBen %+v", va, vb)
	}
	if c, _ := ana.TeamConflicts(); len(c) != 0 {
		t.Fatalf("old conflicts kept: %v", c)
	}
}

// TestLoserWhoPushedFirstIsTold: Ben sets a status and pushes first; Ana,
// not having seen it, sets another a little later and pushes: hers wins,
// and Ben's next sync tells him who set what, in one line.
func TestLoserWhoPushedFirstIsTold(t *testing.T) {
	srv := azurite(t)
	table, _ := newTable(t, srv)
	dir := t.TempDir()
	ana, ben := openRep(t, dir, "Ana", 3), openRep(t, dir, "Ben", 3)
	oa, ob := options(t, srv.ConnectionString(), table), options(t, srv.ConnectionString(), table)
	id := store.ContactIDForEmail(contactEmail(1))
	now := time.Now()
	if _, err := ben.SetStatus(id, store.StatusEngaged, "", now); err != nil {
		t.Fatal(err)
	}
	if _, err := ana.SetStatus(id, store.StatusQualified, "", now.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	if r := mustSync(t, ben, "Ben", ob); len(r.Conflicts) != 0 {
		t.Fatalf("Ben's first push conflicted: %+v", r)
	}
	if r := mustSync(t, ana, "Ana", oa); len(r.Conflicts) != 0 {
		t.Fatalf("Ana's later change was told it lost: %+v", r)
	}
	r := mustSync(t, ben, "Ben", ob)
	if len(r.Conflicts) != 1 || !strings.Contains(r.Summary(time.Now()), "1 conflict: Ana set qualified") {
		t.Fatalf("Ben was not told: %+v %q", r, r.Summary(time.Now()))
	}
	if vb := viewOf(t, ben, contactEmail(1)); vb.Status != "qualified" {
		t.Fatalf("Ben's view: %+v", vb)
	}
	if c, _ := ben.TeamConflicts(); len(c) != 1 || !strings.Contains(c[0], "Ana set qualified") {
		t.Fatalf("team status lines: %v", c)
	}
	// Told once: the next sync has nothing to say.
	if r := mustSync(t, ben, "Ben", ob); len(r.Conflicts) != 0 {
		t.Fatalf("told twice: %+v", r)
	}
}

// TestClaimIsExclusiveAcrossReps: Ana and Ben both claim a free contact;
// Ben's push is first, so Ana's claim fails naming Ben, and both end with
// Ben as the owner. Both histories say so: Ben's claim, and Ana's claim
// refused because Ben had it (they used to show "claimed by Ana" too).
func TestClaimIsExclusiveAcrossReps(t *testing.T) {
	srv := azurite(t)
	table, _ := newTable(t, srv)
	dir := t.TempDir()
	ana, ben := openRep(t, dir, "Ana", 3), openRep(t, dir, "Ben", 3)
	oa, ob := options(t, srv.ConnectionString(), table), options(t, srv.ConnectionString(), table)
	id := store.ContactIDForEmail(contactEmail(0))
	now := time.Now()
	if _, err := ana.Claim(id, "Ana", false, now); err != nil {
		t.Fatal(err)
	}
	if _, err := ben.Claim(id, "Ben", false, now); err != nil {
		t.Fatal(err)
	}
	mustSync(t, ben, "Ben", ob)
	r := mustSync(t, ana, "Ana", oa)
	if len(r.Conflicts) != 1 || r.Conflicts[0].Field != store.TeamOwner || !strings.Contains(r.Conflicts[0].Describe(time.Now()), "Ben claimed it") {
		t.Fatalf("Ana's claim did not fail naming Ben: %+v", r)
	}
	mustSync(t, ben, "Ben", ob)
	va, vb := viewOf(t, ana, contactEmail(0)), viewOf(t, ben, contactEmail(0))
	if va.Owner != "Ben" || !equalView(va, vb) {
		t.Fatalf("owners:\nAna %+v\nBen %+v", va, vb)
	}
	want := []string{"Ana's claim refused: Ben had it", "claimed by Ben"} // sorted
	for name, rep := range map[string]*store.Store{"Ana": ana, "Ben": ben} {
		c, err := rep.Contact(id)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range c.History {
			if e.Kind == store.EventClaim {
				got = append(got, store.OwnerEventText(e))
			}
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Fatalf("claims in %s's history: %q, want %q", name, got, want)
		}
	}
}

// TestRefusedClaimWithLostReply: Ana's claim loses to Ben's, and the
// reply to the transaction that recorded it is lost; the retry finds the
// event row in place, and Ana's own history still shows her claim as
// refused, as the row says.
func TestRefusedClaimWithLostReply(t *testing.T) {
	srv := azurite(t)
	table, _ := newTable(t, srv)
	dir := t.TempDir()
	ana, ben := openRep(t, dir, "Ana", 3), openRep(t, dir, "Ben", 3)
	id := store.ContactIDForEmail(contactEmail(0))
	now := time.Now()
	if _, err := ana.Claim(id, "Ana", false, now); err != nil {
		t.Fatal(err)
	}
	if _, err := ben.Claim(id, "Ben", false, now); err != nil {
		t.Fatal(err)
	}
	mustSync(t, ben, "Ben", options(t, srv.ConnectionString(), table))
	p := azuritetest.NewProxy(t, srv)
	var batches atomic.Int32
	p.SetRequestFault(func(n int, r *http.Request) azuritetest.Action {
		if isBatch(r) && batches.Add(1) == 1 {
			return azuritetest.LoseReply()
		}
		return nil
	})
	mustSync(t, ana, "Ana", options(t, p.ConnectionString(), table))
	if batches.Load() < 1 {
		t.Fatal("no transaction was sent")
	}
	c, err := ana.Contact(id)
	if err != nil {
		t.Fatal(err)
	}
	var claims []string
	for _, e := range c.History {
		if e.Kind == store.EventClaim {
			claims = append(claims, store.OwnerEventText(e))
		}
	}
	if !slices.Contains(claims, "Ana's claim refused: Ben had it") {
		t.Fatalf("Ana's claims after a lost reply: %q", claims)
	}
}

// TestLostReplyIsNotAppliedTwice: the transaction commits but its reply
// is lost; the retry finds the event row in place and counts the change
// as done: one event row, one touch.
func TestLostReplyIsNotAppliedTwice(t *testing.T) {
	srv := azurite(t)
	table, client := newTable(t, srv)
	ana := openRep(t, t.TempDir(), "Ana", 2)
	p := azuritetest.NewProxy(t, srv)
	var batches atomic.Int32
	p.SetRequestFault(func(n int, r *http.Request) azuritetest.Action {
		if isBatch(r) && batches.Add(1) == 1 {
			return azuritetest.LoseReply()
		}
		return nil
	})
	o := options(t, p.ConnectionString(), table)
	id := store.ContactIDForEmail(contactEmail(1))
	if _, err := ana.LogTouch(id, time.Now(), store.DefaultCadence, ""); err != nil {
		t.Fatal(err)
	}
	if r := mustSync(t, ana, "Ana", o); r.Pushed != 1 {
		t.Fatalf("push: %+v", r)
	}
	if batches.Load() < 2 {
		t.Fatal("the reply was not lost")
	}
	rows := tableRows(t, client)[Partition(testSecret, contactEmail(1))]
	if vt := tableView(rows); vt.Touches != 1 || len(vt.Events) != 1 {
		t.Fatalf("applied twice: %+v", vt)
	}
	if v := viewOf(t, ana, contactEmail(1)); v.Touches != 1 || len(v.Events) != 1 {
		t.Fatalf("Ana's view: %+v", v)
	}
}

// TestOfflineChangesQueueAndForgetFinishesLater: while the account is
// unreachable, changes stay queued in order and a forget's deletion of
// the person's team rows waits; the next sync pushes the changes in
// order and deletes the rows.
func TestOfflineChangesQueueAndForgetFinishesLater(t *testing.T) {
	srv := azurite(t)
	table, client := newTable(t, srv)
	ana := openRep(t, t.TempDir(), "Ana", 3)
	p := azuritetest.NewProxy(t, srv)
	o := options(t, p.ConnectionString(), table)
	id := store.ContactIDForEmail(contactEmail(0))
	if _, err := ana.AddNote(id, "first", time.Now()); err != nil {
		t.Fatal(err)
	}
	mustSync(t, ana, "Ana", o)
	pk := Partition(testSecret, contactEmail(0))
	if len(tableRows(t, client)[pk]) != 2 {
		t.Fatal("the note was not pushed")
	}
	down := func(int, *http.Request) azuritetest.Action { return azuritetest.Drop() }
	p.SetFault(down)
	p.SetRequestFault(down)
	id1 := store.ContactIDForEmail(contactEmail(1))
	for _, n := range []string{"a", "b", "c"} {
		if _, err := ana.AddNote(id1, n, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := Sync(context.Background(), ana, "Ana", o); err == nil {
		t.Fatal("a sync with the account unreachable succeeded")
	}
	if err := ana.QueueTeamForget(pk, time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := ana.Forget(contactEmail(0), time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := Forget(context.Background(), ana, o, pk); err == nil {
		t.Fatal("the team rows were deleted with the account unreachable")
	}
	if n, f, _ := ana.TeamQueued(); n != 3 || f != 1 {
		t.Fatalf("queued: %d changes, %d forgets", n, f)
	}
	p.SetFault(nil)
	p.SetRequestFault(nil)
	r := mustSync(t, ana, "Ana", o)
	if r.Pushed != 3 || r.Forgot != 1 {
		t.Fatalf("sync after: %+v", r)
	}
	rows := tableRows(t, client)
	if len(rows[pk]) != 0 {
		t.Fatalf("the forgotten person's rows remain: %v", rows[pk])
	}
	if v := tableView(rows[Partition(testSecret, contactEmail(1))]); len(v.Events) != 3 || !strings.HasSuffix(v.Events[2], " c") {
		t.Fatalf("pushed out of order: %+v", v.Events)
	}
	for _, row := range rows {
		for _, e := range row {
			for k, v := range e {
				if s, ok := v.(string); ok && (strings.Contains(s, "@") || strings.Contains(s, "Contoso") || strings.Contains(s, "Buyer")) {
					t.Fatalf("personal data in the table: %s=%q", k, s)
				}
			}
		}
	}
}

// TestHostileTeamRowsAreTamed: the table is written by whoever holds its
// key. A state row with a follow-up in year 10000, a negative touch
// count, an unknown status and an owner with terminal escapes, and event
// rows of an unknown kind or with escapes in a note, are pulled without
// failing the pull, cleaned, and leave the contact writable; and rows
// another rep pushes for a person forgotten here are not kept.
func TestHostileTeamRowsAreTamed(t *testing.T) {
	srv := azurite(t)
	table, client := newTable(t, srv)
	ana := openRep(t, t.TempDir(), "Ana", 3)
	o := options(t, srv.ConnectionString(), table)
	pk := Partition(testSecret, contactEmail(1))
	gone := Partition(testSecret, contactEmail(2))
	key := "1800000000000000000-abcdef-00000001"
	azuritetest.Seed(t, client, []azuritetest.Entity{
		{"PartitionKey": pk, "RowKey": StateRow, "owner": "Eve\x1b]0;pwned\x07", "status": "hacked",
			"status_by": "Eve\x1b[2J" + strings.Repeat("x", 5000), "status_at": fmt.Sprintf("%019d", time.Now().Add(30*time.Minute).UnixNano()),
			"next_follow_up": "9999-12-31T23:00:00-05:00", "touches": -5, "last_touch": "junk"},
		{"PartitionKey": pk, "RowKey": "ev-" + key, "kind": "note", "by": "Eve\x1b[2J", "at": "9999-12-31T23:00:00-05:00",
			"text": "hi\x1b]52;c;AAAA\x07 there"},
		{"PartitionKey": pk, "RowKey": "ev-" + key + "x", "kind": "rm -rf", "by": "Eve", "at": "2026-01-01T00:00:00Z"},
	})
	if err := ana.QueueTeamForget(gone, time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := ana.Forget(contactEmail(2), time.Now()); err != nil {
		t.Fatal(err)
	}
	mustSync(t, ana, "Ana", o)
	azuritetest.Seed(t, client, []azuritetest.Entity{
		{"PartitionKey": gone, "RowKey": "ev-" + key, "kind": "note", "by": "Ben", "at": "2026-01-01T00:00:00Z", "text": "about the forgotten one"},
	})
	mustSync(t, ana, "Ana", o)
	c, err := ana.Contact(contactEmail(1))
	if err != nil {
		t.Fatal(err)
	}
	tr := c.Triage
	if strings.ContainsAny(tr.Owner, "\x1b\x07") || tr.Status != store.StatusNew || tr.Touches != 0 || !tr.NextFollowUp.IsZero() {
		t.Fatalf("state not tamed: %+v", tr)
	}
	if len(c.History) != 1 || strings.ContainsAny(c.History[0].Text+c.History[0].By, "\x1b\x07") {
		t.Fatalf("events not tamed: %+v", c.History)
	}
	if _, err := ana.SetStatus(c.ID, store.StatusEngaged, "", time.Now()); err != nil {
		t.Fatalf("the contact cannot be changed after the pull: %v", err)
	}
	r := mustSync(t, ana, "Ana", o)
	if line := r.Summary(time.Now()); len(r.Conflicts) != 1 || strings.ContainsAny(line, "\x1b\x07") || len(line) > 300 {
		t.Fatalf("the conflict line carries the table's words raw: %q", line)
	}
	if n, _ := ana.TeamHeld(); n != 0 {
		t.Fatalf("%d rows of the forgotten person kept", n)
	}
}

// TestInitWithATableSAS: a SAS limited to the team table (raud) cannot
// create tables; init accepts the table made beforehand, and a pull with
// that SAS works. (Azurite refuses every entity-group transaction made
// with a table SAS: its SAS check finds no table name in a $batch
// request. So the push with one is not tested here.)
func TestInitWithATableSAS(t *testing.T) {
	srv := azurite(t)
	table, _ := newTable(t, srv)
	sas := srv.SASURL(t, table, aztables.SASPermissions{Read: true, Add: true, Update: true, Delete: true}, time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	conn, err := azuretable.Resolve(azuretable.Config{SASURL: sas, Section: azuretable.TeamSection, Getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	if err := Init(context.Background(), conn, fastNet); err != nil {
		t.Fatalf("init with a table SAS: %v", err)
	}
	ana := openRep(t, t.TempDir(), "Ana", 2)
	if _, err := Sync(context.Background(), ana, "Ana", Options{Conn: conn, Secret: testSecret, Net: fastNet}); err != nil {
		t.Fatalf("pull with a table SAS: %v", err)
	}
}

// TestForgetDeletesRowsAnotherRepPushesAfter: Ana forgets a person; Ben,
// who still holds them, then pushes a note about them. Ana's next sync
// leaves no row of that person in the table.
func TestForgetDeletesRowsAnotherRepPushesAfter(t *testing.T) {
	srv := azurite(t)
	table, client := newTable(t, srv)
	dir := t.TempDir()
	ana, ben := openRep(t, dir, "Ana", 2), openRep(t, dir, "Ben", 2)
	o := options(t, srv.ConnectionString(), table)
	id := store.ContactIDForEmail(contactEmail(0))
	if _, err := ana.AddNote(id, "first", time.Now()); err != nil {
		t.Fatal(err)
	}
	mustSync(t, ana, "Ana", o)
	mustSync(t, ben, "Ben", o)
	pk := Partition(testSecret, contactEmail(0))
	if err := ana.QueueTeamForget(pk, time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := ana.Forget(contactEmail(0), time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := Forget(context.Background(), ana, o, pk); err != nil {
		t.Fatal(err)
	}
	if _, err := ben.AddNote(id, "about the forgotten one", time.Now()); err != nil {
		t.Fatal(err)
	}
	mustSync(t, ben, "Ben", o)
	if len(tableRows(t, client)[pk]) == 0 {
		t.Fatal("Ben's note was not pushed")
	}
	mustSync(t, ana, "Ana", o)
	if rows := tableRows(t, client)[pk]; len(rows) != 0 {
		t.Fatalf("rows of the person Ana forgot remain in the table: %v", rows)
	}
	if _, f, _ := ana.TeamQueued(); f != 0 {
		t.Fatalf("%d deletions still queued", f)
	}
}

// TestTeamErrorsAdviseTheTeamTable: a missing team table and an expired
// team SAS are explained for the team table (leads team init, a SAS with
// raud), not with the advice for Microsoft's table, and without the SAS.
func TestTeamErrorsAdviseTheTeamTable(t *testing.T) {
	srv := azurite(t)
	ana := openRep(t, t.TempDir(), "Ana", 1)
	_, err := Sync(context.Background(), ana, "Ana", options(t, srv.ConnectionString(), "NoSuchTeamTable"))
	if err == nil || !strings.Contains(err.Error(), "leads team init") || strings.Contains(err.Error(), azuretable.DefaultTable) {
		t.Fatalf("missing team table: %v", err)
	}
	table, _ := newTable(t, srv)
	sas := srv.SASURL(t, table, aztables.SASPermissions{Read: true, Add: true, Update: true, Delete: true}, time.Now().Add(-2*time.Hour), time.Now().Add(-time.Hour))
	conn, err := azuretable.Resolve(azuretable.Config{SASURL: sas, Section: azuretable.TeamSection, Getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	_, err = Sync(context.Background(), ana, "Ana", Options{Conn: conn, Secret: testSecret, Net: fastNet})
	if err == nil || !strings.Contains(err.Error(), "raud") || strings.Contains(err.Error(), "Read and List") || strings.Contains(err.Error(), "sig=") {
		t.Fatalf("expired team SAS: %v", err)
	}
}

// TestFutureSetTimeDoesNotWinForever: a state row says a field was set
// in 2286 (a teammate's broken clock, or a forged row). A rep's status
// change still takes the field, and no conflict is reported for it.
func TestFutureSetTimeDoesNotWinForever(t *testing.T) {
	srv := azurite(t)
	table, client := newTable(t, srv)
	ana := openRep(t, t.TempDir(), "Ana", 1)
	o := options(t, srv.ConnectionString(), table)
	pk := Partition(testSecret, contactEmail(0))
	azuritetest.Seed(t, client, []azuritetest.Entity{
		{"PartitionKey": pk, "RowKey": StateRow, "status": "won", "status_by": "Eve", "status_at": "9999999999999999999"},
	})
	mustSync(t, ana, "Ana", o)
	if _, err := ana.SetStatus(store.ContactIDForEmail(contactEmail(0)), store.StatusQualified, "", time.Now()); err != nil {
		t.Fatal(err)
	}
	r := mustSync(t, ana, "Ana", o)
	if st := stateOf(tableRows(t, client)[pk][StateRow]); st.Status != store.StatusQualified || len(r.Conflicts) != 0 {
		t.Fatalf("a set time in 2286 beat a change made now: table status %q, conflicts %+v", st.Status, r.Conflicts)
	}
}

// TestFutureLastTouchDoesNotStopTouches: a state row whose last touch is
// in year 9999 (a broken clock, a forged row) does not keep a touch
// logged now from being the last one, in the table and here.
func TestFutureLastTouchDoesNotStopTouches(t *testing.T) {
	srv := azurite(t)
	table, client := newTable(t, srv)
	ana := openRep(t, t.TempDir(), "Ana", 1)
	o := options(t, srv.ConnectionString(), table)
	pk := Partition(testSecret, contactEmail(0))
	azuritetest.Seed(t, client, []azuritetest.Entity{
		{"PartitionKey": pk, "RowKey": StateRow, "status": "contacted", "touches": 1, "last_touch": "9998-12-31T00:00:00Z", "last_touch_by": "Eve", "last_touch_at": "9999999999999999999"},
	})
	mustSync(t, ana, "Ana", o)
	now := time.Now().UTC().Truncate(time.Second)
	if _, err := ana.LogTouch(store.ContactIDForEmail(contactEmail(0)), now, store.DefaultCadence, ""); err != nil {
		t.Fatal(err)
	}
	mustSync(t, ana, "Ana", o)
	st := stateOf(tableRows(t, client)[pk][StateRow])
	if lt, err := time.Parse(time.RFC3339Nano, st.LastTouch); err != nil || !lt.Equal(now) || st.Touches != 2 {
		t.Fatalf("table after a touch now: last touch %q, touches %d", st.LastTouch, st.Touches)
	}
	if tr, _ := ana.Triage(store.ContactIDForEmail(contactEmail(0))); !tr.LastTouch.Equal(now) {
		t.Fatalf("Ana's last touch: %v", tr.LastTouch)
	}
}

// TestPulledEventWithABadTimeTakesItsKeyTime: an event row whose time is
// not a time the store keeps (year 9999, junk) is filed at the time its
// key says it was made, not in year 1 ahead of every other note.
func TestPulledEventWithABadTimeTakesItsKeyTime(t *testing.T) {
	srv := azurite(t)
	table, client := newTable(t, srv)
	ana := openRep(t, t.TempDir(), "Ana", 1)
	o := options(t, srv.ConnectionString(), table)
	pk := Partition(testSecret, contactEmail(0))
	made := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	for i, at := range []string{"9999-12-31T23:00:00Z", "junk"} {
		key := fmt.Sprintf("%019d-abcdef-%08d", made.Add(time.Duration(i)*time.Minute).UnixNano(), i)
		azuritetest.Seed(t, client, []azuritetest.Entity{{"PartitionKey": pk, "RowKey": "ev-" + key, "kind": "note", "by": "Ben", "at": at, "text": "note " + at}})
	}
	mustSync(t, ana, "Ana", o)
	tr, err := ana.Triage(store.ContactIDForEmail(contactEmail(0)))
	if err != nil {
		t.Fatal(err)
	}
	if len(tr.Notes) != 2 {
		t.Fatalf("notes: %+v", tr.Notes)
	}
	for i, n := range tr.Notes {
		if want := made.Add(time.Duration(i) * time.Minute); !n.At.Equal(want) {
			t.Fatalf("note %q filed at %v, its key says %v", n.Text, n.At, want)
		}
	}
}
