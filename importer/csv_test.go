package importer

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/leads-inbox/leads/store"
)

const seHeader = "PartitionKey,RowKey,Timestamp,ActionCode,ActionCode@type,CreatedTime,CreatedTime@type,CustomerInfo,CustomerInfo@type,Description,Description@type,LeadSource,LeadSource@type,OfferDisplayName,OfferDisplayName@type\r\n"

func seRow(i int, first string) string {
	return fmt.Sprintf(`11:2F02:2F2026,row-%d,2026-11-02T08:14:09.1234567Z,PLT,Edm.String,11/2/2026 8:14:05 AM,Edm.String,"{""FirstName"":""%s"",""LastName"":""Lin"",""Email"":""u%d@x.example""}",Edm.String,,Edm.String,AppSource (SPZA)-PLT|contoso.inventory-pro,Edm.String,Contoso Inventory Pro,Edm.String`+"\r\n", i, first, i)
}

func utf16Bytes(s string, order binary.AppendByteOrder, bom bool) []byte {
	var b []byte
	units := utf16.Encode([]rune(s))
	if bom {
		units = append([]uint16{0xfeff}, units...)
	}
	for _, u := range units {
		b = order.AppendUint16(b, u)
	}
	return b
}

func TestCSVEncodings(t *testing.T) {
	text := seHeader + seRow(1, "José") + seRow(2, "Zoë")
	for _, tt := range []struct {
		name string
		data []byte
	}{
		{"UTF-8", []byte(text)},
		{"UTF-8 BOM", append([]byte("\xef\xbb\xbf"), text...)},
		{"UTF-16LE BOM", utf16Bytes(text, binary.LittleEndian, true)},
		{"UTF-16BE BOM", utf16Bytes(text, binary.BigEndian, true)},
		{"Windows-1252", []byte(strings.NewReplacer("é", "\xe9", "ë", "\xeb").Replace(text))},
	} {
		res := run(ReadCSV, bytes.NewReader(tt.data), "f.csv")
		checkInvariants(t, res)
		if res.err != nil || len(res.errs) != 0 || len(res.leads) != 2 {
			t.Errorf("%s: err %v, reports %v, %d leads", tt.name, res.err, res.errs, len(res.leads))
			continue
		}
		if res.leads[0].Customer.FirstName != "José" || res.leads[1].Customer.FirstName != "Zoë" ||
			res.leads[0].Origin.PartitionKey != "11:2F02:2F2026" || res.leads[0].Raw[0].Name != "PartitionKey" {
			t.Errorf("%s: %+v", tt.name, res.leads[0])
		}
	}

	for _, order := range []binary.AppendByteOrder{binary.LittleEndian, binary.BigEndian} {
		res := run(ReadCSV, bytes.NewReader(utf16Bytes(text, order, false)), "f.csv")
		if res.err == nil || !strings.Contains(res.err.Error(), "looks like UTF-16") || len(res.leads) != 0 {
			t.Errorf("UTF-16 %v without BOM: err %v, %d leads", order, res.err, len(res.leads))
		}
	}
}

// Windows-1252 is decided per file, at the first non-ASCII record, so a
// file whose first accented name comes late is still decoded as a whole.
func TestCSVWindows1252Late(t *testing.T) {
	var b strings.Builder
	b.WriteString("First name,Last name,Email\n")
	for i := 0; i < 1000; i++ {
		fmt.Fprintf(&b, "Ann,Lee,a%d@x.example\n", i)
	}
	b.WriteString("Jos\xe9,\x80uro \x93quoted\x94,j@x.example\n")
	res := runString(ReadCSV, b.String(), "f.csv")
	checkInvariants(t, res)
	last := res.leads[len(res.leads)-1]
	if len(res.leads) != 1001 || last.Customer.FirstName != "José" || last.Customer.LastName != "€uro “quoted”" {
		t.Errorf("%d leads, last %+v", len(res.leads), last.Customer)
	}
	if res.stats.Windows1252 != 1 || res.stats.Windows1252Line != 1002 {
		t.Errorf("stats %+v", res.stats)
	}
}

