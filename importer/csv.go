package importer

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
	"unsafe"

	"github.com/leads-inbox/leads/store"
)

// ReadCSV reads a CSV file of leads and calls emit for every lead, in file
// order, after Complete. name is used in Origin.File and in messages.
//
// It reads Azure Storage Explorer exports of the MarketplaceLeads table
// (every "@type" column ignored, PartitionKey, RowKey and Timestamp kept,
// CustomerInfo parsed as JSON) and any other CSV whose headers name lead
// fields: headers match case-, space- and underscore-insensitively with
// synonyms ("First name", "Email address", "Call to action", "Offer name",
// ...). Columns it does not know go to Lead.Extra; Raw holds the whole row.
// The delimiter (comma, semicolon or TAB) is sniffed from the header, or
// taken from an Excel "sep=" first line. See openText and charset for
// encodings.
//
// Problems with one row are passed to report (nil discards them) and the
// row is skipped (Severity Reject) or imported anyway (Warning); the rest of
// the file continues. A file that cannot be read as leads at all (no usable
// header, duplicate column names, an encoding it refuses) yields a *RowError
// with Severity Fatal before anything is emitted. An error from emit stops
// the read and is returned as is. The Stats are valid in every case.
func ReadCSV(r io.Reader, name string, emit func(store.Lead) error, report func(*RowError)) (Stats, error) {
	br, cs, err := openText(r, "")
	if err != nil {
		return Stats{}, &RowError{File: name, Reason: err.Error(), Severity: Fatal}
	}
	return readCSV(br, cs, name, emit, report)
}

// csvColumn is one header cell and what it means.
type csvColumn struct {
	name string
	role role
	skip bool // a Storage Explorer "@type" column
	// unnamed columns (a trailing delimiter in the header) are kept only
	// where a row has something in them
	unnamed bool
}

type csvReader struct {
	name   string
	tok    *csvTokenizer
	cs     charset
	cols   []csvColumn
	nRaw   int
	report func(*RowError)
	stats  Stats
	// hold, when set, takes problems instead of counting and reporting
	// them: the reading goroutine of ReadBatches keeps them for the
	// goroutine that reports in order.
	hold func(problemAt)
	// scratch is where the sequential reader builds each lead.
	scratch store.Lead

	buf  []byte // Windows-1252 records, decoded
	ends []int
	text rowText

	// headerBreak is the header's first column whose name holds a line
	// break, or -1; headerLine is the header's line.
	headerBreak, headerLine int
}

func readCSV(br *bufio.Reader, cs charset, name string, emit func(store.Lead) error, report func(*RowError)) (st Stats, err error) {
	br = crLinesToLF(br)
	comma, skipped := sniffDelimiter(br)
	c := &csvReader{name: name, tok: newCSVTokenizer(br, comma), report: report, cs: cs}
	defer func() { c.cs.into(&st) }()
	c.tok.line = skipped
	if err := c.readHeader(); err != nil {
		return c.stats, err
	}
	if err := c.checkRagged(); err != nil {
		return c.stats, err
	}
	for {
		start, prob, err := c.tok.next()
		if err == io.EOF {
			return c.stats, c.atEnd()
		}
		if err != nil {
			return c.stats, &RowError{File: name, Line: c.tok.line, Reason: "read error: " + err.Error(), Severity: Fatal}
		}
		if prob == nil && isBlank(c.tok.rec) {
			continue // Excel's ",,,," rows
		}
		c.stats.Records++
		if prob != nil {
			c.rowProblem(prob)
			continue
		}
		l, ok := c.lead(start)
		if !ok {
			continue
		}
		if err := emit(l); err != nil {
			return c.stats, err
		}
		c.stats.Leads++
		if l.IsTest {
			c.stats.Test++
		}
	}
}

// atEnd checks a file read to its end: one whose header holds a line break
// and which has no row was most likely read with the wrong line ends (its
// rows taken for header cells), and must not pass for an empty export.
func (c *csvReader) atEnd() error {
	if c.stats.Records > 0 || c.headerBreak < 0 {
		return nil
	}
	return c.fatal(c.headerLine, "no rows, and header cell %d holds a line break (%s): the rows were probably read as part of the header; "+
		"save the file again as CSV with ordinary line ends and import again", c.headerBreak+1, quoteValue(c.cols[c.headerBreak].name))
}

// raggedSample is how many rows checkRagged looks at.
const raggedSample = 100

