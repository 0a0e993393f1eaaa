package azuretable

import (
	"encoding/json"
	"errors"
	"strings"

	"github.com/leads-inbox/leads/importer"
	"github.com/leads-inbox/leads/store"
)

// The six properties Partner Center writes (lead-formats.md §5), plus the
// three every entity has.
const (
	propPartitionKey     = "PartitionKey"
	propRowKey           = "RowKey"
	propTimestamp        = "Timestamp"
	propActionCode       = "ActionCode"
	propCreatedTime      = "CreatedTime"
	propCustomerInfo     = "CustomerInfo"
	propDescription      = "Description"
	propLeadSource       = "LeadSource"
	propOfferDisplayName = "OfferDisplayName"
)

var (
	errNotObject = errors.New("entity is not a JSON object")
	errBadPage   = errors.New("the service sent a page that is not a JSON entity list")
)

// pageEntities splits a query response, {"odata.metadata":...,"value":[...]},
// into its entities' JSON texts, which alias body.
func pageEntities(body []byte) ([][]byte, error) {
	var out [][]byte
	found := false
	err := members(body, func(key string, val []byte) error {
		if key != "value" {
			return nil
		}
		found = true
		i := skipSpace(val, 0)
		if i >= len(val) || val[i] != '[' {
			return errBadPage
		}
		i = skipSpace(val, i+1)
		if i < len(val) && val[i] == ']' {
			return nil
		}
		for i < len(val) {
			end, ok := skipValue(val, i)
			if !ok {
				return errBadPage
			}
			out = append(out, val[i:end])
			i = skipSpace(val, end)
			if i < len(val) && val[i] == ']' {
				return nil
			}
			if i >= len(val) || val[i] != ',' {
				return errBadPage
			}
			i = skipSpace(val, i+1)
		}
		return errBadPage
	})
	if err != nil || !found {
		return nil, errBadPage
	}
	return out, nil
}

// entityLead turns one entity, as the JSON object aztables hands out, into a
// lead. Problems that do not stop the lead (CustomerInfo that is not JSON, an
// unreadable CreatedTime) go to warn; an error means the entity could not be
// read at all.
//
// Raw holds every property except OData metadata and type annotations, in
// the order Storage Explorer exports them (PartitionKey, RowKey, Timestamp,
// then the rest as received, which aztables sorts by name), with non-string
// values as their JSON text. Properties other than the documented ones go to
// Extra the same way, so nothing Microsoft adds later is lost.
func entityLead(b []byte, account, table string, warn func(string)) (store.Lead, error) {
	l := store.Lead{Origin: store.Origin{Account: account, Table: table}}
	var pk, rk, ts, created, customer string
	var hasPK, hasRK, hasTS, hasCustomer bool
	rest := make([]store.Field, 0, 8)
	err := members(b, func(key string, val []byte) error {
		if strings.HasPrefix(key, "odata.") || strings.Contains(key, "@odata.") {
			return nil
		}
		v, err := valueText(val)
		if err != nil {
			return err
		}
		switch key {
		case propPartitionKey:
			pk, hasPK = v, true
			return nil
		case propRowKey:
			rk, hasRK = v, true
			return nil
		case propTimestamp:
			ts, hasTS = v, true
			return nil
		case propActionCode:
			l.ActionCode = v
		case propCreatedTime:
			created = v
		case propCustomerInfo:
			customer, hasCustomer = v, true
		case propDescription:
			l.Description = v
		case propLeadSource:
			l.LeadSource = v
		case propOfferDisplayName:
			l.OfferName = v
		default:
			if v != "" {
				l.Extra = append(l.Extra, store.Field{Name: key, Value: v})
			}
		}
		rest = append(rest, store.Field{Name: key, Value: v})
		return nil
	})
	if err != nil {
		return l, err
	}
	l.Origin.PartitionKey, l.Origin.RowKey = pk, rk
	if !l.HasTableKey() {
		return l, errors.New("entity has no PartitionKey and RowKey")
	}
	where := func() string {
		return importer.Sanitize(pk, 60) + " / " + importer.Sanitize(rk, 60) + ": "
	}

	l.Raw = make([]store.Field, 0, len(rest)+3)
	if hasPK {
		l.Raw = append(l.Raw, store.Field{Name: propPartitionKey, Value: pk})
	}
	if hasRK {
		l.Raw = append(l.Raw, store.Field{Name: propRowKey, Value: rk})
	}
	if hasTS {
		l.Raw = append(l.Raw, store.Field{Name: propTimestamp, Value: ts})
		if t, ok := importer.ParseTime(ts); ok {
			l.Timestamp = t
		} else {
			warn(where() + "unrecognised Timestamp " + quote(ts))
		}
	}
	l.Raw = append(l.Raw, rest...)

	if hasCustomer {
		c, extra, err := importer.ParseCustomerInfo(customer)
		l.Customer = c
		l.Extra = append(l.Extra, extra...)
		if err != nil {
			warn(where() + importer.Sanitize(err.Error(), 300) + "; the rest of the lead is imported")
		}
	}
	if strings.TrimSpace(created) != "" {
		if t, ok := importer.ParseTime(created); ok {
			l.Created = t
		} else {
			warn(where() + "unrecognised CreatedTime " + quote(created) + "; using the date in the PartitionKey")
		}
	}
	importer.Complete(&l)
	return l, nil
}

