package send

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"os"
	"path/filepath"
	"syscall"
)

// maxHeaderBytes bounds how much of a kept message is read to find its
// recipients: leads writes the header first, and it is short.
const maxHeaderBytes = 256 << 10

// RemoveCopiesTo deletes from the Maildir dir (tmp, new and cur) every
// message leads kept there that was addressed (To, Cc or Bcc) to someone
// same reports true for, as forgetting a person must: the sent folder
// holds their address and what was written to them. Only regular files
// are read, never through a link. It returns how many it removed; a file
// it could not read or remove is an error naming how many remain.
func RemoveCopiesTo(dir string, same func(addr string) bool) (int, error) {
	if dir == "" {
		return 0, nil
	}
	removed, failed := 0, 0
	for _, sub := range []string{"tmp", "new", "cur"} {
		ents, err := os.ReadDir(filepath.Join(dir, sub))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return removed, fmt.Errorf("cannot read the sent Maildir folder: %w", err)
		}
		for _, de := range ents {
			if !de.Type().IsRegular() {
				continue
			}
			p := filepath.Join(dir, sub, de.Name())
			match, err := addressedTo(p, same)
			if err != nil {
				failed++
				continue
			}
			if !match {
				continue
			}
			if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
				failed++
				continue
			}
			removed++
		}
	}
	if failed > 0 {
		return removed, fmt.Errorf("%d messages in the sent Maildir folder could not be read or removed: check its permissions and run 'leads forget --finish'", failed)
	}
	return removed, nil
}

// addressedTo reports whether the message at p names a recipient same
// accepts.
func addressedTo(p string, same func(string) bool) (bool, error) {
	f, err := os.OpenFile(p, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
	if err != nil {
		return false, err
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return false, err
	}
	msg, err := mail.ReadMessage(bufio.NewReader(io.LimitReader(f, maxHeaderBytes)))
	if err != nil {
		// Not a message leads wrote (or cut short): leave it alone.
		return false, nil
	}
	for _, h := range []string{"To", "Cc", "Bcc"} {
		list, err := msg.Header.AddressList(h)
		if err != nil {
			continue
		}
		for _, a := range list {
			if same(a.Address) {
				return true, nil
			}
		}
	}
	return false, nil
}
