// Package team shares a team's triage through an Azure table: who owns a
// contact, its status, next follow-up and touches, and every change with
// its author. There is no server: the table is the meeting point, and
// its optimistic concurrency (ETags) decides races.
//
// The table holds one partition per contact, named by a keyed hash of
// the contact's normalised address (Partition), so no address, name or
// company is in any key or row. In it, the row "state" holds the shared
// fields, each with who set it and when; a row "ev-<team key>" holds each
// change (kind, author, time, and a note's text: the only free text
// shared). A change is pushed as one entity-group transaction: its event
// row inserted and the state row updated under If-Match with the ETag
// read just before. A 412 means another rep changed the contact in
// between: the state is read again and the change's operations applied
// again (increments add again; a field another rep set later keeps their
// value, and the push reports who and what). An event row that already
// exists means an earlier attempt committed and its reply was lost: the
// change is done and is never applied twice.
package team

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/data/aztables"

	"github.com/leads-inbox/leads/importer/azuretable"
	"github.com/leads-inbox/leads/store"
)

// DefaultOverlap is how far before its watermark a pull reads again: a
// row committed just before the newest one seen may become visible only
// after the pull that saw that one (the copies of a pulled row are
// recognised, so reading twice costs only time).
const DefaultOverlap = 5 * time.Minute

// StateRow is the RowKey of a partition's state row; event rows are
// "ev-" and the change's team key.
const StateRow = "state"

// maxAttempts bounds how often one change is re-read and re-applied
// after other reps' writes beat it.
const maxAttempts = 20

// Partition returns the partition key of the person with this address:
// HMAC-SHA256 keyed with the team secret over the normalised address, as
// 32 hex digits. Without the secret, a table reader cannot test a guessed
// address against it.
func Partition(secret, email string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(store.NormalizeEmail(email)))
	return hex.EncodeToString(m.Sum(nil))[:32]
}

// Options configure a team sync.
type Options struct {
	Conn *azuretable.Conn
	// Secret keys Partition; every rep of the team has the same.
	Secret string
	Net    azuretable.NetOptions
	// Overlap overrides DefaultOverlap.
	Overlap time.Duration
	// Now is the clock for conflict ages (nil: time.Now).
	Now func() time.Time
}

// Conflict is a field where another rep's later change beat ours, or a
// claim on a contact another rep owns.
type Conflict struct {
	// By is the other rep, Field the shared field and Value what it
	// holds now; At is when they set it.
	By, Field, Value string
	At               time.Time
	// Contact is the local contact ID (never sent anywhere).
	Contact string
}

// Describe says what the other rep did, as "Ana set qualified 2 min ago".
func (c Conflict) Describe(now time.Time) string {
	ago := agoText(now.Sub(c.At))
	switch c.Field {
	case store.TeamOwner:
		return fmt.Sprintf("%s claimed it %s", c.By, ago)
	case store.TeamStatus:
		return fmt.Sprintf("%s set %s %s", c.By, c.Value, ago)
	case store.TeamFollowUp:
		if c.Value == "" {
			return fmt.Sprintf("%s cleared the follow-up %s", c.By, ago)
		}
		if t, err := time.Parse(time.RFC3339Nano, c.Value); err == nil {
			return fmt.Sprintf("%s set the follow-up to %s %s", c.By, t.Local().Format("2 Jan 15:04"), ago)
		}
	}
	return fmt.Sprintf("%s set %s %s", c.By, strings.ReplaceAll(c.Field, "_", " "), ago)
}

func agoText(d time.Duration) string {
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return fmt.Sprintf("%d min ago", int(d/time.Minute))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h ago", int(d/time.Hour))
	}
	return fmt.Sprintf("%d days ago", int(d/(24*time.Hour)))
}

// Result counts what a sync did.
type Result struct {
	Pushed, Pulled int
	// Forgot is the number of people whose team rows were deleted.
	Forgot int
	// Unshared counts queued changes of contacts without an address
	// (they have no partition) or gone since; they were dropped.
	Unshared  int
	Conflicts []Conflict
}

