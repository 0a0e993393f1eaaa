package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/leads-inbox/leads/store"
)

// viaEncodingJSON is what list --json wrote before it wrote by hand: the
// reference the hand-made writer must equal byte for byte.
func viaEncodingJSON(t testing.TB, c *store.Contact) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(contactJSON(c, time.Time{})); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// stringViaEncodingJSON is encoding/json's literal for s, with or
// without its HTML escapes.
func stringViaEncodingJSON(t testing.TB, s string, html bool) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(html)
	if err := enc.Encode(s); err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// hostileStrings are texts a stranger can type into a form, and bytes a
// damaged export can hold.
var hostileStrings = []string{
	"", "plain", `quote " and \ backslash`, "<script>&amp;</script>", "tab\tnew\nline\rcr\bbs\fff",
	"\x00\x01\x1b[31mred\x1b]52;c;aGk=\x07\x1f\x7f", "josé", "jose\u0301", "zed\u200b@x.example",
	"\u2028line\u2029para", "\u202e\u2066bidi", "日本語の会社", "🦄👨‍👩‍👧", "\xff\xfe invalid", "\xe2\x80",
	"\xed\xa0\x80 surrogate", "\xf4\x90\x80\x80 beyond U+10FFFF", "ends in half \xe2\x80", "\ufffd", "\uffff",
	strings.Repeat("long <&> \u2028 ", 4000),
}

// TestAppendJSONStringMatchesEncodingJSON: every byte on its own, in
// both HTML modes, and the hostile strings give encoding/json's bytes.
func TestAppendJSONStringMatchesEncodingJSON(t *testing.T) {
	var inputs []string
	for c := 0; c < 256; c++ {
		inputs = append(inputs, string([]byte{byte(c)}), "a"+string([]byte{byte(c)})+"z")
	}
	for _, r := range []rune{0x80, 0x7ff, 0x800, 0x2027, 0x2028, 0x2029, 0x202a, 0xfeff, 0x10000, utf8.MaxRune} {
		inputs = append(inputs, string(r))
	}
	inputs = append(inputs, hostileStrings...)
	for _, s := range inputs {
		for _, html := range []bool{false, true} {
			want := stringViaEncodingJSON(t, s, html)
			if got := appendJSONString(nil, s, html); !bytes.Equal(got, want) {
				t.Errorf("html=%v %q: got %s, encoding/json %s", html, s, got, want)
			}
		}
	}
}

// TestListJSONLineMatchesEncodingJSON: a contact with hostile text in
// every field the listing writes, with and without a follow-up and the
// mail fields (replied, last sent, bouncing), with no
// leads and with several, is written as encoding/json wrote it.
func TestListJSONLineMatchesEncodingJSON(t *testing.T) {
	when := time.Date(2026, 11, 24, 9, 30, 15, 123456789, time.FixedZone("x", 5*3600+1800))
	for i, s := range hostileStrings {
		c := hostileContact(s, i)
		if i%2 == 0 {
			c.Triage.NextFollowUp = when
		}
		if i%4 == 1 { // the mail fields, set and unset
			c.Triage.RepliedAt, c.Triage.LastSentAt, c.Triage.Bouncing = when.Add(time.Hour), when, true
		}
		switch i % 3 {
		case 0:
			c.Leads = nil
		case 1:
			c.Leads = []store.Lead{}
		}
		want := viaEncodingJSON(t, c)
		if got := appendContactJSON(nil, c); !bytes.Equal(got, want) {
			t.Errorf("%q:\n got %s\nwant %s", s, got, want)
		}
	}
}

// hostileContact is a contact with s (varied) in each field the listing
// writes, and two leads.
func hostileContact(s string, n int) *store.Contact {
	lead := func(k string) store.Lead {
		return store.Lead{ID: s + k, Source: k + s, Action: s, OfferID: "offer" + s, OfferName: s + s,
			LeadSource: s + "|" + k, Created: time.Unix(int64(n)*86400+1700000000, 0)}
	}
	c := &store.Contact{ID: "0123456789abcdef" + s, Email: s + "@x.example",
		Customer: store.Customer{FirstName: s, LastName: "<" + s, Company: s + "&", Title: "\n" + s,
			Country: s + "\u2028", Phone: "+1 " + s},
		IsTest: n%2 == 1, IsDNC: n%5 == 0, NoPII: n%7 == 0,
		Leads: []store.Lead{lead("a"), lead("b"), {ID: "zero time"}}}
	c.Triage.Status = store.Status(s)
	c.Triage.Touches = n*3 - 7
	return c
}

// FuzzListJSON: for any text in any field, any touch count and times,
// the hand-made line is encoding/json's, and any string is written as
// encoding/json writes it in both HTML modes.
func FuzzListJSON(f *testing.F) {
	for i, s := range hostileStrings {
		f.Add(s, s+"x", i-3, int64(i)*1e9, i%2 == 0)
	}
	f.Fuzz(func(t *testing.T, a, b string, touches int, unix int64, flag bool) {
		for _, html := range []bool{false, true} {
			for _, s := range []string{a, b} {
				if got, want := appendJSONString(nil, s, html), stringViaEncodingJSON(t, s, html); !bytes.Equal(got, want) {
					t.Fatalf("html=%v %q: got %s, encoding/json %s", html, s, got, want)
				}
			}
		}
		c := &store.Contact{ID: a, Email: b,
			Customer: store.Customer{FirstName: a, LastName: b, Company: a + b, Title: b + a, Country: a, Phone: b},
			IsTest:   flag, IsDNC: !flag && touches%2 == 0,
			Leads: []store.Lead{{ID: b, Source: a, Action: b, OfferID: a, OfferName: b, LeadSource: a,
				Created: time.Unix(unix%(1<<40), 0)}}}
		c.Triage.Status = store.Status(b)
		c.Triage.Touches = touches
		if flag {
			c.Triage.NextFollowUp = time.Unix(unix%(1<<40), unix%1e9)
			c.Leads = append(c.Leads, store.Lead{ID: a})
		}
		if got, want := appendContactJSON(nil, c), viaEncodingJSON(t, c); !bytes.Equal(got, want) {
			t.Fatalf("got %s\nwant %s", got, want)
		}
	})
}
