package store

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/leads-inbox/leads/store/view"
)

// Status is where the rep stands with a contact (view.Status, where the
// read model ranks and filters by it). The names below are the store's
// own spellings of the view package's, kept because every triage call
// takes one.
type Status = view.Status

// The statuses a contact moves through. Won and Lost close a contact.
const (
	StatusNew       = view.StatusNew
	StatusContacted = view.StatusContacted
	StatusEngaged   = view.StatusEngaged
	StatusQualified = view.StatusQualified
	StatusWon       = view.StatusWon
	StatusLost      = view.StatusLost
)

// Statuses lists every status in funnel order (view.Statuses).
var Statuses = view.Statuses

// ParseStatus accepts a status name in any case (view.ParseStatus).
func ParseStatus(s string) (Status, error) { return view.ParseStatus(s) }

// LostNoResponse is the lost reason for a lead that never answered.
const LostNoResponse = "no response"

// Cadence is the follow-up plan: after touch n (1-based), the next touch is
// due Days[n-1] days later. Touches beyond len(Days)+1 schedule nothing.
type Cadence struct{ Days []int }

// DefaultCadence follows up 2, 5, then 10 days after the previous touch:
// four touches in all, as Microsoft advises not to give up after one.
var DefaultCadence = Cadence{Days: []int{2, 5, 10}}

// Total is the number of touches the cadence plans.
func (c Cadence) Total() int { return len(c.Days) + 1 }

// Next returns when the touch after touch number n (1-based) is due, and
// false when the cadence is done.
func (c Cadence) Next(n int, at time.Time) (time.Time, bool) {
	if n < 1 || n > len(c.Days) {
		return time.Time{}, false
	}
	return at.AddDate(0, 0, c.Days[n-1]), true
}

// Note is a free-text note the rep wrote about a contact.
type Note struct {
	At   time.Time `json:"at"`
	Text string    `json:"text"`
}

// Triage is the rep's state for one contact. Imports never write it.
type Triage struct {
	ContactID    string    `json:"contact_id"`
	Status       Status    `json:"status"`
	NextFollowUp time.Time `json:"next_follow_up,omitzero"`
	Touches      int       `json:"touches"`
	LastTouch    time.Time `json:"last_touch,omitzero"`
	LostReason   string    `json:"lost_reason,omitempty"`
	Notes        []Note    `json:"notes,omitempty"`
	Updated      time.Time `json:"updated,omitzero"`

	// What the mail said (see mail.go). These are facts, not choices of
	// the rep: Undo keeps them as they are.

	// RepliedAt is the time of the person's newest reply.
	RepliedAt time.Time `json:"replied_at,omitzero"`
	// LastSentAt is when leads last sent the person a message.
	LastSentAt time.Time `json:"last_sent_at,omitzero"`
	// Bouncing marks an address a delivery failure came back for, from
	// BouncedAt until the rep clears it.
	Bouncing  bool      `json:"bouncing,omitempty"`
	BouncedAt time.Time `json:"bounced_at,omitzero"`

	// Owner is the rep who claimed the contact (see claim.go); empty
	// means nobody has.
	Owner string `json:"owner,omitempty"`
}

// Waiting reports whether the person's newest reply waits for the rep's
// answer: it came after the rep's last touch and the last message leads
// sent (which stays sent when its touch log is undone), and the contact
// is open.
func (t Triage) Waiting() bool {
	return !t.RepliedAt.IsZero() && t.RepliedAt.After(t.LastTouch) && t.RepliedAt.After(t.LastSentAt) && !t.Status.Closed()
}

// Event kinds in a contact's history.
const (
	EventTouch    = "touch"
	EventStatus   = "status"
	EventFollowUp = "follow_up"
	EventNote     = "note"
	EventUndo     = "undo"
	// EventMerge marks where an import merged another address's work
	// into this contact: Undo stops there (see moveUserData).
	EventMerge = "merge"
	// EventSent is a message leads sent: a touch with its Message-ID.
	EventSent = "sent"
	// EventReply is a reply found in the mailbox: its subject and first
	// lines, cleaned. Not the rep's action, so Undo passes over it.
	EventReply = "reply"
	// EventBounce is a delivery failure that marked the address.
	EventBounce = "bounce"
	// EventBounceCleared is the rep clearing a bouncing mark.
	EventBounceCleared = "bounce_cleared"
	// EventClaim is a rep taking the contact (To names the rep).
	EventClaim = "claim"
	// EventRelease is a rep giving the contact up (From names the rep).
	EventRelease = "release"
)