// Summary is the one-line report: "team: pushed 3 changes, pulled 5; 1
// conflict: Ana set qualified 2 min ago".
func (r Result) Summary(now time.Time) string {
	s := fmt.Sprintf("team: pushed %d %s, pulled %d", r.Pushed, plural(r.Pushed, "change", "changes"), r.Pulled)
	if r.Forgot > 0 {
		s += fmt.Sprintf(", deleted the rows of %d forgotten %s", r.Forgot, plural(r.Forgot, "person", "people"))
	}
	if n := len(r.Conflicts); n > 0 {
		s += fmt.Sprintf("; %d %s: %s", n, plural(n, "conflict", "conflicts"), r.Conflicts[0].Describe(now))
		if n > 1 {
			s += fmt.Sprintf(" (and %d more: leads team status)", n-1)
		}
	}
	return s
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// Init creates the team table; one that exists already is fine.
func Init(ctx context.Context, conn *azuretable.Conn, o azuretable.NetOptions) error {
	if strings.EqualFold(conn.Table, azuretable.DefaultTable) {
		return fmt.Errorf("the team table must not be %s, Microsoft's own table", azuretable.DefaultTable)
	}
	c, err := conn.TableClient(o)
	if err != nil {
		return err
	}
	_, err = c.CreateTable(ctx, nil)
	var re *azcore.ResponseError
	if err == nil || errors.As(err, &re) && re.ErrorCode == "TableAlreadyExists" {
		return nil
	}
	// A SAS for the team table cannot create tables: with one, the
	// table made by 'az storage table create' is fine if it answers.
	pager := c.NewListEntitiesPager(&aztables.ListEntitiesOptions{Top: to.Ptr[int32](1)})
	if _, qerr := pager.NextPage(ctx); qerr == nil {
		return nil
	}
	return conn.Explain(err)
}

// syncer is one team sync's connection and caches.
type syncer struct {
	s      *store.Store
	o      Options
	c      *aztables.Client
	now    func() time.Time
	mapped bool // the partition map was rebuilt from every contact this run
}

func newSyncer(s *store.Store, o Options) (*syncer, error) {
	if o.Secret == "" {
		return nil, errors.New("no team secret: put secret under [team] in the config (leads team init prints one)")
	}
	c, err := o.Conn.TableClient(o.Net)
	if err != nil {
		return nil, err
	}
	now := o.Now
	if now == nil {
		now = time.Now
	}
	return &syncer{s: s, o: o, c: c, now: now}, nil
}

// Sync deletes the team rows of people forgotten here, pushes the changes
// waiting in the outbox in order, then pulls what changed in the table
// since the last pull. It stops at the first change it cannot push
// (offline, or refused): that one and those after it stay queued, in
// order, for the next sync. The database joins the team (store.JoinTeam)
// as rep.
func Sync(ctx context.Context, s *store.Store, rep string, o Options) (Result, error) {
	var res Result
	if err := s.JoinTeam(rep); err != nil {
		return res, err
	}
	y, err := newSyncer(s, o)
	if err != nil {
		return res, err
	}
	if err := y.forgets(ctx, &res); err != nil {
		return res, err
	}
	if err := y.push(ctx, &res); err != nil {
		return res, err
	}
	err = y.pull(ctx, &res)
	if err == nil {
		// Rows another rep pushed for a person forgotten here, after
		// their deletion: the pull queued them for deletion again.
		err = y.forgets(ctx, &res)
	}
	if len(res.Conflicts) > 0 || res.Pushed > 0 {
		lines := make([]store.TeamConflictLine, len(res.Conflicts))
		for i, c := range res.Conflicts {
			lines[i] = store.TeamConflictLine{Contact: c.Contact, Text: c.Describe(y.now())}
			if ct, cerr := s.Contact(c.Contact); cerr == nil && ct.Email != "" {
				lines[i].Text += " (" + ct.Email + ")"
			}
		}
		if cerr := s.SetTeamConflicts(lines); cerr != nil && err == nil {
			err = cerr
		}
	}
	return res, err
}

// Forget deletes every team row of the person with this address. The
// caller queues the deletion first (store.QueueTeamForget) so that a
// failure here is finished by the next sync.
func Forget(ctx context.Context, s *store.Store, o Options, partition string) error {
	y, err := newSyncer(s, o)
	if err != nil {
		return err
	}
	if err := y.deletePartition(ctx, partition); err != nil {
		return err
	}
	return s.TeamForgetDone(partition)
}

func (y *syncer) forgets(ctx context.Context, res *Result) error {
	parts, err := y.s.TeamForgets()
	if err != nil {
		return err
	}
	for _, p := range parts {
		if err := y.deletePartition(ctx, p); err != nil {
			return err
		}
		if err := y.s.TeamForgetDone(p); err != nil {
			return err
		}
		res.Forgot++
	}
	return nil
}

func (y *syncer) deletePartition(ctx context.Context, partition string) error {
	filter := fmt.Sprintf("PartitionKey eq '%s'", partition)
	pager := y.c.NewListEntitiesPager(&aztables.ListEntitiesOptions{Filter: &filter, Select: to.Ptr("PartitionKey,RowKey")})
	var keys []string
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			return y.o.Conn.Explain(err)
		}
		for _, e := range page.Entities {
			var row struct{ RowKey string }
			if err := json.Unmarshal(e, &row); err != nil {
				return fmt.Errorf("a team row is not an entity: %v", err)
			}
			keys = append(keys, row.RowKey)
		}
	}
	for len(keys) > 0 {
		n := min(len(keys), 100)
		var acts []aztables.TransactionAction
		for _, rk := range keys[:n] {
			b, _ := json.Marshal(map[string]string{"PartitionKey": partition, "RowKey": rk})
			acts = append(acts, aztables.TransactionAction{ActionType: aztables.TransactionTypeDelete, Entity: b, IfMatch: to.Ptr(azcore.ETagAny)})
		}
		if _, err := y.c.SubmitTransaction(ctx, acts, nil); err != nil {
			// A retried batch whose first attempt committed finds rows
			// gone: delete one by one, a missing row being done.
			for _, rk := range keys[:n] {
				_, derr := y.c.DeleteEntity(ctx, partition, rk, &aztables.DeleteEntityOptions{IfMatch: to.Ptr(azcore.ETagAny)})
				if derr != nil && !isStatus(derr, http.StatusNotFound) {
					return y.o.Conn.Explain(derr)
				}
			}
		}
		keys = keys[n:]
	}
	return nil
}

