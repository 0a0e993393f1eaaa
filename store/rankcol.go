package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"sync"

	bolt "go.etcd.io/bbolt"

	"github.com/leads-inbox/leads/store/view"
)

// The rank column holds, for every contact, the few digest fields its
// place in the inbox's default order depends on (view.RankOf: its ID, for
// the triage state, its flags, its newest lead and its newest Contact me
// or Test Drive), packed at fixed width by contact seq. The inbox ranks
// every contact from it and draws its first frame before it has decoded
// a million digests: about 26 bytes a contact instead of the whole record.
//
// It is kept in the same write transaction as the contacts it describes:
// every Put or Delete of a contact record marks its slot (rankPut,
// rankDel), and gate.Update rewrites each block it dirtied once, before
// the commit. A block holds rankBlock seqs; its key is seq/rankBlock.
// The header in the meta bucket holds the contacts bucket's sequence and
// the number of contacts in the column, so that a column that does not
// match the bucket is never read (RankColumn falls back).
var (
	bRankCol = []byte("rank_col")
	kRankCol = []byte("rank_col")
)

const (
	rankBlock = 1024
	// rankSlot: present (1), flags (1), ID (8), Last (8), Hot (8).
	rankSlot = 26
)

// rankEntry is one contact's slot.
type rankEntry struct {
	present bool
	flags   uint8
	id      [8]byte
	last    int64
	hot     int64
}

func (e *rankEntry) put(b []byte) {
	if !e.present {
		clear(b[:rankSlot])
		return
	}
	b[0] = 1
	b[1] = e.flags
	copy(b[2:10], e.id[:])
	binary.BigEndian.PutUint64(b[10:18], uint64(e.last))
	binary.BigEndian.PutUint64(b[18:26], uint64(e.hot))
}

// rankEntryOf reads the slot of a contact record: the front of its digest.
func rankEntryOf(rec []byte) (rankEntry, error) {
	if !knownContactRecord(rec) {
		return rankEntry{}, errCorrupt
	}
	var e rankEntry
	copy(e.id[:], rec[1:9])
	r := dec{b: rec[9:]}
	r.varint() // First
	e.last = r.varint()
	e.hot = r.varint()
	r.uvarint() // Leads
	if r.err != nil || len(r.b) == 0 {
		return rankEntry{}, errCorrupt
	}
	e.flags = r.b[0]
	e.present = true
	return e, nil
}

// rankTx is what one write transaction changed in the column: the new
// slot of each contact it wrote or deleted.
type rankTx struct {
	slots map[uint64]rankEntry
	err   error
}

// rankTxs holds the rankTx of each write transaction under way (bbolt
// runs one at a time per file; a compaction's copy is another file).
var rankTxs sync.Map // *bolt.Tx -> *rankTx

func rankOf(tx *bolt.Tx) *rankTx {
	if r, ok := rankTxs.Load(tx); ok {
		return r.(*rankTx)
	}
	r := &rankTx{slots: map[uint64]rankEntry{}}
	rankTxs.Store(tx, r)
	return r
}

// rankPut notes that contact seq was written with record rec in tx. A
// record it cannot read is kept as an error for the commit, which then
// fails: the column must never say less than the record.
func rankPut(tx *bolt.Tx, seq uint64, rec []byte) {
	r := rankOf(tx)
	e, err := rankEntryOf(rec)
	if err != nil && r.err == nil {
		r.err = fmt.Errorf("contact #%d for the rank column: %w", seq, err)
	}
	r.slots[seq] = e
}

// rankDel notes that contact seq was deleted in tx.
func rankDel(tx *bolt.Tx, seq uint64) { rankOf(tx).slots[seq] = rankEntry{} }

// rankForget drops what tx noted: it is rolled back, or the column was
// rebuilt whole.
func rankForget(tx *bolt.Tx) { rankTxs.Delete(tx) }

