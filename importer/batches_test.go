package importer

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/leads-inbox/leads/store"
)

// batchesLikeRead reads data with ReadBatches and flattens what it emits,
// so that it can be compared with a plain Read of the same bytes. With
// opt.Reuse set, each batch goes back to be filled again once copied.
func batchesLikeRead(data []byte, name string, opt BatchOptions) (result, []int) {
	var res result
	var sizes []int
	var back chan []store.Lead
	if opt.Reuse != nil {
		back = make(chan []store.Lead, 1)
		opt.Reuse = back
	}
	res.stats, res.err = ReadBatches(bytes.NewReader(data), name, opt, func(b []store.Lead) error {
		sizes = append(sizes, len(b))
		res.leads = append(res.leads, b...)
		if back != nil {
			select {
			case back <- b:
			default:
			}
		}
		return nil
	}, func(e *RowError) { res.errs = append(res.errs, e) })
	return res, sizes
}

// sameAsRead fails unless ReadBatches gives exactly what Read gives: the
// same leads in the same order, the same problems in the same order, the
// same counts and error, whatever the batch size and number of workers.
func sameAsRead(t *testing.T, data []byte, name string) {
	t.Helper()
	want := run(Read, bytes.NewReader(data), name)
	reuse := make(chan []store.Lead) // replaced by batchesLikeRead
	for _, opt := range []BatchOptions{{}, {Size: 1, Workers: 1}, {Size: 2, Workers: 3}, {Size: 7, Workers: 2}, {Size: 3, Inline: true},
		{Size: 3, Inline: true, Reuse: reuse}} {
		got, sizes := batchesLikeRead(data, name, opt)
		for _, n := range sizes {
			if n == 0 || (opt.Size > 0 && n > opt.Size) {
				t.Fatalf("%s %+v: batch of %d", name, opt, n)
			}
		}
		if !reflect.DeepEqual(got.leads, want.leads) {
			t.Fatalf("%s %+v: %d leads differ from Read's %d", name, opt, len(got.leads), len(want.leads))
		}
		if !reflect.DeepEqual(got.errs, want.errs) {
			t.Fatalf("%s %+v: problems\n%v\nRead reported\n%v", name, opt, got.errs, want.errs)
		}
		if got.stats != want.stats || !reflect.DeepEqual(got.err, want.err) {
			t.Fatalf("%s %+v: %+v %v, Read gave %+v %v", name, opt, got.stats, got.err, want.stats, want.err)
		}
	}
}

// TestReadBatchesMatchesRead on every sample and on broken files: bad rows,
// warnings and rejects interleaved, Windows-1252, a fatal header.
func TestReadBatchesMatchesRead(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.csv")
	files2, _ := filepath.Glob("testdata/*.json*")
	for _, f := range append(append(files, files2...), "testdata/seed-test-lead.json") {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		sameAsRead(t, data, filepath.Base(f))
	}
	for _, s := range []string{
		"Email,Company,Timestamp\na@x.example,A,2026-01-01\nb@x.example,\"B\n",
		"Email,Company,Timestamp\na@x.example,A,not a time\nb,B,C,D\nc@x.example,\"C\"x,2026-01-02\nd@x.example,D,soon\ne@x.example,E,2026-01-03\n",
		"Email;CustomerInfo\na@x.example;\"{\"\"FirstName\"\":1\"\n\xe9@x.example;{}\n",
		"Email,Email\na,b\n",
		"Email,Company,Title\na@x.example\nb@x.example\nc@x.example,C,T\n",
		"",
		"Email\n\n\n",
		"Email,\"First name\ra@x.example,A\"\n",
		"Email,First name\ra@x.example,A\rb@x.example,B\r",
	} {
		sameAsRead(t, []byte(s), "hostile.csv")
	}
	// JSON arrays whose framing breaks part way: the leads before the
	// break are emitted by ReadBatches exactly as by Read.
	good := `{"LeadSource":"AzureMarketplace-INS|a.b","Email":"a@x.example"}`
	five := strings.Repeat(good+",\n", 4) + good
	for _, s := range []string{
		"[\n" + five + ",\n]\n",          // trailing comma
		"[\n" + five + "\n",              // missing ']'
		"[\n" + five + "\n" + good + "]", // missing ','
		"[\n" + five + ",\n{\"a\":1",     // the file ends inside an element
		"[\n" + five + "] x",             // data after the array
	} {
		sameAsRead(t, []byte(s), "broken.json")
	}
}

// TestReadBatchesStopsOnEmitError: an error from emit ends the read with
// that error; nothing after it is emitted.
func TestReadBatchesStopsOnEmitError(t *testing.T) {
	var b strings.Builder
	b.WriteString("Email,Company\n")
	for i := range 1000 {
		b.WriteString("p")
		b.WriteString(strings.Repeat("x", i%7))
		b.WriteString("@x.example,Co\n")
	}
	boom := errors.New("disk full")
	calls := 0
	_, err := ReadBatches(strings.NewReader(b.String()), "many.csv", BatchOptions{Size: 10, Workers: 2}, func([]store.Lead) error {
		calls++
		if calls == 3 {
			return boom
		}
		return nil
	}, nil)
	if !errors.Is(err, boom) || calls != 3 {
		t.Fatalf("err %v after %d batches", err, calls)
	}
}

