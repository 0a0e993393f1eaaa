// Package mailbox reads the rep's own mailbox, read-only, for replies from
// contacts and for delivery failures of the messages leads sent: a
// Maildir (what mbsync and offlineimap keep) or an IMAP folder. Every
// message is a stranger's text: it is parsed with bounds, and only a
// cleaned subject and first lines reach the store.
package mailbox

import (
	"context"
	"io"
)

// Source is one mailbox folder a scan reads. Scans are incremental: the
// source saves where it got to in its cursor, and a scan of an unchanged
// folder reads no message.
type Source interface {
	// ID names the folder for its saved cursor: stable across runs, and
	// with no secret in it (no password, no query string).
	ID() string
	// Scan calls fn for each message that arrived since cursor (nil: the
	// first scan reads all), in the folder's order, and returns the
	// cursor to save once every fn returned nil. key names the message
	// within the folder (a Maildir unique name, an IMAP UID); r is its
	// raw RFC 5322 bytes, valid only during the call. An error from fn
	// stops the scan; the cursor it returns then covers only the
	// messages before the failed one, so nothing is skipped next time.
	Scan(ctx context.Context, cursor []byte, fn func(key string, r io.Reader) error) ([]byte, error)
	// Close releases the folder (the IMAP connection).
	Close() error
}
