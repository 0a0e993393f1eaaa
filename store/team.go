package store

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/leads-inbox/leads/store/safetext"

	bolt "go.etcd.io/bbolt"
)

// The team inbox (see importer/team for the Azure side). A database that
// joined a team keeps, beside each change the rep makes, an outbox record
// of it: what the change does to the state the team shares, to be pushed
// by the next team sync. Changes made offline wait there, in order. What
// other reps did comes back as pulled rows: their events go into the
// local history, their shared state replaces the local fields.
//
// Nothing here knows Azure, nor any key: the partition a contact lives in
// is computed by the team package and only remembered here.

var (
	// bTeamOutbox holds the changes not pushed yet: team key -> TeamChange.
	bTeamOutbox = []byte("team_outbox")
	// bTeamKeys holds the team key of every event in local history (ours
	// and pulled ones): team key -> contact ID, so a pulled copy of an
	// event already held is not applied twice.
	bTeamKeys = []byte("team_keys")
	// bTeamParts maps a team partition to the contact it stands for.
	bTeamParts = []byte("team_parts")
	// bTeamPending holds pulled rows of partitions no local contact has
	// yet (another rep's leads arrived there first): partition 0 row key
	// -> TeamRow, applied once the contact is here.
	bTeamPending = []byte("team_pending")
	// bTeamForget holds partitions whose team rows a forget must still
	// delete: partition -> time of the forget.
	bTeamForget = []byte("team_forget")
	// bTeamStates caches each partition's state row as last read or
	// written, with its ETag: partition -> ETag, newline, the entity. A
	// push starts from it instead of reading the row first; a stale
	// entry only costs the push a 412 and a read. Salvage drops it.
	bTeamStates = []byte("team_states")

	kTeamRep       = []byte("team_rep")
	kTeamClock     = []byte("team_clock")
	kTeamMark      = []byte("team_mark")
	kTeamPulled    = []byte("team_pulled")
	kTeamConflicts = []byte("team_conflicts")
)

// maxTeamText caps a pulled note's text.
const maxTeamText = 16 << 10

// maxLostReason caps a pulled lost reason: one line, shown in every view
// of the contact.
const maxLostReason = 500

// The shared fields a TeamOp names.
const (
	TeamOwner      = "owner"
	TeamStatus     = "status"
	TeamLostReason = "lost_reason"
	TeamFollowUp   = "next_follow_up"
	TeamTouches    = "touches"
	TeamLastTouch  = "last_touch"
)

// The operations of a TeamOp.
const (
	// OpSet sets the field; a later set by another rep wins over it.
	OpSet = "set"
	// OpAdd adds Value (a decimal) to touches: increments never conflict.
	OpAdd = "add"
	// OpClaim makes Value the owner only if nobody or Value owns it.
	OpClaim = "claim"
	// OpRelease clears the owner only if Value owns it.
	OpRelease = "release"
	// OpAdvance moves a new contact to contacted, and nothing else.
	OpAdvance = "advance"
)

// TeamOp is one operation a change makes on the shared state of a
// contact. Times are RFC 3339 in UTC; the empty value clears the field.
type TeamOp struct {
	Field string `json:"f"`
	Op    string `json:"op"`
	Value string `json:"v,omitempty"`
}

// TeamChange is a change the rep made, as the team sees it: an outbox
// record until it is pushed.
type TeamChange struct {
	// Key is the change's team key: unique and ordered by time (see
	// newTeamKey); the event row's key in the table.
	Key     string `json:"key"`
	Contact string `json:"contact"`
	// By is the rep who made it.
	By   string    `json:"by"`
	Kind string    `json:"kind"`
	At   time.Time `json:"at"`
	// From, To, Text and MessageID are the event's own fields. Text is
	// the note (or the lost reason): the only free text shared.
	From      string   `json:"from,omitempty"`
	To        string   `json:"to,omitempty"`
	Text      string   `json:"text,omitempty"`
	MessageID string   `json:"message_id,omitempty"`
	Ops       []TeamOp `json:"ops,omitempty"`
}