// TestReadBatchesPreparesEveryLeadOnce: in every mode, each lead is
// prepared exactly once, by a preparer of the goroutine that built it,
// before its batch is emitted; group ends need not meet batch ends.
func TestReadBatchesPreparesEveryLeadOnce(t *testing.T) {
	var csv, ndjson strings.Builder
	csv.WriteString("Email,Company\n")
	const rows = 1000
	for i := range rows {
		fmt.Fprintf(&csv, "p%d@x.example,Co\n", i)
		fmt.Fprintf(&ndjson, "{\"Email\":\"p%d@x.example\"}\n", i)
	}
	for _, in := range []string{csv.String(), ndjson.String()} {
		for _, opt := range []BatchOptions{{Size: 150, Inline: true}, {Size: 150, Workers: 2}, {Size: 1000, Workers: 1}, {Size: 37, Workers: 3}, {Size: 64, Inline: true}} {
			var mu sync.Mutex
			seen := map[string]int{}
			preparers := 0
			opt.Prepare = func() func([]store.Lead) {
				mu.Lock()
				preparers++
				mu.Unlock()
				return func(ls []store.Lead) {
					mu.Lock()
					defer mu.Unlock()
					for i := range ls {
						seen[ls[i].Customer.Email]++
						ls[i].Description = "prepared"
					}
				}
			}
			emitted := 0
			_, err := ReadBatches(strings.NewReader(in), "many", opt, func(b []store.Lead) error {
				for _, l := range b {
					if l.Description != "prepared" {
						t.Fatalf("%+v: %s emitted unprepared", opt, l.Customer.Email)
					}
				}
				emitted += len(b)
				return nil
			}, nil)
			if err != nil || emitted != rows || len(seen) != rows {
				t.Fatalf("%+v: %v, %d emitted, %d prepared", opt, err, emitted, len(seen))
			}
			for e, n := range seen {
				if n != 1 {
					t.Fatalf("%+v: %s prepared %d times", opt, e, n)
				}
			}
			if limit := max(opt.Workers, 1); preparers > limit {
				t.Fatalf("%+v: %d preparers for %d goroutines", opt, preparers, limit)
			}
		}
	}
}

// FuzzReadBatches: for any input, ReadBatches and Read agree.
func FuzzReadBatches(f *testing.F) {
	addSamples(f, "storage-explorer-export.csv", "storage-explorer-export-tab.csv", "webhook-leads.ndjson")
	f.Add([]byte("Email,Company\na,\"b\nc,d\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		sameAsRead(t, data, "fuzz.csv")
	})
}

// TestReadBatchesLetsGoOfEncodedRaw: with a store's Preparer, leads it
// encodes in full reach emit without their raw fields (the records hold
// them) and the reader builds later leads in that room; a lead the store
// holds already is prepared for a comparison only and keeps its fields,
// intact to the end of the read, whatever was built after it.
func TestReadBatchesLetsGoOfEncodedRaw(t *testing.T) {
	const rows = 700
	known := func(i int) bool { return i%50 == 7 }
	var all, some strings.Builder
	all.WriteString("Email,Company,Note\n")
	some.WriteString("Email,Company,Note\n")
	for i := range rows {
		row := fmt.Sprintf("p%d@x.example,Co %d,note %d\n", i, i, i)
		all.WriteString(row)
		if known(i) {
			some.WriteString(row)
		}
	}
	path := filepath.Join(t.TempDir(), "leads.db")
	s, err := store.Open(path, store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	pre := runString(Read, some.String(), "some.csv")
	if _, err := s.Upsert(pre.leads, store.UpsertOptions{}); err != nil {
		t.Fatal(err)
	}
	// Opened again, the store is not new: it tells the leads it holds.
	s.Close()
	if s, err = store.Open(path, store.Options{NoSync: true}); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	want := runString(Read, all.String(), "all.csv")
	// Batches of 20 end groups early, so that a group that kept fields
	// and the next, which let go of all of them, share a room.
	for _, opt := range []BatchOptions{{Size: 20, Inline: true}, {Size: 20, Workers: 1}, {Size: 150, Inline: true}, {Size: 37, Workers: 2}} {
		opt.Prepare = func() func([]store.Lead) { return s.NewPreparer(time.Now()).Prepare }
		back := make(chan []store.Lead, 1)
		opt.Reuse = back
		var got []store.Lead
		_, err := ReadBatches(strings.NewReader(all.String()), "all.csv", opt, func(b []store.Lead) error {
			got = append(got, b...)
			select {
			case back <- b:
			default:
			}
			return nil
		}, nil)
		if err != nil || len(got) != rows {
			t.Fatalf("%+v: %v, %d leads", opt, err, len(got))
		}
		for i := range got {
			switch {
			case known(i) && !reflect.DeepEqual(got[i].Raw, want.leads[i].Raw):
				t.Fatalf("%+v: lead %d, stored already, has raw fields %v, want %v", opt, i, got[i].Raw, want.leads[i].Raw)
			case !known(i) && got[i].Raw != nil:
				t.Fatalf("%+v: lead %d, encoded, kept its raw fields", opt, i)
			}
		}
	}
}
