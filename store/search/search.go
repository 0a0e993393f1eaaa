// Package search is the one definition of contact search: how a
// contact's search text is built from what the leads say, and how a query
// typed by the rep is matched against it. The store builds the text with
// it when it writes a contact; the inbox and 'leads list --q' match with
// it, so the two can never disagree.
//
// The text is what the rep sees, lower-cased and with Latin, Greek and
// Cyrillic diacritics folded away (a query is folded the same way): every field passes the
// sanitiser (store/safetext) before it is kept, so a name typed with a
// zero-width space or a carriage return inside ("Pay\u200bPal") is found
// by typing what the screen shows ("paypal"). Cleaning happens once, when
// the text is built, never at search time.
package search

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/leads-inbox/leads/store/safetext"
)

// Separators inside a contact's search text. They are control characters,
// which the sanitiser removes from every field, so a query (sanitised the
// same way) never contains one and no match spans two fields.
const (
	FieldSep = 0x00 // between fields, and between descriptions
	DescSep  = 0x01 // between the fields and the descriptions
)

// AppendField appends one field to a search text as the rep sees it,
// lower-cased. Line breaks and tabs are kept: the screen shows them as
// spaces, and a query word holds neither, so they match alike.
func AppendField(b []byte, s string) []byte {
	if !shownAsIs(s) {
		s = strings.ReplaceAll(safetext.Clean(s), "\uFFFD", "")
	}
	return appendLower(b, s)
}

// Field returns AppendField's text for s alone.
func Field(s string) string {
	return string(AppendField(make([]byte, 0, len(s)), s))
}

// Description returns a lead's description as the search text keeps it.
func Description(s string) string { return Field(strings.TrimSpace(s)) }

// Words splits a query into what must match: its words, sanitised and
// lower-cased exactly as the search text was built.
func Words(q string) []string {
	return strings.Fields(Field(q))
}

// Query is the canonical form of a query: its words one space apart, so
// that two spellings of the same query compare equal.
func Query(q string) string { return strings.Join(Words(q), " ") }

// Match reports whether text holds every word, each anywhere: "mei lin"
// finds Mei Lin, whose first and last names are kept apart, and "contoso
// cto" the CTO at Contoso.
func Match(text string, words []string) bool {
	for _, w := range words {
		if !strings.Contains(text, w) {
			return false
		}
	}
	return true
}

// shownAsIs reports a field the screen shows exactly as it is (but for
// line breaks and tabs): nothing for the sanitiser to take out or cap, and
// no byte that is not UTF-8. Nearly every field, in any script, is.
func shownAsIs(s string) bool { return safetext.Unchanged(s) }

// appendLower appends s as search keeps it: lower-cased as strings.ToLower
// would, with diacritics folded (see appendFolded), in one pass and without
// a string per field. The text and every query pass through it, so "jurgen"
// finds Jürgen and "jürgen" finds a Jurgen typed without the mark.
func appendLower(b []byte, s string) []byte {
	prevFolds := false // the last letter kept is one whose marks fold away
	for i := 0; i < len(s); {
		// Copy a run that needs no change at once.
		j := i
		for j < len(s) && s[j] < utf8.RuneSelf && (s[j] < 'A' || s[j] > 'Z') {
			j++
		}
		b = append(b, s[i:j]...)
		if j > i {
			prevFolds = isASCIILetter(s[j-1])
		}
		if i = j; i == len(s) {
			break
		}
		c := s[i]
		if c < utf8.RuneSelf {
			b = append(b, c+'a'-'A')
			prevFolds = true
			i++
			continue
		}
		r, w := utf8.DecodeRuneInString(s[i:])
		b, prevFolds = appendFolded(b, unicode.ToLower(r), prevFolds)
		i += w
	}
	return b
}

func isASCIILetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

// appendFolded appends the lower-case rune r with its diacritics taken off,
// and reports whether a combining mark after it would fold away too.
//
// Only letters of the Latin, Greek and Cyrillic scripts lose their marks:
// there a mark is an accent a rep may not type (é, ü, ά, ё, and the
// Vietnamese ễ), while in scripts such as Devanagari or Thai the vowel
// signs are themselves nonspacing marks and carry the meaning. A mark
// that follows another script's letter is kept, in text and query alike.
func appendFolded(b []byte, r rune, prevFolds bool) ([]byte, bool) {
	if unicode.Is(unicode.Mn, r) {
		if prevFolds {
			return b, true
		}
		return utf8.AppendRune(b, r), false
	}
	if !foldsMarks(r) {
		return utf8.AppendRune(b, r), false
	}
	if s, ok := letterFolds[r]; ok {
		return append(b, s...), true
	}
	d := norm.NFD.PropertiesString(string(r)).Decomposition()
	if len(d) == 0 {
		return utf8.AppendRune(b, r), true
	}
	for _, dr := range string(d) {
		switch f, ok := letterFolds[dr]; {
		case ok:
			// ǿ decomposes to ø and an acute: ø folds in turn.
			b = append(b, f...)
		case !unicode.Is(unicode.Mn, dr):
			b = utf8.AppendRune(b, dr)
		}
	}
	return b, true
}

// foldsMarks reports a letter of a script whose diacritics search ignores.
func foldsMarks(r rune) bool {
	return unicode.Is(unicode.Latin, r) || unicode.Is(unicode.Greek, r) || unicode.Is(unicode.Cyrillic, r)
}

// letterFolds are Latin letters whose stroke or ligature has no canonical
// decomposition, written as a rep without the key for them types them.
var letterFolds = map[rune]string{
	'ø': "o", 'ł': "l", 'đ': "d", 'ħ': "h", 'ı': "i", 'ß': "ss", 'æ': "ae", 'œ': "oe", 'þ': "th", 'ð': "d",
}

// TextCap is the most bytes a contact's search text keeps: the fields,
// then the newest descriptions that fit.
const TextCap = 512

// Head returns the start of a contact's search text: first name, last
// name, address, company and title, each as AppendField keeps it.
func Head(first, last, email, company, title string) string {
	b := make([]byte, 0, len(first)+len(last)+len(email)+len(company)+len(title)+4)
	return string(AppendHead(b, first, last, email, company, title))
}

// AppendHead appends Head's text to b.
func AppendHead(b []byte, first, last, email, company, title string) []byte {
	for i, s := range [5]string{first, last, email, company, title} {
		if i > 0 {
			b = append(b, FieldSep)
		}
		b = AppendField(b, s)
	}
	return b
}

// Rebuild returns a contact's search text after a change: head (from Head)
// and the descriptions already in old, with desc (from Description) added
// first when it is from the newest lead, else last, all cut to TextCap.
// Descriptions are kept one separator apart, with no empty ones, so the
// same descriptions in the same order give the same text however they
// arrived.
func Rebuild(old, head, desc string, newest bool) string {
	var descs string
	if i := strings.IndexByte(old, DescSep); i >= 0 {
		descs = strings.Trim(old[i+1:], fieldSep)
	}
	switch {
	case desc == "" || strings.Contains(descs, desc):
	case descs == "":
		descs = desc
	case newest:
		descs = desc + fieldSep + descs
	default:
		descs = descs + fieldSep + desc
	}
	return Cap(head + string(rune(DescSep)) + descs)
}

const fieldSep = string(rune(FieldSep))

// Cap cuts a search text to TextCap bytes at a character boundary.
func Cap(s string) string {
	if len(s) > TextCap {
		s = s[:TextCap]
		for !utf8.ValidString(s) {
			s = s[:len(s)-1]
		}
	}
	return s
}
