package importer

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
)

// The CSV tokenizer is our own rather than encoding/csv because of what lead
// files do to a parser:
//
//   - an unclosed quote must cost one record, not the rest of the file; after
//     a quote error the tokenizer re-reads the lines the broken record
//     swallowed (it keeps them, bounded) and resumes at the line after the one
//     where the broken record started; a quoted cell that outgrows the size
//     limit is taken for an unclosed quote only when the lines it swallowed
//     look like rows, and is otherwise read to its end and its record
//     rejected (see contLooksLikeRows);
//   - a 50 MiB cell must be an error for its row with bounded memory, where
//     encoding/csv would hold the whole cell (or a 2 GiB file) in memory;
//   - it must be fast: one allocation-free pass per line, using
//     bytes.IndexByte for delimiters and quotes.
//
// Otherwise it follows RFC 4180 like encoding/csv: quoted fields may hold the
// delimiter, doubled quotes and line breaks; CRLF ends a line like LF (a
// file whose lines end in a lone CR reaches the tokenizer with LFs instead:
// see crLinesToLF); blank lines are skipped. Unlike encoding/csv a stray quote inside an unquoted
// field is kept as text: spreadsheets write `5" screen` that way, and
// refusing the row would help nobody.

const (
	maxFieldBytes  = 1 << 20 // larger cells reject their row
	maxLineBytes   = 4 << 20 // longer physical lines reject their record
	maxRecordBytes = 4 << 20 // per record: field bytes and lines kept for resync
	maxFields      = 4096
)

// csvProblem is why the tokenizer could not deliver the current record.
type csvProblem struct {
	line, col int
	reason    string
	field     int // index of an oversized field, or -1
}

type csvTokenizer struct {
	br    *bufio.Reader
	comma byte
	line  int // physical lines consumed

	pending []byte // lines to read again after a resync, before br
	// fromPending says the line just read came from pending. Quoted cells
	// do not continue past such a line: otherwise a file whose every line
	// opens a quote would be re-read once per line, in quadratic time.
	fromPending bool
	long        []byte // assembles lines longer than br's buffer
	cont        []byte // lines after a record's first one, for resync
	contCut     bool   // cont hit maxRecordBytes and is incomplete

	// ncols is the header's number of cells, once it is read: it tells
	// the lines of rows swallowed by an unclosed quote from the lines of
	// a long cell.
	ncols int
	// longCell says the current record holds a quoted cell over the size
	// limit whose lines are not rows: it is read to its closing quote,
	// without keeping it, and the record rejected.
	longCell bool

	rec  []byte // field bytes of the current record, unquoted
	ends []int  // end offset of each field in rec
	cur  int    // start of the field being assembled in rec
	over int    // index of an oversized field in this record, or -1
}

func newCSVTokenizer(br *bufio.Reader, comma byte) *csvTokenizer {
	return &csvTokenizer{br: br, comma: comma, over: -1}
}

// readLine returns the next physical line with its line break normalised to
// "\n" (absent at the end of input). The line is only valid until the next
// call. tooLong reports a line over maxLineBytes: its beginning is returned
// and the rest has been skipped.
func (t *csvTokenizer) readLine() (line []byte, tooLong bool, err error) {
	t.fromPending = len(t.pending) > 0
	if t.fromPending {
		if i := bytes.IndexByte(t.pending, '\n'); i >= 0 {
			line, t.pending = t.pending[:i+1], t.pending[i+1:]
		} else {
			line, t.pending = t.pending, nil
		}
		t.line++
		return line, false, nil
	}
	line, err = t.br.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		t.long = append(t.long[:0], line...)
		for err == bufio.ErrBufferFull {
			line, err = t.br.ReadSlice('\n')
			if len(t.long)+len(line) > maxLineBytes {
				tooLong = true
			}
			if !tooLong {
				t.long = append(t.long, line...)
			}
		}
		line = t.long
	}
	if len(line) == 0 {
		if err == nil {
			err = io.EOF
		}
		return nil, false, err
	}
	if err != nil && err != io.EOF {
		return nil, false, err
	}
	t.line++
	n := len(line)
	switch {
	case n >= 2 && line[n-2] == '\r' && line[n-1] == '\n':
		line[n-2] = '\n'
		line = line[:n-1]
	case line[n-1] == '\r' && err == io.EOF:
		line = line[:n-1]
	}
	return line, tooLong, nil
}

