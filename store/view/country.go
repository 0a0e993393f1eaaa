package view

import (
	"strings"
	"sync"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// CountryKey returns the key under which two spellings of one country are
// equal: the ISO 3166-1 alpha-2 code for an alpha-2 or alpha-3 code or an
// English name ("US", "usa", "United States" all give "US"), else the text
// as Fold keeps it, so a country no table knows still matches itself in
// any case. Leads have carried both US and USA (Microsoft does not promise
// ISO codes), and a rep filters by the country, not by the spelling.
func CountryKey(s string) string {
	t := strings.TrimSpace(s)
	if n := len(t); n == 2 || n == 3 {
		if isLetters(t) {
			if r, err := language.ParseRegion(t); err == nil && r.IsCountry() {
				return r.Canonicalize().String()
			}
		}
	}
	countryOnce.Do(loadCountryNames)
	k := Fold(strings.Join(strings.Fields(t), " "))
	if code, ok := countryNames[k]; ok {
		return code
	}
	return Fold(s)
}

func isLetters(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i] | 0x20; c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

var (
	countryOnce  sync.Once
	countryNames map[string]string // Fold(English name) -> alpha-2
)

// countryAliases are English names in common use beside the ones the
// region table gives (which has "United States", "United Kingdom").
var countryAliases = map[string]string{
	"United States of America": "US", "America": "US", "U.S.": "US", "U.S.A.": "US",
	"UK": "GB", "U.K.": "GB", "Great Britain": "GB", "Britain": "GB", "England": "GB", "Scotland": "GB", "Wales": "GB",
	"Korea": "KR", "Republic of Korea": "KR", "Russian Federation": "RU", "Czech Republic": "CZ",
	"Holland": "NL", "The Netherlands": "NL", "Viet Nam": "VN", "Türkiye": "TR", "Turkey": "TR",
	"Deutschland": "DE", "UAE": "AE", "Ivory Coast": "CI",
}

// loadCountryNames indexes the English name of every country code once.
func loadCountryNames() {
	names := display.English.Regions()
	countryNames = map[string]string{}
	for a := 'A'; a <= 'Z'; a++ {
		for b := 'A'; b <= 'Z'; b++ {
			r, err := language.ParseRegion(string([]rune{a, b}))
			if err != nil || !r.IsCountry() || r.Canonicalize() != r {
				continue
			}
			if n := names.Name(r); n != "" {
				countryNames[Fold(n)] = r.String()
			}
		}
	}
	for n, code := range countryAliases {
		countryNames[Fold(n)] = code
	}
}
