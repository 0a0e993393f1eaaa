package azuretable

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/data/aztables"
	"github.com/leads-inbox/leads/importer"
	"github.com/leads-inbox/leads/store"
)

// DefaultOverlap is how far before the newest Timestamp already seen an
// incremental sync starts again. Timestamps are set by the partition server
// that wrote the entity, and those clocks are not perfectly in step; a few
// minutes of leads read twice cost nothing (they come back unchanged).
const DefaultOverlap = 5 * time.Minute

// Options tune Sync.
type Options struct {
	// Conn is the table to read (see Resolve).
	Conn *Conn
	// Full re-reads the whole table instead of what changed since the last
	// sync. Leads are still matched by PartitionKey and RowKey, so nothing
	// is duplicated.
	Full bool
	// DryRun reads and counts everything and stores nothing, not even the
	// sync position.
	DryRun bool
	// AllowForgotten stores leads of people who asked to be forgotten,
	// which are skipped otherwise.
	AllowForgotten bool
	// Overlap replaces DefaultOverlap (tests use a tiny one).
	Overlap time.Duration
	// PageSize asks for pages of at most this many entities ($top); 0
	// leaves it to the service (1,000).
	PageSize int32
	// Net tunes retries, timeouts and the transport.
	Net NetOptions
	// Progress, when set, is called after each page is committed, from
	// the goroutine that called Sync.
	Progress func(Progress)
	// Warn, when set, receives one-line problems with single entities that
	// did not stop them from being imported (or, when counted as rejected,
	// that did). The text is sanitised.
	Warn func(string)
	// NewLead, when set, is called for each lead stored as new, once the
	// page that holds it is committed (so a lead it reports is in the
	// store), from the goroutine that called Sync. The text in it is as
	// the stranger typed it: clean it before showing it.
	NewLead func(store.Lead)
}

// Progress reports a running sync.
type Progress struct {
	Read    int           // entities read so far in this run
	Pages   int           // pages committed so far in this run
	Elapsed time.Duration // since Sync started
}

// Result says what a sync did. Its counts match the summary line of
// 'leads import'.
type Result struct {
	Read, New, Updated, Unchanged, Test, Rejected int
	// Forgotten counts leads of people who asked to be forgotten, skipped.
	Forgotten int
	// Pages is how many pages were read, Requests how many HTTP attempts
	// that took (retries included).
	Pages, Requests int
	// Full is true when the whole table was read (first sync or --full).
	Full bool
	// Resumed is true when this run continued one that was cut off.
	Resumed bool
	// Since is the lower bound of the Timestamp filter (zero when Full).
	Since time.Time
}

// syncState is what the store keeps per account and table, written in the
// same transaction as each page's leads, so the position can never run
// ahead of (or behind) the leads it describes.
type syncState struct {
	V int `json:"v"`
	// Watermark is the newest Timestamp a finished run may vouch for: every
	// change before it has been read. The next incremental run asks for
	// Timestamp >= Watermark - Overlap.
	Watermark time.Time `json:"watermark,omitzero"`
	// Run is the unfinished run, if one was cut off.
	Run *runState `json:"run,omitempty"`
}

type runState struct {
	Full   bool      `json:"full,omitempty"`
	Filter string    `json:"filter,omitempty"`
	Since  time.Time `json:"since,omitzero"`
	// NextPK and NextRK are the continuation of the next page to read.
	NextPK string `json:"npk,omitempty"`
	NextRK string `json:"nrk,omitempty"`
	// Max is the newest Timestamp seen so far; Start is the server's clock
	// when the run began. Both matter for the watermark; see finish.
	Max   time.Time `json:"max,omitzero"`
	Start time.Time `json:"start,omitzero"`
}

const stateVersion = 1

// Batching bounds: at most this many leads, or this long since the last
// commit, before the pending pages are stored even though more are waiting.
// The time bound is what a kill -9 can cost at most.
const (
	maxBatch     = 20_000
	maxCommitGap = 2 * time.Second
)

// SyncKey is the key under which the store keeps the sync position of an
// account's table. Table names are case-insensitive in Azure.
func SyncKey(account, table string) string {
	return "azuretable/" + strings.ToLower(account) + "/" + strings.ToLower(table)
}

