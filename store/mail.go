package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/leads-inbox/leads/store/safetext"
	bolt "go.etcd.io/bbolt"
)

// bMessageIDs maps a Message-ID to the contact it belongs to: the messages
// leads sent (a reply names them in In-Reply-To or References) and the
// replies and bounces already recorded (so a second scan, or the same
// message found in two folders, records nothing twice). Created on first
// use: a database without it has sent and seen nothing.
var bMessageIDs = []byte("msgids")

// The kinds of Message-ID on record, the byte after the contact ID.
const (
	msgSent   = 's'
	msgReply  = 'r'
	msgBounce = 'b'
)

// Caps on what a reply leaves in the timeline: a subject line and the
// first lines, never the whole message a stranger wrote.
const (
	maxSubject = 200
	maxExcerpt = 600
)

// MessageIDKey returns a Message-ID as it is kept: without the angle
// brackets and surrounding space. Message-IDs compare exactly; two that
// differ only in the brackets are the same.
func MessageIDKey(id string) string {
	id = strings.TrimSpace(id)
	id = strings.TrimPrefix(id, "<")
	id = strings.TrimSuffix(id, ">")
	return strings.TrimSpace(id)
}

// validMessageID refuses what cannot be a Message-ID key: empty, or too
// long for a bbolt key with room to spare.
func validMessageID(id string) bool { return id != "" && len(id) <= 998 }

// mailEpoch is the earliest Date a message is believed: anything before
// it (year 0, 1900) is a broken or hostile header.
var mailEpoch = time.Date(1970, 1, 2, 0, 0, 0, 0, time.UTC)

// MailDate is the time a message from the mailbox is recorded at: its
// Date, or now when it has none, claims a time in the future, or one
// before mail existed. A stranger writes the Date; a reply dated year 0
// would otherwise stop the cadence yet leave the contact looking as if
// it never replied (a replied mark must be later than the zero time).
//
// The time is returned in UTC: a Date's zone is the stranger's too, and
// one such as "+2400" parses but cannot be stored, which failed the
// record and so stopped every scan at that message.
func MailDate(at, now time.Time) time.Time {
	if at.IsZero() || at.After(now) || at.Before(mailEpoch) {
		return now.UTC()
	}
	return at.UTC()
}

// Reply is a message from a contact found in the mailbox.
type Reply struct {
	// MessageID is the reply's own Message-ID (may be empty: some
	// clients send none; then the reply cannot be told apart from a
	// second copy of itself, and the caller dedupes by other means).
	MessageID string
	// At is the reply's Date; a date in the future counts as now.
	At      time.Time
	Subject string
	// Excerpt is the reply's first lines of text, quoted text left out.
	Excerpt string
}

// LogSent records a message leads sent to the person, once the transport
// accepted it: a touch (the cadence schedules the next one, unless the
// person has replied: a reply stops the cadence), the time, and the
// Message-ID, so that a reply naming it is found. A closed contact keeps
// its status and has nothing scheduled.
func (s *Store) LogSent(contactID string, at time.Time, cad Cadence, messageID, subject string) (Triage, error) {
	key := MessageIDKey(messageID)
	if !validMessageID(key) {
		return Triage{}, fmt.Errorf("a sent message needs its Message-ID")
	}
	ev := Event{Kind: EventSent, MessageID: key, Subject: cleanCapped(subject, maxSubject)}
	return s.changeTx(contactID, at, ev, func(tx *bolt.Tx, t *Triage) error {
		touch(t, at, cad)
		t.LastSentAt = at
		return putMessageID(tx, key, contactID, msgSent)
	})
}

// touch applies a touch at time at: counted, and the next one scheduled
// by the cadence while the contact is open and has not replied.
func touch(t *Triage, at time.Time, cad Cadence) {
	t.Touches++
	t.LastTouch = at
	if t.Status.Closed() {
		return
	}
	t.NextFollowUp = time.Time{}
	if t.RepliedAt.IsZero() {
		if next, ok := cad.Next(t.Touches, at); ok {
			t.NextFollowUp = next
		}
	}
	if t.Status == StatusNew {
		t.Status = StatusContacted
	}
}

