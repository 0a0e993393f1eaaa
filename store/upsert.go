package store

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/maphash"
	"math"
	"slices"
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
	// Older counts leads left as stored because the stored copy changed
	// later (its Timestamp is newer); they count as unchanged too.
	Older int
	// NewAt holds, with UpsertOptions.ListNew, the indexes in the batch
	// of the leads stored as new, in batch order.
	NewAt []int
}

// Add adds o's counts to r.
func (r *UpsertResult) Add(o UpsertResult) {
	r.New += o.New
	r.Updated += o.Updated
	r.Unchanged += o.Unchanged
	r.Forgotten += o.Forgotten
	r.Older += o.Older
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
	// DeferContacts stores new leads without filing them into their
	// contacts; the caller must call Fold after its last batch (see
	// fold.go). Ignored in a dry run.
	DeferContacts bool
	// ListNew fills UpsertResult.NewAt, for callers that act on each new
	// lead ('leads watch' raises a notification); off, an import of a
	// million leads keeps no list it does not need.
	ListNew bool
}

var errDryRun = errors.New("dry run")

// Upsert stores a batch of leads in one transaction. A lead whose ID is
// already stored with the same content is unchanged; with other content it
// is updated. Triage state is never touched. IDs left empty are filled in.
func (s *Store) Upsert(leads []Lead, opt UpsertOptions) (UpsertResult, error) {
	defer s.leadsWritten() // after the write, committed or not (see tallyCache)
	var res UpsertResult
	var dt *dictTx
	var u *upserter
	// The ID maps change with the file: no other writer in this process
	// may run between this transaction and folding its changes in.
	s.idx.mu.Lock()
	defer s.idx.mu.Unlock()
	deferred := opt.DeferContacts && !opt.DryRun
	if !deferred {
		s.sums = importSums{}
	}
	if !deferred && len(s.pending) > 0 {
		// Every other write sees whole contacts.
		if _, err := s.fold(); err != nil {
			return UpsertResult{}, err
		}
	}
	// Once this batch is written, the memory its leads were prepared in
	// can be used again (batches come in the order they were prepared).
	if n := len(leads); n > 0 {
		defer leads[n-1].prep.wrote()
	}
	err := s.db.Update(func(tx *bolt.Tx) error {
		res = UpsertResult{}
		dt = s.newDictTx(tx)
		var err error
		if u, err = newUpserter(s, tx, dt); err != nil {
			return err
		}
		u.deferContacts = deferred
		for i := range leads {
			was := res.New
			if err := u.put(&leads[i], opt.AllowForgotten, &res); err != nil {
				return err
			}
			if opt.ListNew && res.New > was {
				res.NewAt = append(res.NewAt, i)
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
	if u != nil {
		// The transaction is over: bbolt no longer holds the values.
		defer u.giveBack(&s.idx.spare)
	}
	if err != nil && u != nil {
		u.leadIDs.rollback()
		u.contactIDs.rollback()
	}
	if err != nil {
		s.sums = importSums{} // some were of leads the rollback took back
	}
	if errors.Is(err, errDryRun) {
		return res, nil
	}
	if err != nil {
		return UpsertResult{}, writeErr(err)
	}
	dt.commit()
	u.leadIDs.committed()
	u.contactIDs.committed()
	s.pending = append(s.pending, u.deferred...)
	if res.New+res.Updated > 0 {
		s.leadsGen.Add(1)
	}
	// Imports touch most of the file once; keep those pages out of the
	// process's resident set.
	s.ReleaseMapped()
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
	recompute bool
	// room for a new contact's first source, action, offer and country,
	// and for its first lead combination, which would otherwise be five
	// small allocations per contact
	room      [4]string
	comboRoom [1]LeadCombo
}

type upserter struct {
	s                   *Store
	tx                  *bolt.Tx
	dt                  *dictTx
	leads, contacts     *bolt.Bucket
	leadIDs, contactIDs *idTx
	forgotten           *bolt.Bucket
	names               []string
	work                *idMap // workKey(contact seq) -> index in cws, plus one
	cws                 []*contactWork
	slab                []contactWork   // where work's entries live
	slabs               [][]contactWork // full slabs before slab
	freeSlabs           [][]contactWork // cleared slabs to use next
	order               []uint64
	scratch             leadScratch
	arena               arena // records waiting for the commit
	contentBuf          []byte
	lastTest            int64
	fkey                []byte
	anyForgotten        bool
	now                 time.Time
	// New leads waiting to be written as one block: their sequence
	// numbers (rising) and records, and the block's size so far.
	pendSeqs []uint64
	pendRecs [][]byte
	pendSize int
	blockMax int // leadBlockMax for this file's page size
	// stored reads stored leads and keeps the block it read last: a
	// second import of a file asks for leads in the order they were
	// stored, forty-odd from each block in a row.
	stored leadReader
	// deferContacts leaves new leads for Fold, listed in deferred.
	deferContacts bool
	deferred      []foldEntry
	// movedTo names, for each contact that lost a lead to another contact
	// (its address changed), the contact the lead went to: the rep's work
	// on a contact left with no leads follows them there.
	movedTo map[string]string
}

func newUpserter(s *Store, tx *bolt.Tx, dt *dictTx) (_ *upserter, err error) {
	u := &upserter{
		s: s, tx: tx, dt: dt,
		leads:      tx.Bucket(bLeads),
		stored:     leadReader{lb: leadBucket{tx.Bucket(bLeads)}},
		contacts:   tx.Bucket(bContacts),
		leadIDs:    newIDTx(&s.idx.leads, tx, &s.idx.rw),
		contactIDs: newIDTx(&s.idx.contacts, tx, nil),
		forgotten:  tx.Bucket(bForgotten),
		names:      s.names(),
		now:        time.Now().UTC(),
		blockMax:   leadBlockMax(s.db.Info().PageSize),
	}
	u.take(&s.idx.spare)
	// Sequence-keyed buckets grow at the end: full pages waste nothing.
	// Contact pages keep a little room, for the leads Fold adds to their
	// contacts later (see contactFill).
	u.leads.FillPercent = 1.0
	u.contacts.FillPercent = contactFill
	if v := tx.Bucket(bMeta).Get(kLastTest); len(v) == 8 {
		u.lastTest = int64(binary.BigEndian.Uint64(v))
	} else {
		u.lastTest = math.MinInt64
	}
	if k, _ := u.forgotten.Cursor().First(); k != nil {
		u.anyForgotten = true
		if u.fkey, err = s.forgetKey(tx); err != nil {
			return nil, err
		}
	}
	return u, nil
}

func (u *upserter) put(l *Lead, allowForgotten bool, res *UpsertResult) error {
	err := u.putLead(l, allowForgotten, res)
	// What was prepared for the lead may be reused once the batch is
	// written: the lead must not point at it after.
	l.prep = nil
	return err
}

func (u *upserter) putLead(l *Lead, allowForgotten bool, res *UpsertResult) error {
	if l.ID == "" {
		l.ID = l.ComputeID()
	}
	if !allowForgotten && u.anyForgotten {
		if isForgotten(u.forgotten, u.fkey, l.Customer.Email) {
			res.Forgotten++
			return nil
		}
	}
	if l.IsTest && !l.When().IsZero() && l.When().UnixNano() > u.lastTest {
		u.lastTest = l.When().UnixNano()
	}
	var idk [8]byte
	if l.prep != nil {
		idk = l.prep.idKey
	} else {
		idk = idBytes(l.ID)
	}
	seq, found := u.leadIDs.get(idk)
	if !found {
		var rec []byte
		if p := l.prepFull(); p != nil {
			rec = p.rec
		} else {
			if l.Received.IsZero() {
				l.Received = u.now
			}
			rec = encodeLead(&u.scratch, l, &u.arena)
		}
		var err error
		if seq, err = u.leads.NextSequence(); err != nil {
			return err
		}
		if err := u.addNew(seq, rec); err != nil {
			return err
		}
		u.leadIDs.put(idk, seq)
		if p := l.prepFull(); p != nil && u.deferContacts {
			u.s.sums.put(seq, p.sum)
		}
		if u.deferContacts {
			// A lead of a contact stored by an earlier batch waits for
			// Fold; one of a new contact, or of one this batch already
			// holds, is filed now, where it costs an append.
			var ck [8]byte
			if p := l.prepFull(); p != nil {
				ck = p.cidKey
			} else {
				ck = idBytes(l.ContactID())
			}
			if cs, found := u.contactIDs.get(ck); found {
				if _, here := u.work.get(workKey(cs)); !here {
					if len(u.deferred) == 0 {
						if err := markUnfolded(u.tx, seq); err != nil {
							return err
						}
					}
					u.deferred = append(u.deferred, foldEntry{seq, ck, cs})
					res.New++
					return nil
				}
			}
		}
		cw, err := u.contactFor(l)
		if err != nil {
			return err
		}
		if cw.c.merge(l) {
			cw.recompute = true
		}
		cw.c.addRef(leadRef{when: unixNanoOrZero(l.When()), seq: seq})
		res.New++
		return nil
	}
	if l.prep != nil && u.deferContacts && u.s.sums.same(seq, l.prep.sum) {
		// A row repeated in the file, stored by an earlier batch of this
		// import: the same content, known without reading the stored
		// lead from wherever it lies in the file.
		res.Unchanged++
		return nil
	}
	old, err := u.lead(seq)
	if err != nil {
		return err
	}
	oldContent, err := leadContent(old)
	if err != nil {
		return fmt.Errorf("lead %s: %w", l.ID, err)
	}
	// Re-importing a file is mostly unchanged leads: compare the content
	// part alone before decoding anything.
	var content []byte
	if l.prep != nil {
		content = l.prep.content
	} else {
		u.contentBuf = encodeContent(u.contentBuf[:0], l)
		content = u.contentBuf
	}
	if bytes.Equal(oldContent, content) {
		res.Unchanged++
		return nil
	}
	oldLead, err := decodeLead(old)
	if err != nil {
		return fmt.Errorf("lead %s: %w", l.ID, err)
	}
	// A table entity's Timestamp is its last change: an older copy (a CSV
	// exported before the entity changed, imported after a sync) must not
	// undo the newer one, which an incremental sync would never read again.
	if !l.Timestamp.IsZero() && l.Timestamp.Before(oldLead.Timestamp) {
		res.Unchanged++
		res.Older++
		return nil
	}
	// The first sighting stays the received time.
	l.Received = oldLead.Received
	var rec []byte
	if p := l.prepFull(); p != nil {
		// The reader may have let go of the raw fields of a lead it had
		// encoded (see Encoded): the prepared record still holds them.
		full, err := decodeLead(p.rec)
		if err != nil {
			return fmt.Errorf("lead %s: %w", l.ID, err)
		}
		full.Received = l.Received
		rec = encodeLead(&u.scratch, &full, &u.arena)
	} else {
		rec = encodeLead(&u.scratch, l, &u.arena)
	}
	if err := u.replace(seq, rec); err != nil {
		return err
	}
	oldCW, err := u.contactFor(&oldLead)
	if err != nil {
		return err
	}
	oldCW.c.dropRef(seq)
	oldCW.recompute = true
	newCW, err := u.contactFor(l)
	if err != nil {
		return err
	}
	if newCW != oldCW {
		if u.movedTo == nil {
			u.movedTo = map[string]string{}
		}
		u.movedTo[oldCW.c.ID] = newCW.c.ID
	}
	newCW.c.addRef(leadRef{when: unixNanoOrZero(l.When()), seq: seq})
	newCW.recompute = true
	res.Updated++
	return nil
}

// contactFor finds or creates the contact a lead belongs to and loads it
// into the batch's working set.
func (u *upserter) contactFor(l *Lead) (*contactWork, error) {
	var cid string
	var idk [8]byte
	if p := l.prepFull(); p != nil {
		cid, idk = p.contactID, p.cidKey
	} else {
		cid = l.ContactID()
		idk = idBytes(cid)
	}
	seq, found := u.contactIDs.get(idk)
	if !found {
		var err error
		if seq, err = u.contacts.NextSequence(); err != nil {
			return nil, err
		}
		u.contactIDs.put(idk, seq)
	}
	if i, ok := u.work.get(workKey(seq)); ok {
		return u.cws[i-1], nil
	}
	if len(u.slab) == cap(u.slab) {
		u.nextSlab()
	}
	u.slab = u.slab[:len(u.slab)+1]
	cw := &u.slab[len(u.slab)-1]
	// A contact numbered just now cannot be stored yet: looking it up
	// would only walk the tree to miss, once for every new contact.
	var v []byte
	if found {
		v = u.contacts.Get(u64(seq))
	}
	if v != nil {
		c, err := decodeContact(seq, v, u.names)
		if err != nil {
			return nil, fmt.Errorf("contact %s: %w", cid, err)
		}
		cw.c = c
	} else {
		cw.c = Contact{ID: cid, Seq: seq}
		cw.c.Sources, cw.c.Actions = cw.room[0:0:1], cw.room[1:1:2]
		cw.c.Offers, cw.c.Countries = cw.room[2:2:3], cw.room[3:3:4]
		cw.c.Combos = cw.comboRoom[0:0:1]
	}
	u.cws = append(u.cws, cw)
	u.work.put(workKey(seq), uint64(len(u.cws)))
	u.order = append(u.order, seq)
	return cw, nil
}

// workKey spreads a contact's sequence number over all 64 bits for the
// batch's map of contacts, which places entries by their top bits. Left
// as they are, sequence numbers would all share one home; placed by their
// low bits, the contacts numbered in this batch take one unbroken run of
// slots, and every contact of an earlier batch whose home falls inside it
// probes to its end: with leads in table order (a person's leads days
// apart), that made a first import of a million leads 14% slower.
// Multiplying by an odd number keeps distinct numbers distinct.
func workKey(seq uint64) uint64 { return seq * 0x9E3779B97F4A7C15 }

// upsertSpare is what one write leaves for the next: the room its records
// and contacts took. An import would otherwise allocate it all again for
// every batch, some 50 MB a batch, and the collector would run twice as
// often to take it back.
type upsertSpare struct {
	arena    arena
	slabs    [][]contactWork
	work     *idMap
	cws      []*contactWork
	order    []uint64
	pendSeqs []uint64
	pendRecs [][]byte
}

// slabKeep is the most contact slabs kept for the next write: a batch of
// 20,000 new leads needs about 15.
const slabKeep = 16

// take starts the upserter with what the last write left.
func (u *upserter) take(sp *upsertSpare) {
	u.arena, sp.arena = sp.arena, arena{}
	u.arena.reuse = true
	u.freeSlabs, sp.slabs = sp.slabs, nil
	u.work, sp.work = sp.work, nil
	if u.work == nil {
		u.work = newIDMap(0)
	}
	u.cws, u.order = sp.cws[:0], sp.order[:0]
	u.pendSeqs, u.pendRecs = sp.pendSeqs[:0], sp.pendRecs[:0]
}

// giveBack leaves the upserter's room for the next write, emptied: a
// cleared slab or list keeps nothing of this batch alive. Only once the
// transaction is over, as bbolt holds on to every value until then.
func (u *upserter) giveBack(sp *upsertSpare) {
	u.arena.reset()
	sp.arena = u.arena
	if cap(u.slab) > 0 {
		u.slabs = append(u.slabs, u.slab)
	}
	free := u.freeSlabs
	for _, sl := range u.slabs {
		if len(free) < slabKeep {
			clear(sl)
			free = append(free, sl[:0])
		}
	}
	sp.slabs = free
	u.work.reset()
	sp.work = u.work
	clear(u.cws)
	clear(u.pendRecs)
	sp.cws, sp.order = u.cws[:0], u.order[:0]
	sp.pendSeqs, sp.pendRecs = u.pendSeqs[:0], u.pendRecs[:0]
	*u = upserter{}
}

// nextSlab starts a new slab of contact work.
func (u *upserter) nextSlab() {
	if cap(u.slab) > 0 {
		u.slabs = append(u.slabs, u.slab)
	}
	if k := len(u.freeSlabs); k > 0 {
		u.slab = u.freeSlabs[k-1]
		u.freeSlabs[k-1] = nil
		u.freeSlabs = u.freeSlabs[:k-1]
		return
	}
	u.slab = make([]contactWork, 0, 1024)
}

// flush writes every contact the batch touched and the ID indexes.
func (u *upserter) flush() error {
	if err := u.writeBlock(); err != nil {
		return err
	}
	if err := u.leadIDs.write(); err != nil {
		return err
	}
	// Sequence order is key order for the contacts bucket.
	slices.Sort(u.order)
	cws := make([]*contactWork, len(u.order))
	cs := make([]*Contact, len(u.order))
	for k, seq := range u.order {
		i, _ := u.work.get(workKey(seq))
		cw := u.cws[i-1]
		if cw.recompute {
			// Reads leads through the transaction: before the search
			// texts are built on another goroutine.
			if err := u.rebuild(cw); err != nil {
				return err
			}
		}
		cws[k], cs[k] = cw, &cw.c
	}
	built, done := searchAhead(cs)
	defer done()
	for k, seq := range u.order {
		cw := cws[k]
		built(k)
		if len(cw.c.refs) == 0 {
			// Every lead moved to another contact (its email changed).
			u.contactIDs.del(idBytes(cw.c.ID))
			if err := u.contacts.Delete(u64(seq)); err != nil {
				return err
			}
			rankDel(u.tx, seq)
			if to, ok := u.movedTo[cw.c.ID]; ok {
				if err := moveUserData(u.tx, cw.c.ID, to, u.now); err != nil {
					return err
				}
			}
			continue
		}
		rec := encodeContact(&cw.c, u.dt, &u.arena)
		if u.dt.err != nil {
			return u.dt.err
		}
		if err := u.contacts.Put(u64(seq), rec); err != nil {
			return err
		}
		rankPut(u.tx, seq, rec)
	}
	if err := u.contactIDs.write(); err != nil {
		return err
	}
	if u.lastTest != math.MinInt64 {
		return u.tx.Bucket(bMeta).Put(kLastTest, u64(uint64(u.lastTest)))
	}
	return nil
}

// rebuild recomputes a contact from its leads, for when a lead changed or
// moved and a plain merge could not undo the old values.
func (u *upserter) rebuild(cw *contactWork) error {
	leads, err := loadRefs(u, cw.c.refs)
	if err != nil {
		return err
	}
	c := Contact{ID: cw.c.ID, Seq: cw.c.Seq, refs: cw.c.refs}
	for i := range leads {
		c.merge(&leads[i])
	}
	cw.c = c
	return nil
}

// addNew stores the record of a new lead, whose sequence number is above
// every stored one: it joins the block being built, which is written when
// full or at the end of the batch.
func (u *upserter) addNew(seq uint64, rec []byte) error {
	if n := len(u.pendSeqs); n > 0 && u.pendSize+leadBlockSize(seq-u.pendSeqs[n-1], rec) > u.blockMax {
		if err := u.writeBlock(); err != nil {
			return err
		}
	}
	delta := uint64(0)
	if n := len(u.pendSeqs); n > 0 {
		delta = seq - u.pendSeqs[n-1]
	} else {
		u.pendSize = 1 + binary.MaxVarintLen32 // tag and count
	}
	size := leadBlockSize(delta, rec)
	u.pendSeqs = append(u.pendSeqs, seq)
	u.pendRecs = append(u.pendRecs, rec)
	u.pendSize += size
	return nil
}

// writeBlock writes the waiting new leads: one alone as a single value,
// several as a block.
func (u *upserter) writeBlock() error {
	n := len(u.pendSeqs)
	if n == 0 {
		return nil
	}
	var v []byte
	if n == 1 {
		v = u.pendRecs[0]
	} else {
		v = u.arena.keep(appendLeadBlock(u.arena.take(u.pendSize), u.pendSeqs, u.pendRecs))
	}
	if err := u.leads.Put(u64(u.pendSeqs[0]), v); err != nil {
		return err
	}
	u.pendSeqs, u.pendRecs = u.pendSeqs[:0], u.pendRecs[:0]
	clear(u.pendRecs[:n])
	return nil
}

// pending returns the index of lead seq among the waiting new leads.
func (u *upserter) pending(seq uint64) (int, bool) {
	if len(u.pendSeqs) == 0 || seq < u.pendSeqs[0] {
		return 0, false
	}
	return slices.BinarySearch(u.pendSeqs, seq)
}

// lead returns the record of lead seq, waiting or stored, or nil.
func (u *upserter) lead(seq uint64) ([]byte, error) {
	if i, ok := u.pending(seq); ok {
		return u.pendRecs[i], nil
	}
	return u.stored.lead(seq)
}

// replace stores a changed lead's new record.
func (u *upserter) replace(seq uint64, rec []byte) error {
	// The lead's content changes: a later repeat of the old content must
	// be compared with what is stored, wherever the lead sits.
	u.s.sums.forget(seq)
	if i, ok := u.pending(seq); ok {
		// Only the record's length can change the block's size.
		u.pendSize += len(rec) - len(u.pendRecs[i]) + uvarintLen(uint64(len(rec))) - uvarintLen(uint64(len(u.pendRecs[i])))
		u.pendRecs[i] = rec
		return nil
	}
	// The block read last may be the one this takes apart.
	u.stored.forget()
	return leadBucket{u.leads}.put(seq, rec)
}

// leadGetter reads lead records by sequence number.
type leadGetter interface {
	lead(seq uint64) ([]byte, error)
}

// lead lets a leadBucket serve loadRefs.
func (lb leadBucket) lead(seq uint64) ([]byte, error) { return lb.get(seq) }

// loadRefs reads a contact's leads in time order, with their raw records.
func loadRefs(leads leadGetter, refs []leadRef) ([]Lead, error) {
	return loadRefsRaw(leads, refs, true)
}

// loadRefsRaw is loadRefs with the raw records only when withRaw.
func loadRefsRaw(leads leadGetter, refs []leadRef, withRaw bool) ([]Lead, error) {
	out := make([]Lead, 0, len(refs))
	for _, r := range refs {
		v, err := leads.lead(r.seq)
		if err != nil {
			return nil, err
		}
		if v == nil {
			return nil, fmt.Errorf("contact points at missing lead: %w", errCorrupt)
		}
		l, err := decodeLeadRaw(v, withRaw)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, nil
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

// contentSeed keys contentSum: chosen when the process starts, so no row
// can be made to collide with another on purpose.
var contentSeed = maphash.MakeSeed()

// contentSum is a 64-bit digest of a lead's content part.
func contentSum(content []byte) uint64 { return maphash.Bytes(contentSeed, content) }

// importSums keeps the content digest of each lead the running import
// stored, by sequence number (they are consecutive), so that a row
// repeated later in the file is found unchanged without reading the
// stored lead back: in table or shuffled order the first copy lies in
// another part of the file, and reading 12,000 repeats of a million-row
// file cost the writer 0.8 s. A digest is dropped when its lead is
// changed, and all of them when the import's leads are filed (Fold) or a
// write that is not an import's runs; guarded by idx.mu.
type importSums struct {
	base uint64   // the sequence number of sums[0]
	sums []uint64 // 0: not known
}

// put records the digest of new lead seq.
func (is *importSums) put(seq, sum uint64) {
	if len(is.sums) == 0 {
		is.base = seq
	}
	if seq < is.base || seq-is.base != uint64(len(is.sums)) {
		*is = importSums{} // not consecutive: stop keeping them
		return
	}
	is.sums = append(is.sums, sum)
}

// same reports whether lead seq was stored by this import with the
// content whose digest is sum.
func (is *importSums) same(seq, sum uint64) bool {
	i := seq - is.base
	return seq >= is.base && i < uint64(len(is.sums)) && is.sums[i] != 0 && is.sums[i] == sum
}

// forget drops the digest of lead seq, which is being changed.
func (is *importSums) forget(seq uint64) {
	if i := seq - is.base; seq >= is.base && i < uint64(len(is.sums)) {
		is.sums[i] = 0
	}
}
