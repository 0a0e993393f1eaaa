package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	bolt "go.etcd.io/bbolt"
)

// compactSuffix names the file a compaction writes before renaming it.
const compactSuffix = ".compact"

// compact rewrites the database into a new file holding only live
// records and puts it in place of the old one. Deleting in bbolt only
// frees pages, and a freed page keeps its old bytes until it is reused, so
// after forgetting a person their address would still be in the file.
// bbolt's Compact copies key by key, which leaves every free page behind.
//
// The new file is opened (and so locked) before it is renamed over the old
// one, and the old one is closed only after that, so at no moment is the
// path free for another leads process to open.
func (s *Store) compact() error {
	tmp := s.path + compactSuffix
	_ = os.Remove(tmp)
	info := s.db.Info()
	dst, err := bolt.Open(tmp, 0o600, &bolt.Options{
		PageSize: info.PageSize, NoSync: true, NoFreelistSync: true, FreelistType: bolt.FreelistMapType,
	})
	if err != nil {
		return fmt.Errorf("cannot write %s to compact the database: %v", tmp, unwrapPathErr(err))
	}
	fail := func(err error) error {
		dst.Close()
		os.Remove(tmp)
		if isNoSpace(err) {
			return fmt.Errorf("not enough disk space to compact the database (it needs about its own size again): the records are deleted, but their bytes stay in the file until you free space and run the command again")
		}
		return fmt.Errorf("compacting the database: %v", err)
	}
	// Commit every 64 MiB so memory stays bounded on large files.
	if err := bolt.Compact(dst, s.db, 64<<20); err != nil {
		return fail(err)
	}
	if err := dst.Sync(); err != nil {
		return fail(err)
	}
	if err := dst.Close(); err != nil {
		return fail(err)
	}
	next, err := bolt.Open(tmp, 0o600, s.bopt)
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("compacting the database: %v", err)
	}
	if err := os.Rename(tmp, s.path); err != nil {
		next.Close()
		os.Remove(tmp)
		return fmt.Errorf("compacting the database: %v", unwrapPathErr(err))
	}
	syncDir(filepath.Dir(s.path))
	old := s.db
	s.db = next
	return errors.Join(old.Close())
}
