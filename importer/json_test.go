package importer

import (
	"encoding/binary"
	"fmt"
	"strings"
	"testing"
)

func TestJSONShapes(t *testing.T) {
	obj := `{"UserDetails":{"FirstName":"Ann","Email":"a@x.example"},"LeadSource":"AzureMarketplace","ActionCode":"INS","OfferTitle":"T","Description":"d"}`
	for _, tt := range []struct {
		name  string
		data  string
		leads int
	}{
		{"one object", obj, 1},
		{"pretty object", strings.ReplaceAll(obj, ",", ",\n  "), 1},
		{"array", "[" + obj + ",\n" + obj + "]", 2},
		{"empty array", " [ ] ", 0},
		{"ndjson", obj + "\n" + obj + "\r\n\n" + obj + "\n", 3},
		{"concatenated pretty objects", strings.ReplaceAll(obj, ",", ",\n") + "\n" + obj, 2},
		{"pretty object with one-line objects inside", strings.Replace(obj, `"OfferTitle"`, "\"x\":[\n{\"a\":1},\n{\"b\":2}\n],\n\"OfferTitle\"", 1), 1},
		{"pretty object with a one-line object inside", strings.Replace(strings.Replace(obj, `{"First`, "\n{\"First", 1), `,"LeadSource"`, "\n,\"LeadSource\"", 1), 1},
		{"pretty object with an array of one object", strings.Replace(obj, `"OfferTitle"`, "\"x\":[\n{\"a\":1}\n],\n\"OfferTitle\"", 1), 1},
		{"BOM", "\xef\xbb\xbf" + obj, 1},
		{"UTF-16", string(utf16Bytes(obj, binary.LittleEndian, true)), 1},
	} {
		res := runString(Read, tt.data, "f.json")
		checkInvariants(t, res)
		if res.err != nil || len(res.errs) != 0 || len(res.leads) != tt.leads {
			t.Errorf("%s: err %v, reports %v, %d leads", tt.name, res.err, res.errs, len(res.leads))
			continue
		}
		for _, l := range res.leads {
			if l.Customer.FirstName != "Ann" || l.Action != "INS" || l.Source != "AzureMarketplace" || l.OfferName != "T" {
				t.Errorf("%s: %+v", tt.name, l)
			}
		}
	}
}

func TestJSONKeysAndExtras(t *testing.T) {
	data := `{"USERDETAILS":{"firstname":"Ann","EMAIL":"a@x.example","Nick":"A"},"leadsource":"AppSource (SPZA)-PLT|c.o","actioncode":"PLT",` +
		`"offerTitle":"O","description":"d","campaign":{"mktcmpid":"12", "partnerid":"3"},"score":7,"x@odata.type":"Edm.Int32","CreatedTime":"2026-01-02T03:04:05Z"}
{"CustomerInfo":"{\"FirstName\":\"Bo\",\"Company\":\"C\"}","LeadSource":"AzurePortal-Create|p.q","Email":"bo@x.example","Phone":"9"}
{"CustomerInfo":"not json","LeadSource":"AzureMarketplace-INS|a.b","FirstName":"Cy"}
`
	res := runString(ReadJSON, data, "f.ndjson")
	checkInvariants(t, res)
	if len(res.leads) != 3 || res.stats.Warnings != 1 || len(res.errs) != 1 || res.errs[0].Line != 3 {
		t.Fatalf("%d leads, stats %+v, reports %v", len(res.leads), res.stats, res.errs)
	}
	a := res.leads[0]
	if a.Customer.FirstName != "Ann" || a.Customer.Email != "a@x.example" || a.Source != "AppSource" || a.OfferID != "c.o" ||
		a.Created.IsZero() || a.Description != "d" {
		t.Errorf("first: %+v", a)
	}
	if got := fmt.Sprint(a.Extra); got != `[{UserDetails.Nick A} {campaign {"mktcmpid":"12","partnerid":"3"}} {score 7}]` {
		t.Errorf("extra %s", got)
	}
	if len(a.Raw) != 9 || a.Raw[5].Value != `{"mktcmpid":"12","partnerid":"3"}` || a.Raw[7].Name != "x@odata.type" {
		t.Errorf("raw %v", a.Raw)
	}
	b := res.leads[1]
	if b.Customer.FirstName != "Bo" || b.Customer.Company != "C" || b.Customer.Email != "bo@x.example" || b.Customer.Phone != "9" || b.Action != "Create" {
		t.Errorf("second: %+v", b)
	}
	if c := res.leads[2]; c.Customer.FirstName != "Cy" || c.Action != "INS" {
		t.Errorf("third: %+v", c)
	}
}

