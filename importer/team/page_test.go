package team

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/leads-inbox/leads/store"
)

// mapPage reads a page body the way a pull read it through aztables: the
// body decoded into maps (odata.metadata a string, value a list of
// objects), each entity encoded back to JSON and decoded into a map again,
// its properties taken by type. It is the reference parsePageBody must
// agree with.
func mapPage(body []byte) (fetched, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil {
		return fetched{}, err
	}
	var meta *string
	if v, ok := top["odata.metadata"]; ok {
		if err := json.Unmarshal(v, &meta); err != nil {
			return fetched{}, err
		}
	}
	var ents []map[string]any
	if v, ok := top["value"]; ok {
		if err := json.Unmarshal(v, &ents); err != nil {
			return fetched{}, err
		}
	}
	var f fetched
	for _, e := range ents {
		b, err := json.Marshal(e)
		if err != nil {
			return fetched{}, err
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			return fetched{}, err
		}
		str := func(k string) string { s, _ := m[k].(string); return s }
		ts, _ := time.Parse(time.RFC3339Nano, str("Timestamp"))
		if ts.After(f.newest) {
			f.newest = ts
		}
		pk, rk := str("PartitionKey"), str("RowKey")
		var row store.TeamRow
		switch {
		case rk == StateRow:
			st := stateOf(m)
			ts := store.TeamState{Owner: store.CleanRepName(st.Owner), Status: st.Status,
				LostReason: capLine(st.LostReason), Touches: min(max(st.Touches, 0), maxTouches)}
			if _, err := store.ParseStatus(string(ts.Status)); err != nil {
				ts.Status = store.StatusNew
			}
			ts.NextFollowUp = sane(st.NextFollowUp)
			ts.LastTouch = sane(st.LastTouch)
			row = store.TeamRow{Partition: pk, State: &ts, ETag: str("odata.etag"), Raw: b}
		case strings.HasPrefix(rk, "ev-"):
			at := sane(str("at"))
			if at.IsZero() {
				at = sane(store.TeamKeyTime(rk[3:]).Format(time.RFC3339Nano))
			}
			row = store.TeamRow{Partition: pk, Event: &store.TeamEvent{Key: rk[3:], By: store.CleanRepName(str("by")), Kind: str("kind"), At: at,
				From: store.CleanRepName(str("from")), To: str("to"), Text: capText(str("text")), MessageID: str("message_id"),
				OverBy: store.CleanRepName(str("over_by")), OverField: str("over_field"), OverValue: capLine(store.CleanRepName(str("over_value"))),
				Refused: store.CleanRepName(str("refused"))}}
		}
		if row.Partition != "" {
			f.rows, f.parts = append(f.rows, row), append(f.parts, row.Partition)
		}
	}
	return f, nil
}

// samePage reports how two parses of a page differ ("" when they agree):
// the same rows in the same order, and state rows whose kept entities
// give the same state to the next push.
func samePage(got, want fetched) string {
	if !got.newest.Equal(want.newest) {
		return fmt.Sprintf("newest %v, want %v", got.newest, want.newest)
	}
	if len(got.rows) != len(want.rows) || !slices.Equal(got.parts, want.parts) {
		return fmt.Sprintf("%d rows %v, want %d %v", len(got.rows), got.parts, len(want.rows), want.parts)
	}
	for i := range got.rows {
		g, w := got.rows[i], want.rows[i]
		if g.Raw != nil || w.Raw != nil {
			gs, gerr := parseState(g.Raw)
			ws, werr := parseState(w.Raw)
			if gerr != nil || werr != nil || !reflect.DeepEqual(gs, ws) {
				return fmt.Sprintf("row %d: kept state %+v (%v), want %+v (%v)", i, gs, gerr, ws, werr)
			}
		}
		g.Raw, w.Raw = nil, nil
		if !reflect.DeepEqual(g, w) {
			return fmt.Sprintf("row %d: %+v %+v %+v, want %+v %+v %+v", i, g, g.State, g.Event, w, w.State, w.Event)
		}
	}
	return ""
}

