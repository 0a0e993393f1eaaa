//go:build unix

package store

import (
	"os"
	"syscall"
)

// noFollow makes opening the list fail on a symbolic link.
const noFollow = syscall.O_NOFOLLOW

// noBlock keeps a FIFO put in the list's place from stopping the open
// (it is then refused as not a file).
const noBlock = syscall.O_NONBLOCK

// lockFile takes an exclusive flock, released when f is closed.
func lockFile(f *os.File) error { return syscall.Flock(int(f.Fd()), syscall.LOCK_EX) }
