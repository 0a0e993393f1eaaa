package store

import (
	"bytes"
	"encoding/binary"
	"slices"
	"sort"
	"sync"

	bolt "go.etcd.io/bbolt"
)

// An ID index (lead ID -> lead sequence, contact ID -> contact sequence) is
// kept as a log of sorted runs rather than as a B-tree keyed by ID. IDs are
// hashes, so a B-tree keyed by them takes every insert at a random place:
// at a million leads that alone cost more than everything else an import
// does. A run holds a batch's entries sorted by ID, appended under the next
// sequence key (in chunks, see runChunkEntries), so a batch writes at the
// end of the bucket. Later runs override earlier ones; a deleted ID is an
// entry with the sequence noSeq. Readers binary-search the runs newest
// first; the process that writes keeps the whole index in a map, loaded
// once.

// runEntry is the size of one run entry: 8 bytes of ID, 8 of sequence.
const runEntry = 16

// A run is written in chunks, each its own value under the run's sequence
// number and the chunk's (12 bytes), as many entries as fill half a 32 KiB
// page (about a thousand) or a whole smaller one. bbolt never splits a leaf of four values or fewer, so runs
// written whole shared their leaf with the runs before them and were all
// written again with every new run: at a million leads a first import
// wrote some 230 MB of index, eight times its final size. A chunk holds a
// sorted, disjoint part of its run, so code reading every value as a run
// of its own (including earlier versions, which wrote runs whole under
// 8-byte keys) reads the same index.
func runChunkEntries(pageSize int) int {
	perPage := max(1, pageSize/(16<<10))
	// The page's 16-byte header, and per value bbolt's 16-byte element
	// and the 12-byte key.
	return max(1, ((pageSize-16)/perPage-16-12)/runEntry)
}

// runKey is the key of chunk i of run seq.
func runKey(seq uint64, i int) []byte {
	k := make([]byte, 12)
	binary.BigEndian.PutUint64(k, seq)
	binary.BigEndian.PutUint32(k[8:], uint32(i))
	return k
}

// putRun writes run under sequence seq, in chunks.
func putRun(b *bolt.Bucket, seq uint64, run []byte) error {
	per := runChunkEntries(b.Tx().DB().Info().PageSize) * runEntry
	for i := 0; len(run) > 0; i++ {
		n := min(per, len(run))
		if err := b.Put(runKey(seq, i), run[:n]); err != nil {
			return err
		}
		run = run[n:]
	}
	return nil
}

// countRuns returns how many runs a bucket of runs holds: keys that share
// their first 8 bytes are chunks of one.
func countRuns(b *bolt.Bucket) int {
	runs := 0
	var last []byte
	_ = b.ForEach(func(k, _ []byte) error {
		if len(k) < 8 || last == nil || !bytes.Equal(k[:8], last) {
			runs++
			last = append(last[:0], k[:min(8, len(k))]...)
		}
		return nil
	})
	return runs
}

// maxRuns is how many runs an index may have before the writer merges them
// into one. Lookups by readers cost one binary search per run; merging
// costs a rewrite of the whole index, so it is worth doing rarely.
const maxRuns = 32

const noSeq = ^uint64(0)

// idLog is the writer's in-memory copy of one ID index.
type idLog struct {
	bucket []byte
	mem    *idMap // nil until a write transaction loads it
	runs   int    // runs in the bucket, valid with mem
	// wasEmpty says the index was empty when loaded: during a first
	// import no lead can be known but for a repeat within the import.
	wasEmpty bool
	// spare is the last write's change list, emptied, for the next:
	// growing one anew for each batch was a twentieth of an import's
	// allocations.
	spare []idChange
}

// indexes are the store's two ID indexes, guarded by mu: held for the whole
// of a write that touches them, so the map and the file change together.
type indexes struct {
	mu              sync.Mutex
	leads, contacts idLog
	// rw guards the lead map against the one reader outside a write:
	// PrepareBatch asking which leads are stored already. Only the writer
	// reads the contact map.
	rw sync.RWMutex
	// spare is the last write's room, for the next (under mu).
	spare upsertSpare
}

