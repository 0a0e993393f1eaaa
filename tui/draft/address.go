package draft

import (
	"errors"
	"net/mail"
	"strings"

	"github.com/leads-inbox/leads/store/safetext"
)

// ValidAddress accepts exactly one plain address (local@domain, no display
// name, no angle brackets). mail.ParseAddress alone is not enough: it
// accepts forms whose String() lets CR/LF through, and a lead can carry
// "a@x.com, b@y.com" or "bob@x.com?cc=eve@x.com", which would add a
// recipient in a header or a mailto: URL. So the parsed address must equal
// the input, and the characters that separate recipients or start a URL
// query are refused outright. net/mail takes any non-ASCII character, so
// an address that safetext would change (C1 controls, bidi overrides,
// zero-width characters, invalid UTF-8) is refused too: it would reach
// the terminal, a header or a mailto: URL as it came, while the preview
// showed it cleaned.
func ValidAddress(s string) error {
	if strings.ContainsAny(s, "\r\n") {
		return errors.New("the email address " + quoteForMsg(s) + " is not one valid address")
	}
	in := strings.TrimSpace(s)
	bad := errors.New("the email address " + quoteForMsg(in) + " is not one valid address")
	if in == "" || len(in) > 254 || strings.ContainsAny(in, "\r\n,;?&%<>\"() \t\\") {
		return bad
	}
	for _, r := range in {
		if r < 0x21 || r == 0x7f {
			return bad
		}
	}
	if safetext.Clean(in) != in {
		return bad
	}
	a, err := mail.ParseAddress(in)
	if err != nil || a.Name != "" || a.Address != in {
		return bad
	}
	local, domain, ok := strings.Cut(in, "@")
	if !ok || local == "" || domain == "" || strings.Contains(domain, "@") {
		return bad
	}
	return nil
}

// quoteForMsg shows a bad address in a message without letting it act on
// the terminal or run on for lines.
func quoteForMsg(s string) string {
	s = safetext.Clean(s)
	if r := []rune(s); len(r) > 60 {
		s = string(r[:60]) + "…"
	}
	return `"` + s + `"`
}