// timestampFilter is the OData filter for changes since t. The service
// wants a 7-digit fraction and a Z.
func timestampFilter(t time.Time) string {
	return "Timestamp ge datetime'" + t.UTC().Format("2006-01-02T15:04:05.0000000Z") + "'"
}

// page is one fetched page, handed from the fetching goroutine to the one
// that stores it.
type page struct {
	entities       [][]byte
	nextPK, nextRK string
	server         time.Time
	err            error
}

// Sync reads what changed in the table since the last sync (or all of it)
// into s, page by page. Each page is committed in one transaction together
// with the position of the next page, so a sync that is killed or cut off
// resumes where it stopped, and a sync cancelled through ctx keeps every page
// it committed. The next page is fetched while the current one is stored.
//
// Errors are one line, say what to fix, and never contain a secret; a
// cancelled sync returns an error wrapping ErrInterrupted and
// context.Canceled.
func Sync(ctx context.Context, s *store.Store, opt Options) (res Result, err error) {
	started := time.Now()
	c := opt.Conn
	if c == nil {
		return Result{}, errors.New("azuretable.Sync: no connection")
	}
	// Pages are stored with their contacts left for one fold at the end
	// (store.Fold): a first sync reads the table in table order, which
	// spreads a person's leads over the whole run. Also when the sync
	// fails or is cut off: every page it stored is filed.
	defer func() {
		if _, ferr := s.Fold(); ferr != nil && err == nil {
			err = fmt.Errorf("filing the synced leads into their contacts: %w", ferr)
		}
	}()
	overlap := opt.Overlap
	if overlap == 0 {
		overlap = DefaultOverlap
	}
	warn := opt.Warn
	if warn == nil {
		warn = func(string) {}
	}
	key := SyncKey(c.Account, c.Table)
	st, err := loadState(s, key)
	if err != nil {
		return Result{}, err
	}

	run := st.Run
	switch {
	case run != nil && (!opt.Full || run.Full):
		// A cut-off run goes on where it stopped. --full after a cut-off
		// full run also resumes: re-reading the pages already stored
		// would change nothing.
		res.Resumed = true
	case opt.Full || st.Watermark.IsZero():
		run = &runState{Full: true}
	default:
		since := st.Watermark.Add(-overlap)
		run = &runState{Since: since, Filter: timestampFilter(since)}
	}
	res.Full, res.Since = run.Full, run.Since

	w := &wire{capture: true}
	defer func() { res.Requests = int(w.requests.Load()) }()
	client, err := c.client(opt.Net, w)
	if err != nil {
		return res, err
	}
	lo := &aztables.ListEntitiesOptions{}
	if run.Filter != "" {
		lo.Filter = &run.Filter
	}
	if opt.PageSize > 0 {
		lo.Top = &opt.PageSize
	}
	if run.NextPK != "" || run.NextRK != "" {
		lo.NextPartitionKey, lo.NextRowKey = strPtr(run.NextPK), strPtr(run.NextRK)
	}
	pager := client.NewListEntitiesPager(lo)

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// The fetcher may run a few pages ahead while a batch is stored.
	pages := make(chan page, 16)
	go func() {
		defer close(pages)
		for pager.More() {
			resp, err := pager.NextPage(ctx)
			p := page{err: err, server: w.serverTime()}
			if err == nil {
				p.entities = resp.Entities
				if body := w.take(); body != nil {
					p.entities, p.err = pageEntities(body)
				}
				p.nextPK, p.nextRK = deref(resp.NextPartitionKey), deref(resp.NextRowKey)
			}
			select {
			case pages <- p:
			case <-ctx.Done():
				// A page fetched as the stop came is still handed
				// over where there is room (there nearly always is):
				// the stop stores every page fetched.
				if p.err == nil {
					select {
					case pages <- p:
					default:
					}
				}
				return
			}
			if p.err != nil {
				return
			}
		}
	}()

	// Pages are stored as soon as nothing else is waiting, so on a slow
	// link every page is its own transaction. When the store is the slower
	// side, the pages already fetched are stored together: a commit rewrites
	// every index page a batch touches, and IDs are random, so a commit
	// costs about the same for one page as for twenty, and per-page commits
	// made a 100,000-lead sync 1.8 times slower than the bare download.
	// Either way the position committed is that of the last page stored.
	var pending []store.Lead
	pendingPages := 0
	lastCommit := time.Now()
	commit := func(done bool) error {
		next := syncState{V: stateVersion, Watermark: st.Watermark, Run: run}
		if done {
			next = syncState{V: stateVersion, Watermark: finish(st.Watermark, run)}
		}
		blob, err := json.Marshal(next)
		if err != nil {
			return err
		}
		ur, err := s.Upsert(pending, store.UpsertOptions{DryRun: opt.DryRun, SyncKey: key, SyncState: blob, AllowForgotten: opt.AllowForgotten,
			DeferContacts: true, ListNew: opt.NewLead != nil})
		if err != nil {
			return fmt.Errorf("storing page %d: %w", res.Pages+1, err)
		}
		if !opt.DryRun {
			for _, i := range ur.NewAt {
				opt.NewLead(pending[i])
			}
		}
		res.New += ur.New
		res.Updated += ur.Updated
		res.Unchanged += ur.Unchanged
		res.Forgotten += ur.Forgotten
		res.Pages += pendingPages
		pending, pendingPages, lastCommit = pending[:0], 0, time.Now()
		if opt.Progress != nil {
			opt.Progress(Progress{Read: res.Read, Pages: res.Pages, Elapsed: time.Since(started)})
		}
		return nil
	}
	for p := range pages {
		if p.err != nil {
			if pendingPages > 0 {
				if err := commit(false); err != nil {
					return res, err
				}
			}
			// Cancelled while a request was in flight: the same answer
			// as between pages, with the way to resume.
			if err := ctx.Err(); err != nil {
				return res, interrupted(res, err)
			}
			return res, c.explain(p.err)
		}
		if run.Start.IsZero() {
			run.Start = p.server
			if run.Start.IsZero() {
				run.Start = time.Now().UTC()
			}
		}
		for _, b := range p.entities {
			l, err := entityLead(b, c.Account, c.Table, warn)
			res.Read++
			if err != nil {
				res.Rejected++
				warn("rejected an entity: " + importer.Sanitize(err.Error(), 200))
				continue
			}
			if l.Timestamp.After(run.Max) {
				run.Max = l.Timestamp
			}
			if l.IsTest {
				res.Test++
			}
			pending = append(pending, l)
		}
		pendingPages++
		run.NextPK, run.NextRK = p.nextPK, p.nextRK
		done := p.nextPK == "" && p.nextRK == ""
		if done || len(pages) == 0 || len(pending) >= maxBatch || time.Since(lastCommit) >= maxCommitGap || ctx.Err() != nil {
			if err := commit(done); err != nil {
				return res, err
			}
		}
		// Once asked to stop, the fetcher fetches no more and closes
		// the channel; the pages it had already fetched are stored
		// (each in its own commit, above) before Sync returns.
	}
	if err := ctx.Err(); err != nil {
		return res, interrupted(res, err)
	}
	return res, nil
}