// rankFlush writes the blocks tx dirtied and the header, before tx
// commits. It also runs for a transaction that wrote no contact, which
// costs two reads: a file whose column is missing (made before it
// existed) is left to the migration that builds it.
func rankFlush(tx *bolt.Tx) error {
	r, _ := rankTxs.Load(tx)
	rankForget(tx)
	var rt *rankTx
	if r != nil {
		rt = r.(*rankTx)
	}
	if rt != nil && rt.err != nil {
		return rt.err
	}
	meta, contacts := tx.Bucket(bMeta), tx.Bucket(bContacts)
	if meta == nil || contacts == nil {
		return nil
	}
	h := meta.Get(kRankCol)
	col := tx.Bucket(bRankCol)
	if len(h) != 16 || col == nil {
		return nil // no column yet: the schema 6 migration builds it
	}
	seq, count := binary.BigEndian.Uint64(h[:8]), int64(binary.BigEndian.Uint64(h[8:]))
	if (rt == nil || len(rt.slots) == 0) && seq == contacts.Sequence() {
		return nil
	}
	if rt != nil && len(rt.slots) > 0 {
		blocks := map[uint64][]uint64{}
		for s := range rt.slots {
			blocks[s/rankBlock] = append(blocks[s/rankBlock], s)
		}
		for blk, seqs := range blocks {
			old, ok := rankOpen(col.Get(u64(blk)))
			if !ok {
				// A damaged block is not patched (that would seal the
				// damage in): the column is built again, in this commit.
				return buildRankColumn(tx)
			}
			n := len(old) / rankSlot
			for _, s := range seqs {
				n = max(n, int(s%rankBlock)+1)
			}
			buf := make([]byte, n*rankSlot)
			copy(buf, old)
			for _, s := range seqs {
				at := buf[int(s%rankBlock)*rankSlot:]
				if at[0] == 1 {
					count--
				}
				e := rt.slots[s]
				e.put(at)
				if e.present {
					count++
				}
			}
			// Absent slots at the end take no room.
			for len(buf) > 0 && buf[len(buf)-rankSlot] == 0 {
				buf = buf[:len(buf)-rankSlot]
			}
			var err error
			if len(buf) == 0 {
				err = col.Delete(u64(blk))
			} else {
				err = col.Put(u64(blk), rankSeal(buf))
			}
			if err != nil {
				return err
			}
		}
	}
	return meta.Put(kRankCol, rankHeader(contacts.Sequence(), count))
}

// rankSeal appends the block's checksum (CRC-32C), so that a block
// damaged on disk is never read as a ranking.
func rankSeal(buf []byte) []byte {
	return binary.BigEndian.AppendUint32(buf, crc32.Checksum(buf, crcTable))
}

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// rankOpen returns the slots of a sealed block, and whether it is whole;
// a missing block (nil) is whole and empty.
func rankOpen(v []byte) ([]byte, bool) {
	if v == nil {
		return nil, true
	}
	n := len(v) - 4
	if n < 0 || n%rankSlot != 0 || n > rankBlock*rankSlot || crc32.Checksum(v[:n], crcTable) != binary.BigEndian.Uint32(v[n:]) {
		return nil, false
	}
	return v[:n], true
}

func rankHeader(seq uint64, count int64) []byte {
	var h [16]byte
	binary.BigEndian.PutUint64(h[:8], seq)
	binary.BigEndian.PutUint64(h[8:], uint64(max(count, 0)))
	return h[:]
}

// buildRankColumn writes the column anew from every contact record in tx:
// the schema 6 migration, and the repair of a column found wrong.
func buildRankColumn(tx *bolt.Tx) error {
	rankForget(tx)
	if tx.Bucket(bRankCol) != nil {
		if err := tx.DeleteBucket(bRankCol); err != nil {
			return err
		}
	}
	col, err := tx.CreateBucket(bRankCol)
	if err != nil {
		return err
	}
	blocks, count, err := rankBlocksOf(tx)
	if err != nil {
		return err
	}
	for blk, buf := range blocks {
		if err := col.Put(u64(blk), buf); err != nil {
			return err
		}
	}
	return tx.Bucket(bMeta).Put(kRankCol, rankHeader(tx.Bucket(bContacts).Sequence(), count))
}

// rankBlocksOf builds every block of the column from the contact records.
func rankBlocksOf(tx *bolt.Tx) (map[uint64][]byte, int64, error) {
	blocks := map[uint64][]byte{}
	var count int64
	contacts := tx.Bucket(bContacts)
	if contacts == nil {
		return blocks, 0, nil
	}
	c := contacts.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if len(k) != 8 {
			return nil, 0, fmt.Errorf("contact key of %d bytes: %w", len(k), errCorrupt)
		}
		seq := binary.BigEndian.Uint64(k)
		e, err := rankEntryOf(v)
		if err != nil {
			return nil, 0, fmt.Errorf("contact #%d: %w", seq, err)
		}
		blk, at := seq/rankBlock, int(seq%rankBlock)*rankSlot
		buf := blocks[blk]
		if len(buf) < at+rankSlot {
			buf = append(buf, make([]byte, at+rankSlot-len(buf))...)
		}
		e.put(buf[at:])
		blocks[blk] = buf
		count++
	}
	for blk, buf := range blocks {
		blocks[blk] = rankSeal(buf)
	}
	return blocks, count, nil
}

// errRankColumn is a rank column that does not match the contacts.
var errRankColumn = errors.New("the rank column does not match the contacts")

