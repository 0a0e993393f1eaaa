package importer

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/leads-inbox/leads/store"
)

// Complete is the one normaliser every import path runs on a lead before
// handing it on (CSV, JSON and the Azure Table sync), so that a lead reads
// the same whichever way it arrived. It is idempotent. It
//
//   - fills Source, Action and OfferID from LeadSource (ParseLeadSource);
//   - takes the action from ActionCode when it is set: the documented
//     webhook sends a source-only LeadSource with the action there, and
//     when both exist and disagree ActionCode is preferred while both raw
//     strings stay in LeadSource and ActionCode; UI labels such as
//     "Contact me" become codes (NormalizeAction), except that the label
//     "Get it now" or "Free trial" leaves a LeadSource's Create as it is;
//   - trims the customer fields, OfferID and OfferName;
//   - sets IsTest when a customer field or the description starts with
//     MSFT_TEST (any case), and NoPII when the customer fields are all empty
//     or the address is a .edu one with no name or phone;
//   - when Created is zero, derives it from the raw CreatedTime field in Raw
//     (see ParseTime), else from the date in Origin.PartitionKey
//     ("M:2Fd:2Fyyyy"), else from Timestamp.
func Complete(l *store.Lead) {
	if l.LeadSource != "" {
		src, act, offer := ParseLeadSource(l.LeadSource)
		if src != "" {
			l.Source = src
		}
		if act != "" {
			l.Action = act
		}
		if offer != "" {
			l.OfferID = offer
		}
	} else {
		l.Source = NormalizeSource(l.Source)
	}
	if act := NormalizeAction(l.ActionCode); act != "" {
		// Partner Center's label "Get it now" also covers an Azure portal
		// purchase, which LeadSource names exactly (Create): the label
		// must not turn every such purchase into an install.
		if !(act == store.ActionInstall && l.Action == store.ActionCreate && isInstallLabel(l.ActionCode)) {
			l.Action = act
		}
	} else {
		l.Action = NormalizeAction(l.Action)
	}
	l.OfferID = strings.TrimSpace(l.OfferID)
	l.OfferName = strings.TrimSpace(l.OfferName)

	c := &l.Customer
	c.FirstName = strings.TrimSpace(c.FirstName)
	c.LastName = strings.TrimSpace(c.LastName)
	c.Email = strings.TrimSpace(c.Email)
	c.Phone = strings.TrimSpace(c.Phone)
	c.Country = strings.TrimSpace(c.Country)
	c.Company = strings.TrimSpace(c.Company)
	c.Title = strings.TrimSpace(c.Title)

	l.IsTest = l.IsTest || isTestText(c.FirstName) || isTestText(c.LastName) ||
		isTestText(c.Email) || isTestText(c.Phone) || isTestText(c.Country) ||
		isTestText(c.Company) || isTestText(c.Title) || isTestText(strings.TrimSpace(l.Description))

	personal := c.FirstName != "" || c.LastName != "" || c.Phone != ""
	l.NoPII = !personal && (c.Email == "" && c.Company == "" && c.Title == "" || isEduAddress(c.Email))

	if l.Created.IsZero() {
		l.Created = createdFallback(l)
	}
}

func createdFallback(l *store.Lead) time.Time {
	for _, f := range l.Raw {
		if strings.EqualFold(f.Name, "CreatedTime") {
			if t, ok := ParseTime(f.Value); ok {
				return t
			}
			break
		}
	}
	if t, ok := ParsePartitionKeyDate(l.Origin.PartitionKey); ok {
		return t
	}
	return l.Timestamp
}

func isTestText(s string) bool {
	const p = "MSFT_TEST"
	return len(s) >= len(p) && strings.EqualFold(s[:len(p)], p)
}

func isEduAddress(email string) bool {
	at := strings.LastIndexByte(email, '@')
	if at < 0 {
		return false
	}
	d := strings.TrimRight(email[at+1:], ".")
	return len(d) > 4 && strings.EqualFold(d[len(d)-4:], ".edu")
}

// ParsePartitionKeyDate reads the creation date Partner Center appears to put
// in a lead's PartitionKey: "M/d/yyyy" with "/" escaped as ":2F", for example
// "9:2F28:2F2018". The result is midnight UTC.
func ParsePartitionKeyDate(pk string) (time.Time, bool) {
	if !strings.Contains(pk, ":2F") && !strings.Contains(pk, ":2f") {
		return time.Time{}, false
	}
	s := strings.ReplaceAll(strings.ReplaceAll(pk, ":2F", "/"), ":2f", "/")
	t, rest, ok := parseUSDate(strings.TrimSpace(s))
	if !ok || rest != "" {
		return time.Time{}, false
	}
	return t, true
}

