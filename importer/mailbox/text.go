package mailbox

import (
	"html"
	"strings"
)

// Bounds on a reply's excerpt before the store cleans and cuts it again.
const (
	excerptLines = 12
	excerptBytes = 1500
)

// excerpt returns the first lines the person wrote: quoted lines ("> ")
// are left out, and the text stops at the attribution line of a quote
// ("On … wrote:"), an Outlook "Original Message" rule or a signature.
func excerpt(text string) string {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	lines := strings.Split(text, "\n")
	var out []string
	size := 0
	blank := false
	for _, line := range lines {
		t := strings.TrimSpace(strings.TrimRight(line, "\r"))
		if strings.HasPrefix(t, ">") {
			continue
		}
		if endsQuote(t) {
			// "On Mon, 1 Dec 2026, Bob <b@x>" + "wrote:" on the next
			// line: the first half is attribution too.
			if len(out) > 0 && startsAttribution(out[len(out)-1]) && !attribution(out[len(out)-1]) {
				out = out[:len(out)-1]
			}
			break
		}
		if t == "" {
			blank = len(out) > 0
			continue
		}
		if blank {
			out = append(out, "")
			blank = false
		}
		t = cut(t, excerptBytes)
		out = append(out, t)
		size += len(t) + 1
		if len(out) >= excerptLines || size >= excerptBytes {
			break
		}
	}
	return strings.Join(out, "\n")
}

// endsQuote reports a line where the quoted part of a reply begins.
func endsQuote(t string) bool {
	switch {
	case t == "--" || t == "-- ":
		return true // signature delimiter ("-- " trimmed)
	case strings.HasPrefix(t, "-----") && strings.Contains(strings.ToLower(t), "original message"):
		return true
	case len(t) >= 10 && strings.Trim(t, "_") == "":
		return true // Outlook's rule above the quoted header
	}
	return attribution(t)
}

// attribution reports a quote's attribution line in the common languages:
// it ends in the verb ("wrote:"), or starts like one ("Am …") and names
// the verb before the closing colon ("Am 10.11. schrieb Rep:").
func attribution(t string) bool {
	l := strings.ToLower(t)
	if len(l) > 400 || !strings.HasSuffix(l, ":") {
		return false
	}
	for _, verb := range []string{"wrote", "écrit", "schrieb", "escribió", "scritto", "schreef"} {
		if strings.HasSuffix(strings.TrimSpace(strings.TrimSuffix(l, ":")), verb) ||
			startsAttribution(t) && strings.Contains(l, " "+verb+" ") {
			return true
		}
	}
	return false
}

func startsAttribution(t string) bool {
	for _, p := range []string{"On ", "Le ", "Am ", "El ", "Il ", "Op "} {
		if strings.HasPrefix(t, p) {
			return true
		}
	}
	return false
}

// htmlText turns an HTML body into plain lines, simply: tags go, block
// ends become line breaks, script, style and quoted blocks (blockquote)
// go with their content, entities are decoded. It reads a bounded string
// (maxTextBytes) and never fails: broken markup gives rough text, which
// the store cleans like any other.
func htmlText(s string) string {
	var b strings.Builder
	skip := "" // the element whose content is being skipped (script, style, head)
	quote := 0 // blockquote depth
	for len(s) > 0 {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			if skip == "" && quote == 0 {
				b.WriteString(html.UnescapeString(s))
			}
			break
		}
		if skip == "" && quote == 0 {
			b.WriteString(html.UnescapeString(s[:i]))
		}
		s = s[i:]
		if strings.HasPrefix(s, "<!--") {
			j := strings.Index(s, "-->")
			if j < 0 {
				break
			}
			s = s[j+3:]
			continue
		}
		j := strings.IndexByte(s, '>')
		if j < 0 {
			break
		}
		tag := s[1:j]
		s = s[j+1:]
		closing := strings.HasPrefix(tag, "/")
		name := strings.ToLower(strings.TrimPrefix(tag, "/"))
		if k := strings.IndexAny(name, " \t\r\n/"); k >= 0 {
			name = name[:k]
		}
		if skip != "" {
			if closing && name == skip {
				skip = ""
			}
			continue
		}
		switch name {
		case "script", "style", "head", "title":
			if !closing {
				skip = name
			}
		case "blockquote":
			if closing {
				quote = max(quote-1, 0)
			} else {
				quote++
			}
		case "br", "p", "div", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "hr":
			if quote == 0 {
				b.WriteByte('\n')
			}
		}
	}
	// Non-breaking spaces from the markup read as spaces.
	return strings.ReplaceAll(b.String(), "\u00a0", " ")
}
