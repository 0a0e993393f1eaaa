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
func (s *Store) forgetKey(tx *bolt.Tx) []byte {
	m := tx.Bucket(bMeta)
	if v := m.Get(kForgetKey); len(v) == 32 {
		return append([]byte(nil), v...)
	}
	if !tx.Writable() {
		return nil
	}
	k := make([]byte, 32)
	_, _ = rand.Read(k)
	_ = m.Put(kForgetKey, k)
	return k
}

func forgetHash(key []byte, email string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(NormalizeEmail(email)))
	return h.Sum(nil)
}

func isNoSpace(err error) bool {
	return errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EFBIG) || errors.Is(err, bolterrors.ErrMaxSizeReached)
}
