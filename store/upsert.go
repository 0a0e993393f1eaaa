package store

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"time"

	bolt "go.etcd.io/bbolt"
)

// UpsertResult counts what one upsert did with its leads.
type UpsertResult struct {
	New       int
	Updated   int
	Unchanged int
	// Forgotten counts leads skipped because their person asked to be
	// forgotten.
	Forgotten int
}

// Add adds o's counts to r.
func (r *UpsertResult) Add(o UpsertResult) {
	r.New += o.New
	r.Updated += o.Updated
	r.Unchanged += o.Unchanged
	r.Forgotten += o.Forgotten
}

// UpsertOptions tune Upsert.
type UpsertOptions struct {
	// DryRun does all the work and counting, then rolls back.
	DryRun bool
	// SyncKey and SyncState, when SyncKey is set, are stored in the same
	// transaction as the leads, so a resumed sync starts exactly after the
	// last committed page.
	SyncKey   string
	SyncState []byte
	// AllowForgotten lets leads of forgotten people back in.
	AllowForgotten bool
}

var errDryRun = errors.New("dry run")

// Upsert stores a batch of leads in one transaction. A lead whose ID is
// already stored with the same content is unchanged; with other content it
// is updated. Triage state is never touched. IDs left empty are filled in.
func (s *Store) Upsert(leads []Lead, opt UpsertOptions) (UpsertResult, error) {
	var res UpsertResult
	var dt *dictTx
	err := s.db.Update(func(tx *bolt.Tx) error {
		res = UpsertResult{}
		dt = s.newDictTx(tx)
		u := newUpserter(s, tx, dt)
		for i := range leads {
			if err := u.put(&leads[i], opt.AllowForgotten, &res); err != nil {
				return err
			}
		}
		if err := u.flush(); err != nil {
			return err
		}
		if opt.SyncKey != "" {
			if err := tx.Bucket(bSync).Put([]byte(opt.SyncKey), opt.SyncState); err != nil {
				return err
			}
		}
		if opt.DryRun {
			return errDryRun
		}
		return nil
	})
	if errors.Is(err, errDryRun) {
		return res, nil
	}
	if err != nil {
		return UpsertResult{}, writeErr(err)
	}
	dt.commit()
	return res, nil
}

// writeErr turns storage failures into one-line messages.
func writeErr(err error) error {
	if isNoSpace(err) {
		return fmt.Errorf("the disk is full: nothing from this batch was saved; free some space and run the same command again")
	}
	return err
}

// SyncState returns the stored resume state for key, or nil.
func (s *Store) SyncState(key string) ([]byte, error) {
	var out []byte
	err := s.db.View(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bSync).Get([]byte(key)); v != nil {
			out = bytes.Clone(v)
		}
		return nil
	})
	return out, err
}

// SetSyncState stores the resume state for key on its own.
func (s *Store) SetSyncState(key string, state []byte) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bSync).Put([]byte(key), state)
	})
}

type contactWork struct {
	c         Contact
	existed   bool
	oldLast   time.Time
	recompute bool
	hot       int64
}

type upserter struct {
	s                                                       *Store
	tx                                                      *bolt.Tx
	dt                                                      *dictTx
	leads, leadIDs, contacts, contactIDs, funnel, forgotten *bolt.Bucket
	work                                                    map[uint64]*contactWork
	order                                                   []uint64
	buf                                                     []byte
	lastTest                                                int64
	fkey                                                    []byte
	anyForgotten                                            bool
}

func newUpserter(s *Store, tx *bolt.Tx, dt *dictTx) *upserter {
	u := &upserter{
		s: s, tx: tx, dt: dt,
		leads:      tx.Bucket(bLeads),
		leadIDs:    tx.Bucket(bLeadIDs),
		contacts:   tx.Bucket(bContacts),
		contactIDs: tx.Bucket(bContactIDs),
		funnel:     tx.Bucket(bFunnel),
		forgotten:  tx.Bucket(bForgotten),
		work:       map[uint64]*contactWork{},
	}
	// Sequence-keyed buckets only ever grow at the end: full pages waste
	// nothing and halve the file.
	u.leads.FillPercent = 1.0
	u.contacts.FillPercent = 1.0
	tx.Bucket(bDigest).FillPercent = 1.0
	if v := tx.Bucket(bMeta).Get(kLastTest); len(v) == 8 {
		u.lastTest = int64(binary.BigEndian.Uint64(v))
	} else {
		u.lastTest = math.MinInt64
	}
	u.fkey = s.forgetKey(tx)
	if k, _ := u.forgotten.Cursor().First(); k != nil {
		u.anyForgotten = true
	}
	return u
}

