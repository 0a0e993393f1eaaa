package main

// The list of copies beside the database is a plain file: a user can edit
// it, and a mistake or a prank can make a line name any file. forget must
// only ever rewrite or delete a file that is a backup or export leads
// wrote; anything else on the list is left exactly as it was.

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
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

// TestForgetKilledBeforeTheCopiesIsFinished kills 'leads forget' (a real
// SIGKILL of the built binary) once the database is done but before the
// backups and exports on its list are: the first backup on the list is
// held by another opener, so forget waits on it, and the kill lands
// there. The erasure of the copies is recorded as pending; 'forget
// --finish' walks them, and then no file leads wrote holds the person.
func TestForgetKilledBeforeTheCopiesIsFinished(t *testing.T) {
	if testing.Short() {
		t.Skip("process-level test")
	}
	db := importedDB(t)
	dir := filepath.Dir(db)
	held, b1, exp := filepath.Join(dir, "held.db"), filepath.Join(dir, "b1.db"), filepath.Join(dir, "all.csv")
	for _, args := range [][]string{{"backup", held}, {"backup", b1}, {"export", "--out", exp}} {
		if r := runCLI(t, db, "", args...); r.code != 0 {
			t.Fatalf("%v: %d %q", args, r.code, r.stderr)
		}
	}
	hs, err := store.Open(held, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(leadsBinary(t), "--db", db, "forget", "mei.lin@northwind.example", "--yes")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "later imports") {
			break
		}
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	if err := hs.Close(); err != nil {
		t.Fatal(err)
	}
	needle := []byte("mei.lin@northwind.example")
	if b, _ := os.ReadFile(b1); !bytes.Contains(b, needle) {
		t.Fatal("the kill came after forget reached the second backup; the test did not test anything")
	}
	if ro := runBin(t, time.Minute, nil, "--db", db, "list"); !strings.Contains(ro.stderr, "forget --finish") {
		t.Errorf("a command after the kill did not say the copies are still to be cleared: %q", ro.stderr)
	}
	r := runBin(t, time.Minute, nil, "--db", db, "forget", "--finish")
	if r.code != 0 {
		t.Errorf("forget --finish: %d %q %q", r.code, r.stdout, r.stderr)
	}
	for _, f := range []string{db, held, b1, exp} {
		if b, _ := os.ReadFile(f); bytes.Contains(bytes.ToLower(b), needle) {
			t.Errorf("%s still holds the person after forget --finish: %q", filepath.Base(f), r.stdout)
		}
	}
	if r := runBin(t, time.Minute, nil, "--db", db, "forget", "--finish"); r.code != 0 || !strings.Contains(r.stdout, "no erasure was waiting") {
		t.Errorf("a second forget --finish: %d %q %q", r.code, r.stdout, r.stderr)
	}
}

// TestExportOverAFileOthersCanReadMakesItPrivate: an export written over
// an existing file that others may read (a 0644 file, say) holds every
// lead; it is made 0600 like a new export, not left open to them.
func TestExportOverAFileOthersCanReadMakesItPrivate(t *testing.T) {
	db := importedDB(t)
	for _, args := range [][]string{{"export"}, {"export", "--format", "json"}, {"export", "--person", "mei.lin@northwind.example"}} {
		out := filepath.Join(filepath.Dir(db), "open.out")
		if err := os.WriteFile(out, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(out, 0o644); err != nil {
			t.Fatal(err)
		}
		if r := runCLI(t, db, "", append(args, "--out", out)...); r.code != 0 {
			t.Fatalf("%v: %d %q", args, r.code, r.stderr)
		}
		if fi, err := os.Stat(out); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%v over a 0644 file left it %v (%v)", args, fi.Mode().Perm(), err)
		}
	}
}

// TestForgetLeavesTheDatabaseItselfOnTheListAlone: a line naming the
// database itself (through a link, say) is not a copy: forget does not
// try to open it a second time as a backup (it would wait on its own lock
// and then fail on every later 'forget --finish'), and drops the line.
func TestForgetLeavesTheDatabaseItselfOnTheListAlone(t *testing.T) {
	db := importedDB(t)
	link := filepath.Join(filepath.Dir(db), "same.db")
	if err := os.Symlink(db, link); err != nil {
		t.Fatal(err)
	}
	listCopy(t, db, link, store.CopyBackup)
	r := runCLI(t, db, "", "forget", "mei.lin@northwind.example", "--yes")
	if !strings.Contains(r.stderr, "the database itself") {
		t.Errorf("forget did not say the line names the database: %d %q", r.code, r.stderr)
	}
	if r := runCLI(t, db, "", "forget", "--finish"); r.code != 0 {
		t.Errorf("forget --finish after it: %d %q %q", r.code, r.stdout, r.stderr)
	}
}

// TestForgetFinishedAfterAVanishedCopyIsNotPending: a copy that is gone
// is said once (exit status 1) and dropped; nothing is left for 'forget
// --finish' to do, so no command says a forget is unfinished.
func TestForgetFinishedAfterAVanishedCopyIsNotPending(t *testing.T) {
	db := importedDB(t)
	exp := filepath.Join(filepath.Dir(db), "gone.csv")
	if r := runCLI(t, db, "", "export", "--out", exp); r.code != 0 {
		t.Fatalf("export: %d %q", r.code, r.stderr)
	}
	if err := os.Remove(exp); err != nil {
		t.Fatal(err)
	}
	if r := runCLI(t, db, "", "forget", "mei.lin@northwind.example", "--yes"); r.code != exitFailed || !strings.Contains(r.stderr, "no longer there") {
		t.Fatalf("forget: %d %q", r.code, r.stderr)
	}
	if r := runCLI(t, db, "", "list"); strings.Contains(r.stderr, "forget --finish") {
		t.Errorf("a finished forget is called unfinished: %q", r.stderr)
	}
}