func isStatus(err error, code int) bool {
	var re *azcore.ResponseError
	return errors.As(err, &re) && re.StatusCode == code
}

// push sends the outbox, oldest change first.
func (y *syncer) push(ctx context.Context, res *Result) error {
	for {
		batch, err := y.s.TeamOutbox(200)
		if err != nil {
			return err
		}
		if len(batch) == 0 {
			return nil
		}
		parts := map[string]string{}
		for _, ch := range batch {
			c, err := y.s.Contact(ch.Contact)
			if errors.Is(err, store.ErrNotFound) || err == nil && c.Email == "" {
				res.Unshared++
				if err := y.s.TeamPushed(ch.Key); err != nil {
					return err
				}
				continue
			}
			if err != nil {
				return err
			}
			pk := Partition(y.o.Secret, c.Email)
			parts[pk] = c.ID
			conflicts, etag, raw, refused, err := y.pushOne(ctx, pk, ch, c.IsDNC)
			if err != nil {
				_ = y.s.NoteTeamPartitions(parts)
				return err
			}
			res.Conflicts = append(res.Conflicts, conflicts...)
			if err := y.s.TeamPushedState(ch.Key, pk, string(etag), raw, refused); err != nil {
				return err
			}
			res.Pushed++
		}
		if err := y.s.NoteTeamPartitions(parts); err != nil {
			return err
		}
	}
}