// RecordReply records a reply from the person: the contact is marked
// replied at its time, its cadence stops (nothing overdue or due), and
// its subject and first lines go into the timeline. It changes nothing
// else: a forged From can mark a reply, never a status or a note. It
// reports false when this reply (by Message-ID) is already on record.
func (s *Store) RecordReply(contactID string, r Reply, now time.Time) (Triage, bool, error) {
	key := MessageIDKey(r.MessageID)
	if key != "" && !validMessageID(key) {
		key = ""
	}
	at := MailDate(r.At, now)
	ev := Event{Kind: EventReply, MessageID: key, Subject: cleanCapped(r.Subject, maxSubject),
		Text: cleanExcerpt(r.Excerpt)}
	return s.fact(contactID, at, key, msgReply, ev, func(t *Triage) {
		if at.After(t.RepliedAt) {
			t.RepliedAt = at
		}
		if !t.Status.Closed() {
			t.NextFollowUp = time.Time{}
		}
	})
}

// MarkBouncing records a delivery failure for the person's address: drafts
// to it are refused until the rep clears the mark (ClearBouncing). It
// reports false when this bounce (by Message-ID) is already on record.
func (s *Store) MarkBouncing(contactID string, at time.Time, messageID, reason string) (Triage, bool, error) {
	key := MessageIDKey(messageID)
	if key != "" && !validMessageID(key) {
		key = ""
	}
	ev := Event{Kind: EventBounce, MessageID: key, Text: cleanCapped(reason, maxSubject)}
	return s.fact(contactID, at, key, msgBounce, ev, func(t *Triage) {
		t.Bouncing = true
		t.BouncedAt = at
	})
}

// ClearBouncing is the rep saying the address works again (or was
// corrected at the source): drafts to it are allowed again. Undo brings
// the mark back.
func (s *Store) ClearBouncing(contactID string, at time.Time) (Triage, error) {
	return s.change(contactID, at, Event{Kind: EventBounceCleared}, func(t *Triage) error {
		if !t.Bouncing {
			return fmt.Errorf("the address is not marked as bouncing")
		}
		t.Bouncing = false
		t.BouncedAt = time.Time{}
		return nil
	})
}

// fact records something the mailbox told, not a choice of the rep: its
// event has no Before, so Undo passes over it, and a Message-ID already on
// record makes it a no-op (reported as false).
func (s *Store) fact(contactID string, at time.Time, key string, kind byte, ev Event, apply func(t *Triage)) (Triage, bool, error) {
	var out Triage
	recorded := false
	err := s.db.Update(func(tx *bolt.Tx) error {
		if _, ok := lookupRuns(tx.Bucket(bContactIdx), idBytes(contactID)); !ok {
			return fmt.Errorf("contact %s: %w", contactID, ErrNotFound)
		}
		t, err := getTriage(tx, contactID)
		if err != nil {
			return err
		}
		t.ContactID = contactID
		out = t
		if key != "" {
			if b := tx.Bucket(bMessageIDs); b != nil && b.Get([]byte(key)) != nil {
				return nil
			}
			if err := putMessageID(tx, key, contactID, kind); err != nil {
				return err
			}
		}
		apply(&t)
		t.Updated = at
		if err := putTriage(tx, t); err != nil {
			return err
		}
		if err := putEvent(tx, contactID, at, ev); err != nil {
			return err
		}
		out, recorded = t, true
		return nil
	})
	return out, recorded, writeErr(err)
}

// ContactForMessageIDs returns the contact a message leads sent belongs
// to, for the first of ids (In-Reply-To, then References, newest first)
// that names one; "" if none does.
func (s *Store) ContactForMessageIDs(ids []string) (string, error) {
	var out string
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bMessageIDs)
		if b == nil {
			return nil
		}
		for _, id := range ids {
			key := MessageIDKey(id)
			if !validMessageID(key) {
				continue
			}
			if v := b.Get([]byte(key)); len(v) > 1 && v[len(v)-1] == msgSent {
				out = string(v[:len(v)-1])
				return nil
			}
		}
		return nil
	})
	return out, err
}

// SeenMessageID reports whether a reply or bounce with this Message-ID is
// already on record, so a scan can skip a message without parsing it.
func (s *Store) SeenMessageID(id string) (bool, error) {
	key := MessageIDKey(id)
	if !validMessageID(key) {
		return false, nil
	}
	seen := false
	err := s.db.View(func(tx *bolt.Tx) error {
		if b := tx.Bucket(bMessageIDs); b != nil {
			v := b.Get([]byte(key))
			seen = len(v) > 1 && v[len(v)-1] != msgSent
		}
		return nil
	})
	return seen, err
}