// knownLeads sets out[i] when the lead with ID keys[i] is stored, as far as
// the writer's map knows; loading the map first if no write has yet.
func (s *Store) knownLeads(keys [][8]byte, out []bool) {
	x := s.idx
	x.rw.RLock()
	loaded := x.leads.mem != nil
	x.rw.RUnlock()
	if !loaded {
		x.mu.Lock()
		_ = s.db.View(func(tx *bolt.Tx) error {
			x.rw.Lock()
			defer x.rw.Unlock()
			x.leads.load(tx)
			return nil
		})
		x.mu.Unlock()
	}
	x.rw.RLock()
	defer x.rw.RUnlock()
	// Into a store that was empty, asking is a cache miss per lead for
	// nothing: the rare repeat within the file is found by Upsert.
	if m := x.leads.mem; m != nil && !x.leads.wasEmpty {
		for i, k := range keys {
			_, out[i] = m.get(idKey(k))
		}
	}
}

func newIndexes() *indexes {
	return &indexes{leads: idLog{bucket: bLeadIdx}, contacts: idLog{bucket: bContactIdx}}
}

// invalidate drops the in-memory copies; the next writer reloads them from
// the file. Writers other than Upsert (forget, migrations) call it.
func (x *indexes) invalidate() {
	x.rw.Lock()
	x.leads.mem, x.contacts.mem = nil, nil
	x.rw.Unlock()
}

// load reads every run into the map, oldest first so newer entries win.
func (l *idLog) load(tx *bolt.Tx) {
	if l.mem != nil {
		return
	}
	b := tx.Bucket(l.bucket)
	n := 0
	_ = b.ForEach(func(_, v []byte) error {
		n += len(v) / runEntry
		return nil
	})
	runs := countRuns(b)
	m := newIDMap(n)
	// Writing the new table through once, in order, before filling it
	// made loading a million entries faster (about 100 ms against 15-65
	// ms, timed in a second import): the pages come from the kernel in
	// one sweep rather than one fault at a time between reads.
	clear(m.slots)
	_ = b.ForEach(func(_, v []byte) error {
		for i := 0; i+runEntry <= len(v); i += runEntry {
			k := binary.BigEndian.Uint64(v[i : i+8])
			if s := binary.BigEndian.Uint64(v[i+8 : i+16]); s == noSeq {
				m.del(k)
			} else {
				m.put(k, s)
			}
		}
		return nil
	})
	l.mem, l.runs, l.wasEmpty = m, runs, n == 0
}

// idTx is one write transaction's view of an index. Changes go straight
// into the loaded map, with what they replaced, so that a transaction that
// does not commit can be undone: one map operation per lookup and per new
// ID, which at a million leads is most of what the index costs.
type idTx struct {
	log     *idLog
	m       *idMap // log.mem, once loaded: read here without the lock
	tx      *bolt.Tx
	b       *bolt.Bucket
	changes []idChange
	rw      *sync.RWMutex // held while the map changes, if others read it
}

type idChange struct {
	k, seq, old uint64 // seq noSeq: deleted
	had         bool
}

// newIDTx returns the view of index l in tx. The map is loaded on first
// use: a write that looks up no contact (a second import of the same
// file) never needs the contact index, whose load took 90-100 ms at a
// million contacts before the batch's first lead could be compared.
func newIDTx(l *idLog, tx *bolt.Tx, rw *sync.RWMutex) *idTx {
	x := &idTx{log: l, tx: tx, b: tx.Bucket(l.bucket), rw: rw, changes: l.spare}
	l.spare = nil
	return x
}

// mem returns the loaded map. Loading takes the lock: a reader outside
// the write (PrepareBatch asking which leads are stored) may be reading
// the lead map at the same time.
func (x *idTx) mem() *idMap {
	if x.m == nil {
		x.lock()
		x.log.load(x.tx)
		x.m = x.log.mem
		x.unlock()
	}
	return x.m
}

func (x *idTx) lock() {
	if x.rw != nil {
		x.rw.Lock()
	}
}

func (x *idTx) unlock() {
	if x.rw != nil {
		x.rw.Unlock()
	}
}

func (x *idTx) get(k [8]byte) (uint64, bool) { return x.mem().get(idKey(k)) }