// TeamKeyTime is the moment a team key was made (zero for a key that is
// not one). Conflicts between reps are decided by it: the later change to
// a field wins.
func TeamKeyTime(key string) time.Time {
	if len(key) < 19 {
		return time.Time{}
	}
	n, err := strconv.ParseInt(key[:19], 10, 64)
	if err != nil {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

// TeamState is the shared state of a contact as the team table holds it.
type TeamState struct {
	Owner        string
	Status       Status
	LostReason   string
	NextFollowUp time.Time
	Touches      int
	LastTouch    time.Time
}

// TeamEvent is another rep's change, as pulled.
type TeamEvent struct {
	Key       string
	By        string
	Kind      string
	At        time.Time
	From      string
	To        string
	Text      string
	MessageID string
	// OverBy names the rep whose change to OverField this one replaced
	// without having seen it (they pushed first, this rep's later change
	// won): their pull tells them, as a conflict they lost. OverValue is
	// what this change set the field to.
	OverBy, OverField, OverValue string
	// Refused names the rep who held the contact when this claim was
	// pushed: the claim did not take.
	Refused string
}

// TeamOverride is a conflict this rep lost by pushing first: another
// rep's later change replaced one of theirs without having seen it.
type TeamOverride struct {
	Contact          string
	By, Field, Value string
	At               time.Time
}

// TeamRow is one pulled row of a partition: its state or one event.
type TeamRow struct {
	Partition string     `json:"p"`
	State     *TeamState `json:"s,omitempty"`
	Event     *TeamEvent `json:"e,omitempty"`
	// ETag and Raw are a state row's ETag and entity as the table sent
	// them, kept for the next push (see TeamCachedState); a held row
	// keeps neither.
	ETag string `json:"-"`
	Raw  []byte `json:"-"`
}

// TeamPullResult counts what a page of pulled rows did.
type TeamPullResult struct {
	// Events is the number of events new to this database.
	Events int
	// States is the number of contacts whose shared state was taken.
	States int
	// Held counts rows of contacts not here yet, kept for later.
	Held int
	// Overridden lists this rep's changes that another rep's later,
	// unseeing change replaced: conflicts this rep lost.
	Overridden []TeamOverride
}

// JoinTeam marks the database as one of a team's, with rep as the name
// its changes are made under: from now on every change is also queued
// for the team. Joining again changes the name only.
func (s *Store) JoinTeam(rep string) error {
	rep = CleanRepName(rep)
	if rep == "" {
		return fmt.Errorf("no rep name to work in a team with: set name in the [team] section of the config")
	}
	err := s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bMeta).Put(kTeamRep, []byte(rep))
	})
	return writeErr(err)
}

// TeamRep returns the name the database works in a team under, "" when it
// is in none.
func (s *Store) TeamRep() (string, error) {
	var rep string
	err := s.db.View(func(tx *bolt.Tx) error {
		rep = string(tx.Bucket(bMeta).Get(kTeamRep))
		return nil
	})
	return rep, err
}

// newTeamKey returns a team key: the time in Unix nanoseconds as 19
// digits (never earlier than the last key made here, so the keys of one
// database are in the order of its changes), a short hash of the rep's
// name and a random suffix, so two reps' keys never collide.
func newTeamKey(tx *bolt.Tx, rep string) (string, error) {
	m := tx.Bucket(bMeta)
	n := time.Now().UnixNano()
	if v := m.Get(kTeamClock); len(v) == 8 {
		if last := int64(bytesToU64(v)); n <= last {
			n = last + 1
		}
	}
	if err := m.Put(kTeamClock, u64(uint64(n))); err != nil {
		return "", err
	}
	var r [4]byte
	if _, err := rand.Read(r[:]); err != nil {
		return "", err
	}
	h := sha256.Sum256([]byte(rep))
	return fmt.Sprintf("%019d-%s-%s", n, hex.EncodeToString(h[:3]), hex.EncodeToString(r[:])), nil
}

// sharedKind reports the changes the team sees. A bounce cleared is about
// the address, which is not shared.
func sharedKind(kind string) bool {
	switch kind {
	case EventTouch, EventStatus, EventFollowUp, EventNote, EventClaim, EventRelease, EventSent, EventUndo:
		return true
	}
	return false
}