// cp1252High must agree with golang.org/x/text's Windows-1252 table.
func TestCP1252Table(t *testing.T) {
	for c := 0x80; c < 0x100; c++ {
		got := string(appendCP1252(nil, []byte{byte(c)}))
		if strings.ContainsRune(got, '\ufffd') {
			t.Errorf("byte %#x decodes to U+FFFD", c)
		}
	}
	if got := string(appendCP1252(nil, []byte("\x80\x85\x99\xe9\xff"))); got != "€…™éÿ" {
		t.Errorf("got %q", got)
	}
}

func TestCSVDelimiters(t *testing.T) {
	rows := []string{"Email;First name;Company", `a@x.example;Ann;"Contoso; Ltd"`, "b@x.example;Bob;Fabrikam"}
	for _, tt := range []struct{ name, data string }{
		{"semicolon", strings.Join(rows, "\n") + "\n"},
		{"semicolon CRLF", strings.Join(rows, "\r\n") + "\r\n"},
		{"semicolon no final newline", strings.Join(rows, "\n")},
		{"tab", strings.ReplaceAll(strings.Join(rows, "\n"), ";", "\t")},
		{"excel sep line", "sep=;\r\n" + strings.Join(rows, "\r\n")},
	} {
		data := tt.data
		if tt.name == "tab" {
			data = strings.Replace(data, "Contoso\t Ltd", "Contoso; Ltd", 1)
		}
		res := runString(ReadCSV, data, "f.csv")
		checkInvariants(t, res)
		if res.err != nil || len(res.errs) != 0 || len(res.leads) != 2 ||
			res.leads[0].Customer.Company != "Contoso; Ltd" || res.leads[1].Customer.FirstName != "Bob" {
			t.Errorf("%s: err %v reports %v leads %+v", tt.name, res.err, res.errs, res.leads)
		}
		if tt.name == "excel sep line" && res.leads[0].Origin.Line != 3 {
			t.Errorf("sep line: first lead on line %d, want 3", res.leads[0].Origin.Line)
		}
	}
}

func TestCSVHeaderSynonyms(t *testing.T) {
	for _, tt := range []struct {
		header string
		row    string
		want   store.Lead
	}{
		{"First name,Last name,Email address,Company name,Job title,Phone number,Country/region,Call to action,Offer name,Created time,Lead source,Comments",
			"Ann,Lee,ann@x.example,Contoso,CTO,123,US,Contact me,Contoso Pro,11/2/2026 8:14:05 AM,AppSource (SPZA)-PLT|contoso.pro,Call me",
			store.Lead{Customer: store.Customer{FirstName: "Ann", LastName: "Lee", Email: "ann@x.example", Company: "Contoso", Title: "CTO", Phone: "123", Country: "US"},
				Action: "PLT", ActionCode: "Contact me", OfferName: "Contoso Pro", Source: "AppSource", OfferID: "contoso.pro", Description: "Call me"}},
		{"first_name,LAST_NAME,E-mail,Customer name,Title,Phone,Country,Action,Offer title,Date,Notes",
			"Bo,Ng,bo@x.example,Fabrikam,CIO,9,SG,Get it now,Fab,2026-01-02,hi",
			store.Lead{Customer: store.Customer{FirstName: "Bo", LastName: "Ng", Email: "bo@x.example", Company: "Fabrikam", Title: "CIO", Phone: "9", Country: "SG"},
				Action: "INS", ActionCode: "Get it now", OfferName: "Fab", Description: "hi"}},
		{"FirstName,LastName,Email,Company,LeadCreationDateTime,Call to action,OfferDisplayName,Description",
			"Cy,Do,cy@x.example,Adatum,2026-01-02T03:04:05Z,Test drive,Ad,",
			store.Lead{Customer: store.Customer{FirstName: "Cy", LastName: "Do", Email: "cy@x.example", Company: "Adatum"},
				Action: "StartTestDrive", ActionCode: "Test drive", OfferName: "Ad"}},
		// Partner Center labels an Azure portal purchase "Get it now"; the
		// lead source says Create, which is what it was.
		{"First name,Email address,Call to action,Lead source,Offer",
			"Chris,c@x.example,Get it now,AzurePortal-Create|contoso.sentinel,Sentinel",
			store.Lead{Customer: store.Customer{FirstName: "Chris", Email: "c@x.example"}, Action: "Create",
				ActionCode: "Get it now", OfferName: "Sentinel", Source: "AzurePortal", OfferID: "contoso.sentinel"}},
		{"Contact name,Email,Call to action,Offer",
			"Mei Lin,m@x.example,Free trial,O",
			store.Lead{Customer: store.Customer{FirstName: "Mei", LastName: "Lin", Email: "m@x.example"}, Action: "INS", ActionCode: "Free trial", OfferName: "O"}},
	} {
		res := runString(ReadCSV, tt.header+"\n"+tt.row+"\n", "f.csv")
		checkInvariants(t, res)
		if res.err != nil || len(res.errs) != 0 || len(res.leads) != 1 {
			t.Errorf("%s: err %v reports %v", tt.header, res.err, res.errs)
			continue
		}
		got := res.leads[0]
		if got.Customer != tt.want.Customer || got.Action != tt.want.Action || got.ActionCode != tt.want.ActionCode ||
			got.OfferName != tt.want.OfferName || got.Source != tt.want.Source || got.OfferID != tt.want.OfferID ||
			got.Description != tt.want.Description || got.Created.IsZero() == strings.Contains(tt.header, "ate") {
			t.Errorf("%s:\ngot  %+v\nwant %+v", tt.header, got, tt.want)
		}
		if len(got.Extra) != 0 || len(got.Raw) != strings.Count(tt.header, ",")+1 {
			t.Errorf("%s: Extra %v Raw %v", tt.header, got.Extra, got.Raw)
		}
	}
}

