package store

import (
	"encoding/binary"
	"fmt"
	"os"
	"slices"
	"sync"

	bolt "go.etcd.io/bbolt"
)

// A fold of a large import reads its leads with plain reads of the file,
// many pages at a time, instead of through bbolt's memory map.
//
// Why: in table or shuffled order a part's leads lie all over the leads
// bucket, so each lead read through the map faulted in a page of its own
// (the map is dropped as the fold goes, to keep the resident set small),
// and a page fault on these machines costs about 2.3 µs: at a million
// leads in shuffled order the fold's reader spent 5 s of CPU on faults,
// more than the writer's whole work. Reading the same pages in runs of
// up to 4 MiB costs a thirtieth of that per page. So the fold takes its parts in
// windows of up to foldWindow leads; for each window it reads the leaf
// pages that hold the window's leads, in file order, and keeps copies of
// just those leads' records until the window's parts are decoded.
//
// The reads happen inside a read transaction, which keeps bbolt from
// reusing any page of the tree being read, and every page is checked (its
// ID, its type, every offset) before anything on it is used: anything
// unexpected makes the fold read that window through bbolt as before.

// foldWindow is the most leads one window of a fold holds the records of
// (about 390 bytes each, so some 12 MiB), in one of two buffers used
// again and again. Each window reads the leaves that may hold its leads,
// in shuffled order all of them (some 60 ms for a million leads). Larger
// windows read the file fewer times but cost more: the memory a window
// first fills is new to the process, and on a virtual machine that hands
// idle memory back to its host, filling a window of 200,000 leads (75
// MB) for the first time took 1.9 s.
var foldWindow = 30_000

// foldScanMin is the fewest leads a fold reads with plain reads; a
// smaller fold reads few pages and is quick through the map.
var foldScanMin = 20_000

// scanRun is the most bytes read in one call.
const scanRun = 4 << 20

// leafRange is one leaf page of the leads bucket: where it is, how many
// pages it spans, and the keys it may hold (first up to, not including,
// next; next is 0 for the last leaf).
type leafRange struct {
	id          uint64
	span        uint64
	first, next uint64
}

// leafScanner reads the leaf pages of the leads bucket with plain reads.
type leafScanner struct {
	f      *os.File
	ps     uint64
	hwm    uint64 // pages at or past this are beyond the tree read
	root   uint64 // the leads bucket's root page the leaves were listed from
	leaves []leafRange
	seen   map[uint64]bool // pages the walk went through: a loop is damage
	buf    []byte
}

// newLeafScanner lists the leaf pages of the leads bucket as tx sees
// them, through f (the database file opened again, checked by the caller
// to be the file bbolt holds). ok is false where the bucket cannot be
// read this way: it is held inside its parent's page, or f's newest
// transaction is older than tx's (f is not the file tx reads).
func newLeafScanner(f *os.File, tx *bolt.Tx) (*leafScanner, bool) {
	meta, err := readMeta(f)
	if err != nil || uint64(tx.ID()) > meta.txid || int(meta.pageSize) != tx.DB().Info().PageSize {
		return nil, false
	}
	root := uint64(tx.Bucket(bLeads).Root())
	if root == 0 {
		return nil, false
	}
	sc := &leafScanner{f: f, ps: uint64(meta.pageSize), hwm: uint64(tx.Size()) / uint64(meta.pageSize), root: root, seen: map[uint64]bool{}}
	err = sc.walk(root, 0, 0, 0)
	sc.seen = nil
	if err != nil {
		return nil, false
	}
	return sc, true
}

// still reports whether sc's list of leaves is the leads bucket as tx
// sees it: the same root page, in the same file. A fold changes no lead,
// so one list serves all its windows; any change to the bucket would
// have written a new root.
func (sc *leafScanner) still(tx *bolt.Tx) bool {
	return uint64(tx.Bucket(bLeads).Root()) == sc.root && uint64(tx.Size())/sc.ps >= sc.hwm
}

// read returns page id with its overflow pages, checked to be a page of
// the given kind that lies within the tree.
func (sc *leafScanner) read(id uint64, kind uint16) ([]byte, error) {
	if id < 2 || id >= sc.hwm {
		return nil, errCorrupt
	}
	var h [pgHeaderSize]byte
	if _, err := sc.f.ReadAt(h[:], int64(id*sc.ps)); err != nil {
		return nil, err
	}
	le := binary.LittleEndian
	overflow := uint64(le.Uint32(h[12:]))
	if le.Uint64(h[:]) != id || le.Uint16(h[8:]) != kind || id+overflow >= sc.hwm {
		return nil, errCorrupt
	}
	b := make([]byte, (1+overflow)*sc.ps)
	if _, err := sc.f.ReadAt(b, int64(id*sc.ps)); err != nil {
		return nil, err
	}
	return b, nil
}

