package importer

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"io"
	"os"
	"reflect"
	"testing"
)

func addSamples(f *testing.F, names ...string) {
	for _, n := range names {
		b, err := os.ReadFile("testdata/" + n)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

func FuzzReadCSV(f *testing.F) {
	addSamples(f, "storage-explorer-export.csv", "storage-explorer-export-tab.csv")
	for _, s := range []string{
		"Email,Company\na,\"b\nc,d\n", "Email;Name\n\"a\"\"\";b\r\n", "sep=\t\nEmail\tX\na\tb", "\xff\xfeE\x00m\x00",
		"Email\n\"a\"b\n", "First name,first_name\n", "Email,CustomerInfo\na,\"{\"\"FirstName\"\":1}\"\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		res := run(ReadCSV, bytes.NewReader(data), "fuzz.csv")
		checkInvariants(t, res)
		// Where encoding/csv reads the input without complaint, the
		// tokenizer must see the same records.
		compareWithEncodingCSV(t, data)
	})
}

func compareWithEncodingCSV(t *testing.T, data []byte) {
	std := csv.NewReader(bytes.NewReader(data))
	std.FieldsPerRecord = -1
	want, err := std.ReadAll()
	if err != nil {
		return
	}
	tok := newCSVTokenizer(bufio.NewReaderSize(bytes.NewReader(data), 16), ',')
	var got [][]string
	for {
		_, prob, err := tok.next()
		if err == io.EOF {
			break
		}
		if err != nil || prob != nil {
			t.Fatalf("%q: tokenizer failed (%v %+v) where encoding/csv read %q", data, err, prob, want)
		}
		rec := make([]string, tok.nfields())
		for i := range rec {
			rec[i] = string(tok.field(i))
		}
		got = append(got, rec)
	}
	if len(got) == 0 && len(want) == 0 {
		return
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%q:\ntokenizer   %q\nencoding/csv %q", data, got, want)
	}
}

func FuzzReadJSON(f *testing.F) {
	addSamples(f, "webhook-leads.ndjson", "seed-test-lead.json")
	for _, s := range []string{
		`[{"Email":"a"},{"userdetails":{"email":"b"}}]`, `{"CustomerInfo":"{\"FirstName\":\"x\"}"}`, "{\"a\":\"\\ud800\"}\n{",
		`[1,"x",{}]`, "{\"a\":[[[{}]]]}\n}\n", "\xef\xbb\xbf{\"Email\":\"jos\xe9\"}",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		res := run(ReadJSON, bytes.NewReader(data), "fuzz.json")
		checkInvariants(t, res)
		res = run(Read, bytes.NewReader(data), "fuzz")
		checkInvariants(t, res)
	})
}

// FuzzParseJSON checks the hand-written JSON parser against encoding/json.
func FuzzParseJSON(f *testing.F) {
	for _, s := range []string{`{"a":"b"}`, `{"a":[1,{"b":null}],"c":-1.5e3}`, `{"a":"\u00e9\ud83d\ude00"}`, `{"a":1,}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkJSONParser(t, s)
		ParseCustomerInfo(s)
	})
}
