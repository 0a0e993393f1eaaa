//go:build !unix

package store

import "os"

const noFollow = 0

const noBlock = 0

// lockFile does nothing where flock is missing: appends and forget's
// rewrite may then interleave, which can drop a line of the list.
func lockFile(*os.File) error { return nil }
