package store

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// compactSuffix names the file a compaction writes before renaming it.
const compactSuffix = ".compact"

// realPath is the file the database path names, symbolic links followed.
// A file put in place by rename must replace that file: renamed over a
// link, it would turn the link into a separate file, later work would go
// there, and the file the link pointed to would keep everything a forget
// meant to remove.
func realPath(path string) string {
	if r, err := filepath.EvalSymlinks(path); err == nil {
		return r
	}
	return path
}

// compact rewrites the database into a new file holding only live
// records and puts it in place of the old one. Deleting in bbolt only
// frees pages, and a freed page keeps its old bytes until it is reused, so
// after forgetting a person their address would still be in the file.
// The copy is made key by key, which leaves every free page behind, and
// leaves out the markers of a pending erasure (see erase.go): putting the
// new file in place is what finishes the erasure.
//
// The new file is opened (and so locked) before it is renamed over the old
// one, and the old one is closed only after that, so at no moment is the
// path free for another leads process to open. It takes the old file's
// permissions, replaces the file a symbolic link points to rather than the
// link, and the rename is made durable before the erasure counts as done.
func (s *Store) compact() error {
	real := realPath(s.path)
	mode := fs.FileMode(0o600)
	if fi, err := os.Stat(real); err == nil {
		mode = fi.Mode().Perm()
	}
	tmp := real + compactSuffix
	// A compaction killed part way leaves this file; with the lock held it
	// is ours to replace.
	if err := os.Remove(tmp); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return compactErr(fmt.Errorf("cannot remove the unfinished copy %s: %w", filepath.Base(tmp), unwrapPathErr(err)))
	}
	info := s.db.Info()
	dopt := &bolt.Options{PageSize: info.PageSize, NoSync: true, NoFreelistSync: true, FreelistType: bolt.FreelistMapType}
	if s.bopt.MaxSize > 0 {
		// A capped file stands for a disk of that size (see Options): the
		// copy gets the room the database leaves.
		used := int64(s.bopt.MaxSize)
		if fi, err := os.Stat(real); err == nil {
			used = fi.Size()
		}
		if dopt.MaxSize = s.bopt.MaxSize - int(used); dopt.MaxSize <= 0 {
			return compactErr(bolterrors.ErrMaxSizeReached)
		}
	}
	dst, err := bolt.Open(tmp, mode, dopt)
	if err != nil {
		return compactErr(fmt.Errorf("cannot write %s: %w", filepath.Base(tmp), unwrapPathErr(err)))
	}
	dst.AllocSize = allocSize
	fail := func(err error) error {
		dst.Close()
		os.Remove(tmp)
		return compactErr(err)
	}
	// The umask may have narrowed the mode bbolt created the file with.
	if err := os.Chmod(tmp, mode); err != nil {
		return fail(err)
	}
	// Commit every 64 MiB so memory stays bounded on large files.
	src, err := s.db.enter()
	if err != nil {
		return fail(err)
	}
	defer s.db.leave()
	if err := copyLive(dst, src, 64<<20); err != nil {
		return fail(err)
	}
	if err := dst.Sync(); err != nil {
		return fail(err)
	}
	if err := dst.Close(); err != nil {
		return fail(err)
	}
	next, err := bolt.Open(tmp, mode, s.bopt)
	if err != nil {
		os.Remove(tmp)
		return compactErr(err)
	}
	next.AllocSize = allocSize
	if err := os.Rename(tmp, real); err != nil {
		next.Close()
		os.Remove(tmp)
		return compactErr(unwrapPathErr(err))
	}
	// Should a power cut undo the rename, the old file comes back with
	// its erasure still marked, and the next open finishes it again.
	syncDir(filepath.Dir(real))
	held, _ := os.Stat(real) // nil: a fold reads through bbolt
	s.setHeld(held)
	old := s.db.swap(next)
	return errors.Join(old.Close())
}

// compactErr says, in one line, that a compaction failed and what that
// means for the records it was to erase.
func compactErr(err error) error {
	const after = "the records are deleted, but their bytes remain in the database file until 'leads forget --finish' (or the next command that writes) runs"
	switch {
	case isNoSpace(err):
		return fmt.Errorf("not enough disk space to compact the database (it needs about its own size again); %s: free some space first", after)
	case errors.Is(err, fs.ErrPermission):
		return fmt.Errorf("cannot compact the database, its folder is not writable (%v); %s: make the folder writable first", unwrapPathErr(err), after)
	}
	return fmt.Errorf("compacting the database failed (%v); %s", err, after)
}

// copyLive copies every bucket and key of src into the empty database
// dst, committing about every txMaxSize bytes, and leaves out the markers
// of a pending erasure.
func copyLive(dst, src *bolt.DB, txMaxSize int) error {
	tx, err := dst.Begin(true)
	if err != nil {
		return err
	}
	// tx changes as batches commit; whichever is open at the end is
	// rolled back if it was not committed.
	defer func() { _ = tx.Rollback() }()
	size, gen := 0, 0 // gen counts commits: a bucket handle is good for one
	var copyBucket func(from, to *bolt.Bucket, path [][]byte) error
	copyBucket = func(from, to *bolt.Bucket, path [][]byte) error {
		to.FillPercent = 1.0
		mine := gen
		top := len(path) == 1 && string(path[0]) == string(bMeta)
		return from.ForEach(func(k, v []byte) error {
			if top && isEraseMarker(k) {
				return nil
			}
			if size += len(k) + len(v); size > txMaxSize {
				if err := tx.Commit(); err != nil {
					return err
				}
				if tx, err = dst.Begin(true); err != nil {
					return err
				}
				size, gen = 0, gen+1
			}
			if mine != gen {
				// A commit here or in a nested bucket: find this bucket
				// again in the new transaction.
				to = tx.Bucket(path[0])
				for _, p := range path[1:] {
					to = to.Bucket(p)
				}
				to.FillPercent = 1.0
				mine = gen
			}
			if v != nil {
				return to.Put(k, v)
			}
			sub := from.Bucket(k)
			nb, err := to.CreateBucket(k)
			if err != nil {
				return err
			}
			if err := nb.SetSequence(sub.Sequence()); err != nil {
				return err
			}
			return copyBucket(sub, nb, append(path[:len(path):len(path)], k))
		})
	}
	err = src.View(func(stx *bolt.Tx) error {
		return stx.ForEach(func(name []byte, b *bolt.Bucket) error {
			nb, err := tx.CreateBucket(name)
			if err != nil {
				return err
			}
			if err := nb.SetSequence(b.Sequence()); err != nil {
				return err
			}
			return copyBucket(b, nb, [][]byte{name})
		})
	})
	if err != nil {
		return err
	}
	return tx.Commit()
}
