package store

import (
	"testing"
	"unicode"
)

// schema4Invisible is the set of characters NormalizeEmail removed when
// schema 4 filed every contact under its address's identity, frozen here as
// it was written then. Contacts in every database are keyed by it.
func schema4Invisible(r rune) bool {
	hidden := false
	switch {
	case r < 0x20, r == 0x7f, r >= 0x80 && r < 0xa0:
		hidden = true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f, r == 0x061c:
		hidden = true
	case r >= 0x200b && r <= 0x200d, r == 0x2060, r == 0xfeff, r == 0x180e, r == 0x00ad:
		hidden = true
	case r >= 0xfff9 && r <= 0xfffb:
		hidden = true
	case r >= 0xe0000 && r <= 0xe007f:
		hidden = true
	case unicode.Is(unicode.Cf, r) && r != 0x200d:
		hidden = true
	}
	return hidden ||
		unicode.Is(unicode.Other_Default_Ignorable_Code_Point, r) ||
		unicode.Is(unicode.Variation_Selector, r)
}

// TestInvisibleIsTheSchema4Set: the sanitiser now removes every
// default-ignorable code point, and the address identity takes its set
// from there; that set is, code point for code point, the one contacts
// were filed under, so no database needs its contacts filed again.
func TestInvisibleIsTheSchema4Set(t *testing.T) {
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if got, want := invisible(r), schema4Invisible(r); got != want {
			t.Fatalf("invisible(%U) = %v; contacts were filed with %v", r, got, want)
		}
	}
	for _, c := range []struct{ in, want string }{
		{"pay\u034fpal@x.example", "paypal@x.example"},
		{"mei\u3164@x.example", "mei@x.example"},
		{"a\u2028b@x.example", "a\u2028b@x.example"}, // a line separator is seen: not removed from an identity
	} {
		if got := NormalizeEmail(c.in); got != c.want {
			t.Errorf("NormalizeEmail(%+q) = %+q, want %+q", c.in, got, c.want)
		}
	}
}
