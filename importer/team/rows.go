package team

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/leads-inbox/leads/store"
)

// maxText caps a note's text in an event row: a property holds at most
// 64 KiB, and a note that long is a paste, not a note.
const maxText = 16 << 10

// State is a partition's state row: the shared fields, and for each who
// set it last (By) and when (At, the 19 digits of that change's team
// key, so that times compare as strings).
type State struct {
	Owner        string
	Status       store.Status
	LostReason   string
	NextFollowUp string // RFC 3339, "" for none
	Touches      int
	LastTouch    string // RFC 3339, "" for none
	DNC, Closed  bool
	By, At       map[string]string

	// seen, when set, tells Apply whether the change another rep made at
	// a team-key time was pulled here before; Apply notes in overrode
	// each field it takes from a change this rep never saw.
	seen     func(at string) bool
	overrode []Conflict
}

var stateFields = []string{store.TeamOwner, store.TeamStatus, store.TeamLostReason, store.TeamFollowUp, store.TeamTouches, store.TeamLastTouch}

func (st *State) get(f string) string {
	switch f {
	case store.TeamOwner:
		return st.Owner
	case store.TeamStatus:
		return string(st.Status)
	case store.TeamLostReason:
		return st.LostReason
	case store.TeamFollowUp:
		return st.NextFollowUp
	case store.TeamTouches:
		return strconv.Itoa(st.Touches)
	case store.TeamLastTouch:
		return st.LastTouch
	}
	return ""
}

func (st *State) put(f, v, by, at string) {
	switch f {
	case store.TeamOwner:
		st.Owner = v
	case store.TeamStatus:
		st.Status = store.Status(v)
	case store.TeamLostReason:
		st.LostReason = v
	case store.TeamFollowUp:
		st.NextFollowUp = v
	case store.TeamTouches:
		st.Touches, _ = strconv.Atoi(v)
	case store.TeamLastTouch:
		st.LastTouch = v
	default:
		return
	}
	if st.By == nil {
		st.By, st.At = map[string]string{}, map[string]string{}
	}
	st.By[f] = by
	if at > st.At[f] {
		st.At[f] = at
	}
}

// Apply applies a change's operations to the state, as the rules of the
// team say, and returns the conflicts: the fields another rep set later
// than this change (they keep their value), and a claim on a contact
// another rep owns (it stays theirs). Increments always add.
func Apply(st *State, ch store.TeamChange) []Conflict {
	at := ""
	if len(ch.Key) >= 19 {
		at = ch.Key[:19]
	}
	var out []Conflict
	lost := func(f string) {
		// The table's words, shown to the rep: cleaned and bounded.
		out = append(out, Conflict{By: store.CleanRepName(st.By[f]), Field: f, Value: capLine(store.CleanRepName(st.get(f))), At: store.TeamKeyTime(st.At[f])})
	}
	for _, op := range ch.Ops {
		f := op.Field
		switch op.Op {
		case store.OpSet:
			if f == store.TeamLastTouch {
				// The newest touch is the last one, whoever logged it.
				if later(op.Value, st.LastTouch) {
					st.put(f, op.Value, ch.By, at)
				}
				continue
			}
			if st.At[f] > at && st.By[f] != ch.By {
				// Only what the rep chose is worth telling: not the
				// follow-up a touch's cadence scheduled, nor a
				// reason that went with a status.
				derived := f == store.TeamFollowUp && (ch.Kind == store.EventTouch || ch.Kind == store.EventSent)
				switch {
				case derived, f == store.TeamLostReason, f == store.TeamTouches:
				default:
					lost(f)
				}
				continue
			}
			if prev := st.By[f]; prev != "" && prev != ch.By && st.seen != nil && f != store.TeamLostReason && f != store.TeamTouches &&
				st.get(f) != op.Value && !st.seen(st.At[f]) {
				derived := f == store.TeamFollowUp && (ch.Kind == store.EventTouch || ch.Kind == store.EventSent)
				if !derived {
					st.overrode = append(st.overrode, Conflict{By: prev, Field: f, Value: op.Value})
				}
			}
			st.put(f, op.Value, ch.By, at)
		case store.OpAdd:
			n, _ := strconv.Atoi(op.Value)
			st.put(store.TeamTouches, strconv.Itoa(max(st.Touches+n, 0)), ch.By, at)
		case store.OpAdvance:
			if st.Status == "" || st.Status == store.StatusNew {
				st.put(store.TeamStatus, string(store.StatusContacted), ch.By, at)
			}
		case store.OpClaim:
			if st.Owner == "" || st.Owner == op.Value {
				st.put(store.TeamOwner, op.Value, ch.By, at)
			} else {
				lost(store.TeamOwner)
			}
		case store.OpRelease:
			if st.Owner == op.Value {
				st.put(store.TeamOwner, "", ch.By, at)
			}
		}
	}
	st.Closed = st.Status.Closed()
	return out
}

