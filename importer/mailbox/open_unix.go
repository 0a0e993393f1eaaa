//go:build unix

package mailbox

import (
	"errors"
	"io"
	"os"
	"syscall"
)

// openMessage opens a message file for reading, and only a regular file:
// the directory listing said so, but the name may have been replaced since
// by a link to a FIFO (whose open would wait forever for a writer and
// hang every later scan) or to a device. O_NOFOLLOW refuses a link,
// O_NONBLOCK keeps a FIFO's open from waiting, and the check after the
// open refuses whatever is not a regular file.
func openMessage(p string) (io.ReadCloser, error) {
	f, err := os.OpenFile(p, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
	if err != nil {
		if errors.Is(err, syscall.ELOOP) {
			return nil, errNotAFile
		}
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
