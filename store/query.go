package store

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/leads-inbox/leads/store/view"
)

// Filter selects contacts (view.Filter): source, action and offer must
// match on one lead, country and status on the contact; the values of one
// field are alternatives and the fields combine with AND. What a value
// selects is the read model's decision (view.Selects), the same as the
// inbox's filter panel makes.
type Filter = view.Filter

// ListContacts calls fn for every contact that passes f, most recent
// activity first, with its leads and triage state loaded. The leads come
// without their raw records, which no listing shows; Contact has them. It
// streams: only a sort key per contact (and, for a text order, its text) and the current contact are
// in memory.
func (s *Store) ListContacts(f Filter, fn func(*Contact) error) error {
	return s.ListContactsBy(f, view.ByRecent, time.Time{}, fn)
}

// ListContactsBy is ListContacts in the given order; now is the moment
// an urgency order ranks at. fn is called one contact at a time, in
// order, but on a goroutine of the store's: it may keep the contact. Contacts are matched on their digests
// (view.Selection), so a contact's leads are read only when it is listed.
func (s *Store) ListContactsBy(f Filter, order view.Order, now time.Time, fn func(*Contact) error) error {
	return s.listContacts(f, order, now, listFull, fn)
}

// ListBrief is ListContactsBy for a listing that writes each contact out
// as it comes (list, list --json) and keeps nothing: a contact comes
// without the lists of its sources, actions, offers, countries and lead
// combinations, its search text or its history, and with leads (when
// withLeads) that hold only their ID, LeadSource, Source, Action, offer,
// Created and Timestamp times and flags. The Contact and its Leads slice
// are reused once fn returns: fn must not keep them (the strings in them
// it may keep).
func (s *Store) ListBrief(f Filter, order view.Order, now time.Time, withLeads bool, fn func(*Contact) error) error {
	mode := listBrief
	if withLeads {
		mode |= listLeads
	}
	return s.listContacts(f, order, now, mode, fn)
}

// listMode says what a listing reads of each contact.
type listMode uint8

const (
	listLeads listMode    = 1 << iota // the contact's leads
	listBrief                         // only what a listing writes, in reused memory
	listFull  = listLeads             // the whole contact and leads, fresh
)

func (s *Store) listContacts(f Filter, order view.Order, now time.Time, mode listMode, fn func(*Contact) error) error {
	names := s.names()
	err := s.db.View(func(tx *bolt.Tx) error {
		contacts := tx.Bucket(bContacts)
		// A contact's leads often share a block: read each block once.
		leads := &leadReader{lb: leadBucket{tx.Bucket(bLeads)}, cur: tx.Bucket(bLeads).Cursor()}
		var offers view.OfferNames
		if len(f.Offer) > 0 || order.NeedsOfferNames() {
			var err error
			if offers, err = offerNamesTx(contacts, names, nil); err != nil {
				return err
			}
		}
		sel, err := f.Resolve(names, offers)
		if err != nil {
			return err
		}
		var states map[[8]byte]view.State
		if sel.NeedsState() || order.NeedsState() {
			if states, err = statesTx(tx, f.Owner, nil); err != nil {
				return err
			}
		}
		at := now.Unix()
		places := newRecordPlaces(s.db.Info().Data, tx.Size(), contacts.Sequence())
		var dg Digest
		// The search text is a string of its own only when the query
		// or the order reads it; the codes are read into one slab.
		needText := sel.NeedsText() || order.NeedsText()
		slab := make([]Code, 0, 64)
		// each calls add with the sort key and seq of every contact that
		// passes the filter, in store order.
		each := func(add func(view.SortKey, uint64)) error {
			cur := contacts.Cursor()
			for k, v := cur.First(); k != nil; k, v = cur.Next() {
				seq := binary.BigEndian.Uint64(k)
				text, _, sl, err := decodeDigest(seq, v, &dg, slab[:0])
				if err != nil {
					return err
				}
				places.note(seq, v)
				slab, dg.Search = sl, ""
				if needText {
					dg.Search = string(text)
				}
				st := states[dg.ID]
				if !sel.Match(&dg, st) {
					continue
				}
				add(order.SortKey(&dg, st, at, dg.Search, offers[dg.LatestOffer], names.Name), seq)
			}
			return nil
		}
		n, seqAt, err := sortContacts(order, int(min(contacts.Sequence(), 1<<30)), each)
		if err != nil {
			return err
		}
		releaseMapped(s.db.Info().Data, tx.Size())
		return listInParts(tx, n, seqAt, places, names, leads, mode, s.db.Info().Data, fn)
	})
	if err == errStopIterator {
		return nil
	}
	return err
}

