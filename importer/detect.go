package importer

import (
	"bufio"
	"io"
	"os"

	"github.com/leads-inbox/leads/store"
)

// Read imports leads from r, whichever supported format it is in: JSON when
// the first byte after any byte-order mark and white space is '{' or '[',
// CSV otherwise. It behaves as ReadJSON or ReadCSV; name labels Origin.File
// and messages. Reading standard input for a "-" argument is the caller's
// business: pass os.Stdin and a name such as "stdin".
func Read(r io.Reader, name string, emit func(store.Lead) error, report func(*RowError)) (Stats, error) {
	br, cs, err := openText(r, "")
	if err != nil {
		return Stats{}, &RowError{File: name, Reason: err.Error(), Severity: Fatal}
	}
	if isJSON(br) {
		return readJSON(br, cs, name, emit, report)
	}
	return readCSV(br, cs, name, emit, report)
}

// ReadFile opens path and imports it with Read, using path as the name.
func ReadFile(path string, emit func(store.Lead) error, report func(*RowError)) (Stats, error) {
	f, err := os.Open(path)
	if err != nil {
		return Stats{}, err
	}
	defer f.Close()
	return Read(f, path, emit, report)
}

// isJSON peeks at the first non-space byte.
func isJSON(br *bufio.Reader) bool {
	b, _ := br.Peek(br.Size())
	for _, c := range b {
		switch c {
		case ' ', '\t', '\r', '\n':
			continue
		case '{', '[':
			return true
		}
		return false
	}
	return false
}