// checkRagged looks at the rows after the header, as far as they are
// already read in, before any is imported. When most of them do not have
// the header's number of cells, the file is not being read as it was
// written (another delimiter, quoting the sniffer did not see): importing
// the few rows that happen to fit, and reporting every other row, would
// help nobody, so the file is refused with one error and nothing stored.
// A ragged row here and there is only that row's problem.
func (c *csvReader) checkRagged() error {
	want := len(c.cols)
	head, err := c.tok.br.Peek(c.tok.br.Size())
	complete := err == io.EOF // head is the rest of the file
	if len(c.tok.pending) > 0 || len(head) == 0 {
		return nil
	}
	// One buffer holds all of head, so that an empty buffer means the end
	// of head, where the last record may be cut off.
	t := newCSVTokenizer(bufio.NewReaderSize(bytes.NewReader(head), len(head)+16), c.tok.comma)
	t.line = c.tok.line
	rows, ragged, firstLine, firstCells := 0, 0, 0, 0
	for rows < raggedSample {
		start, prob, err := t.next()
		if err != nil {
			break
		}
		if !complete && t.br.Buffered() == 0 || prob != nil {
			// The record may be cut off by the end of head; after a broken
			// record the lines that follow are read again, and a cell cut
			// off by the end of head looks broken: the sample ends.
			break
		}
		if isBlank(t.rec) {
			continue
		}
		rows++
		n := t.nfields()
		extraEmpty := n > want
		for i := want; i < n && extraEmpty; i++ {
			extraEmpty = isBlank(t.field(i))
		}
		if n != want && !extraEmpty {
			if ragged == 0 {
				firstLine, firstCells = start, n
			}
			ragged++
		}
	}
	if ragged == 0 || 2*ragged <= rows {
		return nil
	}
	return c.fatal(firstLine, "%d of the first %d rows do not have the header's %d cells (this one has %d): the file is not being read "+
		"as it was written; check its delimiter and quotes, save it again as CSV, and import again (nothing was imported)",
		ragged, rows, want, firstCells)
}

func (c *csvReader) problem(line, col int, sev Severity, reason string) {
	if c.hold != nil {
		c.hold(problemAt{line, col, sev, reason})
		return
	}
	c.count(line, col, sev, reason)
}

// count counts and reports a problem.
func (c *csvReader) count(line, col int, sev Severity, reason string) {
	if sev == Warning {
		c.stats.Warnings++
	} else {
		c.stats.Rejected++
	}
	if c.report != nil {
		c.report(&RowError{File: c.name, Line: line, Col: col, Reason: reason, Severity: sev})
	}
}

// rowProblem reports a record the tokenizer could not read, naming the
// column of the cell at fault.
func (c *csvReader) rowProblem(prob *csvProblem) {
	reason := prob.reason
	if prob.field >= 0 && prob.field < len(c.cols) {
		reason = strings.Replace(reason, "cell "+strconv.Itoa(prob.field+1),
			"cell "+strconv.Itoa(prob.field+1)+" ("+c.cols[prob.field].name+")", 1)
	}
	c.problem(prob.line, prob.col, Reject, reason)
}

// cellName names cell i of a record for a message, with its column's name
// once the header is read ("cell 3 (Company) "), or the record when i < 0.
func (c *csvReader) cellName(i int, named bool) string {
	switch {
	case i < 0:
		return "the row "
	case named && i < len(c.cols):
		return "cell " + strconv.Itoa(i+1) + " (" + c.cols[i].name + ") "
	}
	return "cell " + strconv.Itoa(i+1) + " "
}

func (c *csvReader) fatal(line int, format string, args ...any) error {
	return &RowError{File: c.name, Line: line, Reason: fmt.Sprintf(format, args...), Severity: Fatal}
}

// crLinesToLF returns br, or, for a file whose lines end in a lone CR (what
// Excel's "CSV (Macintosh)" writes), a reader of the same text in which
// every CR is a LF: read as it is, such a file is one long line, the whole
// of it a header and not one row imported. A CR inside a quoted cell of a
// file whose lines end in LF or CRLF is left alone.
func crLinesToLF(br *bufio.Reader) *bufio.Reader {
	head, err := br.Peek(br.Size())
	if !crLineEnds(head, err != nil) {
		return br
	}
	return bufio.NewReaderSize(crToLF{br}, bufSize)
}

// crLineEnds decides from the start of a file whether its lines end in a
// lone CR: by how its first line ends, outside quoted cells as the tokenizer
// reads them (a quote opens a cell only at its start); when no line ends
// in head, by head holding a CR but no LF at all. eof says head is the
// whole file.
func crLineEnds(head []byte, eof bool) bool {
	inQuote, cellStart := false, true
	for i := 0; i < len(head); i++ {
		c := head[i]
		if inQuote {
			if c == '"' {
				if i+1 < len(head) && head[i+1] == '"' {
					i++
				} else {
					inQuote = false
				}
			}
			continue
		}
		switch c {
		case '\n':
			return false
		case '\r':
			if i+1 == len(head) {
				return false // the file ends here, or the LF may follow
			}
			return head[i+1] != '\n'
		case '"':
			inQuote = cellStart
		}
		cellStart = c == ',' || c == ';' || c == '\t' || c == '|'
	}
	if bytes.IndexByte(head, '\n') >= 0 {
		return false
	}
	i := bytes.IndexByte(head, '\r')
	return i >= 0 && (i+1 < len(head) || eof)
}

