package store

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"

	bolt "go.etcd.io/bbolt"
)

// An erasure (forget, purge) deletes records and then compacts the file,
// because deleted records keep their bytes in free pages until then. A
// kill, a full disk or a folder leads may not write in can stop it between
// the two, or before the deletes; these markers in the meta bucket say
// what is left to do, so that the next open that may write finishes it and
// a read-only one can say so. The compacted copy leaves them out: the
// rename that puts it in place is what marks the erasure done.
var (
	// kEraseForget lists, one per line, the addresses a forget recorded
	// before deleting anything; each is taken off in the transaction that
	// deletes that person's records. The addresses are in the file only
	// while their erasure is pending, as the person's own records are.
	kEraseForget = []byte("erase_forget")
	// kEraseCompact says records were deleted and the file is still to be
	// compacted.
	kEraseCompact = []byte("erase_compact")
)

func isEraseMarker(k []byte) bool {
	return bytes.Equal(k, kEraseForget) || bytes.Equal(k, kEraseCompact)
}

// pendingForgets returns the addresses whose forget has not deleted their
// records yet.
func pendingForgets(tx *bolt.Tx) []string {
	v := tx.Bucket(bMeta).Get(kEraseForget)
	var out []string
	for line := range bytes.SplitSeq(v, []byte{'\n'}) {
		if len(line) > 0 {
			out = append(out, string(line))
		}
	}
	return out
}

func putPendingForgets(tx *bolt.Tx, emails []string) error {
	m := tx.Bucket(bMeta)
	if len(emails) == 0 {
		return m.Delete(kEraseForget)
	}
	var b []byte
	for _, e := range emails {
		b = append(append(b, e...), '\n')
	}
	return m.Put(kEraseForget, b)
}

// markCompact records, in the transaction that deletes records, that the
// file must be compacted for their bytes to go.
func markCompact(tx *bolt.Tx) error { return tx.Bucket(bMeta).Put(kEraseCompact, []byte{1}) }

// ErasePending says what an erasure that was cut off (a kill, a full disk,
// a folder that is not writable) has left to do.
type ErasePending struct {
	// People counts the people whose forget was asked for but whose
	// records are still in the file.
	People int
	// Bytes is true when records were deleted and their bytes are still
	// in the file's free pages.
	Bytes bool
}

// Any reports whether anything is left to do.
func (p ErasePending) Any() bool { return p.People > 0 || p.Bytes }

// PendingErasure returns what an erasure that was cut off left to do.
// 'leads forget --finish', or any open that may write, does it.
func (s *Store) PendingErasure() (ErasePending, error) {
	var p ErasePending
	err := s.db.View(func(tx *bolt.Tx) error {
		p.People = len(pendingForgets(tx))
		p.Bytes = tx.Bucket(bMeta).Get(kEraseCompact) != nil
		return nil
	})
	return p, err
}

// FinishErasure deletes the records of every person whose forget was cut
// off and compacts the file when records were deleted and not yet
// compacted away. It reports whether anything was pending.
func (s *Store) FinishErasure() (bool, error) {
	defer s.leadsWritten()
	_, pending, err := s.finishErasure()
	return pending, err
}

// ErasedOnOpen reports whether Open finished an erasure that was cut off.
func (s *Store) ErasedOnOpen() bool { return s.erasedOnOpen }

// EraseError returns why Open could not finish an erasure that was cut
// off (nil if it did, or there was none): the next open tries again.
func (s *Store) EraseError() error { return s.eraseErr }

// finishErasure does what the markers say is left, and returns what each
// person's forget removed, by address.
func (s *Store) finishErasure() (map[string]ForgetResult, bool, error) {
	var people []string
	var compact bool
	if err := s.db.View(func(tx *bolt.Tx) error {
		people = pendingForgets(tx)
		compact = tx.Bucket(bMeta).Get(kEraseCompact) != nil
		return nil
	}); err != nil {
		return nil, false, err
	}
	if len(people) == 0 && !compact {
		return nil, false, nil
	}
	res := map[string]ForgetResult{}
	for _, email := range people {
		r, err := s.eraseRecords(email)
		if err != nil {
			return res, true, err
		}
		res[email] = r
	}
	return res, true, s.compact()
}

// eraseRecords removes everything held about the person with this
// (normalised) email, takes them off the pending list and marks the file
// for compaction, in one transaction.
func (s *Store) eraseRecords(email string) (ForgetResult, error) {
	var res ForgetResult
	cid := ContactIDForEmail(email)
	res.ContactID = cid
	// Delete the draft files first: if one cannot be deleted, the record
	// of it stays and the user can fix the problem and finish the forget.
	files, err := s.DraftFiles(cid)
	if err != nil {
		return res, err
	}
	for _, f := range files {
		if err := os.Remove(f); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return res, fmt.Errorf("cannot delete the draft file %s (%v): delete it by hand and run 'leads forget --finish'", f, unwrapPathErr(err))
		}
		res.DraftFiles = append(res.DraftFiles, f)
	}
	s.idx.mu.Lock()
	defer s.idx.mu.Unlock()
	// The person's leads are found through their contact: file the ones
	// an import left first. If that fails (a full disk), the forget goes
	// on and takes the waiting ones from where they lie (deleteUnfiled).
	_, _ = s.fold()
	err = s.db.Update(func(tx *bolt.Tx) error {
		del := newIDDeletes()
		if seq, ok := lookupRuns(tx.Bucket(bContactIdx), idBytes(cid)); ok {
			n, err := s.deleteContact(tx, seq, cid, del)
			if err != nil {
				return err
			}
			res.Found, res.Leads = true, n
		}
		n, err := deleteUnfiled(tx, email, del)
		if err != nil {
			return err
		}
		if n > 0 {
			res.Found, res.Leads = true, res.Leads+n
		}
		if err := del.write(tx); err != nil {
			return err
		}
		t, err := getTriage(tx, cid)
		if err == nil {
			res.Notes = len(t.Notes)
		}
		res.Events, err = deleteUserData(tx, cid)
		if res.Events > 0 {
			res.Found = true
		}
		if err != nil {
			return err
		}
		if _, err := sweepDict(tx); err != nil {
			return err
		}
		if err := putPendingForgets(tx, slices.DeleteFunc(pendingForgets(tx), func(e string) bool { return e == email })); err != nil {
			return err
		}
		return markCompact(tx)
	})
	// The in-memory ID maps no longer match the file.
	s.idx.invalidate()
	if err != nil {
		return res, writeErr(err)
	}
	// Nor does the writer's copy of the dictionary, after the sweep.
	return res, s.loadDict()
}
