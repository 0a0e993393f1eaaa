package importer

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// This file is a small JSON parser of our own. encoding/json would do, but
// it cannot keep object keys in order (Raw and Extra must), its errors give a
// byte offset and a wording meant for programmers, it silently turns invalid
// UTF-8 into U+FFFD, and it allocates a string per value, which shows up when
// every row of a million-row CSV carries a CustomerInfo object. Here a value
// without escapes is a substring of the input. Tests check it against
// encoding/json on the same inputs.

type jsonKind uint8

const (
	jsonString jsonKind = iota + 1
	jsonNumber
	jsonBool
	jsonNull
	jsonObject
	jsonArray
)

// jsonValue is a parsed value. text is the decoded string for strings, the
// literal for numbers and booleans, "" for null, and the source text of
// objects and arrays (see stored). members is filled for objects within the depth the
// caller asked to materialise.
type jsonValue struct {
	kind    jsonKind
	text    string
	members []jsonMember
}

type jsonMember struct {
	key string
	val jsonValue
}

// jsonError is a syntax error at byte offset off of the parsed text. prevEnd
// is where the previous complete value ended, which lets the caller say
// "missing ',' at the end of line 13?" instead of pointing only at the next
// line.
type jsonError struct {
	off     int
	prevEnd int
	msg     string
}

func (e *jsonError) Error() string { return fmt.Sprintf("offset %d: %s", e.off, e.msg) }

const maxJSONDepth = 200

type jsonParser struct {
	s       string
	pos     int
	prevEnd int
	depth   int
}

// parseJSON parses s as exactly one JSON value. Objects down to depth
// `levels` get their members materialised (1: the top-level object only);
// deeper values are kept as JSON text. On error the partial top-level object
// read so far is returned with the error, so a truncated CustomerInfo still
// yields the fields before the damage.
func parseJSON(s string, levels int) (jsonValue, *jsonError) {
	p := jsonParser{s: s}
	return p.document(levels)
}

// checkUTF8 fails on invalid UTF-8, which encoding/json would silently turn
// into U+FFFD.
func (p *jsonParser) checkUTF8() *jsonError {
	if utf8.ValidString(p.s) {
		return nil
	}
	off := 0
	for off < len(p.s) {
		r, size := utf8.DecodeRuneInString(p.s[off:])
		if r == utf8.RuneError && size == 1 {
			break
		}
		off += size
	}
	return &jsonError{off: off, msg: "not valid UTF-8"}
}

func (p *jsonParser) document(levels int) (jsonValue, *jsonError) {
	if err := p.checkUTF8(); err != nil {
		return jsonValue{}, err
	}
	p.skipSpace()
	v, err := p.value(levels)
	if err != nil {
		return v, err
	}
	p.prevEnd = p.pos
	p.skipSpace()
	if p.pos < len(p.s) {
		return v, p.fail("unexpected " + p.describe() + " after the JSON value")
	}
	return v, nil
}

func (p *jsonParser) fail(msg string) *jsonError {
	return &jsonError{off: p.pos, prevEnd: p.prevEnd, msg: msg}
}

// describe names the byte at the current position for an error message.
func (p *jsonParser) describe() string {
	if p.pos >= len(p.s) {
		return "end of input"
	}
	r, _ := utf8.DecodeRuneInString(p.s[p.pos:])
	if r >= 0x20 && r < 0x7f {
		return fmt.Sprintf("'%c'", r)
	}
	return fmt.Sprintf("%U", r)
}