// pushOne commits one change: its event row and the state row, in one
// transaction, re-reading and re-applying while other reps' writes beat it.
// The first attempt starts from the state row kept from the last pull or
// push (store.TeamCachedState) when there is one: its If-Match fails if
// the row changed since, and the row is then read. It returns the state
// row it wrote and that row's new ETag ("" when the reply did not say, or
// when the change had been committed by a lost attempt).
func (y *syncer) pushOne(ctx context.Context, pk string, ch store.TeamChange, dnc bool) (conflicts []Conflict, etag azcore.ETag, sb []byte, refused string, err error) {
	cachedTag, raw, err := y.s.TeamCachedState(pk)
	if err != nil {
		return nil, "", nil, "", err
	}
	var st State
	cached := false
	if cachedTag != "" {
		if st, err = parseState(raw); err == nil {
			cached, etag = true, azcore.ETag(cachedTag)
		}
	}
	for attempt := 0; ; attempt++ {
		if !cached {
			if st, etag, err = y.readState(ctx, pk); err != nil {
				return nil, "", nil, "", err
			}
		}
		y.dropFutureTimes(&st)
		st.seen = y.seenChange
		conflicts = Apply(&st, ch)
		refused = claimRefused(ch, conflicts)
		ev := eventEntity(pk, ch, st.overrode, refused)
		st.DNC = st.DNC || dnc
		for i := range conflicts {
			conflicts[i].Contact = ch.Contact
		}
		acts := []aztables.TransactionAction{{ActionType: aztables.TransactionTypeAdd, Entity: ev}}
		sb = st.entity(pk)
		if etag == "" {
			acts = append(acts, aztables.TransactionAction{ActionType: aztables.TransactionTypeAdd, Entity: sb})
		} else {
			acts = append(acts, aztables.TransactionAction{ActionType: aztables.TransactionTypeUpdateReplace, Entity: sb, IfMatch: &etag})
		}
		var reply *http.Response
		_, err = y.c.SubmitTransaction(policy.WithCaptureResponse(ctx, &reply), acts, nil)
		if err == nil {
			return conflicts, batchETag(reply, len(acts)), sb, refused, nil
		}
		if ctx.Err() != nil {
			return nil, "", nil, "", y.o.Conn.Explain(err)
		}
		// Whatever the failure, the event row tells whether the change
		// is in: an attempt whose reply was lost may have committed.
		done, was, gerr := y.eventExists(ctx, pk, ch.Key)
		if gerr != nil {
			return nil, "", nil, "", gerr
		}
		if done {
			// The row says whether the claim it records was refused.
			return nil, "", nil, was, nil
		}
		if cached {
			// The kept row was stale (or gone): read it, and again.
			cached = false
			attempt--
			continue
		}
		// A refused operation inside the transaction comes back as the
		// batch's own 202 (aztables keeps no inner status): with the
		// event row absent, that is the state's If-Match (412) or a
		// state row another rep created first (409). Re-read and again.
		refused := isStatus(err, http.StatusAccepted) || isStatus(err, http.StatusPreconditionFailed) || isStatus(err, http.StatusConflict)
		if !refused {
			return nil, "", nil, "", y.o.Conn.Explain(err)
		}
		if attempt >= maxAttempts {
			return nil, "", nil, "", fmt.Errorf("the team table refused a change %d times in a row (other reps kept changing the contact, or the row is malformed): run leads team sync again", attempt+1)
		}
	}
}

// claimRefused returns the rep who held the contact when ch, a claim,
// was applied to the team's state (the claim lost), or "".
func claimRefused(ch store.TeamChange, conflicts []Conflict) string {
	if ch.Kind != store.EventClaim {
		return ""
	}
	for _, c := range conflicts {
		if c.Field == store.TeamOwner {
			return c.Value
		}
	}
	return ""
}