func TestCSVUnknownColumnsAndFormulas(t *testing.T) {
	data := "Email,Score,Owner,Company\r\n" +
		"a@x.example,=1+2,\"@SUM(A1)\",\"-cmd|' /C calc'!A0\"\r\n"
	res := runString(ReadCSV, data, "f.csv")
	checkInvariants(t, res)
	if len(res.leads) != 1 {
		t.Fatalf("%+v", res)
	}
	l := res.leads[0]
	wantExtra := []store.Field{{Name: "Score", Value: "=1+2"}, {Name: "Owner", Value: "@SUM(A1)"}}
	if fmt.Sprint(l.Extra) != fmt.Sprint(wantExtra) || l.Customer.Company != "-cmd|' /C calc'!A0" {
		t.Errorf("formula-like values not kept verbatim: %+v %+v", l.Extra, l.Customer)
	}
}

func TestCSVStorageExplorerTypeColumns(t *testing.T) {
	// Newer exports: blank type cells after the first row, and @type
	// columns that are empty throughout.
	data := "PartitionKey,RowKey,Timestamp,LeadSource,LeadSource@type,ActionCode,ActionCode@type,CustomerInfo,CustomerInfo@type\n" +
		"p,r1,2026-01-01T00:00:00Z,AzureMarketplace-INS|a.b,String,INS,String,\"{\"\"Email\"\":\"\"a@x.example\"\"}\",String\n" +
		"p,r2,2026-01-01T00:00:00Z,AzureMarketplace-INS|a.b,,INS,,\"{\"\"Email\"\":\"\"b@x.example\"\"}\",\n"
	res := runString(ReadCSV, data, "f.csv")
	checkInvariants(t, res)
	if len(res.leads) != 2 || len(res.errs) != 0 {
		t.Fatalf("%+v", res)
	}
	for _, l := range res.leads {
		if len(l.Raw) != 6 || len(l.Extra) != 0 || l.Origin.RowKey == "" {
			t.Errorf("%+v", l)
		}
	}
}

func TestCSVUnclosedQuote(t *testing.T) {
	var b strings.Builder
	b.WriteString(seHeader)
	for i := 2; i <= 10000; i++ {
		row := seRow(i, "Ann")
		if i == 2 {
			// The closing quote of CustomerInfo is missing.
			row = strings.Replace(row, `""}",`, `""},`, 1)
		}
		b.WriteString(row)
	}
	res := runString(ReadCSV, b.String(), "big.csv")
	checkInvariants(t, res)
	if len(res.errs) != 1 || res.errs[0].Line != 2 || res.errs[0].Severity != Reject {
		t.Fatalf("reports %v", res.errs)
	}
	if len(res.leads) != 9998 || res.leads[0].Origin.Line != 3 || res.leads[9997].Origin.Line != 10000 {
		t.Errorf("%d leads; the rest of the file must still import", len(res.leads))
	}
	t.Log(res.errs[0])

	// Unclosed quote in a file with no other quotes: nothing stops the cell
	// but the end of file, and the lines after it must still be read.
	res = runString(ReadCSV, "Email,Company\na@x.example,\"Contoso\nb@x.example,Fabrikam\nc@x.example,Adatum\n", "f.csv")
	checkInvariants(t, res)
	if len(res.leads) != 2 || len(res.errs) != 1 || res.errs[0].Line != 2 || !strings.Contains(res.errs[0].Reason, "never closed") {
		t.Errorf("%d leads, reports %v", len(res.leads), res.errs)
	}

	// Text after a closing quote.
	res = runString(ReadCSV, "Email,Company\na@x.example,\"Contoso\" Ltd\nb@x.example,Fabrikam\n", "f.csv")
	checkInvariants(t, res)
	if len(res.leads) != 1 || len(res.errs) != 1 || res.errs[0].Line != 2 || res.errs[0].Col != 22 {
		t.Errorf("%d leads, reports %v", len(res.leads), res.errs)
	}
}

