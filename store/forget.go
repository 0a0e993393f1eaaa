package store

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// ForgetResult says what Forget removed.
type ForgetResult struct {
	// Found is false when nothing was stored about the address; it is
	// recorded as forgotten all the same.
	Found       bool
	Leads       int
	Notes       int
	Events      int
	DraftFiles  []string // draft files deleted (or already gone)
	SizeBefore  int64
	SizeAfter   int64
	ContactID   string
	AlreadyKept bool // the address was already recorded as forgotten
}

// Forget removes everything held about the person with this email: their
// leads and contact record with the ID index entries, triage state, notes,
// history and the draft files the app wrote. It then compacts the file so
// the removed bytes are gone from it (bbolt only marks deleted pages free;
// their old contents stay readable until reused), and records a keyed hash
// of the address so later imports and syncs skip the person unless told
// otherwise.
//
// The erasure is recorded as pending before anything is deleted and is
// done only once the compacted file is in place: if it is cut off (a
// kill, a full disk, a folder leads may not write in), the next open that
// may write finishes it (see erase.go). Erasures left by earlier commands
// are finished here too.
func (s *Store) Forget(email string, now time.Time) (ForgetResult, error) {
	defer s.leadsWritten()
	email = NormalizeEmail(email)
	var res ForgetResult
	if email == "" || !strings.Contains(email, "@") || strings.ContainsAny(email, "\n\r") {
		return res, fmt.Errorf("%q is not an email address: forget takes the person's email", email)
	}
	res.ContactID = ContactIDForEmail(email)
	if fi, err := os.Stat(s.path); err == nil {
		res.SizeBefore = fi.Size()
	}
	kept, err := s.markForget(email, now)
	if err != nil {
		return res, writeErr(err)
	}
	res.AlreadyKept = kept
	done, _, err := s.finishErasure()
	if r, ok := done[email]; ok {
		r.SizeBefore, r.AlreadyKept = res.SizeBefore, res.AlreadyKept
		res = r
	}
	if err != nil {
		return res, err
	}
	if fi, err := os.Stat(s.path); err == nil {
		res.SizeAfter = fi.Size()
	}
	return res, nil
}

// markForget records the address as forgotten (a keyed hash, kept for
// good) and as an erasure to carry out (the address, until it is done),
// in one transaction that deletes nothing yet. It reports whether the
// address was recorded as forgotten before.
func (s *Store) markForget(email string, now time.Time) (bool, error) {
	var kept bool
	err := s.db.Update(func(tx *bolt.Tx) error {
		key, err := s.forgetKey(tx)
		if err != nil {
			return err
		}
		fb := tx.Bucket(bForgotten)
		kept = isForgotten(fb, key, email)
		if err := fb.Put(forgetHash(key, email), []byte(now.UTC().Format(time.RFC3339))); err != nil {
			return err
		}
		people := pendingForgets(tx)
		if !slices.Contains(people, email) {
			people = append(people, email)
		}
		return putPendingForgets(tx, people)
	})
	return kept, err
}

// IsForgotten reports whether an address was recorded by Forget.
func (s *Store) IsForgotten(email string) (bool, error) {
	var out bool
	err := s.db.View(func(tx *bolt.Tx) error {
		key, err := s.forgetKey(tx)
		out = isForgotten(tx.Bucket(bForgotten), key, email)
		return err
	})
	return out, err
}

func bytesToU64(b []byte) uint64 {
	var v uint64
	for _, c := range b {
		v = v<<8 | uint64(c)
	}
	return v
}

func unwrapPathErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// idDeletes gathers one transaction's removals from the ID indexes, so
// that they are written as one run per index however many contacts go.
type idDeletes struct{ leads, contacts map[[8]byte]uint64 }

func newIDDeletes() *idDeletes {
	return &idDeletes{leads: map[[8]byte]uint64{}, contacts: map[[8]byte]uint64{}}
}

// write takes the IDs out of every run of both indexes. Marking them
// deleted in a new run would keep the old entries in the file, and a
// contact's ID is a plain hash of its address: anyone holding the file
// and a guess could check that the forgotten person was there.
func (d *idDeletes) write(tx *bolt.Tx) error {
	if err := removeFromRuns(tx.Bucket(bLeadIdx), d.leads); err != nil {
		return err
	}
	return removeFromRuns(tx.Bucket(bContactIdx), d.contacts)
}

// deleteContact removes a contact record and every lead it refers to, and
// adds their ID index removals to del. It returns how many leads went.
func (s *Store) deleteContact(tx *bolt.Tx, seq uint64, cid string, del *idDeletes) (int, error) {
	contacts, leads, leadIdx := tx.Bucket(bContacts), leadBucket{tx.Bucket(bLeads)}, tx.Bucket(bLeadIdx)
	v := contacts.Get(u64(seq))
	n := 0
	if v != nil {
		c, err := decodeContact(seq, v, s.names())
		if err != nil {
			return 0, fmt.Errorf("contact %s: %w", cid, err)
		}
		for _, r := range c.refs {
			lv, err := leads.get(r.seq)
			if err != nil {
				return 0, err
			}
			if lv == nil {
				continue
			}
			l, err := decodeLead(lv)
			if err != nil {
				return 0, fmt.Errorf("lead #%d: %w", r.seq, err)
			}
			// Only drop the index entry if it still points at this lead.
			k := idBytes(l.ID)
			if iv, ok := lookupRuns(leadIdx, k); ok && iv == r.seq {
				del.leads[k] = noSeq
			}
			if err := leads.del(r.seq); err != nil {
				return 0, err
			}
			n++
		}
		if err := contacts.Delete(u64(seq)); err != nil {
			return 0, err
		}
		rankDel(tx, seq)
	}
	del.contacts[idBytes(cid)] = noSeq
	return n, nil
}

// deleteUserData removes a contact's triage state, history (with the
// reply excerpts in it), draft file records, recorded Message-IDs, its
// calendar entry, its place in a follow-up session and the follow-up
// 'leads watch' notified; it returns how many history events went.
func deleteUserData(tx *bolt.Tx, cid string) (int, error) {
	if err := tx.Bucket(bTriage).Delete([]byte(cid)); err != nil {
		return 0, err
	}
	n, err := deletePrefix(tx.Bucket(bHistory), append([]byte(cid), 0))
	if err != nil {
		return 0, err
	}
	if b := tx.Bucket(bDrafts); b != nil {
		if _, err := deletePrefix(b, draftKey(cid, "")); err != nil {
			return 0, err
		}
	}
	if err := deleteMessageIDs(tx, cid); err != nil {
		return 0, err
	}
	if err := deleteCalendarEntry(tx, cid); err != nil {
		return 0, err
	}
	if err := forgetInSession(tx, cid); err != nil {
		return 0, err
	}
	if err := deleteTeamData(tx, cid); err != nil {
		return 0, err
	}
	if err := deleteNotified(tx, cid); err != nil {
		return 0, err
	}
	return n, nil
}

// deletePrefix deletes every key with the prefix. Keys are collected
// first: deleting under a moving bbolt cursor skips entries.
func deletePrefix(b *bolt.Bucket, prefix []byte) (int, error) {
	var keys [][]byte
	c := b.Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		keys = append(keys, bytes.Clone(k))
	}
	for _, k := range keys {
		if err := b.Delete(k); err != nil {
			return 0, err
		}
	}
	return len(keys), nil
}
