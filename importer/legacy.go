package importer

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
)

// Legacy CJK encodings are told apart by the start of a file only: the
// bytes a file's first bufSize bytes hold, never the whole file. Each
// candidate parses those bytes by its own byte structure and counts how
// many characters land where text in it mostly is (kana and first-level
// kanji; the GB2312 hanzi; the KS X 1001 Hangul syllables; Big5's frequent
// hanzi). The encodings overlap, so a guess is made only when one
// candidate has almost all its characters there and the others cannot
// claim the same text; when the bytes look like a multi-byte encoding but
// do not say which, the file is refused with a message naming --encoding:
// a wrong guess would store every name garbled.

// cjkScore is what one candidate made of the bytes.
type cjkScore struct {
	chars  int // multi-byte characters (and Shift_JIS half-width kana)
	common int // of those, in the part of the code table text mostly uses
	bad    int // bytes the candidate cannot parse
	// both counts double-byte characters whose two bytes are both over
	// 0x7f: most CJK text has many, Windows-1252 text that happens to
	// parse (é followed by a letter) has almost none.
	both int
	// lowTrail counts double-byte characters whose second byte is ASCII
	// (Big5 and Shift_JIS have them; GB2312 and KS X 1001 never do).
	lowTrail int
	// beyondHangul counts GB2312 hanzi whose first byte is past the
	// Hangul rows of EUC-KR (0xc9-0xf7): Chinese text has them, Korean
	// text has none.
	beyondHangul int
}

// confident says almost all of at least min characters are common ones
// and a quarter have two high bytes.
func (s cjkScore) confident(min int) bool {
	return s.viable(min) && s.common*10 >= s.chars*9 && s.both*4 >= s.chars
}

// viable says the bytes parse (a stray byte in ten characters allowed: a
// damaged row costs that row, see charset).
func (s cjkScore) viable(min int) bool {
	return s.chars >= min && s.bad*10 <= s.chars
}

// plausible says the bytes could well be text in this encoding: enough of
// it that refusing the file is better than rejecting its rows one by one.
func (s cjkScore) plausible() bool {
	return s.viable(4) && s.common*2 >= s.chars && s.both*4 >= s.chars
}

func scoreShiftJIS(b []byte) (s cjkScore) {
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch {
		case c < 0x80:
		case c >= 0xa1 && c <= 0xdf: // half-width katakana
			s.chars++
		case (c >= 0x81 && c <= 0x9f) || (c >= 0xe0 && c <= 0xfc):
			if i+1 == len(b) {
				s.bad++
				continue
			}
			t := b[i+1]
			if t < 0x40 || t == 0x7f || t > 0xfc {
				s.bad++
				continue
			}
			i++
			s.chars++
			// Symbols, kana, first-level kanji.
			if c <= 0x84 || (c >= 0x88 && c <= 0x9f) {
				s.common++
			}
			if t >= 0x80 {
				s.both++
			} else {
				s.lowTrail++
			}
		default:
			s.bad++
		}
	}
	return s
}

func scoreGB18030(b []byte) (s cjkScore) {
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch {
		case c < 0x80:
		case c == 0x80 || c == 0xff || i+1 == len(b):
			s.bad++
		case b[i+1] >= 0x30 && b[i+1] <= 0x39: // four bytes
			if i+3 >= len(b) || b[i+2] < 0x81 || b[i+2] == 0xff || b[i+3] < 0x30 || b[i+3] > 0x39 {
				s.bad++
				continue
			}
			i += 3
			s.chars++
		default:
			t := b[i+1]
			if t < 0x40 || t == 0x7f || t == 0xff {
				s.bad++
				continue
			}
			i++
			s.chars++
			if t >= 0x80 {
				s.both++
			} else {
				s.lowTrail++
			}
			if t >= 0xa1 && ((c >= 0xb0 && c <= 0xf7) || (c >= 0xa1 && c <= 0xa9)) {
				s.common++
				if c >= 0xc9 && c <= 0xf7 {
					s.beyondHangul++
				}
			}
		}
	}
	return s
}

