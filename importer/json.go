package importer

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/leads-inbox/leads/store"
)

// ReadJSON reads webhook lead payloads (lead-formats.md §4, §7): one JSON
// object, an array of objects, or one object per line (NDJSON), and calls
// emit for each lead after Complete. Keys match case-insensitively at every
// level (UserDetails or userDetails, LeadSource, ActionCode, OfferTitle,
// Description), customer fields may also come flat or as a CustomerInfo
// string or object, and table-style keys (PartitionKey, RowKey, Timestamp,
// CreatedTime) are understood too. Unknown keys are kept in Extra; Raw holds
// the top-level keys with nested values as compact JSON text.
//
// A malformed object is reported with the line and column of the problem
// and skipped; in NDJSON a bad line costs only that line. Errors that leave
// no way to find the next object (an array whose framing is broken) stop the
// read with a Fatal *RowError. See ReadCSV for report, emit and Stats.
func ReadJSON(r io.Reader, name string, emit func(store.Lead) error, report func(*RowError)) (Stats, error) {
	br, cs, err := openText(r, "")
	if err != nil {
		return Stats{}, &RowError{File: name, Reason: err.Error(), Severity: Fatal}
	}
	return readJSON(br, cs, name, emit, report)
}

const maxJSONValue = 16 << 20

// frame results
const (
	frameDone = iota
	frameEOF
	frameNewline
	frameBig
)

type jsonReader struct {
	name string
	br   *bufio.Reader
	emit func(store.Lead) error
	// scratch is where each lead is built: a local one would be allocated
	// on the heap for every record, since the builder holds a pointer.
	scratch store.Lead
	report  func(*RowError)
	stats   Stats
	cs      charset
	err     error // a read error other than EOF

	line, col   int // position of the next byte
	cline, ccol int // position of the byte last read
	buf         []byte
}

func readJSON(br *bufio.Reader, cs charset, name string, emit func(store.Lead) error, report func(*RowError)) (Stats, error) {
	j := &jsonReader{name: name, br: br, emit: emit, report: report, line: 1, col: 1, cs: cs}
	err := j.run()
	if err == nil && j.err != nil {
		err = &RowError{File: name, Line: j.line, Reason: "read error: " + j.err.Error(), Severity: Fatal}
	}
	j.cs.into(&j.stats)
	return j.stats, err
}

func (j *jsonReader) readByte() (byte, bool) {
	c, err := j.br.ReadByte()
	if err != nil {
		if err != io.EOF {
			j.err = err
		}
		return 0, false
	}
	j.cline, j.ccol = j.line, j.col
	if c == '\n' {
		j.line++
		j.col = 1
	} else {
		j.col++
	}
	return c, true
}

func (j *jsonReader) skipSpace() (byte, bool) {
	for {
		c, ok := j.readByte()
		if !ok {
			return 0, false
		}
		if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			return c, true
		}
	}
}

func (j *jsonReader) skipLine() {
	for {
		if c, ok := j.readByte(); !ok || c == '\n' {
			return
		}
	}
}

func (j *jsonReader) problem(line, col int, sev Severity, reason string) {
	if sev == Warning {
		j.stats.Warnings++
	} else {
		j.stats.Rejected++
	}
	if j.report != nil {
		j.report(&RowError{File: j.name, Line: line, Col: col, Reason: reason, Severity: sev})
	}
}

func (j *jsonReader) fatal(line, col int, reason string) error {
	return &RowError{File: j.name, Line: line, Col: col, Reason: reason, Severity: Fatal}
}

// frame reads the rest of an object or array whose first byte has been
// read, into j.buf, tracking strings and nesting so that it needs no parse.
// In line mode a line break ends it (NDJSON: one object per line).
func (j *jsonReader) frame(first byte, lineMode bool) int {
	j.buf = append(j.buf[:0], first)
	n, big := nesting{depth: 1}, false
	for {
		c, ok := j.readByte()
		if !ok {
			return frameEOF
		}
		if lineMode && c == '\n' {
			return frameNewline
		}
		if !big {
			if len(j.buf) >= maxJSONValue {
				big = true
			} else {
				j.buf = append(j.buf, c)
			}
		}
		if n.step(c) {
			if big {
				return frameBig
			}
			return frameDone
		}
	}
}

// nesting follows a JSON value's brackets byte by byte, outside strings, so
// that a value can be framed without being parsed.
type nesting struct {
	depth      int
	inStr, esc bool
}

// step takes the next byte and reports whether it closed the outermost
// bracket.
func (n *nesting) step(c byte) bool {
	if n.inStr {
		switch {
		case n.esc:
			n.esc = false
		case c == '\\':
			n.esc = true
		case c == '"':
			n.inStr = false
		}
		return false
	}
	switch c {
	case '"':
		n.inStr = true
	case '{', '[':
		n.depth++
	case '}', ']':
		n.depth--
		return n.depth == 0
	}
	return false
}

