package store

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/leads-inbox/leads/store/scratch"
)

// A file written in place of another (a backup, a compacted database, a
// rewritten export) is first written beside it, so the rename that puts
// it in place stays on one file system. That file holds every lead, so it
// must not outlive a killed process. Where the system allows (Linux), it
// has no name at all while it is written: a kill leaves nothing to find,
// and it gets a name only for the instant before the rename. Elsewhere
// its name carries the writer's process ID, and the next leads to write
// there removes the ones whose writer is gone (RemoveLeftoverTemps).

// tempFile is a new file being written beside path.
type tempFile struct {
	*os.File
	path string // the file it will replace
	name string // its name in the directory; "" while it has none
}

// tempName is the name a temporary file for path gets:
// .BASE.tmp-PID-RANDOM in path's directory.
func tempName(path string) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".tmp-"+strconv.Itoa(os.Getpid())+"-"+hex.EncodeToString(b[:]))
}

// createTemp starts a temporary file for path, mode 0600.
func createTemp(path string) (*tempFile, error) {
	if f, err := openUnnamed(filepath.Dir(path)); err == nil {
		return &tempFile{File: f, path: path}, nil
	}
	for range 10 {
		n := tempName(path)
		f, err := os.OpenFile(n, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		return &tempFile{File: f, path: path, name: n}, nil
	}
	return nil, errors.New("cannot find a free temporary file name")
}

// publish gives the file its name (if it has none yet) and returns it.
func (t *tempFile) publish() (string, error) {
	if t.name != "" {
		return t.name, nil
	}
	n := tempName(t.path)
	if err := linkUnnamed(t.File, n); err != nil {
		return "", err
	}
	t.name = n
	return n, nil
}

// discard closes the file and removes its name, if it has one.
func (t *tempFile) discard() {
	t.Close()
	if t.name != "" {
		os.Remove(t.name)
	}
}

// legacyTempAge is how old a temporary file from an earlier version of
// leads (.BASE.tmp-DIGITS, with no process ID) must be before it counts
// as left over: those writers wrote without pause, so an hour-old one
// has stopped.
const legacyTempAge = time.Hour

// RemoveLeftoverTemps removes the temporary files that a killed leads
// left beside path, or beside a file whose name starts with path's (its
// NAME.bak-schemaN backups), and returns what it removed. A file whose
// writer still runs is left alone.
func RemoveLeftoverTemps(path string) ([]string, error) {
	dir, base := filepath.Dir(path), filepath.Base(path)
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	var errs []error
	for _, e := range ents {
		n := e.Name()
		if !strings.HasPrefix(n, "."+base) || e.IsDir() {
			continue
		}
		i := strings.LastIndex(n, ".tmp-")
		if i < 0 {
			continue
		}
		tail := n[i+len(".tmp-"):]
		p := filepath.Join(dir, n)
		pidStr, _, named := strings.Cut(tail, "-")
		pid, err := strconv.Atoi(pidStr)
		if err != nil {
			continue
		}
		if named {
			if pid == os.Getpid() || scratch.Alive(pid) {
				continue
			}
		} else if fi, err := e.Info(); err != nil || time.Since(fi.ModTime()) < legacyTempAge {
			continue
		}
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
			continue
		}
		out = append(out, p)
	}
	return out, errors.Join(errs...)
}

// ReplaceFile writes a new version of the file at path through fill and
// puts it in place in one rename (mode 0600), the way a backup is
// written: forget uses it to rewrite an export without a person.
func ReplaceFile(path string, fill func(f *os.File) error) error {
	return writeAtomic(path, fill)
}