func TestCSVMultilineCells(t *testing.T) {
	data := "Email,Description\r\na@x.example,\"line one\r\nline \"\"two\"\"\r\n\"\r\nb@x.example,plain\r\n"
	res := runString(ReadCSV, data, "f.csv")
	checkInvariants(t, res)
	if len(res.leads) != 2 || res.leads[0].Description != "line one\nline \"two\"\n" || res.leads[1].Origin.Line != 5 {
		t.Errorf("%+v %v", res.leads, res.errs)
	}
}

func TestCSVRaggedRows(t *testing.T) {
	data := "Email,First name,Company\n" +
		"a@x.example,Ann,Contoso\n" +
		"b@x.example,Bob\n" +
		"c@x.example,Cy,Adatum,extra\n" +
		"d@x.example,Di,Fabrikam,,\n" + // trailing empty cells are tolerated
		",,\n" + // Excel's empty rows are skipped
		"\n" +
		"e@x.example,Ed,Litware\n"
	res := runString(ReadCSV, data, "f.csv")
	checkInvariants(t, res)
	if len(res.leads) != 3 || len(res.errs) != 2 || res.stats.Rejected != 2 || res.stats.Records != 5 {
		t.Fatalf("%d leads, stats %+v, reports %v", len(res.leads), res.stats, res.errs)
	}
	if res.errs[0].Error() != "f.csv:3: row has 2 cells but the header has 3" || res.errs[1].Line != 4 {
		t.Errorf("reports %v", res.errs)
	}
	if res.leads[2].Origin.Line != 8 {
		t.Errorf("last lead line %d", res.leads[2].Origin.Line)
	}
}

// TestCSVMacLineEndings: Excel's "CSV (Macintosh)" ends lines with a lone
// CR; its rows import, while a CR inside a quoted cell of an LF or CRLF
// file stays in the cell.
func TestCSVMacLineEndings(t *testing.T) {
	rows := []string{"Email,First name,Lead source,Description",
		"a@x.example,A,AppSource (SPZA)-PLT|c.o,one",
		"b@x.example,B,AppSource (SPZA)-PLT|c.o,\"two\nlines\"",
		"c@x.example,C,AppSource (SPZA)-PLT|c.o,three"}
	for _, tt := range []struct {
		name, data string
		lines      []int
		desc       string // the second lead's description
	}{
		{"CR", strings.Join(rows, "\r") + "\r", []int{2, 3, 5}, "two\nlines"},
		{"CR, no final line break", strings.Join(rows, "\r"), []int{2, 3, 5}, "two\nlines"},
		{"CR, cell break in CR", strings.ReplaceAll(strings.Join(rows, "\r"), "\n", "\r"), []int{2, 3, 5}, "two\nlines"},
		{"CR, Excel sep line", "sep=,\r" + strings.Join(rows, "\r") + "\r", []int{3, 4, 6}, "two\nlines"},
		{"CR, quoted header", "\"Email\",\"First name\",\"Lead source\",Description\r" + strings.Join(rows[1:], "\r"), []int{2, 3, 5}, "two\nlines"},
		{"LF, CR in a cell", strings.ReplaceAll(strings.Join(rows, "\n"), "two\nlines", "two\rlines") + "\n", []int{2, 3, 4}, "two\rlines"},
		{"CRLF, CR in a cell", strings.ReplaceAll(strings.Join(rows, "\r\n"), "two\nlines", "two\rlines") + "\r\n", []int{2, 3, 4}, "two\rlines"},
	} {
		res := runString(Read, tt.data, "f.csv")
		checkInvariants(t, res)
		if res.err != nil || len(res.errs) != 0 || len(res.leads) != 3 {
			t.Errorf("%s: err %v, reports %v, %d leads", tt.name, res.err, res.errs, len(res.leads))
			continue
		}
		for i, l := range res.leads {
			if l.Origin.Line != tt.lines[i] || l.Customer.FirstName != string(rune('A'+i)) || l.Source != "AppSource" {
				t.Errorf("%s: lead %d: line %d, %+v", tt.name, i, l.Origin.Line, l)
			}
		}
		if d := res.leads[1].Description; d != tt.desc {
			t.Errorf("%s: description %q, want %q", tt.name, d, tt.desc)
		}
		sameAsRead(t, []byte(tt.data), "f.csv")
	}
}

