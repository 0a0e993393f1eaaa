package importer

import (
	"bytes"
	"io"
	"os"
	"testing"
	"unicode/utf8"

	"github.com/leads-inbox/leads/store"
)

type result struct {
	leads []store.Lead
	errs  []*RowError
	stats Stats
	err   error
}

type readFunc func(io.Reader, string, func(store.Lead) error, func(*RowError)) (Stats, error)

func run(read readFunc, r io.Reader, name string) result {
	var res result
	res.stats, res.err = read(r, name, func(l store.Lead) error {
		res.leads = append(res.leads, l)
		return nil
	}, func(e *RowError) { res.errs = append(res.errs, e) })
	return res
}

func runString(read readFunc, data, name string) result {
	return run(read, bytes.NewReader([]byte(data)), name)
}

func runFile(t *testing.T, name string) result {
	t.Helper()
	f, err := os.Open("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return run(Read, f, name)
}

// checkInvariants holds for every read of every input, however hostile.
func checkInvariants(t *testing.T, res result) {
	t.Helper()
	if res.stats.Leads != len(res.leads) {
		t.Fatalf("stats say %d leads, %d emitted", res.stats.Leads, len(res.leads))
	}
	if res.err == nil && res.stats.Records != res.stats.Leads+res.stats.Rejected {
		t.Fatalf("records %d != leads %d + rejected %d", res.stats.Records, res.stats.Leads, res.stats.Rejected)
	}
	for _, l := range res.leads {
		if l.Origin.Line < 1 {
			t.Fatalf("lead without a line: %+v", l)
		}
		for _, s := range leadStrings(&l) {
			if !utf8.ValidString(s) {
				t.Fatalf("invalid UTF-8 %q in lead %+v", s, l)
			}
		}
	}
	for _, e := range res.errs {
		msg := e.Error()
		if bytes.ContainsAny([]byte(msg), "\x1b\r\n\x00") || !utf8.ValidString(msg) {
			t.Fatalf("unsafe error text %q", msg)
		}
	}
}

func leadStrings(l *store.Lead) []string {
	c := l.Customer
	s := []string{l.LeadSource, l.ActionCode, l.Source, l.Action, l.OfferID, l.OfferName, l.Description,
		c.FirstName, c.LastName, c.Email, c.Phone, c.Country, c.Company, c.Title, l.Origin.PartitionKey, l.Origin.RowKey}
	for _, f := range append(append([]store.Field{}, l.Extra...), l.Raw...) {
		s = append(s, f.Name, f.Value)
	}
	return s
}