// seenChange reports whether another rep's change made at team-key time
// at was pulled here before (an error counts as seen: no false alarm).
func (y *syncer) seenChange(at string) bool {
	seen, err := y.s.TeamChangeSeen(at)
	return err != nil || seen
}

// maxSkew is how far ahead of this machine's clock another rep's clock
// may be: a field set "later" than that is a broken clock or a forged
// row, and would otherwise beat every change to it for years.
const maxSkew = time.Hour

// dropFutureTimes forgets when a field was set where that is past
// maxSkew from now: the change being pushed then wins that field.
func (y *syncer) dropFutureTimes(st *State) {
	limit := y.now().Add(maxSkew)
	for f, at := range st.At {
		if at != "" && (len(at) < 19 || keyAfter(at, limit)) {
			st.At[f] = ""
		}
	}
	// The last touch is the latest one logged: one "logged" in year
	// 9999 would keep every real touch from counting as the last.
	if lt, err := time.Parse(time.RFC3339Nano, st.LastTouch); err == nil && lt.After(limit) {
		st.LastTouch = ""
	}
}

// keyAfter reports whether the time of a team key (or its 19 digits) is
// after t; digits that are not a time count as after.
func keyAfter(key string, t time.Time) bool {
	kt := store.TeamKeyTime(key)
	return kt.IsZero() || kt.After(t)
}

// batchETag is the ETag of the last of a committed transaction's n
// operations (the state row), read from the reply's parts, which answer
// the operations in order; "" unless each of the n parts carries one.
func batchETag(reply *http.Response, n int) azcore.ETag {
	if reply == nil {
		return ""
	}
	body, err := runtime.Payload(reply)
	if err != nil {
		return ""
	}
	var tags []string
	for line := range strings.Lines(string(body)) {
		name, value, ok := strings.Cut(line, ":")
		if ok && strings.EqualFold(strings.TrimSpace(name), "ETag") {
			tags = append(tags, strings.TrimSpace(value))
		}
	}
	if len(tags) != n || tags[n-1] == "" {
		return ""
	}
	return azcore.ETag(tags[n-1])
}

// eventExists reports whether the event row of change key is in the
// table, and the rep it names as having held the contact when the
// change, a claim, was refused ("" for none).
func (y *syncer) eventExists(ctx context.Context, pk, key string) (exists bool, refused string, err error) {
	r, err := y.c.GetEntity(ctx, pk, "ev-"+key, nil)
	if err == nil {
		var m map[string]any
		if json.Unmarshal(r.Value, &m) == nil {
			refused, _ = m["refused"].(string)
		}
		return true, store.CleanRepName(refused), nil
	}
	if isStatus(err, http.StatusNotFound) {
		return false, "", nil
	}
	return false, "", y.o.Conn.Explain(err)
}

// readState reads a partition's state row and its ETag ("" when the row
// does not exist yet).
func (y *syncer) readState(ctx context.Context, pk string) (State, azcore.ETag, error) {
	r, err := y.c.GetEntity(ctx, pk, StateRow, nil)
	if isStatus(err, http.StatusNotFound) {
		return State{Status: store.StatusNew}, "", nil
	}
	if err != nil {
		return State{}, "", y.o.Conn.Explain(err)
	}
	st, err := parseState(r.Value)
	return st, r.ETag, err
}

