package store

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"maps"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
)

// refoldContacts rebuilds every contact record from its leads, under the
// current address identity (NormalizeEmail), and rewrites the contact ID
// index. Migration 5 runs it to write every digest in a new form (see
// there); migration 4 ran it first, for two reasons:
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
	encode := func(id string, seq uint64, refs []leadRef, leads []Lead) ([]byte, error) {
		nc := Contact{ID: id, Seq: seq, refs: refs}
		for i := range leads {
			nc.merge(&leads[i])
		}
		rec := encodeContact(&nc, dt, &a)
		return rec, dt.err
	}
	// rebuild reads the leads of refs and encodes their contact.
	rebuild := func(id string, seq uint64, refs []leadRef) ([]byte, error) {
		slices.SortFunc(refs, cmpRef)
		refs = slices.CompactFunc(refs, func(x, y leadRef) bool { return x.seq == y.seq })
		leads, err := loadRefsRaw(lr, refs, false)
		if err != nil {
			return nil, fmt.Errorf("contact %s: %w", id, err)
		}
		return encode(id, seq, refs, leads)
	}

	// One pass reads every contact's leads once: each lead belongs to the
	// contact its own address names now. That can split a contact the old
	// lower-casing had joined (it took the Turkish İ for i, case folding
	// keeps its dot) as well as join contacts it had split (NFC and NFD),
	// and an address of invisible characters only is no address: each
	// such lead stands alone, as a fresh import would have it. A contact
	// whose leads all stay is encoded at once, from the leads just read.
	type built struct {
		seq  uint64
		id   string
		refs []leadRef
		rec  []byte // nil: encode again once the arriving leads are known
	}
	var all []built
	incoming := map[string][]leadRef{} // new contact ID -> refs that arrive
	var order []string                 // new IDs in the order first seen
	emptied := map[string]string{}     // old ID of a contact all of whose leads left -> where its newest went
	data, size := s.db.Info().Data, tx.Size()
	c := contacts.Cursor()
	n := 0
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if n++; n%4096 == 0 {
			// Every lead is read once: keep the file's pages out of the
			// resident set (a million leads upgraded in 1.8 GB without).
			releaseMapped(data, size)
		}
		if len(k) != 8 {
			return fmt.Errorf("contact key of %d bytes: %w", len(k), errCorrupt)
		}
		seq := binary.BigEndian.Uint64(k)
		ct, err := decodeContact(seq, v, nil)
		if err != nil {
			return fmt.Errorf("contact #%d: %w", seq, err)
		}
		leads, err := loadRefsRaw(lr, ct.refs, false)
		if err != nil {
			return fmt.Errorf("contact %s: %w", ct.ID, err)
		}
		var stay []leadRef
		var stayLeads []Lead
		for i := range leads {
			nid := leads[i].ContactID()
			if nid == ct.ID {
				stay = append(stay, ct.refs[i])
				stayLeads = append(stayLeads, leads[i])
				continue
			}
			if _, ok := incoming[nid]; !ok {
				order = append(order, nid)
			}
			incoming[nid] = append(incoming[nid], ct.refs[i])
			if i == len(leads)-1 && len(stay) == 0 {
				emptied[ct.ID] = nid
			}
		}
		if len(stay) > 0 {
			delete(emptied, ct.ID)
		}
		b := built{seq: seq, id: ct.ID, refs: stay}
		if len(stay) == len(ct.refs) && len(stay) > 0 {
			if b.rec, err = encode(ct.ID, seq, stay, stayLeads); err != nil {
				return err
			}
		}
		all = append(all, b)
	}
	var run []byte // the new contact index: (ID, seq) pairs, sorted below
	kept := map[string]bool{}
	contacts.FillPercent = contactFill
	for i := range all {
		b := &all[i]
		if in := incoming[b.id]; len(in) > 0 {
			b.refs, b.rec = append(b.refs, in...), nil
			delete(incoming, b.id)
		}
		if len(b.refs) == 0 {
			if err := contacts.Delete(u64(b.seq)); err != nil {
				return err
			}
			rankDel(tx, b.seq)
			continue
		}
		if b.rec == nil {
			var err error
			if b.rec, err = rebuild(b.id, b.seq, b.refs); err != nil {
				return err
			}
		}
		if err := contacts.Put(u64(b.seq), b.rec); err != nil {
			return err
		}
		rankPut(tx, b.seq, b.rec)
		kept[b.id] = true
		id := idBytes(b.id)
		run = append(append(run, id[:]...), u64(b.seq)...)
	}
	// Identities that had no contact of their own yet.
	for _, id := range order {
		refs, ok := incoming[id]
		if !ok {
			continue // joined a contact that was already there
		}
		seq, err := contacts.NextSequence()
		if err != nil {
			return err
		}
		rec, err := rebuild(id, seq, refs)
		if err != nil {
			return err
		}
		if err := contacts.Put(u64(seq), rec); err != nil {
			return err
		}
		rankPut(tx, seq, rec)
		kept[id] = true
		k := idBytes(id)
		run = append(append(run, k[:]...), u64(seq)...)
	}
	// The rep's work on a contact all of whose leads left follows the
	// person, to where their newest lead went.
	for _, old := range slices.Sorted(maps.Keys(emptied)) {
		if kept[old] {
			continue // other leads arrived: the contact is still there
		}
		if err := moveUserData(tx, old, emptied[old], now); err != nil {
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
	head []byte // the header of the block kept, which finding a lead in it read
	// cur, when set, is a cursor over the leads bucket kept for every
	// lookup: a listing finds a million leads, and a cursor made for
	// each was a tenth of its loading. Only a reader of a bucket that
	// does not change keeps one.
	cur *bolt.Cursor
}

// forget drops the block kept, for when it is about to change.
func (r *leadReader) forget() { r.seqs, r.recs, r.head = r.seqs[:0], r.recs[:0], nil }

func (r *leadReader) lead(seq uint64) ([]byte, error) {
	if n := len(r.seqs); n == 0 || seq < r.seqs[0] || seq > r.seqs[n-1] {
		var key uint64
		var v []byte
		if r.cur != nil {
			key, v = locateWith(r.cur, seq)
		} else {
			key, v = r.lb.locate(seq)
		}
		if !isLeadBlock(v) {
			if key != seq {
				return nil, nil
			}
			return v, nil
		}
		r.seqs, r.recs = r.seqs[:0], r.recs[:0]
		body := 0 // the records fill the block after its header
		if err := eachInBlock(key, v, func(s uint64, rec []byte) bool {
			r.seqs = append(r.seqs, s)
			r.recs = append(r.recs, rec)
			body += len(rec)
			return true
		}); err != nil {
			r.seqs = r.seqs[:0]
			return nil, fmt.Errorf("leads #%d: %w", key, err)
		}
		r.head = v[:len(v)-body]
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
