package importer

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"fmt"
	"github.com/leads-inbox/leads/store"
)

func TestCompleteActions(t *testing.T) {
	tests := []struct {
		name                  string
		leadSource, actionCd  string
		source, action, offer string
	}{
		{"full", "AppSource (SPZA)-PLT|contoso.inventory-pro", "", "AppSource", "PLT", "contoso.inventory-pro"},
		{"source-only takes ActionCode", "AzureMarketplace", "INS", "AzureMarketplace", "INS", ""},
		{"agree", "AzureMarketplace-INS|a.b", "INS", "AzureMarketplace", "INS", "a.b"},
		{"disagree prefers ActionCode", "AzureMarketplace-INS|a.b", "PLT", "AzureMarketplace", "PLT", "a.b"},
		{"ActionCode case", "AzureMarketplace", "starttestdrive", "AzureMarketplace", "StartTestDrive", ""},
		{"UI label", "", "Contact me", "", "PLT", ""},
		{"nothing", "", "", "", "", ""},
	}
	for _, tt := range tests {
		l := store.Lead{LeadSource: tt.leadSource, ActionCode: tt.actionCd}
		Complete(&l)
		if l.Source != tt.source || l.Action != tt.action || l.OfferID != tt.offer {
			t.Errorf("%s: got %q %q %q, want %q %q %q", tt.name, l.Source, l.Action, l.OfferID, tt.source, tt.action, tt.offer)
		}
		if l.LeadSource != tt.leadSource || l.ActionCode != tt.actionCd {
			t.Errorf("%s: raw values changed", tt.name)
		}
		again := l
		Complete(&again)
		if !reflect.DeepEqual(again, l) {
			t.Errorf("%s: Complete is not idempotent", tt.name)
		}
	}
}

func TestCompleteFlags(t *testing.T) {
	tests := []struct {
		name          string
		c             store.Customer
		desc          string
		isTest, noPII bool
	}{
		{"ordinary", store.Customer{FirstName: "Mei", Email: "mei@x.example"}, "", false, false},
		{"test lead", store.Customer{FirstName: "MSFT_TEST_636573304831318844"}, "", true, false},
		{"test lower case", store.Customer{Company: "msft_test_1"}, "", true, false},
		{"test in description only", store.Customer{}, "MSFT_TEST_636573304831318844", true, true},
		{"test after spaces", store.Customer{Email: "  MSFT_TEST_1@test.com"}, "", true, false},
		{"not a prefix", store.Customer{FirstName: "Not MSFT_TEST"}, "", false, false},
		{"no personal data, country only", store.Customer{Country: "US"}, "", false, true},
		{"blank fields", store.Customer{FirstName: " ", Email: "\t"}, "", false, true},
		{".edu with address only", store.Customer{Email: "someone@uni.edu", Country: "US"}, "", false, true},
		{".edu upper case", store.Customer{Email: "x@MIT.EDU"}, "", false, true},
		{".edu with a name", store.Customer{FirstName: "Al", Email: "al@uni.edu"}, "", false, false},
		{"edu elsewhere", store.Customer{Email: "x@edu.example"}, "", false, false},
	}
	for _, tt := range tests {
		l := store.Lead{Customer: tt.c, Description: tt.desc}
		Complete(&l)
		if l.IsTest != tt.isTest || l.NoPII != tt.noPII {
			t.Errorf("%s: IsTest=%v NoPII=%v, want %v %v", tt.name, l.IsTest, l.NoPII, tt.isTest, tt.noPII)
		}
	}
	l := store.Lead{Customer: store.Customer{FirstName: " Mei ", LastName: "Lin\t", Email: " a@b.example ",
		Phone: " 1 ", Country: " TW", Company: "N ", Title: " T "}, OfferName: " Offer "}
	Complete(&l)
	want := store.Customer{FirstName: "Mei", LastName: "Lin", Email: "a@b.example", Phone: "1", Country: "TW", Company: "N", Title: "T"}
	if l.Customer != want || l.OfferName != "Offer" {
		t.Errorf("not trimmed: %+v %q", l.Customer, l.OfferName)
	}
}