// queueTeamChange adds the outbox record of a change, when the database
// is in a team, and gives the event its team key and author. It runs in
// the transaction that commits the change.
func queueTeamChange(tx *bolt.Tx, contactID string, at time.Time, ev *Event, before, after Triage) error {
	rep := string(tx.Bucket(bMeta).Get(kTeamRep))
	if rep == "" || !sharedKind(ev.Kind) {
		return nil
	}
	if ev.By == "" {
		ev.By = rep
	}
	key, err := newTeamKey(tx, rep)
	if err != nil {
		return err
	}
	ev.Team = key
	ch := TeamChange{Key: key, Contact: contactID, By: ev.By, Kind: ev.Kind, At: at,
		From: ev.From, To: ev.To, Text: ev.Text, MessageID: ev.MessageID,
		Ops: teamOps(ev.Kind, ev.By, before, after)}
	v, err := json.Marshal(ch)
	if err != nil {
		return err
	}
	ob, err := tx.CreateBucketIfNotExists(bTeamOutbox)
	if err != nil {
		return err
	}
	if err := ob.Put([]byte(key), v); err != nil {
		return err
	}
	kb, err := tx.CreateBucketIfNotExists(bTeamKeys)
	if err != nil {
		return err
	}
	return kb.Put([]byte(key), []byte(contactID))
}

// teamOps are the operations a change makes on the shared state: what
// the rep chose, not the state it led to, where the two differ. A touch
// adds to the count (two reps' touches both count), a claim takes the
// contact only if it is free, a status set is a set even when the
// status was already that (the rep said so, and said so last).
func teamOps(kind, by string, before, after Triage) []TeamOp {
	var ops []TeamOp
	set := func(f, v string) { ops = append(ops, TeamOp{Field: f, Op: OpSet, Value: v}) }
	if before.Owner != after.Owner {
		switch {
		case kind == EventClaim && (before.Owner == "" || before.Owner == by):
			ops = append(ops, TeamOp{Field: TeamOwner, Op: OpClaim, Value: after.Owner})
		case kind == EventRelease && before.Owner == by:
			ops = append(ops, TeamOp{Field: TeamOwner, Op: OpRelease, Value: by})
		default: // a takeover with force, or an undo
			set(TeamOwner, after.Owner)
		}
	}
	counted := kind == EventTouch || kind == EventSent
	if before.Status != after.Status || kind == EventStatus {
		if counted && before.Status == StatusNew && after.Status == StatusContacted {
			ops = append(ops, TeamOp{Field: TeamStatus, Op: OpAdvance})
		} else {
			set(TeamStatus, string(after.Status))
		}
	}
	if before.LostReason != after.LostReason || kind == EventStatus {
		set(TeamLostReason, after.LostReason)
	}
	if !before.NextFollowUp.Equal(after.NextFollowUp) || kind == EventFollowUp {
		set(TeamFollowUp, fmtTimeNano(after.NextFollowUp))
	}
	if before.Touches != after.Touches {
		if counted {
			ops = append(ops, TeamOp{Field: TeamTouches, Op: OpAdd, Value: strconv.Itoa(after.Touches - before.Touches)})
		} else {
			set(TeamTouches, strconv.Itoa(after.Touches))
		}
	}
	if !before.LastTouch.Equal(after.LastTouch) {
		set(TeamLastTouch, fmtTimeNano(after.LastTouch))
	}
	return ops
}

func fmtTimeNano(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// TeamOutbox returns up to limit changes waiting to be pushed, oldest
// first (limit <= 0: all).
func (s *Store) TeamOutbox(limit int) ([]TeamChange, error) {
	var out []TeamChange
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bTeamOutbox)
		if b == nil {
			return nil
		}
		c := b.Cursor()
		for k, v := c.First(); k != nil && (limit <= 0 || len(out) < limit); k, v = c.Next() {
			var ch TeamChange
			if err := json.Unmarshal(v, &ch); err != nil {
				return fmt.Errorf("team outbox record %s: %w", k, errCorrupt)
			}
			out = append(out, ch)
		}
		return nil
	})
	return out, err
}

