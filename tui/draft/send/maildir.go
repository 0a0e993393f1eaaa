package send

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Copying is a transport that keeps a copy of each message its transport
// accepted in a Maildir folder of the rep's choosing ([mail]
// sent_maildir), as a mail program keeps its "Sent" folder. The copy is
// made only after the transport accepted the message; a copy that fails
// does not unsend it, so Send then returns a *CopyError.
type Copying struct {
	Transport
	Dir string
}

// CopyError says the message was sent but its copy could not be kept.
// Callers log the send as for a nil error, and tell the rep about the copy.
type CopyError struct{ Err error }

func (e *CopyError) Error() string {
	return "sent, but no copy was kept in sent_maildir: " + e.Err.Error()
}

func (e *CopyError) Unwrap() error { return e.Err }

// Sent reports whether err still means the message went out: nil, or a
// *CopyError.
func Sent(err error) bool {
	var ce *CopyError
	return err == nil || errors.As(err, &ce)
}

// Send sends through the transport, then keeps the copy.
func (c *Copying) Send(ctx context.Context, env Envelope, msg []byte) error {
	if err := c.Transport.Send(ctx, env, msg); err != nil {
		return err
	}
	if _, err := SaveToMaildir(c.Dir, msg, time.Now()); err != nil {
		return &CopyError{Err: err}
	}
	return nil
}

// SaveToMaildir stores msg in the Maildir dir as a message already seen
// (flag S in cur/), creating the folder (tmp, new, cur; mode 700) when it
// is missing. The file is written and synced in tmp/ and then renamed into
// cur/, so a mail program never sees half a message. It returns the path.
func SaveToMaildir(dir string, msg []byte, now time.Time) (string, error) {
	if dir == "" {
		return "", errors.New("no Maildir folder given")
	}
	for _, sub := range []string{"tmp", "new", "cur"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o700); err != nil {
			return "", fmt.Errorf("cannot make the Maildir folder: %w", err)
		}
	}
	var r [8]byte
	if _, err := rand.Read(r[:]); err != nil {
		return "", err
	}
	host, _ := os.Hostname()
	// Maildir names may not hold "/" or ":"; the host part only keeps
	// names unique across machines sharing the folder.
	host = strings.NewReplacer("/", "\\057", ":", "\\072").Replace(host)
	if host == "" {
		host = "localhost"
	}
	name := fmt.Sprintf("%d.M%dP%dR%s.%s", now.Unix(), now.Nanosecond()/1000, os.Getpid(), hex.EncodeToString(r[:]), host)
	tmp := filepath.Join(dir, "tmp", name)
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", err
	}
	_, werr := f.Write(msg)
	serr := f.Sync()
	if err := errors.Join(werr, serr, f.Close()); err != nil {
		os.Remove(tmp)
		return "", err
	}
	dst := filepath.Join(dir, "cur", name+":2,S")
	if err := os.Rename(tmp, dst); err != nil {
		os.Remove(tmp)
		return "", err
	}
	// The rename is durable once the directory is synced too.
	if d, err := os.Open(filepath.Join(dir, "cur")); err == nil {
		d.Sync()
		d.Close()
	}
	return dst, nil
}