func TestCSVFileLevelErrors(t *testing.T) {
	for _, tt := range []struct{ name, data, want string }{
		{"duplicate header", "Email,First name,email\na,b,c\n", "duplicate column"},
		{"duplicate by synonym spelling", "First name,first_name\na,b\n", "duplicate column"},
		{"no usable column", "Foo,Bar,Baz\n1,2,3\n", "no usable column"},
		{"empty", "", "empty"},
		{"only BOM", "\xef\xbb\xbf", "empty"},
		{"xlsx", "PK\x03\x04\x14\x00\x06\x00", "Excel"},
		{"broken header", "\"Email,Name\n", "header"},
		{"line breaks in the header and no row", "Email,\"First name\ra@x.example,A\"\n", "line break"},
		// Most rows not matching the header: the file is misread, not a
		// few bad rows. One error, nothing imported.
		{"mostly ragged", "Email,First name,Company,Title\n" + strings.Repeat("a@x.example;Ann;Contoso;CTO\n", 9) +
			"b@x.example,Bob,Adatum,CIO\n", "9 of the first 10 rows do not have the header's 4 cells (this one has 1)"},
	} {
		var emitted int
		_, err := ReadCSV(strings.NewReader(tt.data), "f.csv", func(store.Lead) error { emitted++; return nil }, nil)
		re, ok := err.(*RowError)
		if !ok || re.Severity != Fatal || !strings.Contains(err.Error(), tt.want) || emitted != 0 {
			t.Errorf("%s: err %v, %d emitted", tt.name, err, emitted)
		}
	}
}

// genReader produces a CSV with one huge cell without holding it in memory.

type repeatByte struct {
	c byte
	n int
}

func (r *repeatByte) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, io.EOF
	}
	if len(p) > r.n {
		p = p[:r.n]
	}
	for i := range p {
		p[i] = r.c
	}
	r.n -= len(p)
	return len(p), nil
}

// readAllocating reads a CSV and says how many bytes reading it allocated.
func readAllocating(r io.Reader) (result, uint64) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	res := run(ReadCSV, r, "huge.csv")
	runtime.ReadMemStats(&after)
	return res, after.TotalAlloc - before.TotalAlloc
}

// hugeCell is the size of the oversized cell; memory use must not depend on
// it (tried with 500 MiB: the same 19 MiB of allocations as with 50 MiB).
var hugeCell = 50 << 20

func TestCSVHugeField(t *testing.T) {
	for _, quoted := range []bool{false, true} {
		q := ""
		if quoted {
			q = `"`
		}
		r := io.MultiReader(
			strings.NewReader("Email,Description\na@x.example,ok\nb@x.example,"+q),
			&repeatByte{c: 'x', n: hugeCell},
			strings.NewReader(q+"\nc@x.example,fine\n"))
		res, alloc := readAllocating(r)
		checkInvariants(t, res)
		if len(res.leads) != 2 || len(res.errs) != 1 || res.errs[0].Line != 3 || res.leads[1].Origin.Line != 4 {
			t.Errorf("quoted=%v: %d leads, reports %v", quoted, len(res.leads), res.errs)
		}
		if alloc > 32<<20 {
			t.Errorf("quoted=%v: allocated %d MiB for a 50 MiB cell", quoted, alloc>>20)
		}
		t.Log(res.errs)
	}

	// A 2 MiB cell within the line limit: that row fails, naming the column.
	data := "Email,Description\na@x.example," + strings.Repeat("y", 2<<20) + "\nb@x.example,ok\n"
	res := runString(ReadCSV, data, "f.csv")
	checkInvariants(t, res)
	if len(res.leads) != 1 || len(res.errs) != 1 || !strings.Contains(res.errs[0].Reason, "cell 2 (Description) is larger than 1 MiB") {
		t.Errorf("%d leads, reports %v", len(res.leads), res.errs)
	}
}

