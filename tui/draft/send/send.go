// Package send hands a composed message to the rep's own mail transport:
// a sendmail-compatible command (msmtp, sendmail, the mail program's own)
// or SMTP submission. leads never keeps a password: SMTP asks the rep's
// password command each time.
package send

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/leads-inbox/leads/tui/draft"
)

// Envelope is who the transport delivers from and to: the sender's
// address and the draft's one recipient. It is built from checked
// addresses, never from text of a lead.
type Envelope struct {
	From string
	To   []string
}

// Transport delivers one message. Send returns once the transport has
// accepted the message (the command exited 0, the SMTP server answered
// 250 to the data), or an error that says why not in one line.
type Transport interface {
	Send(ctx context.Context, env Envelope, msg []byte) error
	// String names the transport for the confirmation and the log: the
	// command or the host and port, never a secret.
	String() string
}

// Composed is a draft made ready to send: the exact bytes, the
// Message-ID they carry and the envelope.
type Composed struct {
	Bytes     []byte
	MessageID string
	Env       Envelope
	Subject   string
}

// Compose makes d, from the sender, into the message to send at date,
// with a new Message-ID in the sender's domain.
func Compose(d draft.Draft, from draft.Sender, date time.Time) (Composed, error) {
	if from.Email == "" {
		return Composed{}, fmt.Errorf("no sender address: set email in the [sender] section of the config (leads config)")
	}
	id, err := NewMessageID(from.Email, date)
	if err != nil {
		return Composed{}, err
	}
	b, err := draft.Message(d, from, date, id)
	if err != nil {
		return Composed{}, err
	}
	return Composed{Bytes: b, MessageID: id, Env: Envelope{From: from.Email, To: []string{d.To}}, Subject: d.Subject}, nil
}

// NewMessageID returns a unique Message-ID (without brackets) in the
// domain of the sender's address: random, so it tells nothing about the
// contact, and unique across processes and machines.
func NewMessageID(sender string, date time.Time) (string, error) {
	domain := "leads.invalid"
	if i := strings.LastIndexByte(sender, '@'); i >= 0 && i+1 < len(sender) {
		domain = sender[i+1:]
	}
	var r [12]byte
	if _, err := rand.Read(r[:]); err != nil {
		return "", err
	}
	return fmt.Sprintf("%s.%s@%s", date.UTC().Format("20060102150405"), hex.EncodeToString(r[:]), domain), nil
}
