package azuretable

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/leads-inbox/leads/importer"
	"github.com/leads-inbox/leads/importer/azuretable/azuritetest"
	"github.com/leads-inbox/leads/store"
)

func TestEntityLeadTypesAndExtras(t *testing.T) {
	// What aztables hands out for an entity with unknown and non-string
	// properties (it re-marshals a map, so keys come sorted).
	js := `{"ActionCode":"INS","Count":42,"Count@odata.type":"Edm.Int32","CreatedTime":"9/28/2018 5:04:03 PM",` +
		`"CustomerInfo":"{\"FirstName\":\"Ann\",\"Email\":\"ann@contoso.com\",\"Favourite\":{\"a\":1}}",` +
		`"Description":"{\"mktcmpid\":\"1234\"}","Flag":true,"LeadSource":"AppSource|contoso.app",` +
		`"Big":"9007199254740993","Big@odata.type":"Edm.Int64","When":"2020-01-02T03:04:05Z","When@odata.type":"Edm.DateTime",` +
		`"PartitionKey":"9:2F28:2F2018","RowKey":"r1","Timestamp":"2024-05-06T07:08:09.1234567Z",` +
		`"odata.etag":"W/\"datetime'x'\"","Note":"\u003cb\u003e","Empty":""}`
	var warnings []string
	l, err := entityLead([]byte(js), "acct", "MarketplaceLeads", func(s string) { warnings = append(warnings, s) })
	if err != nil {
		t.Fatal(err)
	}
	if len(warnings) != 0 {
		t.Errorf("warnings %v", warnings)
	}
	if l.Origin.PartitionKey != "9:2F28:2F2018" || l.Origin.RowKey != "r1" || l.Origin.Account != "acct" {
		t.Errorf("origin %+v", l.Origin)
	}
	if !l.Timestamp.Equal(time.Date(2024, 5, 6, 7, 8, 9, 123456700, time.UTC)) {
		t.Errorf("timestamp %v", l.Timestamp)
	}
	if !l.Created.Equal(time.Date(2018, 9, 28, 17, 4, 3, 0, time.UTC)) {
		t.Errorf("created %v", l.Created)
	}
	if l.Customer.FirstName != "Ann" || l.Action != "INS" || l.Source != store.SourceAppSource || l.Description != `{"mktcmpid":"1234"}` {
		t.Errorf("lead %+v", l)
	}
	want := []store.Field{
		{Name: "Count", Value: "42"}, {Name: "Flag", Value: "true"}, {Name: "Big", Value: "9007199254740993"},
		{Name: "When", Value: "2020-01-02T03:04:05Z"}, {Name: "Note", Value: "<b>"},
		{Name: "CustomerInfo.Favourite", Value: `{"a":1}`},
	}
	if !slices.Equal(l.Extra, want) {
		t.Errorf("extra\n got %v\nwant %v", l.Extra, want)
	}
	var names []string
	for _, f := range l.Raw {
		names = append(names, f.Name)
	}
	if !slices.Equal(names[:3], []string{"PartitionKey", "RowKey", "Timestamp"}) || slices.Contains(names, "odata.etag") ||
		slices.Contains(names, "Count@odata.type") || !slices.Contains(names, "Empty") {
		t.Errorf("raw names %v", names)
	}

	// Broken CustomerInfo: imported, with a warning naming the entity.
	warnings = nil
	l, err = entityLead([]byte(`{"PartitionKey":"p","RowKey":"r","CustomerInfo":"{\"FirstName\":\"Bo\" \"LastName\":\"X\"}","CreatedTime":"soon"}`), "a", "t", func(s string) { warnings = append(warnings, s) })
	if err != nil || l.Customer.FirstName != "Bo" || len(warnings) != 2 || !strings.HasPrefix(warnings[0], "p / r: CustomerInfo is not valid JSON") {
		t.Fatalf("broken CustomerInfo: %v %+v %q", err, l.Customer, warnings)
	}
	if _, err := entityLead([]byte(`{"ActionCode":"x"}`), "a", "t", func(string) {}); err == nil {
		t.Fatal("entity without keys accepted")
	}
	if _, err := entityLead([]byte(`[1]`), "a", "t", func(string) {}); err == nil {
		t.Fatal("non-object accepted")
	}
}

