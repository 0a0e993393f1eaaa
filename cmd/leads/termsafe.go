package main

import (
	"bytes"
	"encoding/json"
	"io"

	"github.com/leads-inbox/leads/store/safetext"
)

// A CSV or JSON export sent to a terminal is read there, not saved: lead
// text in it passes the sanitiser, as everywhere else it is shown, so an
// OSC 52 (clipboard), OSC 0 (title) or OSC 8 (link) sequence a stranger
// typed into a form cannot act on the rep's terminal. Written to a file or
// a pipe, an export keeps the exact text (CSV cells are formula-safe).

// displayCell is a CSV cell as a terminal may show it: sanitised, line
// breaks kept (the CSV writer quotes them as in a file).
func displayCell(s string) string { return safetext.CleanMultiline(s) }

// jsonDisplay writes JSON text with every string in it sanitised. The
// encoder already escapes C0 controls, so what is left to take out is in
// the strings: C1 controls, bidi, zero-width and other invisible
// characters, combining floods, and the escape sequences an escaped
// control would start once decoded. Each string is decoded, cleaned and
// encoded again, so the output stays valid JSON. Strings never span a
// line in encoder output, so the text is handled a line at a time.
type jsonDisplay struct {
	w       io.Writer
	pending []byte // the start of a line not yet ended
}

// Write cleans and passes on every complete line of p.
func (j *jsonDisplay) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			j.pending = append(j.pending, p...)
			break
		}
		line := p[:i+1]
		if len(j.pending) > 0 {
			line = append(j.pending, line...)
			j.pending = j.pending[:0]
		}
		if _, err := j.w.Write(cleanJSONLine(line)); err != nil {
			return 0, err
		}
		p = p[i+1:]
	}
	return n, nil
}

// Flush writes a last line that did not end in a newline.
func (j *jsonDisplay) Flush() error {
	if len(j.pending) == 0 {
		return nil
	}
	_, err := j.w.Write(cleanJSONLine(j.pending))
	j.pending = j.pending[:0]
	return err
}

// cleanJSONLine returns line with each string literal in it sanitised. A
// literal of printable ASCII without escapes (nearly every key and value)
// is kept as it is.
func cleanJSONLine(line []byte) []byte {
	var out []byte
	last := 0 // line[:last] is in out already
	for i := 0; i < len(line); i++ {
		if line[i] != '"' {
			continue
		}
		end, plain := i+1, true
		for ; end < len(line) && line[end] != '"'; end++ {
			switch c := line[end]; {
			case c == '\\':
				plain = false
				end++ // the escaped character, which may be a quote
			case c < 0x20 || c >= 0x7f:
				plain = false
			}
		}
		if end >= len(line) {
			break // not JSON from our encoder: leave the rest to the check below
		}
		if !plain {
			var s string
			if err := json.Unmarshal(line[i:end+1], &s); err == nil {
				out = append(out, line[last:i]...)
				// Without HTML escapes: the terminal shows "<" and "&"
				// as a file has them.
				out = appendJSONString(out, safetext.CleanMultiline(s), false)
				last = end + 1
			}
		}
		i = end
	}
	if last == 0 && out == nil {
		out = line
	} else {
		out = append(out, line[last:]...)
	}
	// Whatever could not be read as a string is still shown clean.
	if !shownAsIs(out) {
		return []byte(safetext.CleanMultiline(string(out)))
	}
	return out
}

// shownAsIs reports text the sanitiser would leave as it is (a final
// newline aside).
func shownAsIs(b []byte) bool {
	return safetext.Unchanged(string(bytes.TrimSuffix(b, []byte("\n"))))
}