func (u *upserter) put(l *Lead, allowForgotten bool, res *UpsertResult) error {
	if l.ID == "" {
		l.ID = l.ComputeID()
	}
	if !allowForgotten && u.anyForgotten {
		if email := NormalizeEmail(l.Customer.Email); email != "" && u.forgotten.Get(forgetHash(u.fkey, email)) != nil {
			res.Forgotten++
			return nil
		}
	}
	idk := idBytes(l.ID)
	rec := encodeLead(&u.buf, l)
	if l.IsTest && !l.Created.IsZero() && l.Created.UnixNano() > u.lastTest {
		u.lastTest = l.Created.UnixNano()
	}
	v := u.leadIDs.Get(idk[:])
	if v == nil {
		seq, err := u.leads.NextSequence()
		if err != nil {
			return err
		}
		if err := u.leads.Put(u64(seq), rec); err != nil {
			return err
		}
		if err := u.leadIDs.Put(idk[:], u64(seq)); err != nil {
			return err
		}
		cw, err := u.contactFor(l)
		if err != nil {
			return err
		}
		cw.c.merge(l)
		cw.noteHot(l)
		if err := u.funnel.Put(funnelKey(cw.c.Seq, l.Created, seq), nil); err != nil {
			return err
		}
		res.New++
		return nil
	}
	seq := binary.BigEndian.Uint64(v)
	old := u.leads.Get(u64(seq))
	oldContent, err := leadContent(old)
	if err != nil {
		return fmt.Errorf("lead %s: %w", l.ID, err)
	}
	newContent, _ := leadContent(rec)
	if bytes.Equal(oldContent, newContent) {
		res.Unchanged++
		return nil
	}
	oldLead, err := decodeLead(old)
	if err != nil {
		return fmt.Errorf("lead %s: %w", l.ID, err)
	}
	if err := u.leads.Put(u64(seq), rec); err != nil {
		return err
	}
	oldCW, err := u.contactFor(&oldLead)
	if err != nil {
		return err
	}
	newCW, err := u.contactFor(l)
	if err != nil {
		return err
	}
	if err := u.funnel.Delete(funnelKey(oldCW.c.Seq, oldLead.Created, seq)); err != nil {
		return err
	}
	if err := u.funnel.Put(funnelKey(newCW.c.Seq, l.Created, seq), nil); err != nil {
		return err
	}
	oldCW.recompute, newCW.recompute = true, true
	res.Updated++
	return nil
}

func (cw *contactWork) noteHot(l *Lead) {
	if l.Action == ActionContactMe || l.Action == ActionStartTestDrive {
		if t := unixOrZero(l.Created); t > cw.hot {
			cw.hot = t
		}
	}
}

// contactFor finds or creates the contact a lead belongs to and loads it
// into the batch's working set.
func (u *upserter) contactFor(l *Lead) (*contactWork, error) {
	cid := l.ContactID()
	idk := idBytes(cid)
	var seq uint64
	if v := u.contactIDs.Get(idk[:]); v != nil {
		seq = binary.BigEndian.Uint64(v)
	} else {
		var err error
		if seq, err = u.contacts.NextSequence(); err != nil {
			return nil, err
		}
		if err := u.contactIDs.Put(idk[:], u64(seq)); err != nil {
			return nil, err
		}
	}
	if cw, ok := u.work[seq]; ok {
		return cw, nil
	}
	cw := &contactWork{}
	if v := u.contacts.Get(u64(seq)); v != nil {
		c, err := decodeContact(seq, v)
		if err != nil {
			return nil, fmt.Errorf("contact %s: %w", cid, err)
		}
		cw.c, cw.existed, cw.oldLast = c, true, c.Last
		if d := u.tx.Bucket(bDigest).Get(u64(seq)); d != nil {
			var dg Digest
			if decodeDigest(seq, d, &dg) == nil {
				cw.hot = dg.Hot
			}
		}
	} else {
		cw.c = Contact{ID: cid, Seq: seq}
	}
	u.work[seq] = cw
	u.order = append(u.order, seq)
	return cw, nil
}