// sortContacts collects the sort key and seq of the contacts each finds
// and sorts them in order, ties by store order (older contact first);
// it returns how many there are and the seq of the i-th. The keys are all
// a listing holds for every contact, so they are as small as the order
// allows: 16 bytes a contact for recent and urgency, 24 for status and
// touches (ties by urgency), and the text besides for a text order. The
// result is the order Order.Compare gives: without a text, it compares
// N (reversed when the order is), then Urgency.
func sortContacts(order view.Order, capacity int, each func(add func(view.SortKey, uint64)) error) (int, func(int) uint64, error) {
	rev := order.IsReversed()
	capacity = min(capacity, 1<<20) // a guess: append grows it past that
	switch base := order.Base(); {
	case order.NeedsText():
		keys := make([]textKey, 0, capacity)
		err := each(func(k view.SortKey, seq uint64) { keys = append(keys, textKey{k, seq}) })
		slices.SortFunc(keys, func(a, b textKey) int {
			if c := order.Compare(a.key, b.key); c != 0 {
				return c
			}
			return cmp.Compare(a.seq, b.seq)
		})
		return len(keys), func(i int) uint64 { return keys[i].seq }, err
	case base == view.ByRecent || base == view.ByUrgency:
		// These keys' Urgency is always 0: N alone decides.
		keys := make([]numKey, 0, capacity)
		err := each(func(k view.SortKey, seq uint64) { keys = append(keys, numKey{k.N, seq}) })
		slices.SortFunc(keys, func(a, b numKey) int {
			c := cmp.Compare(a.n, b.n)
			if rev {
				c = -c
			}
			if c != 0 {
				return c
			}
			return cmp.Compare(a.seq, b.seq)
		})
		return len(keys), func(i int) uint64 { return keys[i].seq }, err
	default:
		keys := make([]rankKey, 0, capacity)
		err := each(func(k view.SortKey, seq uint64) { keys = append(keys, rankKey{k.N, k.Urgency, seq}) })
		slices.SortFunc(keys, func(a, b rankKey) int {
			c := cmp.Compare(a.n, b.n)
			if rev {
				c = -c
			}
			if c == 0 {
				c = cmp.Compare(a.urgency, b.urgency)
			}
			if c != 0 {
				return c
			}
			return cmp.Compare(a.seq, b.seq)
		})
		return len(keys), func(i int) uint64 { return keys[i].seq }, err
	}
}

// numKey is a listed contact in a recent or urgency order: its number in
// the order and its key in the store.
type numKey struct{ n, seq uint64 }

// rankKey is a listed contact in a status or touches order, whose ties
// go by urgency.
type rankKey struct{ n, urgency, seq uint64 }

// textKey is a listed contact in a text order (by name, company, ...),
// which holds the contact's text for it: the one cost of those orders
// over the others.
type textKey struct {
	key view.SortKey
	seq uint64
}

// listPart is how many contacts a listing reads at a time. The contacts
// of a part are looked up in the order they are stored, then their leads
// in the order those are stored, so the file is read forwards rather than
// at random (a 700 MB file read at random costs page faults three times
// over, and smaller parts cost more CPU: 4,096 took a third more than
// 16,384, and 32,768 a tenth less again). A part holds only where each record lies in the file: about
// 100 bytes a contact, so a large part costs little memory.
var listPart = 32768

// listKeepParts is how many parts a page stays mapped after the last part
// that read it: the parts in flight (the one being loaded, one waiting
// and one being decoded) must keep theirs, and a page that none of the
// last few parts read is likely to lie behind the listing (in file
// order), so dropping it keeps the resident set to a few parts' pages.
// More would keep more of a scattered order's pages mapped.
const listKeepParts = 4

// rawPart is one part of a listing as its loader finds it: where each
// contact's records lie in the file (slices of bbolt's mapping, valid
// while the transaction is open), in the listing's order. Its contacts
// are decoded one at a time as they are handed out.
type rawPart struct {
	seqs   []uint64 // the contacts' keys
	recs   [][]byte // their records
	triage [][]byte // their triage records; nil for an untouched contact
	first  []int32  // contact i's leads are leads[first[i]:first[i+1]]
	leads  [][]byte // the lead records
}

