package store

import (
	"encoding/binary"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/leads-inbox/leads/store/view"
)

// Code is a dictionary code (view.Code): the store hands them out as it
// writes contacts and keeps the names behind them in the dictionary bucket.
type Code = view.Code

// Digest is a contact's digest (view.Digest), which the store keeps at the
// front of each contact record so that the inbox can load every contact's
// digest in one sequential read.
type Digest = view.Digest

// The dictionary bucket maps a code (4 bytes, big-endian) to kind:name.
// Keyed by code, an entry can hold a name of any length: bbolt refuses
// keys over 32 KiB, and a stranger's country or action can be longer.
// The bucket's sequence is the last code handed out.

func (s *Store) loadDict() error {
	db, err := s.db.enter()
	if err != nil {
		return err
	}
	defer s.db.leave()
	return s.loadDictFrom(db)
}

// loadDictFrom reads the dictionary from db, which Resume has just
// opened and not yet put behind the gate.
func (s *Store) loadDictFrom(db *bolt.DB) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dict = map[string]Code{}
	s.rev = []string{""}
	return db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bCodes)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			if _, _, ok := view.SplitEntry(string(v)); len(k) != 4 || !ok {
				return errCorrupt
			}
			code := Code(binary.BigEndian.Uint32(k))
			if code == 0 || code > maxCode {
				return errCorrupt
			}
			for uint64(code) >= uint64(len(s.rev)) {
				s.rev = append(s.rev, "")
			}
			s.rev[code] = string(v)
			s.dict[string(v)] = code
			return nil
		})
	})
}

// maxCode bounds the codes handed out, so that the code -> name table a
// reader builds stays an ordinary slice: a billion names is far beyond
// any lead file, and past it a name is stored without a code.
const maxCode = 1 << 30

// dictTx assigns codes inside a write transaction; new codes join the
// store's dictionary only once the transaction commits. The first write
// error is kept in err: encoding a contact cannot return one, so the
// caller checks err before it commits.
type dictTx struct {
	s       *Store
	b       *bolt.Bucket
	pending map[string]Code
	local   [5]map[string]Code // per kind: name -> code
	err     error
}

func (s *Store) newDictTx(tx *bolt.Tx) *dictTx {
	return &dictTx{s: s, b: tx.Bucket(bCodes), pending: map[string]Code{}}
}

func (d *dictTx) code(kind, name string) Code {
	if name == "" {
		return 0
	}
	// Nearly every lookup is for a name seen before in this transaction.
	k := kindIndex(kind)
	if k < 0 {
		return d.lookup(kind, name)
	}
	m := d.local[k]
	if m == nil {
		m = map[string]Code{}
		d.local[k] = m
	}
	if c, ok := m[name]; ok {
		return c
	}
	c := d.lookup(kind, name)
	m[name] = c
	return c
}

func kindIndex(kind string) int {
	switch kind {
	case view.KindSource:
		return 0
	case view.KindAction:
		return 1
	case view.KindOffer:
		return 2
	case view.KindCountry:
		return 3
	case view.KindOfferName:
		return 4
	}
	return -1
}

func (d *dictTx) lookup(kind, name string) Code {
	key := view.Entry(kind, name)
	d.s.mu.Lock()
	c, ok := d.s.dict[key]
	d.s.mu.Unlock()
	if ok {
		return c
	}
	if c, ok := d.pending[key]; ok {
		return c
	}
	if d.err != nil {
		return 0
	}
	seq, err := d.b.NextSequence()
	if err != nil {
		d.err = err
		return 0
	}
	if seq > maxCode {
		// Nothing a reader of the record needs is lost: every name also
		// lives in the contact's display fields and in its leads.
		return 0
	}
	c = Code(seq)
	var k [4]byte
	binary.BigEndian.PutUint32(k[:], c)
	if err := d.b.Put(k[:], []byte(key)); err != nil {
		d.err = fmt.Errorf("dictionary entry for a %s of %d bytes: %w", kindLabel(kind), len(name), err)
		return 0
	}
	d.pending[key] = c
	return c
}

// kindLabel names a dictionary kind in an error message.
func kindLabel(kind string) string {
	switch kind {
	case view.KindSource:
		return "source"
	case view.KindAction:
		return "action"
	case view.KindOffer:
		return "offer"
	case view.KindCountry:
		return "country"
	case view.KindOfferName:
		return "offer name"
	}
	return "name"
}

func (d *dictTx) commit() {
	d.s.mu.Lock()
	defer d.s.mu.Unlock()
	for k, c := range d.pending {
		for uint64(c) >= uint64(len(d.s.rev)) {
			d.s.rev = append(d.s.rev, "")
		}
		d.s.rev[c] = k
		d.s.dict[k] = c
	}
}

