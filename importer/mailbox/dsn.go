package mailbox

import (
	"bufio"
	"io"
	"strings"

	"github.com/emersion/go-message/textproto"
)

// maxRecipients caps the per-recipient blocks read from one report.
const maxRecipients = 32

// dsnRecipient is one per-recipient block of a delivery-status report
// (RFC 3464).
type dsnRecipient struct {
	original, final string
	action          string
	status, diag    string
}

// readDeliveryStatus reads a message/delivery-status body: a block of
// per-message fields, then one block per recipient, separated by blank
// lines.
func readDeliveryStatus(r io.Reader) []dsnRecipient {
	br := bufio.NewReader(io.LimitReader(r, maxHeaderBytes))
	var out []dsnRecipient
	for range maxRecipients + 1 {
		h, err := textproto.ReadHeader(br)
		if h.Len() > 0 && (h.Has("Final-Recipient") || h.Has("Original-Recipient")) {
			out = append(out, dsnRecipient{
				original: dsnAddress(h.Get("Original-Recipient")),
				final:    dsnAddress(h.Get("Final-Recipient")),
				action:   strings.ToLower(strings.TrimSpace(h.Get("Action"))),
				status:   capField(strings.TrimSpace(h.Get("Status"))),
				diag:     capField(strings.TrimSpace(h.Get("Diagnostic-Code"))),
			})
		}
		if err != nil {
			break
		}
		// Blank lines between blocks: ReadHeader stops at the first.
		for {
			b, err := br.Peek(1)
			if err != nil || (b[0] != '\r' && b[0] != '\n') {
				break
			}
			_, _ = br.ReadByte()
		}
		if _, err := br.Peek(1); err != nil {
			break
		}
	}
	return out
}

// dsnAddress reads "rfc822; bob@example.com" (the address type, then the
// address); other address types are not mail addresses.
func dsnAddress(v string) string {
	typ, addr, ok := strings.Cut(v, ";")
	if !ok {
		return ""
	}
	typ = strings.ToLower(strings.TrimSpace(typ))
	if typ != "rfc822" && typ != "utf-8" {
		return ""
	}
	addr = strings.Trim(strings.TrimSpace(addr), "<>")
	if strings.Count(addr, "@") != 1 || strings.ContainsAny(addr, " \t") {
		return ""
	}
	return capField(addr)
}

// bounce returns the delivery failure the message reports, if any: a
// standard report with a failed recipient, or one of the common
// non-standard forms (Exim's X-Failed-Recipients; a mailer daemon's
// "failure notice" that returns the original message).
func (p *parser) bounce() *Bounce {
	b := &Bounce{MessageIDs: p.returned}
	if p.dsn {
		for _, r := range p.status {
			if r.action != "failed" {
				continue
			}
			for _, a := range []string{r.original, r.final} {
				if a != "" {
					b.Recipients = append(b.Recipients, a)
				}
			}
			if b.Reason == "" {
				b.Reason = strings.TrimSpace(r.status + " " + r.diag)
			}
		}
		if len(b.Recipients) == 0 {
			return nil // delayed, delivered, relayed: not a failure
		}
		return b
	}
	h := p.e.Header
	failed := h.Get("X-Failed-Recipients")
	daemon := fromDaemon(p.m.From)
	if failed == "" && !(daemon && failureSubject(p.m.Subject)) {
		return nil
	}
	for _, a := range strings.Split(failed, ",") {
		if a = strings.Trim(strings.TrimSpace(a), "<>"); strings.Count(a, "@") == 1 && len(b.Recipients) < maxRecipients {
			b.Recipients = append(b.Recipients, capField(a))
		}
	}
	if len(b.MessageIDs) == 0 {
		// qmail and others return the original message inline, after
		// the explanation.
		b.MessageIDs = inlineMessageID(p.plain)
	}
	if len(b.Recipients) == 0 && len(b.MessageIDs) == 0 {
		return nil
	}
	b.Reason = p.m.Subject
	return b
}

// fromDaemon reports a sender that is a mail system, not a person.
func fromDaemon(addr string) bool {
	local, _, _ := strings.Cut(strings.ToLower(addr), "@")
	return local == "mailer-daemon" || local == "postmaster" || local == "mail-daemon"
}

// failureSubject reports a mail system's subject for a failed delivery,
// and not for a delay warning (which is no failure yet).
func failureSubject(s string) bool {
	l := strings.ToLower(s)
	if strings.Contains(l, "delay") || strings.Contains(l, "warning") {
		return false
	}
	for _, w := range []string{"undeliver", "fail", "returned", "not delivered", "delivery status notification"} {
		if strings.Contains(l, w) {
			return true
		}
	}
	return false
}

// inlineMessageID finds a "Message-ID: <…>" line in a bounce's text.
func inlineMessageID(text string) []string {
	for line := range strings.Lines(text) {
		t := strings.TrimSpace(line)
		if len(t) > 11 && strings.EqualFold(t[:11], "message-id:") {
			if id := firstID(t[11:]); id != "" {
				return []string{id}
			}
		}
	}
	return nil
}
