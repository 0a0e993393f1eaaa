package azuretable

import (
	"context"
	"errors"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/data/aztables"
	"github.com/leads-inbox/leads/store"
)

// LeadInfo describes one lead found by Check.
type LeadInfo struct {
	Timestamp time.Time // last modification, set by the service
	Created   time.Time
	Source    string
	Action    string
	OfferName string
	OfferID   string
}

// CheckResult is what Check found.
type CheckResult struct {
	// Empty is true when the table exists and holds no entity.
	Empty bool
	// Newest is the most recently written lead; NewestTest the most
	// recently written Microsoft test lead (MSFT_TEST), which Partner
	// Center sends when an offer is published. Either may be nil.
	Newest, NewestTest *LeadInfo
	// Scanned counts the entities read; Limited is true when the search
	// for a test lead stopped at CheckScanLimit.
	Scanned int
	Limited bool
	// Requests counts HTTP attempts.
	Requests int
}

// CheckScanLimit bounds how many entities Check reads while looking for a
// test lead, so --check stays quick on a large table that has none.
const CheckScanLimit = 50_000

// checkWindows are the ages Check looks back over, newest first. The table
// cannot be sorted by time, so Check asks for the last day first and
// widens only while it still lacks the newest lead or the newest test lead;
// each query covers only the band the previous ones did not.
var checkWindows = []time.Duration{24 * time.Hour, 7 * 24 * time.Hour, 31 * 24 * time.Hour, 366 * 24 * time.Hour, 0}

// Check tests the connection and reports the newest lead and the newest test
// lead in the table. It is cheap: one request to prove that the credentials
// and the table work, then queries over widening time bands that stop as
// soon as both leads are found (on a live table: usually one or two
// requests). It needs no database.
func Check(ctx context.Context, c *Conn, n NetOptions) (res CheckResult, err error) {
	w := &wire{}
	defer func() { res.Requests = int(w.requests.Load()) }()
	client, err := c.client(n, w)
	if err != nil {
		return res, err
	}
	found, err := probe(ctx, c, client)
	if err != nil {
		return res, err
	}

	now := time.Now().UTC()
	var upper time.Time
	for _, age := range checkWindows {
		var filter string
		lower := time.Time{}
		if age > 0 {
			lower = now.Add(-age)
			filter = timestampFilter(lower)
		}
		if !upper.IsZero() {
			if filter != "" {
				filter += " and "
			}
			filter += "Timestamp lt datetime'" + upper.Format("2006-01-02T15:04:05.0000000Z") + "'"
		}
		lo := &aztables.ListEntitiesOptions{}
		if filter != "" {
			lo.Filter = &filter
		}
		pager := client.NewListEntitiesPager(lo)
		for pager.More() {
			p, err := pager.NextPage(ctx)
			if err != nil {
				return res, c.explain(err)
			}
			for _, b := range p.Entities {
				res.Scanned++
				l, err := entityLead(b, c.Account, c.Table, func(string) {})
				if err != nil {
					continue
				}
				if res.Newest == nil || l.Timestamp.After(res.Newest.Timestamp) {
					res.Newest = info(&l)
				}
				if l.IsTest && (res.NewestTest == nil || l.Timestamp.After(res.NewestTest.Timestamp)) {
					res.NewestTest = info(&l)
				}
			}
			if res.Scanned >= CheckScanLimit && pager.More() {
				res.Limited = true
				break
			}
		}
		if res.Limited || (res.Newest != nil && res.NewestTest != nil) || lower.IsZero() {
			break
		}
		upper = lower
	}
	res.Empty = !found && res.Newest == nil
	if ctx.Err() != nil {
		return res, c.explain(errors.Join(ErrInterrupted, ctx.Err()))
	}
	return res, nil
}

func info(l *store.Lead) *LeadInfo {
	return &LeadInfo{Timestamp: l.Timestamp, Created: l.Created, Source: l.Source, Action: l.Action,
		OfferName: l.OfferName, OfferID: l.OfferID}
}

// Probe proves with one small request that the credentials and the table
// work. 'leads watch' asks it before it borrows the database for a sync,
// so a round without a network keeps nobody waiting for the file.
func Probe(ctx context.Context, c *Conn, n NetOptions) error {
	client, err := c.client(n, &wire{})
	if err != nil {
		return err
	}
	_, err = probe(ctx, c, client)
	return err
}

// probe asks for one entity, only its keys, and reports whether there was
// one. Its one page may be empty yet carry a continuation, so an empty
// answer does not prove the table empty; it proves access.
func probe(ctx context.Context, c *Conn, client *aztables.Client) (found bool, err error) {
	one := int32(1)
	sel := "PartitionKey,RowKey,Timestamp"
	pager := client.NewListEntitiesPager(&aztables.ListEntitiesOptions{Top: &one, Select: &sel})
	p, err := pager.NextPage(ctx)
	if err != nil {
		return false, c.explain(err)
	}
	return len(p.Entities) > 0, nil
}
