package store

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"
	"sync"

	bolt "go.etcd.io/bbolt"
)

// An import can leave its leads' contacts for later: each batch then
// stores only its new leads, and Fold files them into their contacts at
// the end, every contact once.
//
// Why: a person's leads are spread through a real export (table order is
// PartitionKey, the creation date, then RowKey), so a batch of 20,000
// leads touches contacts all over the contacts bucket, and each batch's
// commit rewrote most of its pages: at a million leads in table order the
// import wrote the contacts bucket some fifty times over, and the file
// kept the freed pages. Folded at the end, a contact is read, merged and
// written once, new contacts in key order, whatever order the rows came
// in.
//
// meta/unfolded holds the sequence number of the first lead not yet
// filed into its contact. It is written in the same transaction as that
// lead, and deleted in the transaction that files the last one, so a crash
// at any point leaves either nothing to do or a marker that the next
// writer acts on: Open folds before anything else writes. Folding is
// idempotent (a lead already among its contact's leads is skipped), so a
// fold cut off between its transactions is simply done again.

var kUnfolded = []byte("unfolded")

// foldEntry is one lead waiting to be filed: its sequence number, its
// contact's ID and the contact's sequence number (noSeq for a contact not
// stored yet).
type foldEntry struct {
	seq  uint64
	ckey [8]byte
	cseq uint64
}

// contactFill is how full a contact page is written. The 10% left lets
// most pages take the leads a fold adds to their contacts without
// splitting: a page of packed contacts that grows becomes two, and at a
// million leads in table order, where a fifth of the leads go to contacts
// stored by an earlier batch, a fold into full pages grew the file by
// 400 MB.
const contactFill = 0.9

// foldPart is the most leads one fold transaction files. Parts take
// contacts in key order, so each rewrites one stretch of the contacts
// bucket and the next can reuse the pages it freed; what the last parts
// freed stays in the file as free pages. With 50,000 a part, a first
// import of a million leads in table or shuffled order left 90-120 MB of
// the file free (1.54-1.57 times the CSV); with 6,000, 40-60 MB (1.42-1.47
// times). The decoded leads of a part are held until it commits (some 3 MB
// for 6,000), and those of the next part while they wait.
var foldPart = 6_000

// Unfolded returns how many stored leads are waiting to be filed into
// their contacts (an import was cut off, or is running in this process),
// so that a command that only reads can say its contacts may be missing
// leads.
func (s *Store) Unfolded() (int, error) {
	n := 0
	err := s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bMeta).Get(kUnfolded)
		if v == nil {
			return nil
		}
		if len(v) != 8 {
			return fmt.Errorf("unfolded marker of %d bytes: %w", len(v), errCorrupt)
		}
		from := binary.BigEndian.Uint64(v)
		return leadBucket{tx.Bucket(bLeads)}.forEachFrom(from, func(uint64, []byte) error {
			n++
			return nil
		})
	})
	return n, err
}

// Fold files every lead an import left unfiled into its contact. An
// importer that passed DeferContacts to Upsert calls it after its last
// batch, also when it stops early; Open calls it for an import that a
// crash cut off. It returns how many leads it filed.
func (s *Store) Fold() (int, error) {
	defer s.leadsWritten()
	s.idx.mu.Lock()
	defer s.idx.mu.Unlock()
	return s.fold()
}

