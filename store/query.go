package store

import (
	"cmp"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"

	bolt "go.etcd.io/bbolt"
)

// Filter selects contacts. Each set field must match at least one of the
// contact's leads (case-insensitively); set fields combine with AND.
type Filter struct {
	Source  string
	Action  string
	Offer   string // offer ID or offer name
	Status  string
	Country string
	// Query is free text matched against name, email, company, title and
	// descriptions; every word of it must occur.
	Query string
	// IncludeTest shows Microsoft's test leads, which are hidden by default.
	IncludeTest bool
}

// Match reports whether a contact (with Triage set) passes the filter.
func (f *Filter) Match(c *Contact) bool {
	if c.IsTest && !f.IncludeTest {
		return false
	}
	if f.Source != "" && !anyFold(c.Sources, f.Source) {
		return false
	}
	if f.Action != "" && !anyFold(c.Actions, f.Action) {
		return false
	}
	if f.Offer != "" && !anyFold(c.Offers, f.Offer) && !strings.EqualFold(c.LatestOfferName, f.Offer) {
		if !c.matchOfferName(f.Offer) {
			return false
		}
	}
	if f.Country != "" && !anyFold(c.Countries, f.Country) {
		return false
	}
	if f.Status != "" && !strings.EqualFold(string(c.Triage.Status), f.Status) {
		return false
	}
	if !c.Matches(f.Query) {
		return false
	}
	return true
}

// matchOfferName checks the loaded leads' offer names, when present.
func (c *Contact) matchOfferName(name string) bool {
	for i := range c.Leads {
		if strings.EqualFold(c.Leads[i].OfferName, name) {
			return true
		}
	}
	return false
}

func anyFold(ss []string, v string) bool {
	for _, s := range ss {
		if strings.EqualFold(s, v) {
			return true
		}
	}
	return false
}

// ListContacts calls fn for every contact that passes f, most recent
// activity first, with its leads and triage state loaded. The leads come
// without their raw records, which no listing shows; Contact has them. It
// streams: only a 16-byte sort key per contact and the current contact are
// in memory.
func (s *Store) ListContacts(f Filter, fn func(*Contact) error) error {
	names := s.names()
	err := s.db.View(func(tx *bolt.Tx) error {
		contacts := tx.Bucket(bContacts)
		leads := leadBucket{tx.Bucket(bLeads)}
		type key struct {
			last int64
			seq  uint64
		}
		keys := make([]key, 0, contacts.Sequence())
		var dg Digest
		cur := contacts.Cursor()
		for k, v := cur.First(); k != nil; k, v = cur.Next() {
			seq := binary.BigEndian.Uint64(k)
			if _, err := decodeDigestPart(seq, v, &dg); err != nil {
				return err
			}
			if dg.Flags&FlagTest != 0 && !f.IncludeTest {
				continue
			}
			keys = append(keys, key{dg.Last, seq})
		}
		releaseMapped(s.db.Info().Data, tx.Size())
		slices.SortFunc(keys, func(a, b key) int {
			if a.last != b.last {
				return cmp.Compare(b.last, a.last)
			}
			return cmp.Compare(a.seq, b.seq)
		})
		for i, k := range keys {
			if i%2000 == 1999 {
				// A full listing reads the whole file once: drop what was
				// read from the resident set as it goes.
				releaseMapped(s.db.Info().Data, tx.Size())
			}
			v := contacts.Get(u64(k.seq))
			if v == nil {
				return fmt.Errorf("contact #%d vanished: %w", k.seq, errCorrupt)
			}
			c, err := decodeContact(k.seq, v, names)
			if err != nil {
				return err
			}
			if c.Triage, err = getTriage(tx, c.ID); err != nil {
				return err
			}
			// Offer names are only on the leads: load them before matching.
			if c.Leads, err = loadRefsRaw(leads, c.refs, false); err != nil {
				return err
			}
			if !f.Match(&c) {
				continue
			}
			if err := fn(&c); err != nil {
				return err
			}
		}
		return nil
	})
	if err == errStopIterator {
		return nil
	}
	return err
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
