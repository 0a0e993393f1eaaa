package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// filterLeadsDB imports webhook leads: Mia installed from Azure
// Marketplace (country US) and pressed Contact me on AppSource (USA); Bo
// pressed Contact me on Azure Marketplace (United States); Jürgen, with a
// long address, took a Test Drive on AppSource (DE).
func filterLeadsDB(t *testing.T) string {
	t.Helper()
	long := "juergen.becker.with.a.very.long.address@sales.contoso-international.example"
	lines := []string{
		`{"UserDetails": {"FirstName": "Mia", "Email": "mia@x.example", "Country": "US"}, "LeadSource": "AzureMarketplace-INS|contoso.alpha", "ActionCode": "INS", "OfferTitle": "Alpha", "Description": "one"}`,
		`{"UserDetails": {"FirstName": "Mia", "Email": "mia@x.example", "Country": "USA"}, "LeadSource": "AppSource (SPZA)-PLT|contoso.beta", "ActionCode": "PLT", "OfferTitle": "Beta", "Description": "two"}`,
		`{"UserDetails": {"FirstName": "Bo", "Email": "bo@x.example", "Country": "United States"}, "LeadSource": "AzureMarketplace-PLT|contoso.alpha", "ActionCode": "PLT", "OfferTitle": "Alpha", "Description": "three"}`,
		`{"UserDetails": {"FirstName": "Jürgen", "LastName": "Becker", "Email": "` + long + `", "Country": "DE"}, "LeadSource": "AppSource (SPZA)-StartTestDrive|contoso.beta", "ActionCode": "StartTestDrive", "OfferTitle": "Beta", "Description": "four"}`,
	}
	p := filepath.Join(t.TempDir(), "leads.ndjson")
	if err := os.WriteFile(p, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	db := tempDB(t)
	if r := runCLI(t, db, "", "import", p); r.code != 0 {
		t.Fatalf("import: %d %q", r.code, r.stderr)
	}
	return db
}

// listNames runs list with args and returns the first names listed, sorted.
func listNames(t *testing.T, db string, args ...string) []string {
	t.Helper()
	r := runCLI(t, db, "", append([]string{"list", "--json"}, args...)...)
	if r.code != 0 {
		t.Fatalf("list %q: %d %q", args, r.code, r.stderr)
	}
	var out []string
	for _, ln := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		if ln == "" {
			continue
		}
		i := strings.Index(ln, `"first_name":"`)
		if i < 0 {
			t.Fatalf("no first name in %s", ln)
		}
		rest := ln[i+len(`"first_name":"`):]
		out = append(out, rest[:strings.IndexByte(rest, '"')])
	}
	slices.Sort(out)
	return out
}

// TestListFilterNamesAsTheInboxShows: list takes the inbox's names and
// Microsoft's codes in any case, several values of a flag, source and
// action within one lead, one country under any of its names, and folds
// accents in --q.
func TestListFilterNamesAsTheInboxShows(t *testing.T) {
	db := filterLeadsDB(t)
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--action", "Contact me"}, "Bo,Mia"},
		{[]string{"--action", "contact ME"}, "Bo,Mia"},
		{[]string{"--action", "PLT"}, "Bo,Mia"},
		{[]string{"--action", "Test Drive"}, "Jürgen"},
		{[]string{"--action", "Install", "--action", "Test Drive"}, "Jürgen,Mia"},
		{[]string{"--source", "Azure Marketplace", "--action", "Contact me"}, "Bo"},
		{[]string{"--source", "AppSource", "--action", "INS"}, ""},
		{[]string{"--source", "AzureMarketplace", "--offer", "contoso.beta"}, ""},
		{[]string{"--source", "appsource", "--offer", "Beta"}, "Jürgen,Mia"},
		{[]string{"--country", "USA"}, "Bo,Mia"},
		{[]string{"--country", "us"}, "Bo,Mia"},
		{[]string{"--country", "Germany", "--country", "United States"}, "Bo,Jürgen,Mia"},
		{[]string{"--q", "jurgen"}, "Jürgen"},
		{[]string{"--q", "JÜRGEN becker"}, "Jürgen"},
	}
	for _, c := range cases {
		if got := strings.Join(listNames(t, db, c.args...), ","); got != c.want {
			t.Errorf("list %q: %q, want %q", c.args, got, c.want)
		}
	}
}

// TestListRejectsUnknownValues: a source or action that names nothing is
// a usage error in one line that says what to type, not an empty list.
func TestListRejectsUnknownValues(t *testing.T) {
	db := filterLeadsDB(t)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"list", "--action", "Contact"}, "Contact me (PLT)"},
		{[]string{"list", "--source", "Marketplace"}, "Azure Marketplace (AzureMarketplace)"},
		{[]string{"export", "--action", "nope"}, "Install (INS)"},
		{[]string{"list", "--status", "new", "--status", "open"}, "won"},
	} {
		r := runCLI(t, db, "", c.args...)
		if r.code != exitUsage || !strings.Contains(r.stderr, c.want) || strings.Count(r.stderr, "\n") != 1 || r.stdout != "" && !strings.HasPrefix(r.stdout, "ID ") {
			t.Errorf("%q: %d %q %q", c.args, r.code, r.stdout, r.stderr)
		}
	}
}

// TestListWritesWholeValuesToAFile: written to a file or a pipe (not a
// terminal), list cuts no value to its column.
func TestListWritesWholeValuesToAFile(t *testing.T) {
	db := filterLeadsDB(t)
	r := runCLI(t, db, "", "list")
	if r.code != 0 || !strings.Contains(r.stdout, "juergen.becker.with.a.very.long.address@sales.contoso-international.example") || strings.Contains(r.stdout, "…") {
		t.Fatalf("list to a buffer cut a value: %d\n%s", r.code, r.stdout)
	}
	if got := cell("juergen.becker.with.a.very.long.address@x.example", 26, true); !strings.HasSuffix(got, "…") {
		t.Errorf("at a terminal the address is not cut: %q", got)
	}
}