// TeamQueued returns how many changes wait to be pushed and how many
// team deletions (forgets) wait to be carried out.
func (s *Store) TeamQueued() (changes, forgets int, err error) {
	err = s.db.View(func(tx *bolt.Tx) error {
		if b := tx.Bucket(bTeamOutbox); b != nil {
			changes = b.Stats().KeyN
		}
		if b := tx.Bucket(bTeamForget); b != nil {
			err := b.ForEach(func(_, v []byte) error {
				if !bytes.Equal(v, forgetDone) {
					forgets++
				}
				return nil
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	return changes, forgets, err
}

// TeamPushedState takes a pushed change off the outbox and, in the same
// transaction, remembers the state row the push wrote to partition with
// its new ETag (an empty etag forgets the partition's entry: the next
// push reads the row). refused, when not empty, names the rep who held
// the contact when the change, a claim, reached the team: the claim did
// not take, and the rep's own history says so, as everyone else's does.
func (s *Store) TeamPushedState(key, partition, etag string, raw []byte, refused string) error {
	err := s.db.Update(func(tx *bolt.Tx) error {
		if b := tx.Bucket(bTeamOutbox); b != nil {
			if err := b.Delete([]byte(key)); err != nil {
				return err
			}
		}
		if refused != "" {
			if err := markClaimRefused(tx, key, CleanRepName(refused)); err != nil {
				return err
			}
		}
		return putTeamState(tx, partition, etag, raw)
	})
	return writeErr(err)
}

// markClaimRefused marks the claim event with team key key refused, in
// the history of the contact the key was made for.
func markClaimRefused(tx *bolt.Tx, key, owner string) error {
	kb := tx.Bucket(bTeamKeys)
	if kb == nil {
		return nil
	}
	cid := kb.Get([]byte(key))
	if cid == nil {
		return nil
	}
	prefix := append(bytes.Clone(cid), 0)
	h := tx.Bucket(bHistory)
	c := h.Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		var ev Event
		if err := json.Unmarshal(v, &ev); err != nil || ev.Team != key || ev.Kind != EventClaim {
			continue // a damaged event is shown as it is elsewhere
		}
		ev.Refused = owner
		nv, err := json.Marshal(ev)
		if err != nil {
			return err
		}
		return h.Put(bytes.Clone(k), nv)
	}
	return nil
}

func putTeamState(tx *bolt.Tx, partition, etag string, raw []byte) error {
	if etag == "" || strings.Contains(etag, "\n") {
		if b := tx.Bucket(bTeamStates); b != nil {
			return b.Delete([]byte(partition))
		}
		return nil
	}
	b, err := tx.CreateBucketIfNotExists(bTeamStates)
	if err != nil {
		return err
	}
	v := make([]byte, 0, len(etag)+1+len(raw))
	v = append(append(append(v, etag...), '\n'), raw...)
	return b.Put([]byte(partition), v)
}

// TeamCachedState returns the state row of partition as last pulled or
// pushed here and its ETag; etag is "" when none is kept.
func (s *Store) TeamCachedState(partition string) (etag string, raw []byte, err error) {
	err = s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bTeamStates)
		if b == nil {
			return nil
		}
		v := b.Get([]byte(partition))
		if i := bytes.IndexByte(v, '\n'); i > 0 {
			etag, raw = string(v[:i]), bytes.Clone(v[i+1:])
		}
		return nil
	})
	return etag, raw, err
}

// TeamPushed takes a pushed change off the outbox.
func (s *Store) TeamPushed(key string) error {
	err := s.db.Update(func(tx *bolt.Tx) error {
		if b := tx.Bucket(bTeamOutbox); b != nil {
			return b.Delete([]byte(key))
		}
		return nil
	})
	return writeErr(err)
}

// NoteTeamPartitions remembers which contact each partition stands for.
func (s *Store) NoteTeamPartitions(parts map[string]string) error {
	if len(parts) == 0 {
		return nil
	}
	err := s.db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bTeamParts)
		if err != nil {
			return err
		}
		for p, id := range parts {
			if string(b.Get([]byte(p))) == id {
				continue
			}
			if err := b.Put([]byte(p), []byte(id)); err != nil {
				return err
			}
		}
		return nil
	})
	return writeErr(err)
}

