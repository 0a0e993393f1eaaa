package store

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
)

// refoldContacts rebuilds every contact record from its leads, under the
// current address identity (NormalizeEmail), and rewrites the contact ID
// index. Migration 4 runs it, for two reasons:
//
//   - Before schema 4 a dictionary entry that bbolt refused (a name over
//     its 32 KiB key limit) was dropped without a word while contacts kept
//     its code. Such a contact could not be read at all, or, once a later
//     name took the lost code, showed and filtered as another source or
//     offer. Nothing in a record tells a reused code from a good one, so
//     every digest is written again from the leads, which hold the truth.
//   - Addresses that differ only in Unicode form, invisible characters or
//     case folding beyond ASCII now name one person. Contacts that now
//     share an identity become one, and the rep's triage, notes and
//     history follow, as when a re-import moves a lead.
//
// Contacts keep their sequence numbers where their identity did not
// change, so the contacts bucket is rewritten in place, in key order.
func refoldContacts(s *Store, tx *bolt.Tx, now time.Time) error {
	contacts := tx.Bucket(bContacts)
	lr := &leadReader{lb: leadBucket{tx.Bucket(bLeads)}}
	dt := s.newDictTx(tx)
	var a arena

	// First pass: which contacts change identity, and where they go.
	type moved struct {
		seq uint64
		id  string
	}
	joins := map[string][]moved{} // new ID -> contacts that move there
	var order []string            // new IDs in the order first seen
	c := contacts.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if len(k) != 8 {
			return fmt.Errorf("contact key of %d bytes: %w", len(k), errCorrupt)
		}
		seq := binary.BigEndian.Uint64(k)
		ct, err := decodeContact(seq, v, nil)
		if err != nil {
			return fmt.Errorf("contact #%d: %w", seq, err)
		}
		if ct.Email == "" {
			continue
		}
		id := ContactIDForEmail(ct.Email)
		if id == ct.ID {
			continue
		}
		if _, ok := joins[id]; !ok {
			order = append(order, id)
		}
		joins[id] = append(joins[id], moved{seq, ct.ID})
	}
	leaving := map[uint64]bool{}
	for _, ms := range joins {
		for _, m := range ms {
			leaving[m.seq] = true
		}
	}

	// Second pass: rebuild each contact that stays, taking in the leads of
	// the contacts that join it.
	var run []byte // the new contact index: sorted (ID, seq) pairs
	type put struct {
		seq uint64
		rec []byte
	}
	var puts []put
	var dels []uint64
	stays := map[string]bool{} // IDs of contacts rebuilt where they are
	rebuild := func(id string, seq uint64, refs []leadRef) ([]byte, error) {
		slices.SortFunc(refs, cmpRef)
		refs = slices.CompactFunc(refs, func(x, y leadRef) bool { return x.seq == y.seq })
		leads, err := loadRefsRaw(lr, refs, false)
		if err != nil {
			return nil, fmt.Errorf("contact %s: %w", id, err)
		}
		nc := Contact{ID: id, Seq: seq, refs: refs}
		for i := range leads {
			nc.merge(&leads[i])
		}
		rec := encodeContact(&nc, dt, &a)
		if dt.err != nil {
			return nil, dt.err
		}
		return rec, nil
	}
	data, size := s.db.Info().Data, tx.Size()
	n := 0
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if n++; n%4096 == 0 {
			// Every lead is read once: keep the file's pages out of the
			// resident set (a million leads upgraded in 1.8 GB without).
			releaseMapped(data, size)
		}
		seq := binary.BigEndian.Uint64(k)
		if leaving[seq] {
			dels = append(dels, seq)
			continue
		}
		ct, err := decodeContact(seq, v, nil)
		if err != nil {
			return fmt.Errorf("contact #%d: %w", seq, err)
		}
		refs := slices.Clone(ct.refs)
		for _, m := range joins[ct.ID] {
			o, err := decodeContact(m.seq, contacts.Get(u64(m.seq)), nil)
			if err != nil {
				return fmt.Errorf("contact #%d: %w", m.seq, err)
			}
			refs = append(refs, o.refs...)
		}
		rec, err := rebuild(ct.ID, seq, refs)
		if err != nil {
			return err
		}
		puts = append(puts, put{seq, rec})
		stays[ct.ID] = true
		id := idBytes(ct.ID)
		run = append(append(run, id[:]...), u64(seq)...)
	}
	// Contacts whose new identity had no record of its own yet.
	for _, id := range order {
		ms := joins[id]
		if stays[id] {
			continue // joined a contact that was already there
		}
		seq, err := contacts.NextSequence()
		if err != nil {
			return err
		}
		var refs []leadRef
		for _, m := range ms {
			o, err := decodeContact(m.seq, contacts.Get(u64(m.seq)), nil)
			if err != nil {
				return fmt.Errorf("contact #%d: %w", m.seq, err)
			}
			refs = append(refs, o.refs...)
		}
		rec, err := rebuild(id, seq, refs)
		if err != nil {
			return err
		}
		puts = append(puts, put{seq, rec})
		k := idBytes(id)
		run = append(append(run, k[:]...), u64(seq)...)
	}
	// The user's work follows the person to the merged contact.
	for _, id := range order {
		for _, m := range joins[id] {
			if err := moveUserData(tx, m.id, id, now); err != nil {
				return err
			}
		}
	}
	for _, seq := range dels {
		if err := contacts.Delete(u64(seq)); err != nil {
			return err
		}
	}
	contacts.FillPercent = contactFill
	for _, p := range puts {
		if err := contacts.Put(u64(p.seq), p.rec); err != nil {
			return err
		}
	}
	if err := rewriteContactIndex(tx, run); err != nil {
		return err
	}
	_, err := sweepDict(tx)
	return err
}

