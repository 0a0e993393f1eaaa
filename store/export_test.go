package store

import bolt "go.etcd.io/bbolt"

type boltTx = bolt.Tx

// SetFoldPart sets how many leads one fold transaction files, for a test
// that wants several parts from a small file; the returned func restores it.
func SetFoldPart(n int) func() {
	old := foldPart
	foldPart = n
	return func() { foldPart = old }
}
