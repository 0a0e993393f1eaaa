package store

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strings"

	bolt "go.etcd.io/bbolt"
)

// Dictionary kinds: a code in a Digest stands for kind + ":" + name.
const (
	KindSource  = "s"
	KindAction  = "a"
	KindOffer   = "o"
	KindCountry = "c"
)

// Digest flags.
const (
	FlagTest uint8 = 1 << iota
	FlagDNC
	FlagNoPII
	FlagEmail
)

// Digest is the compact view of one contact that the inbox keeps in memory
// for every contact: no display strings, only codes, times and flags, plus
// the search text. The full Contact is read only for rows on screen.
type Digest struct {
	ID    [8]byte
	Seq   uint64
	First int64 // Unix seconds of the earliest lead
	Last  int64 // Unix seconds of the newest lead
	// Hot is the Unix time of the newest Contact me or Test Drive lead, the
	// leads that start the 24-hour first-reply clock; zero if none.
	Hot          int64
	Leads        uint32
	Flags        uint8
	LatestSource uint16
	LatestAction uint16
	LatestOffer  uint16
	Country      uint16
	// Codes holds every distinct source, action, offer and country code of
	// the contact's leads, so a filter matches when any lead matches.
	Codes  []uint16
	Search string
}

// IDString returns the contact ID as shown to users.
func (d *Digest) IDString() string { return hex.EncodeToString(d.ID[:]) }

// Has reports whether any of the contact's leads carries code.
func (d *Digest) Has(code uint16) bool {
	for _, c := range d.Codes {
		if c == code {
			return true
		}
	}
	return false
}

// Dict maps digest codes back to names. Code 0 means "none".
type Dict struct {
	names []string // code -> kind:name
	codes map[string]uint16
}

// Name returns the name behind code without its kind prefix.
func (d *Dict) Name(code uint16) string {
	if int(code) >= len(d.names) || code == 0 {
		return ""
	}
	n := d.names[code]
	return n[strings.IndexByte(n, ':')+1:]
}

// Kind returns the kind of code (KindSource, ...).
func (d *Dict) Kind(code uint16) string {
	if int(code) >= len(d.names) || code == 0 {
		return ""
	}
	n := d.names[code]
	return n[:strings.IndexByte(n, ':')]
}

// Code returns the code of name of the given kind, and whether it exists.
func (d *Dict) Code(kind, name string) (uint16, bool) {
	c, ok := d.codes[kind+":"+name]
	return c, ok
}

// Codes returns every code of a kind, in code order.
func (d *Dict) Codes(kind string) []uint16 {
	var out []uint16
	for i := 1; i < len(d.names); i++ {
		if strings.HasPrefix(d.names[i], kind+":") {
			out = append(out, uint16(i))
		}
	}
	return out
}

// Len returns one past the largest code.
func (d *Dict) Len() int { return len(d.names) }

func (s *Store) loadDict() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dict = map[string]uint16{}
	s.rev = []string{""}
	return s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bDict)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			if len(v) != 2 {
				return errCorrupt
			}
			code := binary.BigEndian.Uint16(v)
			for int(code) >= len(s.rev) {
				s.rev = append(s.rev, "")
			}
			s.rev[code] = string(k)
			s.dict[string(k)] = code
			return nil
		})
	})
}

// dictTx assigns codes inside a write transaction; new codes join the
// store's dictionary only once the transaction commits.
type dictTx struct {
	s       *Store
	b       *bolt.Bucket
	pending map[string]uint16
	local   [5]map[string]uint16 // per kind: name -> code
	next    int
}

func (s *Store) newDictTx(tx *bolt.Tx) *dictTx {
	s.mu.Lock()
	n := len(s.rev)
	s.mu.Unlock()
	return &dictTx{s: s, b: tx.Bucket(bDict), pending: map[string]uint16{}, next: n}
}

func (d *dictTx) code(kind, name string) uint16 {
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
		m = map[string]uint16{}
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
	case KindSource:
		return 0
	case KindAction:
		return 1
	case KindOffer:
		return 2
	case KindCountry:
		return 3
	case KindOfferName:
		return 4
	}
	return -1
}

func (d *dictTx) lookup(kind, name string) uint16 {
	key := kind + ":" + name
	d.s.mu.Lock()
	c, ok := d.s.dict[key]
	d.s.mu.Unlock()
	if ok {
		return c
	}
	if c, ok := d.pending[key]; ok {
		return c
	}
	if d.next > 0xFFFF {
		// Beyond 65535 distinct names the extra ones share "none"; filters on
		// them fall back to the full records.
		return 0
	}
	c = uint16(d.next)
	d.next++
	d.pending[key] = c
	var v [2]byte
	binary.BigEndian.PutUint16(v[:], c)
	_ = d.b.Put([]byte(key), v[:])
	return c
}

func (d *dictTx) commit() {
	d.s.mu.Lock()
	defer d.s.mu.Unlock()
	for k, c := range d.pending {
		for int(c) >= len(d.s.rev) {
			d.s.rev = append(d.s.rev, "")
		}
		d.s.rev[c] = k
		d.s.dict[k] = c
	}
}

func (s *Store) snapshotDict() *Dict {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := &Dict{names: append([]string(nil), s.rev...), codes: make(map[string]uint16, len(s.dict))}
	for k, v := range s.dict {
		d.codes[k] = v
	}
	return d
}

// decodeDigestPart reads the digest at the front of a contact record and
// returns the rest of the record.
func decodeDigestPart(seq uint64, b []byte, d *Digest) ([]byte, error) {
	if !knownContactRecord(b) {
		return nil, errCorrupt
	}
	copy(d.ID[:], b[1:9])
	r := dec{b: b[9:]}
	d.Seq = seq
	d.First = r.varint()
	d.Last = r.varint()
	d.Hot = r.varint()
	d.Leads = uint32(r.uvarint())
	if r.err == nil && len(r.b) > 0 {
		d.Flags = r.b[0]
		r.b = r.b[1:]
	} else {
		return nil, errCorrupt
	}
	d.LatestSource = uint16(r.uvarint())
	d.LatestAction = uint16(r.uvarint())
	d.LatestOffer = uint16(r.uvarint())
	d.Country = uint16(r.uvarint())
	n := r.uvarint()
	if n > uint64(len(r.b)) {
		return nil, errCorrupt
	}
	d.Codes = make([]uint16, n)
	for i := range d.Codes {
		d.Codes[i] = uint16(r.uvarint())
	}
	d.Search = r.str()
	return r.b, r.err
}

// Digests reads the digest of every contact in one sequential pass, with
// the dictionary to read its codes. This is what the inbox loads at start.
func (s *Store) Digests() ([]Digest, *Dict, error) {
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
func (s *Store) names() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rev
}
