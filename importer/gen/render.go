package gen

import (
	"strconv"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/leads-inbox/leads/store"
)

// The renderers append bytes by hand instead of using fmt, encoding/csv and
// encoding/json: those allocate per field and would dominate the run time of
// a million-row file. The output is still what those packages read back.

// storageExplorer renders an Azure Storage Explorer export of the
// MarketplaceLeads table, as older Storage Explorer versions write it.
type storageExplorer struct{}

const storageExplorerHeader = "PartitionKey,RowKey,Timestamp,ActionCode,ActionCode@type,CreatedTime,CreatedTime@type," +
	"CustomerInfo,CustomerInfo@type,Description,Description@type,LeadSource,LeadSource@type," +
	"OfferDisplayName,OfferDisplayName@type\r\n"

func (storageExplorer) header(dst []byte) []byte { return append(dst, storageExplorerHeader...) }

func (storageExplorer) row(dst, scratch []byte, l *lead) ([]byte, []byte) {
	const typ = ",Edm.String,"
	t := time.Unix(l.created, 0).UTC()
	dst = appendPartitionKey(dst, t)
	dst = append(dst, ',')
	dst = appendGUID(dst, l.id)
	dst = append(dst, ',')
	dst = appendTimestamp(dst, l.created, l.stamp)
	dst = append(dst, ',')
	dst = appendCSV(dst, l.action)
	dst = append(dst, typ...)
	dst = appendUSTime(dst, t)
	dst = append(dst, typ...)
	scratch = appendCustomerJSON(scratch[:0], &l.cust)
	dst = appendCSVQuoted(dst, scratch)
	dst = append(dst, typ...)
	dst = appendCSV(dst, l.desc)
	dst = append(dst, typ...)
	dst = appendLeadSource(dst, l, false, true)
	dst = append(dst, typ...)
	dst = appendCSV(dst, l.offerTitle)
	dst = append(dst, ",Edm.String\r\n"...)
	return dst, scratch
}

// appendPartitionKey writes the table PartitionKey of a lead created at t:
// the date as M/dd/yyyy with "/" escaped as ":2F", matching the samples.
// OrderTable sorts by these very bytes, so it has one writer.
func appendPartitionKey(dst []byte, t time.Time) []byte {
	y, mo, d := t.Date()
	dst = strconv.AppendInt(dst, int64(mo), 10)
	dst = append(dst, ":2F"...)
	dst = append2(dst, d)
	dst = append(dst, ":2F"...)
	return strconv.AppendInt(dst, int64(y), 10)
}

// webhook renders one HTTPS-endpoint payload per line, spaced like the
// samples, with some lines in camelCase as Microsoft has sent them.
type webhook struct{}

func (webhook) header(dst []byte) []byte { return dst }

// Keys in PascalCase and camelCase; the index is the field.
var (
	webhookPascal = [...]string{`{"UserDetails": {"FirstName": `, `, "LastName": `, `, "Email": `, `, "Phone": `,
		`, "Country": `, `, "Company": `, `, "Title": `, `}, "LeadSource": `, `, "ActionCode": `, `, "OfferTitle": `, `, "Description": `}
	webhookCamel = [...]string{`{"userDetails": {"firstName": `, `, "lastName": `, `, "email": `, `, "phone": `,
		`, "country": `, `, "company": `, `, "title": `, `}, "leadSource": `, `, "actionCode": `, `, "offerTitle": `, `, "description": `}
)

func (webhook) row(dst, scratch []byte, l *lead) ([]byte, []byte) {
	k := &webhookPascal
	if l.camel {
		k = &webhookCamel
	}
	c := &l.cust
	for i, v := range [...]string{c.first, c.last, c.email, c.phone, c.country, c.company, c.title} {
		dst = append(dst, k[i]...)
		dst = appendJSONString(dst, v)
	}
	dst = append(dst, k[7]...)
	dst = append(dst, '"')
	dst = appendLeadSource(dst, l, true, false)
	dst = append(dst, '"')
	dst = append(dst, k[8]...)
	dst = appendJSONString(dst, l.action)
	dst = append(dst, k[9]...)
	dst = appendJSONString(dst, l.offerTitle)
	dst = append(dst, k[10]...)
	dst = appendJSONString(dst, l.desc)
	dst = append(dst, "}\n"...)
	return dst, scratch
}

// partnerCenter renders a Partner Center style export. Its column names are
// not published; these are the human labels the UI shows.
type partnerCenter struct{}

const partnerCenterHeader = "Lead ID,Customer name,First name,Last name,Email address,Phone,Country/region,Job title," +
	"Offer,Offer ID,Call to action,Lead source,Created,Description\r\n"

func (partnerCenter) header(dst []byte) []byte { return append(dst, partnerCenterHeader...) }

func (partnerCenter) row(dst, scratch []byte, l *lead) ([]byte, []byte) {
	dst = appendGUID(dst, l.id)
	c := &l.cust
	for _, v := range [...]string{c.company, c.first, c.last, c.email, c.phone, c.country, c.title, l.offerTitle} {
		dst = append(dst, ',')
		dst = appendCSV(dst, v)
	}
	dst = append(dst, ',')
	if l.offer != nil {
		dst = appendCSV(dst, l.offer.id)
	}
	dst = append(dst, ',')
	dst = append(dst, callToAction(l)...)
	dst = append(dst, ',')
	// Lead source holds the full Source-Action|Offer string, so the action
	// survives even where the UI has no label for it (DNC).
	dst = appendLeadSource(dst, l, false, true)
	dst = append(dst, ',')
	t := time.Unix(l.created, 0).UTC()
	dst = appendISO(dst, t)
	dst = append(dst, ',')
	dst = appendCSV(dst, l.desc)
	dst = append(dst, "\r\n"...)
	return dst, scratch
}