// Event is one user action on a contact, kept so the rep can see the
// history and undo the last change.
type Event struct {
	Seq  uint64    `json:"seq"`
	At   time.Time `json:"at"`
	Kind string    `json:"kind"`
	From string    `json:"from,omitempty"`
	To   string    `json:"to,omitempty"`
	Text string    `json:"text,omitempty"`
	// MessageID is the Message-ID of a sent message or of a reply, and
	// Subject its subject (cleaned for display).
	MessageID string `json:"message_id,omitempty"`
	Subject   string `json:"subject,omitempty"`
	// By names the rep who made the change, where a team shares the
	// contact; empty for a change made on this database alone.
	By string `json:"by,omitempty"`
	// Team is the change's team key, where the database is in a team:
	// the same on every rep's copy of the event, so a pulled copy is
	// recognised and every rep orders a contact's changes alike.
	Team string `json:"team,omitempty"`
	// Before is the triage state the event replaced; Undo restores it.
	Before *Triage `json:"before,omitempty"`
	// Undone marks an event reverted by a later undo.
	Undone bool `json:"undone,omitempty"`
	// Refused names the rep who held the contact when this claim reached
	// the team: another rep's claim got there first, so this one did not
	// take (see TeamPushedState).
	Refused string `json:"refused,omitempty"`
}

func newTriage(id string) Triage { return Triage{ContactID: id, Status: StatusNew} }

// Triage returns the triage state of a contact (status new if untouched).
func (s *Store) Triage(contactID string) (Triage, error) {
	t := newTriage(contactID)
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		t, err = getTriage(tx, contactID)
		return err
	})
	return t, err
}

func getTriage(tx *bolt.Tx, id string) (Triage, error) {
	return decodeTriage(id, tx.Bucket(bTriage).Get([]byte(id)))
}

// decodeTriage reads contact id's triage record v; a nil v is a contact
// the rep never touched.
func decodeTriage(id string, v []byte) (Triage, error) {
	t := newTriage(id)
	if v == nil {
		return t, nil
	}
	if err := json.Unmarshal(v, &t); err != nil {
		return t, fmt.Errorf("triage of %s: %w", id, errCorrupt)
	}
	return t, nil
}

// AllTriage calls fn for every contact the rep has touched.
func (s *Store) AllTriage(fn func(Triage) error) error {
	return s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bTriage).ForEach(func(k, v []byte) error {
			t := newTriage(string(k))
			if err := json.Unmarshal(v, &t); err != nil {
				return fmt.Errorf("triage of %s: %w", k, errCorrupt)
			}
			return fn(t)
		})
	})
}

// State returns the part of t that the read model ranks and filters by,
// as a database without a rep name sees it: any owner is another rep.
func (t Triage) State() view.State { return t.StateFor("") }

// StateFor is State as rep me sees it: a contact me claimed is OwnedMine.
func (t Triage) StateFor(me string) view.State {
	s := view.StateOf(t.Status, t.NextFollowUp, t.Touches)
	switch {
	case t.Owner == "":
	case t.Owner == me:
		s.Owned = view.OwnedMine
	default:
		s.Owned = view.OwnedTeam
	}
	if t.Waiting() {
		s.Replied = max(t.RepliedAt.Unix(), 1)
	}
	if t.Bouncing {
		s.Mail |= view.MailBouncing
	}
	return s
}

// States returns the State of every contact the rep has touched, by
// contact ID; a contact missing from it is untouched (the zero State).
// The inbox ranks with it, and so does 'leads list --sort urgency'.
func (s *Store) States() (map[[8]byte]view.State, error) {
	out, _, err := s.StatesFor("")
	return out, err
}

// StatesFor is States as rep me sees them (Triage.StateFor), with the
// owner of every claimed contact by contact ID: few contacts have one, so
// the names are kept apart from the States.
func (s *Store) StatesFor(me string) (map[[8]byte]view.State, map[[8]byte]string, error) {
	var out map[[8]byte]view.State
	owners := map[[8]byte]string{}
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		out, err = statesTx(tx, me, owners)
		return err
	})
	return out, owners, err
}

