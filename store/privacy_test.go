package store

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestBackupWhileHeldByAnotherOpener: with the database held open for
// writing (as the inbox does) and changing, Backup copies the bytes,
// verifies the copy and renames it into place; the copy opens, checks
// clean and holds the triage state.
func TestBackupWhileHeldByAnotherOpener(t *testing.T) {
	p := fixtureDB(t, 2000)
	holder, err := Open(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		// A rep working in the inbox meanwhile.
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			// Far busier than a person at the keyboard.
			holder.AddNote(ContactIDForEmail("person3@example.com"), "note", time.Now())
			time.Sleep(20 * time.Millisecond)
		}
	}()
	dst := filepath.Join(t.TempDir(), "backup.db")
	res, err := Backup(p, dst)
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if !res.Copied {
		t.Fatal("expected the copy path while the file is held")
	}
	checkBackup(t, dst, 2000)
	entries, _ := os.ReadDir(filepath.Dir(dst))
	if len(entries) != 1 {
		t.Fatalf("temp files left: %v", entries)
	}
}

// TestBackupUnheldUsesWriteTo: without another opener, bbolt's Tx.WriteTo
// makes the copy.
func TestBackupUnheldUsesWriteTo(t *testing.T) {
	p := fixtureDB(t, 500)
	dst := filepath.Join(t.TempDir(), "b.db")
	res, err := Backup(p, dst)
	if err != nil || res.Copied {
		t.Fatalf("%+v %v", res, err)
	}
	checkBackup(t, dst, 500)
	if _, err := Backup(p, p); err == nil {
		t.Fatal("backup onto itself")
	}
}

func checkBackup(t *testing.T, dst string, leads int) {
	t.Helper()
	fi, err := os.Stat(dst)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("backup file: %v %v", fi, err)
	}
	b, err := Open(dst, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if err := b.Check(); err != nil {
		t.Fatal(err)
	}
	if c, _ := b.Count(); c.Leads != leads {
		t.Fatalf("backup holds %d leads, want %d", c.Leads, leads)
	}
	tr, _ := b.Triage(ContactIDForEmail("person1@example.com"))
	if len(tr.Notes) != 1 {
		t.Fatalf("backup lost triage: %+v", tr)
	}
}