// changeTx applies one user action to a contact in one transaction: the
// new state and its history event (holding the state it replaced, for
// Undo) commit together, so a crash keeps both or neither. mutate has the
// transaction at hand for actions that write more (LogSent's Message-ID).
func (s *Store) changeTx(contactID string, at time.Time, ev Event, mutate func(tx *bolt.Tx, t *Triage) error) (Triage, error) {
	var out Triage
	err := s.db.Update(func(tx *bolt.Tx) error {
		if _, ok := lookupRuns(tx.Bucket(bContactIdx), idBytes(contactID)); !ok {
			return fmt.Errorf("contact %s: %w", contactID, ErrNotFound)
		}
		t, err := getTriage(tx, contactID)
		if err != nil {
			return err
		}
		t.ContactID = contactID // the key it is stored under, whatever an old record says
		before := t
		before.Notes = append([]Note(nil), t.Notes...)
		if err := mutate(tx, &t); err != nil {
			return err
		}
		t.Updated = at
		if err := putTriage(tx, t); err != nil {
			return err
		}
		if err := queueTeamChange(tx, contactID, at, &ev, before, t); err != nil {
			return err
		}
		ev.Before = &before
		out = t
		return putEvent(tx, contactID, at, ev)
	})
	return out, writeErr(err)
}

func putTriage(tx *bolt.Tx, t Triage) error {
	v, err := json.Marshal(t)
	if err != nil {
		return err
	}
	return tx.Bucket(bTriage).Put([]byte(t.ContactID), v)
}

// putEvent appends an event to a contact's history under the next
// sequence number.
func putEvent(tx *bolt.Tx, contactID string, at time.Time, ev Event) error {
	h := tx.Bucket(bHistory)
	seq, err := h.NextSequence()
	if err != nil {
		return err
	}
	ev.Seq, ev.At = seq, at
	v, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	return h.Put(historyKey(contactID, seq), v)
}

func putMessageID(tx *bolt.Tx, key, contactID string, kind byte) error {
	b, err := tx.CreateBucketIfNotExists(bMessageIDs)
	if err != nil {
		return err
	}
	v := make([]byte, 0, len(contactID)+1)
	v = append(append(v, contactID...), kind)
	return b.Put([]byte(key), v)
}

// deleteMessageIDs removes every Message-ID on record for a contact (its
// sent messages, replies and bounces), as forgetting the person must.
func deleteMessageIDs(tx *bolt.Tx, contactID string) error {
	b := tx.Bucket(bMessageIDs)
	if b == nil {
		return nil
	}
	var keys [][]byte
	err := b.ForEach(func(k, v []byte) error {
		if len(v) == len(contactID)+1 && string(v[:len(contactID)]) == contactID {
			keys = append(keys, bytes.Clone(k))
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, k := range keys {
		if err := b.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

// moveMessageIDs gives contact to the Message-IDs of contact from, when an
// import moved from's leads to to.
func moveMessageIDs(tx *bolt.Tx, from, to string) error {
	b := tx.Bucket(bMessageIDs)
	if b == nil {
		return nil
	}
	type kv struct{ k, v []byte }
	var moved []kv
	err := b.ForEach(func(k, v []byte) error {
		if len(v) == len(from)+1 && string(v[:len(from)]) == from {
			nv := append([]byte(to), v[len(v)-1])
			moved = append(moved, kv{bytes.Clone(k), nv})
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, m := range moved {
		if err := b.Put(m.k, m.v); err != nil {
			return err
		}
	}
	return nil
}

// keepMailFacts carries what the mail said into a state Undo restores:
// an undo reverts the rep's choices, not a reply that arrived or a
// message that went out. Undoing a bounce-cleared event is the one
// exception: it brings the bouncing mark back, as the rep asked.
func keepMailFacts(restored *Triage, cur Triage, undone string) {
	restored.RepliedAt = cur.RepliedAt
	restored.LastSentAt = cur.LastSentAt
	if undone != EventBounceCleared {
		restored.Bouncing, restored.BouncedAt = cur.Bouncing, cur.BouncedAt
	}
}

// cleanCapped cleans one line of a stranger's text for the terminal and
// caps it at n bytes, on a character boundary.
func cleanCapped(s string, n int) string {
	if len(s) > 4*n {
		s = s[:4*n] // bound the cleaning work on a flood
	}
	return capBytes(safetext.Clean(s), n)
}

// cleanExcerpt cleans a reply's first lines, keeping line breaks, capped.
func cleanExcerpt(s string) string {
	if len(s) > 4*maxExcerpt {
		s = s[:4*maxExcerpt]
	}
	return capBytes(strings.TrimSpace(safetext.CleanMultiline(s)), maxExcerpt)
}

func capBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := n
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "…"
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