// interrupted is the error of a cancelled sync: what it kept, and how to
// go on.
func interrupted(res Result, cause error) error {
	return fmt.Errorf("%w after %d pages (%d leads read, all stored): run the same command again to resume: %w",
		ErrInterrupted, res.Pages, res.Read, cause)
}

// finish computes the watermark a completed run leaves. Pages come in key
// order, not time order, so an entity changed during the run behind the
// reading position is not in this run; its Timestamp is later than the
// run's start. Taking the earlier of the newest Timestamp seen and the
// server's clock at the start therefore never skips a change, and on a quiet
// table it keeps the next query to the overlap window.
func finish(old time.Time, run *runState) time.Time {
	wm := run.Start
	if !run.Max.IsZero() && run.Max.Before(wm) {
		wm = run.Max
	}
	if wm.IsZero() {
		return old
	}
	// An incremental run that saw nothing still proves the table had no
	// changes before its start, but never move the watermark backwards.
	if wm.Before(old) {
		return old
	}
	return wm
}

func loadState(s *store.Store, key string) (syncState, error) {
	var st syncState
	blob, err := s.SyncState(key)
	if err != nil {
		return st, err
	}
	if len(blob) == 0 {
		return st, nil
	}
	if err := json.Unmarshal(blob, &st); err != nil || st.V != stateVersion {
		// A damaged or foreign position only costs a full read.
		return syncState{}, nil
	}
	return st, nil
}

func strPtr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
