package store

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"syscall"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

var kForgetKey = []byte("forget_key")

// forgetKey returns the database's secret key for hashing forgotten
// addresses, creating it in a write transaction when missing. A keyed hash
// means the file never holds a forgotten address, even hashed guessably.
// A read transaction on a file without a key gets nil: nothing was
// forgotten there.
func (s *Store) forgetKey(tx *bolt.Tx) ([]byte, error) {
	m := tx.Bucket(bMeta)
	if v := m.Get(kForgetKey); len(v) == 32 {
		return append([]byte(nil), v...), nil
	}
	if !tx.Writable() {
		return nil, nil
	}
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		return nil, err
	}
	if err := m.Put(kForgetKey, k); err != nil {
		return nil, err
	}
	return k, nil
}

// forgetHash is the keyed hash of an address's identity, as the forgotten
// bucket records it.
func forgetHash(key []byte, email string) []byte { return forgetHashOf(key, NormalizeEmail(email)) }

func forgetHashOf(key []byte, identity string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(identity))
	return h.Sum(nil)
}

// isForgotten reports whether the forgotten bucket b holds email, in its
// identity or, for an address recorded before schema 4, in the older
// lower-cased form.
func isForgotten(b *bolt.Bucket, key []byte, email string) bool {
	if key == nil || b == nil {
		return false
	}
	id := NormalizeEmail(email)
	if id == "" {
		return false
	}
	if b.Get(forgetHashOf(key, id)) != nil {
		return true
	}
	if old := legacyNormalizeEmail(email); old != id && old != "" {
		return b.Get(forgetHashOf(key, old)) != nil
	}
	return false
}

func isNoSpace(err error) bool {
	return errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EFBIG) || errors.Is(err, bolterrors.ErrMaxSizeReached)
}
