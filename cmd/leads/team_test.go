package main

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/data/aztables"
	"github.com/leads-inbox/leads/importer/azuretable/azuritetest"
	"github.com/leads-inbox/leads/importer/team"
	"github.com/leads-inbox/leads/store"
	"github.com/leads-inbox/leads/tui"
)

// TestTeamCommands: two reps with their own database and config share a
// change through the team table with the ordinary commands: team init
// creates the table and prints the secret for the others; mark queues;
// leads sync brings the leads and pushes and pulls the team's changes,
// in one line each; team status shows the queue; a forget while the
// account is unreachable says its team rows wait, and the next sync
// deletes them.
func TestTeamCommands(t *testing.T) {
	srv := azuritetest.Start(t)
	leadsTable := seedTable(t, srv, 5)
	proxy := azuritetest.NewProxy(t, srv)
	rep := func(name string) *syncEnv {
		e := newSyncEnv(t)
		cfg := filepath.Join(e.vars["XDG_CONFIG_HOME"], "leads", "config.toml")
		if err := os.MkdirAll(filepath.Dir(cfg), 0o700); err != nil {
			t.Fatal(err)
		}
		body := "[team]\nname = \"" + name + "\"\ntable = \"TeamCmd\"\nsecret = \"s3cret-for-tests\"\nconnection_string = \"" + proxy.ConnectionString() + "\"\n"
		if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		e.vars["LEADS_AZURE_CONNECTION_STRING"] = srv.ConnectionString()
		e.vars["LEADS_TEAM_FAST_RETRY"] = "1"
		return e
	}
	ana, ben := rep("Ana"), rep("Ben")
	if code := ana.run("team", "init"); code != 0 || !strings.Contains(ana.stdout.String(), "ready") || !strings.Contains(ana.stdout.String(), "raud") {
		t.Fatalf("team init: %d %s %s", code, ana.stdout.String(), ana.stderr.String())
	}
	for _, e := range []*syncEnv{ana, ben} {
		if code := e.run("sync", "--table", leadsTable); code != 0 || !strings.Contains(e.stdout.String(), "team: pushed 0 changes, pulled 0") {
			t.Fatalf("first sync: %d %s %s", code, e.stdout.String(), e.stderr.String())
		}
	}
	if code := ana.run("mark", "bo1@contoso.com", "--status", "qualified"); code != 0 {
		t.Fatalf("mark: %s", ana.stderr.String())
	}
	if code := ana.run("team", "status"); code != 0 || !strings.Contains(ana.stdout.String(), "queued: 1 change") {
		t.Fatalf("status: %s %s", ana.stdout.String(), ana.stderr.String())
	}
	if code := ana.run("sync", "--table", leadsTable); code != 0 || !strings.Contains(ana.stdout.String(), "team: pushed 1 change, pulled 0") {
		t.Fatalf("Ana's sync: %s %s", ana.stdout.String(), ana.stderr.String())
	}
	if code := ben.run("team", "sync"); code != 0 || !strings.Contains(ben.stdout.String(), "team: pushed 0 changes, pulled 1") {
		t.Fatalf("Ben's sync: %s %s", ben.stdout.String(), ben.stderr.String())
	}
	if code := ben.run("show", "bo1@contoso.com"); code != 0 || !strings.Contains(ben.stdout.String(), "qualified") {
		t.Fatalf("Ben does not see Ana's status: %s", ben.stdout.String())
	}

	down := func(int, *http.Request) azuritetest.Action { return azuritetest.Drop() }
	proxy.SetFault(down)
	proxy.SetRequestFault(down)
	if code := ana.run("forget", "bo1@contoso.com", "--yes"); code != 0 || !strings.Contains(ana.stdout.String(), "queued, and the next 'leads sync' finishes it") {
		t.Fatalf("offline forget: %d %s %s", code, ana.stdout.String(), ana.stderr.String())
	}
	if code := ana.run("team", "sync"); code == 0 || !strings.Contains(ana.stderr.String(), "1 deletion wait") {
		t.Fatalf("offline sync: %d %s", code, ana.stderr.String())
	}
	proxy.SetFault(nil)
	proxy.SetRequestFault(nil)
	if code := ana.run("team", "sync"); code != 0 || !strings.Contains(ana.stdout.String(), "deleted the rows of 1 forgotten person") {
		t.Fatalf("sync after: %s %s", ana.stdout.String(), ana.stderr.String())
	}
	pk := team.Partition("s3cret-for-tests", "bo1@contoso.com")
	filter := "PartitionKey eq '" + pk + "'"
	pager := srv.Service().NewClient("TeamCmd").NewListEntitiesPager(&aztables.ListEntitiesOptions{Filter: &filter})
	for pager.More() {
		page, err := pager.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Entities) > 0 {
			t.Fatalf("the forgotten person's team rows remain: %d", len(page.Entities))
		}
	}
}

