package config

import (
	"fmt"
	"strings"
	"testing"
)

// TestConfigTeam: [team] gives the rep's name (cleaned), address and
// table (LeadsTeam by default); the credentials are noted, never kept;
// Microsoft's own table and bad names are problems on their lines.
func TestConfigTeam(t *testing.T) {
	p := write(t, `[team]
name = " Ana\u001b[31m "
email = "ana@example.com"
sas_url = "https://acct.table.core.windows.net/LeadsTeam?sig=SECRET"
table = "MarketplaceLeads"
`)
	c, err := Load(p, env())
	if err != nil {
		t.Fatal(err)
	}
	tm := c.Team
	if tm.Name != "Ana" || tm.Email != "ana@example.com" || tm.Table != DefaultTeamTable || !tm.On() || c.Me(env()) != "Ana" {
		t.Fatalf("team: %+v", tm)
	}
	var all []string
	for _, pr := range c.Problems {
		all = append(all, pr.String())
	}
	got := strings.Join(all, "\n")
	if !strings.Contains(got, "line 5: [team] table must not be MarketplaceLeads") || strings.Contains(got, "SECRET") {
		t.Fatalf("problems: %s", got)
	}

	p = write(t, "[team]\nname = \"\u200b\"\ntable = \"1bad\"\nemail = \"nope\"\n")
	if c, err = Load(p, env("USER", "rep7")); err != nil {
		t.Fatal(err)
	}
	if c.Team.On() || c.Me(env("USER", "rep7")) != "rep7" || len(c.Problems) != 3 {
		t.Fatalf("bad [team]: %+v %v", c.Team, c.Problems)
	}
}

// TestConfigTeamSecret: [team] secret (the key of the team's partition
// hash) is a known key, noted and never kept; a secret without a
// connection string or SAS does not put the rep in a team.
func TestConfigTeamSecret(t *testing.T) {
	p := write(t, "[team]\nname = \"Ana\"\nsecret = \"TOPSECRET\"\n")
	c, err := Load(p, env())
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Problems) != 0 || c.Team.On() || strings.Join(c.Team.CredentialsSet, ",") != "secret" {
		t.Fatalf("team: %+v %v", c.Team, c.Problems)
	}
	if strings.Contains(fmt.Sprintf("%+v", c), "TOPSECRET") {
		t.Fatal("the secret is kept in the config")
	}
}
