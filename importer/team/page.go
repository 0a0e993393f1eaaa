package team

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/leads-inbox/leads/store"
)

// A pull reads each page of the table once, from the bytes the service
// sent (azuretable.PageClient), into the few properties a team row has:
// aztables would decode every page into maps and encode each entity back
// to JSON, and the rows were then decoded into maps a second time. The
// page is checked to be JSON first (json.Valid), so the walk below only
// has to find things, and every string is decoded as encoding/json
// decodes it (escapes, and invalid UTF-8 made U+FFFD), so a row means
// what it meant when aztables decoded it.

var errBadTeamPage = errors.New("the team table sent a page that is not a list of entities: run leads team sync again, and if it keeps failing check the account's endpoint")

// wireRow holds the properties of a team row that a pull reads. A string
// property that is absent or not a string is "", and touches that is not
// a number is 0, as when the row was read through a map.
type wireRow struct {
	pk, rk, ts, etag                               string
	owner, status, lostReason, followUp, lastTouch string
	touches                                        float64
	at, by, kind, from, to, text, messageID        string
	overBy, overField, overValue, refused          string
}

// parsePageBody parses a page's body, {"odata.metadata":...,"value":[...]},
// leaving out entities of neither kind (and null ones). A body that is not
// such a page is errBadTeamPage.
func parsePageBody(body []byte) fetched {
	if !json.Valid(body) {
		return fetched{bad: errBadTeamPage}
	}
	// A repeated member counts once, with its last value, as in a map.
	var value, meta []byte
	err := eachMember(body, func(key, val []byte) error {
		switch string(key) {
		case "value":
			value = val
		case "odata.metadata":
			meta = val
		}
		return nil
	})
	if err != nil || meta != nil && meta[0] != '"' && meta[0] != 'n' {
		return fetched{bad: errBadTeamPage}
	}
	if value == nil || value[0] == 'n' {
		return fetched{} // no value, or null: a page of no rows
	}
	if value[0] != '[' {
		return fetched{bad: errBadTeamPage}
	}
	f := fetched{rows: make([]store.TeamRow, 0, 1000), parts: make([]string, 0, 1000)}
	i := skipWS(value, 1)
	for i < len(value) && value[i] != ']' {
		end := skipJSON(value, i)
		if err := f.add(value[i:end]); err != nil {
			return fetched{bad: err}
		}
		i = skipWS(value, end)
		if value[i] == ',' {
			i = skipWS(value, i+1)
		}
	}
	return f
}

// add parses one entity of a page (valid JSON) and keeps its row.
func (f *fetched) add(ent []byte) error {
	switch ent[0] {
	case 'n':
		return nil // null: no row
	case '{':
	default:
		return errBadTeamPage
	}
	var w wireRow
	if err := w.parse(ent); err != nil {
		return err
	}
	row, ts := w.row(ent)
	if ts.After(f.newest) {
		f.newest = ts
	}
	if row.Partition != "" {
		f.rows, f.parts = append(f.rows, row), append(f.parts, row.Partition)
	}
	return nil
}

// parse reads the properties of one entity, a valid JSON object. A
// property given twice counts once, with its last value.
func (w *wireRow) parse(ent []byte) error {
	return eachMember(ent, func(key, val []byte) error {
		num := val[0] == '-' || val[0] >= '0' && val[0] <= '9'
		var n float64
		if num {
			// A number no float holds made the page undecodable
			// through maps: it stays refused.
			var err error
			if n, err = strconv.ParseFloat(string(val), 64); err != nil {
				return errBadTeamPage
			}
		}
		var p *string
		switch string(key) {
		case "PartitionKey":
			p = &w.pk
		case "RowKey":
			p = &w.rk
		case "Timestamp":
			p = &w.ts
		case "odata.etag":
			p = &w.etag
		case store.TeamOwner:
			p = &w.owner
		case store.TeamStatus:
			p = &w.status
		case store.TeamLostReason:
			p = &w.lostReason
		case store.TeamFollowUp:
			p = &w.followUp
		case store.TeamLastTouch:
			p = &w.lastTouch
		case store.TeamTouches:
			w.touches = n // 0 when not a number
			return nil
		case "at":
			p = &w.at
		case "by":
			p = &w.by
		case "kind":
			p = &w.kind
		case "from":
			p = &w.from
		case "to":
			p = &w.to
		case "text":
			p = &w.text
		case "message_id":
			p = &w.messageID
		case "over_by":
			p = &w.overBy
		case "over_field":
			p = &w.overField
		case "over_value":
			p = &w.overValue
		case "refused":
			p = &w.refused
		default:
			return nil
		}
		*p = jsonString(val)
		return nil
	})
}

