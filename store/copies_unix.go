//go:build unix

package store

import (
	"os"
	"syscall"
)

// noFollow makes opening the list fail on a symbolic link.
const noFollow = syscall.O_NOFOLLOW

// lockFile takes an exclusive flock, released when f is closed.
func lockFile(f *os.File) error { return syscall.Flock(int(f.Fd()), syscall.LOCK_EX) }
