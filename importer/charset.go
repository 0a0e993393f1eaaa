package importer

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/ianaindex"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

const bufSize = 64 << 10

// openText undoes the encodings lead files come in and returns a reader of
// UTF-8 with the charset its records are to be checked with. A UTF-8
// byte-order mark is dropped (encoding/csv would otherwise keep it in the
// first header name), UTF-16 with a BOM is decoded, a file whose start is
// in a legacy CJK encoding (Shift_JIS, GB18030, EUC-KR, Big5) is decoded
// when the start says which one with confidence and refused, naming
// --encoding, when it does not, and input that is clearly not text we can
// read is refused with a message saying what it looks like, instead of
// being parsed into junk. Anything else is read as UTF-8 whose odd records
// are decided one by one (see charset).
//
// enc, when not empty, names the encoding instead (see LookupEncoding);
// only a byte-order mark of that same encoding is honoured.
//
// Only the first bufSize bytes are looked at: the file is never held.
func openText(r io.Reader, enc string) (*bufio.Reader, charset, error) {
	br := bufio.NewReaderSize(r, bufSize)
	head, err := br.Peek(1024)
	if err != nil && err != io.EOF && err != bufio.ErrBufferFull && len(head) == 0 {
		return nil, charset{}, err
	}
	if enc != "" {
		return openNamed(br, head, enc)
	}
	switch {
	case bytes.HasPrefix(head, []byte{0xef, 0xbb, 0xbf}):
		br.Discard(3)
	case bytes.HasPrefix(head, []byte{0xff, 0xfe}), bytes.HasPrefix(head, []byte{0xfe, 0xff}):
		enc := unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM)
		return bufio.NewReaderSize(transform.NewReader(br, enc.NewDecoder()), bufSize), charset{mode: charsetDecoded}, nil
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return nil, charset{}, errors.New("looks like an Excel workbook or another zip file, not CSV or JSON; save it as CSV and import again")
	case looksUTF16(head):
		order := "utf-16le"
		if head[0] == 0 {
			order = "utf-16be"
		}
		return nil, charset{}, fmt.Errorf("looks like UTF-16 without a byte-order mark; import it with --encoding %s, or save it as UTF-8, and import again", order)
	}
	head, err = br.Peek(br.Size())
	legacy, name, err := detectLegacy(head, err != nil)
	if err != nil {
		return nil, charset{}, err
	}
	if legacy != nil {
		return bufio.NewReaderSize(transform.NewReader(br, legacy.NewDecoder()), bufSize),
			charset{mode: charsetDecoded, name: name, legacy: true, detected: true}, nil
	}
	return br, charset{mode: charsetAuto}, nil
}

// openNamed opens a file whose encoding the user named.
func openNamed(br *bufio.Reader, head []byte, name string) (*bufio.Reader, charset, error) {
	e, err := lookupEncoding(name)
	if err != nil {
		return nil, charset{}, err
	}
	bom := ""
	switch {
	case bytes.HasPrefix(head, []byte{0xef, 0xbb, 0xbf}):
		bom = "utf-8"
	case bytes.HasPrefix(head, []byte{0xff, 0xfe}):
		bom = "utf-16le"
	case bytes.HasPrefix(head, []byte{0xfe, 0xff}):
		bom = "utf-16be"
	}
	switch {
	case e.name == "utf-8":
		if bom == "utf-8" {
			br.Discard(3)
		} else if bom != "" {
			return nil, charset{}, fmt.Errorf("the file starts with a %s byte-order mark, but --encoding %s was given; import it without --encoding", strings.ToUpper(bom), name)
		}
		return br, charset{mode: charsetUTF8}, nil
	case e.utf16:
		if bom == "utf-8" {
			return nil, charset{}, fmt.Errorf("the file starts with a UTF-8 byte-order mark, but --encoding %s was given; import it without --encoding", name)
		}
		// The mark, where there is one, says the byte order.
		dec := e.enc.NewDecoder()
		if bom != "" {
			dec = unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder()
		}
		return bufio.NewReaderSize(transform.NewReader(br, dec), bufSize), charset{mode: charsetDecoded}, nil
	case bom != "":
		return nil, charset{}, fmt.Errorf("the file starts with a %s byte-order mark, but --encoding %s was given; import it without --encoding", strings.ToUpper(bom), name)
	}
	return bufio.NewReaderSize(transform.NewReader(br, e.enc.NewDecoder()), bufSize),
		charset{mode: charsetDecoded, name: e.display, legacy: true}, nil
}

