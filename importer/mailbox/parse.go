package mailbox

import (
	"bufio"
	"errors"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/emersion/go-message"
	_ "github.com/emersion/go-message/charset" // decodes the charsets mail is written in, beyond UTF-8 and Latin-1
	"github.com/emersion/go-message/mail"
	"github.com/emersion/go-message/textproto"
)

// Bounds on what is read of one message. A stranger decides a message's
// size and shape; these keep a scan's time and memory per message fixed.
const (
	// MaxMessageBytes is how much of a message (headers and body) is
	// considered; the rest is never read. A reply's first lines and a
	// bounce's report sit well inside it.
	MaxMessageBytes = 1 << 20
	// maxHeaderBytes caps one header block (the message's or a part's).
	maxHeaderBytes = 256 << 10
	// maxDepth is how deep multiparts nest before the rest is left out.
	maxDepth = 8
	// maxParts is how many MIME parts of one message are looked at.
	maxParts = 64
	// maxTextBytes is how much decoded text of a part is kept to find
	// the first lines in.
	maxTextBytes = 64 << 10
	// maxIDs caps the Message-IDs taken from In-Reply-To and References.
	maxIDs = 64
	// maxField caps any header value kept (a 40 KB subject is cut here,
	// and again by the store).
	maxField = 4 << 10
)

// Message is what a scan takes from one message: the headers that match
// it to a contact, and its first lines. Every string is a stranger's and
// not yet cleaned for a terminal: the store cleans what it keeps.
type Message struct {
	// MessageID is the message's own Message-ID, without brackets; empty
	// when it has none (or one that cannot be a Message-ID).
	MessageID string
	// InReplyTo and References are the Message-IDs the message answers,
	// without brackets. Lookup order is InReplyTo, then References
	// newest (last) first.
	InReplyTo, References []string
	// From is the sender's address ("" if none could be read).
	From    string
	Subject string
	// Date is the message's Date (zero if missing or unreadable).
	Date time.Time
	// Auto says the message was sent by a program on the person's
	// behalf (an out-of-office notice): not an answer from them.
	Auto bool
	// Text is the first lines of the body, quoted text left out; an
	// HTML-only message is turned into plain text first.
	Text string
	// Bounce is set when the message reports a failed delivery.
	Bounce *Bounce
}

// Bounce is a delivery failure a message reports.
type Bounce struct {
	// Recipients are the addresses that failed (Original-Recipient,
	// Final-Recipient, X-Failed-Recipients).
	Recipients []string
	// MessageIDs name the message that failed, from the returned headers.
	MessageIDs []string
	// Reason is the status and diagnostic, for the timeline.
	Reason string
}

// LookupIDs returns the Message-IDs a reply may name, in the order they
// are tried: In-Reply-To, then References from the newest.
func (m *Message) LookupIDs() []string {
	out := make([]string, 0, len(m.InReplyTo)+len(m.References))
	out = append(out, m.InReplyTo...)
	for i := len(m.References) - 1; i >= 0; i-- {
		out = append(out, m.References[i])
	}
	return out
}

// Parse reads one message, headers and body, within the bounds above.
// It fails only when not even the header can be read.
func Parse(r io.Reader) (Message, error) {
	p, err := parseHeader(r)
	if err != nil {
		return Message{}, err
	}
	p.body()
	return p.m, nil
}

// parser is one message being read: the header first (enough to skip a
// message already on record), the body on demand.
type parser struct {
	e     *message.Entity
	m     Message
	parts int
	// What the body walk found.
	plain, html string
	dsn         bool // a delivery-status report
	status      []dsnRecipient
	returned    []string // Message-IDs of the returned message
}

// errNoHeader is a message whose header cannot be read at all.
var errNoHeader = errors.New("not a mail message: no header could be read")

// parseHeader reads the message's header and keeps the body unread.
func parseHeader(r io.Reader) (*parser, error) {
	lr := io.LimitReader(r, MaxMessageBytes)
	e, err := message.ReadWithOptions(lr, &message.ReadOptions{MaxHeaderBytes: maxHeaderBytes})
	if e == nil {
		if err == nil {
			err = errNoHeader
		}
		return nil, err
	}
	// An unknown transfer encoding or charset still gives an entity whose
	// bytes can be read as they are.
	p := &parser{e: e}
	h := mail.Header{Header: e.Header}
	p.m.MessageID = firstID(h.Get("Message-Id"))
	p.m.InReplyTo = msgIDs(h.Get("In-Reply-To"), maxIDs)
	p.m.References = msgIDs(h.Get("References"), maxIDs)
	p.m.From = fromAddress(h)
	if s, err := h.Subject(); err == nil {
		p.m.Subject = capField(s)
	} else {
		p.m.Subject = capField(h.Get("Subject"))
	}
	if d, err := h.Date(); err == nil {
		p.m.Date = d
	}
	auto := strings.ToLower(strings.TrimSpace(h.Get("Auto-Submitted")))
	p.m.Auto = auto != "" && auto != "no" || h.Has("X-Autoreply") || h.Has("X-Autorespond")
	return p, nil
}