// row is the entity as a pulled row (Partition "" for a row of neither
// kind), and its Timestamp. raw is the entity's JSON, kept with a state
// row for the next push.
func (w *wireRow) row(raw []byte) (store.TeamRow, time.Time) {
	ts, _ := time.Parse(time.RFC3339Nano, w.ts)
	var row store.TeamRow
	switch {
	case w.rk == StateRow:
		// Anyone holding the table's key writes these: each value is
		// checked as the inbox would check it from the rep.
		status := store.Status(w.status)
		if status == "" {
			status = store.StatusNew
		}
		st := store.TeamState{Owner: store.CleanRepName(w.owner), Status: status,
			LostReason: capLine(w.lostReason), Touches: min(max(int(w.touches), 0), maxTouches)}
		if _, err := store.ParseStatus(string(st.Status)); err != nil {
			st.Status = store.StatusNew
		}
		st.NextFollowUp = sane(w.followUp)
		st.LastTouch = sane(w.lastTouch)
		row = store.TeamRow{Partition: w.pk, State: &st, ETag: w.etag, Raw: raw}
	case strings.HasPrefix(w.rk, "ev-"):
		at := sane(w.at)
		if at.IsZero() {
			// A broken or forged time: the change's key says when it
			// was made, so its note is not filed in year 1.
			at = sane(store.TeamKeyTime(w.rk[3:]).Format(time.RFC3339Nano))
		}
		row = store.TeamRow{Partition: w.pk, Event: &store.TeamEvent{Key: w.rk[3:], By: store.CleanRepName(w.by), Kind: w.kind, At: at,
			From: store.CleanRepName(w.from), To: w.to, Text: capText(w.text), MessageID: w.messageID,
			OverBy: store.CleanRepName(w.overBy), OverField: w.overField, OverValue: capLine(store.CleanRepName(w.overValue)),
			Refused: store.CleanRepName(w.refused)}}
	}
	return row, ts
}

// eachMember calls fn with each member of the JSON object b (valid JSON),
// in order: the key decoded, the value as its JSON text. null has no
// members, as a map decoded from it has none.
func eachMember(b []byte, fn func(key, val []byte) error) error {
	i := skipWS(b, 0)
	if i < len(b) && b[i] == 'n' {
		return nil
	}
	if i >= len(b) || b[i] != '{' {
		return errBadTeamPage
	}
	i = skipWS(b, i+1)
	for i < len(b) && b[i] == '"' {
		kend := skipJSON(b, i)
		key := b[i+1 : kend-1]
		if containsBackslash(key) {
			key = []byte(jsonString(b[i:kend]))
		}
		i = skipWS(b, kend) + 1 // past ':'
		i = skipWS(b, i)
		vend := skipJSON(b, i)
		if err := fn(key, b[i:vend]); err != nil {
			return err
		}
		i = skipWS(b, vend)
		if i < len(b) && b[i] == ',' {
			i = skipWS(b, i+1)
		}
	}
	return nil
}

// jsonString is the string a JSON value holds ("" for any other value),
// decoded as encoding/json decodes it.
func jsonString(val []byte) string {
	if len(val) < 2 || val[0] != '"' {
		return ""
	}
	inner := val[1 : len(val)-1]
	if !containsBackslash(inner) && utf8.Valid(inner) {
		return string(inner)
	}
	var s string
	if json.Unmarshal(val, &s) != nil {
		return ""
	}
	return s
}

func containsBackslash(b []byte) bool {
	for _, c := range b {
		if c == '\\' {
			return true
		}
	}
	return false
}

func skipWS(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipJSON returns the index just past the value starting at b[i]; b is
// valid JSON, so only strings and nesting need care.
func skipJSON(b []byte, i int) int {
	switch b[i] {
	case '"':
		for j := i + 1; j < len(b); j++ {
			switch b[j] {
			case '\\':
				j++
			case '"':
				return j + 1
			}
		}
		return len(b)
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				j = skipJSON(b, j) - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1
				}
			}
		}
		return len(b)
	}
	j := i
	for j < len(b) && b[j] != ',' && b[j] != '}' && b[j] != ']' && b[j] != ' ' && b[j] != '\t' && b[j] != '\n' && b[j] != '\r' {
		j++
	}
	return j
}