// TestForgetRemovesBytesFromFile: forget deletes the person's leads,
// contact, triage, history and draft files, and after compaction neither
// their email nor their name is anywhere in the file's bytes; a plain
// delete would leave both readable. A later import skips them unless
// AllowForgotten.
func TestForgetRemovesBytesFromFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "leads.db")
	s, err := Open(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { s.Close() }()
	others := manyLeads(1000)
	victim := []Lead{
		{Origin: Origin{File: "a.csv", Line: 2}, Source: "AppSource", Action: "PLT", Created: ts("2026-10-01T10:00:00Z"),
			Description: "Zanzibar request", Customer: Customer{FirstName: "Quintessa", LastName: "Vorhees", Email: "Quintessa.Vorhees@fabrikam.example"},
			Raw: []Field{{"Email", "Quintessa.Vorhees@fabrikam.example"}}},
		{Origin: Origin{File: "a.csv", Line: 3}, Source: "AppSource", Action: "INS", Created: ts("2026-10-02T10:00:00Z"),
			Customer: Customer{FirstName: "Quintessa", LastName: "Vorhees", Email: "quintessa.vorhees@fabrikam.example"}},
	}
	if _, err := s.Upsert(append(others, victim...), UpsertOptions{}); err != nil {
		t.Fatal(err)
	}
	cid := ContactIDForEmail("quintessa.vorhees@fabrikam.example")
	if _, err := s.AddNote(cid, "Quintessa prefers mornings", ts("2026-10-03T10:00:00Z")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.LogTouch(cid, ts("2026-10-04T10:00:00Z"), DefaultCadence, ""); err != nil {
		t.Fatal(err)
	}
	// What the mail leaves: a sent Message-ID and a reply's excerpt.
	if _, err := s.LogSent(cid, ts("2026-10-05T10:00:00Z"), DefaultCadence, "<zanzibar-sent-1@leads.example>", "About Zanzibar"); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := s.RecordReply(cid, Reply{MessageID: "<zanzibar-answer@fabrikam.example>", Subject: "Re: About Zanzibar",
		Excerpt: "Zanzibar works for us", At: ts("2026-10-06T10:00:00Z")}, ts("2026-10-07T10:00:00Z")); err != nil || !ok {
		t.Fatal(ok, err)
	}
	draft := filepath.Join(t.TempDir(), "quintessa.eml")
	os.WriteFile(draft, []byte("To: quintessa.vorhees@fabrikam.example\r\n"), 0o600)
	if err := s.RecordDraftFile(cid, draft); err != nil {
		t.Fatal(err)
	}
	before, _ := s.Count()

	raw, _ := os.ReadFile(p)
	for _, needle := range []string{"quintessa.vorhees@fabrikam.example", "Vorhees", "Zanzibar"} {
		if !bytes.Contains(bytes.ToLower(raw), bytes.ToLower([]byte(needle))) {
			t.Fatalf("fixture: %q not in the file before forget", needle)
		}
	}
	res, err := s.Forget("  QUINTESSA.Vorhees@fabrikam.example ", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if !res.Found || res.Leads != 2 || res.Events != 4 || len(res.DraftFiles) != 1 {
		t.Fatalf("forget: %+v", res)
	}
	if _, err := os.Stat(draft); !os.IsNotExist(err) {
		t.Fatal("draft file still there")
	}
	raw, _ = os.ReadFile(p)
	for _, needle := range []string{"quintessa", "vorhees", "zanzibar", "fabrikam"} {
		if bytes.Contains(bytes.ToLower(raw), []byte(needle)) {
			t.Fatalf("%q is still in the file's bytes after forget", needle)
		}
	}
	// Nor the contact ID, a plain hash of the address that anyone with a
	// guess could compute, nor the leads' IDs.
	gone := [][8]byte{idBytes(cid)}
	for _, l := range victim {
		gone = append(gone, idBytes(l.ComputeID()))
	}
	for _, id := range gone {
		if bytes.Contains(raw, id[:]) {
			t.Fatalf("ID %x is still in the file's bytes after forget", id)
		}
	}
	fi, _ := os.Stat(p)
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode after compaction %v", fi.Mode())
	}
	after, _ := s.Count()
	if after.Leads != before.Leads-2 || after.Contacts != before.Contacts-1 {
		t.Fatalf("counts %+v -> %+v", before, after)
	}
	if _, err := s.Contact(cid); err == nil {
		t.Fatal("contact still found")
	}
	if h, _ := s.History(cid); len(h) != 0 {
		t.Fatal("history kept")
	}
	if f, _ := s.DraftFiles(cid); len(f) != 0 {
		t.Fatal("draft records kept")
	}
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(p + compactSuffix); !os.IsNotExist(err) {
		t.Fatal("compaction left its temporary file")
	}
	// The store keeps working after the file was swapped underneath it.
	r, err := s.Upsert(victim, UpsertOptions{})
	if err != nil || r.Forgotten != 2 || r.New != 0 {
		t.Fatalf("re-import: %+v %v", r, err)
	}
	if ok, _ := s.IsForgotten("quintessa.vorhees@fabrikam.example"); !ok {
		t.Fatal("not recorded as forgotten")
	}
	raw, _ = os.ReadFile(p)
	if bytes.Contains(bytes.ToLower(raw), []byte("quintessa")) {
		t.Fatal("the forgotten record holds the address")
	}
	s.Close()
	s, err = Open(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	r, err = s.Upsert(victim, UpsertOptions{AllowForgotten: true})
	if err != nil || r.New != 2 {
		t.Fatalf("allow forgotten: %+v %v", r, err)
	}
	if _, err := s.Forget("not an address", time.Now()); err == nil || strings.Contains(err.Error(), "\n") {
		t.Fatalf("bad address: %v", err)
	}
}

// TestPurgeRemovesUntouchedOldContacts: old contacts nobody worked on go
// (with their bytes), old contacts with triage state stay, recent ones
// stay; a dry run only counts.
func TestPurgeRemovesUntouchedOldContacts(t *testing.T) {
	p := fixtureDB(t, 1000) // leads from 2026-01-01, a minute apart; 500 people
	s, err := Open(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	cutoff := time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC) // person0..person239 are older
	dry, err := s.Purge(cutoff, true)
	if err != nil {
		t.Fatal(err)
	}
	if c, _ := s.Count(); c.Leads != 1000 {
		t.Fatal("dry run removed leads")
	}
	// person1 has a note and person2 a status (fixtureDB).
	if dry.Contacts != 238 || dry.Leads != 476 || dry.Kept != 2 {
		t.Fatalf("dry run: %+v", dry)
	}
	res, err := s.Purge(cutoff, false)
	if err != nil || res != dry {
		t.Fatalf("purge %+v %v, dry run said %+v", res, err, dry)
	}
	if c, _ := s.Count(); c.Leads != 1000-476 || c.Contacts != 500-238 {
		t.Fatalf("after purge: %+v", c)
	}
	if _, err := s.Contact("person1@example.com"); err != nil {
		t.Fatal("purge removed a contact with notes")
	}
	raw, _ := os.ReadFile(p)
	if bytes.Contains(raw, []byte("person7@example.com")) {
		t.Fatal("purged bytes still in the file")
	}
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
}

// TestSalvageCopiesReadableRecords: from a file with an overwritten leaf
// of leads, salvage rebuilds a new database with every readable lead and
// all the triage state, without a panic and without touching the source.
func TestSalvageCopiesReadableRecords(t *testing.T) {
	p := fixtureDB(t, 3000)
	s, _ := Open(p, Options{})
	s.Forget("person9@example.com", time.Now())
	s.Close()
	orig, _ := os.ReadFile(p)
	m, _ := readMeta(bytes.NewReader(orig))
	// Find a leaf page of the leads bucket and overwrite it.
	victim := uint64(0)
	for id := uint64(2); id < m.hwm && victim == 0; id++ {
		pg := orig[id*uint64(m.pageSize):]
		if pg[8] == pgLeaf && bytes.Contains(pg[:m.pageSize], []byte("gen.csv")) {
			victim = id
		}
	}
	if victim == 0 {
		t.Fatal("no lead leaf found")
	}
	b := bytes.Clone(orig)
	for i := range m.pageSize {
		b[victim*uint64(m.pageSize)+uint64(i)] = byte(i * 7)
	}
	bad := filepath.Join(t.TempDir(), "bad.db")
	os.WriteFile(bad, b, 0o600)
	hash := fileHash(t, bad)
	if _, err := Open(bad, Options{}); err == nil {
		t.Fatal("damaged file opened")
	}
	out := filepath.Join(t.TempDir(), "new.db")
	res, err := Salvage(bad, out)
	if err != nil {
		t.Fatal(err)
	}
	if res.Leads < 2000 || res.Leads >= 2998 || res.Unreadable == 0 || res.Triage != 2 || res.Forgotten != 1 {
		t.Fatalf("salvage: %+v", res)
	}
	if fileHash(t, bad) != hash {
		t.Fatal("salvage changed the damaged file")
	}
	n, err := Open(out, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	if err := n.Check(); err != nil {
		t.Fatal(err)
	}
	tr, _ := n.Triage(ContactIDForEmail("person2@example.com"))
	if tr.Status != StatusEngaged {
		t.Fatalf("triage lost: %+v", tr)
	}
	// The forgotten person stays forgotten in the new file.
	r, _ := n.Upsert(manyLeads(20)[18:20], UpsertOptions{})
	if r.Forgotten != 2 {
		t.Fatalf("forgotten person came back: %+v", r)
	}
	// Re-importing the source brings back what the damage took.
	r, _ = n.Upsert(manyLeads(3000), UpsertOptions{})
	if c, _ := n.Count(); c.Leads != 2998 || r.Forgotten != 2 {
		t.Fatalf("after re-import: %+v %+v", c, r)
	}
	if _, err := Salvage(bad, out); err == nil {
		t.Fatal("salvage overwrote an existing file")
	}
}
