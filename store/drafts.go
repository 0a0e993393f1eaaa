package store

import (
	"bytes"
	"fmt"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
)

// bDrafts lists the draft files the app wrote (an .eml file, an editor's
// temporary file), so that forgetting a person can delete them too. It is
// created on first use rather than by a migration: a database without it
// simply has no drafts on record.
var bDrafts = []byte("drafts")

// RecordDraftFile notes that the app wrote a draft file for a contact. The
// path is stored absolute; recording the same file again only updates its
// time.
func (s *Store) RecordDraftFile(contactID, path string) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	if contactID == "" {
		return fmt.Errorf("a draft file needs a contact")
	}
	err = s.db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bDrafts)
		if err != nil {
			return err
		}
		return b.Put(draftKey(contactID, abs), []byte(time.Now().UTC().Format(time.RFC3339)))
	})
	return writeErr(err)
}

// DraftFiles returns the paths of the draft files recorded for a contact,
// sorted. The files may since have been moved or deleted by the rep.
func (s *Store) DraftFiles(contactID string) ([]string, error) {
	var out []string
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bDrafts)
		if b == nil {
			return nil
		}
		prefix := draftKey(contactID, "")
		c := b.Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			out = append(out, string(k[len(prefix):]))
		}
		return nil
	})
	return out, err
}

func draftKey(contactID, path string) []byte {
	k := make([]byte, 0, len(contactID)+1+len(path))
	k = append(k, contactID...)
	k = append(k, 0)
	return append(k, path...)
}
