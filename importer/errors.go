package importer

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Severity says what a reported problem cost.
type Severity int

const (
	// Warning means the row was imported, but part of it could not be read
	// (for example CustomerInfo that is not JSON).
	Warning Severity = iota
	// Reject means the row was skipped; the rest of the file continues.
	Reject
	// Fatal means the file was not read (or stopped being read) because of
	// this problem. Fatal errors are returned by the Read functions rather
	// than passed to the report callback.
	Fatal
)

// String returns the severity's lower-case name.
func (s Severity) String() string {
	switch s {
	case Warning:
		return "warning"
	case Reject:
		return "rejected"
	case Fatal:
		return "fatal"
	}
	return "severity(" + strconv.Itoa(int(s)) + ")"
}

// RowError is one problem found in an input file, positioned so that a person
// can open the file and look. Line is 1-based and 0 when the problem concerns
// the whole file; Col is 1-based (a byte column) and 0 when unknown.
type RowError struct {
	File     string
	Line     int
	Col      int
	Reason   string
	Severity Severity
}

// Error formats the problem as one line, "file:line:col: reason", with
// warnings marked. File names and reasons may quote lead data, which is
// hostile, so control characters, escape sequences, bidi overrides and
// zero-width characters are removed and the line is kept to a sane length.
func (e *RowError) Error() string {
	var b strings.Builder
	b.WriteString(Sanitize(e.File, 200))
	if e.Line > 0 {
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(e.Line))
		if e.Col > 0 {
			b.WriteByte(':')
			b.WriteString(strconv.Itoa(e.Col))
		}
	}
	b.WriteString(": ")
	if e.Severity == Warning {
		b.WriteString("warning: ")
	}
	b.WriteString(Sanitize(e.Reason, 400))
	return b.String()
}

// Sanitize makes untrusted text safe to put in a one-line message: it drops
// C0 and C1 control characters (so no ESC sequence survives), DEL, bidi
// overrides and isolates, zero-width characters and invalid UTF-8, turns tabs
// and line breaks into spaces, and cuts the result to at most max runes
// (marking the cut with "..."). max <= 0 means no limit.
func Sanitize(s string, max int) string {
	clean := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f || c >= 0x80 {
			clean = false
			break
		}
	}
	if clean && (max <= 0 || len(s) <= max) {
		return s
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		if r == utf8.RuneError && size == 1 {
			continue
		}
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			r = ' '
		case unsafeRune(r):
			continue
		}
		if max > 0 && n >= max {
			b.WriteString("...")
			break
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}

// unsafeRune reports runes that can change how a terminal or a text editor
// shows the surrounding text.
func unsafeRune(r rune) bool {
	switch {
	case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f:
		return true
	case r == 0x061c, r == 0x200e, r == 0x200f:
		return true
	case r >= 0x200b && r <= 0x200d, r == 0x2060, r == 0xfeff:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
}

// quoteValue quotes a piece of lead data for a reason text, shortened so
// that one bad 1 MiB cell does not make a 1 MiB error message.
func quoteValue(s string) string {
	const max = 60
	if utf8.RuneCountInString(s) > max {
		n := 0
		for i := range s {
			if n == max {
				s = s[:i] + "..."
				break
			}
			n++
		}
	}
	return strconv.Quote(s)
}

// Stats counts what one Read saw. Records counts data records (not headers or
// blank lines); each record is either emitted as a lead or rejected.
type Stats struct {
	Records  int
	Leads    int
	Rejected int
	Warnings int
	Test     int
}
