package store

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"
)

// BackupResult says how a backup was made.
type BackupResult struct {
	Bytes int64
	// Copied is true when another process held the database, so the file
	// was copied byte for byte and verified instead of written by bbolt.
	Copied bool
	// TxID is the transaction the copy reflects.
	TxID uint64
}

// Backup writes a consistent copy of the database at src to dst (mode 0600,
// written under a temporary name and renamed, so dst is never half
// written). It works while another leads process, such as the inbox, has
// the database open; see copyLocked for how.
func Backup(src, dst string) (BackupResult, error) {
	if same(src, dst) {
		return BackupResult{}, fmt.Errorf("the backup must go to another file than the database")
	}
	s, err := Open(src, Options{ReadOnly: true, Timeout: 200 * time.Millisecond})
	if err == nil {
		defer s.Close()
		// A copy would carry the bytes an unfinished erasure is to remove.
		if p, err := s.PendingErasure(); err != nil || p.Any() {
			return BackupResult{}, fmt.Errorf("an erasure (forget, purge) was cut off and its bytes are still in the database: run 'leads forget --finish', then the backup")
		}
		return s.Backup(dst)
	}
	if !errors.Is(err, ErrInUse) {
		return BackupResult{}, err
	}
	return copyLocked(src, dst)
}

func same(a, b string) bool {
	fa, errA := os.Stat(a)
	fb, errB := os.Stat(b)
	return errA == nil && errB == nil && os.SameFile(fa, fb)
}

// Backup writes a consistent copy of the open database to dst with
// bbolt's Tx.WriteTo: a read transaction sees one committed state, and
// writers carry on meanwhile.
func (s *Store) Backup(dst string) (BackupResult, error) {
	var res BackupResult
	err := writeAtomic(dst, func(f *os.File) error {
		return s.db.View(func(tx *bolt.Tx) error {
			res.TxID = uint64(tx.ID())
			n, err := tx.WriteTo(f)
			res.Bytes = n
			return err
		})
	})
	return res, writeErr(err)
}

// backupBeforeMigration copies the database next to itself as
// NAME.bak-schemaN before a migration from schema N changes it.
func (s *Store) backupBeforeMigration(from int) error {
	dst := realPath(s.path) + ".bak-schema" + strconv.Itoa(from)
	if _, err := s.Backup(dst); err != nil {
		return &OpenError{Path: s.path, Err: errors.New("not upgraded"),
			Hint: fmt.Sprintf("could not write the backup %s first (%s); free some space and try again", filepath.Base(dst), oneLine(err))}
	}
	// On the list of copies, so that forgetting a person reaches it.
	if err := RecordCopy(s.path, Copy{Path: dst, Kind: CopyBackup}); err != nil {
		return &OpenError{Path: s.path, Err: errors.New("not upgraded"),
			Hint: fmt.Sprintf("could not note the backup %s on the list of copies (%s); check the directory's permissions and try again", filepath.Base(dst), oneLine(err))}
	}
	return nil
}

// writeAtomic writes a new file through fill beside path (unnamed while
// it is written, see tempfile.go), syncs it and renames it to path: a
// crash leaves the old file or the new one, never a torn one, and no copy
// of the leads under another name. A symbolic link at path stays a link:
// the file it points to is the one replaced.
func writeAtomic(path string, fill func(f *os.File) error) error {
	path = realPath(path)
	dir := filepath.Dir(path)
	// Leftovers of a killed earlier run hold every lead too.
	_, _ = RemoveLeftoverTemps(path)
	t, err := createTemp(path)
	if err != nil {
		return err
	}
	f := t.File
	ok := false
	defer func() {
		if !ok {
			t.discard()
		}
	}()
	if err := f.Chmod(0o600); err != nil {
		return err
	}
	if err := fill(f); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	tmp, err := t.publish()
	if err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	ok = true
	syncDir(dir)
	return nil
}

// syncDir makes a rename in dir durable; failure only weakens durability,
// so it is not reported.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// copyLocked backs up a database that another process holds open.
//
// bbolt takes an exclusive flock for a writer, so no second process can
// open the file through bbolt, not even read-only; and the inbox must not
// be asked to close. What makes a plain byte copy safe is bbolt's
// copy-on-write commit: a transaction writes its new pages into free space
// first and the meta page (which names the tree) last. A copy therefore
// holds a consistent tree for the meta transaction it starts from, as long
// as no later transaction was committed while copying (a second commit may
// reuse pages the first one freed). So: read the meta transaction ID, copy
// the bytes, read the ID again; if it moved, try again. Then the copy must
// name the same transaction, pass the page walk in verify.go and bbolt's
// own Check before it is renamed into place.
func copyLocked(src, dst string) (BackupResult, error) {
	var lastErr error
	// A rep's commits are seconds apart and a copy takes milliseconds, so
	// a few tries almost always find a quiet moment.
	for attempt := range 10 {
		if attempt > 0 {
			time.Sleep(time.Duration(attempt) * 50 * time.Millisecond)
		}
		res, err := copyOnce(src, dst)
		if err == nil {
			return res, nil
		}
		lastErr = err
		if !errors.Is(err, errMoved) {
			break
		}
	}
	return BackupResult{}, fmt.Errorf("could not make a consistent copy of %s while it is in use (%v): close the inbox and run the backup again", filepath.Base(src), lastErr)
}

var errMoved = errors.New("the database changed during the copy")

func copyOnce(src, dst string) (BackupResult, error) {
	var res BackupResult
	in, err := os.Open(src)
	if err != nil {
		return res, err
	}
	defer in.Close()
	before, err := readMeta(in)
	if err != nil {
		return res, fmt.Errorf("%w: %v", ErrDamaged, err)
	}
	err = writeAtomic(dst, func(f *os.File) error {
		// Only the pages below the high-water mark are in use; bbolt
		// grows files ahead of need, so this is often far less than the
		// file, and a shorter copy is less likely to see a commit.
		want := int64(before.hwm) * int64(before.pageSize)
		n, err := io.Copy(f, io.NewSectionReader(in, 0, want))
		if err != nil {
			return err
		}
		if n != want {
			return fmt.Errorf("%w: the file is shorter than its own page count", ErrDamaged)
		}
		after, err := readMeta(in)
		if err != nil || after.txid != before.txid {
			return errMoved
		}
		got, err := readMeta(f)
		if err != nil || got.txid != before.txid {
			return errMoved
		}
		if err := f.Sync(); err != nil {
			return err
		}
		if err := verifyFile(f.Name()); err != nil {
			return errMoved
		}
		if err := boltCheck(f.Name()); err != nil {
			return errMoved
		}
		res = BackupResult{Bytes: n, Copied: true, TxID: before.txid}
		return nil
	})
	return res, err
}

// boltCheck opens a file read-only with bbolt and runs its consistency
// check.
func boltCheck(path string) error {
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		return err
	}
	defer db.Close()
	return db.View(func(tx *bolt.Tx) error {
		var errs []error
		for e := range tx.Check() {
			errs = append(errs, e)
		}
		return errors.Join(errs...)
	})
}
