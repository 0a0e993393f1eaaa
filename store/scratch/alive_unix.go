//go:build unix

package scratch

import (
	"errors"
	"io/fs"
	"syscall"
)

// Alive reports whether a process with this ID is running. Signal 0
// checks without sending anything; EPERM means it runs as someone else.
// A recycled ID only keeps a leftover a little longer, never removes a
// live one's file.
func Alive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

func ownedByMe(fi fs.FileInfo) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && int(st.Uid) == syscall.Getuid()
}