// fold is Fold with s.idx.mu held.
func (s *Store) fold() (int, error) {
	var from uint64
	var marked bool
	if err := s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bMeta).Get(kUnfolded)
		if v == nil {
			return nil
		}
		if len(v) != 8 {
			return fmt.Errorf("unfolded marker of %d bytes: %w", len(v), errCorrupt)
		}
		from, marked = binary.BigEndian.Uint64(v), true
		return nil
	}); err != nil {
		return 0, err
	}
	if !marked {
		s.pending = s.pending[:0]
		s.sums = importSums{}
		return 0, nil
	}
	entries := s.pending
	if len(entries) == 0 || entries[0].seq != from {
		// This process did not store them (a crash cut an import off):
		// read which contact each lead belongs to from the leads.
		var err error
		if entries, err = s.unfiledLeads(from); err != nil {
			return 0, err
		}
	}
	// Contacts in key order; a contact's leads in one part.
	slices.SortFunc(entries, func(a, b foldEntry) int {
		if c := cmpU64(a.cseq, b.cseq); c != 0 {
			return c
		}
		return cmpU64(a.seq, b.seq)
	})
	var parts [][]foldEntry
	for lo := 0; lo < len(entries); {
		hi := min(lo+foldPart, len(entries))
		for hi < len(entries) && entries[hi].cseq == entries[hi-1].cseq && entries[hi].cseq != noSeq {
			hi++
		}
		// In storage order, so that leads in one block are read together.
		part := entries[lo:hi]
		slices.SortFunc(part, func(a, b foldEntry) int { return cmpU64(a.seq, b.seq) })
		parts = append(parts, part)
		lo = hi
	}
	// The leads of the next part are read and decoded on another
	// goroutine while this one files the last: at the end of an import
	// the reader's core is otherwise idle, and reading was a third of a
	// fold.
	read := make(chan foldRead)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(read)
		s.readFoldParts(parts, entries, func(r foldRead) bool {
			select {
			case read <- r:
				return true
			case <-stop:
				return false
			}
		})
	}()
	defer func() {
		close(stop)
		wg.Wait()
	}()
	for i, part := range parts {
		r, ok := <-read
		if !ok {
			return 0, fmt.Errorf("fold: reader stopped early: %w", errCorrupt)
		}
		if r.err != nil {
			return 0, r.err
		}
		if err := s.foldPart(part, r, i == len(parts)-1); err != nil {
			return 0, writeErr(err)
		}
		// A part reads leads from all over the file: keep those pages out
		// of the resident set, as an import batch does.
		s.ReleaseMapped()
	}
	n := len(entries)
	s.pending = nil
	s.sums = importSums{}
	if n > 0 {
		s.leadsGen.Add(1)
	}
	s.ReleaseMapped()
	return n, nil
}

// unfiledLeads lists the leads from sequence number from on, with their
// contacts' IDs.
func (s *Store) unfiledLeads(from uint64) ([]foldEntry, error) {
	var out []foldEntry
	err := s.db.View(func(tx *bolt.Tx) error {
		return leadBucket{tx.Bucket(bLeads)}.forEachFrom(from, func(seq uint64, rec []byte) error {
			l, err := decodeLeadRaw(rec, false)
			if err != nil {
				return fmt.Errorf("lead #%d: %w", seq, err)
			}
			ck := idBytes(l.ContactID())
			cs, ok := lookupRuns(tx.Bucket(bContactIdx), ck)
			if !ok {
				cs = noSeq
			}
			out = append(out, foldEntry{seq, ck, cs})
			return nil
		})
	})
	return out, err
}

// foldRead is what readFoldPart read of one part's leads, in the part's
// order: each lead decoded (without its raw record) and its contact's
// key, or missing where the lead is gone (forgotten or purged since).
type foldRead struct {
	leads   []Lead
	ckeys   [][8]byte
	missing []bool
	err     error
}

// readFoldPart reads and decodes the leads of part (in storage order) in a
// read-only transaction of its own, which a fold runs beside the write of
// the part before. The leads are not changed by a fold, so what it reads
// is what the part's transaction would; the decoded leads hold copies,
// good after the transaction.
func (s *Store) readFoldPart(part []foldEntry) foldRead {
	r := foldRead{leads: make([]Lead, len(part)), ckeys: make([][8]byte, len(part)), missing: make([]bool, len(part))}
	r.err = s.db.View(func(tx *bolt.Tx) error {
		lr := &leadReader{lb: leadBucket{tx.Bucket(bLeads)}}
		data, size := s.db.Info().Data, tx.Size()
		for i, e := range part {
			if i%1024 == 1023 {
				// The part's leads lie all over the file: without this,
				// reading them would add the whole file to the RSS.
				releaseMapped(data, size)
			}
			v, err := lr.lead(e.seq)
			if err != nil {
				return err
			}
			if v == nil {
				r.missing[i] = true
				continue
			}
			l, err := decodeLeadRaw(v, false)
			if err != nil {
				return fmt.Errorf("lead #%d: %w", e.seq, err)
			}
			r.leads[i] = l
			r.ckeys[i] = idBytes(l.ContactID())
		}
		return nil
	})
	return r
}