func TestCompleteCreated(t *testing.T) {
	ts := time.Date(2018, 9, 29, 1, 2, 3, 0, time.UTC)
	tests := []struct {
		name string
		l    store.Lead
		want time.Time
	}{
		{"CreatedTime in Raw", store.Lead{Raw: []store.Field{{Name: "CreatedTime", Value: "9/28/2018 3:04:05 PM"}},
			Origin: store.Origin{PartitionKey: "1:2F1:2F2000"}, Timestamp: ts},
			time.Date(2018, 9, 28, 15, 4, 5, 0, time.UTC)},
		{"bad CreatedTime, PartitionKey", store.Lead{Raw: []store.Field{{Name: "createdtime", Value: "yesterday"}},
			Origin: store.Origin{PartitionKey: "9:2F28:2F2018"}, Timestamp: ts},
			time.Date(2018, 9, 28, 0, 0, 0, 0, time.UTC)},
		{"PartitionKey lower-case escape", store.Lead{Origin: store.Origin{PartitionKey: "12:2f31:2f2025"}},
			time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC)},
		{"opaque PartitionKey, Timestamp", store.Lead{Origin: store.Origin{PartitionKey: "abc"}, Timestamp: ts}, ts},
		{"already set", store.Lead{Created: ts.Add(time.Hour), Timestamp: ts}, ts.Add(time.Hour)},
	}
	for _, tt := range tests {
		Complete(&tt.l)
		if !tt.l.Created.Equal(tt.want) {
			t.Errorf("%s: Created = %v, want %v", tt.name, tt.l.Created, tt.want)
		}
	}
}