// field returns field i of the current record.
func (t *csvTokenizer) field(i int) []byte {
	start := 0
	if i > 0 {
		start = t.ends[i-1]
	}
	return t.rec[start:t.ends[i]]
}

func (t *csvTokenizer) nfields() int { return len(t.ends) }

// add appends bytes to the field being assembled, dropping them once the
// field is over maxFieldBytes (the record is then rejected).
func (t *csvTokenizer) add(b []byte) {
	if t.over >= 0 && t.over == len(t.ends) {
		return
	}
	if len(t.rec)-t.cur+len(b) > maxFieldBytes || len(t.rec)+len(b) > maxRecordBytes {
		if t.over < 0 {
			t.over = len(t.ends)
		}
		t.rec = t.rec[:t.cur]
		return
	}
	t.rec = append(t.rec, b...)
}

func (t *csvTokenizer) endField() {
	if len(t.ends) >= maxFields {
		if t.over < 0 {
			t.over = len(t.ends)
		}
		t.rec = t.rec[:t.cur]
		return
	}
	t.ends = append(t.ends, len(t.rec))
	t.cur = len(t.rec)
}

// keep remembers a continuation line so the record can be re-read from its
// second line if it turns out to be broken.
func (t *csvTokenizer) keep(line []byte) {
	if t.contCut {
		return
	}
	if len(t.cont)+len(line) > maxRecordBytes+maxLineBytes {
		t.contCut = true
		return
	}
	t.cont = append(t.cont, line...)
}

// resync makes the lines after the broken record's first line (start) the
// next input, so one bad quote costs one record. Without the kept lines (a
// broken record over maxRecordBytes) reading simply goes on from here.
func (t *csvTokenizer) resync(start int) {
	if t.contCut || len(t.cont) == 0 {
		return
	}
	p := make([]byte, 0, len(t.cont)+len(t.pending))
	p = append(append(p, t.cont...), t.pending...)
	t.pending = p
	t.line = start
}

// contLooksLikeRows says whether the kept lines of a record, cut off by
// the size limit inside a quoted cell, look like rows of the file: most of
// them, read on their own, have the header's number of cells. An unclosed
// quote swallows rows; a long description is lines of text. Before the
// header is read, with one column, or with no line kept, every line could
// be a row.
func (t *csvTokenizer) contLooksLikeRows() bool {
	if t.ncols <= 1 || len(t.cont) == 0 {
		return true
	}
	lines, rows := 0, 0
	for b := t.cont; len(b) > 0; {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			i = len(b) - 1
		}
		lines++
		if t.rowLike(b[:i]) {
			rows++
		}
		b = b[i+1:]
	}
	return 2*rows >= lines
}

// rowLike says whether line, read on its own as the tokenizer reads a
// record, holds the header's number of cells (or more, the extra ones
// empty, as a row may) with every quote closed.
func (t *csvTokenizer) rowLike(line []byte) bool {
	n, inQuote, cellStart, extraText := 1, false, true, false
	for i := 0; i < len(line); i++ {
		c := line[i]
		if inQuote {
			if c == '"' {
				if i+1 < len(line) && line[i+1] == '"' {
					i++
				} else {
					inQuote = false
				}
			}
			continue
		}
		switch {
		case c == t.comma:
			n++
			cellStart = true
			continue
		case c == '"' && cellStart:
			inQuote = true
		}
		if n > t.ncols && c != ' ' && c != '\t' && c != '\r' {
			extraText = true
		}
		cellStart = false
	}
	return !inQuote && (n == t.ncols || (n > t.ncols && !extraText))
}