// TeamPartitionsKnown reports which of the partitions a contact is known
// for here.
func (s *Store) TeamPartitionsKnown(parts []string) (map[string]bool, error) {
	out := map[string]bool{}
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bTeamParts)
		for _, p := range parts {
			out[p] = b != nil && b.Get([]byte(p)) != nil
		}
		return nil
	})
	return out, err
}

// TeamWatermark returns the table time pulls continue from (zero before
// the first pull) and when the last pull finished.
func (s *Store) TeamWatermark() (mark, pulled time.Time, err error) {
	err = s.db.View(func(tx *bolt.Tx) error {
		m := tx.Bucket(bMeta)
		mark, _ = time.Parse(time.RFC3339Nano, string(m.Get(kTeamMark)))
		pulled, _ = time.Parse(time.RFC3339Nano, string(m.Get(kTeamPulled)))
		return nil
	})
	return mark, pulled, err
}

// TeamPullDone records that a pull finished at now.
func (s *Store) TeamPullDone(now time.Time) error {
	err := s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bMeta).Put(kTeamPulled, []byte(now.UTC().Format(time.RFC3339Nano)))
	})
	return writeErr(err)
}

// TeamConflictLine is one conflict of the last push as 'leads team
// status' shows it, with the local contact it is about: a forget of that
// contact drops the line (it may name their address).
type TeamConflictLine struct {
	Contact string `json:"c"`
	Text    string `json:"t"`
}

// SetTeamConflicts keeps the conflicts of the last push, for 'leads team
// status'.
func (s *Store) SetTeamConflicts(lines []TeamConflictLine) error {
	v, err := json.Marshal(lines)
	if err != nil {
		return err
	}
	err = s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bMeta).Put(kTeamConflicts, v) })
	return writeErr(err)
}

// TeamConflicts returns the conflicts of the last push.
func (s *Store) TeamConflicts() ([]string, error) {
	var out []string
	err := s.db.View(func(tx *bolt.Tx) error {
		for _, l := range teamConflictLines(tx) {
			out = append(out, l.Text)
		}
		return nil
	})
	return out, err
}

// teamConflictLines reads the stored conflicts; lines kept in the older
// form (bare text, no contact) are dropped, as a forget could not tell
// whom they name.
func teamConflictLines(tx *bolt.Tx) []TeamConflictLine {
	var lines []TeamConflictLine
	if v := tx.Bucket(bMeta).Get(kTeamConflicts); v != nil && json.Unmarshal(v, &lines) != nil {
		lines = nil
	}
	return lines
}

// ApplyTeamRows applies one page of pulled rows and moves the watermark
// to mark, in one transaction: a page is either applied with its
// watermark or not at all, so a cut-off pull re-reads it. Events new here
// go into the contact's history with their author and team key (a copy
// of one already held is skipped); a state row replaces the contact's
// shared fields, unless the contact has changes not pushed yet (the next
// sync pushes them first, then takes the state). Rows of partitions no
// contact here stands for are held until one does.
func (s *Store) ApplyTeamRows(rows []TeamRow, mark time.Time) (TeamPullResult, error) {
	var res TeamPullResult
	err := s.db.Update(func(tx *bolt.Tx) error {
		r, err := applyTeamRows(tx, rows)
		res = r
		if err != nil {
			return err
		}
		if mark.IsZero() {
			return nil
		}
		return tx.Bucket(bMeta).Put(kTeamMark, []byte(mark.UTC().Format(time.RFC3339Nano)))
	})
	return res, writeErr(err)
}