func (p *jsonParser) skipSpace() {
	for p.pos < len(p.s) {
		switch p.s[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

func (p *jsonParser) value(levels int) (jsonValue, *jsonError) {
	if p.pos >= len(p.s) {
		return jsonValue{}, p.fail("unexpected end of input, expected a value")
	}
	switch c := p.s[p.pos]; {
	case c == '{':
		return p.object(levels)
	case c == '[':
		return p.array()
	case c == '"':
		s, err := p.str()
		return jsonValue{kind: jsonString, text: s}, err
	case c == '-' || ('0' <= c && c <= '9'):
		return p.number()
	case c == 't':
		return p.literal("true", jsonBool)
	case c == 'f':
		return p.literal("false", jsonBool)
	case c == 'n':
		return p.literal("null", jsonNull)
	}
	return jsonValue{}, p.fail("expected a value, found " + p.describe())
}

func (p *jsonParser) literal(word string, kind jsonKind) (jsonValue, *jsonError) {
	if !strings.HasPrefix(p.s[p.pos:], word) {
		return jsonValue{}, p.fail("invalid literal, expected " + word)
	}
	p.pos += len(word)
	text := word
	if kind == jsonNull {
		text = ""
	}
	return jsonValue{kind: kind, text: text}, nil
}

func (p *jsonParser) number() (jsonValue, *jsonError) {
	start := p.pos
	digits := func() int {
		n := 0
		for p.pos < len(p.s) && '0' <= p.s[p.pos] && p.s[p.pos] <= '9' {
			p.pos++
			n++
		}
		return n
	}
	if p.s[p.pos] == '-' {
		p.pos++
	}
	if p.pos < len(p.s) && p.s[p.pos] == '0' {
		p.pos++
	} else if digits() == 0 {
		return jsonValue{}, p.fail("invalid number")
	}
	if p.pos < len(p.s) && p.s[p.pos] == '.' {
		p.pos++
		if digits() == 0 {
			return jsonValue{}, p.fail("invalid number: digits expected after '.'")
		}
	}
	if p.pos < len(p.s) && (p.s[p.pos] == 'e' || p.s[p.pos] == 'E') {
		p.pos++
		if p.pos < len(p.s) && (p.s[p.pos] == '+' || p.s[p.pos] == '-') {
			p.pos++
		}
		if digits() == 0 {
			return jsonValue{}, p.fail("invalid number: digits expected in exponent")
		}
	}
	return jsonValue{kind: jsonNumber, text: p.s[start:p.pos]}, nil
}

// str parses a string at p.pos (which holds the opening quote).
func (p *jsonParser) str() (string, *jsonError) {
	p.pos++
	start := p.pos
	for p.pos < len(p.s) {
		c := p.s[p.pos]
		switch {
		case c == '"':
			s := p.s[start:p.pos]
			p.pos++
			return s, nil
		case c == '\\':
			return p.strEscaped(start)
		case c < 0x20:
			return "", p.fail(fmt.Sprintf("control character %U in string", rune(c)))
		}
		p.pos++
	}
	return "", p.fail("unexpected end of input inside a string")
}

// strEscaped finishes a string that holds escapes; start is just after the
// opening quote and p.pos at the first backslash.
func (p *jsonParser) strEscaped(start int) (string, *jsonError) {
	b := make([]byte, 0, p.pos-start+16)
	b = append(b, p.s[start:p.pos]...)
	for p.pos < len(p.s) {
		c := p.s[p.pos]
		switch {
		case c == '"':
			p.pos++
			return string(b), nil
		case c < 0x20:
			return "", p.fail(fmt.Sprintf("control character %U in string", rune(c)))
		case c != '\\':
			b = append(b, c)
			p.pos++
			continue
		}
		if p.pos+1 >= len(p.s) {
			p.pos++
			return "", p.fail("unexpected end of input inside a string")
		}
		e := p.s[p.pos+1]
		switch e {
		case '"', '\\', '/':
			b = append(b, e)
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			r, ok := hex4(p.s[p.pos+2:])
			if !ok {
				return "", p.fail(`invalid \u escape`)
			}
			p.pos += 6
			if utf16.IsSurrogate(r) {
				// A pair decodes to one rune; a lone half becomes U+FFFD
				// exactly as encoding/json does, since there is nothing
				// better to store for it.
				r2, ok2 := rune(-1), false
				if strings.HasPrefix(p.s[p.pos:], `\u`) {
					r2, ok2 = hex4(p.s[p.pos+2:])
				}
				if d := utf16.DecodeRune(r, r2); ok2 && d != utf8.RuneError {
					p.pos += 6
					r = d
				} else {
					r = utf8.RuneError
				}
			}
			b = utf8.AppendRune(b, r)
			continue
		default:
			p.pos++
			return "", p.fail(fmt.Sprintf("invalid escape '\\%c' in string", rune(e)))
		}
		p.pos += 2
	}
	return "", p.fail("unexpected end of input inside a string")
}

func hex4(s string) (rune, bool) {
	if len(s) < 4 {
		return 0, false
	}
	var r rune
	for i := 0; i < 4; i++ {
		c := s[i]
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

func (p *jsonParser) enter() *jsonError {
	p.depth++
	if p.depth > maxJSONDepth {
		return p.fail("JSON nested too deeply")
	}
	return nil
}

func (p *jsonParser) object(levels int) (jsonValue, *jsonError) {
	start := p.pos
	if err := p.enter(); err != nil {
		return jsonValue{}, err
	}
	defer func() { p.depth-- }()
	v := jsonValue{kind: jsonObject}
	p.pos++
	for first := true; ; first = false {
		key, val, done, err := p.member(first, levels-1)
		if err != nil {
			return v, err
		}
		if done {
			v.text = p.s[start:p.pos]
			return v, nil
		}
		if levels > 0 {
			v.members = append(v.members, jsonMember{key: key, val: val})
		}
	}
}

// member reads the next member of an object whose '{' has been consumed:
// key, value, and whether the closing '}' came instead (first: no member
// read yet). Callers that only need to look at each member once loop over
// member themselves, which spares a slice per object.
func (p *jsonParser) member(first bool, levels int) (key string, val jsonValue, done bool, err *jsonError) {
	p.skipSpace()
	if !first {
		if p.pos >= len(p.s) {
			return "", val, false, p.fail("unexpected end of input, expected ',' or '}' (missing '}'?)")
		}
		switch p.s[p.pos] {
		case ',':
			p.pos++
			p.skipSpace()
		case '}':
			p.pos++
			return "", val, true, nil
		default:
			return "", val, false, p.fail("expected ',' or '}' after object value, found " + p.describe())
		}
	} else if p.pos < len(p.s) && p.s[p.pos] == '}' {
		p.pos++
		return "", val, true, nil
	}
	if p.pos >= len(p.s) {
		return "", val, false, p.fail("unexpected end of input, expected a quoted key (missing '}'?)")
	}
	if p.s[p.pos] != '"' {
		return "", val, false, p.fail("expected a quoted key, found " + p.describe())
	}
	if key, err = p.str(); err != nil {
		return "", val, false, err
	}
	p.skipSpace()
	if p.pos >= len(p.s) || p.s[p.pos] != ':' {
		return "", val, false, p.fail(fmt.Sprintf("expected ':' after key %s, found %s", quoteValue(key), p.describe()))
	}
	p.pos++
	p.skipSpace()
	if val, err = p.value(levels); err != nil {
		return "", val, false, err
	}
	p.prevEnd = p.pos
	return key, val, false, nil
}

func (p *jsonParser) array() (jsonValue, *jsonError) {
	start := p.pos
	if err := p.enter(); err != nil {
		return jsonValue{}, err
	}
	defer func() { p.depth-- }()
	p.pos++
	p.skipSpace()
	if p.pos < len(p.s) && p.s[p.pos] == ']' {
		p.pos++
		return jsonValue{kind: jsonArray, text: p.s[start:p.pos]}, nil
	}
	for {
		if _, err := p.value(0); err != nil {
			return jsonValue{}, err
		}
		p.prevEnd = p.pos
		p.skipSpace()
		if p.pos >= len(p.s) {
			return jsonValue{}, p.fail("unexpected end of input, expected ',' or ']' (missing ']'?)")
		}
		switch p.s[p.pos] {
		case ',':
			p.pos++
			p.skipSpace()
			continue
		case ']':
			p.pos++
			return jsonValue{kind: jsonArray, text: p.s[start:p.pos]}, nil
		}
		return jsonValue{}, p.fail("expected ',' or ']' after array element, found " + p.describe())
	}
}

// stored returns the value as a lead field holds it: strings decoded,
// numbers and booleans as written, null as "", objects and arrays as compact
// JSON text.
func (v *jsonValue) stored() string {
	if v.kind == jsonObject || v.kind == jsonArray {
		return compactJSON(v.text)
	}
	return v.text
}

// compactJSON returns already-validated JSON text without insignificant
// whitespace, so nested values stored as text do not carry a file's
// indentation. Text that is already compact is returned as is.
func compactJSON(s string) string {
	if !strings.ContainsAny(s, " \t\r\n") {
		return s
	}
	var b bytes.Buffer
	if err := json.Compact(&b, []byte(s)); err != nil {
		return s
	}
	return b.String()
}
