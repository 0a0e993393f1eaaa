package importer

import (
	"strings"

	"github.com/leads-inbox/leads/store"
)

// leadBuilder assembles a lead from named values whose roles are known, the
// same way for CSV columns and JSON keys. Customer fields given directly win
// over the same field inside CustomerInfo or UserDetails, whatever the
// order.
type leadBuilder struct {
	l       *store.Lead // built in place: a lead is large to copy
	nested  store.Customer
	created string
	full    string
	// warnings go to sink at line:col; an interface rather than a closure,
	// which would cost an allocation per row
	sink      warner
	line, col int
	// valid says every value given to set is valid UTF-8.
	valid bool
}

// warner takes a warning about the lead being built.
type warner interface {
	problem(line, col int, sev Severity, reason string)
}

func (b *leadBuilder) warn(reason string) { b.sink.problem(b.line, b.col, Warning, reason) }

// set gives value v of the field called name the meaning r.
func (b *leadBuilder) set(r role, name, v string) {
	l := b.l
	switch r {
	case roleExtra:
		if v != "" {
			l.Extra = append(l.Extra, store.Field{Name: name, Value: v})
		}
	case rolePartitionKey:
		l.Origin.PartitionKey = v
	case roleRowKey:
		l.Origin.RowKey = v
	case roleTimestamp:
		if t, ok := ParseTime(v); ok {
			l.Timestamp = t
		} else if strings.TrimSpace(v) != "" {
			b.warn(name + ": unrecognised time " + quoteValue(v))
		}
	case roleLeadSource:
		l.LeadSource = v
	case roleAction:
		l.ActionCode = v
	case roleCreated:
		b.created = v
	case roleCustomerInfo:
		b.customerText(v, "CustomerInfo.")
	case roleUserDetails:
		b.customerText(v, "UserDetails.")
	case roleDescription:
		l.Description = v
	case roleOfferName:
		l.OfferName = v
	case roleOfferID:
		l.OfferID = v
	case roleFullName:
		b.full = v
	default:
		setCustomer(&l.Customer, r, v)
	}
}

// customerText reads a CustomerInfo-style JSON string; when it is broken the
// fields before the damage are kept and the problem becomes a warning.
func (b *leadBuilder) customerText(v, prefix string) {
	c, extra, err := parseCustomerObject(v, prefix, b.valid)
	mergeCustomer(&b.nested, c)
	b.l.Extra = append(b.l.Extra, extra...)
	if err != nil {
		b.warn(err.Error() + "; the rest of the lead is imported")
	}
}

// customerMembers takes customer fields from an already parsed JSON object
// (a webhook's UserDetails).
func (b *leadBuilder) customerMembers(members []jsonMember, prefix string) {
	var c store.Customer
	b.l.Extra = customerFromMembers(&c, members, prefix, b.l.Extra)
	mergeCustomer(&b.nested, c)
}

// finish resolves what depends on several fields and runs Complete.
func (b *leadBuilder) finish() {
	l := b.l
	mergeCustomer(&l.Customer, b.nested)
	setFullName(&l.Customer, b.full)
	if created := strings.TrimSpace(b.created); created != "" {
		if t, ok := ParseTime(created); ok {
			l.Created = t
		} else {
			b.warn("unrecognised creation time " + quoteValue(created))
		}
	}
	Complete(l)
}

// mergeCustomer fills the empty fields of c from ci.
func mergeCustomer(c *store.Customer, ci store.Customer) {
	fill := func(dst *string, v string) {
		if *dst == "" {
			*dst = v
		}
	}
	fill(&c.FirstName, ci.FirstName)
	fill(&c.LastName, ci.LastName)
	fill(&c.Email, ci.Email)
	fill(&c.Phone, ci.Phone)
	fill(&c.Country, ci.Country)
	fill(&c.Company, ci.Company)
	fill(&c.Title, ci.Title)
}
