package draft

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"
)

// EML returns d as an RFC 5322 message that mail programs open as an
// unsent draft (X-Unsent: 1): CRLF line ends, a UTF-8 quoted-printable
// body, and a subject encoded per RFC 2047 when it is not plain ASCII.
// From is the sender's address when the config has one; the mail program
// fills it in otherwise.
//
// Every header is built here from checked parts: To must pass ValidAddress,
// names and subject are one line, and the body is quoted-printable, so no
// lead text can add a header or a recipient.
func EML(d Draft, from Sender, date time.Time) ([]byte, error) {
	return message(d, from, date, "")
}

// Message returns d as the message to send: as EML, without the draft
// mark, with From required and the given Message-ID (without brackets),
// so that a reply naming it finds the contact.
func Message(d Draft, from Sender, date time.Time, messageID string) ([]byte, error) {
	if from.Email == "" {
		return nil, fmt.Errorf("no sender address: set email in the [sender] section of the config")
	}
	if messageID == "" || strings.ContainsAny(messageID, "<>\r\n \t") || !strings.Contains(messageID, "@") {
		return nil, fmt.Errorf("bad Message-ID %q", messageID)
	}
	return message(d, from, date, messageID)
}

// message builds an EML draft (messageID empty) or a message to send.
func message(d Draft, from Sender, date time.Time, messageID string) ([]byte, error) {
	if err := ValidAddress(d.To); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	hdr := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	if from.Email != "" {
		if err := ValidAddress(from.Email); err != nil {
			return nil, fmt.Errorf("sender: %w", err)
		}
		hdr("From", formatAddress(from.Name, from.Email))
	}
	hdr("To", formatAddress(d.ToName, d.To))
	hdr("Subject", encodeHeaderText(oneLine(d.Subject)))
	hdr("Date", date.Format(time.RFC1123Z))
	hdr("MIME-Version", "1.0")
	hdr("Content-Type", "text/plain; charset=utf-8")
	hdr("Content-Transfer-Encoding", "quoted-printable")
	if messageID == "" {
		hdr("X-Unsent", "1")
	} else {
		hdr("Message-ID", "<"+messageID+">")
	}
	b.WriteString("\r\n")

	qp := quotedprintable.NewWriter(&b)
	// Binary mode off: "\n" in the body becomes a CRLF hard line break.
	body := strings.ReplaceAll(strings.ReplaceAll(d.Body, "\r\n", "\n"), "\r", "\n")
	if _, err := qp.Write([]byte(body)); err != nil {
		return nil, err
	}
	if err := qp.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// encodeHeaderText returns s as it may appear in an unstructured header:
// as is when it is printable ASCII, else as RFC 2047 encoded-words, one per
// folded line so no line exceeds the limits of RFC 5322. Text that already
// looks like an encoded-word ("=?") is encoded too, so a mail program
// decodes back exactly what the template produced. (mime.WordEncoder leaves
// printable ASCII alone, hence the encoder of our own.)
func encodeHeaderText(s string) string {
	plain := !strings.Contains(s, "=?")
	for i := 0; i < len(s) && plain; i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			plain = false
		}
	}
	if plain {
		return s
	}
	return strings.Join(bWords(s), "\r\n ")
}

// nameCap bounds a display name in runes, keeping header lines short.
const nameCap = 100

// formatAddress writes one mailbox. mail.Address.String is not used for
// non-ASCII names: its Q-encoding leaves a backslash bare, which its own
// parser then rejects (found by the fuzz test); base64 words have no such
// characters.
func formatAddress(name, addr string) string {
	name = capRunes(oneLine(name), nameCap)
	if name == "" {
		return "<" + addr + ">"
	}
	for i := 0; i < len(name); i++ {
		if name[i] < 0x20 || name[i] > 0x7e {
			return strings.Join(bWords(name), "\r\n ") + " <" + addr + ">"
		}
	}
	if strings.Contains(name, "=?") {
		return strings.Join(bWords(name), "\r\n ") + " <" + addr + ">"
	}
	// Printable ASCII: a quoted-string, with " and \ escaped.
	return (&mail.Address{Name: name, Address: addr}).String()
}

// bWords encodes s as RFC 2047 "B" encoded-words of legal length.
func bWords(s string) []string {
	var words []string
	for len(s) > 0 {
		// 39 bytes make 52 base64 characters: with "=?utf-8?b?" and "?="
		// that is 64, so even the first line ("Subject: " and a word)
		// stays within 78. Cut on a rune boundary so each word decodes on
		// its own.
		n := 0
		for n < len(s) {
			_, size := utf8.DecodeRuneInString(s[n:])
			if n+size > 39 {
				break
			}
			n += size
		}
		words = append(words, "=?utf-8?b?"+base64.StdEncoding.EncodeToString([]byte(s[:n]))+"?=")
		s = s[n:]
	}
	return words
}
