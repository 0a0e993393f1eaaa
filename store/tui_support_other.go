//go:build !linux

package store

// releaseMapped is a no-op off Linux: the file pages stay resident until
// the kernel needs them, which costs memory figures, not correctness.
func releaseMapped(uintptr, int64) {}

func populateMapped(uintptr, int64) {}