// body walks the MIME tree for the first lines and for a delivery report.
func (p *parser) body() {
	p.walk(p.e, 0)
	text := p.plain
	if strings.TrimSpace(text) == "" && p.html != "" {
		text = htmlText(p.html)
	}
	p.m.Text = excerpt(text)
	p.m.Bounce = p.bounce()
}

func (p *parser) walk(e *message.Entity, depth int) {
	mt, params, _ := e.Header.ContentType()
	if mt == "" {
		mt = "text/plain"
	}
	if depth == 0 && mt == "multipart/report" && strings.EqualFold(params["report-type"], "delivery-status") {
		p.dsn = true
	}
	disp, _, _ := e.Header.ContentDisposition()
	attached := strings.EqualFold(disp, "attachment")
	switch {
	case strings.HasPrefix(mt, "multipart/"):
		mr := e.MultipartReader()
		if mr == nil || depth >= maxDepth {
			return
		}
		for p.parts < maxParts {
			part, err := mr.NextPart()
			if part == nil || err != nil && !message.IsUnknownCharset(err) && !message.IsUnknownEncoding(err) {
				return
			}
			p.parts++
			p.walk(part, depth+1)
		}
	case mt == "text/plain" && !attached:
		if p.plain == "" {
			p.plain = readText(e.Body)
		}
	case mt == "text/html" && !attached:
		if p.html == "" {
			p.html = readText(e.Body)
		}
	case mt == "message/delivery-status" || mt == "message/global-delivery-status":
		p.status = append(p.status, readDeliveryStatus(e.Body)...)
	case mt == "message/rfc822" || mt == "message/global" || mt == "text/rfc822-headers" || mt == "message/global-headers":
		if len(p.returned) == 0 {
			p.returned = returnedIDs(e.Body)
		}
	}
}

// readText reads up to maxTextBytes of a part's decoded text as valid
// UTF-8 (a wrong charset gives replacement characters, never raw bytes).
func readText(r io.Reader) string {
	b, _ := io.ReadAll(io.LimitReader(r, maxTextBytes))
	return strings.ToValidUTF8(string(b), "\uFFFD")
}

// returnedIDs reads the Message-ID of a message returned inside a bounce.
func returnedIDs(r io.Reader) []string {
	br := bufio.NewReader(io.LimitReader(r, maxHeaderBytes))
	h, err := textproto.ReadHeader(br)
	if err != nil && h.Len() == 0 {
		return nil
	}
	if id := firstID(h.Get("Message-Id")); id != "" {
		return []string{id}
	}
	return nil
}

// fromAddress returns the sender's address: the first of From, read
// leniently when the list does not parse.
func fromAddress(h mail.Header) string {
	if list, err := h.AddressList("From"); err == nil && len(list) > 0 {
		return capField(list[0].Address)
	}
	raw := h.Get("From")
	if i := strings.LastIndexByte(raw, '<'); i >= 0 {
		if j := strings.IndexByte(raw[i:], '>'); j > 0 {
			return capField(strings.TrimSpace(raw[i+1 : i+j]))
		}
	}
	raw = strings.TrimSpace(raw)
	if strings.Count(raw, "@") == 1 && !strings.ContainsAny(raw, " \t,;") {
		return capField(raw)
	}
	return ""
}

// msgIDs returns the bracketed Message-IDs in a header value, at most n
// (the last n: References lists the newest last).
func msgIDs(v string, n int) []string {
	var out []string
	for {
		i := strings.IndexByte(v, '<')
		if i < 0 {
			break
		}
		j := strings.IndexByte(v[i:], '>')
		if j < 0 {
			break
		}
		if id := v[i+1 : i+j]; validID(id) {
			out = append(out, id)
		}
		v = v[i+j+1:]
	}
	if len(out) > n {
		out = out[len(out)-n:]
	}
	return out
}

// firstID returns the Message-ID in a Message-ID header: bracketed, or a
// bare one some programs write.
func firstID(v string) string {
	if ids := msgIDs(v, maxIDs); len(ids) > 0 {
		return ids[0]
	}
	v = strings.TrimSpace(v)
	if validID(v) {
		return v
	}
	return ""
}

// validID accepts what can be a Message-ID: printable, no space, not
// empty, not longer than a header line. Anything else is treated as no
// Message-ID, so no control byte becomes a key or a timeline field.
func validID(id string) bool {
	if id == "" || len(id) > 998 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; c <= ' ' || c == 0x7f || c == '<' || c == '>' {
			return false
		}
	}
	return utf8.ValidString(id)
}

// capField cuts a header value to maxField bytes on a character boundary.
func capField(s string) string { return cut(s, maxField) }

// cut cuts s to at most n bytes on a character boundary, as valid UTF-8.
func cut(s string, n int) string {
	if len(s) > n {
		i := n
		for i > 0 && !utf8.RuneStart(s[i]) {
			i--
		}
		s = s[:i]
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}