// FuzzMembers checks the member walker against encoding/json on whatever
// objects the fuzzer finds: same keys, same values, in order.
func FuzzMembers(f *testing.F) {
	f.Add(`{"a":"b","c":{"d":[1,2,{"e":"}"}]},"f":-1.5e3,"g":null,"h":"\"\\"}`)
	f.Add(`{}`)
	f.Fuzz(func(t *testing.T, s string) {
		var m map[string]json.RawMessage
		// encoding/json turns invalid UTF-8 into U+FFFD; the walker keeps
		// the bytes (the service only sends UTF-8).
		if !utf8.ValidString(s) || json.Unmarshal([]byte(s), &m) != nil {
			return
		}
		n := 0
		err := members([]byte(s), func(key string, val []byte) error {
			n++
			if _, ok := m[key]; !ok {
				t.Fatalf("key %q not in %s", key, s)
			}
			if !json.Valid(val) {
				t.Fatalf("value %q of %q is not JSON", val, key)
			}
			return nil
		})
		if err != nil {
			t.Fatalf("members(%q): %v", s, err)
		}
		if n < len(m) {
			t.Fatalf("members saw %d of %d keys in %s", n, len(m), s)
		}
	})
}

// TestCSVImportAndSyncMeet imports a Storage Explorer style CSV of the table
// and then syncs it: the sync finds the same leads, none new.
func TestCSVImportAndSyncMeet(t *testing.T) {
	srv := azurite(t)
	table, tc := newTable(t, srv)
	ents := leadEntities("a", 5)
	azuritetest.Seed(t, tc, ents)
	var csv strings.Builder
	csv.WriteString("PartitionKey,RowKey,Timestamp,ActionCode,ActionCode@type,CreatedTime,CreatedTime@type,CustomerInfo,CustomerInfo@type,Description,Description@type,LeadSource,LeadSource@type,OfferDisplayName,OfferDisplayName@type\n")
	for _, e := range ents {
		row := []string{e["PartitionKey"].(string), e["RowKey"].(string), "2025-11-24T10:00:00.000Z",
			e["ActionCode"].(string), "Edm.String", e["CreatedTime"].(string), "Edm.String",
			`"` + strings.ReplaceAll(e["CustomerInfo"].(string), `"`, `""`) + `"`, "Edm.String",
			e["Description"].(string), "Edm.String", e["LeadSource"].(string), "Edm.String", e["OfferDisplayName"].(string), "Edm.String"}
		csv.WriteString(strings.Join(row, ",") + "\n")
	}
	s := openStore(t)
	var leads []store.Lead
	if _, err := importer.ReadCSV(strings.NewReader(csv.String()), "export.csv", func(l store.Lead) error {
		leads = append(leads, l)
		return nil
	}, func(re *importer.RowError) { t.Errorf("csv: %v", re) }); err != nil {
		t.Fatal(err)
	}
	if r, err := s.Upsert(leads, store.UpsertOptions{}); err != nil || r.New != 5 {
		t.Fatalf("csv import %+v %v", r, err)
	}
	// The export's Timestamp is older than the table's: the sync meets the
	// same five leads and brings them up to the table's version.
	res, err := Sync(context.Background(), s, Options{Conn: connFor(t, srv.ConnectionString(), table), Net: fastNet})
	if err != nil || res.Read != 5 || res.New != 0 || res.Updated != 5 || leadCount(t, s) != 5 {
		t.Fatalf("sync after csv import: %+v %v, %d leads", res, err, leadCount(t, s))
	}
	// The old export imported again does not undo that.
	if r, err := s.Upsert(leads, store.UpsertOptions{}); err != nil || r.Unchanged != 5 || r.Older != 5 || r.Updated != 0 {
		t.Fatalf("old export after the sync: %+v %v", r, err)
	}
	if res, err := Sync(context.Background(), s, Options{Conn: connFor(t, srv.ConnectionString(), table), Net: fastNet, Full: true}); err != nil ||
		res.Unchanged != 5 || res.Updated != 0 {
		t.Fatalf("full sync after the old export: %+v %v", res, err)
	}
}