// TestInboxTeamRound: the round the open inbox runs after each change
// pushes the rep's change at once and pulls the others'; when two reps
// set the same field, the one whose change was earlier is told, in one
// line naming the contact, the other rep and what they set.
func TestInboxTeamRound(t *testing.T) {
	srv := azuritetest.Start(t)
	leadsTable := seedTable(t, srv, 5)
	ana, ben := teamRep(t, srv, "TeamInbox", leadsTable, "Ana"), teamRep(t, srv, "TeamInbox", leadsTable, "Ben")
	round := func(r *syncEnv, change func(s *store.Store, id string) error) tui.TeamResult {
		t.Helper()
		s := openDB(t, r.db)
		defer s.Close()
		e := &env{stdin: strings.NewReader(""), stdout: &r.stdout, stderr: &r.stderr, now: time.Now,
			getenv: func(k string) string { return r.vars[k] }, dbPath: r.db}
		if change != nil {
			if err := change(s, store.ContactIDForEmail("bo2@contoso.com")); err != nil {
				t.Fatal(err)
			}
		}
		res, err := teamRound(e, s)(context.Background())
		if err != nil {
			t.Fatalf("round: %v", err)
		}
		return res
	}
	if r := round(ana, func(s *store.Store, id string) error {
		_, err := s.Claim(id, "Ana", false, time.Now())
		return err
	}); r.Pushed != 1 || r.Queued != 0 {
		t.Fatalf("Ana's round: %+v", r)
	}
	if r := round(ben, nil); r.Pulled != 1 {
		t.Fatalf("Ben's round: %+v", r)
	}
	// Both set a status; Ben's is the later change but Ana's round runs
	// after his: his stands, and she is told.
	at := time.Now()
	sa := openDB(t, ana.db)
	if _, err := sa.SetStatus(store.ContactIDForEmail("bo2@contoso.com"), store.StatusEngaged, "", at); err != nil {
		t.Fatal(err)
	}
	sa.Close()
	round(ben, func(s *store.Store, id string) error {
		_, err := s.SetStatus(id, store.StatusWon, "", at.Add(time.Second))
		return err
	})
	r := round(ana, nil)
	if len(r.Conflicts) != 1 || !strings.Contains(r.Conflicts[0], "Bo Li: Ben set won") {
		t.Fatalf("Ana's conflicts: %+v", r)
	}
	s := openDB(t, ana.db)
	defer s.Close()
	tr, err := s.Triage(store.ContactIDForEmail("bo2@contoso.com"))
	if err != nil || tr.Status != store.StatusWon || tr.Owner != "Ana" {
		t.Fatalf("Ana's contact after the rounds: %+v %v", tr, err)
	}
}

// teamRep is a rep with their own database and [team] config on table,
// joined (team init) and synced with the leads of leadsTable.
func teamRep(t *testing.T, srv *azuritetest.Server, table, leadsTable, name string) *syncEnv {
	t.Helper()
	e := newSyncEnv(t)
	cfg := filepath.Join(e.vars["XDG_CONFIG_HOME"], "leads", "config.toml")
	if err := os.MkdirAll(filepath.Dir(cfg), 0o700); err != nil {
		t.Fatal(err)
	}
	body := "[team]\nname = \"" + name + "\"\ntable = \"" + table + "\"\nsecret = \"s3cret-for-tests\"\nconnection_string = \"" + srv.ConnectionString() + "\"\n"
	if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	e.vars["LEADS_AZURE_CONNECTION_STRING"] = srv.ConnectionString()
	e.vars["LEADS_TEAM_FAST_RETRY"] = "1"
	if code := e.run("team", "init"); code != 0 {
		t.Fatalf("team init: %s", e.stderr.String())
	}
	if code := e.run("sync", "--table", leadsTable); code != 0 {
		t.Fatalf("sync: %s", e.stderr.String())
	}
	return e
}