// ApplyHeldTeamRows applies the held rows whose contact is now known.
func (s *Store) ApplyHeldTeamRows() (TeamPullResult, error) {
	var res TeamPullResult
	err := s.db.Update(func(tx *bolt.Tx) error {
		pend, parts := tx.Bucket(bTeamPending), tx.Bucket(bTeamParts)
		if pend == nil || parts == nil {
			return nil
		}
		var rows []TeamRow
		var keys [][]byte
		err := pend.ForEach(func(k, v []byte) error {
			p, _, _ := bytes.Cut(k, []byte{0})
			if parts.Get(p) == nil {
				return nil
			}
			var r TeamRow
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("held team row: %w", errCorrupt)
			}
			rows, keys = append(rows, r), append(keys, bytes.Clone(k))
			return nil
		})
		if err != nil {
			return err
		}
		for _, k := range keys {
			if err := pend.Delete(k); err != nil {
				return err
			}
		}
		res, err = applyTeamRows(tx, rows)
		return err
	})
	return res, writeErr(err)
}

func applyTeamRows(tx *bolt.Tx, rows []TeamRow) (TeamPullResult, error) {
	var res TeamPullResult
	parts, err := tx.CreateBucketIfNotExists(bTeamParts)
	if err != nil {
		return res, err
	}
	keys, err := tx.CreateBucketIfNotExists(bTeamKeys)
	if err != nil {
		return res, err
	}
	unpushed := map[string]bool{}
	if ob := tx.Bucket(bTeamOutbox); ob != nil {
		err := ob.ForEach(func(_, v []byte) error {
			var ch TeamChange
			if err := json.Unmarshal(v, &ch); err != nil {
				return fmt.Errorf("team outbox record: %w", errCorrupt)
			}
			unpushed[ch.Contact] = true
			return nil
		})
		if err != nil {
			return res, err
		}
	}
	// Events first, so that a page holding a contact's event and state
	// leaves the history and the state agreeing.
	rows = slices.Clone(rows)
	slices.SortStableFunc(rows, func(a, b TeamRow) int {
		return boolInt(a.State != nil) - boolInt(b.State != nil)
	})
	forgotten := tx.Bucket(bTeamForget)
	for _, r := range rows {
		if forgotten != nil && forgotten.Get([]byte(r.Partition)) != nil {
			// A person forgotten here: nothing of theirs is kept, and
			// rows another rep pushed after the deletion are deleted
			// again (the sync carries out the queued deletion).
			if bytes.Equal(forgotten.Get([]byte(r.Partition)), forgetDone) {
				if err := forgotten.Put([]byte(r.Partition), []byte(time.Now().UTC().Format(time.RFC3339))); err != nil {
					return res, err
				}
			}
			continue
		}
		cid := string(parts.Get([]byte(r.Partition)))
		if cid == "" {
			if err := holdTeamRow(tx, r); err != nil {
				return res, err
			}
			res.Held++
			continue
		}
		if _, ok := lookupRuns(tx.Bucket(bContactIdx), idBytes(cid)); !ok {
			continue // forgotten here since: nothing to keep
		}
		if r.State != nil && r.ETag != "" {
			if err := putTeamState(tx, r.Partition, r.ETag, r.Raw); err != nil {
				return res, err
			}
		}
		switch {
		case r.Event != nil:
			if !sharedKind(r.Event.Kind) || len(r.Event.Key) < 19 || len(r.Event.Key) > 100 {
				continue // not a change leads makes: nothing to show
			}
			if keys.Get([]byte(r.Event.Key)) != nil {
				continue
			}
			if err := keys.Put([]byte(r.Event.Key), []byte(cid)); err != nil {
				return res, err
			}
			if err := applyTeamEvent(tx, cid, *r.Event); err != nil {
				return res, err
			}
			res.Events++
			if e := r.Event; e.OverBy != "" && e.OverBy == string(tx.Bucket(bMeta).Get(kTeamRep)) && e.By != e.OverBy {
				res.Overridden = append(res.Overridden, TeamOverride{Contact: cid, By: e.By, Field: e.OverField, Value: e.OverValue, At: TeamKeyTime(e.Key)})
			}
		case r.State != nil && !unpushed[cid]:
			changed, err := applyTeamState(tx, cid, *r.State)
			if err != nil {
				return res, err
			}
			if changed {
				res.States++
			}
		}
	}
	return res, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func holdTeamRow(tx *bolt.Tx, r TeamRow) error {
	b, err := tx.CreateBucketIfNotExists(bTeamPending)
	if err != nil {
		return err
	}
	rk := "state"
	if r.Event != nil {
		rk = "ev-" + r.Event.Key
	}
	v, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return b.Put([]byte(r.Partition+"\x00"+rk), v)
}

// applyTeamEvent records another rep's change in the history. It has no
// Before: Undo does not revert another rep's change (and stops there).
// A note's text joins the contact's notes, as it does for the rep who
// wrote it.
func applyTeamEvent(tx *bolt.Tx, cid string, e TeamEvent) error {
	// The table is written by every rep, and by anyone else holding its
	// key: what it says is cleaned like any text from outside.
	e.Text = capBytes(strings.TrimSpace(safetext.CleanMultiline(e.Text)), maxTeamText)
	e.From, e.To, e.By = cleanCapped(e.From, MaxRepName), cleanCapped(e.To, maxSubject), cleanCapped(e.By, MaxRepName)
	e.MessageID = cleanCapped(e.MessageID, maxSubject)
	ev := Event{Kind: e.Kind, From: e.From, To: e.To, Text: e.Text, MessageID: e.MessageID, By: e.By, Team: e.Key}
	if e.Kind == EventClaim {
		ev.Refused = cleanCapped(e.Refused, MaxRepName)
	}
	if (e.Kind == EventNote || e.Kind == EventTouch) && e.Text != "" {
		t, err := getTriage(tx, cid)
		if err != nil {
			return err
		}
		t.ContactID = cid
		t.Notes = append(t.Notes, Note{At: e.At, Text: e.Text})
		slices.SortStableFunc(t.Notes, func(a, b Note) int { return a.At.Compare(b.At) })
		if err := putTriage(tx, t); err != nil {
			return err
		}
	}
	return putEvent(tx, cid, e.At, ev)
}

// applyTeamState takes the team's shared fields for a contact. It
// reports whether anything changed.
func applyTeamState(tx *bolt.Tx, cid string, st TeamState) (bool, error) {
	t, err := getTriage(tx, cid)
	if err != nil {
		return false, err
	}
	t.ContactID = cid
	old := t
	// Anyone holding the table's key writes the state row: its words
	// are cleaned like any text from outside before they are kept.
	t.Owner = CleanRepName(st.Owner)
	if st.Status != "" {
		t.Status = st.Status
	}
	t.LostReason = strings.TrimSpace(cleanCapped(st.LostReason, maxLostReason))
	t.NextFollowUp = st.NextFollowUp
	t.Touches = st.Touches
	t.LastTouch = st.LastTouch
	if old.Owner == t.Owner && old.Status == t.Status && old.LostReason == t.LostReason &&
		old.NextFollowUp.Equal(t.NextFollowUp) && old.Touches == t.Touches && old.LastTouch.Equal(t.LastTouch) &&
		tx.Bucket(bTriage).Get([]byte(cid)) != nil {
		return false, nil
	}
	return true, putTriage(tx, t)
}

// QueueTeamForget records that a forgotten person's team rows (partition)
// must be deleted; the team sync does it, now or when the account is
// reachable again.
func (s *Store) QueueTeamForget(partition string, now time.Time) error {
	err := s.db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bTeamForget)
		if err != nil {
			return err
		}
		if pb := tx.Bucket(bTeamParts); pb != nil {
			if err := pb.Delete([]byte(partition)); err != nil {
				return err
			}
		}
		if pb := tx.Bucket(bTeamPending); pb != nil {
			if _, err := deletePrefix(pb, []byte(partition+"\x00")); err != nil {
				return err
			}
		}
		return b.Put([]byte(partition), []byte(now.UTC().Format(time.RFC3339)))
	})
	return writeErr(err)
}

