package importer

import (
	"github.com/leads-inbox/leads/store/safetext"
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

// Sanitize makes untrusted text safe to put in a one-line message: it is
// safetext.Clean (no escape sequences, controls, bidi or zero-width
// characters, invalid UTF-8; line breaks become spaces) cut to at most max
// runes, with the cut marked by "...". max <= 0 means no limit.
func Sanitize(s string, max int) string {
	s = safetext.Clean(s)
	if max <= 0 || len(s) <= max {
		return s
	}
	n := 0
	for i := range s {
		if n == max {
			return s[:i] + "..."
		}
		n++
	}
	return s
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
	// Windows1252 counts the records of a file read as UTF-8 that were
	// not UTF-8 and were read as Windows-1252 on their own;
	// Windows1252Line is the first one's line. The user is told: a
	// record of another encoding may look like one.
	Windows1252, Windows1252Line int
	// Detected names the legacy encoding (Shift_JIS, GB18030, EUC-KR,
	// Big5) the file was detected to be in and read as, or is empty.
	Detected string
}
