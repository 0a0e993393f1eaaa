package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/leads-inbox/leads/importer/azuretable"
	"github.com/leads-inbox/leads/importer/team"
	"github.com/leads-inbox/leads/store"
	"github.com/leads-inbox/leads/store/safetext"
	"github.com/leads-inbox/leads/tui"
	"github.com/leads-inbox/leads/tui/config"
)

func init() {
	register(&command{name: "team", args: "init | sync | status",
		summary: "share owners, statuses, follow-ups, touches and notes with the other reps through a table of the storage account",
		run:     runTeam})
}

func runTeam(e *env, args []string) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "-help" {
		fmt.Fprintln(e.stdout, `usage: leads team init | sync | status

  init    create the team table (never MarketplaceLeads) and print what the other reps put in their config
  sync    push this rep's queued changes and pull the others' (leads sync does this too when [team] is set)
  status  show the changes waiting to be pushed, the last pull and the last conflicts

[team] in the config: name (yours), table (default `+config.DefaultTeamTable+`), secret (the same for every rep),
and connection_string or sas_url (or $`+azuretable.EnvTeamConnectionString+` / $`+azuretable.EnvTeamSASURL+`).`)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	if len(args) > 1 {
		fmt.Fprintf(e.stderr, "leads team %s: unexpected argument %q; see 'leads team --help'\n", safetext.Clean(args[0]), safetext.Clean(azuretable.Redact(args[1])))
		return exitUsage
	}
	switch args[0] {
	case "init":
		return runTeamInit(e)
	case "sync":
		return runTeamSync(e)
	case "status":
		return runTeamStatus(e)
	}
	fmt.Fprintf(e.stderr, "leads team: unknown subcommand %q: init, sync or status\n", safetext.Clean(args[0]))
	return exitUsage
}

// teamSetup is what the team commands need from the config: the rep's
// name, the connection and the secret.
type teamSetup struct {
	rep    string
	conn   *azuretable.Conn
	secret string
}

// resolveTeam reads [team]. needSecret is false for init, which makes one.
func (e *env) resolveTeam(needSecret bool) (*teamSetup, error) {
	getenv := e.getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	cfg, err := e.loadConfig()
	if err != nil {
		return nil, err
	}
	if cfg.Team.Name == "" {
		return nil, fmt.Errorf("no [team] name in %s: add [team] with name = \"your name\" (see leads team --help)", cfg.Path)
	}
	conn, err := azuretable.Resolve(azuretable.Config{Table: cfg.Team.Table, Getenv: getenv, Section: azuretable.TeamSection})
	if err != nil {
		return nil, err
	}
	secret, err := azuretable.ReadTeamSecret(azuretable.Config{Getenv: getenv})
	if err != nil {
		return nil, err
	}
	if secret == "" && needSecret {
		return nil, fmt.Errorf("no team secret: put secret = \"...\" under [team] in %s (the one 'leads team init' printed; the same for every rep)", cfg.Path)
	}
	return &teamSetup{rep: cfg.Team.Name, conn: conn, secret: secret}, nil
}

// teamOn reports whether [team] is set up enough for sync and forget to
// do the team part.
func (e *env) teamOn() bool {
	cfg, err := config.LoadDefault(e.getenv)
	return err == nil && cfg.Team.On()
}