// forgetDone is the value of a partition in bTeamForget once its rows
// are deleted: it stays, so rows another rep pushes there later are
// never kept here (a keyed hash, not an address).
var forgetDone = []byte("done")

// TeamForgets returns the partitions whose team rows are still to delete.
func (s *Store) TeamForgets() ([]string, error) {
	var out []string
	err := s.db.View(func(tx *bolt.Tx) error {
		if b := tx.Bucket(bTeamForget); b != nil {
			return b.ForEach(func(k, v []byte) error {
				if !bytes.Equal(v, forgetDone) {
					out = append(out, string(k))
				}
				return nil
			})
		}
		return nil
	})
	return out, err
}

// TeamForgetDone records that a partition's rows are deleted.
func (s *Store) TeamForgetDone(partition string) error {
	err := s.db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bTeamForget)
		if err != nil {
			return err
		}
		if err := putTeamState(tx, partition, "", nil); err != nil {
			return err
		}
		return b.Put([]byte(partition), forgetDone)
	})
	return writeErr(err)
}

// deleteTeamData removes what the team side keeps about a contact being
// forgotten: its changes not pushed yet, its event keys, its partition
// and the conflict lines about it (they name the address).
func deleteTeamData(tx *bolt.Tx, cid string) error {
	for _, name := range [][]byte{bTeamOutbox, bTeamKeys} {
		b := tx.Bucket(name)
		if b == nil {
			continue
		}
		var del [][]byte
		err := b.ForEach(func(k, v []byte) error {
			id := string(v)
			if bytes.Equal(name, bTeamOutbox) {
				var ch TeamChange
				if json.Unmarshal(v, &ch) == nil {
					id = ch.Contact
				}
			}
			if id == cid {
				del = append(del, bytes.Clone(k))
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, k := range del {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
	}
	if lines := teamConflictLines(tx); len(lines) > 0 || tx.Bucket(bMeta).Get(kTeamConflicts) != nil {
		kept := slices.DeleteFunc(lines, func(l TeamConflictLine) bool { return l.Contact == cid })
		v, err := json.Marshal(kept)
		if err != nil {
			return err
		}
		if err := tx.Bucket(bMeta).Put(kTeamConflicts, v); err != nil {
			return err
		}
	}
	if b := tx.Bucket(bTeamParts); b != nil {
		var del [][]byte
		if err := b.ForEach(func(k, v []byte) error {
			if string(v) == cid {
				del = append(del, bytes.Clone(k))
			}
			return nil
		}); err != nil {
			return err
		}
		for _, k := range del {
			if err := b.Delete(k); err != nil {
				return err
			}
			if err := putTeamState(tx, string(k), "", nil); err != nil {
				return err
			}
		}
	}
	return nil
}

// orderTeamEvents puts a history's team events in the order of their
// team keys, in the places team events hold: every rep then shows a
// contact's shared changes in one order, whenever each arrived here.
func orderTeamEvents(h []Event) {
	var idx []int
	var evs []Event
	for i, e := range h {
		if e.Team != "" {
			idx, evs = append(idx, i), append(evs, e)
		}
	}
	if len(evs) < 2 {
		return
	}
	slices.SortStableFunc(evs, func(a, b Event) int {
		if a.Team < b.Team {
			return -1
		}
		if a.Team > b.Team {
			return 1
		}
		return 0
	})
	for j, i := range idx {
		h[i] = evs[j]
	}
}

// TeamHeld returns how many pulled rows wait for their contact.
func (s *Store) TeamHeld() (int, error) {
	n := 0
	err := s.db.View(func(tx *bolt.Tx) error {
		if b := tx.Bucket(bTeamPending); b != nil {
			n = b.Stats().KeyN
		}
		return nil
	})
	return n, err
}

// TeamChangeSeen reports whether a change another rep made at team-key
// time at (its key's first 19 digits) has been pulled into this database:
// a change of ours that replaces one we never saw is a conflict they lost.
func (s *Store) TeamChangeSeen(at string) (bool, error) {
	if len(at) < 19 {
		return false, nil
	}
	seen := false
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bTeamKeys)
		if b == nil {
			return nil
		}
		k, _ := b.Cursor().Seek([]byte(at[:19]))
		seen = k != nil && bytes.HasPrefix(k, []byte(at[:19]))
		return nil
	})
	return seen, err
}