// next reads one record. It returns the line the record starts on; prob is
// set when the record is unusable (the rest of the input is still readable);
// err is io.EOF at the end or an I/O error.
func (t *csvTokenizer) next() (start int, prob *csvProblem, err error) {
	t.rec, t.ends, t.cont = t.rec[:0], t.ends[:0], t.cont[:0]
	t.cur, t.over, t.contCut, t.longCell = 0, -1, false, false
	var line []byte
	for {
		var tooLong bool
		line, tooLong, err = t.readLine()
		if err != nil {
			return 0, nil, err
		}
		if tooLong {
			return t.line, &csvProblem{line: t.line, field: -1,
				reason: fmt.Sprintf("line is longer than %d MiB (cells are limited to %d MiB)", maxLineBytes>>20, maxFieldBytes>>20)}, nil
		}
		if len(line) > 0 && line[0] != '\n' {
			break
		}
	}
	start = t.line
	pos := 0
	for {
		if pos < len(line) && line[pos] == '"' {
			qline, qcol := t.line, pos+1
			pos++
			endOfRecord := false
		quoted:
			for {
				i := bytes.IndexByte(line[pos:], '"')
				if i < 0 {
					// The cell goes on past this line.
					if t.fromPending {
						return start, &csvProblem{line: qline, col: qcol, field: -1,
							reason: fmt.Sprintf("the quote opened at line %d column %d is not closed on its line (after a broken record, cells spanning lines are not read)", qline, qcol)}, nil
					}
					t.add(line[pos:])
					if (t.over >= 0 || t.contCut) && !t.longCell {
						if t.contLooksLikeRows() {
							t.resync(start)
							return start, &csvProblem{line: qline, col: qcol, field: -1,
								reason: fmt.Sprintf("the quoted cell opened at line %d column %d is still open after %d MiB: a closing quote is probably missing", qline, qcol, maxFieldBytes>>20)}, nil
						}
						// A cell too large to keep whose lines are
						// not rows: it is read to its closing quote,
						// without keeping its lines, and the record
						// rejected for its size, instead of each of
						// its lines being taken for a broken row.
						t.longCell, t.contCut = true, true
					}
					var tooLong bool
					line, tooLong, err = t.readLine()
					if err == io.EOF {
						t.resync(start)
						return start, &csvProblem{line: qline, col: qcol, field: -1,
							reason: fmt.Sprintf("the quote opened at line %d column %d is never closed", qline, qcol)}, nil
					}
					if err != nil {
						return start, nil, err
					}
					if tooLong {
						return start, &csvProblem{line: t.line, field: -1,
							reason: fmt.Sprintf("line %d, inside the quoted cell opened at line %d, is longer than %d MiB", t.line, qline, maxLineBytes>>20)}, nil
					}
					t.keep(line)
					pos = 0
					continue
				}
				if j := pos + i + 1; j < len(line) && line[j] == '"' {
					// A doubled quote: the text and one quote in one
					// piece. A CustomerInfo cell has fourteen.
					t.add(line[pos:j])
					pos = j + 1
					continue
				}
				t.add(line[pos : pos+i])
				pos += i + 1
				switch {
				case pos >= len(line) || line[pos] == '\n':
					t.endField()
					endOfRecord = true
					break quoted
				case line[pos] == t.comma:
					pos++
					t.endField()
					break quoted
				default:
					t.resync(start)
					return start, &csvProblem{line: t.line, col: pos + 1, field: -1,
						reason: fmt.Sprintf("unexpected %s after the closing quote of the cell opened at line %d column %d (a quote inside a quoted cell must be doubled)",
							describeByte(line[pos]), qline, qcol)}, nil
				}
			}
			if endOfRecord {
				break
			}
			continue
		}
		i := bytes.IndexByte(line[pos:], t.comma)
		if i >= 0 {
			t.add(line[pos : pos+i])
			t.endField()
			pos += i + 1
			continue
		}
		end := len(line)
		if end > pos && line[end-1] == '\n' {
			end--
		}
		t.add(line[pos:end])
		t.endField()
		break
	}
	if t.over >= 0 {
		if t.over >= maxFields {
			return start, &csvProblem{line: start, field: -1, reason: fmt.Sprintf("more than %d cells", maxFields)}, nil
		}
		return start, &csvProblem{line: start, field: t.over,
			reason: fmt.Sprintf("cell %d is larger than %d MiB (or the record larger than %d MiB)", t.over+1, maxFieldBytes>>20, maxRecordBytes>>20)}, nil
	}
	return start, nil, nil
}

func describeByte(c byte) string {
	if c >= 0x20 && c < 0x7f {
		return fmt.Sprintf("'%c'", c)
	}
	return fmt.Sprintf("byte 0x%02x", c)
}