// hostilePages are page bodies a hostile table (or a broken proxy) could
// send: 40 KB properties, properties of the wrong JSON type, repeated and
// escaped names, invalid UTF-8, nulls, nesting, and pages that are not
// pages. big is how often the long properties repeat their 20 bytes.
func hostilePages(big int) []string {
	long := strings.Repeat("\u202eno budget\x1b[2J", big)
	bigJSON, _ := json.Marshal(long)
	key := "1800000000000000000-abcdef-00000001"
	return []string{
		`{"odata.metadata":"https://x/$metadata#T","value":[` +
			`{"odata.etag":"W/\"datetime'2026-12-06T10%3A00%3A00.1Z'\"","PartitionKey":"p1","RowKey":"state","Timestamp":"2026-12-06T10:00:00.1234567Z","owner":"Ana","status":"qualified","touches":3,"last_touch":"2026-12-05T10:00:00Z","next_follow_up":"2026-12-08T10:00:00Z","owner_by":"Ana","owner_at":"1764000000000000000","dnc":false,"closed":false},` +
			`{"odata.etag":"W/\"x\"","PartitionKey":"p1","RowKey":"ev-` + key + `","Timestamp":"2026-12-06T10:00:01Z","kind":"note","by":"Ben","at":"2026-12-06T10:00:00Z","text":"hello\nthere","over_by":"Ana","over_field":"status","over_value":"won"}]}`,
		`{"value":[{"PartitionKey":"p2","RowKey":"state","owner":` + string(bigJSON) + `,"lost_reason":` + string(bigJSON) + `,"status":5,"touches":"7","next_follow_up":true,"last_touch":{"a":[1,2]}},` +
			`{"PartitionKey":"p2","RowKey":"ev-` + key + `","kind":"note","by":` + string(bigJSON) + `,"text":` + string(bigJSON) + `,"at":"9999-12-31T23:00:00Z","message_id":null}]}`,
		`{"value":[{"PartitionKey":"p3","RowKey":"state","touches":-5,"touches":1e30,"owner":"a","owner":5,"own\u0065r":"Eve\u001b]0;x\u0007","status":"hacked"}]}`,
		`{"value":[{"PartitionKey":"p4","RowKey":"state","touches":12.9,"owner":"\xff\xfeEve","status":"\ud800"}, null, {"RowKey":"state"}, {"PartitionKey":"p5","RowKey":"other"}]}`,
		`{"value":[{"PartitionKey":"p6","RowKey":"state","touches":1e400}]}`,
		`{"value":[{"PartitionKey":"p6","RowKey":"state","x":[1e400]}]}`,
		`{"value":[1,2]}`, `{"value":{}}`, `{"value":null}`, `{}`, `[]`, `null`, `"value"`, ``, `{"value":[`,
		`{"odata.metadata":5,"value":[]}`, `{"odata.metadata":5,"odata.metadata":"x","value":[{"PartitionKey":"p7","RowKey":"state"}]}`,
		`{"value":[{"PartitionKey":"p8","RowKey":"ev-1"}],"value":[{"PartitionKey":"p9","RowKey":"ev-` + key + `","kind":"touch"}]}`,
		` { "value" : [ { "PartitionKey" : "p10" , "RowKey" : "state" , "touches" : 2 } ] } `,
	}
}

// TestPageParserReadsRowsAsMapsDid: each hostile page body is refused, or
// read into the same rows (cleaned and bounded the same way) as when the
// page was decoded into maps twice.
func TestPageParserReadsRowsAsMapsDid(t *testing.T) {
	for _, body := range hostilePages(2600) {
		if msg := comparePage([]byte(body)); msg != "" {
			t.Errorf("page %.200q: %s", body, msg)
		}
	}
	f := parsePageBody([]byte(hostilePages(2600)[1]))
	if f.bad != nil || len(f.rows) != 2 || len(f.rows[1].Event.Text) > maxText || len(f.rows[0].State.LostReason) > 500 {
		t.Fatalf("40 KB properties not bounded: %v", f.bad)
	}
}

// comparePage says how parsePageBody and mapPage disagree on body.
func comparePage(body []byte) string {
	got := parsePageBody(body)
	want, err := mapPage(body)
	switch {
	case err != nil && got.bad == nil:
		// Only a number out of a float's range deep inside a property
		// (never in a table: properties are scalars) is let through.
		if strings.Contains(err.Error(), "cannot unmarshal number") {
			return ""
		}
		return fmt.Sprintf("read as %d rows, but maps refused it: %v", len(got.rows), err)
	case err == nil && got.bad != nil:
		return fmt.Sprintf("refused (%v), but maps read it", got.bad)
	case err != nil:
		if got.bad != errBadTeamPage {
			return fmt.Sprintf("refused with %v", got.bad)
		}
		return ""
	}
	return samePage(got, want)
}

// FuzzTeamPage: any page body is refused or read as decoding it into
// maps read it, without a panic.
//
//	go test ./importer/team -run '^$' -fuzz FuzzTeamPage -fuzztime 1m
func FuzzTeamPage(f *testing.F) {
	// Short long properties: the fuzzer's work is per byte.
	for _, body := range hostilePages(3) {
		f.Add([]byte(body))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if msg := comparePage(body); msg != "" {
			t.Fatalf("page %.300q: %s", body, msg)
		}
	})
}
