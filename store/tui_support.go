package store

// Additions for the inbox (package tui): a faster start-up load and the
// per-lead facts behind the stats screen.

import (
	"encoding/binary"
	"fmt"
	"runtime"
	"sync"

	bolt "go.etcd.io/bbolt"

	"github.com/leads-inbox/leads/store/view"
)

// SearchText holds the search text of many digests in one block: the text
// of digest i is Text[Off[i]:Off[i+1]-1], followed by a separator byte.
// One pointer-free block costs the garbage collector nothing to scan and
// lets a search read memory in order.
type SearchText struct {
	Text []byte
	Off  []uint32
}

// LoadDigests returns the same as Digests, built for the inbox's start-up
// at a million leads: it decodes contiguous ranges of the contacts bucket in
// parallel (one read transaction each), moves each digest's Search into one
// SearchText block (ending each with sep) and leaves Search empty, and
// afterwards hands the file pages it touched back to the kernel, so the
// inbox's resident memory is its own data rather than a second copy of the
// contacts in the file mapping.
func (s *Store) LoadDigests(sep byte) ([]Digest, SearchText, *view.Dict, error) {
	var n uint64
	var size int64
	if err := s.db.View(func(tx *bolt.Tx) error {
		n = tx.Bucket(bContacts).Sequence()
		size = tx.Size()
		return nil
	}); err != nil {
		return nil, SearchText{}, nil, err
	}
	// Pages already decoded are dropped from the resident set as the scan
	// goes, so the peak stays near the final size instead of adding the
	// whole contacts bucket on top. The mapping cannot move meanwhile: a
	// remap waits for the open read transactions.
	data := s.db.Info().Data
	workers := min(runtime.GOMAXPROCS(0), 8)
	if n < 50_000 {
		workers = 1
	}
	type part struct {
		dg   []Digest
		text []byte
		off  []uint32 // relative to the part's text
		slab []Code   // backing store of the digests' Codes
		err  error
	}
	parts := make([]part, workers)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		lo := n*uint64(w)/uint64(workers) + 1
		hi := n * uint64(w+1) / uint64(workers) // inclusive; the last range runs to the end
		last := w == workers-1
		wg.Go(func() {
			p := &parts[w]
			capacity := hi - lo + 1
			if w == 0 {
				// The first part becomes the result: room for all.
				capacity = n + 16
			}
			p.dg = make([]Digest, 0, capacity)
			p.off = make([]uint32, 0, hi-lo+2)
			// Search texts average about 100 bytes; growing by doubling
			// would copy tens of MB several times.
			p.text = make([]byte, 0, (hi-lo+1)*128)
			p.err = s.db.View(func(tx *bolt.Tx) error {
				c := tx.Bucket(bContacts).Cursor()
				for k, v := c.Seek(u64(lo)); k != nil; k, v = c.Next() {
					seq := binary.BigEndian.Uint64(k)
					if !last && seq > hi {
						break
					}
					p.dg = append(p.dg, Digest{})
					p.off = append(p.off, uint32(len(p.text)))
					var err error
					if p.text, p.slab, err = decodeDigestInto(seq, v, &p.dg[len(p.dg)-1], p.text, p.slab); err != nil {
						return fmt.Errorf("contact %x: %w", k, err)
					}
					p.text = append(p.text, sep)
					if len(p.dg)%(64<<10) == 0 {
						releaseMapped(data, size)
					}
				}
				return nil
			})
		})
	}
	wg.Wait()
	total := 0
	for _, p := range parts {
		if p.err != nil {
			return nil, SearchText{}, nil, p.err
		}
		total += len(p.text)
	}
	if uint64(total) >= 1<<32 {
		return nil, SearchText{}, nil, fmt.Errorf("search text of %d bytes is too large for the inbox", total)
	}
	out := parts[0].dg
	st := SearchText{Text: make([]byte, 0, total), Off: make([]uint32, 0, n+1)}
	for i, p := range parts {
		if i > 0 {
			out = append(out, p.dg...)
		}
		base := uint32(len(st.Text))
		for _, o := range p.off {
			st.Off = append(st.Off, base+o)
		}
		st.Text = append(st.Text, p.text...)
		parts[i] = part{} // let the part go before the next copy
	}
	st.Off = append(st.Off, uint32(len(st.Text)))
	s.ReleaseMapped()
	return out, st, s.snapshotDict(), nil
}

// decodeDigestInto is decodeDigest for the inbox's start-up: the search
// text is appended to text rather than copied into a string of its own,
// which at 760,000 contacts is 760,000 fewer allocations.
func decodeDigestInto(seq uint64, b []byte, d *Digest, text []byte, slab []Code) ([]byte, []Code, error) {
	search, _, slab, err := decodeDigest(seq, b, d, slab)
	if err != nil {
		return text, slab, err
	}
	return append(text, search...), slab, nil
}

// ReleaseMapped tells the kernel that the pages of the database file this
// process has read may leave its resident set. They stay in the page cache,
// and a later read faults them back in, so this is always safe; it keeps a
// full scan (start-up, stats) from adding the file's size to the RSS.
func (s *Store) ReleaseMapped() {
	var size int64
	if s.db.View(func(tx *bolt.Tx) error { size = tx.Size(); return nil }) != nil || size == 0 {
		return
	}
	releaseMapped(s.db.Info().Data, size)
}

// LeadFact is what the stats screen counts of one lead.
type LeadFact struct {
	Source, Action, OfferID, OfferName, Country string
	Created                                     int64 // Unix seconds (Received when the data has no date)
	Test                                        bool
}

// LeadFacts calls fn for every stored lead, in storage order. fn gets the
// same *LeadFact each time: copy what you keep. It decodes only the fields
// it returns, which makes a pass over a million leads cheap enough to run
// each time the stats screen opens.
func (s *Store) LeadFacts(fn func(*LeadFact)) error {
	defer s.ReleaseMapped()
	var f LeadFact
	return s.db.View(func(tx *bolt.Tx) error {
		return leadBucket{tx.Bucket(bLeads)}.forEach(func(seq uint64, v []byte) error {
			content, err := leadContent(v)
			if err != nil {
				return fmt.Errorf("lead #%d: %w", seq, err)
			}
			d := dec{b: content}
			d.skipStr() // ID
			d.skipStr() // LeadSource
			d.skipStr() // ActionCode
			f.Source = d.str()
			f.Action = d.str()
			f.OfferID = d.str()
			f.OfferName = d.str()
			created := d.time()
			d.time() // Timestamp
			d.skipStr()
			for i := 0; i < 7; i++ { // customer fields; Country is the fifth
				if i == 4 {
					f.Country = d.str()
					continue
				}
				d.skipStr()
			}
			f.Test = d.bool()
			if d.err != nil {
				return fmt.Errorf("lead #%d: %w", seq, d.err)
			}
			if created.IsZero() {
				// A lead without a date is dated by when it came in,
				// which follows the origin.
				t := dec{b: v[contentEnd(v, content):]}
				t.origin(v[0])
				created = t.time()
				if t.err != nil {
					return fmt.Errorf("lead #%d: %w", seq, t.err)
				}
			}
			f.Created = 0
			if !created.IsZero() {
				f.Created = created.Unix()
			}
			fn(&f)
			return nil
		})
	})
}
