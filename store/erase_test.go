package store

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// victimNeedles are the victim's address, name, phone and company, as
// they would be found in a file's bytes.
var victimNeedles = []string{"ysolde.brannigan@tailspin.example", "Brannigan", "+44 7700 900461", "Tailspin Gliders"}

func victimLeads() []Lead {
	c := Customer{FirstName: "Ysolde", LastName: "Brannigan", Email: "ysolde.brannigan@tailspin.example",
		Phone: "+44 7700 900461", Company: "Tailspin Gliders"}
	return []Lead{
		{Origin: Origin{File: "v.csv", Line: 2}, Source: "AppSource", Action: "PLT", Created: ts("2026-10-01T10:00:00Z"),
			Customer: c, Raw: []Field{{"Email", c.Email}, {"Phone", c.Phone}}},
		{Origin: Origin{File: "v.csv", Line: 3}, Source: "AppSource", Action: "INS", Created: ts("2026-10-02T10:00:00Z"),
			Customer: c, Raw: []Field{{"Company", c.Company}}},
	}
}

// holdsVictim names the first of the victim's details found in the file.
func holdsVictim(t *testing.T, p string) string {
	t.Helper()
	raw, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range victimNeedles {
		if bytes.Contains(raw, []byte(n)) {
			return n
		}
	}
	return ""
}