// ParseTime reads the time formats lead data has been seen in and returns it
// in UTC: RFC 3339 with up to nine fractional digits (Azure writes seven),
// the same without a zone or with a space for the "T" (taken as UTC, which
// is what Azure stores), a bare ISO date, and the .NET US formats
// "1/2/2006 3:04:05 PM", "1/2/2006 15:04[:05]" and "1/2/2006".
func ParseTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if len(s) < 8 {
		return time.Time{}, false
	}
	if isDigit(s[0]) && isDigit(s[1]) && isDigit(s[2]) && isDigit(s[3]) && s[4] == '-' {
		if t, ok := parseUTCStamp(s); ok {
			return t, true
		}
		if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
			return t.UTC(), true
		}
		for _, layout := range isoLayouts {
			if t, err := time.Parse(layout, s); err == nil {
				return t.UTC(), true
			}
		}
		return time.Time{}, false
	}
	t, rest, ok := parseUSDate(s)
	if !ok {
		return time.Time{}, false
	}
	if rest == "" {
		return t, true
	}
	if rest[0] != ' ' {
		return time.Time{}, false
	}
	d, ok := parseClock(strings.TrimSpace(rest))
	if !ok {
		return time.Time{}, false
	}
	return t.Add(d), true
}

// parseUTCStamp reads the shape every Azure Table Timestamp has,
// 2026-11-02T08:14:09.1234567Z (any number of fractional digits up to
// nine, or none), without time.Parse, which is several times slower and
// runs on every row of an export. Anything else, or a field out of range,
// is left to time.Parse.
func parseUTCStamp(s string) (time.Time, bool) {
	if len(s) < 20 || s[len(s)-1] != 'Z' || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' {
		return time.Time{}, false
	}
	digits := func(i, n int) (v int, ok bool) {
		for j := i; j < i+n; j++ {
			if !isDigit(s[j]) {
				return 0, false
			}
			v = v*10 + int(s[j]-'0')
		}
		return v, true
	}
	year, ok1 := digits(0, 4)
	month, ok2 := digits(5, 2)
	day, ok3 := digits(8, 2)
	hour, ok4 := digits(11, 2)
	minute, ok5 := digits(14, 2)
	sec, ok6 := digits(17, 2)
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, false
	}
	if day > time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day() {
		return time.Time{}, false
	}
	nsec := 0
	if rest := s[19 : len(s)-1]; rest != "" {
		if rest[0] != '.' || len(rest) < 2 || len(rest) > 10 {
			return time.Time{}, false
		}
		f, ok := digits(20, len(rest)-1)
		if !ok {
			return time.Time{}, false
		}
		for n := len(rest) - 1; n < 9; n++ {
			f *= 10
		}
		nsec = f
	}
	return time.Date(year, time.Month(month), day, hour, minute, sec, nsec, time.UTC), true
}

var isoLayouts = []string{
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02T15:04:05",
	"2006-01-02 15:04:05",
	"2006-01-02T15:04",
	"2006-01-02 15:04",
	"2006-01-02",
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// number reads 1 to max digits from the start of s.
func number(s string, max int) (n int, rest string, ok bool) {
	i := 0
	for i < len(s) && i < max && isDigit(s[i]) {
		n = n*10 + int(s[i]-'0')
		i++
	}
	return n, s[i:], i > 0
}

// parseUSDate reads "M/d/yyyy" at the start of s without time.Parse, which
// is several times slower and runs on every row of a CSV import.
func parseUSDate(s string) (time.Time, string, bool) {
	m, s, ok1 := number(s, 2)
	if !ok1 || len(s) == 0 || s[0] != '/' {
		return time.Time{}, "", false
	}
	d, s, ok2 := number(s[1:], 2)
	if !ok2 || len(s) == 0 || s[0] != '/' {
		return time.Time{}, "", false
	}
	y, rest, ok3 := number(s[1:], 4)
	if !ok3 || len(s)-1-len(rest) != 4 || (len(rest) > 0 && isDigit(rest[0])) {
		return time.Time{}, "", false
	}
	if m < 1 || m > 12 || d < 1 || d > daysIn(m, y) {
		return time.Time{}, "", false
	}
	return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC), rest, true
}