// proseLines reads n lines of 999 bytes of text, with commas in them as
// descriptions have.
type proseLines struct{ n, off int }

func (r *proseLines) Read(p []byte) (int, error) {
	const line = "Lorem ipsum, dolor sit amet, consectetur adipiscing elit; sed do eiusmod tempor. "
	if r.n == 0 {
		return 0, io.EOF
	}
	i := 0
	for i < len(p) && r.n > 0 {
		if r.off == 999 {
			p[i] = '\n'
			r.off = 0
			r.n--
		} else {
			p[i] = line[r.off%len(line)]
			r.off++
		}
		i++
	}
	return i, nil
}

// TestCSVHugeMultilineCell: a well-formed quoted cell over the size limit,
// spanning many lines, costs its record and nothing more; an unclosed quote
// followed by over 1 MiB of rows still costs only its own record.
func TestCSVHugeMultilineCell(t *testing.T) {
	lines := hugeCell / 1000
	r := io.MultiReader(
		strings.NewReader("Email,Description,Company\na@x.example,\""),
		&proseLines{n: lines},
		strings.NewReader("end\",Contoso\nb@x.example,ok,Fabrikam\n"))
	res, alloc := readAllocating(r)
	checkInvariants(t, res)
	if res.stats.Records != 2 || len(res.leads) != 1 || len(res.errs) != 1 || res.errs[0].Line != 2 ||
		!strings.Contains(res.errs[0].Reason, "cell 2 (Description) is larger than 1 MiB") ||
		res.leads[0].Origin.Line != 3+lines || res.leads[0].Customer.Company != "Fabrikam" {
		t.Fatalf("stats %+v, %d reports, first %v", res.stats, len(res.errs), res.errs[:min(len(res.errs), 2)])
	}
	if alloc > 32<<20 {
		t.Errorf("allocated %d MiB for a %d MiB cell", alloc>>20, hugeCell>>20)
	}

	var b strings.Builder
	b.WriteString("Email,Company\na@x.example,\"Contoso\n")
	const n = 60000 // about 1.5 MiB
	for i := range n {
		fmt.Fprintf(&b, "b%d@x.example,Fabrikam\n", i)
	}
	res = runString(ReadCSV, b.String(), "f.csv")
	checkInvariants(t, res)
	if len(res.leads) != n || len(res.errs) != 1 || res.errs[0].Line != 2 {
		t.Errorf("unclosed quote: %d leads, %d reports, first %v", len(res.leads), len(res.errs), res.errs[:min(len(res.errs), 2)])
	}
}

func TestCSVCustomerInfoProblems(t *testing.T) {
	data := seHeader +
		strings.Replace(seRow(2, "Ann"), `"{""FirstName""`, `"not json {""FirstName""`, 1) +
		strings.Replace(seRow(3, "Bob"), `""Email""`, `""Nickname"":""Bobby"",""Age"":42,""Email""`, 1) +
		strings.Replace(seRow(4, "Cy"), `""}",`, `",`, 1) // truncated JSON
	res := runString(ReadCSV, data, "f.csv")
	checkInvariants(t, res)
	if len(res.leads) != 3 || res.stats.Warnings != 2 || res.stats.Rejected != 0 {
		t.Fatalf("%d leads, stats %+v, reports %v", len(res.leads), res.stats, res.errs)
	}
	for _, e := range res.errs {
		if e.Severity != Warning || !strings.Contains(e.Error(), "warning: CustomerInfo is not valid JSON") {
			t.Errorf("report %v", e)
		}
	}
	if res.errs[0].Line != 2 || res.errs[1].Line != 4 {
		t.Errorf("report lines %v", res.errs)
	}
	if l := res.leads[0]; l.Customer.FirstName != "" || l.Action != "PLT" || l.OfferID != "contoso.inventory-pro" {
		t.Errorf("not-JSON row: %+v", l)
	}
	if l := res.leads[1]; l.Customer.FirstName != "Bob" || fmt.Sprint(l.Extra) != "[{CustomerInfo.Nickname Bobby} {CustomerInfo.Age 42}]" {
		t.Errorf("extra fields: %+v", l.Extra)
	}
	if l := res.leads[2]; l.Customer.FirstName != "Cy" || l.Customer.LastName != "Lin" {
		t.Errorf("truncated JSON keeps what it can: %+v", l.Customer)
	}
}