// scalar skips a top-level or array-element value that is not an object or
// array, stopping before the delimiter that ends it.
func (j *jsonReader) scalar(first byte) {
	inStr, esc := first == '"', false
	for {
		b, err := j.br.Peek(1)
		if err != nil {
			return
		}
		c := b[0]
		if !inStr && (c == ',' || c == ']' || c == '}' || c == ' ' || c == '\t' || c == '\r' || c == '\n') {
			return
		}
		j.readByte()
		if inStr {
			switch {
			case esc:
				esc = false
			case c == '\\':
				esc = true
			case c == '"':
				return
			case c == '\n':
				return
			}
		}
	}
}

func (j *jsonReader) run() error {
	c, ok := j.skipSpace()
	if !ok {
		return nil
	}
	if c == '[' {
		return j.array()
	}
	ndjson, sawObject := false, false
	for {
		line, col := j.cline, j.ccol
		if c != '{' {
			j.stats.Records++
			j.problem(line, col, Reject, fmt.Sprintf("expected a JSON object, found %s", describeByte(c)))
			j.skipLine()
		} else {
			first := !sawObject
			sawObject = true
			if first {
				// A broken first line of NDJSON would otherwise take
				// every line after it into its object.
				ndjson = j.brokenFirstLine()
			}
			switch j.frame(c, ndjson) {
			case frameEOF:
				j.stats.Records++
				j.problem(line, col, Reject, fmt.Sprintf("bad JSON: the file ends inside the object opened at line %d column %d (missing '}'?)", line, col))
				return nil
			case frameNewline:
				j.stats.Records++
				j.problem(line, col, Reject, "bad JSON: the object is not closed on its line (one object per line expected; missing '}'?)")
			case frameBig:
				j.stats.Records++
				j.problem(line, col, Reject, fmt.Sprintf("object larger than %d MiB", maxJSONValue>>20))
			default:
				if first && !ndjson {
					// One-line first object: the file is NDJSON, and
					// from now on a line break ends a broken object
					// instead of letting it swallow the next lines.
					ndjson = j.line == line
				}
				j.stats.Records++
				if err := j.object(line, col); err != nil {
					return err
				}
			}
		}
		if c, ok = j.skipSpace(); !ok {
			return nil
		}
	}
}

// brokenFirstLine looks ahead, from just after the '{' of a file's first
// object, for NDJSON whose first line is broken: that line does not close
// its object, the next line is one whole object, and after it comes the end
// of the file or another '{'. In a valid JSON document a value is followed
// by ',', ':', ']' or '}', so a file of one pretty-printed object never
// looks like this; anything the look-ahead cannot see (lines longer than
// the read buffer) is left to be read as one object.
func (j *jsonReader) brokenFirstLine() bool {
	head, err := j.br.Peek(j.br.Size())
	eof := err != nil
	if closesOnLine(head) >= 0 {
		return false
	}
	nl := bytes.IndexByte(head, '\n')
	if nl < 0 {
		return false
	}
	rest := bytes.TrimLeft(head[nl+1:], " \t\r\n")
	if len(rest) == 0 || rest[0] != '{' {
		return false
	}
	end := closesOnLine(rest[1:])
	if end < 0 {
		return false
	}
	after := bytes.TrimLeft(rest[1+end:], " \t\r")
	if len(after) > 0 && after[0] != '\n' {
		return false // more on the second line: not one object per line
	}
	after = bytes.TrimLeft(after, " \t\r\n")
	if len(after) == 0 {
		return eof
	}
	return after[0] == '{'
}

// closesOnLine scans b, which follows an opening '{' or '[', for the
// bracket that closes it on the same line, and returns the index after it,
// or -1 when a line break or the end of b comes first.
func closesOnLine(b []byte) int {
	n := nesting{depth: 1}
	for i, c := range b {
		if c == '\n' {
			return -1
		}
		if n.step(c) {
			return i + 1
		}
	}
	return -1
}

