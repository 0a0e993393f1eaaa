package importer

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"io"
	"os"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/simplifiedchinese"
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
		"First name,Email\nCaf\xe9,a\nJosé,b\n美咲,c\n", "First name,Email\n\x8eR\x93c\x91\xbe\x98Y,a\n",
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

// FuzzReadEncoded: for any bytes and any encoding named or detected, the
// batched reader with and without workers and Read agree, every lead's
// text is valid UTF-8, and no U+FFFD is made up: a record the encoding
// cannot read is rejected, not stored with it.
func FuzzReadEncoded(f *testing.F) {
	for _, n := range []string{"storage-explorer-export.csv", "webhook-leads.ndjson"} {
		b, err := os.ReadFile("testdata/" + n)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(append([]byte{0}, b...))
	}
	sjis, _ := japanese.ShiftJIS.NewEncoder().Bytes([]byte("First name,Company\n山田太郎,株式会社\n田中,東京商事\n"))
	gb, _ := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte("{\"FirstName\":\"张伟\",\"Company\":\"北京科技有限公司\"}\n{\"FirstName\":\"李娜\"}\n"))
	for _, s := range [][]byte{sjis, gb, []byte("Email,Name\na,Caf\xe9\nb,José\nc,美\xe5\x92\n"), []byte("{\"Email\":\"Caf\xe9\"}\n{\"Email\":\"美咲\"}\n")} {
		for i := range 4 {
			f.Add(append([]byte{byte(i)}, s...))
		}
	}
	encs := []string{"", "utf-8", "windows-1252", "shift_jis", "gb18030", "euc-kr", "big5", "utf-16le"}
	// The first byte picks the encoding.
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 {
			return
		}
		enc := encs[int(data[0])%len(encs)]
		data = data[1:]
		res := readEncoded(t, data, "fuzz", enc)
		if enc == "utf-16le" || bytes.Contains(data, []byte("\uFFFD")) ||
			bytes.HasPrefix(data, []byte{0xff, 0xfe}) || bytes.HasPrefix(data, []byte{0xfe, 0xff}) {
			return
		}
		for _, l := range res.leads {
			for _, s := range leadStrings(&l) {
				if strings.ContainsRune(s, utf8.RuneError) {
					t.Fatalf("--encoding %q: U+FFFD made up in %q", enc, s)
				}
			}
		}
	})
}