// listInParts loads and hands out the n contacts whose seqs seqAt gives,
// in that order, a part at a time. The loader (this goroutine) finds the
// records of one part while another goroutine decodes the part before and
// calls fn for each of its contacts, one call at a time: decoding and
// writing out a contact cost about as much as finding it. A brief
// listing decodes every contact into the same Contact.
func listInParts(tx *bolt.Tx, n int, seqAt func(int) uint64, places *recordPlaces, names view.Names, leads *leadReader, mode listMode, data uintptr, fn func(*Contact) error) error {
	// The loader sends a part only once the decoder has taken the one
	// before: the parts not yet decoded are the one the loader builds,
	// one waiting and one being decoded, whose pages readPages keeps.
	parts := make(chan *rawPart, 1)
	free := make(chan *rawPart, 2)
	done := make(chan error, 1)
	var stopped atomic.Bool
	go func() {
		d := partDecoder{names: names, mode: mode, fn: fn}
		var err error
		for p := range parts {
			if err == nil {
				err = d.part(p)
				if err != nil {
					stopped.Store(true)
				}
			}
			select {
			case free <- p:
			default: // the loader has enough, or is done
			}
		}
		done <- err
	}()
	err := loadParts(tx, n, seqAt, places, leads, data, mode&listLeads != 0, &stopped, parts, free)
	close(parts)
	if ferr := <-done; ferr != nil {
		return ferr
	}
	return err
}

// partDecoder decodes the contacts of raw parts and hands them to fn.
type partDecoder struct {
	names view.Names
	mode  listMode
	fn    func(*Contact) error
	// What a brief listing reuses from one contact to the next.
	c     Contact
	leads []Lead
	slab  []Code
	in    interner
}

// part decodes p's contacts in order and calls fn for each.
func (d *partDecoder) part(p *rawPart) error {
	brief := d.mode&listBrief != 0
	for i, seq := range p.seqs {
		c := &d.c
		var err error
		if brief {
			d.slab, err = decodeContactBrief(seq, p.recs[i], d.names, c, d.slab)
		} else {
			// A full listing's contacts are fresh, each on its own: fn
			// may keep one without holding a whole part.
			c = new(Contact)
			*c, err = decodeContact(seq, p.recs[i], d.names)
		}
		if err != nil {
			return err
		}
		if c.Triage, err = decodeTriage(c.ID, p.triage[i]); err != nil {
			return err
		}
		if d.mode&listLeads != 0 {
			recs := p.leads[p.first[i]:p.first[i+1]]
			if brief {
				if cap(d.leads) < len(recs) {
					d.leads = make([]Lead, len(recs))
				}
				c.Leads = d.leads[:len(recs)]
			} else {
				c.Leads = make([]Lead, len(recs))
			}
			for j, v := range recs {
				if brief {
					err = decodeLeadBrief(v, &c.Leads[j], &d.in)
				} else {
					c.Leads[j], err = decodeLeadRaw(v, false)
				}
				if err != nil {
					return err
				}
			}
		}
		if err := d.fn(c); err != nil {
			return err
		}
	}
	return nil
}

