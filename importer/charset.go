package importer

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"unicode/utf8"

	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

const bufSize = 64 << 10

// openText undoes the encodings lead files come in and returns a reader of
// UTF-8 (or, for old tools, Windows-1252, which the record decoder handles):
// a UTF-8 byte-order mark is dropped (encoding/csv would otherwise keep it in
// the first header name), UTF-16 with a BOM is decoded, and input that is
// clearly not text we can read is refused with a message saying what it
// looks like, instead of being parsed into junk.
func openText(r io.Reader) (*bufio.Reader, error) {
	br := bufio.NewReaderSize(r, bufSize)
	head, err := br.Peek(1024)
	if err != nil && err != io.EOF && err != bufio.ErrBufferFull && len(head) == 0 {
		return nil, err
	}
	switch {
	case bytes.HasPrefix(head, []byte{0xef, 0xbb, 0xbf}):
		br.Discard(3)
	case bytes.HasPrefix(head, []byte{0xff, 0xfe}), bytes.HasPrefix(head, []byte{0xfe, 0xff}):
		enc := unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM)
		return bufio.NewReaderSize(transform.NewReader(br, enc.NewDecoder()), bufSize), nil
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return nil, errors.New("looks like an Excel workbook or another zip file, not CSV or JSON; save it as CSV and import again")
	case looksUTF16(head):
		return nil, errors.New("looks like UTF-16 without a byte-order mark; save it as UTF-8 (or UTF-16 with a BOM) and import again")
	}
	return br, nil
}

// looksUTF16 spots UTF-16 without a BOM: text in it has a zero byte in every
// other position for ASCII characters. Real CSV or JSON never contains NUL.
func looksUTF16(b []byte) bool {
	if len(b) < 4 {
		return false
	}
	var even, odd int
	for i, c := range b {
		if c == 0 {
			if i%2 == 0 {
				even++
			} else {
				odd++
			}
		}
	}
	pairs := len(b) / 2
	return even*4 >= pairs || odd*4 >= pairs
}

// charset decides, once per file, whether its bytes are UTF-8 or
// Windows-1252. Both agree on ASCII, so the decision waits for the first
// record with a non-ASCII byte: valid UTF-8 there means UTF-8, anything else
// means Windows-1252 (every byte decodes, so nothing becomes U+FFFD). After
// the decision, a record that is not valid UTF-8 in a UTF-8 file is rejected
// with a reason rather than guessed at.
type charset struct {
	mode      int // charsetUndecided, charsetUTF8 or charsetCP1252
	decidedAt int // line that decided, for messages
}

const (
	charsetUndecided = iota
	charsetUTF8
	charsetCP1252
)

// errNotUTF8 is returned by charset.check for invalid bytes in a UTF-8 file.
var errNotUTF8 = errors.New("invalid UTF-8")

// check inspects b (a record, found at line) and reports whether it must be
// decoded as Windows-1252.
func (cs *charset) check(b []byte, line int) (cp1252 bool, err error) {
	if cs.mode == charsetCP1252 {
		return true, nil
	}
	if cs.mode == charsetUndecided && isASCII(b) {
		return false, nil
	}
	return cs.decide(utf8.Valid(b), line)
}

// checkFields is check for a CSV record: each field must be valid on its
// own, since "\xe8\xa6" and "\xa3" are invalid cells that happen to form a
// valid character when concatenated.
func (cs *charset) checkFields(t *csvTokenizer, line int) (cp1252 bool, err error) {
	if cs.mode == charsetCP1252 {
		return true, nil
	}
	if isASCII(t.rec) {
		return false, nil
	}
	// Fields are valid one by one exactly when the record is and no field
	// starts inside a character: one pass over the record instead of one
	// call per field.
	valid := utf8.Valid(t.rec)
	for i := 0; i < t.nfields()-1 && valid; i++ {
		if e := t.ends[i]; e < len(t.rec) && !utf8.RuneStart(t.rec[e]) {
			valid = false
		}
	}
	return cs.decide(valid, line)
}

// decide records the decision for a record with non-ASCII bytes.
func (cs *charset) decide(valid bool, line int) (bool, error) {
	switch {
	case cs.mode == charsetUTF8 && valid:
		return false, nil
	case cs.mode == charsetUTF8:
		return false, errNotUTF8
	}
	cs.decidedAt = line
	if valid {
		cs.mode = charsetUTF8
		return false, nil
	}
	cs.mode = charsetCP1252
	return true, nil
}

func isASCII(b []byte) bool {
	for len(b) >= 8 {
		if (uint64(b[0])|uint64(b[1])<<8|uint64(b[2])<<16|uint64(b[3])<<24|
			uint64(b[4])<<32|uint64(b[5])<<40|uint64(b[6])<<48|uint64(b[7])<<56)&0x8080808080808080 != 0 {
			return false
		}
		b = b[8:]
	}
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}

// cp1252High maps bytes 0x80-0x9f of Windows-1252. The five bytes the code
// page leaves undefined map to the C1 control of the same value, as the
// WHATWG encoding standard does; 0xa0-0xff are Latin-1.
var cp1252High = [32]rune{
	0x20ac, 0x0081, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
	0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008d, 0x017d, 0x008f,
	0x0090, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
	0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x009d, 0x017e, 0x0178,
}

// appendCP1252 appends the UTF-8 form of Windows-1252 bytes b to dst.
func appendCP1252(dst, b []byte) []byte {
	for _, c := range b {
		switch {
		case c < 0x80:
			dst = append(dst, c)
		case c < 0xa0:
			dst = utf8.AppendRune(dst, cp1252High[c-0x80])
		default:
			dst = utf8.AppendRune(dst, rune(c))
		}
	}
	return dst
}