// callToAction maps an action to Partner Center's button label. A DNC has no
// button of its own and is left blank.
func callToAction(l *lead) string {
	switch l.action {
	case actINS, actCreate:
		if l.trial {
			return "Free trial"
		}
		return "Get it now"
	case actTD:
		return "Test drive"
	case actPLT:
		return "Contact me"
	}
	return ""
}

// appendLeadSource writes Source-Action|Offer or the bare source. Sources,
// actions and offer ids hold no character that needs CSV or JSON escaping;
// csv asks for a check anyway, in case the tables ever gain one.
func appendLeadSource(dst []byte, l *lead, webhook, csv bool) []byte {
	start := len(dst)
	dst = append(dst, l.source...)
	if !(l.sourceOnly || (webhook && l.webhookSourceOnly) || l.offer == nil) {
		dst = append(dst, '-')
		dst = append(dst, l.action...)
		dst = append(dst, '|')
		dst = append(dst, l.offer.id...)
	}
	if csv && needsQuotes(string(dst[start:])) {
		s := string(dst[start:])
		dst = appendCSVQuoted(dst[:start], []byte(s))
	}
	return dst
}

// appendCustomerJSON writes CustomerInfo compactly in Microsoft's key order.
func appendCustomerJSON(dst []byte, c *customer) []byte {
	keys := [...]string{`{"FirstName":`, `,"LastName":`, `,"Email":`, `,"Phone":`, `,"Country":`, `,"Company":`, `,"Title":`}
	for i, v := range [...]string{c.first, c.last, c.email, c.phone, c.country, c.company, c.title} {
		dst = append(dst, keys[i]...)
		dst = appendJSONString(dst, v)
	}
	return append(dst, '}')
}

// appendJSONString writes s as a JSON string. Non-ASCII stays raw UTF-8, as
// in Microsoft's payloads; only what JSON requires is escaped.
func appendJSONString(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	last := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		dst = append(dst, s[last:i]...)
		switch c {
		case '"', '\\':
			dst = append(dst, '\\', c)
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		default:
			dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		}
		last = i + 1
	}
	dst = append(dst, s[last:]...)
	return append(dst, '"')
}

// needsQuotes follows encoding/csv's rule, so that the output is quoted
// exactly where csv.Writer would quote it (the samples agree: "Campaigns: "
// with its trailing space is bare).
func needsQuotes(s string) bool {
	if s == "" {
		return false
	}
	if s == `\.` {
		return true
	}
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ',', '"', '\r', '\n':
			return true
		}
	}
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsSpace(r)
}

// appendCSV writes one CSV field, quoting only when needed.
func appendCSV(dst []byte, s string) []byte {
	if !needsQuotes(s) {
		return append(dst, s...)
	}
	dst = append(dst, '"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			dst = append(dst, '"')
		}
		dst = append(dst, s[i])
	}
	return append(dst, '"')
}

// appendCSVQuoted writes b as a quoted CSV field, doubling its quotes.
func appendCSVQuoted(dst, b []byte) []byte {
	dst = append(dst, '"')
	for _, c := range b {
		if c == '"' {
			dst = append(dst, '"')
		}
		dst = append(dst, c)
	}
	return append(dst, '"')
}

// appendGUID writes 128 bits in the 8-4-4-4-12 form of a .NET Guid.
func appendGUID(dst []byte, id [2]uint64) []byte {
	const hex = "0123456789abcdef"
	var b [36]byte
	j := 0
	for half := 0; half < 2; half++ {
		v := id[half]
		for n := 0; n < 16; n++ {
			if j == 8 || j == 13 || j == 18 || j == 23 {
				b[j] = '-'
				j++
			}
			b[j] = hex[v>>60]
			v <<= 4
			j++
		}
	}
	return append(dst, b[:]...)
}

// appendTimestamp writes the table Timestamp, created plus stamp ticks, as
// RFC 3339 with seven fractional digits like 2026-11-02T08:14:09.1234567Z.
func appendTimestamp(dst []byte, created, stamp int64) []byte {
	sec := created + stamp/1e7
	frac := stamp % 1e7
	dst = appendISODate(dst, time.Unix(sec, 0).UTC())
	dst = append(dst, '.')
	for div := int64(1e6); div > 0; div /= 10 {
		dst = append(dst, byte('0'+frac/div%10))
	}
	return append(dst, 'Z')
}

// appendISO writes t as 2006-01-02T15:04:05Z.
func appendISO(dst []byte, t time.Time) []byte {
	return append(appendISODate(dst, t), 'Z')
}

// appendISODate writes 2006-01-02T15:04:05 without a zone.
func appendISODate(dst []byte, t time.Time) []byte {
	y, mo, d := t.Date()
	h, mi, s := t.Clock()
	dst = strconv.AppendInt(dst, int64(y), 10)
	dst = append(dst, '-')
	dst = append2(dst, int(mo))
	dst = append(dst, '-')
	dst = append2(dst, d)
	dst = append(dst, 'T')
	dst = append2(dst, h)
	dst = append(dst, ':')
	dst = append2(dst, mi)
	dst = append(dst, ':')
	return append2(dst, s)
}

// appendUSTime writes .NET's en-US general format, 11/2/2026 8:14:05 AM,
// exactly as the store expects to find it in a Storage Explorer export.
func appendUSTime(dst []byte, t time.Time) []byte { return store.AppendCreatedTime(dst, t) }

// append2 writes a zero-padded two-digit number.
func append2(dst []byte, n int) []byte {
	return append(dst, byte('0'+n/10), byte('0'+n%10))
}
