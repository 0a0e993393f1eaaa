package store

import (
	"errors"
	"os"
	"slices"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Several leads processes share one database while keeping bbolt's single
// writer: the inbox holds the file, and another command that finds it
// locked asks the inbox (over a Unix socket, see package handoff) to let
// go. The inbox then Suspends its Store: the transaction running finishes,
// bbolt is closed and its lock released, and every store call made
// meanwhile waits at the gate below. When the other command is done the
// inbox Resumes: it reopens the file (waiting on the lock) and reloads
// what this Store keeps in memory about it, then reads its index again.
//
// Reopening on request rather than around every operation keeps the
// inbox's calls as fast as before: a full Open at a million leads checks
// the whole file first, which would be paid on every key press.

// gate is the bolt handle behind a gate that Suspend can close. Calls do
// not queue behind a Suspend that is waiting for the running transaction
// to end, so a call made inside a transaction (nested) never deadlocks;
// they wait only while the file is actually let go.
type gate struct {
	mu     sync.Mutex
	cond   sync.Cond
	db     *bolt.DB
	active int
	shut   bool  // let go: calls wait for Resume
	err    error // why the last Resume failed: calls return it
	txid   int   // the file's last transaction when it was let go
	roots  [3]uint64
}

// Resumed says what other processes wrote while a Store was suspended.
type Resumed struct {
	// Changed: the file was written at all. A reader such as 'leads
	// list' leaves it as it was, and the inbox need not read it again.
	Changed bool
	// Leads: leads, contacts or the dictionary may have changed. When
	// only the triage state and history did ('leads mark'), the inbox
	// keeps its digests and reads the triage state alone.
	Leads bool
}

// leadRoots are the root pages of the buckets the inbox's digests come
// from (leads, contacts), and the last code the dictionary handed out.
// bbolt copies a bucket's root on every write to it, so equal roots mean
// an unchanged bucket; a bucket small enough to live inside its parent
// has no page of its own (0) and counts as changed. Codes are only ever
// added, so their counter says whether the dictionary grew.
func leadRoots(tx *bolt.Tx) [3]uint64 {
	var r [3]uint64
	for i, name := range [][]byte{bLeads, bContacts} {
		if b := tx.Bucket(name); b != nil {
			r[i] = uint64(b.Root())
		}
	}
	if b := tx.Bucket(bCodes); b != nil {
		r[2] = b.Sequence()
	}
	return r
}

func newGate(db *bolt.DB) *gate {
	g := &gate{db: db}
	g.cond.L = &g.mu
	return g
}

// errClosed is a call on a Store after Close.
var errClosed = errors.New("closed")

func (g *gate) enter() (*bolt.DB, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for g.shut && g.err == nil {
		g.cond.Wait()
	}
	if g.err != nil {
		return nil, g.err
	}
	g.active++
	return g.db, nil
}

func (g *gate) leave() {
	g.mu.Lock()
	g.active--
	if g.active == 0 {
		g.cond.Broadcast()
	}
	g.mu.Unlock()
}

// View runs a read-only transaction once the file is held.
func (g *gate) View(fn func(*bolt.Tx) error) error {
	db, err := g.enter()
	if err != nil {
		return err
	}
	defer g.leave()
	return db.View(fn)
}

// Update runs a read-write transaction once the file is held.
func (g *gate) Update(fn func(*bolt.Tx) error) error {
	db, err := g.enter()
	if err != nil {
		return err
	}
	defer g.leave()
	return db.Update(func(tx *bolt.Tx) error {
		// The rank column follows the contacts in the same commit.
		defer rankForget(tx)
		if err := fn(tx); err != nil {
			return err
		}
		return rankFlush(tx)
	})
}

// Info is bbolt's Info of the file held now.
func (g *gate) Info() *bolt.Info {
	db, err := g.enter()
	if err != nil {
		return &bolt.Info{}
	}
	defer g.leave()
	return db.Info()
}

// swap puts next in place of the handle (a compaction's new file) and
// returns the old one; the caller is inside the gate.
func (g *gate) swap(next *bolt.DB) *bolt.DB {
	g.mu.Lock()
	defer g.mu.Unlock()
	old := g.db
	g.db = next
	return old
}

// Close closes the file for good; calls after it fail.
func (g *gate) Close() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	for g.active > 0 {
		g.cond.Wait()
	}
	if g.err == errClosed {
		return nil
	}
	wasShut := g.shut
	g.shut, g.err = true, errClosed
	g.cond.Broadcast()
	if wasShut {
		return nil
	}
	return g.db.Close()
}

