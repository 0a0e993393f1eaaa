package store

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/leads-inbox/leads/store/scratch"
)

// The kinds of copy leads writes outside the database.
const (
	CopyBackup       = "backup"        // leads backup, NAME.bak-schemaN
	CopyExportCSV    = "export-csv"    // leads export --out FILE
	CopyExportJSON   = "export-json"   // leads export --format json --out FILE
	CopyExportPerson = "export-person" // leads export --person EMAIL --out FILE
)

// Copy is a file leads wrote that holds people's data from a database.
type Copy struct {
	Path    string    `json:"path"`
	Kind    string    `json:"kind"`
	Written time.Time `json:"written"`
}

// The list of copies is a file beside the database, .NAME.copies, one
// JSON object a line, and not a bucket inside it: a backup is often made
// while the inbox holds the database (a nightly job), and then no other
// process may write the database, but it may append a line here. It
// holds paths only, never a lead's text. Writers take an exclusive flock
// on it, so an append and forget's rewrite never interleave.
func copiesPath(dbPath string) string {
	if real, err := filepath.EvalSymlinks(dbPath); err == nil {
		dbPath = real
	}
	return filepath.Join(filepath.Dir(dbPath), "."+filepath.Base(dbPath)+".copies")
}

// RecordCopy puts a copy of the database at dbPath on its list, so that
// forgetting a person later reaches the copy too. The path is stored
// absolute.
func RecordCopy(dbPath string, c Copy) error {
	abs, err := filepath.Abs(c.Path)
	if err != nil {
		return err
	}
	c.Path = abs
	if c.Written.IsZero() {
		c.Written = time.Now().UTC()
	}
	line, err := json.Marshal(c)
	if err != nil {
		return err
	}
	f, err := openCopies(dbPath, os.O_WRONLY|os.O_APPEND|os.O_CREATE)
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := f.Write(append(line, '\n')); err != nil {
		return err
	}
	return f.Sync()
}

// Copies returns the copies on the list of the database at dbPath, each
// path once (the latest entry), in the order they were first written.
func Copies(dbPath string) ([]Copy, error) {
	f, err := openCopies(dbPath, os.O_RDONLY)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readCopies(f)
}

// KeepCopies rewrites the list with only the copies keep accepts (forget
// drops the ones that are gone, so that they are reported once).
func KeepCopies(dbPath string, keep func(Copy) bool) error {
	f, err := openCopies(dbPath, os.O_RDWR)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	all, err := readCopies(f)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	for _, c := range all {
		if keep(c) {
			line, err := json.Marshal(c)
			if err != nil {
				return err
			}
			buf.Write(append(line, '\n'))
		}
	}
	if err := f.Truncate(0); err != nil {
		return err
	}
	if _, err := f.WriteAt(buf.Bytes(), 0); err != nil {
		return err
	}
	return f.Sync()
}

// openCopies opens the list under an exclusive lock; it refuses a link
// or a file of someone else's in its place.
func openCopies(dbPath string, flag int) (*os.File, error) {
	f, err := os.OpenFile(copiesPath(dbPath), flag|noFollow|noBlock, 0o600)
	if err != nil {
		return nil, err
	}
	// In a folder others may write, someone else could have put a list
	// here first, naming files for forget to rewrite or delete.
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() || !scratch.Mine(fi) {
		f.Close()
		return nil, fmt.Errorf("%s is not a list of copies of yours (it belongs to another user, or is not a file): remove it", copiesPath(dbPath))
	}
	if err := lockFile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("cannot lock the list of copies: %v", err)
	}
	return f, nil
}

func readCopies(f *os.File) ([]Copy, error) {
	if _, err := f.Seek(0, 0); err != nil {
		return nil, err
	}
	var out []Copy
	at := map[string]int{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		var c Copy
		// A torn last line (a kill mid-append) is skipped, not fatal.
		if json.Unmarshal(sc.Bytes(), &c) != nil || c.Path == "" {
			continue
		}
		if i, ok := at[c.Path]; ok {
			out[i] = c
			continue
		}
		at[c.Path] = len(out)
		out = append(out, c)
	}
	return out, sc.Err()
}
