package config

import (
	"fmt"
	"strings"

	"github.com/leads-inbox/leads/store"
)

// DefaultTeamTable is the Azure table a team shares when [team] names
// none. It is never Microsoft's own MarketplaceLeads table.
const DefaultTeamTable = "LeadsTeam"

// Team is the [team] table: the rep's name and address as the team sees
// them, and which table of the storage account the team shares. The
// credentials (connection_string or sas_url, the same forms as [azure])
// are secrets: the config reader only notes which are set, and the team
// sync reads them itself, as sync does for [azure].
type Team struct {
	// Name is the rep's name as claims and history show it (cleaned,
	// at most store.MaxRepName bytes).
	Name string
	// Email is the rep's address, shown to the team beside the name.
	Email string
	// Table is the shared table (DefaultTeamTable when not set).
	Table string
	// CredentialsSet lists which credential keys [team] sets, never
	// their values.
	CredentialsSet []string
}

// On reports whether the rep works in a team: [team] gives a name and
// credentials.
func (t Team) On() bool {
	for _, k := range t.CredentialsSet {
		if k != "secret" {
			return t.Name != ""
		}
	}
	return false
}

// Me is the name claims are made with: the [team] name, else the local
// user's name, so a rep working alone can still mark what is theirs.
func (c *Config) Me(getenv func(string) string) string {
	if c.Team.Name != "" {
		return c.Team.Name
	}
	if getenv != nil {
		if u := store.CleanRepName(getenv("USER")); u != "" {
			return u
		}
	}
	return "me"
}

func (r reader) team(v any) {
	t, ok := r.table(v, r.at.table("team"), "team")
	if !ok {
		return
	}
	known := []string{"name", "email", "table", "connection_string", "sas_url", "secret"}
	tm := &r.c.Team
	for _, k := range sortedKeys(t) {
		line := r.at.key("team", k)
		switch k {
		case "connection_string", "sas_url", "secret":
			// Never the value: it is a secret (secret keys the hash
			// that names a contact's rows in the team table).
			if _, ok := r.str(t[k], line, "[team] "+k); ok {
				tm.CredentialsSet = append(tm.CredentialsSet, k)
			}
		case "name":
			if s, ok := r.str(t[k], line, "[team] name"); ok {
				if n := store.CleanRepName(s); n != "" {
					tm.Name = n
				} else {
					r.c.problem(line, "[team] name is empty: give the name your team knows you by")
				}
			}
		case "email":
			if s, ok := r.str(t[k], line, "[team] email"); ok {
				s = strings.TrimSpace(s)
				if !strings.Contains(s, "@") || len(s) > 254 {
					r.c.problem(line, "[team] email is not an address like ana@example.com")
					continue
				}
				tm.Email = s
			}
		case "table":
			if s, ok := r.str(t[k], line, "[team] table"); ok {
				s = strings.TrimSpace(s)
				if strings.EqualFold(s, "MarketplaceLeads") {
					r.c.problem(line, "[team] table must not be MarketplaceLeads, Microsoft's own table: leave it out to use "+DefaultTeamTable)
					continue
				}
				if !validTable(s) {
					r.c.problem(line, fmt.Sprintf("[team] table %q is not a table name (3-63 letters and digits, starting with a letter)", clean(s)))
					continue
				}
				tm.Table = s
			}
		default:
			r.unknown(line, "team", k, known)
		}
	}
	if tm.Table == "" {
		tm.Table = DefaultTeamTable
	}
}

// validTable reports whether s follows Azure's table-name rule.
func validTable(s string) bool {
	if len(s) < 3 || len(s) > 63 {
		return false
	}
	for i, r := range s {
		letter := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
		if !letter && (i == 0 || r < '0' || r > '9') {
			return false
		}
	}
	return true
}