// snapshotDict returns a copy of the dictionary as it is now: imports
// add codes while the inbox reads the copy.
func (s *Store) snapshotDict() *view.Dict {
	s.mu.Lock()
	defer s.mu.Unlock()
	return view.NewDict(append(view.Names(nil), s.rev...))
}

// decodeDigest reads the digest at the front of a contact record. Its
// codes are cut from slab (a fresh slab is started when it is full, so the
// Codes handed out earlier stay valid), its search text is returned as a
// slice of b, and rest is the record after the digest. It is the one
// reader of the digest format: the inbox's start-up and every other
// reader of contacts go through it.
func decodeDigest(seq uint64, b []byte, d *Digest, slab []Code) (search, rest []byte, _ []Code, err error) {
	if !knownContactRecord(b) {
		return nil, nil, slab, errCorrupt
	}
	copy(d.ID[:], b[1:9])
	r := dec{b: b[9:]}
	d.Seq = seq
	d.First = r.varint()
	d.Last = r.varint()
	d.Hot = r.varint()
	d.Leads = uint32(r.uvarint())
	if r.err != nil || len(r.b) == 0 {
		return nil, nil, slab, errCorrupt
	}
	d.Flags = r.b[0]
	r.b = r.b[1:]
	d.LatestSource = r.code()
	d.LatestAction = r.code()
	d.LatestOffer = r.code()
	d.Country = r.code()
	n := r.uvarint()
	if r.err != nil || n > uint64(len(r.b)) {
		return nil, nil, slab, errCorrupt
	}
	// Version 4 follows the countries with the lead combinations, three
	// codes each; in memory a 0 sits between the two (view.Digest.Codes).
	var combos uint64
	if b[0] >= 4 {
		rest := dec{b: r.b}
		for i := uint64(0); i < n; i++ {
			rest.uvarint()
		}
		combos = rest.uvarint()
		if rest.err != nil || combos > uint64(len(rest.b))/3 {
			return nil, nil, slab, errCorrupt
		}
	}
	total := n
	if b[0] >= 4 {
		total += 1 + 3*combos
	}
	switch {
	case slab == nil:
		// One contact read alone: Codes of its own.
		slab = make([]Code, 0, total)
	case uint64(cap(slab)-len(slab)) < total:
		slab = make([]Code, 0, max(16<<10, int(total)))
	}
	start := len(slab)
	for i := uint64(0); i < n; i++ {
		// A 0 would read as the end of the countries: a code the
		// dictionary could not give stands for nothing anyway.
		if code := r.code(); code != 0 {
			slab = append(slab, code)
		}
	}
	if b[0] >= 4 {
		r.uvarint() // the number of combinations, read above
		slab = append(slab, 0)
		for i := uint64(0); i < 3*combos; i++ {
			slab = append(slab, r.code())
		}
	}
	d.Codes = slab[start:len(slab):len(slab)]
	m := r.uvarint()
	if r.err != nil || m > uint64(len(r.b)) {
		return nil, nil, slab, errCorrupt
	}
	return r.b[:m], r.b[m:], slab, nil
}

// code reads a dictionary code; a number no dictionary hands out reads as
// "none", so a damaged record shows without the name, not as another one.
func (d *dec) code() Code {
	v := d.uvarint()
	if v > maxCode {
		return 0
	}
	return Code(v)
}

// decodeDigestPart reads the digest at the front of a contact record, with
// its own Codes and Search, and returns the rest of the record.
func decodeDigestPart(seq uint64, b []byte, d *Digest) ([]byte, error) {
	search, rest, _, err := decodeDigest(seq, b, d, nil)
	if err != nil {
		return nil, err
	}
	d.Search = string(search)
	return rest, nil
}

// Digests reads the digest of every contact in one sequential pass, with
// the dictionary to read its codes. This is what the inbox loads at start.
func (s *Store) Digests() ([]Digest, *view.Dict, error) {
	var out []Digest
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bContacts)
		out = make([]Digest, 0, b.Sequence())
		c := b.Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			out = append(out, Digest{})
			if _, err := decodeDigestPart(binary.BigEndian.Uint64(k), v, &out[len(out)-1]); err != nil {
				return fmt.Errorf("contact %x: %w", k, err)
			}
		}
		return nil
	})
	return out, s.snapshotDict(), err
}

// names returns the dictionary's code -> kind:name table for decoding.
// Codes are only ever added, so the table returned stays right for every
// code it holds.
func (s *Store) names() view.Names {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rev
}