// crToLF reads r with every CR turned into a LF.
type crToLF struct{ r io.Reader }

func (c crToLF) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	for b := p[:n]; ; {
		i := bytes.IndexByte(b, '\r')
		if i < 0 {
			break
		}
		b[i] = '\n'
		b = b[i+1:]
	}
	return n, err
}

// sniffDelimiter picks the delimiter from the first line: the most frequent
// of comma, semicolon and TAB outside quotes (comma on a tie or when there is
// none). An Excel "sep=;" line decides instead and is consumed; skipped says
// how many lines that was.
func sniffDelimiter(br *bufio.Reader) (comma byte, skipped int) {
	head, _ := br.Peek(br.Size())
	if i := bytes.IndexByte(head, '\n'); i >= 0 {
		head = head[:i]
	}
	head = bytes.TrimSuffix(head, []byte("\r"))
	if len(head) == 5 && strings.EqualFold(string(head[:4]), "sep=") {
		if d := head[4]; d == ',' || d == ';' || d == '\t' || d == '|' {
			br.Discard(len(head))
			if b, err := br.Peek(1); err == nil && b[0] == '\r' {
				br.Discard(1)
			}
			if b, err := br.Peek(1); err == nil && b[0] == '\n' {
				br.Discard(1)
			}
			return d, 1
		}
	}
	var n [3]int // comma, semicolon, tab
	inQuote := false
	for _, b := range head {
		switch b {
		case '"':
			inQuote = !inQuote
		case ',':
			if !inQuote {
				n[0]++
			}
		case ';':
			if !inQuote {
				n[1]++
			}
		case '\t':
			if !inQuote {
				n[2]++
			}
		}
	}
	comma = ','
	if n[1] > n[0] && n[1] >= n[2] {
		comma = ';'
	}
	if n[2] > n[0] && n[2] > n[1] {
		comma = '\t'
	}
	return comma, 0
}

func isBlank(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\t' {
			return false
		}
	}
	return true
}

// decoded returns the current record as one string with the end offset of
// each field, decoding the cells charset says are Windows-1252. One string per
// record is the only per-field allocation: every field is a substring.
func (c *csvReader) decoded(line int) (string, []int, *textProblem) {
	mixed, prob := c.cs.checkFields(c.tok, line)
	if prob != nil {
		return "", nil, prob
	}
	if !mixed {
		return c.text.of(c.tok.rec), c.tok.ends, nil
	}
	c.buf, c.ends = c.buf[:0], c.ends[:0]
	for i := 0; i < c.tok.nfields(); i++ {
		if f := c.tok.field(i); utf8.Valid(f) {
			c.buf = append(c.buf, f...)
		} else {
			c.buf = appendCP1252(c.buf, f)
		}
		c.ends = append(c.ends, len(c.buf))
	}
	return c.text.of(c.buf), c.ends, nil
}

// rowText hands out records' text as strings carved from shared chunks:
// one allocation for hundreds of rows rather than one per row, which at a
// million rows was a tenth of a second of a second import's reading. A
// chunk's bytes are never written again once a string points at them,
// which keeps the strings as immutable as any other; the collector frees
// a chunk once no string into it is left.
type rowText struct{ chunk []byte }

// rowTextChunk is the size of one chunk; a record over a quarter of it
// gets a string of its own, so that little of a chunk goes unused.
const rowTextChunk = 256 << 10

func (t *rowText) of(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if len(b) > rowTextChunk/4 {
		return string(b)
	}
	if cap(t.chunk)-len(t.chunk) < len(b) {
		t.chunk = make([]byte, 0, rowTextChunk)
	}
	n := len(t.chunk)
	t.chunk = append(t.chunk, b...)
	return unsafe.String(&t.chunk[n], len(b))
}

