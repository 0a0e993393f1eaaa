package store

// Additions for the inbox (package tui): a faster start-up load and the
// per-lead facts behind the stats screen.

import (
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
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
				// The first part becomes the result: room for all, so
				// that the others are appended in place rather than every
				// part copied into a new block (the peak held the search
				// text twice). Room not filled is never touched, so it
				// does not count as resident.
				capacity = n + 16
			}
			p.dg = make([]Digest, 0, capacity)
			p.off = make([]uint32, 0, capacity+1)
			// Search texts average about 100 bytes; growing by doubling
			// would copy tens of MB several times.
			p.text = make([]byte, 0, capacity*128)
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
	st := SearchText{Text: parts[0].text, Off: parts[0].off}
	parts[0] = part{}
	for i := 1; i < len(parts); i++ {
		p := &parts[i]
		out = append(out, p.dg...)
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

// LeadGroup is how many stored leads share a source, action, offer and
// offer name, and whether they are Microsoft's test leads.
type LeadGroup struct {
	Source, Action, OfferID, OfferName string
	Test                               bool
	Leads                              int
}

// LeadTally is what the stats screen shows of the stored leads.
type LeadTally struct {
	Groups []LeadGroup
	// Weeks[i] counts the leads, test leads aside, created in the i-th
	// week from the start asked for. A lead without a date is dated by
	// when it came in.
	Weeks []int
}

// TallyLeads counts every stored lead by group, and those created from
// since (Unix seconds) on by week. It reads only the fields it counts,
// interns them as it goes (a million leads share a few hundred values),
// and splits the leads among the cores. The count is kept until a write
// adds, changes or removes a lead (triage changes leave it as it is), so
// the stats screen, counted ahead by PrepareTally, opens at once; a call
// while another counts waits for that count.
func (s *Store) TallyLeads(since int64, weeks int) (LeadTally, error) {
	return s.tallyLeads(since, weeks, false)
}

// PrepareTally counts what TallyLeads(since, weeks) returns, to keep, in
// the background way: on one core, dropping the file's pages from the
// resident set as it goes, so it slows nothing the rep does and does not
// grow the process's memory. The inbox calls it after its first frame.
func (s *Store) PrepareTally(since int64, weeks int) error {
	_, err := s.tallyLeads(since, weeks, true)
	return err
}

// errClosing ends work in the background when the store is closing.
var errClosing = errors.New("the database is being closed")

// tallyCache is the last count of TallyLeads, for the moment tallyGen
// had when the count began.
type tallyCache struct {
	mu    sync.Mutex // held while counting
	ok    bool
	gen   uint64
	since int64
	t     LeadTally
	// facts, from a count ahead, let the leads of any set of contacts be
	// counted without reading them (TallyContactLeads).
	facts *leadFacts
}

// leadFact is one lead's group (an index into leadFacts.groups) and week
// in the chart (-1: none, or a test lead).
type leadFact struct {
	group uint32
	week  int32
}

// leadFacts are the facts of every lead, in the order of their
// contacts: contact seq's leads are facts[start[seq]:end[seq]].
type leadFacts struct {
	groups     []LeadGroup // Leads 0
	facts      []leadFact
	start, end []uint32
}

// factsBuilder collects each lead's facts as a count reads it.
type factsBuilder struct {
	group map[tallyKey]uint32
	keys  []tallyKey
	bySeq []leadFact // by lead sequence number
}

func (f *factsBuilder) add(seq uint64, k tallyKey, week int64) {
	g, ok := f.group[k]
	if !ok {
		g = uint32(len(f.keys))
		f.group[k] = g
		f.keys = append(f.keys, k)
	}
	if seq < uint64(len(f.bySeq)) {
		f.bySeq[seq] = leadFact{g, int32(week)}
	}
}

// contactFacts lays the facts the count t collected out by contact.
func (s *Store) contactFacts(t *tallier) (*leadFacts, error) {
	f := t.facts
	out := &leadFacts{groups: make([]LeadGroup, len(f.keys))}
	for i, k := range f.keys {
		out.groups[i] = LeadGroup{Source: t.vals[k.source], Action: t.vals[k.action], OfferID: t.vals[k.offer],
			OfferName: t.vals[k.name], Test: k.test}
	}
	names := s.names()
	var slab []Code
	var c Contact
	data := s.db.Info().Data
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bContacts)
		size := tx.Size()
		n := b.Sequence() + 1
		read := 0
		out.start, out.end = make([]uint32, n), make([]uint32, n)
		out.facts = make([]leadFact, 0, len(f.bySeq))
		cur := b.Cursor()
		for k, v := cur.First(); k != nil; k, v = cur.Next() {
			seq := binary.BigEndian.Uint64(k)
			var err error
			if slab, err = decodeContactBrief(seq, v, names, &c, slab); err != nil {
				return fmt.Errorf("contact %x: %w", k, err)
			}
			if seq >= n {
				continue
			}
			out.start[seq] = uint32(len(out.facts))
			for _, r := range c.refs {
				if r.seq < uint64(len(f.bySeq)) {
					out.facts = append(out.facts, f.bySeq[r.seq])
				}
			}
			out.end[seq] = uint32(len(out.facts))
			if s.closing.Load() {
				return errClosing
			}
			if read++; read%tallyRelease == 0 {
				// Pages read are dropped from the resident set as the
				// scan goes: they are counted in it, and every contact
				// page would add a few hundred MB at a million leads.
				releaseMapped(data, size)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// tallyKept counts the leads of the contacts seqs from the facts of the
// last count ahead, when they are current for since and weeks.
func (s *Store) tallyKept(seqs []uint64, since int64, weeks int, keep func(LeadGroup) bool) (LeadTally, bool) {
	c := &s.tally
	c.mu.Lock()
	defer c.mu.Unlock()
	f := c.facts
	if !c.ok || f == nil || c.gen != s.tallyGen.Load() || c.since != since || len(c.t.Weeks) != weeks {
		return LeadTally{}, false
	}
	kept := make([]bool, len(f.groups))
	for i, g := range f.groups {
		kept[i] = keep == nil || keep(g)
	}
	counts := make([]int, len(f.groups))
	out := LeadTally{Weeks: make([]int, weeks)}
	for _, seq := range seqs {
		if seq >= uint64(len(f.start)) {
			continue
		}
		for _, l := range f.facts[f.start[seq]:f.end[seq]] {
			if !kept[l.group] {
				continue
			}
			counts[l.group]++
			if l.week >= 0 && int(l.week) < weeks {
				out.Weeks[l.week]++
			}
		}
	}
	for i, n := range counts {
		if n > 0 {
			g := f.groups[i]
			g.Leads = n
			out.Groups = append(out.Groups, g)
		}
	}
	return out, true
}

// leadsWritten marks the kept count stale: every write that may add,
// change or remove a lead calls it once the write is over (committed or
// not), so a count that began before the write is not kept past it.
func (s *Store) leadsWritten() { s.tallyGen.Add(1) }

func (s *Store) tallyLeads(since int64, weeks int, background bool) (LeadTally, error) {
	c := &s.tally
	c.mu.Lock()
	defer c.mu.Unlock()
	gen := s.tallyGen.Load()
	if !c.ok || c.gen != gen || c.since != since || len(c.t.Weeks) != weeks || (background && c.facts == nil) {
		t, facts, err := s.countLeads(since, weeks, background)
		if err != nil {
			return LeadTally{}, err
		}
		c.ok, c.gen, c.since, c.t, c.facts = true, gen, since, t, facts
	}
	// The caller gets its own slices: the kept count stays as counted.
	return LeadTally{Groups: slices.Clone(c.t.Groups), Weeks: slices.Clone(c.t.Weeks)}, nil
}

// countLeads counts the leads afresh for TallyLeads; background counts on
// one core without mapping the file ahead.
func (s *Store) countLeads(since int64, weeks int, background bool) (LeadTally, *leadFacts, error) {
	defer s.ReleaseMapped()
	var last uint64
	var size int64
	if err := s.db.View(func(tx *bolt.Tx) error {
		last = tx.Bucket(bLeads).Sequence()
		size = tx.Size()
		return nil
	}); err != nil {
		return LeadTally{}, nil, err
	}
	workers := min(runtime.GOMAXPROCS(0), 8)
	if last < 100_000 || background {
		workers = 1
	}
	if !background {
		populateMapped(s.db.Info().Data, size)
	}
	parts := make([]*tallier, workers)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		from := last*uint64(w)/uint64(workers) + 1
		if w == 0 {
			from = 0
		}
		to := last * uint64(w+1) / uint64(workers) // inclusive
		if w == workers-1 {
			to = ^uint64(0) // and whatever a writer added meanwhile: none, in one transaction
		}
		parts[w] = newTallier(since, weeks)
		if background {
			parts[w].facts = &factsBuilder{group: map[tallyKey]uint32{}, bySeq: make([]leadFact, last+1)}
			data := s.db.Info().Data
			parts[w].release = func() bool {
				releaseMapped(data, size)
				return !s.closing.Load()
			}
		}
		wg.Go(func() {
			errs[w] = s.db.View(func(tx *bolt.Tx) error {
				return parts[w].count(leadBucket{tx.Bucket(bLeads)}, from, to)
			})
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return LeadTally{}, nil, err
	}
	var facts *leadFacts
	if background {
		var err error
		if facts, err = s.contactFacts(parts[0]); err != nil {
			return LeadTally{}, nil, err
		}
	}
	return mergeTallies(parts, weeks), facts, nil
}

// tallier counts one range of leads. Field values are interned to small
// numbers, looked up without allocating, so a lead costs a few map reads.
type tallier struct {
	since  int64
	weeks  []int
	ids    map[string]uint32
	vals   []string
	recent [4]struct {
		val []byte
		id  uint32
	}
	groups map[tallyKey]int
	// release, when set, is called every tallyRelease leads to drop the
	// pages read so far from the resident set; false stops the count
	// (errClosing).
	release func() bool
	// facts, when set, gets each lead's group and week as it is counted.
	facts *factsBuilder
}

// tallyRelease is how many leads a background count reads between two
// drops of the file's pages: some 30 MB of records.
const tallyRelease = 1 << 16

// tallyKey is a LeadGroup in interned numbers.
type tallyKey struct {
	source, action, offer, name uint32
	test                        bool
}

func newTallier(since int64, weeks int) *tallier {
	return &tallier{since: since, weeks: make([]int, weeks), ids: map[string]uint32{}, groups: map[tallyKey]int{}}
}

// intern returns the number of a field's value; consecutive leads mostly
// repeat the last value of each field, which is checked first.
func (t *tallier) intern(field int, b []byte) uint32 {
	r := &t.recent[field]
	if r.val != nil && string(r.val) == string(b) {
		return r.id
	}
	id, ok := t.ids[string(b)]
	if !ok {
		id = uint32(len(t.vals))
		t.vals = append(t.vals, string(b))
		t.ids[t.vals[id]] = id
	}
	r.val, r.id = b, id
	return id
}

// count tallies the leads with sequence numbers from..to.
func (t *tallier) count(lb leadBucket, from, to uint64) error {
	const weekSecs = 7 * 24 * 3600
	n := 0
	err := lb.forEachFrom(from, func(seq uint64, v []byte) error {
		if seq > to {
			return errStopIterator
		}
		if t.release != nil {
			if n++; n%tallyRelease == 0 && !t.release() {
				return errClosing
			}
		}
		content, err := leadContent(v)
		if err != nil {
			return fmt.Errorf("lead #%d: %w", seq, err)
		}
		d := dec{b: content}
		d.skipStr() // ID
		d.skipStr() // LeadSource
		d.skipStr() // ActionCode
		var k tallyKey
		k.source = t.intern(0, d.bytes())
		k.action = t.intern(1, d.bytes())
		k.offer = t.intern(2, d.bytes())
		k.name = t.intern(3, d.bytes())
		created := d.varint()
		d.varint() // Timestamp
		d.skipStr()
		for range 7 { // customer fields
			d.skipStr()
		}
		k.test = d.bool()
		if d.err != nil {
			return fmt.Errorf("lead #%d: %w", seq, d.err)
		}
		t.groups[k]++
		week := int64(-1) // not in the chart
		if t.facts != nil {
			defer func() { t.facts.add(seq, k, week) }()
		}
		if k.test {
			return nil
		}
		if created == 0 {
			// A lead without a date is dated by when it came in, which
			// follows the origin.
			r := dec{b: v[contentEnd(v, content):]}
			r.origin(v[0])
			created = r.varint()
			if r.err != nil {
				return fmt.Errorf("lead #%d: %w", seq, r.err)
			}
			if created == 0 {
				return nil
			}
		}
		// Times are stored in nanoseconds; weeks count whole seconds, as
		// time.Unix would.
		secs := created / 1e9
		if created < 0 && created%1e9 != 0 {
			secs--
		}
		if secs >= t.since {
			if w := (secs - t.since) / weekSecs; w < int64(len(t.weeks)) {
				t.weeks[w]++
				week = w
			}
		}
		return nil
	})
	if err == errStopIterator {
		return nil
	}
	return err
}

// mergeTallies adds the ranges' counts up by value.
func mergeTallies(parts []*tallier, weeks int) LeadTally {
	out := LeadTally{Weeks: make([]int, weeks)}
	type named struct {
		source, action, offer, name string
		test                        bool
	}
	at := map[named]int{}
	for _, t := range parts {
		for i, n := range t.weeks {
			out.Weeks[i] += n
		}
		for k, n := range t.groups {
			key := named{t.vals[k.source], t.vals[k.action], t.vals[k.offer], t.vals[k.name], k.test}
			i, ok := at[key]
			if !ok {
				i = len(out.Groups)
				at[key] = i
				out.Groups = append(out.Groups, LeadGroup{Source: key.source, Action: key.action,
					OfferID: key.offer, OfferName: key.name, Test: key.test})
			}
			out.Groups[i].Leads += n
		}
	}
	slices.SortFunc(out.Groups, func(a, b LeadGroup) int {
		return cmp.Or(strings.Compare(a.Source, b.Source), strings.Compare(a.Action, b.Action),
			strings.Compare(a.OfferID, b.OfferID), strings.Compare(a.OfferName, b.OfferName),
			cmp.Compare(b2i(a.Test), b2i(b.Test)))
	})
	return out
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
