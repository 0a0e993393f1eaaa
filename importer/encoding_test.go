package importer

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"

	"github.com/leads-inbox/leads/store"
)

// readEncoded reads data as 'leads import --encoding enc' does, through
// ReadBatches with and without workers; with enc empty it must agree with
// Read.
func readEncoded(t *testing.T, data []byte, name, enc string) result {
	t.Helper()
	var first result
	for i, opt := range []BatchOptions{{Size: 2, Inline: true}, {Size: 3, Workers: 2}} {
		opt.Encoding = enc
		var res result
		res.stats, res.err = ReadBatches(bytes.NewReader(data), name, opt, func(b []store.Lead) error {
			res.leads = append(res.leads, b...)
			return nil
		}, func(e *RowError) { res.errs = append(res.errs, e) })
		checkInvariants(t, res)
		if i == 0 {
			first = res
		} else if !reflect.DeepEqual(res, first) {
			t.Fatalf("%s: workers gave %+v, inline %+v", name, res, first)
		}
	}
	if enc == "" {
		if res := run(Read, bytes.NewReader(data), name); !reflect.DeepEqual(res, first) {
			t.Fatalf("%s: Read gave %+v, ReadBatches %+v", name, res, first)
		}
	}
	return first
}

func encode(t *testing.T, e encoding.Encoding, s string) []byte {
	t.Helper()
	b, err := e.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// names returns each lead's "First Last / Company".
func names(leads []store.Lead) []string {
	var out []string
	for _, l := range leads {
		out = append(out, l.Customer.FirstName+" "+l.Customer.LastName+" / "+l.Customer.Company)
	}
	return out
}

// csvOf and ndjsonOf write the same people as a CSV file and as webhook
// NDJSON; cells hold the bytes given, whatever their encoding.
func csvOf(people [][3]string) string {
	var b strings.Builder
	b.WriteString("First name,Last name,Company,Email\n")
	for i, p := range people {
		fmt.Fprintf(&b, "%s,%s,%s,p%d@x.example\n", p[0], p[1], p[2], i)
	}
	return b.String()
}

func ndjsonOf(people [][3]string) string {
	var b strings.Builder
	for i, p := range people {
		fmt.Fprintf(&b, `{"UserDetails":{"FirstName":"%s","LastName":"%s","Company":"%s","Email":"p%d@x.example"},"LeadSource":"AzureMarketplace","ActionCode":"INS"}`+"\n", p[0], p[1], p[2], i)
	}
	return b.String()
}

func wantNames(people [][3]string) []string {
	var out []string
	for _, p := range people {
		out = append(out, p[0]+" "+p[1]+" / "+p[2])
	}
	return out
}

// TestOddBytesAreDecodedAlone: a UTF-8 file with a Windows-1252 byte in its
// first row stays UTF-8; the odd row is read as Windows-1252 on its own and
// counted, and the rows after it keep their text. Rows that are neither
// (a character cut short, UTF-8 mixed with other bytes, a CJK name in a
// legacy encoding) are rejected with their line, the rest imported.
func TestOddBytesAreDecodedAlone(t *testing.T) {
	mixed := [][3]string{{"Caf\xe9", "Owner", "Bistro"}, {"José", "García", "Acme"}, {"Anna", "Müller", "GmbH"}, {"美咲", "佐藤", "株式会社"}}
	decoded := [][3]string{{"Café", "Owner", "Bistro"}, mixed[1], mixed[2], mixed[3]}
	for _, tt := range []struct {
		name      string
		people    [][3]string
		want      []string
		rejected  []int // lines
		reason    string
		cp1252    int
		cp1252Row int
	}{
		{"the issue's file", mixed, wantNames(decoded), nil, "", 1, 2},
		{"curly quotes and euro late", [][3]string{{"Zoë", "Ng", "A"}, {"\x93Ann\x94", "L\xe9e", "\x80uro"}, {"Ação", "Ng", "B"}},
			[]string{"Zoë Ng / A", "“Ann” Lée / €uro", "Ação Ng / B"}, nil, "", 1, 3},
		{"a character cut short", [][3]string{{"José", "Ng", "A"}, {"美\xe5\x92", "Ng", "B"}, {"Zoë", "Ng", "C"}},
			[]string{"José Ng / A", "Zoë Ng / C"}, []int{3}, "cut short", 0, 0},
		{"UTF-8 and Windows-1252 in one cell", [][3]string{{"José", "Ng", "A"}, {"Zoë Caf\xe9", "Ng", "B"}},
			[]string{"José Ng / A"}, []int{3}, "not valid UTF-8", 0, 0},
		{"a Shift_JIS name among UTF-8", [][3]string{{"José", "Ng", "A"}, {"美咲", "佐藤", "B"}, {"山田", "Ng", string(encode(t, japanese.ShiftJIS, "株式会社"))}, {"Zoë", "Ng", "C"}},
			[]string{"José Ng / A", "美咲 佐藤 / B", "Zoë Ng / C"}, []int{4}, "--encoding", 0, 0},
	} {
		for _, format := range []string{"csv", "ndjson"} {
			data := csvOf(tt.people)
			line := func(row int) int { return row } // the header is line 1
			if format == "ndjson" {
				data = ndjsonOf(tt.people)
				line = func(row int) int { return row - 1 }
			}
			res := readEncoded(t, []byte(data), "f."+format, "")
			if res.err != nil || !reflect.DeepEqual(names(res.leads), tt.want) {
				t.Errorf("%s (%s): %v, leads %q, want %q", tt.name, format, res.err, names(res.leads), tt.want)
				continue
			}
			var lines []int
			for _, e := range res.errs {
				lines = append(lines, e.Line)
				if !strings.Contains(e.Reason, tt.reason) {
					t.Errorf("%s (%s): reason %q, want it to say %q", tt.name, format, e.Reason, tt.reason)
				}
			}
			var want []int
			for _, r := range tt.rejected {
				want = append(want, line(r))
			}
			if !reflect.DeepEqual(lines, want) || res.stats.Rejected != len(want) {
				t.Errorf("%s (%s): rejected lines %v (stats %+v), want %v", tt.name, format, lines, res.stats, want)
			}
			wantLine := 0
			if tt.cp1252 > 0 {
				wantLine = line(tt.cp1252Row)
			}
			if res.stats.Windows1252 != tt.cp1252 || res.stats.Windows1252Line != wantLine || res.stats.Detected != "" {
				t.Errorf("%s (%s): stats %+v, want %d Windows-1252 rows from line %d", tt.name, format, res.stats, tt.cp1252, wantLine)
			}
		}
	}
}

// TestOddRowFarIntoALargeFile: the decision is per row however far apart
// the odd row and the UTF-8 ones are, and nothing before is held back.
func TestOddRowFarIntoALargeFile(t *testing.T) {
	var people [][3]string
	people = append(people, [3]string{"Caf\xe9", "Owner", "Bistro"})
	for i := range 5000 {
		people = append(people, [3]string{"José", fmt.Sprint(i), "美咲"})
	}
	people = append(people, [3]string{"Ren\xe9e", "Late", "X"})
	res := readEncoded(t, []byte(csvOf(people)), "big.csv", "")
	if res.err != nil || len(res.leads) != 5002 || res.stats.Windows1252 != 2 || res.stats.Windows1252Line != 2 {
		t.Fatalf("%v, %d leads, %+v", res.err, len(res.leads), res.stats)
	}
	if l := res.leads[4000].Customer; l.FirstName != "José" || l.Company != "美咲" {
		t.Fatalf("row 4000: %+v", l)
	}
	if l := res.leads[5001].Customer; l.FirstName != "Renée" {
		t.Fatalf("last row: %+v", l)
	}
}

var (
	japanesePeople = [][3]string{{"山田", "太郎", "株式会社山田"}, {"田中", "花子", "東京商事株式会社"}, {"佐藤", "美咲", "株式会社"}}
	chinesePeople  = [][3]string{{"张", "伟", "北京科技有限公司"}, {"李", "娜", "上海贸易"}, {"王", "芳", "北京"}}
	koreanPeople   = [][3]string{{"김", "민준", "서울전자 주식회사"}, {"이", "서연", "부산무역"}, {"박", "지호", "한국소프트웨어"}}
	taiwanPeople   = [][3]string{{"陳", "美玲", "台北科技股份有限公司"}, {"林", "志明", "高雄貿易"}, {"黃", "淑芬", "新竹電子"}}
)

// TestLegacyCJKFilesAreDetected: Shift_JIS, GB18030, EUC-KR and Big5 files
// as their encoders write them import with their text, the encoding said,
// in CSV and in NDJSON; a file that does not say which is refused with a
// message naming --encoding, and imports with it.
func TestLegacyCJKFilesAreDetected(t *testing.T) {
	for _, tt := range []struct {
		name   string
		enc    encoding.Encoding
		people [][3]string
		want   string // Stats.Detected; empty: refused
		flag   string // --encoding for it
	}{
		{"Shift_JIS", japanese.ShiftJIS, japanesePeople, "Shift_JIS", "shift_jis"},
		{"Shift_JIS one row", japanese.ShiftJIS, [][3]string{{"山田", "太郎", "株式会社"}}, "Shift_JIS", "shift_jis"},
		{"GB18030", simplifiedchinese.GB18030, chinesePeople, "GB18030", "gb18030"},
		{"EUC-KR", korean.EUCKR, koreanPeople, "EUC-KR", "euc-kr"},
		{"Big5", traditionalchinese.Big5, taiwanPeople, "Big5", "big5"},
		// Four hanzi could be GB18030 or Big5; five Hangul syllables GB18030 or EUC-KR.
		{"GB18030 too short to tell", simplifiedchinese.GB18030, [][3]string{{"张", "伟", "北京"}}, "", "gb18030"},
		{"EUC-KR too short to tell", korean.EUCKR, [][3]string{{"김", "민준", "서울"}}, "", "euc-kr"},
	} {
		for _, format := range []string{"csv", "ndjson"} {
			text := csvOf(tt.people)
			if format == "ndjson" {
				text = ndjsonOf(tt.people)
			}
			data := encode(t, tt.enc, text)
			name := tt.name + "." + format
			res := readEncoded(t, data, name, "")
			if tt.want == "" {
				if res.err == nil || !strings.Contains(res.err.Error(), "--encoding") || strings.Contains(res.err.Error(), "\n") || len(res.leads) != 0 {
					t.Errorf("%s: want a refusal naming --encoding, got %v, leads %q", name, res.err, names(res.leads))
				}
			} else if res.err != nil || len(res.errs) != 0 || res.stats.Detected != tt.want || !reflect.DeepEqual(names(res.leads), wantNames(tt.people)) {
				t.Errorf("%s: %v %v, %+v, leads %q", name, res.err, res.errs, res.stats, names(res.leads))
			}
			res = readEncoded(t, data, name, tt.flag)
			if res.err != nil || len(res.errs) != 0 || res.stats.Detected != "" || !reflect.DeepEqual(names(res.leads), wantNames(tt.people)) {
				t.Errorf("%s with --encoding %s: %v %v, leads %q", name, tt.flag, res.err, res.errs, names(res.leads))
			}
		}
	}
}

// TestLegacyFileWithBadBytes: in a file read as a legacy encoding, a row
// with bytes the encoding does not have is rejected with its line, not
// stored with U+FFFD.
func TestLegacyFileWithBadBytes(t *testing.T) {
	people := append(append([][3]string{}, japanesePeople...), japanesePeople...)
	data := encode(t, japanese.ShiftJIS, csvOf(people))
	data = append(data, "\x82,\xff\xfe,X,bad@x.example\n"...)
	for _, enc := range []string{"", "shift_jis"} {
		res := readEncoded(t, data, "f.csv", enc)
		if res.err != nil || len(res.leads) != 6 || len(res.errs) != 1 || res.errs[0].Line != 8 || !strings.Contains(res.errs[0].Reason, "not valid Shift_JIS") {
			t.Errorf("--encoding %q: %v, %d leads, %v", enc, res.err, len(res.leads), res.errs)
		}
	}
}

// TestEncodingFlag: what --encoding names wins over detection, and a name
// that contradicts a byte-order mark or is unknown is refused in one line.
func TestEncodingFlag(t *testing.T) {
	latin := "First name,Last name,Email\nJos\xe9,\xc3\xa9t\xe9,j@x.example\nAnn,M\xfcller,a@x.example\n"
	utf8File := csvOf([][3]string{{"José", "Ng", "A"}, {"Caf\xe9", "Ng", "B"}})
	for _, tt := range []struct {
		name, data, enc string
		want            []string // first and last names; nil when refused
		rejected        int
		errHas          string
	}{
		// Whole-file Windows-1252: "Ã©" is two letters, not é.
		{"windows-1252", latin, "windows-1252", []string{"José Ã©té", "Ann Müller"}, 0, ""},
		{"latin1", latin, "latin1", []string{"José Ã©té", "Ann Müller"}, 0, ""},
		{"utf-8 rejects the odd row", utf8File, "utf-8", []string{"José Ng"}, 1, ""},
		{"UTF-16 without a mark", string(utf16Bytes(csvOf([][3]string{{"美咲", "Ng", "A"}}), leUTF16, false)), "utf-16le", []string{"美咲 Ng"}, 0, ""},
		{"UTF-16 with a mark", string(utf16Bytes(csvOf([][3]string{{"美咲", "Ng", "A"}}), beUTF16, true)), "utf-16", []string{"美咲 Ng"}, 0, ""},
		{"UTF-8 mark", "\xef\xbb\xbf" + csvOf([][3]string{{"José", "Ng", "A"}}), "utf-8", []string{"José Ng"}, 0, ""},
		{"a mark that contradicts", "\xef\xbb\xbf" + csvOf([][3]string{{"José", "Ng", "A"}}), "shift_jis", nil, 0, "byte-order mark"},
		{"unknown", utf8File, "klingon", nil, 0, "unknown encoding"},
	} {
		res := readEncoded(t, []byte(tt.data), "f.csv", tt.enc)
		if tt.want == nil {
			if res.err == nil || !strings.Contains(res.err.Error(), tt.errHas) || !strings.Contains(res.err.Error(), "--encoding") {
				t.Errorf("%s: want refusal with %q, got %v", tt.name, tt.errHas, res.err)
			}
			continue
		}
		var got []string
		for _, l := range res.leads {
			got = append(got, l.Customer.FirstName+" "+l.Customer.LastName)
		}
		if res.err != nil || !reflect.DeepEqual(got, tt.want) || res.stats.Rejected != tt.rejected {
			t.Errorf("%s: %v, %q (%+v), want %q", tt.name, res.err, got, res.stats, tt.want)
		}
	}
	if CheckEncoding("GB18030") != nil || CheckEncoding("cp936") != nil || CheckEncoding("nope") == nil {
		t.Error("CheckEncoding")
	}
}

var (
	leUTF16 = binary.LittleEndian
	beUTF16 = binary.BigEndian
)

// TestWesternFilesAreNotTakenForCJK: Windows-1252 names whose accents sit
// inside words (é followed by a letter parses as Shift_JIS or GB18030) and
// curly apostrophes are read as Windows-1252, every row, never as a CJK
// encoding.
func TestWesternFilesAreNotTakenForCJK(t *testing.T) {
	western := [][3]string{{"Frédéric", "Hélène", "Société Générale"}, {"Seán", "O’Brien", "Ó Ríordáin & Söhne"},
		{"João", "Gonçalves", "Ação Ltda"}, {"Jürgen", "Müßig", "Größe GmbH"}, {"Åsa", "Ångström", "Bærum AS"},
		{"Zoë", "D’Angelo", "“Naïve” Café"}, {"Renée", "Lefèvre", "Crème brûlée"}, {"Iñigo", "Núñez", "Señor €uro™"}}
	var people [][3]string
	for i := 0; i < 40; i++ {
		people = append(people, western...)
	}
	for _, tt := range []struct {
		name   string
		people [][3]string
	}{{"many rows", people}, {"one of each", western}, {"one", western[:1]}, {"apostrophes", western[1:2]},
		// Portuguese pairs (ção) and an accent before a letter (ão) once
		// read as Big5: every name garbled, exit 0.
		{"Portuguese", brazilianPeople}} {
		for _, format := range []string{"csv", "ndjson"} {
			text := csvOf(tt.people)
			if format == "ndjson" {
				text = ndjsonOf(tt.people)
			}
			res := readEncoded(t, encode(t, charmapWindows1252, text), tt.name+"."+format, "")
			if res.err != nil || len(res.errs) != 0 || res.stats.Detected != "" || res.stats.Windows1252 != len(tt.people) ||
				!reflect.DeepEqual(names(res.leads), wantNames(tt.people)) {
				t.Errorf("%s (%s): %v %v %+v, leads %q", tt.name, format, res.err, res.errs, res.stats, names(res.leads))
			}
		}
	}
}

var charmapWindows1252 = charmap.Windows1252

var brazilianPeople = [][3]string{{"João", "Conceição", "Comunicação Ltda"}, {"Sebastião", "Gonçalves", "Assunção S.A."},
	{"Estêvão", "Magalhães", "Informação e Gestão"}}