// rewriteContactIndex replaces the contact ID index with one run of the
// given pairs, sorted here.
func rewriteContactIndex(tx *bolt.Tx, pairs []byte) error {
	n := len(pairs) / runEntry
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(x, y int) int {
		return bytes.Compare(pairs[x*runEntry:x*runEntry+8], pairs[y*runEntry:y*runEntry+8])
	})
	run := make([]byte, 0, len(pairs))
	for _, i := range idx {
		run = append(run, pairs[i*runEntry:(i+1)*runEntry]...)
	}
	if tx.Bucket(bContactIdx) != nil {
		if err := tx.DeleteBucket(bContactIdx); err != nil {
			return err
		}
	}
	b, err := tx.CreateBucket(bContactIdx)
	if err != nil {
		return err
	}
	if len(run) == 0 {
		return nil
	}
	if err := putRun(b, 1, run); err != nil {
		return err
	}
	return b.SetSequence(1)
}

// leadReader reads leads by sequence number and keeps the last block it
// split: a contact's leads often share one.
type leadReader struct {
	lb   leadBucket
	seqs []uint64
	recs [][]byte
}

func (r *leadReader) lead(seq uint64) ([]byte, error) {
	if n := len(r.seqs); n == 0 || seq < r.seqs[0] || seq > r.seqs[n-1] {
		key, v := r.lb.locate(seq)
		if !isLeadBlock(v) {
			if key != seq {
				return nil, nil
			}
			return v, nil
		}
		r.seqs, r.recs = r.seqs[:0], r.recs[:0]
		if err := eachInBlock(key, v, func(s uint64, rec []byte) bool {
			r.seqs = append(r.seqs, s)
			r.recs = append(r.recs, rec)
			return true
		}); err != nil {
			r.seqs = r.seqs[:0]
			return nil, fmt.Errorf("leads #%d: %w", key, err)
		}
	}
	if i, ok := slices.BinarySearch(r.seqs, seq); ok {
		return r.recs[i], nil
	}
	return nil, nil
}

// sweepDict deletes the dictionary entries no contact refers to any more,
// and returns how many went. Forget and purge run it: a country or an
// action code is a stranger's text, and the only copy of it once the
// person's leads are gone would otherwise stay in the dictionary.
func sweepDict(tx *bolt.Tx) (int, error) {
	used := map[Code]bool{}
	var d Digest
	slab := make([]Code, 0, 64)
	c := tx.Bucket(bContacts).Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		var rest []byte
		var err error
		slab = slab[:0]
		if _, rest, slab, err = decodeDigest(binary.BigEndian.Uint64(k), v, &d, slab); err != nil {
			return 0, fmt.Errorf("contact %x: %w", k, err)
		}
		used[d.LatestSource], used[d.LatestAction], used[d.LatestOffer], used[d.Country] = true, true, true, true
		for _, code := range d.Codes {
			used[code] = true
		}
		if v[0] >= 3 {
			used[offerNameCode(rest)] = true
		}
	}
	b := tx.Bucket(bCodes)
	var drop [][]byte
	if err := b.ForEach(func(k, _ []byte) error {
		if len(k) == 4 && !used[Code(binary.BigEndian.Uint32(k))] {
			drop = append(drop, bytes.Clone(k))
		}
		return nil
	}); err != nil {
		return 0, err
	}
	for _, k := range drop {
		if err := b.Delete(k); err != nil {
			return 0, err
		}
	}
	return len(drop), nil
}

// offerNameCode reads the offer name's code from the display part of a
// contact record (version 3 and later).
func offerNameCode(rest []byte) Code {
	d := dec{b: rest}
	for range 8 { // the address, then the seven customer fields
		d.skipStr()
	}
	d.time()
	d.time()
	code := d.code()
	if d.err != nil {
		return 0
	}
	return code
}
