package store

import (
	"bytes"

	bolt "go.etcd.io/bbolt"
)

// bMailCursors holds, per mailbox folder (mailbox.Source.ID), where the
// last scan got to, so the next one reads only what arrived since.
// Created on first use.
var bMailCursors = []byte("mailcursors")

// MailCursor returns the saved scan position of a mailbox folder, nil if
// it was never scanned.
func (s *Store) MailCursor(box string) ([]byte, error) {
	var out []byte
	err := s.db.View(func(tx *bolt.Tx) error {
		if b := tx.Bucket(bMailCursors); b != nil {
			out = bytes.Clone(b.Get([]byte(box)))
		}
		return nil
	})
	return out, err
}

// SetMailCursor saves the scan position of a mailbox folder.
func (s *Store) SetMailCursor(box string, cursor []byte) error {
	err := s.db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bMailCursors)
		if err != nil {
			return err
		}
		return b.Put([]byte(box), cursor)
	})
	return writeErr(err)
}

// HasContact reports whether a contact with this ID exists. A mailbox
// scan asks it of every sender's address, most of them strangers, so it
// reads without writing (RecordReply on a stranger would cost a write
// transaction each).
func (s *Store) HasContact(contactID string) (bool, error) {
	found := false
	err := s.db.View(func(tx *bolt.Tx) error {
		_, found = lookupRuns(tx.Bucket(bContactIdx), idBytes(contactID))
		return nil
	})
	return found, err
}
