package store

import (
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
		leads := &leadReader{lb: leadBucket{tx.Bucket(bLeads)}}
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
		keys := make([]listKey, 0, contacts.Sequence())
		at := now.Unix()
		var dg Digest
		// The search text is a string of its own only when the query
		// or the order reads it; the codes are read into one slab.
		needText := sel.NeedsText() || order.NeedsText()
		slab := make([]Code, 0, 64)
		cur := contacts.Cursor()
		for k, v := cur.First(); k != nil; k, v = cur.Next() {
			seq := binary.BigEndian.Uint64(k)
			text, _, sl, err := decodeDigest(seq, v, &dg, slab[:0])
			if err != nil {
				return err
			}
			slab, dg.Search = sl, ""
			if needText {
				dg.Search = string(text)
			}
			st := states[dg.ID]
			if !sel.Match(&dg, st) {
				continue
			}
			keys = append(keys, listKey{order.SortKey(&dg, st, at, dg.Search, offers[dg.LatestOffer], names.Name), seq})
		}
		releaseMapped(s.db.Info().Data, tx.Size())
		slices.SortFunc(keys, func(a, b listKey) int {
			if c := order.Compare(a.key, b.key); c != 0 {
				return c
			}
			return cmp.Compare(a.seq, b.seq)
		})
		return listInParts(tx, keys, names, leads, mode, s.db.Info().Data, fn)
	})
	if err == errStopIterator {
		return nil
	}
	return err
}

// listKey is one listed contact: where it sorts, and its key in the store.
// A text order (by name, company, ...) holds the contact's text for it
// besides, the one cost of those orders over recent and urgency.
type listKey struct {
	key view.SortKey
	seq uint64
}

// listPart is how many contacts a listing reads at a time. The contacts
// of a part are read in the order they are stored, then their leads in
// the order those are stored, so the file is read forwards rather than
// at random (a 700 MB file read at random costs page faults three times
// over); the part is then handed out in the listing's order. A part's
// contacts and leads, a few tens of megabytes, are all a listing holds.
var listPart = 16384

// listReleaseEvery is how many parts a listing reads between two drops
// of the file's pages from its resident set: four parts touch a few
// hundred megabytes of the file at most, no more than the pass that
// sorts the contacts maps anyway.
const listReleaseEvery = 4

// listInParts loads and hands out the contacts of keys, in keys' order,
// a part at a time. fn runs on a goroutine of its own, one call at a time,
// so that while it writes out one part (JSON, for a full listing, costs
// as much as reading) the next part is read on the other core. A brief
// listing's parts go back to the loader once written, to be filled again.
func listInParts(tx *bolt.Tx, keys []listKey, names view.Names, leads *leadReader, mode listMode, data uintptr, fn func(*Contact) error) error {
	parts := make(chan *listBatch, 1)
	free := make(chan *listBatch, 2)
	done := make(chan error, 1)
	var stopped atomic.Bool
	go func() {
		var err error
		for p := range parts {
			for i := 0; i < len(p.cs) && err == nil; i++ {
				err = fn(&p.cs[i])
			}
			if err != nil {
				stopped.Store(true)
			}
			if mode&listBrief != 0 {
				select {
				case free <- p:
				default: // the loader has enough, or is done
				}
			}
		}
		done <- err
	}()
	err := loadParts(tx, keys, names, leads, mode, data, &stopped, parts, free)
	close(parts)
	if ferr := <-done; ferr != nil {
		return ferr
	}
	return err
}

// listBatch is one part of a listing: its contacts, and the leads they
// point into.
type listBatch struct {
	cs    []Contact
	leads []Lead
}

// loadParts reads the contacts of keys a part at a time and sends each
// part, until stop is set. A brief listing takes its batches from free
// when one is there.
func loadParts(tx *bolt.Tx, keys []listKey, names view.Names, leads *leadReader, mode listMode, data uintptr, stop *atomic.Bool, parts chan<- *listBatch, free <-chan *listBatch) error {
	contacts := tx.Bucket(bContacts)
	brief := mode&listBrief != 0
	type want struct {
		seq      uint64
		contact  int32
		position int32
	}
	var (
		byStore []int
		wants   []want
		slab    []Code
		in      interner
	)
	for start := 0; start < len(keys) && !stop.Load(); start += listPart {
		part := keys[start:min(start+listPart, len(keys))]
		byStore = byStore[:0]
		for i := range part {
			byStore = append(byStore, i)
		}
		slices.SortFunc(byStore, func(a, b int) int { return cmp.Compare(part[a].seq, part[b].seq) })
		// A full listing's contacts are fresh each part: fn may keep them.
		p := &listBatch{}
		if brief {
			select {
			case p = <-free:
			default:
			}
		}
		if cap(p.cs) < len(part) {
			p.cs = make([]Contact, len(part))
		}
		p.cs = p.cs[:len(part)]
		cs := p.cs
		wants = wants[:0]
		nleads := 0
		for _, i := range byStore {
			seq := part[i].seq
			v := contacts.Get(u64(seq))
			if v == nil {
				return fmt.Errorf("contact #%d vanished: %w", seq, errCorrupt)
			}
			var err error
			c := &cs[i]
			if brief {
				slab, err = decodeContactBrief(seq, v, names, c, slab)
			} else {
				*c, err = decodeContact(seq, v, names)
			}
			if err != nil {
				return err
			}
			if c.Triage, err = getTriage(tx, c.ID); err != nil {
				return err
			}
			if mode&listLeads == 0 {
				continue
			}
			for j, r := range c.refs {
				wants = append(wants, want{r.seq, int32(i), int32(j)})
			}
			nleads += len(c.refs)
		}
		if mode&listLeads != 0 {
			// One slab of leads for the part, cut into each contact's.
			if !brief || cap(p.leads) < nleads {
				p.leads = make([]Lead, nleads)
			}
			slab := p.leads[:nleads]
			for i := range cs {
				n := len(cs[i].refs)
				cs[i].Leads, slab = slab[:n:n], slab[n:]
			}
		}
		slices.SortFunc(wants, func(a, b want) int { return cmp.Compare(a.seq, b.seq) })
		for _, w := range wants {
			v, err := leads.lead(w.seq)
			if err != nil {
				return err
			}
			if v == nil {
				return fmt.Errorf("contact points at missing lead: %w", errCorrupt)
			}
			l := &cs[w.contact].Leads[w.position]
			if brief {
				err = decodeLeadBrief(v, l, &in)
			} else {
				*l, err = decodeLeadRaw(v, false)
			}
			if err != nil {
				return err
			}
		}
		// What was read is copied into cs: drop it from the resident set,
		// so a full listing does not hold the whole file. Not after every
		// part: the next parts read many of the same pages (the B-tree's
		// branches, blocks of leads of several parts), and mapping a page
		// again costs more than decoding what is on it.
		if n := start/listPart + 1; n%listReleaseEvery == 0 {
			releaseMapped(data, tx.Size())
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