// loadParts finds the records of the n contacts of seqAt a part at a time
// and sends each part, until stop is set. It takes its parts from free
// when one is there. withLeads says whether the leads are wanted too.
func loadParts(tx *bolt.Tx, n int, seqAt func(int) uint64, places *recordPlaces, leads *leadReader, data uintptr, withLeads bool, stop *atomic.Bool, parts chan<- *rawPart, free <-chan *rawPart) error {
	contacts := tx.Bucket(bContacts)
	// One cursor for every triage lookup: Get makes one for each.
	triaged := tx.Bucket(bTriage).Cursor()
	type want struct {
		seq      uint64
		contact  int32
		position int32
	}
	var (
		byStore []int32
		wants   []want
		refs    []uint64
		id      [16]byte
	)
	pages := newReadPages(data, tx.Size())
	var head []byte // the last lead block header noted
	for start := 0; start < n && !stop.Load(); start += listPart {
		// Drop from the resident set what no part in flight reads and
		// no recent part read, so a full listing does not hold the
		// whole file: in the file's order that is what lies behind
		// the listing; in an order unrelated to the file's, parts go
		// on reading most pages, and mapping a page again costs more
		// than decoding what is on it.
		part := uint32(start/listPart) + 1
		if part > uint32(listKeepParts) {
			pages.release(part - uint32(listKeepParts))
		}
		head = nil
		m := min(listPart, n-start)
		var p *rawPart
		select {
		case p = <-free:
		default:
			p = &rawPart{}
		}
		p.seqs = p.seqs[:0]
		byStore = byStore[:0]
		for i := range m {
			p.seqs = append(p.seqs, seqAt(start+i))
			byStore = append(byStore, int32(i))
		}
		slices.SortFunc(byStore, func(a, b int32) int { return cmp.Compare(p.seqs[a], p.seqs[b]) })
		p.recs = slices.Grow(p.recs[:0], m)[:m]
		p.triage = slices.Grow(p.triage[:0], m)[:m]
		p.first = slices.Grow(p.first[:0], m+1)[:m+1]
		wants = wants[:0]
		for _, i := range byStore {
			seq := p.seqs[i]
			v := places.record(seq)
			if v == nil {
				v = contacts.Get(u64(seq))
			}
			if v == nil {
				return fmt.Errorf("contact #%d vanished: %w", seq, errCorrupt)
			}
			var err error
			if refs, err = contactLeadSeqs(v, refs[:0]); err != nil {
				return err
			}
			p.recs[i] = v
			hex.Encode(id[:], v[1:9]) // the contact's ID, which triage is kept under
			p.triage[i] = nil
			if k, t := triaged.Seek(id[:]); bytes.Equal(k, id[:]) {
				p.triage[i] = t
			}
			pages.read(v, part)
			pages.read(p.triage[i], part)
			p.first[i+1] = 0
			if !withLeads {
				continue
			}
			p.first[i+1] = int32(len(refs))
			for j, r := range refs {
				wants = append(wants, want{r, i, int32(j)})
			}
		}
		// Counts to offsets: contact i's leads start where i-1's end.
		p.first[0] = 0
		for i := 1; i <= m; i++ {
			p.first[i] += p.first[i-1]
		}
		p.leads = slices.Grow(p.leads[:0], len(wants))[:len(wants)]
		slices.SortFunc(wants, func(a, b want) int { return cmp.Compare(a.seq, b.seq) })
		for _, w := range wants {
			v, err := leads.lead(w.seq)
			if err != nil {
				return err
			}
			if v == nil {
				return fmt.Errorf("contact points at missing lead: %w", errCorrupt)
			}
			p.leads[p.first[w.contact]+w.position] = v
			pages.read(v, part)
			if h := leads.head; len(h) > 0 && (len(head) == 0 || &h[0] != &head[0]) {
				head = h
				pages.read(h, part)
			}
		}
		parts <- p
	}
	return nil
}

// OfferNames returns the display name of every offer of the digests, as
// the read model names offers (view.OfferNamer): how the inbox learns the
// names it lists offers by, and matches an offer filter with.
func (s *Store) OfferNames(dg []Digest) (view.OfferNames, error) {
	var out view.OfferNames
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		out, err = offerNamesTx(tx.Bucket(bContacts), s.names(), dg)
		return err
	})
	return out, err
}

// offerNamesTx names the offers of dg, or of every contact when dg is nil
// (reading their digests, without the search text).
func offerNamesTx(contacts *bolt.Bucket, names view.Names, dg []Digest) (view.OfferNames, error) {
	var namer view.OfferNamer
	if dg != nil {
		for i := range dg {
			namer.Add(&dg[i])
		}
	} else {
		var d Digest
		slab := make([]Code, 0, 64)
		cur := contacts.Cursor()
		for k, v := cur.First(); k != nil; k, v = cur.Next() {
			var err error
			// The digest's codes are not kept: reuse one slab.
			if _, _, slab, err = decodeDigest(binary.BigEndian.Uint64(k), v, &d, slab[:0]); err != nil {
				return nil, fmt.Errorf("contact %x: %w", k, err)
			}
			namer.Add(&d)
		}
	}
	codes, seqs := namer.Picks()
	out := make(view.OfferNames, len(codes))
	for i, seq := range seqs {
		v := contacts.Get(u64(seq))
		if v == nil {
			return nil, fmt.Errorf("contact #%d: %w", seq, ErrNotFound)
		}
		c, err := decodeContact(seq, v, names)
		if err != nil {
			return nil, err
		}
		if c.LatestOfferName != "" {
			out[codes[i]] = c.LatestOfferName
		}
	}
	return out, nil
}

// ErrStop may be returned by a ListContacts callback to end early.
var ErrStop = errStopIterator

