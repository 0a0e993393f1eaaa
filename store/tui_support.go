package store

// Additions for the inbox (package tui): a faster start-up load and the
// per-lead facts behind the stats screen.

import (
	"encoding/binary"
	"fmt"
	"runtime"
	"sync"

	bolt "go.etcd.io/bbolt"
)

// LoadDigests returns the same as Digests, built for the inbox's start-up
// at a million leads: it decodes contiguous ranges of the contacts bucket in
// parallel (one read transaction each), and afterwards hands the file pages
// it touched back to the kernel, so the inbox's resident memory is its own
// data rather than a second copy of the contacts in the file mapping.
func (s *Store) LoadDigests() ([]Digest, *Dict, error) {
	var n uint64
	if err := s.db.View(func(tx *bolt.Tx) error {
		n = tx.Bucket(bContacts).Sequence()
		return nil
	}); err != nil {
		return nil, nil, err
	}
	workers := min(runtime.GOMAXPROCS(0), 8)
	if n < 50_000 {
		workers = 1
	}
	parts := make([][]Digest, workers)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		lo := n*uint64(w)/uint64(workers) + 1
		hi := n * uint64(w+1) / uint64(workers) // inclusive; the last range runs to the end
		last := w == workers-1
		wg.Go(func() {
			capacity := hi - lo + 1
			if w == 0 {
				// The first part becomes the result: room for all.
				capacity = n + 16
			}
			out := make([]Digest, 0, capacity)
			errs[w] = s.db.View(func(tx *bolt.Tx) error {
				c := tx.Bucket(bContacts).Cursor()
				for k, v := c.Seek(u64(lo)); k != nil; k, v = c.Next() {
					seq := binary.BigEndian.Uint64(k)
					if !last && seq > hi {
						break
					}
					out = append(out, Digest{})
					if _, err := decodeDigestPart(seq, v, &out[len(out)-1]); err != nil {
						return fmt.Errorf("contact %x: %w", k, err)
					}
				}
				return nil
			})
			parts[w] = out
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, nil, err
		}
	}
	out := parts[0]
	for _, p := range parts[1:] {
		out = append(out, p...)
	}
	s.ReleaseMapped()
	return out, s.snapshotDict(), nil
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
		c := tx.Bucket(bLeads).Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			content, err := leadContent(v)
			if err != nil {
				return fmt.Errorf("lead %x: %w", k, err)
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
				return fmt.Errorf("lead %x: %w", k, d.err)
			}
			if created.IsZero() {
				t := dec{b: v[contentEnd(v, content):]}
				for i := 0; i < 6; i++ {
					if i == 1 {
						t.uvarint()
						continue
					}
					t.skipStr()
				}
				created = t.time()
			}
			f.Created = 0
			if !created.IsZero() {
				f.Created = created.Unix()
			}
			fn(&f)
		}
		return nil
	})
}