// TestWatchDoesTheTeamPart: with [team] set, each 'leads watch' round
// pushes the changes queued by 'leads mark' and pulls the others', and
// says so in its line.
func TestWatchDoesTheTeamPart(t *testing.T) {
	srv := azuritetest.Start(t)
	leadsTable := seedTable(t, srv, 5)
	ana, ben := teamRep(t, srv, "TeamWatch", leadsTable, "Ana"), teamRep(t, srv, "TeamWatch", leadsTable, "Ben")
	if code := ana.run("mark", "bo3@contoso.com", "--claim"); code != 0 {
		t.Fatalf("mark: %s", ana.stderr.String())
	}
	if code := ana.run("watch", "--table", leadsTable, "--once", "--notify=none"); code != 0 || !strings.Contains(ana.stdout.String(), "team: pushed 1 change") {
		t.Fatalf("Ana's watch: %d %q %q", code, ana.stdout.String(), ana.stderr.String())
	}
	if code := ben.run("watch", "--table", leadsTable, "--once", "--notify=none"); code != 0 || !strings.Contains(ben.stdout.String(), "pulled 1") {
		t.Fatalf("Ben's watch: %d %q %q", code, ben.stdout.String(), ben.stderr.String())
	}
	if code := ben.run("list", "--owner", "Ana"); code != 0 || !strings.Contains(ben.stdout.String(), "bo3@contoso.com") {
		t.Fatalf("Ben does not see Ana's claim: %s %s", ben.stdout.String(), ben.stderr.String())
	}
}

// TestInboxTeamRoundOffline: with the account unreachable the inbox's
// round fails (soon: it retries twice, not the SDK's forty seconds),
// says how many changes wait, and keeps them queued for the next round.
func TestInboxTeamRoundOffline(t *testing.T) {
	srv := azuritetest.Start(t)
	leadsTable := seedTable(t, srv, 5)
	ana := teamRep(t, srv, "TeamOffline", leadsTable, "Ana")
	cfg := filepath.Join(ana.vars["XDG_CONFIG_HOME"], "leads", "config.toml")
	proxy := azuritetest.NewProxy(t, srv)
	b, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cfg, []byte(strings.Replace(string(b), srv.ConnectionString(), proxy.ConnectionString(), 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	delete(ana.vars, "LEADS_TEAM_FAST_RETRY") // the inbox's own retry policy
	down := func(int, *http.Request) azuritetest.Action { return azuritetest.Drop() }
	proxy.SetFault(down)
	proxy.SetRequestFault(down)
	s := openDB(t, ana.db)
	defer s.Close()
	if _, err := s.Claim(store.ContactIDForEmail("bo2@contoso.com"), "Ana", false, time.Now()); err != nil {
		t.Fatal(err)
	}
	e := &env{stdin: strings.NewReader(""), stdout: &ana.stdout, stderr: &ana.stderr, now: time.Now,
		getenv: func(k string) string { return ana.vars[k] }, dbPath: ana.db}
	r, err := teamRound(e, s)(context.Background())
	if err == nil || r.Queued != 1 || r.Pushed != 0 {
		t.Fatalf("offline round: %+v %v", r, err)
	}
	if strings.Contains(err.Error(), "AccountKey") || strings.Contains(err.Error(), "\n") {
		t.Fatalf("offline error: %q", err)
	}
	proxy.SetFault(nil)
	proxy.SetRequestFault(nil)
	if r, err = teamRound(e, s)(context.Background()); err != nil || r.Pushed != 1 || r.Queued != 0 {
		t.Fatalf("the round back online: %+v %v", r, err)
	}
}