// namedEncoding is an encoding a user named with --encoding.
type namedEncoding struct {
	enc     encoding.Encoding
	name    string // canonical lower-case name, such as "shift_jis"
	display string // as messages spell it, such as "Shift_JIS"
	utf16   bool
}

// CheckEncoding checks an encoding name as 'leads import --encoding' takes
// it (BatchOptions.Encoding), so that a wrong name is a usage error before
// anything is opened. The error says what to do.
func CheckEncoding(name string) error {
	_, err := lookupEncoding(name)
	return err
}

// lookupEncoding finds a named encoding: the names of the WHATWG encoding
// standard and their aliases (utf-8, utf-16le, utf-16be, windows-1252,
// latin1, shift_jis, euc-jp, gb18030, gbk, euc-kr, big5, ...), then IANA
// names (cp936, ...); utf-16 alone means little-endian unless the file has
// a byte-order mark.
func lookupEncoding(name string) (namedEncoding, error) {
	n := strings.ToLower(strings.TrimSpace(name))
	e, err := htmlindex.Get(n)
	if err != nil {
		e, err = ianaindex.IANA.Encoding(n)
		if err == nil && e == nil {
			err = errors.New("unsupported")
		}
	}
	if err != nil || n == "replacement" || n == "x-user-defined" {
		return namedEncoding{}, fmt.Errorf("unknown encoding %q for --encoding; use a name such as utf-8, utf-16le, windows-1252, latin1, shift_jis, gb18030, euc-kr or big5", Sanitize(name, 40))
	}
	canon, err := htmlindex.Name(e)
	if err != nil {
		canon, _ = ianaindex.IANA.Name(e)
		canon = strings.ToLower(canon)
	}
	display := canon
	if d, err := ianaindex.IANA.Name(e); err == nil && d != "" {
		display = d
	}
	return namedEncoding{enc: e, name: canon, display: display, utf16: strings.HasPrefix(canon, "utf-16")}, nil
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

// charset says how records' bytes become text. In a file read as UTF-8
// (charsetAuto) each record is decided on its own, never the whole file
// from one record: valid UTF-8 is UTF-8, and a cell (a JSON record) that is
// not is read as Windows-1252 when it looks like what old Western tools
// write (a lone accented letter or curly quote among ASCII), counted so
// that the user is told, and rejected with its line otherwise (a character
// cut short, UTF-8 mixed with other bytes, or runs of bytes that belong to
// a multi-byte encoding). A file the user said is UTF-8 (charsetUTF8)
// rejects every record that is not. A file decoded on its way in
// (charsetDecoded: UTF-16, a named or detected encoding) is valid UTF-8
// already; in a legacy encoding a U+FFFD marks bytes that encoding does
// not have, and its record is rejected rather than stored with it.
type charset struct {
	mode     int
	name     string // the legacy encoding a decoded file is in, as messages spell it
	legacy   bool   // decoded from a legacy encoding: U+FFFD rejects the record
	detected bool   // the encoding was detected, not named

	cp1252, cp1252Line int // records read as Windows-1252, and the first one's line
}

const (
	charsetAuto = iota
	charsetUTF8
	charsetDecoded
)

// textProblem is why a record's bytes were not taken as text.
type textProblem struct {
	field int // the CSV cell at fault, or -1
	kind  int // textDamaged, textForeign or textBadBytes
}

const (
	textCP1252   = iota // not UTF-8, and reads as Windows-1252
	textDamaged         // UTF-8 with a character cut short or mixed with other bytes
	textForeign         // bytes of neither UTF-8 nor Windows-1252 text
	textBadBytes        // a decoded file's bytes its encoding does not have
)

// reason says what is wrong and what to do; where names the cell.
func (cs *charset) reason(p *textProblem, where string) string {
	switch {
	case p.kind == textBadBytes:
		return fmt.Sprintf("%sholds bytes that are not valid %s; if the file is in another encoding, import it with --encoding NAME", where, cs.name)
	case cs.mode == charsetUTF8:
		return where + "is not valid UTF-8, though --encoding names UTF-8; fix the file or name its encoding"
	case p.kind == textDamaged:
		return where + "is not valid UTF-8 (a character cut short, or UTF-8 mixed with other bytes); fix it, or name the file's encoding with --encoding NAME"
	}
	return where + "is neither UTF-8 nor Windows-1252 text; name the file's encoding with --encoding NAME (such as shift_jis, gb18030, euc-kr or big5)"
}

// check inspects b (a JSON record, found at line) and reports whether it
// must be decoded as Windows-1252.
func (cs *charset) check(b []byte, line int) (cp1252 bool, prob *textProblem) {
	if isASCII(b) {
		return false, nil
	}
	switch cs.mode {
	case charsetDecoded:
		if cs.legacy && bytes.Contains(b, replacementChar) {
			return false, &textProblem{-1, textBadBytes}
		}
		return false, nil
	case charsetUTF8:
		if !utf8.Valid(b) {
			return false, &textProblem{-1, textDamaged}
		}
		return false, nil
	}
	if utf8.Valid(b) {
		return false, nil
	}
	if k := classify(b); k != textCP1252 {
		return false, &textProblem{-1, k}
	}
	cs.countCP1252(line)
	return true, nil
}

// checkFields is check for a CSV record, which is decided cell by cell:
// "\xe8\xa6" and "\xa3" are invalid cells that happen to form a valid
// character when concatenated. mixed says some cell is to be decoded as
// Windows-1252 (the ones that are not valid UTF-8).
func (cs *charset) checkFields(t *csvTokenizer, line int) (mixed bool, prob *textProblem) {
	if isASCII(t.rec) {
		return false, nil
	}
	if cs.mode == charsetDecoded {
		if cs.legacy && bytes.Contains(t.rec, replacementChar) {
			return false, &textProblem{fieldHolding(t, replacementChar), textBadBytes}
		}
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
	if valid {
		return false, nil
	}
	// The odd record: each cell on its own.
	for i := 0; i < t.nfields(); i++ {
		f := t.field(i)
		if utf8.Valid(f) {
			continue
		}
		if cs.mode == charsetUTF8 {
			return false, &textProblem{i, textDamaged}
		}
		if k := classify(f); k != textCP1252 {
			return false, &textProblem{i, k}
		}
	}
	cs.countCP1252(line)
	return true, nil
}

// fieldHolding returns the first cell of t's record that holds sub.
func fieldHolding(t *csvTokenizer, sub []byte) int {
	for i := 0; i < t.nfields(); i++ {
		if bytes.Contains(t.field(i), sub) {
			return i
		}
	}
	return -1
}

// into adds what cs saw to st.
func (cs *charset) into(st *Stats) {
	st.Windows1252, st.Windows1252Line = cs.cp1252, cs.cp1252Line
	if cs.detected {
		st.Detected = cs.name
	}
}

func (cs *charset) countCP1252(line int) {
	if cs.cp1252 == 0 {
		cs.cp1252Line = line
	}
	cs.cp1252++
}

var replacementChar = []byte("\uFFFD")

// classify says what text that is not valid UTF-8 most likely is.
// Windows-1252 text from old Western tools has its non-ASCII bytes alone or
// in pairs among ASCII (Café, Ação, “quoted”). A UTF-8 lead byte followed
// by a continuation byte is a character cut short, and a valid UTF-8
// character beside invalid bytes is UTF-8 mixed with something else:
// either way decoding it as Windows-1252 would garble it. Three non-ASCII
// bytes in a row, or a byte Windows-1252 leaves undefined, is a multi-byte
// encoding such as Shift_JIS or GB18030.
func classify(b []byte) int {
	run := 0
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c < 0x80 {
			run = 0
			continue
		}
		if _, n := utf8.DecodeRune(b[i:]); n > 1 {
			return textDamaged
		}
		if c >= 0xe0 && c <= 0xf4 && i+1 < len(b) && b[i+1] >= 0x80 && b[i+1] <= 0xbf {
			return textDamaged
		}
		if c == 0x81 || c == 0x8d || c == 0x8f || c == 0x90 || c == 0x9d {
			return textForeign
		}
		if run++; run >= 3 {
			return textForeign
		}
	}
	return textCP1252
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