// pull reads the rows changed since the watermark (less the overlap),
// page by page, and applies each page with its watermark in one
// transaction: a pull cut off re-reads from the last page applied.
func (y *syncer) pull(ctx context.Context, res *Result) error {
	held, err := y.s.TeamHeld()
	if err != nil {
		return err
	}
	if held > 0 {
		if err := y.mapAll(); err != nil {
			return err
		}
		r, err := y.s.ApplyHeldTeamRows()
		if err != nil {
			return err
		}
		res.Pulled += r.Events
	}
	mark, _, err := y.s.TeamWatermark()
	if err != nil {
		return err
	}
	overlap := y.o.Overlap
	if overlap == 0 {
		overlap = DefaultOverlap
	}
	opts := &aztables.ListEntitiesOptions{Top: to.Ptr[int32](1000)}
	if !mark.IsZero() {
		opts.Filter = to.Ptr(fmt.Sprintf("Timestamp ge datetime'%s'", mark.Add(-overlap).UTC().Format(time.RFC3339Nano)))
	}
	// The next page is fetched while this one is parsed and applied:
	// the table's answer, not the database, is the slow part.
	pc, err := y.o.Conn.PageClient(y.o.Net)
	if err != nil {
		return err
	}
	pages := fetchPages(ctx, pc, opts)
	defer pages.stop()
	for page := range pages.c {
		if page.err != nil {
			return y.o.Conn.Explain(page.err)
		}
		if page.bad != nil {
			return page.bad
		}
		if page.newest.After(mark) {
			mark = page.newest
		}
		rows, parts := page.rows, page.parts
		known, err := y.s.TeamPartitionsKnown(parts)
		if err != nil {
			return err
		}
		for _, ok := range known {
			if !ok && !y.mapped {
				if err := y.mapAll(); err != nil {
					return err
				}
				break
			}
		}
		r, err := y.s.ApplyTeamRows(rows, mark)
		if err != nil {
			return err
		}
		res.Pulled += r.Events
		for _, o := range r.Overridden {
			res.Conflicts = append(res.Conflicts, Conflict{By: o.By, Field: o.Field, Value: o.Value, At: o.At, Contact: o.Contact})
		}
	}
	return y.s.TeamPullDone(y.now())
}

// fetched is one page of a pull, parsed, or what ended the pull: the
// request's error (err) or a row that is not an entity (bad).
type fetched struct {
	rows   []store.TeamRow
	parts  []string
	newest time.Time // the newest Timestamp on the page
	err    error
	bad    error
}

// prefetch reads and parses a pager's pages one ahead of their consumer,
// in order, on the other core; an error is the last thing sent.
type prefetch struct {
	c      chan fetched
	cancel context.CancelFunc
}

func fetchPages(ctx context.Context, pc *azuretable.PageClient, opts *aztables.ListEntitiesOptions) *prefetch {
	pager := pc.NewListEntitiesPager(opts)
	ctx, cancel := context.WithCancel(ctx)
	p := &prefetch{c: make(chan fetched, 1), cancel: cancel}
	go func() {
		defer close(p.c)
		for pager.More() {
			page, err := pager.NextPage(ctx)
			f := fetched{err: err}
			if err == nil {
				if body := pc.TakePage(); body != nil {
					f = parsePageBody(body)
				} else {
					f = parseEntities(page.Entities)
				}
			}
			select {
			case p.c <- f:
			case <-ctx.Done():
				return
			}
			if f.err != nil || f.bad != nil {
				return
			}
		}
	}()
	return p
}

// parseEntities parses a page's rows as aztables hands them out (a page
// whose body was not kept), leaving out rows of neither kind.
func parseEntities(entities [][]byte) fetched {
	var f fetched
	for _, b := range entities {
		if !json.Valid(b) {
			return fetched{bad: errBadTeamPage}
		}
		if err := f.add(b); err != nil {
			return fetched{bad: err}
		}
	}
	return f
}

// stop ends the fetching and waits for it, so that no request outlives
// the pull.
func (p *prefetch) stop() {
	p.cancel()
	for range p.c {
	}
}

// mapAll notes the partition of every contact with an address, once a
// run: a pulled row names a partition no contact was seen for yet.
func (y *syncer) mapAll() error {
	if y.mapped {
		return nil
	}
	y.mapped = true
	parts := map[string]string{}
	err := y.s.ListContacts(store.Filter{}, func(c *store.Contact) error {
		if c.Email != "" {
			parts[Partition(y.o.Secret, c.Email)] = c.ID
		}
		return nil
	})
	if err != nil {
		return err
	}
	return y.s.NoteTeamPartitions(parts)
}
