package mailbox

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/emersion/go-message"

	"github.com/leads-inbox/leads/store"
	"github.com/leads-inbox/leads/store/safetext"
)

// Options configure a scan.
type Options struct {
	// Own are the rep's own addresses ([sender] email): messages from
	// them (copies of what the rep sent, notes to self) are not replies.
	Own []string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Progress is called after each message with the number read so far
	// in this scan, over every folder; the caller throttles its display.
	Progress func(read int)
	// Warn receives one cleaned line per message that could not be read.
	Warn func(string)
}

// Result counts what a scan did.
type Result struct {
	// Read is the messages opened.
	Read int
	// Replies is the replies recorded, Contacts the contacts they marked.
	Replies, Contacts int
	// Bounces is the delivery failures recorded.
	Bounces int
	// Skipped is the messages read that recorded nothing: already on
	// record, the rep's own, automatic answers, strangers, unreadable.
	Skipped int
}

// Scanner records the replies and bounces in mailbox folders into the
// store. Matching a message to a contact: first the Message-IDs it
// answers (In-Reply-To, then References) against the messages leads
// sent, else its From address, when a contact has that address. A
// forged From can therefore mark a reply, and only that: RecordReply
// changes nothing else of the contact.
type Scanner struct {
	st       *store.Store
	opt      Options
	own      map[string]bool
	res      Result
	contacts map[string]bool
}

// NewScanner returns a scanner writing into st; one scanner may scan
// several folders, and its Result adds them up.
func NewScanner(st *store.Store, opt Options) *Scanner {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Progress == nil {
		opt.Progress = func(int) {}
	}
	if opt.Warn == nil {
		opt.Warn = func(string) {}
	}
	own := map[string]bool{}
	for _, a := range opt.Own {
		if a = store.NormalizeEmail(a); a != "" {
			own[a] = true
		}
	}
	return &Scanner{st: st, opt: opt, own: own, contacts: map[string]bool{}}
}

// Result returns the counts so far.
func (s *Scanner) Result() Result {
	r := s.res
	r.Contacts = len(s.contacts)
	return r
}

// Scan reads what arrived in src since its saved cursor and records it.
// The cursor is saved only after the records are written: a crash in
// between reads the same messages again, and their Message-IDs, already
// on record, make that a no-op.
func (s *Scanner) Scan(ctx context.Context, src Source) error {
	box := src.ID()
	cursor, err := s.st.MailCursor(box)
	if err != nil {
		return err
	}
	next, err := src.Scan(ctx, cursor, func(key string, r io.Reader) error {
		return s.message(box, key, r)
	})
	if next != nil {
		if serr := s.st.SetMailCursor(box, next); err == nil {
			err = serr
		}
	}
	return err
}

// message handles one message; only a store error stops the scan.
func (s *Scanner) message(box, key string, r io.Reader) error {
	s.res.Read++
	defer func() { s.opt.Progress(s.res.Read) }()
	p, err := parseHeader(r)
	if err != nil {
		s.res.Skipped++
		s.opt.Warn(fmt.Sprintf("%s: message %s is not readable mail (%s); skipped", safetext.Clean(box), safetext.Clean(key), safetext.Clean(err.Error())))
		return nil
	}
	m := &p.m
	if m.MessageID == "" {
		m.MessageID = headerID(p.e.Header)
	}
	if m.MessageID != "" {
		seen, err := s.st.SeenMessageID(m.MessageID)
		if err != nil {
			return err
		}
		if seen {
			s.res.Skipped++
			return nil
		}
	}
	if s.own[store.NormalizeEmail(m.From)] {
		s.res.Skipped++
		return nil
	}
	if p.mayBounce() {
		// A mail system's message is never a person's reply, whether
		// or not it reports a failure.
		p.body()
		return s.bounce(m)
	}
	if m.Auto {
		s.res.Skipped++
		return nil
	}
	cid, err := s.match(m)
	if err != nil || cid == "" {
		s.res.Skipped++
		return err
	}
	p.body()
	now := s.opt.Now()
	_, recorded, err := s.st.RecordReply(cid, store.Reply{MessageID: m.MessageID, At: m.Date,
		Subject: m.Subject, Excerpt: m.Text}, now)
	if err != nil {
		return err
	}
	if !recorded {
		s.res.Skipped++
		return nil
	}
	s.res.Replies++
	s.contacts[cid] = true
	return nil
}

