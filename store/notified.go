package store

import (
	"encoding/binary"
	"time"

	bolt "go.etcd.io/bbolt"
)

// bNotified holds the follow-ups 'leads watch' has told the rep about:
// contact ID (hex) -> the due time notified (Unix nanoseconds, u64
// big-endian). It is made by the first such notice. A contact ID is a
// plain hash of the address, so forgetting the person deletes their
// entry with the rest of their data (deleteUserData).
var bNotified = []byte("notified")

// NewlyDue returns the contacts the rep may reach out to whose follow-up
// has fallen due by now and was not returned by an earlier call for that
// due time, and records them: each contact and due time is returned once,
// across restarts, and a follow-up moved to a new time is returned again
// when that time comes. Only follow-ups due now stay recorded, so the
// bucket is as small as the rep's overdue list.
func (s *Store) NewlyDue(now time.Time) ([]Contact, error) {
	type due struct {
		c  Contact
		at uint64
	}
	var all []due
	if err := s.ScheduledContacts(func(c *Contact) error {
		if at := c.Triage.NextFollowUp; !at.After(now) {
			all = append(all, due{*c, uint64(at.UnixNano())})
		}
		return nil
	}); err != nil {
		return nil, err
	}
	// What to write is worked out in a read, so a round with nothing
	// new writes nothing (a write would make the open inbox read the
	// triage state again).
	var out []Contact
	var stale [][]byte
	if err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bNotified)
		keep := make(map[string]bool, len(all))
		for _, d := range all {
			keep[d.c.ID] = true
			if b != nil {
				if old := b.Get([]byte(d.c.ID)); len(old) == 8 && binary.BigEndian.Uint64(old) == d.at {
					continue
				}
			}
			out = append(out, d.c)
		}
		if b == nil {
			return nil
		}
		// Entries no longer due (touched, moved, closed) go.
		return b.ForEach(func(k, _ []byte) error {
			if !keep[string(k)] {
				stale = append(stale, []byte(string(k)))
			}
			return nil
		})
	}); err != nil {
		return nil, err
	}
	if len(out) == 0 && len(stale) == 0 {
		return nil, nil
	}
	err := s.db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bNotified)
		if err != nil {
			return err
		}
		var v [8]byte
		for _, c := range out {
			binary.BigEndian.PutUint64(v[:], uint64(c.Triage.NextFollowUp.UnixNano()))
			if err := b.Put([]byte(c.ID), v[:]); err != nil {
				return err
			}
		}
		for _, k := range stale {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// deleteNotified removes a contact's notified follow-up, as forgetting
// the person must.
func deleteNotified(tx *bolt.Tx, contactID string) error {
	if b := tx.Bucket(bNotified); b != nil {
		return b.Delete([]byte(contactID))
	}
	return nil
}