// foldPart files the leads of one part in one transaction, from their
// records as readFoldPart read them; the last part also clears the
// marker.
func (s *Store) foldPart(mine []foldEntry, read foldRead, last bool) error {
	var dt *dictTx
	var ids *idTx
	err := s.db.Update(func(tx *bolt.Tx) error {
		dt = s.newDictTx(tx)
		ids = newIDTx(&s.idx.contacts, tx, nil)
		contacts := tx.Bucket(bContacts)
		contacts.FillPercent = contactFill
		lr := &leadReader{lb: leadBucket{tx.Bucket(bLeads)}}
		names := s.names()

		// Small items are sorted; the decoded leads stay where they are.
		type item struct {
			cseq uint64 // the contact's sequence number, noSeq if new
			ckey [8]byte
			when int64
			seq  uint64
			lead int32 // index into leads
		}
		items := make([]item, 0, len(mine))
		leads := read.leads
		data, size := s.db.Info().Data, tx.Size()
		for i, e := range mine {
			if read.missing[i] {
				continue // forgotten or purged since
			}
			// The contact is the one the lead names now: a later batch of
			// the same import may have changed its address.
			ck := read.ckeys[i]
			cs, ok := ids.get(ck)
			if !ok {
				cs = noSeq
			}
			items = append(items, item{cs, ck, unixNanoOrZero(leads[i].When()), e.seq, int32(i)})
		}
		// Contacts in key order, so the stored ones are read walking
		// forward; a contact's leads together, oldest first: merged in
		// time order, a new contact never needs rebuilding.
		slices.SortFunc(items, func(a, b item) int {
			if c := cmpU64(a.cseq, b.cseq); c != 0 {
				return c
			}
			if c := bytes.Compare(a.ckey[:], b.ckey[:]); c != 0 {
				return c
			}
			return cmpRef(leadRef{a.when, a.seq}, leadRef{b.when, b.seq})
		})
		walk := forward{c: contacts.Cursor()}
		type done struct {
			seq uint64
			c   *Contact
		}
		var out []done
		var a arena
		for i := 0; i < len(items); {
			j := i + 1
			for j < len(items) && items[j].ckey == items[i].ckey {
				j++
			}
			group := items[i:j]
			i = j
			if len(out)%256 == 255 {
				// Rebuilt contacts read their older leads from anywhere.
				releaseMapped(data, size)
			}
			cid := leads[group[0].lead].ContactID()
			seq, found := ids.get(group[0].ckey)
			c := &Contact{}
			var v []byte
			if found {
				v = walk.get(seq)
			}
			if v != nil {
				old, err := decodeContact(seq, v, names)
				if err != nil {
					return fmt.Errorf("contact %s: %w", cid, err)
				}
				*c = old
			} else {
				if !found {
					var err error
					if seq, err = contacts.NextSequence(); err != nil {
						return err
					}
					ids.put(group[0].ckey, seq)
				}
				*c = Contact{ID: cid, Seq: seq}
			}
			rebuild := false
			for k := range group {
				r := leadRef{group[k].when, group[k].seq}
				if _, ok := slices.BinarySearchFunc(c.refs, r, cmpRef); ok {
					continue // filed by a fold that was cut off
				}
				if c.merge(&leads[group[k].lead]) {
					rebuild = true
				}
				c.addRef(r)
			}
			if rebuild {
				// Merge every lead in time order: the group's are decoded
				// already, the others are read.
				var others []leadRef
				for _, r := range c.refs {
					if !slices.ContainsFunc(group, func(it item) bool { return it.seq == r.seq }) {
						others = append(others, r)
					}
				}
				stored, err := loadRefsRaw(lr, others, false)
				if err != nil {
					return fmt.Errorf("contact %s: %w", cid, err)
				}
				type timed struct {
					r leadRef
					l *Lead
				}
				all := make([]timed, 0, len(c.refs))
				for k := range stored {
					all = append(all, timed{others[k], &stored[k]})
				}
				for k := range group {
					all = append(all, timed{leadRef{group[k].when, group[k].seq}, &leads[group[k].lead]})
				}
				slices.SortFunc(all, func(x, y timed) int { return cmpRef(x.r, y.r) })
				nc := Contact{ID: c.ID, Seq: c.Seq, refs: c.refs}
				for _, x := range all {
					nc.merge(x.l)
				}
				*c = nc
			}
			out = append(out, done{seq, c})
		}
		// Key order: new contacts go to the end of the bucket.
		slices.SortFunc(out, func(a, b done) int { return cmpU64(a.seq, b.seq) })
		cs := make([]*Contact, len(out))
		for k := range out {
			cs[k] = out[k].c
		}
		built, stop := searchAhead(cs)
		defer stop()
		for k, d := range out {
			built(k)
			rec := encodeContact(d.c, dt, &a)
			if dt.err != nil {
				return dt.err
			}
			if err := contacts.Put(u64(d.seq), rec); err != nil {
				return err
			}
			rankPut(tx, d.seq, rec)
		}
		if err := ids.write(); err != nil {
			return err
		}
		if last {
			return tx.Bucket(bMeta).Delete(kUnfolded)
		}
		return nil
	})
	if err != nil {
		if ids != nil {
			ids.rollback()
		}
		return err
	}
	dt.commit()
	ids.committed()
	return nil
}

