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

// SetFoldScan sets the fewest leads a fold reads with plain reads of the
// file, and how many leads one window of it holds, for a test that wants
// that path (and several windows) from a small file; the returned func
// restores both.
func SetFoldScan(minLeads, window int) func() {
	oldMin, oldWin := foldScanMin, foldWindow
	foldScanMin, foldWindow = minLeads, window
	return func() { foldScanMin, foldWindow = oldMin, oldWin }
}

// SetSearchAhead sets the fewest contacts whose search texts a write
// builds on another goroutine; the returned func restores it.
func SetSearchAhead(n int) func() {
	old := searchAheadMin
	searchAheadMin = n
	return func() { searchAheadMin = old }
}
