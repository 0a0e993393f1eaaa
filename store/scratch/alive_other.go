//go:build !unix

package scratch

import "io/fs"

// Alive reports whether a process with this ID is running. Without a
// cheap check it says yes, so that no file in use is ever removed.
func Alive(pid int) bool { return true }

func ownedByMe(fs.FileInfo) bool { return true }

func zombie(int) bool { return false }