// statesTx reads every State as me sees it; owners, when not nil, gets
// the owner of each claimed contact.
func statesTx(tx *bolt.Tx, me string, owners map[[8]byte]string) (map[[8]byte]view.State, error) {
	out := map[[8]byte]view.State{}
	err := tx.Bucket(bTriage).ForEach(func(k, v []byte) error {
		t := newTriage(string(k))
		if err := json.Unmarshal(v, &t); err != nil {
			return fmt.Errorf("triage of %s: %w", k, errCorrupt)
		}
		// A key that is not a contact ID cannot belong to a contact.
		var id [8]byte
		if len(k) == hex.EncodedLen(len(id)) {
			if _, err := hex.Decode(id[:], k); err != nil {
				return nil
			}
			out[id] = t.StateFor(me)
			if owners != nil && t.Owner != "" {
				owners[id] = t.Owner
			}
		}
		return nil
	})
	return out, err
}

// History returns a contact's events, oldest first.
func (s *Store) History(contactID string) ([]Event, error) {
	var out []Event
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		out, err = history(tx, contactID)
		return err
	})
	return out, err
}

func history(tx *bolt.Tx, id string) ([]Event, error) {
	var out []Event
	prefix := append([]byte(id), 0)
	c := tx.Bucket(bHistory).Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		var e Event
		if err := json.Unmarshal(v, &e); err != nil {
			return nil, fmt.Errorf("history of %s: %w", id, errCorrupt)
		}
		out = append(out, e)
	}
	orderTeamEvents(out)
	return out, nil
}

func historyKey(id string, seq uint64) []byte {
	k := make([]byte, 0, len(id)+9)
	k = append(k, id...)
	k = append(k, 0)
	return binary.BigEndian.AppendUint64(k, seq)
}

// change is changeTx for an action that writes only the triage state and
// its event.
func (s *Store) change(contactID string, at time.Time, ev Event, mutate func(t *Triage) error) (Triage, error) {
	return s.changeTx(contactID, at, ev, func(_ *bolt.Tx, t *Triage) error { return mutate(t) })
}

// LogTouch records that the rep contacted the person at time at, and
// schedules the next follow-up by the cadence (none once it is done, and
// none once the person has replied: a reply stops the cadence, and the
// rep sets the next date by hand). A new contact becomes contacted.
func (s *Store) LogTouch(contactID string, at time.Time, cad Cadence, note string) (Triage, error) {
	return s.change(contactID, at, Event{Kind: EventTouch, Text: note}, func(t *Triage) error {
		if t.Status.Closed() {
			return fmt.Errorf("contact is %s: reopen it (set another status) before logging a touch", t.Status)
		}
		touch(t, at, cad)
		if note != "" {
			t.Notes = append(t.Notes, Note{At: at, Text: note})
		}
		return nil
	})
}

// SetStatus moves a contact to a status. Lost needs a reason. Closing a
// contact clears its follow-up date.
func (s *Store) SetStatus(contactID string, st Status, reason string, at time.Time) (Triage, error) {
	if _, err := ParseStatus(string(st)); err != nil {
		return Triage{}, err
	}
	reason = strings.TrimSpace(reason)
	if st == StatusLost && reason == "" {
		return Triage{}, fmt.Errorf("a lost contact needs a reason (e.g. %q)", LostNoResponse)
	}
	return s.change(contactID, at, Event{Kind: EventStatus, To: string(st), Text: reason}, func(t *Triage) error {
		t.Status = st
		t.LostReason = ""
		if st == StatusLost {
			t.LostReason = reason
		}
		if st.Closed() {
			t.NextFollowUp = time.Time{}
		}
		return nil
	})
}

// MaxFollowUpYear is the last year a follow-up may fall in. Times are kept
// as JSON and calendars as RFC 5545, both four-digit years: a date in
// 9999 near midnight, typed west of UTC, is year 10000 in UTC, which then
// failed every later change of the contact and every calendar write.
const MaxFollowUpYear = 9998

