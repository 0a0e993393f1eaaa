package gen

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
)

// TestDefaultOutputUnchanged pins the bytes of the default order and shape,
// named or left empty: benchmarks and tests compare files made before
// --order and --shape existed with files made after. The hashes were taken
// from the code as it was before those options were added; if one changes,
// every recorded benchmark figure stops being comparable.
func TestDefaultOutputUnchanged(t *testing.T) {
	want := map[string]string{
		FormatStorageExplorer: "562e4dfb58d9f06cde1a13904b6a6b8e5f03db509d0977afed87faf6749fa6b3",
		FormatWebhook:         "be8a0e8b5ca78f891ff98f3e73923dc62497fd8ddbf6ea184df65e1a20977dcf",
		FormatPartnerCenter:   "c0ac3731eb6c6875a73e9f294e614399db621476d31de6350663a50b398eadfb",
	}
	for _, f := range Formats {
		for _, order := range []string{"", OrderGenerated} {
			for _, shape := range []string{"", ShapeCompact} {
				t.Run(f+"/"+order+"/"+shape, func(t *testing.T) {
					sum := sha256.Sum256(generate(t, Options{Rows: 5000, Format: f, Seed: 11, Order: order, Shape: shape}))
					if got := hex.EncodeToString(sum[:]); got != want[f] {
						t.Errorf("sha256 = %s, want %s", got, want[f])
					}
				})
			}
		}
	}
}

// tableKeyOf returns the key a parsed row sorts by in the table, built from
// the written text: PartitionKey and RowKey as written for Storage
// Explorer, and for Partner Center the PartitionKey the creation date has
// (formatted here independently of the generator) and the Lead ID. The NUL
// separator makes comparing keys compare the (PartitionKey, RowKey) pairs.
func tableKeyOf(format string, p parsed) string {
	if format == FormatStorageExplorer {
		return p.key
	}
	c := p.created
	return fmt.Sprintf("%d:2F%02d:2F%d\x00%s", int(c.Month()), c.Day(), c.Year(), p.key)
}

// rawRows returns a file's rows, sorted, to compare files as multisets.
func rawRows(t *testing.T, format string, data []byte) []string {
	t.Helper()
	var out []string
	for _, p := range parse(t, format, data) {
		out = append(out, p.raw)
	}
	slices.Sort(out)
	return out
}

func header(data []byte) string {
	if i := bytes.IndexByte(data, '\n'); i >= 0 {
		return string(data[:i+1])
	}
	return string(data)
}

func TestTableOrder(t *testing.T) {
	const n = 3000
	for _, f := range Formats {
		t.Run(f, func(t *testing.T) {
			opt := Options{Rows: n, Format: f, Seed: 5}
			generated := generate(t, opt)
			opt.Order = OrderTable
			table := generate(t, opt)
			if bytes.Equal(table, generated) {
				t.Fatal("table order is the generated order")
			}
			if f != FormatWebhook && header(table) != header(generated) {
				t.Errorf("header %q, want %q", header(table), header(generated))
			}
			if !slices.Equal(rawRows(t, f, table), rawRows(t, f, generated)) {
				t.Fatal("table order holds other rows than the generated order")
			}
			if f == FormatWebhook {
				return // no keys in the file; TestSameLeadsInEveryFormat covers it
			}
			rows := parse(t, f, table)
			months := map[string]bool{}
			for i := 1; i < len(rows); i++ {
				a, b := tableKeyOf(f, rows[i-1]), tableKeyOf(f, rows[i])
				if a > b {
					t.Fatalf("row %d sorts before row %d:\n%q\n%q", i+1, i, b, a)
				}
				months[strings.SplitN(b, ":", 2)[0]] = true
			}
			// The span crosses from single- to double-digit months, where
			// string order and date order differ: the check above would
			// catch a sort by date.
			if !months["9"] || !months["10"] {
				t.Errorf("months %v: the test needs September and October", months)
			}
			first, last := tableKeyOf(f, rows[0]), tableKeyOf(f, rows[n-1])
			if !strings.HasPrefix(first, "10:2F") || !strings.HasPrefix(last, "9:2F") {
				t.Errorf("first key %q, last %q: want October first and September last, as strings sort", first, last)
			}
		})
	}
}

func TestShuffledOrder(t *testing.T) {
	for _, f := range Formats {
		t.Run(f, func(t *testing.T) {
			opt := Options{Rows: 2000, Format: f, Seed: 5}
			generated := generate(t, opt)
			opt.Order = OrderTable
			table := generate(t, opt)
			opt.Order = OrderShuffled
			shuffled := generate(t, opt)
			if bytes.Equal(shuffled, generated) || bytes.Equal(shuffled, table) {
				t.Fatal("shuffled order equals the generated or the table order")
			}
			if !slices.Equal(rawRows(t, f, shuffled), rawRows(t, f, generated)) {
				t.Fatal("shuffled order holds other rows than the generated order")
			}
			opt.Seed = 6
			if other := generate(t, opt); bytes.Equal(other, shuffled) {
				t.Error("another seed gave the same shuffled file")
			}
		})
	}
}

// TestReorderWindows writes the same file through windows of every size,
// down to one row each, so the window seams are exercised on small files.
func TestReorderWindows(t *testing.T) {
	for _, f := range Formats {
		for _, order := range []string{OrderTable, OrderShuffled} {
			t.Run(f+"/"+order, func(t *testing.T) {
				opt := Options{Rows: 400, Format: f, Seed: 8, Order: order, Now: testNow}
				var want bytes.Buffer
				if err := write(&want, opt, orderWindow); err != nil {
					t.Fatal(err)
				}
				for _, window := range []int{1, 700, 5000, 64 << 10} {
					var got bytes.Buffer
					if err := write(&got, opt, window); err != nil {
						t.Fatal(err)
					}
					if !bytes.Equal(got.Bytes(), want.Bytes()) {
						t.Errorf("window %d: output differs from one window", window)
					}
				}
			})
		}
	}
}

func TestReorderWriteErrorStops(t *testing.T) {
	for _, order := range []string{OrderTable, OrderShuffled} {
		w := &failWriter{}
		err := write(w, Options{Rows: 20000, Format: FormatStorageExplorer, Seed: 1, Now: testNow, Order: order}, 1<<20)
		if err == nil || err.Error() != "disk full" {
			t.Fatalf("%s: err = %v", order, err)
		}
		if w.n != 1 {
			t.Errorf("%s: %d writes after the first failure", order, w.n-1)
		}
	}
}

func TestUnknownOrder(t *testing.T) {
	err := Write(io.Discard, Options{Rows: 1, Format: FormatWebhook, Order: "random"})
	if !errors.Is(err, ErrUnknownOrder) {
		t.Errorf("err = %v", err)
	}
}
