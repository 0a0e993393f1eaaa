package draft

import (
	"errors"
	"os/exec"
	"runtime"
	"strings"
)

// MaxMailtoLen is the longest mailto: URL Mailto returns. Mail programs
// and the argument list of xdg-open handle far less than a megabyte; past
// this, use the editor, an .eml file or the clipboard.
const MaxMailtoLen = 32 << 10

// ErrMailtoTooLong is Mailto's error for a draft longer than MaxMailtoLen.
var ErrMailtoTooLong = errors.New("the draft is too long for a mailto: link; open it in the editor or save an .eml file")

// Mailto returns d as a mailto: URL (RFC 6068) for the default mail
// program: one recipient, then subject and body as percent-encoded UTF-8,
// with spaces as %20 (never "+", which some programs keep as a plus) and
// line breaks as %0D%0A. The address must pass ValidAddress, so it holds no
// "?", "," or "&" that could start a query or add a recipient; it is
// percent-encoded anyway.
func Mailto(d Draft) (string, error) {
	if err := ValidAddress(d.To); err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString("mailto:")
	b.WriteString(pctEncode(d.To, true))
	b.WriteString("?subject=")
	b.WriteString(pctEncode(oneLine(d.Subject), false))
	b.WriteString("&body=")
	body := strings.ReplaceAll(strings.ReplaceAll(d.Body, "\r\n", "\n"), "\r", "\n")
	b.WriteString(pctEncode(strings.ReplaceAll(body, "\n", "\r\n"), false))
	if b.Len() > MaxMailtoLen {
		return "", ErrMailtoTooLong
	}
	return b.String(), nil
}

// pctEncode keeps RFC 3986 unreserved characters (and "@" in an address)
// and percent-encodes every other byte of the UTF-8 text.
func pctEncode(s string, addr bool) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9',
			c == '-', c == '.', c == '_', c == '~', addr && c == '@':
			b.WriteByte(c)
		default:
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
	return b.String()
}

// OpenCmd returns the command that hands a mailto: URL to the desktop's
// default mail program: xdg-open, or open on macOS. The URL is one
// argument; no shell is involved.
func OpenCmd(url string) (*exec.Cmd, error) {
	if !strings.HasPrefix(url, "mailto:") {
		return nil, errors.New("only mailto: links are opened")
	}
	switch runtime.GOOS {
	case "darwin":
		return exec.Command("open", url), nil
	case "windows":
		return exec.Command("rundll32", "url.dll,FileProtocolHandler", url), nil
	}
	return exec.Command("xdg-open", url), nil
}