// forward reads contacts in rising key order with one cursor, seeking
// only past a gap: a fold's stored contacts are near one another, and a
// seek from the root for each cost a fifth of a fold.
type forward struct {
	c    *bolt.Cursor
	k, v []byte
}

// get returns the value of key seq, or nil; seq must not be below the
// last one asked for.
func (f *forward) get(seq uint64) []byte {
	want := u64(seq)
	if f.k == nil || bytes.Compare(f.k, want) > 0 {
		f.k, f.v = f.c.Seek(want)
	} else {
		for step := 0; f.k != nil && bytes.Compare(f.k, want) < 0; step++ {
			if step == 32 {
				f.k, f.v = f.c.Seek(want)
				break
			}
			f.k, f.v = f.c.Next()
		}
	}
	if bytes.Equal(f.k, want) {
		return f.v
	}
	return nil
}

func cmpU64(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// markUnfolded records, in the transaction that stores it, the first lead
// left for Fold, unless an earlier one is already recorded.
func markUnfolded(tx *bolt.Tx, seq uint64) error {
	m := tx.Bucket(bMeta)
	if m.Get(kUnfolded) != nil {
		return nil
	}
	return m.Put(kUnfolded, u64(seq))
}

// foldOnOpen finishes an import a crash cut off, before anything else
// writes: a lead stored without its contact would otherwise stay out of
// the inbox, and a later import would count it as unchanged and never
// file it.
func (s *Store) foldOnOpen() (int, error) {
	n, err := s.Fold()
	if err != nil {
		return 0, fmt.Errorf("finishing an import that was cut off: %w", err)
	}
	s.foldedOnOpen = n
	return n, nil
}

// FoldedOnOpen returns how many leads of an import cut off by a crash
// Open filed into their contacts, so that a command can say so.
func (s *Store) FoldedOnOpen() int { return s.foldedOnOpen }

// FoldError returns why Open could not finish an import a crash cut off
// (nil if it did, or there was none): the leads wait for a later open.
func (s *Store) FoldError() error { return s.foldErr }

// deleteUnfiled removes, in a forget's transaction, the leads of the
// person with identity email that an import left unfiled: a forget must
// finish even when filing them first failed (a full disk). It returns how
// many it removed.
func deleteUnfiled(tx *bolt.Tx, email string, del *idDeletes) (int, error) {
	v := tx.Bucket(bMeta).Get(kUnfolded)
	if len(v) != 8 {
		return 0, nil
	}
	type gone struct {
		seq uint64
		id  [8]byte
	}
	var found []gone
	leads := leadBucket{tx.Bucket(bLeads)}
	if err := leads.forEachFrom(binary.BigEndian.Uint64(v), func(seq uint64, rec []byte) error {
		l, err := decodeLeadRaw(rec, false)
		if err != nil {
			return fmt.Errorf("lead #%d: %w", seq, err)
		}
		if NormalizeEmail(l.Customer.Email) == email {
			found = append(found, gone{seq, idBytes(l.ID)})
		}
		return nil
	}); err != nil {
		return 0, err
	}
	idx := tx.Bucket(bLeadIdx)
	for _, g := range found {
		if iv, ok := lookupRuns(idx, g.id); ok && iv == g.seq {
			del.leads[g.id] = noSeq
		}
		if err := leads.del(g.seq); err != nil {
			return 0, err
		}
	}
	return len(found), nil
}