func (x *idTx) put(k [8]byte, seq uint64) {
	m := x.mem()
	x.lock()
	old, had := m.put(idKey(k), seq)
	x.unlock()
	x.changes = append(x.changes, idChange{idKey(k), seq, old, had})
}

func (x *idTx) del(k [8]byte) {
	m := x.mem()
	x.lock()
	old, had := m.del(idKey(k))
	x.unlock()
	x.changes = append(x.changes, idChange{idKey(k), noSeq, old, had})
}

// rollback undoes the changes in the map, for a transaction that did not
// commit (a dry run, a full disk).
func (x *idTx) rollback() {
	if x == nil {
		return
	}
	x.lock()
	defer x.unlock()
	for i := len(x.changes) - 1; i >= 0; i-- {
		c := x.changes[i]
		if c.had {
			x.log.mem.put(c.k, c.old)
		} else {
			x.log.mem.del(c.k)
		}
	}
	x.log.spare, x.changes = x.changes[:0], nil
}

// write appends the batch's changes as one run, or, when the index has
// gathered maxRuns runs, rewrites it as a single run without tombstones.
func (x *idTx) write() error {
	if len(x.changes) == 0 {
		return nil
	}
	var run []byte
	if x.log.runs+1 > maxRuns {
		var old [][]byte
		_ = x.b.ForEach(func(k, _ []byte) error {
			old = append(old, bytes.Clone(k))
			return nil
		})
		for _, k := range old {
			if err := x.b.Delete(k); err != nil {
				return err
			}
		}
		run = encodeRun(x.log.mem)
	} else {
		// The last change to an ID is the one that counts.
		type ordered struct {
			kv
			i int
		}
		kvs := make([]ordered, len(x.changes))
		for i, c := range x.changes {
			kvs[i] = ordered{kv{c.k, c.seq}, i}
		}
		sortByHighBits(kvs, func(e ordered) uint64 { return e.k }, func(a, b ordered) bool {
			return a.k < b.k || (a.k == b.k && a.i < b.i)
		})
		out := make([]kv, 0, len(kvs))
		for i, e := range kvs {
			if i+1 < len(kvs) && kvs[i+1].k == e.k {
				continue
			}
			out = append(out, e.kv)
		}
		run = appendKVs(make([]byte, 0, len(out)*runEntry), out)
	}
	seq, err := x.b.NextSequence()
	if err != nil {
		return err
	}
	return putRun(x.b, seq, run)
}

// committed notes the new run once the transaction has committed.
func (x *idTx) committed() {
	if len(x.changes) == 0 {
		return
	}
	if x.log.runs+1 > maxRuns {
		x.log.runs = 1
	} else {
		x.log.runs++
	}
	x.log.spare, x.changes = x.changes[:0], nil
}

// kv is a run entry with its ID as a big-endian number, which sorts the
// same as the bytes and compares faster.
type kv struct{ k, v uint64 }

func appendKVs(run []byte, kvs []kv) []byte {
	for _, e := range kvs {
		run = binary.BigEndian.AppendUint64(run, e.k)
		run = binary.BigEndian.AppendUint64(run, e.v)
	}
	return run
}

// encodeRun writes a map as one sorted run.
func encodeRun(m *idMap) []byte {
	kvs := make([]kv, 0, m.Len())
	m.each(func(k, v uint64) { kvs = append(kvs, kv{k, v}) })
	sortByHighBits(kvs, func(e kv) uint64 { return e.k }, func(a, b kv) bool { return a.k < b.k })
	return appendKVs(make([]byte, 0, len(kvs)*runEntry), kvs)
}

// lookupRuns finds an ID by searching the runs newest first, for readers
// and for writers that change one entry.
func lookupRuns(b *bolt.Bucket, k [8]byte) (uint64, bool) {
	c := b.Cursor()
	for rk, v := c.Last(); rk != nil; rk, v = c.Prev() {
		n := len(v) / runEntry
		// Most chunks of a run cannot hold k: their first and last IDs say.
		if n == 0 || bytes.Compare(k[:], v[:8]) < 0 || bytes.Compare(k[:], v[(n-1)*runEntry:(n-1)*runEntry+8]) > 0 {
			continue
		}
		i := sort.Search(n, func(i int) bool { return bytes.Compare(v[i*runEntry:i*runEntry+8], k[:]) >= 0 })
		if i < n && bytes.Equal(v[i*runEntry:i*runEntry+8], k[:]) {
			s := binary.BigEndian.Uint64(v[i*runEntry+8 : i*runEntry+16])
			if s == noSeq {
				return 0, false
			}
			return s, true
		}
	}
	return 0, false
}