func victimDB(t *testing.T, p string, others int) {
	t.Helper()
	s, err := Open(p, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Upsert(append(manyLeads(others), victimLeads()...), UpsertOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	for _, n := range victimNeedles {
		if !bytes.Contains(must(os.ReadFile(p)), []byte(n)) {
			t.Fatalf("fixture: %q not in the file", n)
		}
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestForgetThroughSymlinkReplacesTheRealFile: forget and purge through a
// symbolic link to the database compact into the file the link points
// to: the link stays a link, that file keeps its mode and no longer holds
// the person, and later work through the link is seen in it.
func TestForgetThroughSymlinkReplacesTheRealFile(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "real"), 0o700); err != nil {
		t.Fatal(err)
	}
	real := filepath.Join(dir, "real", "leads.db")
	victimDB(t, real, 500)
	if err := os.Chmod(real, 0o640); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.db")
	if err := os.Symlink(filepath.Join("real", "leads.db"), link); err != nil {
		t.Fatal(err)
	}
	s, err := Open(link, Options{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.Forget("ysolde.brannigan@tailspin.example", time.Now())
	if err != nil || res.Leads != 2 {
		t.Fatalf("forget: %+v %v", res, err)
	}
	if _, err := s.Purge(time.Date(2026, 1, 1, 3, 0, 0, 0, time.UTC), false); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Lstat(link)
	if err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("the link is no longer a link: %v %v", fi.Mode(), err)
	}
	if n := holdsVictim(t, real); n != "" {
		t.Fatalf("the real file still holds %q", n)
	}
	if fi, err := os.Stat(real); err != nil || fi.Mode().Perm() != 0o640 {
		t.Fatalf("mode of the real file: %v %v", fi.Mode(), err)
	}
	if _, err := os.Stat(real + compactSuffix); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the compaction copy is left: %v", err)
	}
	s, err = Open(real, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if n, _ := s.Count(); n.Leads != 320 {
		t.Fatalf("%d leads in the real file after forget and purge, want 320", n)
	}
}

// TestBackupToSymlinkReplacesTheRealFile: a backup --force to a symbolic
// link writes the file the link points to.
func TestBackupToSymlinkReplacesTheRealFile(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "leads.db")
	victimDB(t, db, 10)
	real := filepath.Join(dir, "old-backup.db")
	if err := os.WriteFile(real, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "backup.db")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	if _, err := Backup(db, link); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("the backup replaced the link: %v %v", fi, err)
	}
	if holdsVictim(t, real) == "" {
		t.Fatal("the backup did not go to the file the link points to")
	}
}

// TestEmptyFileIsSetUpByAWriter: a 0-byte database file (a first import
// killed as the file appeared) holds nothing. A read-only open says there
// are no leads yet and leaves it as it is; an open that may write sets it
// up, keeping its mode. A few bytes of something else stay refused.
func TestEmptyFileIsSetUpByAWriter(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "leads.db")
	if err := os.WriteFile(p, nil, 0o640); err != nil {
		t.Fatal(err)
	}
	_, err := Open(p, Options{ReadOnly: true})
	if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "no leads yet") || !strings.Contains(err.Error(), "leads import") {
		t.Fatalf("read-only open of an empty file: %v", err)
	}
	if fi, _ := os.Stat(p); fi.Size() != 0 {
		t.Fatal("a read-only open changed the file")
	}
	s, err := Open(p, Options{})
	if err != nil {
		t.Fatalf("an open that may write refused an empty file: %v", err)
	}
	if _, err := s.Upsert(manyLeads(3), UpsertOptions{}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if fi, _ := os.Stat(p); fi.Mode().Perm() != 0o640 {
		t.Fatalf("mode %v", fi.Mode())
	}
	s, err = Open(p, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := s.Count(); n.Leads != 3 {
		t.Fatalf("%d leads", n)
	}
	s.Close()

	other := filepath.Join(dir, "notes.db")
	if err := os.WriteFile(other, []byte("hi\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(other, Options{}); !errors.Is(err, ErrNotDatabase) {
		t.Fatalf("a 3-byte foreign file: %v", err)
	}
	if b, _ := os.ReadFile(other); string(b) != "hi\n" {
		t.Fatal("the foreign file was changed")
	}
}

// TestErasureOnAFullDiskIsFinishedLater: with no room to compact, forget
// deletes the records and says their bytes remain until 'leads forget
// --finish'; a read-only open sees the erasure pending and a backup is
// refused meanwhile (it would copy the bytes); the next open with room
// finishes it and removes a copy a killed compaction left.
func TestErasureOnAFullDiskIsFinishedLater(t *testing.T) {
	p := filepath.Join(t.TempDir(), "leads.db")
	victimDB(t, p, 3000)
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	// The file grows 1 MiB at a time: 2 MiB more holds the deletes, not
	// the compacted copy.
	s, err := Open(p, Options{MaxSize: int(fi.Size()) + 2<<20})
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.Forget("ysolde.brannigan@tailspin.example", time.Now())
	if err == nil || !strings.Contains(err.Error(), "the records are deleted") || !strings.Contains(err.Error(), "leads forget --finish") {
		t.Fatalf("forget on a full disk: %v", err)
	}
	if res.Leads != 2 {
		t.Fatalf("forget on a full disk removed %d leads, want 2", res.Leads)
	}
	s.Close()
	if holdsVictim(t, p) == "" {
		t.Log("the freed pages happen to hold nothing of the victim")
	}
	// As a compaction killed part way would leave it.
	if err := os.WriteFile(p+compactSuffix, []byte("Tailspin Gliders"), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err = Open(p, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if pe, err := s.PendingErasure(); err != nil || !pe.Bytes {
		t.Fatalf("read-only open: pending %+v %v", pe, err)
	}
	s.Close()
	bak := filepath.Join(t.TempDir(), "backup.db")
	if _, err := Backup(p, bak); err == nil || !strings.Contains(err.Error(), "leads forget --finish") {
		t.Fatalf("backup while an erasure is pending: %v", err)
	}
	if _, err := os.Stat(bak); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("a backup was written while an erasure is pending")
	}
	s, err = Open(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !s.ErasedOnOpen() || s.EraseError() != nil {
		t.Fatalf("the open with room did not finish: %v", s.EraseError())
	}
	if pe, _ := s.PendingErasure(); pe.Any() {
		t.Fatalf("still pending: %+v", pe)
	}
	s.Close()
	if n := holdsVictim(t, p); n != "" {
		t.Fatalf("the file still holds %q", n)
	}
	if _, err := os.Stat(p + compactSuffix); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("the killed compaction's copy is left")
	}
	s, err = Open(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.ErasedOnOpen() {
		t.Fatal("a finished erasure was finished again")
	}
}

// TestForgetCutOffBeforeItsDeletesIsFinished: a forget recorded as
// pending whose deletes never ran (a kill between the two) is carried out
// in full by the next open that may write.
func TestForgetCutOffBeforeItsDeletesIsFinished(t *testing.T) {
	p := filepath.Join(t.TempDir(), "leads.db")
	victimDB(t, p, 200)
	s, err := Open(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	// As a kill right after the forget was recorded leaves the file.
	if _, err := s.markForget("ysolde.brannigan@tailspin.example", time.Now()); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = Open(p, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	pe, _ := s.PendingErasure()
	s.Close()
	if pe.People != 1 {
		t.Fatalf("pending after a forget cut off: %+v", pe)
	}
	s, err = Open(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !s.ErasedOnOpen() || s.EraseError() != nil {
		t.Fatalf("not finished on open: %v", s.EraseError())
	}
	if _, err := s.Contact("ysolde.brannigan@tailspin.example"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("the person is still there: %v", err)
	}
	s.Close()
	if n := holdsVictim(t, p); n != "" {
		t.Fatalf("the file still holds %q", n)
	}
}