// Suspend lets go of the file for another leads process: it waits for the
// running transaction (and the write in progress, which holds the index
// lock across its transactions) to end, closes bbolt, and holds every
// store call made from then on until Resume. Suspending a suspended
// Store does nothing.
func (s *Store) Suspend() error {
	s.idx.mu.Lock()
	defer s.idx.mu.Unlock()
	g := s.db
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.shut {
		return g.err
	}
	for g.active > 0 {
		g.cond.Wait()
	}
	if err := g.db.View(func(tx *bolt.Tx) error {
		g.txid, g.roots = tx.ID(), leadRoots(tx)
		return nil
	}); err != nil {
		return err
	}
	g.shut = true
	return g.db.Close()
}

// Resume takes the file back after Suspend, waiting for its lock as long
// as another process holds it; say is called once a second of waiting
// with how long it has waited, so the caller can tell the rep why. It
// reloads what the Store keeps in memory about the file: another process
// may have stored leads, added names to the dictionary or filed the leads
// this one stored. The calls held meanwhile then go on. If the file cannot
// be opened again, they fail with the reason. It reports what was written
// meanwhile.
func (s *Store) Resume(say func(waited time.Duration)) (r Resumed, err error) {
	s.idx.mu.Lock()
	defer s.idx.mu.Unlock()
	g := s.db
	g.mu.Lock()
	shut, gerr := g.shut, g.err
	g.mu.Unlock()
	if !shut || gerr == errClosed {
		return r, nil
	}
	start := time.Now()
	var db *bolt.DB
	for {
		// The file is checked again as Open does: a process killed
		// while it wrote must not leave bbolt a page it would crash on.
		err := verifyFile(s.path)
		if err == nil {
			o := *s.bopt
			o.Timeout = time.Second
			var held os.FileInfo
			db, held, err = openCurrent(s.path, &o)
			if err == nil {
				s.setHeld(held)
			}
		}
		if err == nil {
			break
		}
		if !errors.Is(err, ErrInUse) {
			g.mu.Lock()
			g.err = &OpenError{Path: s.path, Err: ErrDamaged, Hint: hintFor(ErrDamaged)}
			var oe *OpenError
			if errors.As(err, &oe) {
				g.err = oe
			}
			g.cond.Broadcast()
			g.mu.Unlock()
			return r, g.err
		}
		if say != nil {
			say(time.Since(start))
		}
	}
	if err := s.loadDictFrom(db); err != nil {
		_ = db.Close()
		g.mu.Lock()
		g.err = &OpenError{Path: s.path, Err: ErrDamaged, Hint: hintFor(ErrDamaged)}
		g.cond.Broadcast()
		g.mu.Unlock()
		return r, g.err
	}
	if err := db.View(func(tx *bolt.Tx) error {
		roots := leadRoots(tx)
		r.Changed = tx.ID() != g.txid
		r.Leads = r.Changed && (roots != g.roots || slices.Contains(roots[:2], 0))
		return nil
	}); err != nil {
		r = Resumed{Changed: true, Leads: true}
	}
	s.idx.invalidate()
	s.pending = nil // Fold reads what is still unfiled from the file
	s.leadsGen.Add(1)
	g.mu.Lock()
	g.db, g.shut = db, false
	g.cond.Broadcast()
	g.mu.Unlock()
	// Leads another process stored and could not file (it was killed)
	// are filed now, as Open would.
	if !s.bopt.ReadOnly {
		if _, err := s.fold(); err != nil {
			s.foldErr = err
		}
	}
	return r, nil
}
