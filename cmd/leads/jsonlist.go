package main

import (
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/leads-inbox/leads/store"
)

// The JSON of `leads list --json` is written by hand rather than through
// encoding/json: a full listing writes a million contacts, and building a
// value per contact for the reflection-based encoder cost as much CPU as
// reading the contacts from the file. The bytes are the same as the
// encoder writes for contactOut (with HTML escaping off), which the tests
// and a fuzz target check for any contact.

// jsonByte says how appendJSONString writes each ASCII byte: 0 copies
// it, 1 writes it as \u00XX, any other value is the letter of its short
// escape (\" \\ \b \f \n \r \t). Bytes from 0x80 up are UTF-8, handled
// apart.
var jsonByte = func() (t [utf8.RuneSelf]byte) {
	for c := 0; c < 0x20; c++ {
		t[c] = 1
	}
	t['"'], t['\\'] = '"', '\\'
	t['\b'], t['\f'], t['\n'], t['\r'], t['\t'] = 'b', 'f', 'n', 'r', 't'
	return t
}()

// jsonHTMLByte is jsonByte for a writer that escapes <, > and & too, as
// encoding/json does by default, so the text is safe inside HTML.
var jsonHTMLByte = func() [utf8.RuneSelf]byte {
	t := jsonByte
	t['<'], t['>'], t['&'] = 1, 1, 1
	return t
}()

const lowerHex = "0123456789abcdef"

// appendJSONString appends s to b as a JSON string literal, exactly as
// encoding/json writes a string: C0 controls, quote and backslash
// escaped (short forms where JSON has them), each byte of invalid UTF-8
// as \ufffd, U+2028 and U+2029 escaped (JavaScript reads them as line
// ends), and with html, <, > and & as \u003c, \u003e, \u0026.
func appendJSONString(b []byte, s string, html bool) []byte {
	table := &jsonByte
	if html {
		table = &jsonHTMLByte
	}
	b = append(b, '"')
	done := 0 // s[:done] is in b already
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			e := table[c]
			if e == 0 {
				i++
				continue
			}
			b = append(b, s[done:i]...)
			if e == 1 {
				b = append(b, '\\', 'u', '0', '0', lowerHex[c>>4], lowerHex[c&0xF])
			} else {
				b = append(b, '\\', e)
			}
			i++
			done = i
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			b = append(b, s[done:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[done:i]...)
			b = append(b, `\u202`...)
			b = append(b, lowerHex[r&0xF])
		default:
			i += n
			continue
		}
		i += n
		done = i
	}
	b = append(b, s[done:]...)
	return append(b, '"')
}

// appendJSONTime appends t as the listing writes a time: RFC 3339 in UTC
// in quotes, or "" for the zero time.
func appendJSONTime(b []byte, t time.Time) []byte {
	b = append(b, '"')
	if !t.IsZero() {
		b = t.UTC().AppendFormat(b, time.RFC3339)
	}
	return append(b, '"')
}

// appendContactJSON appends one line of `leads list --json` for c: the
// object encoding/json writes for contactJSON(c), and a newline.
func appendContactJSON(b []byte, c *store.Contact) []byte {
	field := func(b []byte, name, v string) []byte {
		b = append(b, name...)
		return appendJSONString(b, v, false)
	}
	b = field(b, `{"id":`, c.ID)
	b = field(b, `,"email":`, c.Email)
	b = field(b, `,"first_name":`, c.Customer.FirstName)
	b = field(b, `,"last_name":`, c.Customer.LastName)
	b = field(b, `,"company":`, c.Customer.Company)
	b = field(b, `,"title":`, c.Customer.Title)
	b = field(b, `,"country":`, c.Customer.Country)
	b = field(b, `,"phone":`, c.Customer.Phone)
	b = field(b, `,"status":`, string(c.Triage.Status))
	timeOrNull := func(b []byte, name string, t time.Time) []byte {
		b = append(b, name...)
		if t.IsZero() {
			return append(b, "null"...)
		}
		return appendJSONTime(b, t)
	}
	b = timeOrNull(b, `,"next_follow_up":`, c.Triage.NextFollowUp)
	b = append(b, `,"touches":`...)
	b = strconv.AppendInt(b, int64(c.Triage.Touches), 10)
	b = timeOrNull(b, `,"replied_at":`, c.Triage.RepliedAt)
	b = timeOrNull(b, `,"last_sent_at":`, c.Triage.LastSentAt)
	b = append(b, `,"bouncing":`...)
	b = strconv.AppendBool(b, c.Triage.Bouncing)
	b = append(b, `,"owner":`...)
	if c.Triage.Owner == "" {
		b = append(b, "null"...)
	} else {
		b = appendJSONString(b, c.Triage.Owner, false)
	}
	b = append(b, `,"is_test":`...)
	b = strconv.AppendBool(b, c.IsTest)
	b = append(b, `,"contactable":`...)
	b = strconv.AppendBool(b, c.Contactable())
	b = append(b, `,"leads":[`...)
	for i := range c.Leads {
		l := &c.Leads[i]
		if i > 0 {
			b = append(b, ',')
		}
		b = field(b, `{"id":`, l.ID)
		b = field(b, `,"source":`, l.Source)
		b = field(b, `,"action":`, l.Action)
		b = field(b, `,"offer":`, l.OfferID)
		b = field(b, `,"offer_name":`, l.OfferName)
		b = append(b, `,"created":`...)
		b = appendJSONTime(b, l.Created)
		b = field(b, `,"lead_source":`, l.LeadSource)
		b = append(b, '}')
	}
	return append(b, "]}\n"...)
}