// flush writes every contact the batch touched, with its digest and its
// place in the activity index.
func (u *upserter) flush() error {
	digest := u.tx.Bucket(bDigest)
	activity := u.tx.Bucket(bActivity)
	for _, seq := range u.order {
		cw := u.work[seq]
		if cw.recompute {
			if err := u.rebuild(cw); err != nil {
				return err
			}
		}
		if cw.existed {
			if err := activity.Delete(activityKey(cw.oldLast, seq)); err != nil {
				return err
			}
		}
		if cw.c.LeadCount == 0 {
			// Every lead moved to another contact (its email changed).
			idk := idBytes(cw.c.ID)
			for _, err := range []error{u.contacts.Delete(u64(seq)), digest.Delete(u64(seq)), u.contactIDs.Delete(idk[:])} {
				if err != nil {
					return err
				}
			}
			continue
		}
		if err := u.contacts.Put(u64(seq), encodeContact(&cw.c)); err != nil {
			return err
		}
		if err := digest.Put(u64(seq), buildDigest(&cw.c, cw.hot, u.dt)); err != nil {
			return err
		}
		if err := activity.Put(activityKey(cw.c.Last, seq), nil); err != nil {
			return err
		}
	}
	if u.lastTest != math.MinInt64 {
		return u.tx.Bucket(bMeta).Put(kLastTest, u64(uint64(u.lastTest)))
	}
	return nil
}

// rebuild recomputes a contact from its leads, for when a lead changed or
// moved and a plain merge could not undo the old values.
func (u *upserter) rebuild(cw *contactWork) error {
	leads, err := contactLeads(u.tx, cw.c.Seq)
	if err != nil {
		return err
	}
	c := Contact{ID: cw.c.ID, Seq: cw.c.Seq}
	cw.hot = 0
	for i := range leads {
		c.merge(&leads[i])
		cw.noteHot(&leads[i])
	}
	cw.c = c
	return nil
}

// contactLeads returns a contact's leads in time order.
func contactLeads(tx *bolt.Tx, seq uint64) ([]Lead, error) {
	var out []Lead
	leads := tx.Bucket(bLeads)
	c := tx.Bucket(bFunnel).Cursor()
	prefix := u64(seq)
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		if len(k) != 24 {
			return nil, errCorrupt
		}
		v := leads.Get(k[16:24])
		if v == nil {
			return nil, fmt.Errorf("funnel points at missing lead: %w", errCorrupt)
		}
		l, err := decodeLead(v)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, nil
}

func funnelKey(cseq uint64, created time.Time, lseq uint64) []byte {
	k := make([]byte, 24)
	binary.BigEndian.PutUint64(k, cseq)
	// Offset so that times before 1970 still sort correctly.
	binary.BigEndian.PutUint64(k[8:], uint64(unixNanoOrZero(created))^(1<<63))
	binary.BigEndian.PutUint64(k[16:], lseq)
	return k
}

func activityKey(last time.Time, cseq uint64) []byte {
	k := make([]byte, 16)
	binary.BigEndian.PutUint64(k, ^(uint64(unixNanoOrZero(last)) ^ (1 << 63)))
	binary.BigEndian.PutUint64(k[8:], cseq)
	return k
}

func unixOrZero(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}

func unixNanoOrZero(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// idBytes turns a 16-hex-digit ID into its 8 bytes; other strings (never
// produced by this package, but possible in damaged data) are hashed down.
func idBytes(id string) [8]byte {
	var out [8]byte
	if len(id) == 16 {
		if _, err := hex.Decode(out[:], []byte(id)); err == nil {
			return out
		}
	}
	sum := sha256Sum([]byte(id))
	copy(out[:], sum[:8])
	return out
}
