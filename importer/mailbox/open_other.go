//go:build !unix

package mailbox

import (
	"io"
	"os"
)

// openMessage opens a message file for reading, and only a regular file
// (see the Unix version for why).
func openMessage(p string) (io.ReadCloser, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err == nil && !fi.Mode().IsRegular() {
		err = errNotAFile
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}