func (c *csvReader) readHeader() error {
	start, prob, err := c.tok.next()
	if err == io.EOF {
		return c.fatal(0, "the file is empty")
	}
	if err != nil {
		return c.fatal(0, "read error: %v", err)
	}
	if prob != nil {
		return &RowError{File: c.name, Line: prob.line, Col: prob.col, Reason: "header: " + prob.reason, Severity: Fatal}
	}
	s, ends, tp := c.decoded(start)
	if tp != nil {
		return c.fatal(start, "header: %s", c.cs.reason(tp, c.cellName(tp.field, false)))
	}
	c.headerBreak, c.headerLine = -1, start
	type best struct{ col, rank int }
	bestFor := map[role]best{}
	seen := map[string]int{}
	prev := 0
	for i, end := range ends {
		h := strings.TrimSpace(s[prev:end])
		prev = end
		if c.headerBreak < 0 && strings.ContainsAny(h, "\r\n") {
			c.headerBreak = i
		}
		col := csvColumn{name: h}
		switch {
		case len(h) >= 5 && strings.EqualFold(h[len(h)-5:], "@type"):
			col.skip = true
		case h == "":
			col.name, col.unnamed = "column "+strconv.Itoa(i+1), true
		default:
			key := normalizeName(h)
			if key == "" {
				key = h
			}
			if j, dup := seen[key]; dup {
				return c.fatal(start, "duplicate column %s (columns %d and %d): cannot tell which one holds the data", quoteValue(h), j+1, i+1)
			}
			seen[key] = i
			r, rank := lookupRole(h)
			if r != roleExtra {
				if b, ok := bestFor[r]; !ok || rank < b.rank {
					if ok {
						c.cols[b.col].role = roleExtra
					}
					bestFor[r] = best{i, rank}
					col.role = r
				}
			}
		}
		c.cols = append(c.cols, col)
		if !col.skip {
			c.nRaw++
		}
	}
	c.tok.ncols = len(c.cols)
	usable := false
	for _, r := range []role{roleLeadSource, roleAction, roleCustomerInfo, roleUserDetails, roleEmail,
		roleFirstName, roleLastName, roleFullName, roleCompany, rolePhone} {
		if _, ok := bestFor[r]; ok {
			usable = true
		}
	}
	if !usable {
		names := make([]string, 0, len(c.cols))
		for _, col := range c.cols {
			if !col.skip {
				names = append(names, col.name)
			}
		}
		shown := strings.Join(names, ", ")
		if len(shown) > 200 {
			shown = shown[:200] + "..."
		}
		return c.fatal(start, "no usable column: expected a lead source, action, CustomerInfo, email, name, company or phone column; found: %s", shown)
	}
	return nil
}

// lead builds the lead of the current record; ok is false when the record
// was rejected (and reported).
func (c *csvReader) lead(start int) (l store.Lead, ok bool) {
	s, ends, ok := c.row(start)
	if !ok {
		return l, false
	}
	// Built in a lead the reader keeps: a local one would be allocated
	// on the heap for every row, since the builder holds a pointer to it.
	c.scratch = store.Lead{}
	c.build(&c.scratch, start, s, ends, c, nil)
	return c.scratch, true
}

// row checks the current record's shape and encoding and returns it as one
// string with the end of each field; problems are reported and the row
// skipped. This part depends on the records before it (the encoding is
// decided as the file goes); building the lead from it does not.
func (c *csvReader) row(start int) (string, []int, bool) {
	n := c.tok.nfields()
	if n != len(c.cols) {
		extraEmpty := n > len(c.cols)
		for i := len(c.cols); i < n && extraEmpty; i++ {
			extraEmpty = isBlank(c.tok.field(i))
		}
		if !extraEmpty {
			c.problem(start, 0, Reject, fmt.Sprintf("row has %d cells but the header has %d", n, len(c.cols)))
			return "", nil, false
		}
	}
	s, ends, prob := c.decoded(start)
	if prob != nil {
		c.problem(start, 0, Reject, c.cs.reason(prob, c.cellName(prob.field, true)))
		return "", nil, false
	}
	return s, ends, true
}

// build makes the lead of the row at line start. It reads only the header,
// so rows can be built on several goroutines; warnings go to sink.
//
// slab, when not nil, is where the raw fields are carved from: one
// allocation for thousands of rows instead of one per row.
func (c *csvReader) build(dst *store.Lead, start int, s string, ends []int, sink warner, slab *[]store.Field) {
	// decoded lets no record through with a field that is not UTF-8.
	b := leadBuilder{l: dst, sink: sink, line: start, valid: true}
	b.l.Origin.File = c.name
	b.l.Origin.Line = start
	if slab != nil {
		if len(*slab) < c.nRaw {
			*slab = make([]store.Field, c.nRaw*4096)
		}
		b.l.Raw = (*slab)[:0:c.nRaw]
		*slab = (*slab)[c.nRaw:]
	} else {
		b.l.Raw = make([]store.Field, 0, c.nRaw)
	}
	prev := 0
	for i := range c.cols {
		col := &c.cols[i]
		v := s[prev:ends[i]]
		prev = ends[i]
		if col.skip || (v == "" && col.unnamed) {
			continue
		}
		b.l.Raw = append(b.l.Raw, store.Field{Name: col.name, Value: v})
		b.set(col.role, col.name, v)
	}
	b.finish()
}
