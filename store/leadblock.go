package store

import (
	"bytes"
	"encoding/binary"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// An import writes its new leads to the leads bucket in blocks: one value
// holds the records of consecutive leads, keyed by the first one's
// sequence number. A million separate values cost a million B-tree
// insertions, about a tenth of a first import's CPU time; a block costs
// one per forty-odd leads. A lead that later changes or goes is first
// taken out of its block, which becomes single values again, so that rare
// case stays a plain Put or Delete.
//
// A block value is leadBlockTag, the count, then per lead the distance of
// its sequence number from the previous one (from the key for the first)
// and its record's length, then the records. Finding one lead reads the
// header, which sits in the block's first 4 KiB, and that lead's record:
// a listing, which drops the file's pages from memory as it goes, would
// otherwise fault in every page of the block before it. Lead records
// start with their version, which stays below leadBlockTag.
const leadBlockTag = 0xFF

// leadBlockMax returns the largest block to write into a file with the
// given page size: blocks of at most about 16 KiB, as many as fill a page
// exactly, each with bbolt's 16-byte element and 8-byte key (the page has
// a 16-byte header), so blocks waste no page space.
func leadBlockMax(pageSize int) int {
	perPage := max(1, pageSize/(16<<10))
	return (pageSize-16)/perPage - 16 - 8
}

// isLeadBlock reports whether a leads bucket value is a block.
func isLeadBlock(v []byte) bool { return len(v) > 0 && v[0] == leadBlockTag }

// eachInBlock calls fn for every lead in the block stored under key, in
// sequence order, until fn returns false. A block that does not parse is
// errCorrupt; fn has then seen the leads before the damage.
func eachInBlock(key uint64, v []byte, fn func(seq uint64, rec []byte) bool) error {
	h := dec{b: v[1:]}
	n := h.count()
	// The records start after the header: skip it once to find them.
	data := h
	for i := uint64(0); i < 2*n && data.err == nil; i++ {
		data.uvarint()
	}
	if data.err != nil {
		return errCorrupt
	}
	seq := key
	for i := uint64(0); i < n; i++ {
		delta, m := h.uvarint(), h.uvarint()
		if m > uint64(len(data.b)) || (i > 0 && delta == 0) || seq+delta < seq {
			return errCorrupt
		}
		seq += delta
		rec := data.b[:m:m]
		data.b = data.b[m:]
		if !fn(seq, rec) {
			return nil
		}
	}
	if len(data.b) != 0 {
		return errCorrupt
	}
	return nil
}

// appendLeadBlock appends a block of the given leads, whose sequence
// numbers must rise, to b.
func appendLeadBlock(b []byte, seqs []uint64, recs [][]byte) []byte {
	b = append(b, leadBlockTag)
	b = binary.AppendUvarint(b, uint64(len(seqs)))
	prev := seqs[0]
	for i, seq := range seqs {
		b = binary.AppendUvarint(b, seq-prev)
		b = binary.AppendUvarint(b, uint64(len(recs[i])))
		prev = seq
	}
	for _, r := range recs {
		b = append(b, r...)
	}
	return b
}

// leadBlockSize is what a lead adds to a block, record included, delta
// after the previous lead's sequence number.
func leadBlockSize(delta uint64, rec []byte) int {
	return uvarintLen(delta) + uvarintLen(uint64(len(rec))) + len(rec)
}

// uvarintLen is the length of v's uvarint encoding.
func uvarintLen(v uint64) int {
	n := 1
	for ; v >= 0x80; v >>= 7 {
		n++
	}
	return n
}

// seqKey reads a sequence-number key; ok is false for nil or a key of
// another length, which only a damaged file holds.
func seqKey(k []byte) (uint64, bool) {
	if len(k) != 8 {
		return 0, false
	}
	return binary.BigEndian.Uint64(k), true
}

// leadBucket reads and changes the leads bucket, whose values are single
// lead records or blocks of them.
type leadBucket struct{ b *bolt.Bucket }

// locate returns the value that holds lead seq if it is stored: its own,
// or the block under key.
func (lb leadBucket) locate(seq uint64) (key uint64, v []byte) {
	return locateWith(lb.b.Cursor(), seq)
}

// locateWith is locate with the cursor c over the leads bucket, which a
// reader of many leads keeps rather than make one for each.
func locateWith(c *bolt.Cursor, seq uint64) (key uint64, v []byte) {
	var at [8]byte
	binary.BigEndian.PutUint64(at[:], seq)
	k, v := c.Seek(at[:])
	if key, ok := seqKey(k); ok && key == seq && !isLeadBlock(v) {
		return key, v
	} else if !ok || key != seq {
		k, v = c.Prev()
	}
	key, ok := seqKey(k)
	if !ok || !isLeadBlock(v) {
		return 0, nil
	}
	return key, v
}

// find returns the record of lead seq, nil if there is none, and the key
// of the block holding it (inBlock false when it is a single value).
func (lb leadBucket) find(seq uint64) (rec []byte, block uint64, inBlock bool, err error) {
	key, v := lb.locate(seq)
	if !isLeadBlock(v) {
		return v, 0, false, nil
	}
	err = eachInBlock(key, v, func(s uint64, r []byte) bool {
		if s == seq {
			rec = r
		}
		return s < seq
	})
	if err != nil {
		return nil, 0, false, fmt.Errorf("leads #%d: %w", key, err)
	}
	return rec, key, rec != nil, nil
}

// get returns the record of lead seq, or nil.
func (lb leadBucket) get(seq uint64) ([]byte, error) {
	rec, _, _, err := lb.find(seq)
	return rec, err
}

// single makes lead seq a value of its own, taking its block apart if it
// is in one, and reports whether the lead exists.
func (lb leadBucket) single(seq uint64) (bool, error) {
	rec, key, inBlock, err := lb.find(seq)
	if err != nil || !inBlock {
		return rec != nil, err
	}
	// The block's bytes belong to bbolt and change under a Put: work on a
	// copy, which also outlives the Puts until the commit. The first
	// lead's Put replaces the block, whose key is that lead's.
	v := bytes.Clone(lb.b.Get(u64(key)))
	var perr error
	if err := eachInBlock(key, v, func(s uint64, r []byte) bool {
		perr = lb.b.Put(u64(s), r)
		return perr == nil
	}); err != nil {
		return false, err
	}
	return true, perr
}

// put stores rec as lead seq, which may be new or stored before.
func (lb leadBucket) put(seq uint64, rec []byte) error {
	if _, err := lb.single(seq); err != nil {
		return err
	}
	return lb.b.Put(u64(seq), rec)
}

// del removes lead seq, if it is stored.
func (lb leadBucket) del(seq uint64) error {
	ok, err := lb.single(seq)
	if err != nil || !ok {
		return err
	}
	return lb.b.Delete(u64(seq))
}

// forEach calls fn for every stored lead in sequence order. rec belongs to
// bbolt: it is valid until the transaction ends.
func (lb leadBucket) forEach(fn func(seq uint64, rec []byte) error) error {
	return lb.forEachFrom(0, fn)
}

// forEachFrom is forEach for the leads from sequence number from on: a
// fold reads just the leads of one import, in the order they were stored.
func (lb leadBucket) forEachFrom(from uint64, fn func(seq uint64, rec []byte) error) error {
	c := lb.b.Cursor()
	k, v := c.Seek(u64(from))
	if key, ok := seqKey(k); !ok || key > from {
		// The block before the first key past from may hold it.
		if pk, pv := c.Prev(); pk != nil && isLeadBlock(pv) {
			k, v = pk, pv
		} else {
			k, v = c.Seek(u64(from))
		}
	}
	for ; k != nil; k, v = c.Next() {
		key, ok := seqKey(k)
		if !ok {
			return fmt.Errorf("leads key of %d bytes: %w", len(k), errCorrupt)
		}
		if !isLeadBlock(v) {
			if key < from {
				continue
			}
			if err := fn(key, v); err != nil {
				return err
			}
			continue
		}
		var ferr error
		if err := eachInBlock(key, v, func(s uint64, r []byte) bool {
			if s < from {
				return true
			}
			ferr = fn(s, r)
			return ferr == nil
		}); err != nil {
			return fmt.Errorf("leads #%d: %w", key, err)
		}
		if ferr != nil {
			return ferr
		}
	}
	return nil
}

// count returns how many leads are stored.
func (lb leadBucket) count() (int, error) {
	n := 0
	c := lb.b.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if !isLeadBlock(v) {
			n++
			continue
		}
		d := dec{b: v[1:]}
		m := d.count()
		if d.err != nil {
			key, _ := seqKey(k)
			return 0, fmt.Errorf("leads #%d: %w", key, d.err)
		}
		n += int(m)
	}
	return n, nil
}