func daysIn(m, y int) int {
	return time.Date(y, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// parseClock reads "3:04[:05][.fff] [AM|PM]" or a 24-hour "15:04[:05]".
func parseClock(s string) (time.Duration, bool) {
	h, s, ok := number(s, 2)
	if !ok || len(s) == 0 || s[0] != ':' {
		return 0, false
	}
	min, s, ok := number(s[1:], 2)
	if !ok || min > 59 {
		return 0, false
	}
	sec, frac := 0, time.Duration(0)
	if len(s) > 0 && s[0] == ':' {
		if sec, s, ok = number(s[1:], 2); !ok || sec > 59 {
			return 0, false
		}
		if len(s) > 0 && s[0] == '.' {
			var f, n int
			i := 1
			for i < len(s) && isDigit(s[i]) {
				if n < 9 {
					f = f*10 + int(s[i]-'0')
					n++
				}
				i++
			}
			if i == 1 {
				return 0, false
			}
			for ; n < 9; n++ {
				f *= 10
			}
			frac = time.Duration(f)
			s = s[i:]
		}
	}
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		if h > 23 {
			return 0, false
		}
	case strings.EqualFold(s, "AM"), strings.EqualFold(s, "PM"):
		if h < 1 || h > 12 {
			return 0, false
		}
		h %= 12
		if strings.EqualFold(s, "PM") {
			h += 12
		}
	default:
		return 0, false
	}
	return time.Duration(h)*time.Hour + time.Duration(min)*time.Minute +
		time.Duration(sec)*time.Second + frac, true
}

// ParseCustomerInfo reads the CustomerInfo JSON string of a table lead
// (lead-formats.md §5). Keys match case-insensitively (and by the same
// synonyms as CSV headers); keys that are not customer fields come back as
// extra fields named "CustomerInfo.<key>", with nested values as JSON text.
// An empty string is no customer and no error. When the text is not valid
// JSON, the fields read before the damage are returned together with an
// error saying where it is, so a caller can import the lead and report the
// problem.
func ParseCustomerInfo(js string) (store.Customer, []store.Field, error) {
	return parseCustomerObject(js, "CustomerInfo.", false)
}

var errNotObject = errors.New("is not a JSON object")

// parseCustomerObject is ParseCustomerInfo with the prefix for extra
// fields' names. valid says js is known to be valid UTF-8: a CSV reader
// checks every field of a record before building a lead from it.
func parseCustomerObject(js, prefix string, valid bool) (c store.Customer, extra []store.Field, err error) {
	if c, ok := customerAsWritten(js, valid); ok {
		return c, nil, nil
	}
	return parseCustomerJSON(js, prefix)
}

// customerKeys are what comes before each value of CustomerInfo as Partner
// Center writes it: the seven keys in this order, no spaces.
var customerKeys = [7]string{`{"FirstName":"`, `","LastName":"`, `","Email":"`, `","Phone":"`,
	`","Country":"`, `","Company":"`, `","Title":"`}

// customerAsWritten reads CustomerInfo in the one form Partner Center
// writes, with no escapes in it, which is nearly every row of an export:
// matching that form takes under a third of the time of parsing JSON
// (BenchmarkCustomerInfo), and this runs for every row. Anything else is
// not ok and goes to the parser, which gives the same customer for any
// text this accepts. valid skips checking that js is UTF-8, for a caller
// that has.
func customerAsWritten(js string, valid bool) (c store.Customer, ok bool) {
	var vals [7]string
	rest := js
	for i, k := range customerKeys {
		if !strings.HasPrefix(rest, k) {
			return c, false
		}
		rest = rest[len(k):]
		j := 0
		for j < len(rest) && rest[j] >= 0x20 && rest[j] != '"' && rest[j] != '\\' {
			j++
		}
		if j == len(rest) || rest[j] != '"' {
			return c, false
		}
		vals[i], rest = rest[:j], rest[j:]
	}
	if rest != `"}` || !(valid || utf8.ValidString(js)) {
		return c, false
	}
	for i, p := range [7]*string{&c.FirstName, &c.LastName, &c.Email, &c.Phone, &c.Country, &c.Company, &c.Title} {
		*p = strings.TrimSpace(vals[i])
	}
	return c, true
}

// parseCustomerJSON is parseCustomerObject for any JSON text.
func parseCustomerJSON(js, prefix string) (c store.Customer, extra []store.Field, err error) {
	if strings.TrimSpace(js) == "" {
		return c, nil, nil
	}
	what := strings.TrimSuffix(prefix, ".")
	p := jsonParser{s: js}
	jerr := p.checkUTF8()
	if jerr == nil {
		p.skipSpace()
		if p.pos < len(p.s) && p.s[p.pos] != '{' {
			if _, jerr = p.document(0); jerr == nil {
				return c, nil, fmt.Errorf("%s %w", what, errNotObject)
			}
		}
	}
	full := ""
	if jerr == nil {
		// Walk the members without collecting them: this runs for every
		// row of a CSV import.
		p.pos++
		p.depth = 1
		for first := true; ; first = false {
			key, val, done, err := p.member(first, 0)
			if err != nil {
				jerr = err
				break
			}
			if done {
				break
			}
			switch r := customerRole(key); {
			case r == roleFullName:
				full = val.stored()
			case !setCustomer(&c, r, val.stored()):
				extra = append(extra, store.Field{Name: prefix + key, Value: val.stored()})
			}
		}
		if jerr == nil {
			p.prevEnd = p.pos
			p.skipSpace()
			if p.pos < len(p.s) {
				jerr = p.fail("unexpected " + p.describe() + " after the JSON value")
			}
		}
	}
	setFullName(&c, full)
	if jerr != nil {
		return c, extra, fmt.Errorf("%s is not valid JSON: %s at character %d", what, jerr.msg, jerr.off+1)
	}
	return c, extra, nil
}

// customerFromMembers assigns object members to customer fields, appending
// the others to extra with the given name prefix.
func customerFromMembers(c *store.Customer, members []jsonMember, prefix string, extra []store.Field) []store.Field {
	full := ""
	for i := range members {
		m := &members[i]
		r := customerRole(m.key)
		if r == roleFullName {
			full = m.val.stored()
			continue
		}
		if !setCustomer(c, r, m.val.stored()) {
			extra = append(extra, store.Field{Name: prefix + m.key, Value: m.val.stored()})
		}
	}
	setFullName(c, full)
	return extra
}