// checkRankColumn compares the column with one built from the contacts.
func checkRankColumn(tx *bolt.Tx) error {
	col := tx.Bucket(bRankCol)
	if col == nil {
		return nil // a read-only file of an older schema: nothing to check
	}
	want, count, err := rankBlocksOf(tx)
	if err != nil {
		return err
	}
	h := tx.Bucket(bMeta).Get(kRankCol)
	if len(h) != 16 || binary.BigEndian.Uint64(h[:8]) != tx.Bucket(bContacts).Sequence() || int64(binary.BigEndian.Uint64(h[8:])) != count {
		return fmt.Errorf("%w: its header", errRankColumn)
	}
	n := 0
	err = col.ForEach(func(k, v []byte) error {
		n++
		if len(k) != 8 || !bytes.Equal(v, want[binary.BigEndian.Uint64(k)]) {
			return fmt.Errorf("%w: block %x", errRankColumn, k)
		}
		return nil
	})
	if err == nil && n != len(want) {
		err = fmt.Errorf("%w: %d blocks for %d", errRankColumn, n, len(want))
	}
	return err
}

// EachRank calls fn with a digest of every contact, in store order (the
// order of LoadDigests; pos counts from 0), holding only what ranks it in
// the inbox's default order: ID, Seq, Last, Hot and Flags. The digest is
// only valid during the call. ok is false, with no error, when the file
// has no rank column or one that does not match its contacts (the caller
// then drops what fn saw and reads the full digests); fn may have been
// called for some contacts by then.
func (s *Store) EachRank(fn func(pos int, d *Digest)) (ok bool, err error) {
	err = s.db.View(func(tx *bolt.Tx) error {
		meta, contacts, col := tx.Bucket(bMeta), tx.Bucket(bContacts), tx.Bucket(bRankCol)
		if meta == nil || contacts == nil || col == nil {
			return nil
		}
		h := meta.Get(kRankCol)
		if len(h) != 16 || binary.BigEndian.Uint64(h[:8]) != contacts.Sequence() {
			return nil
		}
		count := binary.BigEndian.Uint64(h[8:])
		if count > contacts.Sequence() {
			return nil
		}
		var d Digest
		n := uint64(0)
		c := col.Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			v, good := rankOpen(v)
			if len(k) != 8 || !good {
				return nil
			}
			base := binary.BigEndian.Uint64(k) * rankBlock
			for at := 0; at < len(v); at += rankSlot {
				b := v[at : at+rankSlot]
				if b[0] == 0 {
					continue
				}
				if n == count {
					return nil // more than the header says
				}
				d = Digest{Seq: base + uint64(at/rankSlot), Flags: b[1],
					Last: int64(binary.BigEndian.Uint64(b[10:18])), Hot: int64(binary.BigEndian.Uint64(b[18:26]))}
				copy(d.ID[:], b[2:10])
				if d.Seq > contacts.Sequence() {
					return nil
				}
				fn(int(n), &d)
				n++
			}
		}
		ok = n == count
		return nil
	})
	return ok, err
}

// RankDigests returns what EachRank sees, as one slice (nil when not ok).
func (s *Store) RankDigests() ([]Digest, bool, error) {
	var out []Digest
	ok, err := s.EachRank(func(_ int, d *Digest) { out = append(out, *d) })
	if !ok || err != nil {
		return nil, false, err
	}
	return out, true, nil
}

// DigestsBySeq returns the whole digests of the contacts seqs (their
// search text left out): the rows on screen of a frame ranked from
// RankDigests.
func (s *Store) DigestsBySeq(seqs []uint64) ([]Digest, error) {
	out := make([]Digest, len(seqs))
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bContacts)
		for i, seq := range seqs {
			v := b.Get(u64(seq))
			if v == nil {
				return fmt.Errorf("contact #%d: %w", seq, ErrNotFound)
			}
			if _, _, _, err := decodeDigest(seq, v, &out[i], nil); err != nil {
				return fmt.Errorf("contact #%d: %w", seq, err)
			}
		}
		return nil
	})
	return out, err
}

// fixRankColumn builds the column again when its header does not match
// the contacts (a write the column missed).
func (s *Store) fixRankColumn() error {
	stale := false
	if err := s.db.View(func(tx *bolt.Tx) error {
		meta, contacts := tx.Bucket(bMeta), tx.Bucket(bContacts)
		if meta == nil || contacts == nil {
			return nil
		}
		h := meta.Get(kRankCol)
		stale = tx.Bucket(bRankCol) == nil || len(h) != 16 || binary.BigEndian.Uint64(h[:8]) != contacts.Sequence()
		return nil
	}); err != nil || !stale {
		return err
	}
	return s.RepairRankColumn()
}

// RepairRankColumn builds the rank column again from every contact: the
// inbox calls it when the column disagreed with the digests it read.
func (s *Store) RepairRankColumn() error {
	return s.db.Update(buildRankColumn)
}

// Dict returns the dictionary as it is now, to read digest codes with.
func (s *Store) Dict() *view.Dict { return s.snapshotDict() }