func TestJSONErrors(t *testing.T) {
	good := `{"LeadSource":"AzureMarketplace-INS|a.b","Email":"a@x.example"}`
	for _, tt := range []struct {
		name    string
		data    string
		leads   int
		fatal   bool
		reports []string
	}{
		{"ndjson bad line costs one line", good + "\n" + `{"LeadSource":"x" "Email":"y"}` + "\n" + good + "\n", 2, false,
			[]string{`f:2:19: bad JSON: expected ',' or '}' after object value, found '"'`}},
		{"ndjson unclosed object", good + "\n" + `{"LeadSource":"x"` + "\n" + good + "\n", 2, false,
			[]string{"f:2:1: bad JSON: the object is not closed on its line (one object per line expected; missing '}'?)"}},
		{"ndjson garbage line", good + "\nhello\n" + good, 2, false, []string{"f:2:1: expected a JSON object, found 'h'"}},
		{"ndjson first line unclosed", `{"LeadSource":"x"` + "\n" + strings.Repeat(good+"\n", 4), 4, false,
			[]string{"f:1:1: bad JSON: the object is not closed on its line (one object per line expected; missing '}'?)"}},
		{"ndjson first line unclosed string", `{"LeadSource":"x` + "\r\n" + strings.Repeat(good+"\r\n", 4), 4, false,
			[]string{"f:1:1: bad JSON: the object is not closed on its line (one object per line expected; missing '}'?)"}},
		{"ndjson first line of two unclosed", `{"LeadSource":{"a":1}` + "\n\n" + good, 1, false,
			[]string{"f:1:1: bad JSON: the object is not closed on its line"}},
		{"ndjson garbage, then an unclosed line", "hello\n" + `{"LeadSource":"x"` + "\n" + good + "\n" + good + "\n", 2, false,
			[]string{"f:1:1: expected a JSON object, found 'h'", "f:2:1: bad JSON: the object is not closed on its line"}},
		{"truncated at EOF", "{\n\"a\": 1,\n", 0, false, []string{"f:1:1: bad JSON: the file ends inside the object opened at line 1 column 1 (missing '}'?)"}},
		{"array element not object", "[1, " + good + "]", 1, false, []string{"f:1:2: array element is not a JSON object (found '1')"}},
		{"array bad element", "[\n" + good + ",\n{\"a\":tru},\n" + good + "\n]", 2, false, []string{"f:3:6: bad JSON: invalid literal, expected true"}},
		{"array missing comma", "[" + good + "\n" + good + "]", 1, true, nil},
		{"array unclosed", "[" + good + ",", 1, true, nil},
		{"array trailing comma", "[\n" + good + ",\n" + good + ",\n]\n", 2, false,
			[]string{"f:3:64: warning: a ',' after the last array element (before the ']' on line 4); ignored"}},
		{"trailing data after array", "[" + good + "] x", 1, true, nil},
		{"invalid UTF-8 decoded as Windows-1252", "{\"Email\":\"jos\xe9@x.example\",\"LeadSource\":\"AzureMarketplace\"}", 1, false, nil},
		{"control characters in strings", "{\"Email\":\"a\x01b\"}", 0, false, []string{"f:1:12: bad JSON: control character U+0001 in string"}},
		{"deep nesting", "{\"a\":" + strings.Repeat("[", 100000) + strings.Repeat("]", 100000) + "}", 0, false, []string{"bad JSON: JSON nested too deeply"}},
	} {
		res := runString(ReadJSON, tt.data, "f")
		checkInvariants(t, res)
		if len(res.leads) != tt.leads || (res.err != nil) != tt.fatal || len(res.errs) != len(tt.reports) {
			t.Errorf("%s: %d leads, err %v, reports %v", tt.name, len(res.leads), res.err, res.errs)
			continue
		}
		for i, want := range tt.reports {
			if got := res.errs[i].Error(); !strings.HasPrefix(got, want) && !strings.Contains(got, want) {
				t.Errorf("%s:\ngot  %s\nwant %s", tt.name, got, want)
			}
		}
		if tt.fatal {
			t.Logf("%s: %v", tt.name, res.err)
		}
	}
}
