package search

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/leads-inbox/leads/store/safetext"
)

// TestHostileTextIsFoundAsShown: text typed with what the screen does not
// show is found by typing what it does show, and a query typed with such
// characters finds the plain text too.
func TestHostileTextIsFoundAsShown(t *testing.T) {
	cases := []struct{ stored, query string }{
		{"Pay\u200bPal", "paypal"},
		{"Pay\rPal", "paypal"},
		{"Pay\x1b[31mPal", "paypal"},
		{"Pay\u202ePal", "paypal"},
		{"Pay\u2066Pal\u2069", "paypal"},
		{"Pay\ufeffPal", "paypal"},
		{"Pay\xffPal", "paypal"},
		{"Pay\u00adPal", "paypal"},
		{"Pay\u034fPal", "paypal"},
		{"Pay\u3164Pal", "paypal"},
		{"Pay\ufe0fPal", "paypal"},
		{"Pay\u2028Pal", "pay pal"},
		{"Z" + strings.Repeat("\u0301", 10000) + "oe", "z\u0301\u0301\u0301\u0301oe"},
		{"PayPal", "pay\u200bpal"},
		{"Jürgen Becker", "JÜRGEN"},
		{"Multi\nline\tdescription", "line description"},
	}
	for _, c := range cases {
		text := Head(c.stored, "", "", "", "")
		if !Match(text, Words(c.query)) {
			t.Errorf("%+.60q (kept as %+.60q) is not found by %+q (words %q)", c.stored, text, c.query, Words(c.query))
		}
	}
	if Match(Head("Mei", "Lin", "", "", ""), Words("mei lin contoso")) {
		t.Error("a word that is not there matched")
	}
	if !Match(Head("Mei", "Lin", "mei@x.example", "Contoso", "CTO"), Words("  LIN   cto ")) {
		t.Error("words in any order and spacing should match")
	}
}

// TestRebuildKeepsNewestDescriptionsFirst: the descriptions are kept
// newest first, once each, within TextCap.
func TestRebuildKeepsNewestDescriptionsFirst(t *testing.T) {
	head := Head("Mei", "", "", "", "")
	s := Rebuild("", head, "first", true)
	s = Rebuild(s, head, "second", true)
	s = Rebuild(s, head, "older", false)
	s = Rebuild(s, head, "second", true)
	if want := "mei\x00\x00\x00\x00\x01second\x00first\x00older"; s != want {
		t.Fatalf("got %q, want %q", s, want)
	}
	long := Rebuild("", head, strings.Repeat("é", 400), true)
	if len(long) > TextCap || !utf8.ValidString(long) {
		t.Fatalf("cap: %d bytes, valid %v", len(long), utf8.ValidString(long))
	}
}

// FuzzField: a field as search keeps it holds nothing the screen hides, no
// separator, valid UTF-8 only; it is what the sanitised text gives, and
// plain text is only lower-cased.
func FuzzField(f *testing.F) {
	for _, s := range []string{"Mei", "ÄÖÜ Co", "İstanbul \xff", "Pay\u200bPal", "a\x00b\x01c", "\x1b]52;c;AAAA\x07x", "कृष्ण", "e\u0301"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Field(s)
		if !utf8.ValidString(got) {
			t.Fatalf("Field(%q) = %q is not UTF-8", s, got)
		}
		for _, r := range got {
			if r == '\n' || r == '\t' {
				continue
			}
			if r == FieldSep || r == DescSep || safetext.Hidden(r) && r != 0xfe0f || r == utf8.RuneError {
				t.Fatalf("Field(%q) = %q keeps %U", s, got, r)
			}
		}
		if Field(safetext.Clean(s)) != strings.ReplaceAll(strings.ReplaceAll(got, "\n", " "), "\t", " ") {
			t.Fatalf("Field(%q) = %q, but the text as shown gives %q", s, got, Field(safetext.Clean(s)))
		}
		if shownAsIs(s) && isASCII(s) && got != strings.ToLower(s) {
			t.Fatalf("Field(%q) = %q, strings.ToLower gives %q", s, got, strings.ToLower(s))
		}
		if again := Field(got); again != got {
			t.Fatalf("Field(%q) = %q, but Field of that gives %q: a query typed as kept would not find it", s, got, again)
		}
		if w := Words(s); !Match(got, w) {
			t.Fatalf("a text does not match its own words: %q %q", got, w)
		}
	})
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// TestSearchFoldsDiacritics: a query finds a name with or without its
// accents, either way round, whether the text came composed or decomposed;
// scripts whose vowel signs are marks (Devanagari, Thai) still find
// themselves and are not reduced to their consonants.
func TestSearchFoldsDiacritics(t *testing.T) {
	cases := []struct{ stored, query string }{
		{"Jürgen", "jurgen"},
		{"Jurgen", "jürgen"},
		{"Ju\u0308rgen", "JURGEN"},
		{"Jürgen", "ju\u0308rgen"},
		{"François Lefèvre", "francois lefevre"},
		{"Søren Łukasz Straße", "soren lukasz strasse"},
		{"Nguyễn Văn Đức", "nguyen van duc"},
		{"Nguyễn Văn Đức", "nguyễn văn đức"},
		{"Ελλάδα", "ελλαδα"},
		{"Ёлка", "елка"},
		{"सरस्वती सॉफ्टवेयर", "सरस्वती"},
		{"सरस्वती सॉफ्टवेयर", "सॉफ्टवेयर"},
		{"สวัสดี บริษัท", "สวัสดี"},
	}
	for _, c := range cases {
		text := Head(c.stored, "", "", "", "")
		if !Match(text, Words(c.query)) {
			t.Errorf("%q (kept as %q) is not found by %q (words %q)", c.stored, text, c.query, Words(c.query))
		}
	}
	// A vowel sign in Devanagari or Thai is part of the word: without it
	// the query is another word.
	for _, c := range []struct{ stored, query string }{
		{"सरस", "सरसा"},
		{"กิน", "กน"},
	} {
		if Match(Head(c.stored, "", "", "", ""), Words(c.query)) {
			t.Errorf("%q matched %q: its vowel signs were folded away", c.query, c.stored)
		}
	}
}