// SetFollowUp sets or clears (zero due) the next follow-up date; snoozing is
// setting a later one.
func (s *Store) SetFollowUp(contactID string, due time.Time, at time.Time) (Triage, error) {
	if !due.IsZero() && due.UTC().Year() > MaxFollowUpYear {
		return Triage{}, fmt.Errorf("a follow-up after %d cannot be kept: pick a nearer date", MaxFollowUpYear)
	}
	return s.change(contactID, at, Event{Kind: EventFollowUp, To: fmtTime(due)}, func(t *Triage) error {
		t.NextFollowUp = due
		return nil
	})
}

// AddNote appends a note to a contact.
func (s *Store) AddNote(contactID, text string, at time.Time) (Triage, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return Triage{}, fmt.Errorf("the note is empty: nothing saved")
	}
	return s.change(contactID, at, Event{Kind: EventNote, Text: text}, func(t *Triage) error {
		t.Notes = append(t.Notes, Note{At: at, Text: text})
		return nil
	})
}

// Undo reverts the newest not-yet-undone change of a contact and returns the
// restored state. The history keeps both the change and the undo.
func (s *Store) Undo(contactID string, at time.Time) (Triage, error) {
	var out Triage
	err := s.db.Update(func(tx *bolt.Tx) error {
		h := tx.Bucket(bHistory)
		prefix := append([]byte(contactID), 0)
		c := h.Cursor()
		k, v := c.Seek(historyKey(contactID, ^uint64(0)))
		if k == nil {
			k, v = c.Last()
		} else {
			k, v = c.Prev()
		}
		for ; k != nil && bytes.HasPrefix(k, prefix); k, v = c.Prev() {
			var e Event
			if err := json.Unmarshal(v, &e); err != nil {
				return errCorrupt
			}
			if e.Kind == EventMerge {
				// Every older event's snapshot predates the merge:
				// restoring one would drop the merged work.
				return fmt.Errorf("nothing to undo since %s, when the work of the person's former address was merged in", e.At.Local().Format("2 Jan 2006 15:04"))
			}
			if e.Team != "" && e.Before == nil && e.Kind != EventReply && e.Kind != EventBounce {
				// Another rep's change: the snapshots of older events
				// predate it, and restoring one would revert it.
				return fmt.Errorf("nothing to undo since %s's change of %s", e.By, e.At.Local().Format("2 Jan 2006 15:04"))
			}
			if e.Kind == EventUndo || e.Undone || e.Before == nil {
				continue
			}
			e.Undone = true
			ev, _ := json.Marshal(e)
			if err := h.Put(bytes.Clone(k), ev); err != nil {
				return err
			}
			restored := *e.Before
			restored.Updated = at
			cur, err := getTriage(tx, contactID)
			if err != nil {
				return err
			}
			keepMailFacts(&restored, cur, e.Kind)
			uev := Event{At: at, Kind: EventUndo, Text: e.Kind}
			if err := queueTeamChange(tx, contactID, at, &uev, cur, restored); err != nil {
				return err
			}
			tv, err := json.Marshal(restored)
			if err != nil {
				return err
			}
			if err := tx.Bucket(bTriage).Put([]byte(contactID), tv); err != nil {
				return err
			}
			seq, err := h.NextSequence()
			if err != nil {
				return err
			}
			uev.Seq = seq
			uv, _ := json.Marshal(uev)
			out = restored
			return h.Put(historyKey(contactID, seq), uv)
		}
		return fmt.Errorf("nothing to undo for this contact")
	})
	return out, writeErr(err)
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// moveUserData gives the rep's triage state, history and draft records of
// contact from to contact to, when an import moved every lead of from to
// to (the person's address changed): the work must not stay behind under
// a contact nobody can reach. Where to has triage state of its own, the
// two are joined (mergeTriage): nothing the rep did on either is lost;
// the history of both is kept, with
// a merge event at time at after it, past which Undo does not go: the
// events before it hold snapshots of one side only.
// mergeTriage joins the triage state of two contacts that turn out to be
// one person. The status furthest along the funnel wins (a won customer
// must not go back to new because the other contact had only a note), with
// its follow-up date and lost reason; of two closed ones, the later. The
// touches are the larger count, the notes all of both, in time order.
func mergeTriage(a, b Triage) Triage {
	p, q := a, b // p: the state whose status is kept
	if stage(b.Status) > stage(a.Status) || stage(b.Status) == stage(a.Status) && b.Updated.After(a.Updated) {
		p, q = b, a
	}
	out := p
	out.ContactID = a.ContactID
	out.Touches = max(a.Touches, b.Touches)
	if q.LastTouch.After(out.LastTouch) {
		out.LastTouch = q.LastTouch
	}
	if out.NextFollowUp.IsZero() && !out.Status.Closed() {
		out.NextFollowUp = q.NextFollowUp
	}
	if q.Updated.After(out.Updated) {
		out.Updated = q.Updated
	}
	out.RepliedAt = later(a.RepliedAt, b.RepliedAt)
	out.LastSentAt = later(a.LastSentAt, b.LastSentAt)
	out.Bouncing = a.Bouncing || b.Bouncing
	out.BouncedAt = later(a.BouncedAt, b.BouncedAt)
	if !out.Bouncing {
		out.BouncedAt = time.Time{}
	}
	if out.Owner == "" {
		out.Owner = q.Owner // a claim on either address holds for the person
	}
	out.Notes = append(append([]Note(nil), a.Notes...), b.Notes...)
	slices.SortStableFunc(out.Notes, func(x, y Note) int { return x.At.Compare(y.At) })
	return out
}

// stage orders statuses along the funnel; won and lost are both its end.
func stage(s Status) int {
	switch s {
	case StatusContacted:
		return 1
	case StatusEngaged:
		return 2
	case StatusQualified:
		return 3
	case StatusWon, StatusLost:
		return 4
	}
	return 0
}

func moveUserData(tx *bolt.Tx, from, to string, at time.Time) error {
	tb := tx.Bucket(bTriage)
	merged := false
	if v := tb.Get([]byte(from)); v != nil {
		old, err := getTriage(tx, from)
		if err != nil {
			return err
		}
		t := old
		if tb.Get([]byte(to)) != nil {
			if t, err = getTriage(tx, to); err != nil {
				return err
			}
			merged = true
			t = mergeTriage(t, old)
		}
		t.ContactID = to
		nv, err := json.Marshal(t)
		if err != nil {
			return err
		}
		if err := tb.Put([]byte(to), nv); err != nil {
			return err
		}
		if err := tb.Delete([]byte(from)); err != nil {
			return err
		}
	}
	// History keys end in a sequence number unique across contacts, so
	// from's events slot in among to's in the order they happened.
	h := tx.Bucket(bHistory)
	type kv struct{ k, v []byte }
	var moved []kv
	prefix := append([]byte(from), 0)
	c := h.Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		var e Event
		if err := json.Unmarshal(v, &e); err != nil {
			return fmt.Errorf("history of %s: %w", from, errCorrupt)
		}
		if e.Before != nil {
			e.Before.ContactID = to
		}
		nv, err := json.Marshal(e)
		if err != nil {
			return err
		}
		moved = append(moved, kv{bytes.Clone(k), nv})
	}
	for _, m := range moved {
		if err := h.Delete(m.k); err != nil {
			return err
		}
		seq := binary.BigEndian.Uint64(m.k[len(m.k)-8:])
		if err := h.Put(historyKey(to, seq), m.v); err != nil {
			return err
		}
	}
	if merged {
		seq, err := h.NextSequence()
		if err != nil {
			return err
		}
		ev, err := json.Marshal(Event{Seq: seq, At: at, Kind: EventMerge})
		if err != nil {
			return err
		}
		if err := h.Put(historyKey(to, seq), ev); err != nil {
			return err
		}
	}
	if err := moveMessageIDs(tx, from, to); err != nil {
		return err
	}
	if b := tx.Bucket(bDrafts); b != nil {
		var keys [][]byte
		var vals [][]byte
		dc := b.Cursor()
		for k, v := dc.Seek(draftKey(from, "")); k != nil && bytes.HasPrefix(k, draftKey(from, "")); k, v = dc.Next() {
			keys, vals = append(keys, bytes.Clone(k)), append(vals, bytes.Clone(v))
		}
		for i, k := range keys {
			if err := b.Delete(k); err != nil {
				return err
			}
			if err := b.Put(draftKey(to, string(k[len(from)+1:])), vals[i]); err != nil {
				return err
			}
		}
	}
	return nil
}
