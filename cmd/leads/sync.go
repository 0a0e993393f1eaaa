package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/charmbracelet/x/term"
	"github.com/leads-inbox/leads/importer/azuretable"
	"github.com/leads-inbox/leads/store/safetext"
)

func init() {
	register(&command{name: "sync",
		args:    "[--table NAME] [--full] [--dry-run] [--check] [--connection-string S | --sas-url URL]",
		summary: "bring in new and changed leads from the Partner Center lead table (Azure Table storage)",
		run:     runSync})
}

func runSync(e *env, args []string) int {
	c := commands["sync"]
	fs := e.flags(c)
	table := fs.String("table", "", "the table to read (default "+azuretable.DefaultTable+", or the table a SAS URL names)")
	full := fs.Bool("full", false, "re-read the whole table instead of what changed since the last sync (no duplicates)")
	dryRun := fs.Bool("dry-run", false, "read and count everything, store nothing")
	allowForgotten := fs.Bool("allow-forgotten", false, "store leads of people who asked to be forgotten")
	check := fs.Bool("check", false, "test the connection and show the newest lead and the newest test lead; store nothing")
	cs := fs.String("connection-string", "", "the storage account's connection string (else $"+azuretable.EnvConnectionString+")")
	sas := fs.String("sas-url", "", "a SAS URL with Read and List permission (else $"+azuretable.EnvSASURL+")")
	pos, code, ok := e.parse(fs, args)
	if !ok {
		return code
	}
	if len(pos) > 0 {
		fmt.Fprintf(e.stderr, "leads sync: unexpected argument %q; see 'leads sync --help'\n", safetext.Clean(azuretable.Redact(pos[0])))
		return exitUsage
	}
	if *check && (*full || *dryRun) {
		fmt.Fprintln(e.stderr, "leads sync: --check stores nothing; it does not go with --full or --dry-run")
		return exitUsage
	}
	getenv := e.getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	conn, err := azuretable.Resolve(azuretable.Config{ConnectionString: *cs, SASURL: *sas, Table: *table, Getenv: getenv})
	if err != nil {
		fmt.Fprintln(e.stderr, "leads:", safetext.Clean(azuretable.Redact(err.Error())))
		if errors.Is(err, azuretable.ErrNoCredentials) {
			return exitUsage
		}
		return exitFailed
	}

	// Ctrl-C cancels the context: the sync stops between pages (or aborts
	// the request in flight) and keeps every page already committed.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	if *check {
		return runSyncCheck(ctx, e, conn)
	}

	s, ok := e.open(false)
	if !ok {
		return exitFailed
	}
	defer s.Close()

	prog := newProgress(e.stderr)
	res, err := azuretable.Sync(ctx, s, azuretable.Options{
		Conn: conn, Full: *full, DryRun: *dryRun, AllowForgotten: *allowForgotten,
		Progress: prog.update,
		Warn:     func(msg string) { prog.println("leads: " + safetext.Clean(msg)) },
	})
	prog.done()
	if res.Resumed {
		fmt.Fprintln(e.stderr, "leads: resumed the sync that was cut off")
	}
	if res.Forgotten > 0 {
		fmt.Fprintf(e.stderr, "leads: skipped %d leads of people who asked to be forgotten (--allow-forgotten stores them)\n", res.Forgotten)
	}
	failed := false
	if err != nil {
		failed = true
		fmt.Fprintln(e.stderr, "leads:", safetext.Clean(azuretable.Redact(err.Error())))
	}
	// The summary line keeps its one format for scripts; that nothing
	// was stored is said beside it.
	if *dryRun {
		fmt.Fprintln(e.stderr, "leads: dry run, nothing stored")
	}
	sum := summary{Read: res.Read, New: res.New, Updated: res.Updated, Unchanged: res.Unchanged, Test: res.Test, Rejected: res.Rejected}
	sum.print(e.stdout)
	// With [team] set, the team's changes are pulled and this rep's
	// pushed too, after the new leads (whose contacts a pulled change
	// may be about), and even when the lead sync failed.
	if !*dryRun && e.teamOn() {
		ts, err := e.resolveTeam(true)
		if err != nil {
			e.teamFail(err)
			failed = true
		} else if e.teamSync(ctx, s, ts) != exitOK {
			failed = true
		}
	}
	if failed {
		return exitFailed
	}
	return sum.exitCode()
}

// runSyncCheck is 'leads sync --check': it needs no database, so it also
// works while the inbox holds it.
func runSyncCheck(ctx context.Context, e *env, conn *azuretable.Conn) int {
	res, err := azuretable.Check(ctx, conn, azuretable.NetOptions{})
	if err != nil {
		fmt.Fprintln(e.stderr, "leads:", safetext.Clean(azuretable.Redact(err.Error())))
		return exitFailed
	}
	fmt.Fprintln(e.stdout, "connected:", safetext.Clean(conn.String()))
	if exp := conn.SASExpiry(); !exp.IsZero() {
		fmt.Fprintf(e.stdout, "the SAS expires on %s\n", exp.Format("2006-01-02 15:04 UTC"))
	}
	switch {
	case res.Empty:
		fmt.Fprintln(e.stdout, "the table is empty: no lead has arrived yet")
	case res.Newest != nil:
		fmt.Fprintln(e.stdout, "newest lead:     ", describeLead(res.Newest))
	}
	switch {
	case res.NewestTest != nil:
		fmt.Fprintln(e.stdout, "newest test lead:", describeLead(res.NewestTest))
	case res.Limited:
		fmt.Fprintf(e.stdout, "no test lead among the newest %d leads\n", res.Scanned)
	case !res.Empty:
		fmt.Fprintln(e.stdout, "no test lead: Microsoft sends one (MSFT_TEST) when the offer is published with this lead destination")
	}
	return exitOK
}

func describeLead(l *azuretable.LeadInfo) string {
	when := l.Timestamp
	s := when.UTC().Format("2006-01-02 15:04 UTC")
	if l.Action != "" {
		s += "  " + l.Action
	}
	offer := l.OfferName
	if offer == "" {
		offer = l.OfferID
	}
	if offer != "" {
		s += "  " + offer
	}
	if l.Source != "" {
		s += " (" + l.Source + ")"
	}
	return safetext.Clean(s)
}

// progress draws "N entities read (R/s)" on stderr, only when stderr is a
// terminal and only once the sync has run for a second, so quick syncs and
// scripts see nothing but the summary.
type progress struct {
	w       io.Writer
	tty     bool
	start   time.Time
	mu      sync.Mutex
	last    time.Time
	drawn   bool
	pending string
}

func newProgress(w io.Writer) *progress {
	p := &progress{w: w, start: time.Now()}
	if f, ok := w.(*os.File); ok && term.IsTerminal(f.Fd()) {
		p.tty = true
	}
	return p
}

func (p *progress) update(pr azuretable.Progress) {
	if !p.tty || pr.Elapsed < time.Second {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	if now.Sub(p.last) < 200*time.Millisecond {
		return
	}
	p.last = now
	rate := float64(pr.Read) / pr.Elapsed.Seconds()
	// \r and erase-line redraw in place; no lead text is printed here.
	fmt.Fprintf(p.w, "\r\x1b[K%d entities read (%.0f/s)", pr.Read, rate)
	p.drawn = true
}

// println prints a whole line without tearing the progress line.
func (p *progress) println(s string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drawn {
		fmt.Fprint(p.w, "\r\x1b[K")
		p.drawn = false
	}
	fmt.Fprintln(p.w, s)
}

func (p *progress) done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drawn {
		fmt.Fprint(p.w, "\r\x1b[K")
		p.drawn = false
	}
}
