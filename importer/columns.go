package importer

import (
	"strings"

	"github.com/leads-inbox/leads/store"
)

// role is what a CSV column or a JSON key means for a lead.
type role uint8

const (
	roleExtra role = iota // unknown: kept in Lead.Extra
	rolePartitionKey
	roleRowKey
	roleTimestamp
	roleLeadSource
	roleAction
	roleCreated
	roleCustomerInfo
	roleUserDetails
	roleDescription
	roleOfferName
	roleOfferID
	roleFirstName
	roleLastName
	roleFullName
	roleEmail
	rolePhone
	roleCountry
	roleCompany
	roleTitle
)

// synonyms lists, per role, the names seen for it in Storage Explorer and
// Partner Center exports and in spreadsheets people make, normalised by
// normalizeName. Partner Center does not publish its column names, so the
// list is generous; within a role, earlier names win when a file has more
// than one of them (the loser is kept as an extra column).
var synonyms = []struct {
	role  role
	names []string
}{
	{rolePartitionKey, []string{"partitionkey"}},
	{roleRowKey, []string{"rowkey"}},
	{roleTimestamp, []string{"timestamp"}},
	{roleLeadSource, []string{"leadsource", "source"}},
	{roleAction, []string{"actioncode", "calltoaction", "action", "leadaction", "cta"}},
	{roleCreated, []string{"createdtime", "leadcreationdatetime", "created", "createdat", "createdon",
		"createddate", "createddatetime", "creationdate", "datecreated", "leadcreated", "leaddate", "date"}},
	{roleCustomerInfo, []string{"customerinfo"}},
	{roleUserDetails, []string{"userdetails"}},
	{roleDescription, []string{"description", "comments", "comment", "notes", "note", "message"}},
	{roleOfferName, []string{"offerdisplayname", "offertitle", "offername", "offer", "productname", "product"}},
	{roleOfferID, []string{"offerid", "productid"}},
	{roleFirstName, []string{"firstname", "givenname", "customerfirstname", "contactfirstname"}},
	{roleLastName, []string{"lastname", "surname", "familyname", "customerlastname", "contactlastname"}},
	{roleFullName, []string{"fullname", "contactname", "customerfullname"}},
	{roleEmail, []string{"email", "emailaddress", "customeremail", "customeremailaddress", "contactemail",
		"contactemailaddress", "mail"}},
	{rolePhone, []string{"phone", "phonenumber", "telephone", "telephonenumber", "mobile", "mobilephone",
		"customerphone", "contactphone"}},
	{roleCountry, []string{"country", "countryregion", "countryorregion", "customercountry"}},
	{roleCompany, []string{"company", "companyname", "customername", "organization", "organisation",
		"organizationname", "customercompany", "accountname"}},
	{roleTitle, []string{"title", "jobtitle", "customertitle", "position"}},
}

type roleRank struct {
	role role
	rank int
}

var roleByName = func() map[string]roleRank {
	m := map[string]roleRank{}
	for _, s := range synonyms {
		for i, n := range s.names {
			m[n] = roleRank{s.role, i}
		}
	}
	return m
}()

// normalizeName folds a header or key for matching: lower case, letters and
// digits only, so "First name", "first_name", "FirstName" and "Country/region"
// all meet their synonym.
func normalizeName(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case 'a' <= r && r <= 'z', '0' <= r && r <= '9':
			b.WriteRune(r)
		case 'A' <= r && r <= 'Z':
			b.WriteRune(r + 'a' - 'A')
		case r > 0x7f:
			b.WriteString(strings.ToLower(string(r)))
		}
	}
	return b.String()
}

// lookupRole returns the role of a header or key and its rank among the
// role's synonyms (0 is the canonical name).
func lookupRole(name string) (role, int) {
	rr, ok := roleByName[normalizeName(name)]
	if !ok {
		return roleExtra, 0
	}
	return rr.role, rr.rank
}

// customerRole maps a CustomerInfo or UserDetails key to a customer role, or
// roleExtra. The seven documented names are checked first without
// allocating, since this runs for every key of every row.
func customerRole(key string) role {
	switch len(key) {
	case 5:
		if strings.EqualFold(key, "Email") {
			return roleEmail
		} else if strings.EqualFold(key, "Phone") {
			return rolePhone
		} else if strings.EqualFold(key, "Title") {
			return roleTitle
		}
	case 7:
		if strings.EqualFold(key, "Country") {
			return roleCountry
		} else if strings.EqualFold(key, "Company") {
			return roleCompany
		}
	case 8:
		if strings.EqualFold(key, "LastName") {
			return roleLastName
		}
	case 9:
		if strings.EqualFold(key, "FirstName") {
			return roleFirstName
		}
	}
	r, _ := lookupRole(key)
	if r >= roleFirstName && r <= roleTitle {
		return r
	}
	return roleExtra
}

// setCustomer stores v in the customer field for r and reports whether r is
// a customer role. An empty v never overwrites a value already set, so a
// blank flat column does not erase what CustomerInfo said.
func setCustomer(c *store.Customer, r role, v string) bool {
	var p *string
	switch r {
	case roleFirstName:
		p = &c.FirstName
	case roleLastName:
		p = &c.LastName
	case roleEmail:
		p = &c.Email
	case rolePhone:
		p = &c.Phone
	case roleCountry:
		p = &c.Country
	case roleCompany:
		p = &c.Company
	case roleTitle:
		p = &c.Title
	default:
		return false
	}
	if v = strings.TrimSpace(v); v != "" || *p == "" {
		*p = v
	}
	return true
}

// setFullName splits a one-column name into first and last name when the
// file has no separate columns: the last word is the last name. That is
// wrong for some cultures, but the whole name stays in Raw.
func setFullName(c *store.Customer, full string) {
	full = strings.TrimSpace(full)
	if full == "" || c.FirstName != "" || c.LastName != "" {
		return
	}
	if i := strings.LastIndexByte(full, ' '); i > 0 {
		c.FirstName = strings.TrimSpace(full[:i])
		c.LastName = full[i+1:]
		return
	}
	c.FirstName = full
}
