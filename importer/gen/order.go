package gen

import (
	"bufio"
	"bytes"
	"cmp"
	"fmt"
	"slices"
	"time"
)

// Order names accepted in Options.Order.
const (
	// OrderGenerated writes rows as the generator makes them: a person's
	// funnel steps close together in the file. It is the default and
	// streams with flat memory.
	OrderGenerated = "generated"
	// OrderTable writes rows as Azure Table storage returns them, and so as
	// Storage Explorer exports them: by PartitionKey, then RowKey, each
	// compared as the string it is on the wire. A person's leads from
	// different days end up far apart, which is what real exports look
	// like and what an importer must merge. Formats without a
	// PartitionKey are sorted by the keys the same lead has in the table.
	OrderTable = "table"
	// OrderShuffled writes rows in a random order drawn from the seed: the
	// worst case for anything that hopes related rows come together.
	OrderShuffled = "shuffled"
)

// Orders lists the accepted Options.Order values, for help texts and
// validation.
var Orders = []string{OrderGenerated, OrderTable, OrderShuffled}

// orderWindow bounds the bytes of rendered rows held at once when
// reordering. A million-row Storage Explorer file is about 480 MB, which
// would be too much to hold; in windows of this size it takes four extra
// runs of the generator (about a second each) instead.
const orderWindow = 128 << 20

// tableKey is where a lead sorts in the table. pk holds the PartitionKey
// bytes, zero-padded: with no zero byte in a key, comparing the padded
// arrays orders them as comparing the strings does (a prefix sorts first).
// A PartitionKey is at most 15 bytes for any year time.Unix can produce
// from a time.Duration span ("12:2F31:2F10291"). id is the RowKey's 128
// bits: appendGUID writes them as lower-case hex with dashes at fixed
// places, so their numeric order is the string order. i, the generation
// index, breaks ties between exact duplicate rows so the order is total.
type tableKey struct {
	pk [16]byte
	id [2]uint64
	i  uint32
}

func compareTableKeys(a, b tableKey) int {
	if c := bytes.Compare(a.pk[:], b.pk[:]); c != 0 {
		return c
	}
	if c := cmp.Compare(a.id[0], b.id[0]); c != 0 {
		return c
	}
	if c := cmp.Compare(a.id[1], b.id[1]); c != 0 {
		return c
	}
	return cmp.Compare(a.i, b.i)
}

// writeReordered writes opt.Rows rows in opt.Order (table or shuffled).
//
// The generator cannot jump to a row: each one depends on the funnels and
// duplicates before it. So a first run renders every row only to learn its
// length and, for table order, its key; sorting those fixes each row's place
// and byte offset in the output. Then the output is filled window by
// window: each further run of the generator (same options, so the same
// rows) renders just the rows that land in the current window straight to
// their offsets, and the window is written in one piece. Memory is at most
// 60 bytes a row (the 40-byte sort keys, then 4-byte lengths and places and
// 8-byte offsets) plus one window, whatever the file's size.
func writeReordered(bw *bufio.Writer, render renderer, opt Options, window int) error {
	n := opt.Rows
	if n == 0 {
		return nil
	}
	size := make([]uint32, n) // rendered length, by generation index
	var keys []tableKey
	if opt.Order == OrderTable {
		keys = make([]tableKey, n)
	}
	var buf, scratch []byte
	g := newGenerator(opt)
	for i := range n {
		l := g.next(i)
		buf, scratch = render.row(buf[:0], scratch, l)
		size[i] = uint32(len(buf))
		if keys != nil {
			k := &keys[i]
			// The array has room for any PartitionKey (see tableKey), so
			// append writes into it rather than into a new slice.
			appendPartitionKey(k.pk[:0], time.Unix(l.created, 0).UTC())
			k.id = l.id
			k.i = uint32(i)
		}
	}

	// order[k] is the generation index of the k-th row written.
	order := make([]uint32, n)
	if keys != nil {
		slices.SortFunc(keys, compareTableKeys)
		for k := range keys {
			order[k] = keys[k].i
		}
	} else {
		for k := range order {
			order[k] = uint32(k)
		}
		// Fisher-Yates with its own stream, so the rows themselves are the
		// ones the same seed gives in every order.
		r := rng{s: mix64(uint64(opt.Seed) ^ 0x73687566666c65)}
		for k := n - 1; k > 0; k-- {
			j := r.intn(k + 1)
			order[k], order[j] = order[j], order[k]
		}
	}

	// at[i] is row i's place in the output; start[k] is the byte offset of
	// output row k, start[n] the total.
	at := make([]uint32, n)
	start := make([]int64, n+1)
	for k, i := range order {
		at[i] = uint32(k)
		start[k+1] = start[k] + int64(size[i])
	}

	// Window w takes output rows cut[w]..cut[w+1]-1: as many as fit, and
	// at least one, however long. The cuts come first so that one buffer
	// of the largest window's size serves them all: growing it between
	// windows would hold two at once.
	cut := []int{0}
	var largest int64
	for lo := 0; lo < n; {
		hi := lo + 1
		for hi < n && start[hi+1]-start[lo] <= int64(window) {
			hi++
		}
		cut = append(cut, hi)
		largest = max(largest, start[hi]-start[lo])
		lo = hi
	}
	win := make([]byte, largest)
	for w := 0; w+1 < len(cut); w++ {
		lo, hi := cut[w], cut[w+1]
		out := win[:start[hi]-start[lo]]
		g := newGenerator(opt)
		for i, left := 0, hi-lo; left > 0; i++ {
			l := g.next(i)
			k := int(at[i])
			if k < lo || k >= hi {
				continue
			}
			buf, scratch = render.row(buf[:0], scratch, l)
			off := start[k] - start[lo]
			if int64(len(buf)) != start[k+1]-start[k] {
				// Only a generator that is not deterministic gets here.
				return fmt.Errorf("gen: row %d came out %d bytes long on a second run, %d on the first", i, len(buf), start[k+1]-start[k])
			}
			copy(out[off:], buf)
			left--
		}
		if _, err := bw.Write(out); err != nil {
			return err
		}
	}
	return nil
}
