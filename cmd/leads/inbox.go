package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"runtime/debug"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/leads-inbox/leads/importer/azuretable"
	"github.com/leads-inbox/leads/store"
	"github.com/leads-inbox/leads/store/safetext"
	"github.com/leads-inbox/leads/store/scratch"
	"github.com/leads-inbox/leads/tui"
)

func init() {
	register(&command{name: "inbox", args: "[--sync-every DURATION] [--mail-every DURATION] [--team-every DURATION]",
		summary: "open the inbox (the default when no command is given)", run: runInbox})
}

func runInbox(e *env, args []string) int {
	c := commands["inbox"]
	fs := e.flags(c)
	every := fs.Duration("sync-every", 0, "sync the Azure table every `DURATION` (e.g. 15m) while the inbox is open")
	mailEvery := fs.Duration("mail-every", 0, "read the mailbox in [mail] for replies every `DURATION` (e.g. 5m) while the inbox is open")
	teamEvery := fs.Duration("team-every", defaultTeamEvery, "with [team] set, pull the other reps' changes every `DURATION` (this rep's go out at once)")
	pos, code, ok := e.parse(fs, args)
	if !ok {
		return code
	}
	if len(pos) > 0 {
		fmt.Fprintf(e.stderr, "leads: unknown command %q; run 'leads help' for the list\n", pos[0])
		return exitUsage
	}
	if *every != 0 && *every < time.Minute {
		fmt.Fprintln(e.stderr, "leads inbox: --sync-every must be at least 1m")
		return exitUsage
	}
	if *mailEvery != 0 && *mailEvery < time.Minute {
		fmt.Fprintln(e.stderr, "leads inbox: --mail-every must be at least 1m")
		return exitUsage
	}
	if *teamEvery < 5*time.Second {
		fmt.Fprintln(e.stderr, "leads inbox: --team-every must be at least 5s")
		return exitUsage
	}
	if *mailEvery > 0 {
		if cfg, err := e.loadConfig(); err == nil && !cfg.Mail.Reads() {
			fmt.Fprintln(e.stderr, "leads inbox: --mail-every:", errMailNotSetUp)
			return exitUsage
		}
	}
	started := time.Now()
	s, ok := e.open(false)
	if !ok {
		return exitFailed
	}
	defer s.Close()
	opt := tui.Options{Syncer: tableSyncer(e, s), SyncEvery: *every, Started: started}
	if *mailEvery > 0 {
		opt.MailEvery = *mailEvery
		opt.MailScanner = mailScanner(e, s)
	}
	if e.teamOn() {
		opt.Team, opt.TeamEvery = teamRound(e, s), *teamEvery
	}
	return e.runTUI(s, opt)
}

// tableSyncer runs the Azure Table sync of 'leads sync' for the inbox's S
// key and --sync-every. Credentials come from the environment or the
// config file (the inbox has no --connection-string flag) and are resolved
// on each run, so a rep can set them up without restarting the inbox;
// until then the sync is "not set up". Problems with single entities go
// to warn (the inbox's log), and errors never quote a secret.
func tableSyncer(e *env, s *store.Store) tui.Syncer {
	return func(ctx context.Context, progress func(int), warn func(string)) (int, error) {
		conn, err := azuretable.Resolve(azuretable.Config{Getenv: e.getenv})
		if errors.Is(err, azuretable.ErrNoCredentials) {
			return 0, fmt.Errorf("%w: set %s or %s, or put connection_string or sas_url and table under [azure] in %s (mode 600)",
				tui.ErrSyncNotSetUp, azuretable.EnvConnectionString, azuretable.EnvSASURL, azuretable.DefaultConfigFile(e.getenv))
		}
		if err != nil {
			return 0, errors.New(safetext.Clean(azuretable.Redact(err.Error())))
		}
		res, err := azuretable.Sync(ctx, s, azuretable.Options{Conn: conn, Warn: warn,
			Progress: func(p azuretable.Progress) { progress(p.Read) }})
		return res.New, err
	}
}

// inboxMemoryLimit is the soft memory limit of the inbox process.
const inboxMemoryLimit = 280 << 20

// runTUI runs the inbox program with logging to a file, because the
// terminal belongs to the screen.
func (e *env) runTUI(s *store.Store, opt tui.Options) int {
	logw, closeLog := e.openLog()
	defer closeLog()
	logger := log.New(logw, "", log.LstdFlags|log.Lmicroseconds)
	opt.Logf = logger.Printf
	// The settings file: a bad setting keeps its default and the rep is
	// told once, before the screen takes the terminal.
	cfg, cerr := e.loadConfig()
	if cerr != nil {
		fmt.Fprintln(e.stderr, "leads:", cerr)
		return exitFailed
	}
	e.warnConfig(cfg)
	opt.Config = cfg
	// The draft screen's send key uses the [mail] transport; a setup
	// that is incomplete is said once here, and the key says it is off.
	if opt.Transport == nil && cfg.Mail.Sends() {
		if tr, err := e.transport(cfg.Mail); err != nil {
			fmt.Fprintln(e.stderr, "leads: sending from the inbox is off:", safetext.Clean(err.Error()))
		} else {
			opt.Transport = tr
		}
	}
	opt.NoColor = e.getenv("NO_COLOR") != ""
	opt.Getenv = e.getenv
	if opt.Now == nil {
		opt.Now = e.now
	}
	if e.getenv("GOMEMLIMIT") == "" {
		// The inbox holds a digest of every contact; at a million leads that
		// is about 220 MB live. A soft limit makes the runtime collect and
		// return memory before the resident size drifts far past it; beyond
		// the limit it only costs more GC, never a failure.
		debug.SetMemoryLimit(inboxMemoryLimit)
	}
	// Editor files the inbox leaves (the rep's text kept after a failed
	// edit) go when it ends, however it ends.
	clear := e.atExit(func() {
		if dir, ok := scratch.Existing(e.getenv); ok {
			_, _ = scratch.RemoveOwn(dir)
		}
	})
	defer clear()
	// A closed terminal or a kill stops the program through its context,
	// which gives the terminal back before leads goes.
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	stopped := e.uiRunning(stop)
	m := tui.New(s, opt)
	prog := tea.NewProgram(m, tea.WithContext(ctx))
	if e.interactive() {
		stopServing := e.serveInbox(s, prog.Send, opt.Logf)
		defer stopServing()
	}
	_, err := prog.Run()
	stopped()
	if e.signaled() {
		return exitFailed
	}
	if err != nil && !errors.Is(err, tea.ErrInterrupted) {
		return e.fail(err)
	}
	return exitOK
}

// openLog opens $XDG_STATE_HOME/leads/leads.log (else
// ~/.local/state/leads/leads.log); without one, logs are dropped.
func (e *env) openLog() (io.Writer, func()) {
	dir := e.getenv("XDG_STATE_HOME")
	if dir == "" || !filepath.IsAbs(dir) {
		home, err := os.UserHomeDir()
		if err != nil {
			return io.Discard, func() {}
		}
		dir = filepath.Join(home, ".local", "state")
	}
	dir = filepath.Join(dir, "leads")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return io.Discard, func() {}
	}
	f, err := os.OpenFile(filepath.Join(dir, "leads.log"), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return io.Discard, func() {}
	}
	return f, func() { f.Close() }
}