// walk lists the leaves under page id, whose keys lie from first up to
// next (0: no bound).
func (sc *leafScanner) walk(id, first, next uint64, depth int) error {
	if depth > maxDepth || sc.seen[id] {
		return errCorrupt
	}
	sc.seen[id] = true
	var h [pgHeaderSize]byte
	if _, err := sc.f.ReadAt(h[:], int64(id*sc.ps)); err != nil {
		return err
	}
	le := binary.LittleEndian
	if le.Uint16(h[8:]) == pgLeaf {
		if id < 2 || le.Uint64(h[:]) != id || id+uint64(le.Uint32(h[12:])) >= sc.hwm {
			return errCorrupt
		}
		sc.leaves = append(sc.leaves, leafRange{id: id, span: 1 + uint64(le.Uint32(h[12:])), first: first, next: next})
		return nil
	}
	b, err := sc.read(id, pgBranch)
	if err != nil {
		return err
	}
	count := int(le.Uint16(b[10:]))
	if pgHeaderSize+count*pgElemSize > len(b) {
		return errCorrupt
	}
	// key returns the key of element i, checked to lie in the page.
	key := func(i int) (uint64, bool) {
		o := pgHeaderSize + i*pgElemSize
		pos, ksize := int(le.Uint32(b[o:])), int(le.Uint32(b[o+4:]))
		if ksize != 8 || o+pos+8 > len(b) || o+pos < o {
			return 0, false
		}
		return binary.BigEndian.Uint64(b[o+pos:]), true
	}
	for i := range count {
		lo, okLo := key(i)
		hi, okHi := next, true
		if i+1 < count {
			hi, okHi = key(i + 1)
		}
		if !okLo || !okHi {
			return errCorrupt
		}
		if err := sc.walk(le.Uint64(b[pgHeaderSize+i*pgElemSize+8:]), lo, hi, depth+1); err != nil {
			return err
		}
	}
	return nil
}

// scan calls fn with every lead record on the leaves that may hold one of
// seqs (sorted, rising), reading the leaves in file order; fn sees the
// leads of other sequence numbers too, and must copy rec to keep it.
func (sc *leafScanner) scan(seqs []uint64, fn func(seq uint64, rec []byte)) error {
	// The leaves in key order; those whose range holds one of seqs.
	var want []leafRange
	i := 0
	for _, lf := range sc.leaves {
		for i < len(seqs) && seqs[i] < lf.first {
			i++
		}
		if i < len(seqs) && (lf.next == 0 || seqs[i] < lf.next) {
			want = append(want, lf)
		}
	}
	slices.SortFunc(want, func(a, b leafRange) int { return cmpU64(a.id, b.id) })
	for lo := 0; lo < len(want); {
		// A run of leaves that follow one another in the file.
		hi := lo + 1
		size := want[lo].span
		for hi < len(want) && want[hi].id == want[hi-1].id+want[hi-1].span && (size+want[hi].span)*sc.ps <= scanRun {
			size += want[hi].span
			hi++
		}
		n := size * sc.ps
		if uint64(cap(sc.buf)) < n {
			sc.buf = make([]byte, n)
		}
		buf := sc.buf[:n]
		if _, err := sc.f.ReadAt(buf, int64(want[lo].id*sc.ps)); err != nil {
			return err
		}
		for _, lf := range want[lo:hi] {
			off := (lf.id - want[lo].id) * sc.ps
			if err := scanLeaf(buf[off:off+lf.span*sc.ps], lf.id, lf.span, fn); err != nil {
				return err
			}
		}
		lo = hi
	}
	return nil
}

// scanLeaf calls fn for every lead on the leaf page b (span pages, with
// its overflow pages), after checking the page.
func scanLeaf(b []byte, id, span uint64, fn func(seq uint64, rec []byte)) error {
	le := binary.LittleEndian
	if len(b) < pgHeaderSize || le.Uint64(b) != id || le.Uint16(b[8:]) != pgLeaf || 1+uint64(le.Uint32(b[12:])) != span {
		return errCorrupt
	}
	count := int(le.Uint16(b[10:]))
	if pgHeaderSize+count*pgElemSize > len(b) {
		return errCorrupt
	}
	for i := range count {
		o := pgHeaderSize + i*pgElemSize
		flags, pos := le.Uint32(b[o:]), int(le.Uint32(b[o+4:]))
		ksize, vsize := int(le.Uint32(b[o+8:])), int(le.Uint32(b[o+12:]))
		end := o + pos + ksize + vsize
		if flags != 0 || ksize != 8 || end > len(b) || end < o || pos < 0 || vsize < 0 {
			return errCorrupt
		}
		key := binary.BigEndian.Uint64(b[o+pos:])
		v := b[o+pos+8 : end : end]
		if !isLeadBlock(v) {
			fn(key, v)
			continue
		}
		if err := eachInBlock(key, v, func(seq uint64, rec []byte) bool {
			fn(seq, rec)
			return true
		}); err != nil {
			return err
		}
	}
	return nil
}

// windowRead holds the records of one window's leads, copied from the
// file, by their place in the window.
type windowRead struct {
	arena []byte
	at    []int64 // per lead of the window: offset<<24 | length, or -1 if not found
}

