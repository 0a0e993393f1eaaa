package store

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
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
	CopyCalendar     = "calendar"      // leads calendar --out FILE, and the inbox's rewrites
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
	return openPrivate(copiesPath(dbPath), flag)
}

// openPrivate opens a file of leads' beside the database under an
// exclusive lock; it refuses a link, a FIFO or a file of someone else's.
func openPrivate(path string, flag int) (*os.File, error) {
	f, err := os.OpenFile(path, flag|noFollow|noBlock, 0o600)
	if err != nil {
		return nil, err
	}
	// In a folder others may write, someone else could have put a list
	// here first, naming files for forget to rewrite or delete.
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() || !scratch.Mine(fi) {
		f.Close()
		return nil, fmt.Errorf("%s is not a file of yours (it belongs to another user, or is not a file): remove it", path)
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
	rd := bufio.NewReaderSize(f, 64<<10)
	var line []byte
	for {
		part, isPrefix, err := rd.ReadLine()
		if err == io.EOF {
			break
		}
		if err != nil {
			return out, err
		}
		// A line longer than any path leads writes (a damaged or edited
		// list) is skipped whole, like a torn one; the rest is read.
		if len(line) <= 1<<20 {
			line = append(line, part...)
		}
		if isPrefix {
			continue
		}
		text := line
		line = line[:0]
		var c Copy
		// A torn last line (a kill mid-append) is skipped, not fatal.
		if len(text) > 1<<20 || json.Unmarshal(text, &c) != nil || c.Path == "" {
			continue
		}
		if i, ok := at[c.Path]; ok {
			out[i] = c
			continue
		}
		at[c.Path] = len(out)
		out = append(out, c)
	}
	return out, nil
}

// A forget erases the person from the database first and then from each
// copy on the list; a kill between the two would leave the copies whole
// with nothing to say so. So before it starts, forget puts the address
// on a second file beside the database, .NAME.copies-pending (0600, one
// address a line), and takes it off once every copy is done; 'leads
// forget --finish' walks the copies again for each address left there.
// The address is in that file only while its erasure is pending, as it
// is in the database's own pending list.
func copiesPendingPath(dbPath string) string { return copiesPath(dbPath) + "-pending" }

// MarkCopiesPending records that the copies of the database at dbPath
// are still to be cleared of this (normalised) address.
func MarkCopiesPending(dbPath, email string) error {
	f, err := openPrivate(copiesPendingPath(dbPath), os.O_WRONLY|os.O_APPEND|os.O_CREATE)
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := f.Write([]byte(email + "\n")); err != nil {
		return err
	}
	return f.Sync()
}

// CopiesPending returns the addresses whose erasure from the copies was
// cut off, each once.
func CopiesPending(dbPath string) ([]string, error) {
	f, err := openPrivate(copiesPendingPath(dbPath), os.O_RDONLY)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readPending(f)
}

// CopiesDone takes the address off the pending file. The file stays,
// empty, rather than being removed: another forget may be waiting on its
// lock to append, and would write into a removed file.
func CopiesDone(dbPath, email string) error {
	f, err := openPrivate(copiesPendingPath(dbPath), os.O_RDWR)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	all, err := readPending(f)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	for _, e := range all {
		if e != email {
			buf.WriteString(e + "\n")
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

func readPending(f *os.File) ([]string, error) {
	b, err := io.ReadAll(io.LimitReader(f, 16<<20))
	if err != nil {
		return nil, err
	}
	var out []string
	seen := map[string]bool{}
	for line := range bytes.SplitSeq(b, []byte{'\n'}) {
		if e := string(bytes.TrimSpace(line)); e != "" && !seen[e] {
			seen[e] = true
			out = append(out, e)
		}
	}
	return out, nil
}