func runTeamInit(e *env) int {
	ts, err := e.resolveTeam(false)
	if err != nil {
		return e.teamFail(err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := team.Init(ctx, ts.conn, azuretable.NetOptions{}); err != nil {
		return e.teamFail(err)
	}
	fmt.Fprintf(e.stdout, "team table %s is ready in account %s\n", safetext.Clean(ts.conn.Table), safetext.Clean(ts.conn.Account))
	secret := ts.secret
	if secret == "" {
		var b [32]byte
		if _, err := rand.Read(b[:]); err != nil {
			return e.fail(err)
		}
		secret = hex.EncodeToString(b[:])
		fmt.Fprintf(e.stdout, "add to [team] in your config (and keep it mode 600):\n  secret = %q\n", secret)
	}
	fmt.Fprintf(e.stdout, `each other rep puts in their config (mode 600):
  [team]
  name = "their name"
  table = %q
  secret = "the same secret as yours"
  sas_url = "a SAS for table %s with permissions raud (see the README: Working as a team)"
then runs 'leads sync' (or 'leads team sync')
`, ts.conn.Table, ts.conn.Table)
	if s, ok := e.open(false); ok {
		defer s.Close()
		if err := s.JoinTeam(ts.rep); err != nil {
			return e.fail(err)
		}
	}
	return exitOK
}

func runTeamSync(e *env) int {
	ts, err := e.resolveTeam(true)
	if err != nil {
		return e.teamFail(err)
	}
	s, ok := e.open(false)
	if !ok {
		return exitFailed
	}
	defer s.Close()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return e.teamSync(ctx, s, ts)
}

// teamSync runs one team sync and prints its one-line report; offline,
// it says how many changes wait.
func (e *env) teamSync(ctx context.Context, s *store.Store, ts *teamSetup) int {
	res, err := team.Sync(ctx, s, ts.rep, team.Options{Conn: ts.conn, Secret: ts.secret, Net: teamNet(e)})
	now := time.Now()
	if e.now != nil {
		now = e.now()
	}
	fmt.Fprintln(e.stdout, safetext.Clean(res.Summary(now)))
	if err != nil {
		n, f, _ := s.TeamQueued()
		fmt.Fprintf(e.stderr, "leads: team: %s; %d %s and %d %s wait for the next sync\n", safetext.Clean(azuretable.Redact(err.Error())),
			n, plural(n, "change", "changes"), f, plural(f, "deletion", "deletions"))
		return exitFailed
	}
	return exitOK
}

// teamNet is the team sync's network options: the defaults, or quick
// retries where LEADS_TEAM_FAST_RETRY is set (the multi-process tests,
// whose faults are injected, not outages).
func teamNet(e *env) azuretable.NetOptions {
	getenv := e.getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	if getenv("LEADS_TEAM_FAST_RETRY") != "" {
		return azuretable.NetOptions{MaxRetries: 3, RetryDelay: 5 * time.Millisecond, MaxRetryDelay: 50 * time.Millisecond, TryTimeout: 10 * time.Second}
	}
	return azuretable.NetOptions{}
}

func runTeamStatus(e *env) int {
	s, ok := e.open(true)
	if !ok {
		return exitFailed
	}
	defer s.Close()
	rep, err := s.TeamRep()
	if err != nil {
		return e.fail(err)
	}
	if rep == "" {
		fmt.Fprintln(e.stdout, "this database is in no team: set [team] in the config and run 'leads team init' or 'leads team sync'")
		return exitOK
	}
	n, f, err := s.TeamQueued()
	if err != nil {
		return e.fail(err)
	}
	_, pulled, err := s.TeamWatermark()
	if err != nil {
		return e.fail(err)
	}
	conflicts, err := s.TeamConflicts()
	if err != nil {
		return e.fail(err)
	}
	fmt.Fprintf(e.stdout, "rep: %s\nqueued: %d %s, %d team %s of forgotten people\n", safetext.Clean(rep), n, plural(n, "change", "changes"), f, plural(f, "deletion", "deletions"))
	if pulled.IsZero() {
		fmt.Fprintln(e.stdout, "last pull: never")
	} else {
		fmt.Fprintf(e.stdout, "last pull: %s\n", pulled.Local().Format("2 Jan 2006 15:04:05"))
	}
	if len(conflicts) == 0 {
		fmt.Fprintln(e.stdout, "conflicts of the last push: none")
	}
	for _, c := range conflicts {
		fmt.Fprintln(e.stdout, "conflict:", safetext.Clean(c))
	}
	return exitOK
}

func (e *env) teamFail(err error) int {
	fmt.Fprintln(e.stderr, "leads: team:", safetext.Clean(azuretable.Redact(err.Error())))
	if errors.Is(err, azuretable.ErrNoCredentials) {
		return exitUsage
	}
	return exitFailed
}

// forgetInTeam queues the deletion of the person's team rows and tries
// it at once; when the account cannot be reached it says so, and the
// next sync finishes it. It runs before the local erasure, while the
// database still knows the person is in a team.
func (e *env) forgetInTeam(s *store.Store, email string) (queued string, ok bool) {
	if !e.teamOn() {
		return "", true
	}
	ts, err := e.resolveTeam(true)
	if err != nil {
		fmt.Fprintln(e.stderr, "leads: team:", safetext.Clean(azuretable.Redact(err.Error()))+": their team rows are not deleted; fix [team] and forget them again")
		return "", false
	}
	pk := team.Partition(ts.secret, email)
	if err := s.QueueTeamForget(pk, time.Now()); err != nil {
		fmt.Fprintln(e.stderr, "leads:", safetext.Clean(err.Error()))
		return "", false
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := team.Forget(ctx, s, team.Options{Conn: ts.conn, Secret: ts.secret, Net: teamNet(e)}, pk); err != nil {
		return "cannot reach the team table (" + safetext.Clean(azuretable.Redact(err.Error())) + "): the deletion of their team rows is queued, and the next 'leads sync' finishes it", true
	}
	return "their rows in the team table are deleted", true
}

// defaultTeamEvery is how often the open inbox pulls the team's changes:
// often enough that a teammate's claim shows before the rep acts on the
// same contact, at one small query a round when nothing changed.
const defaultTeamEvery = 30 * time.Second

// inboxTeamNet gives up on an unreachable table within seconds, not the
// SDK's default of some forty: the open inbox runs a round after every
// change and on a timer, so a round that fails soon costs nothing (the
// changes stay queued, the next round tries again) while one that
// retries long leaves the status bar silent about being offline.
var inboxTeamNet = azuretable.NetOptions{TryTimeout: 10 * time.Second, MaxRetries: 2, RetryDelay: 200 * time.Millisecond, MaxRetryDelay: time.Second}

// teamRound is the inbox's team round: the sync of 'leads team sync', run
// after each change the rep makes and every --team-every. The [team]
// setup is read on each round, so a fixed config takes effect without a
// restart; its errors never quote a secret.
func teamRound(e *env, s *store.Store) tui.TeamRound {
	return func(ctx context.Context) (tui.TeamResult, error) {
		var out tui.TeamResult
		ts, err := e.resolveTeam(true)
		if err != nil {
			return out, err
		}
		net := teamNet(e)
		if net == (azuretable.NetOptions{}) {
			net = inboxTeamNet
		}
		res, err := team.Sync(ctx, s, ts.rep, team.Options{Conn: ts.conn, Secret: ts.secret, Net: net})
		out.Pushed, out.Pulled = res.Pushed, res.Pulled
		now := time.Now()
		for _, c := range res.Conflicts {
			line := c.Describe(now)
			if ct, cerr := s.Contact(c.Contact); cerr == nil {
				line = contactName(ct) + ": " + line
			}
			out.Conflicts = append(out.Conflicts, line)
		}
		if q, _, qerr := s.TeamQueued(); qerr == nil {
			out.Queued = q
		}
		return out, err
	}
}