// headerID stands in for the Message-ID of a message that has none (or
// one that cannot be a key: too long, a space, a control byte): a digest
// of the headers that tell one message from another. The same message
// found again (a copy in a second folder, an IMAP folder read anew after
// its UIDVALIDITY changed) gets the same one, so it is recorded once.
func headerID(h message.Header) string {
	d := sha256.New()
	for _, k := range []string{"From", "To", "Cc", "Date", "Subject", "In-Reply-To", "References", "Message-Id"} {
		_, _ = io.WriteString(d, k+"\x00"+h.Get(k)+"\x00")
	}
	return "nomsgid." + hex.EncodeToString(d.Sum(nil)[:16]) + "@leads.invalid"
}

// match finds the contact a message answers: by the Message-IDs it names,
// else by its sender's address.
func (s *Scanner) match(m *Message) (string, error) {
	if ids := m.LookupIDs(); len(ids) > 0 {
		cid, err := s.st.ContactForMessageIDs(ids)
		if err != nil || cid != "" {
			return cid, err
		}
	}
	return s.contactFor(m.From)
}

// contactFor returns the contact with this address, "" if none has it.
func (s *Scanner) contactFor(addr string) (string, error) {
	if strings.TrimSpace(addr) == "" {
		return "", nil
	}
	cid := store.ContactIDForEmail(addr)
	ok, err := s.st.HasContact(cid)
	if err != nil || !ok {
		return "", err
	}
	return cid, nil
}

// mayBounce reports, from the header alone, a message a mail system
// sent: a report, a failure header, or a daemon's address.
func (p *parser) mayBounce() bool {
	mt, _, _ := p.e.Header.ContentType()
	return mt == "multipart/report" || p.e.Header.Has("X-Failed-Recipients") || fromDaemon(p.m.From)
}

// bounce marks the contacts of a failed delivery: the one the returned
// message was sent to, else those written to whose address failed.
func (s *Scanner) bounce(m *Message) error {
	b := m.Bounce
	if b == nil {
		s.res.Skipped++
		return nil
	}
	// The returned message, when it is one leads sent, names the contact
	// the report came for, whatever recipients it lists.
	var cids []string
	if len(b.MessageIDs) > 0 {
		cid, err := s.st.ContactForMessageIDs(b.MessageIDs)
		if err != nil {
			return err
		}
		if cid != "" {
			cids = append(cids, cid)
		}
	}
	// Else the failed recipients; anyone can write a report, so only a
	// contact that was written to (a touch on record) can have bounced.
	byReturned := len(cids) > 0
	for _, a := range b.Recipients {
		if byReturned {
			break
		}
		cid, err := s.contactFor(a)
		if err != nil {
			return err
		}
		if cid == "" || slices.Contains(cids, cid) {
			continue
		}
		t, err := s.st.Triage(cid)
		if err != nil {
			return err
		}
		if t.Touches > 0 || !t.LastSentAt.IsZero() {
			cids = append(cids, cid)
		}
	}
	if len(cids) == 0 {
		s.res.Skipped++
		return nil
	}
	at := store.MailDate(m.Date, s.opt.Now())
	recordedAny := false
	for i, cid := range cids {
		// One report may fail several contacts; each is recorded under
		// its own key, so the first does not hide the others.
		key := m.MessageID
		if i > 0 && key != "" {
			key += "#" + cid
		}
		_, recorded, err := s.st.MarkBouncing(cid, at, key, b.Reason)
		if err != nil {
			return err
		}
		if recorded {
			s.res.Bounces++
			recordedAny = true
		}
	}
	if !recordedAny {
		s.res.Skipped++
	}
	return nil
}