// later reports whether RFC 3339 time a is after b ("" is no time).
func later(a, b string) bool {
	ta, erra := time.Parse(time.RFC3339Nano, a)
	tb, errb := time.Parse(time.RFC3339Nano, b)
	switch {
	case erra != nil:
		return false
	case errb != nil:
		return true
	}
	return ta.After(tb)
}

// entity is the state row as sent.
func (st *State) entity(pk string) []byte {
	m := map[string]any{
		"PartitionKey": pk, "RowKey": StateRow,
		"owner": st.Owner, "status": string(st.Status), "lost_reason": st.LostReason,
		"next_follow_up": st.NextFollowUp, "touches": st.Touches, "last_touch": st.LastTouch,
		"dnc": st.DNC, "closed": st.Closed,
	}
	for _, f := range stateFields {
		if st.By[f] != "" {
			m[f+"_by"], m[f+"_at"] = st.By[f], st.At[f]
		}
	}
	b, _ := json.Marshal(m)
	return b
}

func parseState(b []byte) (State, error) {
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return State{}, fmt.Errorf("a team state row is not an entity: %v", err)
	}
	return stateOf(m), nil
}

func stateOf(m map[string]any) State {
	str := func(k string) string { s, _ := m[k].(string); return s }
	st := State{Owner: str("owner"), Status: store.Status(str("status")), LostReason: str("lost_reason"),
		NextFollowUp: str("next_follow_up"), LastTouch: str("last_touch"),
		By: map[string]string{}, At: map[string]string{}}
	if st.Status == "" {
		st.Status = store.StatusNew
	}
	if n, ok := m["touches"].(float64); ok {
		st.Touches = int(n)
	}
	st.DNC, _ = m["dnc"].(bool)
	st.Closed, _ = m["closed"].(bool)
	for _, f := range stateFields {
		st.By[f], st.At[f] = str(f+"_by"), str(f+"_at")
	}
	return st
}

func eventEntity(pk string, ch store.TeamChange, overrode []Conflict, refused string) []byte {
	m := map[string]any{
		"PartitionKey": pk, "RowKey": "ev-" + ch.Key,
		"kind": ch.Kind, "by": ch.By, "at": ch.At.UTC().Format(time.RFC3339Nano),
	}
	if len(overrode) > 0 {
		// One rep told per change: the first field it took from them.
		o := overrode[0]
		m["over_by"], m["over_field"], m["over_value"] = o.By, o.Field, capLine(o.Value)
	}
	for k, v := range map[string]string{"from": ch.From, "to": ch.To, "text": capText(ch.Text), "message_id": ch.MessageID, "refused": refused} {
		if v != "" {
			m[k] = v
		}
	}
	b, _ := json.Marshal(m)
	return b
}

func capText(s string) string {
	if len(s) <= maxText {
		return s
	}
	i := maxText
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i]
}

// maxTouches bounds a pulled touch count: no team touches a contact a
// million times, and the count is shown in every row.
const maxTouches = 1_000_000

// sane parses a pulled time, giving the zero time for one that is not
// RFC 3339 or is outside the years the store can keep (a year past
// store.MaxFollowUpYear would fail every later write of the contact).
func sane(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil || t.Year() < 1970 || t.Year() > store.MaxFollowUpYear {
		return time.Time{}
	}
	return t.UTC()
}

// capLine caps a one-line value from the table (a lost reason).
func capLine(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 500 {
		s = s[:500]
		for len(s) > 0 && !utf8.ValidString(s) {
			s = s[:len(s)-1]
		}
	}
	return s
}
