package main

import (
	"bytes"
	"fmt"
	"io"
	"path/filepath"
	"testing"
	"time"

	"github.com/leads-inbox/leads/store"
	"github.com/leads-inbox/leads/store/view"
)

// TestListJSONEqualsEncodedFullListing: over a generated database with
// a stranger's text in every field a listing writes, `leads list --json`
// (brief listing, written by hand, in every order) is byte for byte
// what encoding/json writes for the full listing of the store in the
// same order: the listing's memory-saving path changes no byte.
func TestListJSONEqualsEncodedFullListing(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "leads.db")
	csv := filepath.Join(dir, "leads.csv")
	for _, args := range [][]string{
		{"gen", "--rows", "3000", "--seed", "3", "--now", "2026-11-24T09:00:00Z", "--order", "table", "--out", csv},
		{"import", csv},
	} {
		if code, stderr := benchRun(db, io.Discard, args...); code != 0 {
			t.Fatalf("leads %s: exit %d: %s", args[0], code, stderr)
		}
	}
	s, err := store.Open(db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	var hostile []store.Lead
	for i, h := range hostileStrings {
		c := hostileContact(h, i)
		for j, l := range c.Leads {
			l.Origin = store.Origin{File: "hostile.csv", Line: 2 + 3*i + j, PartitionKey: "p", RowKey: fmt.Sprint(i, "-", j)}
			l.ID = ""
			l.Customer = c.Customer
			l.Customer.Email = fmt.Sprintf("h%d.%s@x.example", i, h)
			l.Created = now.Add(-time.Duration(i*7+j) * time.Hour)
			hostile = append(hostile, l)
		}
	}
	if _, err := s.Upsert(hostile, store.UpsertOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	for _, sortBy := range []string{"recent", "urgency", "-name", "company", "status", "touches"} {
		var got bytes.Buffer
		if code, stderr := benchRun(db, &got, "list", "--json", "--sort", sortBy); code != 0 {
			t.Fatalf("list --json --sort %s: exit %d: %s", sortBy, code, stderr)
		}
		order, err := view.ParseOrder(sortBy)
		if err != nil {
			t.Fatal(err)
		}
		s, err := store.Open(db, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		var want bytes.Buffer
		n := 0
		err = s.ListContactsBy(store.Filter{}, order, now, func(c *store.Contact) error {
			n++
			want.Write(viaEncodingJSON(t, c))
			return nil
		})
		if cerr := s.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			t.Fatal(err)
		}
		if n < 1000 {
			t.Fatalf("the full listing has %d contacts; the generated file should give more than 1,000", n)
		}
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			g, w := bytes.Split(got.Bytes(), []byte("\n")), bytes.Split(want.Bytes(), []byte("\n"))
			for i := range min(len(g), len(w)) {
				if !bytes.Equal(g[i], w[i]) {
					t.Fatalf("--sort %s: line %d differs:\n got %s\nwant %s", sortBy, i+1, g[i], w[i])
				}
			}
			t.Fatalf("--sort %s: %d lines, want %d", sortBy, len(g), len(w))
		}
	}
}