func TestParseTime(t *testing.T) {
	utc := func(y int, m time.Month, d, h, min, s, ns int) time.Time {
		return time.Date(y, m, d, h, min, s, ns, time.UTC)
	}
	tests := []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"2025-09-22T09:45:35.2743359Z", utc(2025, 9, 22, 9, 45, 35, 274335900), true},
		{"2025-09-22T09:45:35Z", utc(2025, 9, 22, 9, 45, 35, 0), true},
		{"2025-09-22T11:45:35+02:00", utc(2025, 9, 22, 9, 45, 35, 0), true},
		{"2025-09-22T09:45:35.1234567", utc(2025, 9, 22, 9, 45, 35, 123456700), true},
		{"2025-09-22 09:45:35", utc(2025, 9, 22, 9, 45, 35, 0), true},
		{"2025-09-22", utc(2025, 9, 22, 0, 0, 0, 0), true},
		{"11/2/2026 8:14:05 AM", utc(2026, 11, 2, 8, 14, 5, 0), true},
		{"11/4/2026 10:02:58 PM", utc(2026, 11, 4, 22, 2, 58, 0), true},
		{"1/2/2006 12:00:00 AM", utc(2006, 1, 2, 0, 0, 0, 0), true},
		{"1/2/2006 12:30:00 PM", utc(2006, 1, 2, 12, 30, 0, 0), true},
		{"01/02/2006 15:04", utc(2006, 1, 2, 15, 4, 0, 0), true},
		{"1/2/2006", utc(2006, 1, 2, 0, 0, 0, 0), true},
		{" 1/2/2006 ", utc(2006, 1, 2, 0, 0, 0, 0), true},
		{"2/29/2024", utc(2024, 2, 29, 0, 0, 0, 0), true},
		{"2/29/2025", time.Time{}, false},
		{"13/1/2025", time.Time{}, false},
		{"1/2/2006 13:00:00 PM", time.Time{}, false},
		{"1/2/2006 24:00", time.Time{}, false},
		{"1/2/20061", time.Time{}, false},
		{"1/2/06", time.Time{}, false},
		{"yesterday", time.Time{}, false},
		{"", time.Time{}, false},
	}
	for _, tt := range tests {
		got, ok := ParseTime(tt.in)
		if ok != tt.ok || !got.Equal(tt.want) {
			t.Errorf("ParseTime(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestParseCustomerInfo(t *testing.T) {
	c, extra, err := ParseCustomerInfo(`{"firstname":"Kenji","LASTNAME":"Sato","Email":" k@l.example ","phone":null,"Country":"JP","company":"Litware","title":"CIO","Age":42,"Tags":["a", "b"],"Nick":"K\u00e9n"}`)
	if err != nil {
		t.Fatal(err)
	}
	want := store.Customer{FirstName: "Kenji", LastName: "Sato", Email: "k@l.example", Country: "JP", Company: "Litware", Title: "CIO"}
	if c != want {
		t.Errorf("customer %+v, want %+v", c, want)
	}
	wantExtra := []store.Field{{Name: "CustomerInfo.Age", Value: "42"}, {Name: "CustomerInfo.Tags", Value: `["a","b"]`}, {Name: "CustomerInfo.Nick", Value: "Kén"}}
	if !reflect.DeepEqual(extra, wantExtra) {
		t.Errorf("extra %+v, want %+v", extra, wantExtra)
	}

	// Broken JSON: what came before the damage is kept, with an error.
	c, _, err = ParseCustomerInfo(`{"FirstName":"Jo","Email":"jo@x.example","Phone":"12`)
	if err == nil || c.FirstName != "Jo" || c.Email != "jo@x.example" {
		t.Errorf("truncated: %+v %v", c, err)
	}
	for _, bad := range []string{"John Smith, john@x.example", `["a"]`, `"str"`, `{"a":1} x`, "{'FirstName':'x'}"} {
		if _, _, err := ParseCustomerInfo(bad); err == nil {
			t.Errorf("ParseCustomerInfo(%q): no error", bad)
		} else if !strings.HasPrefix(err.Error(), "CustomerInfo ") {
			t.Errorf("ParseCustomerInfo(%q): error %q does not name CustomerInfo", bad, err)
		}
	}
	if c, extra, err := ParseCustomerInfo("  "); err != nil || c != (store.Customer{}) || extra != nil {
		t.Errorf("empty: %+v %v %v", c, extra, err)
	}
}

// TestJSONParserMatchesEncodingJSON checks the hand-written parser against
// encoding/json on valid and invalid documents.
func TestJSONParserMatchesEncodingJSON(t *testing.T) {
	docs := []string{
		`{}`, `{"a":"b"}`, ` {"a" : "b\"c\\d\/e\u00e9\ud83d\ude00\n"} `, `{"a":1.5e-3,"b":true,"c":null,"d":[1,{"x":[]}]}`,
		`{"a":"\ud800"}`, `{"a":-0}`, `{"a":01}`, `{"a":1.}`, `{"a":"\x"}`, `{"a" "b"}`, `{"a":"b",}`, `{"a":"b"`,
		`{"a":"b"} {}`, `[1,2]`, `"s"`, `{"a":"` + "\x01" + `"}`, `{"a":tru}`, `{"a":[1,]}`, `{,}`, ``,
	}
	for _, d := range docs {
		checkJSONParser(t, d)
	}
}

func checkJSONParser(t *testing.T, d string) {
	t.Helper()
	_, err := parseJSON(d, 1)
	if !utf8.ValidString(d) {
		// Deliberate difference: encoding/json turns invalid UTF-8 into
		// U+FFFD; lead text must never be silently garbled.
		if err == nil {
			t.Fatalf("%q: invalid UTF-8 accepted", d)
		}
		return
	}
	var std any
	stdErr := json.Unmarshal([]byte(d), &std)
	// Deliberate difference: numbers are kept as written, so one too large
	// for a float64 (1e700) is still valid JSON; encoding/json only fails
	// to store it in an any. (Found by FuzzParseJSON.)
	var ute *json.UnmarshalTypeError
	if errors.As(stdErr, &ute) {
		stdErr = nil
	}
	if (err == nil) != (stdErr == nil) {
		t.Fatalf("%q: ours %v, encoding/json %v", d, err, stdErr)
	}
	if err != nil {
		return
	}
	obj, ok := std.(map[string]any)
	if !ok {
		return
	}
	v, _ := parseJSON(d, 1)
	for _, m := range v.members {
		if s, isStr := obj[m.key].(string); isStr && m.val.kind == jsonString && s != m.val.text {
			// encoding/json keeps the last of duplicate keys.
			last := m
			for _, m2 := range v.members {
				if m2.key == m.key {
					last = m2
				}
			}
			if last.val.text != s {
				t.Fatalf("%q: key %q = %q, encoding/json %q", d, m.key, m.val.text, s)
			}
		}
	}
}

// FuzzParseUTCStamp: where the fast path for Azure's Timestamp shape
// answers, time.Parse gives the same instant; where time.Parse reads such
// a string, ParseTime does too.
func FuzzParseUTCStamp(f *testing.F) {
	for _, s := range []string{"2026-11-02T08:14:09.1234567Z", "2026-02-29T00:00:00Z", "2024-02-29T23:59:59.9Z",
		"2026-13-01T00:00:00Z", "2026-11-02T08:14:60Z", "2026-11-02T08:14:09.Z", "2026-11-02T08:14:09.1234567890Z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, err := time.Parse(time.RFC3339Nano, s)
		got, ok := parseUTCStamp(s)
		if ok && (err != nil || !got.Equal(want)) {
			t.Fatalf("parseUTCStamp(%q) = %v, time.Parse: %v %v", s, got, want, err)
		}
		if err == nil && len(s) >= 8 && s == strings.TrimSpace(s) {
			if pt, pok := ParseTime(s); !pok || !pt.Equal(want) {
				t.Fatalf("ParseTime(%q) = %v %v, time.Parse %v", s, pt, pok, want)
			}
		}
	})
}

// FuzzCustomerAsWritten: where the fast read of Partner Center's own
// CustomerInfo form answers, the JSON parser gives the same customer, no
// extra fields and no error; and it answers for that form whenever no
// value needs escaping.
func FuzzCustomerAsWritten(f *testing.F) {
	f.Add("Mei", "Lin", "mei@x.example", "+1 555", "US", "Contoso", "CTO", "")
	f.Add(" Ünal ", "", "", "", "TR", "Çelik A.Ş.", "", "")
	f.Add("a\"b", "c\\d", "\x01", "\xff", "", "", "", "")
	f.Add("Mei", "c\\d", "", "", "", "", "", "")
	f.Add("Mei", "", "", "", "", "", "", " ")
	f.Add("\xff", "", "", "", "", "", "", "")
	f.Add("", "", "", "", "", "", "", "{\"FirstName\":\"a\x01\",\"LastName\":\"\",\"Email\":\"\",\"Phone\":\"\",\"Country\":\"\",\"Company\":\"\",\"Title\":\"\"}")
	f.Add("", "", "", "", "", "", "", `{"FirstName":"x","LastName":"y"}`)
	f.Fuzz(func(t *testing.T, first, last, email, phone, country, company, title, raw string) {
		vals := []string{first, last, email, phone, country, company, title}
		var b strings.Builder
		plain := true
		for i, v := range vals {
			b.WriteString(customerKeys[i])
			for j := 0; j < len(v); j++ {
				switch ch := v[j]; {
				case ch == '"' || ch == '\\':
					b.WriteByte('\\')
					b.WriteByte(ch)
					plain = false
				case ch < 0x20:
					fmt.Fprintf(&b, `\u%04x`, ch)
					plain = false
				default:
					b.WriteByte(ch)
				}
			}
		}
		b.WriteString(`"}`)
		written := b.String()
		for _, js := range []string{written, raw, written + raw} {
			got, ok := customerAsWritten(js, false)
			want, extra, err := parseCustomerJSON(js, "CustomerInfo.")
			if ok && (got != want || extra != nil || err != nil) {
				t.Fatalf("%q: fast read %+v, parser %+v %v %v", js, got, want, extra, err)
			}
		}
		if _, ok := customerAsWritten(written, false); !ok && plain && utf8.ValidString(written) {
			t.Fatalf("%q: Partner Center's form without escapes was not read", written)
		}
	})
}

// BenchmarkCustomerInfo: CustomerInfo in Partner Center's own form, read
// directly and through the JSON parser; every row of an export has one.
func BenchmarkCustomerInfo(b *testing.B) {
	js := `{"FirstName":"Mei","LastName":"Lin","Email":"mei.lin@contoso.example","Phone":"+1 555 0100",` +
		`"Country":"US","Company":"Contoso Pharmaceuticals","Title":"Director of IT"}`
	b.Run("as-written", func(b *testing.B) {
		for b.Loop() {
			customerAsWritten(js, false)
		}
	})
	b.Run("parser", func(b *testing.B) {
		for b.Loop() {
			parseCustomerJSON(js, "CustomerInfo.")
		}
	})
}
