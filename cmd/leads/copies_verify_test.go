package main

// The list of copies beside the database is a plain file: a user can edit
// it, and a mistake or a prank can make a line name any file. forget must
// only ever rewrite or delete a file that is a backup or export leads
// wrote; anything else on the list is left exactly as it was.

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/leads-inbox/leads/store"
)

// listCopy puts a line on the database's list of copies by hand, the way
// an edit of the file would.
func listCopy(t *testing.T, db, path, kind string) {
	t.Helper()
	if err := store.RecordCopy(db, store.Copy{Path: path, Kind: kind}); err != nil {
		t.Fatal(err)
	}
}

// importedDB returns a database holding the sample leads.
func importedDB(t *testing.T) string {
	t.Helper()
	db := tempDB(t)
	if r := runCLI(t, db, "", "import", "testdata/storage-explorer-export.csv"); r.code != 0 {
		t.Fatalf("import: %d %q", r.code, r.stderr)
	}
	return db
}

func TestForgetLeavesAnEmptyFileNamedAsABackupEmpty(t *testing.T) {
	db := importedDB(t)
	empty := filepath.Join(filepath.Dir(db), "notes.txt")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	listCopy(t, db, empty, store.CopyBackup)
	r := runCLI(t, db, "", "forget", "mei.lin@northwind.example", "--yes")
	fi, err := os.Stat(empty)
	if err != nil || fi.Size() != 0 || fi.Mode().Perm() != 0o644 {
		t.Fatalf("forget turned an empty file on the list into something else: %v %v (%q %q)", fi.Size(), err, r.stdout, r.stderr)
	}
	if r.code != exitFailed || !strings.Contains(r.stderr, "notes.txt") {
		t.Errorf("forget did not say it left the file alone: %d %q", r.code, r.stderr)
	}
}

func TestForgetDeletesOnlyAPersonExportLeadsWrote(t *testing.T) {
	db := importedDB(t)
	settings := filepath.Join(filepath.Dir(db), "settings.json")
	body := []byte(`{"email":"mei.lin@northwind.example","theme":"dark"}` + "\n")
	if err := os.WriteFile(settings, body, 0o600); err != nil {
		t.Fatal(err)
	}
	listCopy(t, db, settings, store.CopyExportPerson)
	r := runCLI(t, db, "", "forget", "mei.lin@northwind.example", "--yes")
	if b, err := os.ReadFile(settings); err != nil || !bytes.Equal(b, body) {
		t.Fatalf("forget deleted or changed a JSON file leads did not write: %v (%q)", err, r.stdout)
	}
}

func TestForgetDeletesTheFileBehindALinkedPersonExport(t *testing.T) {
	db := importedDB(t)
	dir := filepath.Dir(db)
	real := filepath.Join(dir, "real", "mei.json")
	if err := os.Mkdir(filepath.Dir(real), 0o700); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "mei.json")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	if r := runCLI(t, db, "", "export", "--person", "mei.lin@northwind.example", "--out", link); r.code != 0 {
		t.Fatalf("export: %d %q", r.code, r.stderr)
	}
	if b, _ := os.ReadFile(real); !bytes.Contains(b, []byte("Northwind")) {
		t.Fatalf("the export did not go through the link")
	}
	r := runCLI(t, db, "", "forget", "mei.lin@northwind.example", "--yes")
	if b, err := os.ReadFile(real); err == nil && bytes.Contains(bytes.ToLower(b), []byte("northwind")) {
		t.Fatalf("forget removed the link and kept the export behind it: %q", r.stdout)
	}
}

func TestForgetDoesNotOpenAFIFOOrFolderOnTheList(t *testing.T) {
	db := importedDB(t)
	dir := filepath.Dir(db)
	fifo := filepath.Join(dir, "pipe.csv")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	listCopy(t, db, fifo, store.CopyExportCSV)
	if err := os.Mkdir(filepath.Join(dir, "folder.json"), 0o700); err != nil {
		t.Fatal(err)
	}
	listCopy(t, db, filepath.Join(dir, "folder.json"), store.CopyExportPerson)
	done := make(chan result, 1)
	go func() { done <- runCLI(t, db, "", "forget", "mei.lin@northwind.example", "--yes") }()
	var r result
	select {
	case r = <-done:
	case <-time.After(time.Minute):
		// Give the blocked open a writer, so the test ends.
		if f, err := os.OpenFile(fifo, os.O_WRONLY, 0); err == nil {
			f.Close()
		}
		t.Fatal("forget waited on a FIFO named on the list of copies")
	}
	if r.code != exitFailed || !strings.Contains(r.stderr, "pipe.csv") || !strings.Contains(r.stderr, "folder.json") {
		t.Errorf("forget did not name what it left alone: %d %q", r.code, r.stderr)
	}
	if fi, err := os.Stat(filepath.Join(dir, "folder.json")); err != nil || !fi.IsDir() {
		t.Errorf("the folder on the list was removed: %v", err)
	}
}

// chownToNobody gives a file to another user; only root can.
func chownToNobody(t *testing.T, path string) {
	t.Helper()
	if err := os.Chown(path, 65534, 65534); err != nil {
		t.Skip("cannot give a file to another user here:", err)
	}
}

func TestForgetDoesNotRewriteAnotherUsersExport(t *testing.T) {
	db := importedDB(t)
	exp := filepath.Join(filepath.Dir(db), "theirs.csv")
	if r := runCLI(t, db, "", "export", "--out", exp); r.code != 0 {
		t.Fatalf("export: %d %q", r.code, r.stderr)
	}
	chownToNobody(t, exp)
	before, err := os.ReadFile(exp)
	if err != nil {
		t.Fatal(err)
	}
	r := runCLI(t, db, "", "forget", "mei.lin@northwind.example", "--yes")
	after, err := os.ReadFile(exp)
	if err != nil || !bytes.Equal(before, after) {
		t.Fatalf("forget rewrote a file of another user: %v %q", err, r.stdout)
	}
	if r.code != exitFailed || !strings.Contains(r.stderr, "theirs.csv") {
		t.Errorf("forget did not say it left the file alone: %d %q", r.code, r.stderr)
	}
}