// readWindow reads the records of the leads of parts (a window) with sc.
// where maps a sequence number, less base, to the lead's place in the
// window; it is cleared again before returning.
func readWindow(sc *leafScanner, parts [][]foldEntry, base uint64, where []int32, w *windowRead) error {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	seqs := make([]uint64, 0, n)
	w.at = slices.Grow(w.at[:0], n)[:n]
	w.arena = w.arena[:0]
	j := int32(0)
	for _, p := range parts {
		for _, e := range p {
			if e.seq < base || e.seq-base >= uint64(len(where)) {
				return errCorrupt
			}
			where[e.seq-base] = j + 1
			w.at[j] = -1
			seqs = append(seqs, e.seq)
			j++
		}
	}
	defer func() {
		for _, s := range seqs {
			where[s-base] = 0
		}
	}()
	slices.Sort(seqs)
	var bad error
	err := sc.scan(seqs, func(seq uint64, rec []byte) {
		if seq < base || seq-base >= uint64(len(where)) {
			return
		}
		k := where[seq-base]
		if k == 0 {
			return
		}
		if len(rec) >= 1<<24 {
			bad = fmt.Errorf("lead #%d: record of %d bytes: %w", seq, len(rec), errCorrupt)
			return
		}
		w.at[k-1] = int64(len(w.arena))<<24 | int64(len(rec))
		w.arena = append(w.arena, rec...)
	})
	if err != nil {
		return err
	}
	return bad
}

// record returns the record of the window's i-th lead, or nil.
func (w *windowRead) record(i int) []byte {
	a := w.at[i]
	if a < 0 {
		return nil
	}
	off, n := a>>24, a&(1<<24-1)
	return w.arena[off : off+n : off+n]
}

// windowsOf groups parts into windows of at most foldWindow leads (a
// bigger part makes a window of its own).
func windowsOf(parts [][]foldEntry) [][][]foldEntry {
	var out [][][]foldEntry
	for lo := 0; lo < len(parts); {
		n, hi := len(parts[lo]), lo+1
		for hi < len(parts) && n+len(parts[hi]) <= foldWindow {
			n += len(parts[hi])
			hi++
		}
		out = append(out, parts[lo:hi])
		lo = hi
	}
	return out
}

// readFoldParts reads the leads of parts, in order, and hands each part's
// to send, until send returns false. With at least foldScanMin leads it
// reads them in windows with plain reads of the file (see above); a
// window that cannot be read so is read through bbolt, as a small fold is.
//
// One goroutine reads the next window while this one decodes the parts of
// the last and hands them on: the decoding waits on the writer, and the
// reading would otherwise wait on both.
func (s *Store) readFoldParts(parts [][]foldEntry, entries []foldEntry, send func(foldRead) bool) {
	plain := func(ps [][]foldEntry) bool {
		for _, part := range ps {
			r := s.readFoldPart(part)
			if !send(r) || r.err != nil {
				return false
			}
		}
		return true
	}
	lo, hi := uint64(1<<64-1), uint64(0)
	for _, e := range entries {
		lo, hi = min(lo, e.seq), max(hi, e.seq)
	}
	var f *os.File
	if len(entries) >= foldScanMin && hi-lo < uint64(4*len(entries)+1<<20) {
		if f, _ = os.Open(s.path); f != nil && !s.holds(f) {
			// The path names another file now (one copied or
			// restored over it): only bbolt's own reads are of ours.
			f.Close()
			f = nil
		}
	}
	if f == nil {
		plain(parts)
		return
	}
	defer f.Close()

	type window struct {
		parts [][]foldEntry
		w     *windowRead
		ok    bool // read with plain reads; else w is unused
	}
	free := make(chan *windowRead, 2)
	free <- &windowRead{}
	free <- &windowRead{}
	full := make(chan window, 1)
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(full)
		where := make([]int32, hi-lo+1)
		var sc *leafScanner
		for _, win := range windowsOf(parts) {
			var w *windowRead
			select {
			case w = <-free:
			case <-done:
				return
			}
			ok := false
			if err := s.db.View(func(tx *bolt.Tx) error {
				if sc == nil || !sc.still(tx) {
					// Each page's header is read to list the leaves:
					// once per fold, not per window.
					if sc, _ = newLeafScanner(f, tx); sc == nil {
						return nil
					}
				}
				ok = readWindow(sc, win, lo, where, w) == nil
				return nil
			}); err != nil {
				ok = false
			}
			select {
			case full <- window{win, w, ok}:
			case <-done:
				return
			}
		}
	}()
	defer func() {
		close(done)
		wg.Wait()
	}()
	for win := range full {
		if !win.ok {
			free <- win.w
			if !plain(win.parts) {
				return
			}
			continue
		}
		i := 0
		for _, part := range win.parts {
			r := foldRead{leads: make([]Lead, len(part)), ckeys: make([][8]byte, len(part)), missing: make([]bool, len(part))}
			for k, e := range part {
				v := win.w.record(i)
				i++
				if v == nil {
					r.missing[k] = true
					continue
				}
				l, err := decodeLeadRaw(v, false)
				if err != nil {
					r.err = fmt.Errorf("lead #%d: %w", e.seq, err)
					break
				}
				r.leads[k] = l
				r.ckeys[k] = idBytes(l.ContactID())
			}
			if !send(r) || r.err != nil {
				return
			}
		}
		free <- win.w
	}
}
