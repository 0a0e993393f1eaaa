package store

import (
	"time"

	bolt "go.etcd.io/bbolt"
)

// PurgeResult counts what Purge removed (or would remove, in a dry run).
type PurgeResult struct {
	Contacts int
	Leads    int
	// Kept counts old contacts left alone because the rep worked on them.
	Kept int
}

// Purge removes contacts the rep never touched (no triage state, history
// or draft) whose newest lead is older than cutoff, with all their leads,
// then compacts the file so their bytes go too. A contact with any triage
// state is the rep's work and is kept however old. A dry run counts and
// changes nothing. Like Forget, the deletes mark the file for compaction
// and a purge cut off before the compaction is finished by the next open
// that may write.
func (s *Store) Purge(cutoff time.Time, dryRun bool) (PurgeResult, error) {
	defer s.leadsWritten()
	res, err := s.purgeRecords(cutoff, dryRun)
	if err != nil || dryRun {
		return res, err
	}
	if _, _, err := s.finishErasure(); err != nil {
		return res, err
	}
	return res, nil
}

func (s *Store) purgeRecords(cutoff time.Time, dryRun bool) (PurgeResult, error) {
	var res PurgeResult
	s.idx.mu.Lock()
	defer s.idx.mu.Unlock()
	if _, err := s.fold(); err != nil {
		return PurgeResult{}, err
	}
	// Whatever happens, the in-memory ID maps are reloaded from the file.
	defer s.idx.invalidate()
	err := s.db.Update(func(tx *bolt.Tx) error {
		res = PurgeResult{}
		type victim struct {
			seq uint64
			id  string
		}
		var victims []victim
		names := s.names()
		drafts := tx.Bucket(bDrafts)
		c := tx.Bucket(bContacts).Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			ct, err := decodeContact(bytesToU64(k), v, names)
			if err != nil {
				return err
			}
			if !ct.Last.Before(cutoff) {
				continue
			}
			if touched(tx, drafts, ct.ID) {
				res.Kept++
				continue
			}
			victims = append(victims, victim{ct.Seq, ct.ID})
		}
		// Deleting after the scan: bbolt cursors skip entries when the
		// bucket changes under them.
		del := newIDDeletes()
		for _, vc := range victims {
			n, err := s.deleteContact(tx, vc.seq, vc.id, del)
			if err != nil {
				return err
			}
			res.Contacts++
			res.Leads += n
		}
		if err := del.write(tx); err != nil {
			return err
		}
		if _, err := sweepDict(tx); err != nil {
			return err
		}
		if dryRun {
			return errDryRun
		}
		if res.Contacts == 0 {
			return nil
		}
		return markCompact(tx)
	})
	if err == errDryRun {
		return res, nil
	}
	if err != nil {
		return PurgeResult{}, writeErr(err)
	}
	// The sweep may have taken codes out of the file: the writer's copy
	// of the dictionary must not hand them to a later record.
	return res, s.loadDict()
}

// touched reports whether the rep did anything with a contact.
func touched(tx *bolt.Tx, drafts *bolt.Bucket, id string) bool {
	if tx.Bucket(bTriage).Get([]byte(id)) != nil {
		return true
	}
	prefix := append([]byte(id), 0)
	if k, _ := tx.Bucket(bHistory).Cursor().Seek(prefix); k != nil && len(k) > len(prefix) && string(k[:len(prefix)]) == string(prefix) {
		return true
	}
	if drafts != nil {
		p := draftKey(id, "")
		if k, _ := drafts.Cursor().Seek(p); k != nil && len(k) >= len(p) && string(k[:len(p)]) == string(p) {
			return true
		}
	}
	return false
}