// array reads a top-level array of objects; its '[' has been read.
func (j *jsonReader) array() error {
	aline, acol := j.cline, j.ccol
	var commaLine, commaCol int // the ',' before this element
	for i := 0; ; i++ {
		c, ok := j.skipSpace()
		if !ok {
			return j.fatal(aline, acol, fmt.Sprintf("bad JSON: the file ends inside the array opened at line %d column %d (missing ']'?)", aline, acol))
		}
		if c == ']' {
			if i > 0 {
				// A trailing comma, as hand-edited files often have:
				// every element is intact, so nothing is lost.
				j.problem(commaLine, commaCol, Warning,
					fmt.Sprintf("a ',' after the last array element (before the ']' on line %d); ignored", j.cline))
			}
			break
		}
		line, col := j.cline, j.ccol
		j.stats.Records++
		switch c {
		case '{', '[':
			switch j.frame(c, false) {
			case frameEOF:
				j.stats.Rejected++
				return j.fatal(line, col, fmt.Sprintf("bad JSON: the file ends inside the value opened at line %d column %d", line, col))
			case frameBig:
				j.problem(line, col, Reject, fmt.Sprintf("array element larger than %d MiB", maxJSONValue>>20))
			default:
				if err := j.object(line, col); err != nil {
					return err
				}
			}
		default:
			j.scalar(c)
			j.problem(line, col, Reject, fmt.Sprintf("array element is not a JSON object (found %s)", describeByte(c)))
		}
		c, ok = j.skipSpace()
		if !ok {
			return j.fatal(aline, acol, fmt.Sprintf("bad JSON: the file ends inside the array opened at line %d column %d (missing ']'?)", aline, acol))
		}
		if c == ']' {
			break
		}
		if c != ',' {
			return j.fatal(j.cline, j.ccol, fmt.Sprintf("bad JSON: expected ',' or ']' after array element, found %s; the rest of the file is not read", describeByte(c)))
		}
		commaLine, commaCol = j.cline, j.ccol
	}
	if c, ok := j.skipSpace(); ok {
		return j.fatal(j.cline, j.ccol, fmt.Sprintf("bad JSON: unexpected %s after the array", describeByte(c)))
	}
	return nil
}

// object parses the value framed in j.buf, which started at line:col, and
// emits its lead. Only emit errors are returned.
func (j *jsonReader) object(line, col int) error {
	b := j.buf
	cp, prob := j.cs.check(b, line)
	if prob != nil {
		j.problem(line, col, Reject, j.cs.reason(prob, "the record "))
		return nil
	}
	if cp {
		b = appendCP1252(nil, b)
	}
	text := string(b)
	v, jerr := parseJSON(text, 2)
	if jerr != nil {
		el, ec := offsetPosition(text, jerr.off, line, col)
		reason := "bad JSON: " + jerr.msg
		if jerr.prevEnd < jerr.off && strings.HasPrefix(jerr.msg, "expected ',' or") &&
			strings.Contains(text[jerr.prevEnd:jerr.off], "\n") {
			pl, _ := offsetPosition(text, jerr.prevEnd, line, col)
			reason += fmt.Sprintf(" (is a ',' missing at the end of line %d?)", pl)
		}
		j.problem(el, ec, Reject, reason)
		return nil
	}
	if v.kind != jsonObject {
		j.problem(line, col, Reject, "expected a JSON object, found an array")
		return nil
	}
	j.scratch = store.Lead{}
	b2 := leadBuilder{l: &j.scratch, sink: j, line: line, col: col}
	b2.l.Origin.File = j.name
	b2.l.Origin.Line = line
	b2.l.Raw = make([]store.Field, 0, len(v.members))
	for i := range v.members {
		m := &v.members[i]
		val := m.val.stored()
		b2.l.Raw = append(b2.l.Raw, store.Field{Name: m.key, Value: val})
		if isTypeAnnotation(m.key) {
			continue
		}
		r, _ := lookupRole(m.key)
		switch {
		case (r == roleUserDetails || r == roleCustomerInfo) && m.val.kind == jsonObject:
			prefix := "UserDetails."
			if r == roleCustomerInfo {
				prefix = "CustomerInfo."
			}
			b2.customerMembers(m.val.members, prefix)
		case (r == roleUserDetails || r == roleCustomerInfo) && m.val.kind != jsonString:
			if m.val.kind != jsonNull {
				b2.warn(m.key + " is not a JSON object; kept as an extra field")
				b2.set(roleExtra, m.key, val)
			}
		default:
			b2.set(r, m.key, val)
		}
	}
	b2.finish()
	if err := j.emit(j.scratch); err != nil {
		return err
	}
	j.stats.Leads++
	if j.scratch.IsTest {
		j.stats.Test++
	}
	return nil
}

// isTypeAnnotation reports keys such as "Price@odata.type" that describe
// another key's type rather than carry data (Azure Table JSON).
func isTypeAnnotation(key string) bool {
	k := strings.ToLower(key)
	return strings.HasSuffix(k, "@type") || strings.HasSuffix(k, "@odata.type")
}

// offsetPosition turns a byte offset in text, which starts at line:col of
// the file, into a file line and column.
func offsetPosition(text string, off, line, col int) (int, int) {
	if off > len(text) {
		off = len(text)
	}
	before := text[:off]
	n := strings.Count(before, "\n")
	if n == 0 {
		return line, col + off
	}
	return line + n, off - strings.LastIndexByte(before, '\n')
}