func scoreEUCKR(b []byte) (s cjkScore) {
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch {
		case c < 0x80:
		case c == 0x80 || c == 0xff || i+1 == len(b):
			s.bad++
		default:
			t := b[i+1]
			// KS X 1001 pairs, and the extended Hangul of code page 949.
			ok := t >= 0xa1 && t <= 0xfe ||
				c <= 0xc6 && (t >= 0x41 && t <= 0x5a || t >= 0x61 && t <= 0x7a || t >= 0x81 && t <= 0xa0)
			if !ok {
				s.bad++
				continue
			}
			i++
			s.chars++
			if t >= 0x80 {
				s.both++
			} else {
				s.lowTrail++
			}
			if t >= 0xa1 && (c >= 0xb0 && c <= 0xc8 || c >= 0xa1 && c <= 0xac) {
				s.common++
			}
		}
	}
	return s
}

func scoreBig5(b []byte) (s cjkScore) {
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch {
		case c < 0x80:
		case c < 0x81 || c == 0xff || i+1 == len(b):
			s.bad++
		default:
			t := b[i+1]
			if !(t >= 0x40 && t <= 0x7e || t >= 0xa1 && t <= 0xfe) {
				s.bad++
				continue
			}
			i++
			s.chars++
			if t >= 0x80 {
				s.both++
			} else {
				s.lowTrail++
			}
			if c >= 0xa1 && c <= 0xf9 && c != 0xc7 && c != 0xc8 {
				s.common++
			}
		}
	}
	return s
}

// detectLegacy looks at the start of a file that has no byte-order mark
// and returns the legacy CJK encoding it is in, nil for a file to be read
// as UTF-8 (with odd records decided one by one), or an error refusing a
// file that looks like a multi-byte encoding without saying which. eof
// says head is the whole file.
func detectLegacy(head []byte, eof bool) (encoding.Encoding, string, error) {
	if !eof {
		// A character may be cut off by the end of head.
		if i := bytes.LastIndexByte(head, '\n'); i >= 0 {
			head = head[:i+1]
		}
	}
	if isASCII(head) || utf8.Valid(head) {
		return nil, "", nil
	}
	// UTF-8 with a few odd bytes stays UTF-8: valid UTF-8 characters are
	// rare by chance in the legacy encodings.
	var valid, invalid int
	for i := 0; i < len(head); {
		if head[i] < 0x80 {
			i++
			continue
		}
		r, n := utf8.DecodeRune(head[i:])
		if r == utf8.RuneError && n == 1 {
			invalid++
		} else {
			valid++
		}
		i += n
	}
	if valid >= invalid {
		return nil, "", nil
	}
	// Bytes that read as Windows-1252 text, all of them (non-ASCII
	// bytes alone or in pairs, none the code page leaves undefined), are
	// Windows-1252: Portuguese "ção" and "ão" parse as Big5 pairs, but
	// text in a multi-byte encoding has runs of three or more such bytes.
	if classify(head) == textCP1252 {
		return nil, "", nil
	}
	sj, gb, kr, b5 := scoreShiftJIS(head), scoreGB18030(head), scoreEUCKR(head), scoreBig5(head)
	switch {
	case sj.confident(4) && !gb.confident(4) && !kr.confident(4) && !b5.confident(4):
		return japanese.ShiftJIS, "Shift_JIS", nil
	case gb.confident(4) && gb.beyondHangul > 0 && b5.lowTrail == 0 && gb.chars >= 8 && !sj.confident(4):
		// GB2312 text never has an ASCII second byte; eight characters
		// of Big5 text without one would be rare.
		return simplifiedchinese.GB18030, "GB18030", nil
	case kr.confident(20) && gb.beyondHangul == 0 && kr.lowTrail*20 <= kr.chars && !sj.confident(4):
		// Twenty Chinese characters none of which is past the Hangul
		// rows would be rare.
		return korean.EUCKR, "EUC-KR", nil
	case b5.confident(8) && b5.lowTrail*5 >= b5.chars && !gb.confident(4) && !sj.confident(4):
		return traditionalchinese.Big5, "Big5", nil
	}
	var maybe []string
	for _, c := range []struct {
		s    cjkScore
		name string
	}{{sj, "shift_jis"}, {gb, "gb18030"}, {kr, "euc-kr"}, {b5, "big5"}} {
		if c.s.plausible() {
			maybe = append(maybe, c.name)
		}
	}
	if len(maybe) == 0 {
		return nil, "", nil
	}
	return nil, "", fmt.Errorf("cannot tell the file's encoding: it is not UTF-8 and could be %s; import it again with --encoding NAME (nothing was imported)",
		strings.Join(maybe, " or "))
}
