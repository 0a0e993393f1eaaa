package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	bolt "go.etcd.io/bbolt"
)

// SalvageResult counts what Salvage recovered from a damaged file.
type SalvageResult struct {
	Leads     int // leads read and stored in the new file
	Contacts  int // contacts they make up
	Triage    int // contacts with triage state recovered
	Events    int // history events recovered
	Forgotten int // forgotten-person records carried over
	// Unreadable counts damaged pages or records that were skipped.
	Unreadable int
}

// Salvage copies every readable lead, triage record, history event and
// forgotten-person record from a damaged database into a new one at dst,
// which must not exist yet. The damaged file is only read.
//
// It does not go through bbolt for the damaged file: bbolt trusts its
// pages and crashes the process on bad ones. The page walk of verify.go
// reads the tree with checked reads and, in lenient mode, skips a damaged
// page with everything below it. Leads are then stored through Upsert, so
// contacts and indexes are rebuilt rather than copied, and whatever was
// lost can be brought back by importing the original lead files again.
func Salvage(src, dst string) (res SalvageResult, err error) {
	if _, err := os.Stat(dst); err == nil {
		return res, fmt.Errorf("%s already exists: salvage writes a new file and never overwrites one", filepath.Base(dst))
	} else if !errors.Is(err, fs.ErrNotExist) {
		return res, err
	}
	f, err := os.Open(src)
	if err != nil {
		return res, fmt.Errorf("cannot read %s: %v", src, unwrapPathErr(err))
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return res, err
	}
	m, err := readMeta(f)
	if err != nil {
		return res, fmt.Errorf("%s has no readable bbolt header, so nothing can be salvaged: re-import your lead files into a new database", filepath.Base(src))
	}
	// Pages past the end of a truncated file read as errors and are
	// skipped; clamp the high-water mark so they are not even tried.
	if maxPg := uint64(fi.Size()) / uint64(m.pageSize); m.hwm > maxPg {
		m.hwm = maxPg
	}

	out, err := Open(dst, Options{NoSync: true})
	if err != nil {
		return res, err
	}
	defer func() {
		if cerr := out.Close(); err == nil && cerr != nil {
			err = cerr
		}
		if err != nil {
			os.Remove(dst)
		}
	}()

	var (
		batch    []Lead
		user     = map[string][][2][]byte{} // bucket -> key/values
		forget   []byte
		storeErr error
	)
	flush := func() {
		if len(batch) == 0 || storeErr != nil {
			return
		}
		if _, err := out.Upsert(batch, UpsertOptions{AllowForgotten: true}); err != nil {
			storeErr = err
		}
		res.Leads += len(batch)
		batch = batch[:0]
	}
	w := &walker{r: &pageReader{f: f, meta: m, size: fi.Size(), visited: map[uint64]bool{}}, lenient: true}
	w.fn = func(path [][]byte, k, v []byte) {
		if len(path) != 1 || v == nil {
			return
		}
		switch b := string(path[0]); b {
		case string(bLeads):
			eachLeadSafe(k, v, func(l Lead, ok bool) {
				if !ok {
					res.Unreadable++
					return
				}
				batch = append(batch, l)
				if len(batch) >= 20000 {
					flush()
				}
			})
		case string(bTriage), string(bHistory), string(bForgotten), string(bDrafts), string(bMessageIDs),
			string(bTeamOutbox), string(bTeamKeys), string(bTeamParts), string(bTeamPending), string(bTeamForget):
			user[b] = append(user[b], [2][]byte{bytes.Clone(k), bytes.Clone(v)})
		case string(bMeta):
			if bytes.Equal(k, kForgetKey) && len(v) == 32 {
				forget = bytes.Clone(v)
			}
			// The team's place: its changes not pushed yet and the keys
			// of the events held go with the history,
			// or a pull would add every event a second time.
			for _, mk := range [][]byte{kTeamRep, kTeamClock, kTeamMark} {
				if bytes.Equal(k, mk) {
					user[string(bMeta)] = append(user[string(bMeta)], [2][]byte{bytes.Clone(k), bytes.Clone(v)})
				}
			}
		}
	}
	_ = w.tree(nil, m.root, nil, 0)
	flush()
	res.Unreadable += w.damaged
	if storeErr != nil {
		return res, storeErr
	}

	err = out.db.Update(func(tx *bolt.Tx) error {
		// The forgotten hashes are keyed; without the key they would
		// match nobody and forgotten people could come back.
		if forget != nil {
			if err := tx.Bucket(bMeta).Put(kForgetKey, forget); err != nil {
				return err
			}
			for _, kv := range user[string(bForgotten)] {
				if err := tx.Bucket(bForgotten).Put(kv[0], kv[1]); err != nil {
					return err
				}
				res.Forgotten++
			}
		}
		for _, kv := range user[string(bTriage)] {
			var t Triage
			if json.Unmarshal(kv[1], &t) != nil {
				res.Unreadable++
				continue
			}
			if err := tx.Bucket(bTriage).Put(kv[0], kv[1]); err != nil {
				return err
			}
			res.Triage++
		}
		h := tx.Bucket(bHistory)
		for _, kv := range user[string(bHistory)] {
			var e Event
			if json.Unmarshal(kv[1], &e) != nil {
				res.Unreadable++
				continue
			}
			if err := h.Put(kv[0], kv[1]); err != nil {
				return err
			}
			if e.Seq > h.Sequence() {
				if err := h.SetSequence(e.Seq); err != nil {
					return err
				}
			}
			res.Events++
		}
		for _, kv := range user[string(bMeta)] {
			if err := tx.Bucket(bMeta).Put(kv[0], kv[1]); err != nil {
				return err
			}
		}
		for _, name := range [][]byte{bTeamOutbox, bTeamKeys, bTeamParts, bTeamPending, bTeamForget} {
			d := user[string(name)]
			if len(d) == 0 {
				continue
			}
			b, err := tx.CreateBucketIfNotExists(name)
			if err != nil {
				return err
			}
			for _, kv := range d {
				if err := b.Put(kv[0], kv[1]); err != nil {
					return err
				}
			}
		}
		if d := user[string(bMessageIDs)]; len(d) > 0 {
			b, err := tx.CreateBucketIfNotExists(bMessageIDs)
			if err != nil {
				return err
			}
			for _, kv := range d {
				if err := b.Put(kv[0], kv[1]); err != nil {
					return err
				}
			}
		}
		if d := user[string(bDrafts)]; len(d) > 0 {
			b, err := tx.CreateBucketIfNotExists(bDrafts)
			if err != nil {
				return err
			}
			for _, kv := range d {
				if err := b.Put(kv[0], kv[1]); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return res, writeErr(err)
	}
	c, err := out.Count()
	if err != nil {
		return res, err
	}
	res.Contacts = c.Contacts
	if err := out.db.db.Sync(); err != nil {
		return res, err
	}
	return res, out.Check()
}

// eachLeadSafe calls fn with every lead a leads bucket value holds, single
// or block, and ok false for each one it cannot read. A damaged block
// yields the leads before the damage and one unreadable.
func eachLeadSafe(k, v []byte, fn func(l Lead, ok bool)) {
	if !isLeadBlock(v) {
		fn(decodeLeadSafe(v))
		return
	}
	key, _ := seqKey(k)
	if err := eachInBlock(key, v, func(_ uint64, rec []byte) bool {
		fn(decodeLeadSafe(rec))
		return true
	}); err != nil {
		fn(Lead{}, false)
	}
}

// decodeLeadSafe decodes a lead record that came from a damaged page; a
// record that only looks like one may trip the decoder in ways a sound
// file never does.
func decodeLeadSafe(v []byte) (l Lead, ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	l, err := decodeLead(v)
	return l, err == nil && l.ID != ""
}