func TestRowErrorSanitised(t *testing.T) {
	e := &RowError{File: "evil\x1b]0;x\x07.csv", Line: 3, Reason: "bad \x1b[2Jvalue\r\nFAKE \u202eexe\u200b \x9b", Severity: Warning}
	if got := e.Error(); got != "evil.csv:3: warning: bad value FAKE exe " {
		t.Errorf("%q", got)
	}
	res := runString(ReadCSV, "Email,Created\na@x.example,\x1b[31mnow\n", "f.csv")
	if len(res.errs) != 1 || strings.ContainsRune(res.errs[0].Error(), 0x1b) {
		t.Errorf("%v", res.errs)
	}
}

func TestEmitErrorStops(t *testing.T) {
	stop := fmt.Errorf("stop")
	n := 0
	_, err := ReadCSV(strings.NewReader("Email\na\nb\nc\n"), "f.csv", func(store.Lead) error {
		n++
		if n == 2 {
			return stop
		}
		return nil
	}, nil)
	if err != stop || n != 2 {
		t.Errorf("err %v after %d", err, n)
	}
}

// Every line opening a quote that never closes must not make the reader
// re-read the file once per line.
func TestCSVManyUnclosedQuotesIsLinear(t *testing.T) {
	var b strings.Builder
	b.WriteString("Email,Company\n")
	const n = 50000
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "a%d@x.example,\"Contoso\n", i)
	}
	start := time.Now()
	res := runString(ReadCSV, b.String(), "f.csv")
	checkInvariants(t, res)
	if res.stats.Rejected != n || len(res.leads) != 0 {
		t.Errorf("stats %+v", res.stats)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v", d)
	}
}

// TestRowTextKeepsEveryRow: strings carved from rowText's shared chunks
// keep their text while the buffer they came from is overwritten and
// later rows fill and overflow chunks, a record too large to share one
// included.
func TestRowTextKeepsEveryRow(t *testing.T) {
	var rt rowText
	var got, want []string
	buf := make([]byte, 0, rowTextChunk)
	for i := range 5000 {
		n := i % 300
		if i%1000 == 999 {
			n = rowTextChunk/4 + 1
		}
		buf = buf[:0]
		for j := range n {
			buf = append(buf, byte('a'+(i+j)%26))
		}
		want = append(want, string(buf))
		got = append(got, rt.of(buf))
		for j := range buf {
			buf[j] = '#'
		}
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("row %d: %.20q..., want %.20q...", i, got[i], want[i])
		}
	}
}

// TestCSVCharacterAcrossCells: two cells that are each broken UTF-8 but
// form a valid character when put together ("\xe8\xa6" and "\xa3" make
// 覣) are not valid: the row is rejected, in a file with UTF-8 before it
// or not, since "\xe8\xa6" is a character cut short, not Windows-1252.
func TestCSVCharacterAcrossCells(t *testing.T) {
	utf8File := "Email,Company,Title\nmei@x.example,Zoë GmbH,CTO\nlin@x.example,Co\xe8\xa6,\xa3x\nann@x.example,Co,CEO\n"
	res := runString(Read, utf8File, "split.csv")
	if res.err != nil || len(res.leads) != 2 || res.stats.Rejected != 1 || len(res.errs) != 1 || res.errs[0].Line != 3 {
		t.Fatalf("UTF-8 file: %d leads, %+v, problems %v, %v", len(res.leads), res.stats, res.errs, res.err)
	}
	undecided := "Email,Company,Title\nlin@x.example,Co\xe8\xa6,\xa3x\n"
	res = runString(Read, undecided, "split.csv")
	if res.err != nil || len(res.leads) != 0 || res.stats.Rejected != 1 || len(res.errs) != 1 || !strings.Contains(res.errs[0].Reason, "cell 2 (Company)") {
		t.Fatalf("no UTF-8 before it: %+v, %v, %v", res.leads, res.errs, res.err)
	}
}