// Contact returns a contact with its leads, triage state and history, by
// contact ID, a unique prefix of one (at least 6 digits), or an email
// address.
func (s *Store) Contact(ref string) (*Contact, error) {
	ref = strings.TrimSpace(ref)
	var out *Contact
	err := s.db.View(func(tx *bolt.Tx) error {
		seq, err := resolveContact(tx, ref)
		if err != nil {
			return err
		}
		v := tx.Bucket(bContacts).Get(u64(seq))
		if v == nil {
			return fmt.Errorf("contact %s: %w", ref, ErrNotFound)
		}
		c, err := decodeContact(seq, v, s.names())
		if err != nil {
			return err
		}
		if c.Leads, err = loadRefs(leadBucket{tx.Bucket(bLeads)}, c.refs); err != nil {
			return err
		}
		if c.Triage, err = getTriage(tx, c.ID); err != nil {
			return err
		}
		if c.History, err = history(tx, c.ID); err != nil {
			return err
		}
		out = &c
		return nil
	})
	return out, err
}

// ContactsBySeq returns the contacts (without leads) for the given
// sequence numbers, in the same order: how the inbox fetches the display
// fields of the rows on screen.
func (s *Store) ContactsBySeq(seqs []uint64) ([]Contact, error) {
	out := make([]Contact, len(seqs))
	names := s.names()
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bContacts)
		for i, seq := range seqs {
			v := b.Get(u64(seq))
			if v == nil {
				return fmt.Errorf("contact #%d: %w", seq, ErrNotFound)
			}
			c, err := decodeContact(seq, v, names)
			if err != nil {
				return err
			}
			out[i] = c
		}
		return nil
	})
	return out, err
}

func resolveContact(tx *bolt.Tx, ref string) (uint64, error) {
	ids := tx.Bucket(bContactIdx)
	if strings.Contains(ref, "@") {
		if seq, ok := lookupRuns(ids, idBytes(ContactIDForEmail(ref))); ok {
			return seq, nil
		}
		return 0, fmt.Errorf("no contact with email %q: %w", ref, ErrNotFound)
	}
	ref = strings.ToLower(ref)
	if len(ref) < 6 || len(ref) > 16 {
		return 0, fmt.Errorf("%q is not a contact ID (16 hex digits, or at least the first 6) or an email: %w", ref, ErrNotFound)
	}
	// A prefix of an odd number of hex digits matches on the even part
	// and then checks the last digit.
	even := ref[:len(ref)&^1]
	p, err := hex.DecodeString(even)
	if err != nil {
		return 0, fmt.Errorf("%q is not a contact ID or an email: %w", ref, ErrNotFound)
	}
	var found []uint64
	for k, seq := range prefixRuns(ids, p) {
		if !strings.HasPrefix(hex.EncodeToString(k[:]), ref) {
			continue
		}
		found = append(found, seq)
		if len(found) > 1 {
			return 0, fmt.Errorf("%q matches several contacts; give more digits: %w", ref, ErrAmbiguousID)
		}
	}
	if len(found) == 0 {
		return 0, fmt.Errorf("no contact with ID %s: %w", ref, ErrNotFound)
	}
	return found[0], nil
}

// Counts summarises the database for status lines and checks.
type Counts struct {
	Leads    int
	Contacts int
}

// Generation returns a number that changes whenever a write of this
// process stores a new lead or changes one: the inbox compares it before
// and after a sync to know whether to read the leads again, whatever the
// sync reports. No other process can write while this one holds the file.
// A sync that found nothing new still writes its progress; that leaves
// the number as it was, so the inbox does not reload for nothing.
func (s *Store) Generation() uint64 { return s.leadsGen.Load() }

// Empty reports whether the store holds no leads.
func (s *Store) Empty() (bool, error) {
	empty := true
	err := s.db.View(func(tx *bolt.Tx) error {
		k, _ := tx.Bucket(bLeads).Cursor().First()
		empty = k == nil
		return nil
	})
	return empty, err
}

// Count returns how many leads and contacts are stored.
func (s *Store) Count() (Counts, error) {
	var c Counts
	err := s.db.View(func(tx *bolt.Tx) (err error) {
		c.Leads, err = leadBucket{tx.Bucket(bLeads)}.count()
		c.Contacts = tx.Bucket(bContacts).Stats().KeyN
		return err
	})
	return c, err
}

// CheckFilter resolves f against the dictionary without listing anything,
// so that a command can refuse a value that names nothing (a
// *view.ValueError) before it writes any output.
func (s *Store) CheckFilter(f Filter) error {
	_, err := f.Resolve(s.names(), nil)
	return err
}
