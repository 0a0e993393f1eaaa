package store

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// A list of copies that another user put beside the database (in a
// shared folder) would steer forget at files of theirs choosing; it is
// refused, as the comment on openCopies promises.
func TestCopiesRefusesAListOfAnotherUser(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "leads.db")
	line, err := json.Marshal(Copy{Path: filepath.Join(dir, "mine.csv"), Kind: CopyExportCSV})
	if err != nil {
		t.Fatal(err)
	}
	list := copiesPath(db)
	if err := os.WriteFile(list, append(line, '\n'), 0o666); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(list, 65534, 65534); err != nil {
		t.Skip("cannot give a file to another user here:", err)
	}
	if c, err := Copies(db); err == nil {
		t.Fatalf("a list of copies owned by another user was read: %v", c)
	}
	if err := RecordCopy(db, Copy{Path: filepath.Join(dir, "b.db"), Kind: CopyBackup}); err == nil {
		t.Fatal("a copy was put on a list owned by another user")
	}
}

// A FIFO put where the list goes would stop every backup and forget at
// the open; it is refused instead.
func TestCopiesRefusesAFIFOInTheListsPlace(t *testing.T) {
	db := filepath.Join(t.TempDir(), "leads.db")
	if err := syscall.Mkfifo(copiesPath(db), 0o600); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	done := make(chan error, 1)
	go func() { _, err := Copies(db); done <- err }()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("a FIFO was read as the list of copies")
		}
	case <-time.After(time.Minute):
		if f, err := os.OpenFile(copiesPath(db), os.O_WRONLY, 0); err == nil {
			f.Close()
		}
		t.Fatal("reading the list waited on a FIFO")
	}
}

// A line too long to be one leads wrote (a damaged or edited list) is
// skipped like a torn one; the copies after it are still reached.
func TestCopiesSkipsAnOverlongLine(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "leads.db")
	junk := append(bytes.Repeat([]byte("x"), 2<<20), '\n')
	if err := os.WriteFile(copiesPath(db), junk, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := RecordCopy(db, Copy{Path: filepath.Join(dir, "b.db"), Kind: CopyBackup}); err != nil {
		t.Fatal(err)
	}
	c, err := Copies(db)
	if err != nil || len(c) != 1 || c[0].Path != filepath.Join(dir, "b.db") {
		t.Fatalf("the copy after an overlong line: %v %v", c, err)
	}
}
