package azuretable

import (
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"time"

	azlog "github.com/Azure/azure-sdk-for-go/sdk/azcore/log"
)

// The Azure SDK prints its diagnostics to stderr when AZURE_SDK_GO_LOGGING
// is "all", which a user may turn on to report a problem; its retry
// messages quote the whole request URL, SAS signature included. The same
// output goes out redacted instead.
func init() {
	if os.Getenv("AZURE_SDK_GO_LOGGING") == "all" {
		azlog.SetListener(redactedLog(os.Stderr))
	}
}

// redactedLog writes the SDK's log events as its own listener does, with
// every message through Redact.
func redactedLog(w io.Writer) func(azlog.Event, string) {
	return func(ev azlog.Event, msg string) {
		fmt.Fprintf(w, "[%s] %s: %s\n", time.Now().Format(time.StampMicro), ev, Redact(msg))
	}
}

// The patterns stop at the characters that end a value in the places these
// secrets appear: a URL query (&), a connection string (;), quoted text in
// an error ("), and white space.
var (
	reSig       = regexp.MustCompile(`(?i)(\bsig=)[^&;\s"'<>]+`)
	reSigEnc    = regexp.MustCompile(`(?i)(sig%3D)(?:[A-Za-z0-9]|%2B|%2F|%3D)+`) // a SAS URL inside another URL: base64 with +/= escaped
	reAccessSig = regexp.MustCompile(`(?i)(\bSharedAccessSignature=)[^;\s"'<>]+`)
	reKey       = regexp.MustCompile(`(?i)(\bAccountKey=)[^;\s"'<>]+`)
	reSharedKey = regexp.MustCompile(`(?i)(\bSharedKey(?:Lite)?\s+[^:\s]+:)[A-Za-z0-9+/=]+`)
	reURL       = regexp.MustCompile(`(?i)\b[a-z][a-z0-9+.-]*://[^\s"'<>;]+`)
)

// Redact removes the secrets Azure credentials carry from s: SAS signatures
// (sig=...), SharedAccessSignature=... and AccountKey=... values of
// connection strings, SharedKey authorization headers, and in every URL a
// user name and password and each query value (RedactURL). Everything else
// is kept, so a redacted message still says which host or table failed.
// Every error that leaves this package has been through Redact, because
// aztables' own network errors quote the whole request URL, signature and
// all.
func Redact(s string) string {
	if !mayHoldSecret(s) {
		return s
	}
	s = reAccessSig.ReplaceAllString(s, "${1}REDACTED")
	s = reSig.ReplaceAllString(s, "${1}REDACTED")
	s = reSigEnc.ReplaceAllString(s, "${1}REDACTED")
	s = reKey.ReplaceAllString(s, "${1}REDACTED")
	s = reSharedKey.ReplaceAllString(s, "${1}REDACTED")
	s = reURL.ReplaceAllStringFunc(s, RedactURL)
	return s
}

// RedactURL returns a URL with its user name and password replaced by
// REDACTED, and the value of every query parameter and the fragment too:
// a TableEndpoint may carry user:password@ or ?sig=..., and which of a
// query's values is a secret cannot be told, so none is shown. The names
// stay ("?sv=REDACTED&sig=REDACTED"), as do the scheme, host and path.
// It works on the text, so a URL that does not parse is redacted too.
func RedactURL(u string) string {
	scheme, rest, at, ok := splitUserinfo(u)
	if !ok {
		return u
	}
	if at >= 0 {
		rest = "REDACTED" + rest[at:]
	}
	rest, frag, hasFrag := strings.Cut(rest, "#")
	path, query, hasQuery := strings.Cut(rest, "?")
	var b strings.Builder
	b.WriteString(scheme + "://" + path)
	if hasQuery {
		b.WriteByte('?')
		for i, part := range strings.Split(query, "&") {
			if i > 0 {
				b.WriteByte('&')
			}
			name, _, hasValue := strings.Cut(part, "=")
			switch {
			case hasValue:
				b.WriteString(name + "=REDACTED")
			case part != "":
				b.WriteString("REDACTED") // a bare value
			}
		}
	}
	if hasFrag && frag != "" {
		b.WriteString("#REDACTED")
	}
	return b.String()
}

// withoutUserinfo returns a URL without the user name and password before
// its host.
func withoutUserinfo(u string) string {
	scheme, rest, at, ok := splitUserinfo(u)
	if !ok || at < 0 {
		return u
	}
	return scheme + "://" + rest[at+1:]
}

// mayHoldSecret is a cheap pre-check so that Redact costs nothing on the
// common message.
func mayHoldSecret(s string) bool {
	l := strings.ToLower(s)
	return strings.Contains(l, "sig") || strings.Contains(l, "key") || strings.Contains(l, "://")
}

// redactedError keeps the error chain (errors.Is still finds
// context.Canceled) while its message is the redacted text.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// oneLine turns a message into one line: Azure's response errors span many
// lines (status, headers, the response body).
func oneLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = strings.TrimSpace(s[:i])
	}
	return s
}

// splitUserinfo splits a URL at "://" and gives the index in rest of the
// '@' that ends a user name and password before the host, or -1 when
// there are none; ok is false for text that is not a URL.
func splitUserinfo(u string) (scheme, rest string, at int, ok bool) {
	scheme, rest, ok = strings.Cut(u, "://")
	if !ok {
		return "", "", -1, false
	}
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	return scheme, rest, strings.LastIndexByte(rest[:end], '@'), true
}
