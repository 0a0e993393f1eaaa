package store

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
)

// bSession holds the rep's unfinished follow-up session (the inbox's W
// key, 'leads session'): the queue of contact IDs, how far the rep got and
// what each step did, so that a session stopped with q, a closed terminal
// or a crash resumes where it stopped. Created on first use; one key.
var bSession = []byte("session")

// kSession is the one key of bSession.
var kSession = []byte("current")

// Session is a follow-up session as the store keeps it. The queue holds
// contact IDs only; the outcomes hold no lead text, only what the rep did
// (and a lost reason the rep typed), and forget removes the person's.
type Session struct {
	// View is the view the session was taken from, as the rep named it.
	View    string    `json:"view"`
	Started time.Time `json:"started"`
	// Queue is the contacts to work, in urgency order; Pos is the next
	// one to show (len(Queue) when the session is through).
	Queue []string `json:"queue"`
	Pos   int      `json:"pos"`
	// Outcomes is what each step did, in order.
	Outcomes []SessionOutcome `json:"outcomes,omitempty"`
}

// SessionOutcome is what one step of a session did with a contact.
type SessionOutcome struct {
	ID string `json:"id"`
	// Kind is the outcome: sent, logged, snoozed, status, closed or
	// skipped (the session's own words, see tui/session.go).
	Kind string `json:"kind"`
	// Note says more: the skip's reason, the new status.
	Note string `json:"note,omitempty"`
	// Undone: the rep undid the change later in the session, so the
	// summary no longer counts it.
	Undone bool `json:"undone,omitempty"`
}

// Done reports whether every contact of the queue had its turn.
func (s *Session) Done() bool { return s.Pos >= len(s.Queue) }

// LoadSession returns the unfinished session, or nil when there is none.
func (s *Store) LoadSession() (*Session, error) {
	var out *Session
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bSession)
		if b == nil {
			return nil
		}
		v := b.Get(kSession)
		if v == nil {
			return nil
		}
		var ses Session
		if err := json.Unmarshal(v, &ses); err != nil {
			return fmt.Errorf("the saved follow-up session is unreadable (%v): start a new one", err)
		}
		ses.Pos = min(max(ses.Pos, 0), len(ses.Queue))
		out = &ses
		return nil
	})
	return out, err
}

// SaveSession keeps ses as the unfinished session, replacing any other.
func (s *Store) SaveSession(ses Session) error {
	v, err := json.Marshal(ses)
	if err != nil {
		return err
	}
	err = s.db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bSession)
		if err != nil {
			return err
		}
		return b.Put(kSession, v)
	})
	return writeErr(err)
}

// EndSession removes the saved session: it was worked through, or the
// rep started another.
func (s *Store) EndSession() error {
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bSession)
		if b == nil {
			return nil
		}
		return b.Delete(kSession)
	})
	return writeErr(err)
}

// forgetInSession takes contact cid out of the saved session: its place in
// the queue (the position moves back if it was before it) and its
// outcomes. Run inside forget's transaction.
func forgetInSession(tx *bolt.Tx, cid string) error {
	b := tx.Bucket(bSession)
	if b == nil {
		return nil
	}
	v := b.Get(kSession)
	if v == nil {
		return nil
	}
	var ses Session
	if err := json.Unmarshal(v, &ses); err != nil {
		// Unreadable, so nobody could resume it: it goes whole, and the
		// person with it.
		return b.Delete(kSession)
	}
	if !slices.Contains(ses.Queue, cid) && !slices.ContainsFunc(ses.Outcomes, func(o SessionOutcome) bool { return o.ID == cid }) {
		return nil
	}
	q := ses.Queue[:0:0]
	pos := ses.Pos
	for i, id := range ses.Queue {
		if id == cid {
			if i < ses.Pos {
				pos--
			}
			continue
		}
		q = append(q, id)
	}
	ses.Queue, ses.Pos = q, max(pos, 0)
	ses.Outcomes = slices.DeleteFunc(ses.Outcomes, func(o SessionOutcome) bool { return o.ID == cid })
	out, err := json.Marshal(ses)
	if err != nil {
		return err
	}
	return b.Put(kSession, out)
}
