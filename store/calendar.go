package store

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// bCalendar remembers, per contact, the follow-up event the last calendar
// write put in the file (store/calendar builds the file): without it a
// calendar app could not be told that an event moved (SEQUENCE) or was
// cancelled, since a done follow-up leaves nothing behind in the triage
// state. Created on first use.
//
//	calendar/   contact ID (hex) -> CalendarEntry (JSON)
var bCalendar = []byte("calendar")

// CalendarEntry is what the last calendar write said about a contact's
// follow-up event.
type CalendarEntry struct {
	// Sequence is the event's SEQUENCE: it grows with every change a
	// calendar app must apply (a new time, a cancellation, new text).
	Sequence int `json:"seq"`
	// Due is the start of the event as written.
	Due time.Time `json:"due"`
	// Sum is a hash of the event's text, so that a change of name or
	// status counts as a change without the text being kept here.
	Sum string `json:"sum,omitempty"`
	// Modified is when the event last changed (DTSTAMP, LAST-MODIFIED).
	Modified time.Time `json:"modified"`
	// Cancelled is when the follow-up was found done or removed; the
	// event stays in the file as cancelled for a while after.
	Cancelled time.Time `json:"cancelled,omitzero"`
}

// CalendarEntries returns the entries of the last calendar write, by
// contact ID.
func (s *Store) CalendarEntries() (map[string]CalendarEntry, error) {
	out := map[string]CalendarEntry{}
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		out, err = calendarEntries(tx)
		return err
	})
	return out, err
}

func calendarEntries(tx *bolt.Tx) (map[string]CalendarEntry, error) {
	out := map[string]CalendarEntry{}
	b := tx.Bucket(bCalendar)
	if b == nil {
		return out, nil
	}
	err := b.ForEach(func(k, v []byte) error {
		var e CalendarEntry
		if err := json.Unmarshal(v, &e); err != nil {
			return fmt.Errorf("calendar entry of %s: %w", k, errCorrupt)
		}
		out[string(k)] = e
		return nil
	})
	return out, err
}

// UpdateCalendar runs fn with the entries of the last calendar write and a
// function giving each contact's event UID, and stores the entries fn
// returns in their place, in one transaction: fn writes the file, and an
// error from it leaves the entries as they were, so that the file and
// the entries never disagree about what a calendar app was told.
func (s *Store) UpdateCalendar(fn func(prev map[string]CalendarEntry, uid func(contactID string) string) (map[string]CalendarEntry, error)) error {
	err := s.db.Update(func(tx *bolt.Tx) error {
		key, err := s.forgetKey(tx)
		if err != nil {
			return err
		}
		prev, err := calendarEntries(tx)
		if err != nil {
			return err
		}
		next, err := fn(prev, func(cid string) string { return calendarUID(key, cid) })
		if err != nil {
			return err
		}
		b, err := tx.CreateBucketIfNotExists(bCalendar)
		if err != nil {
			return err
		}
		for cid := range prev {
			if _, ok := next[cid]; !ok {
				if err := b.Delete([]byte(cid)); err != nil {
					return err
				}
			}
		}
		for cid, e := range next {
			v, err := json.Marshal(e)
			if err != nil {
				return err
			}
			if err := b.Put([]byte(cid), v); err != nil {
				return err
			}
		}
		return nil
	})
	return writeErr(err)
}

// CalendarUID returns the UID of a contact's follow-up event, "" when no
// calendar can have been written from this database. forget uses it to
// take the person's event out of a calendar file.
func (s *Store) CalendarUID(contactID string) (string, error) {
	var out string
	err := s.db.View(func(tx *bolt.Tx) error {
		key, err := s.forgetKey(tx)
		if key != nil {
			out = calendarUID(key, contactID)
		}
		return err
	})
	return out, err
}

// calendarUID is a keyed hash of the contact ID: stable for as long as the
// database lives, so an app updates the event rather than adding another,
// and unlike the contact ID (a plain hash of the address) it lets no one
// who reads a shared calendar check whether an address is in it.
func calendarUID(key []byte, contactID string) string {
	return "followup-" + hex.EncodeToString(forgetHashOf(key, "calendar\x00"+contactID)[:12]) + "@leads"
}

// deleteCalendarEntry removes a contact's calendar entry, as forgetting
// the person must.
func deleteCalendarEntry(tx *bolt.Tx, contactID string) error {
	if b := tx.Bucket(bCalendar); b != nil {
		return b.Delete([]byte(contactID))
	}
	return nil
}

// ScheduledContacts calls fn, without leads or history, for every open
// contact with a next follow-up that the rep may reach out to (not a
// test lead, no do-not-contact notice): what the follow-up calendar holds.
func (s *Store) ScheduledContacts(fn func(c *Contact) error) error {
	names := s.names()
	return s.db.View(func(tx *bolt.Tx) error {
		ids, contacts := tx.Bucket(bContactIdx), tx.Bucket(bContacts)
		return tx.Bucket(bTriage).ForEach(func(k, v []byte) error {
			t := newTriage(string(k))
			if err := json.Unmarshal(v, &t); err != nil {
				return fmt.Errorf("triage of %s: %w", k, errCorrupt)
			}
			if t.NextFollowUp.IsZero() || t.Status.Closed() {
				return nil
			}
			if len(k) != 16 {
				return nil
			}
			seq, ok := lookupRuns(ids, idBytes(string(k)))
			if !ok {
				return nil
			}
			rec := contacts.Get(u64(seq))
			if rec == nil {
				return nil
			}
			c, err := decodeContact(seq, bytes.Clone(rec), names)
			if err != nil {
				return err
			}
			if !c.Contactable() {
				return nil
			}
			c.Triage = t
			return fn(&c)
		})
	})
}