// prefixRuns returns every live ID that starts with prefix, with its
// sequence, the newest entry for an ID winning.
func prefixRuns(b *bolt.Bucket, prefix []byte) map[[8]byte]uint64 {
	out := map[[8]byte]uint64{}
	seen := map[[8]byte]bool{}
	c := b.Cursor()
	for rk, v := c.Last(); rk != nil; rk, v = c.Prev() {
		n := len(v) / runEntry
		i := sort.Search(n, func(i int) bool { return bytes.Compare(v[i*runEntry:i*runEntry+8], prefix) >= 0 })
		for ; i < n && bytes.HasPrefix(v[i*runEntry:i*runEntry+8], prefix); i++ {
			k := [8]byte(v[i*runEntry : i*runEntry+8])
			if seen[k] {
				continue
			}
			seen[k] = true
			if s := binary.BigEndian.Uint64(v[i*runEntry+8 : i*runEntry+16]); s != noSeq {
				out[k] = s
			}
		}
	}
	return out
}

// removeFromRuns deletes the entries of ids from every run of an index,
// dropping a run left empty. Runs stay sorted, so the result reads as if
// the IDs had never been written.
func removeFromRuns(b *bolt.Bucket, ids map[[8]byte]uint64) error {
	if len(ids) == 0 {
		return nil
	}
	type change struct{ k, v []byte }
	var changes []change
	c := b.Cursor()
	for rk, v := c.First(); rk != nil; rk, v = c.Next() {
		var kept []byte
		n := len(v) / runEntry
		for i := 0; i < n; i++ {
			e := v[i*runEntry : (i+1)*runEntry]
			if _, gone := ids[[8]byte(e[:8])]; gone {
				if kept == nil {
					kept = append(make([]byte, 0, len(v)), v[:i*runEntry]...)
				}
				continue
			}
			if kept != nil {
				kept = append(kept, e...)
			}
		}
		if kept != nil {
			changes = append(changes, change{bytes.Clone(rk), kept})
		}
	}
	// Written after the walk: changing a bucket under its cursor skips keys.
	for _, ch := range changes {
		var err error
		if len(ch.v) == 0 {
			err = b.Delete(ch.k)
		} else {
			err = b.Put(ch.k, ch.v)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// sortByHighBits sorts entries whose keys are spread evenly (IDs are
// hashes) by distributing them into buckets on the top bits of the key and
// finishing each small bucket by insertion: for the 20,000 entries of a
// batch, about nine times as fast as slices.SortFunc
// (BenchmarkSortByHighBits). It is correct for any keys, only slower when
// they crowd into few buckets.
func sortByHighBits[E any](es []E, key func(E) uint64, less func(a, b E) bool) {
	if len(es) < 64 {
		slices.SortStableFunc(es, func(a, b E) int {
			if less(a, b) {
				return -1
			}
			if less(b, a) {
				return 1
			}
			return 0
		})
		return
	}
	bits := 1
	for 1<<bits < len(es)/2 {
		bits++
	}
	shift := 64 - bits
	count := make([]int, 1<<bits+1)
	for _, e := range es {
		count[key(e)>>shift+1]++
	}
	for i := 1; i < len(count); i++ {
		count[i] += count[i-1]
	}
	out := make([]E, len(es))
	next := append([]int(nil), count[:len(count)-1]...)
	for _, e := range es {
		b := key(e) >> shift
		out[next[b]] = e
		next[b]++
	}
	// Insertion sort within each bucket; entries of equal keys keep their
	// order from the distribution, which is stable.
	for b := 0; b+1 < len(count); b++ {
		lo, hi := count[b], count[b+1]
		for i := lo + 1; i < hi; i++ {
			for j := i; j > lo && less(out[j], out[j-1]); j-- {
				out[j], out[j-1] = out[j-1], out[j]
			}
		}
	}
	copy(es, out)
}