func quote(s string) string { return `"` + importer.Sanitize(s, 60) + `"` }

// valueText is a property's value as text: strings unquoted, anything else
// (numbers, booleans, and the odd nested value) as its JSON text.
func valueText(val []byte) (string, error) {
	if len(val) == 0 {
		return "", nil
	}
	switch val[0] {
	case '"':
		inner := val[1 : len(val)-1]
		if !containsByte(inner, '\\') {
			return string(inner), nil
		}
		var s string
		if err := json.Unmarshal(val, &s); err != nil {
			return "", err
		}
		return s, nil
	case 'n':
		return "", nil // null
	}
	return string(val), nil
}

func containsByte(b []byte, c byte) bool {
	for _, x := range b {
		if x == c {
			return true
		}
	}
	return false
}

// members calls fn with each top-level member of the JSON object b, in
// order, with the value as its raw JSON text. It walks the bytes instead of
// decoding into a map: the order is kept and a page of a thousand entities
// costs no map allocations. Input comes from encoding/json, so it is valid;
// anything else is reported, not guessed at.
func members(b []byte, fn func(key string, val []byte) error) error {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return errNotObject
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return nil
	}
	for {
		if i >= len(b) || b[i] != '"' {
			return errNotObject
		}
		end, ok := skipString(b, i)
		if !ok {
			return errNotObject
		}
		key, err := valueText(b[i:end])
		if err != nil {
			return err
		}
		i = skipSpace(b, end)
		if i >= len(b) || b[i] != ':' {
			return errNotObject
		}
		i = skipSpace(b, i+1)
		vend, ok := skipValue(b, i)
		if !ok {
			return errNotObject
		}
		if err := fn(key, b[i:vend]); err != nil {
			return err
		}
		i = skipSpace(b, vend)
		if i >= len(b) {
			return errNotObject
		}
		if b[i] == '}' {
			return nil
		}
		if b[i] != ',' {
			return errNotObject
		}
		i = skipSpace(b, i+1)
	}
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the index after the string starting at b[i] == '"'.
func skipString(b []byte, i int) (int, bool) {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1, true
		}
	}
	return 0, false
}

// skipValue returns the index after the value starting at b[i].
func skipValue(b []byte, i int) (int, bool) {
	if i >= len(b) {
		return 0, false
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				end, ok := skipString(b, j)
				if !ok {
					return 0, false
				}
				j = end - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1, true
				}
			}
		}
		return 0, false
	}
	j := i
	for j < len(b) && b[j] != ',' && b[j] != '}' && b[j] != ']' && b[j] != ' ' && b[j] != '\n' && b[j] != '\t' && b[j] != '\r' {
		j++
	}
	return j, j > i
}
