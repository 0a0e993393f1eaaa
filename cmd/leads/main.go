// Command leads is a keyboard-driven inbox for Microsoft AppSource and Azure
// Marketplace leads: it imports exports and the Partner Center lead table
// into one local file and lets a rep triage them from the terminal.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/leads-inbox/leads/store"
	"github.com/leads-inbox/leads/store/handoff"
	"github.com/leads-inbox/leads/store/safetext"
)

// Exit codes shared by every subcommand.
const (
	exitOK      = 0
	exitFailed  = 1 // something failed, or some rows were rejected
	exitUsage   = 2 // the command line was wrong
	exitRefused = 3 // a guard refused (e.g. no draft for a do-not-contact lead)
)

// command is one subcommand. Each lives in its own file and registers itself.
type command struct {
	name    string
	args    string // argument synopsis for help
	summary string
	run     func(e *env, args []string) int
}

var commands = map[string]*command{}

func register(c *command) { commands[c.name] = c }

// env is what a subcommand may use; tests build their own.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	dbPath         string // from --db, else LEADS_DB / XDG default
	now            func() time.Time
	getenv         func(string) string
	guard          *exitGuard // nil outside main: see signals.go
	// ownErasure is set by the commands that finish a pending erasure
	// themselves (forget, purge) and report its failure: open does not.
	ownErasure bool
	// sendTimeout bounds one send of 'leads draft --send' (0: the
	// default); tests shorten it to meet a stalled server quickly.
	sendTimeout time.Duration
	// cmdName is the command running ("import"), for the inbox to name it.
	cmdName string
	// leases hold the database the inbox lent this command (share.go).
	leases []*handoff.Lease
}

func main() {
	e := &env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, now: time.Now, getenv: os.Getenv,
		guard: &exitGuard{fns: map[int]func(){}}}
	// Temporary files of a leads that was killed hold people's data.
	sweepScratch(os.Getenv)
	// LEADS_CPUPROFILE writes a CPU profile, for reports about slow imports.
	if p := os.Getenv("LEADS_CPUPROFILE"); p != "" {
		if f, err := os.Create(p); err == nil {
			if pprof.StartCPUProfile(f) == nil {
				code := run(e, os.Args[1:])
				pprof.StopCPUProfile()
				f.Close()
				e.exit(code)
			}
		}
	}
	e.exit(run(e, os.Args[1:]))
}

// run dispatches a command line and returns the exit code.
func run(e *env, args []string) int {
	args, db, err := extractDB(args)
	if err != nil {
		fmt.Fprintln(e.stderr, "leads:", err)
		return exitUsage
	}
	e.dbPath = db
	name := "inbox"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, args = args[0], args[1:]
	} else if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help") {
		usage(e.stdout)
		return exitOK
	}
	if name == "help" {
		if len(args) > 0 {
			if c, ok := commands[args[0]]; ok {
				return c.run(e, []string{"--help"})
			}
		}
		usage(e.stdout)
		return exitOK
	}
	c, ok := commands[name]
	if !ok {
		fmt.Fprintf(e.stderr, "leads: unknown command %q; run 'leads help' for the list\n", safetext.Clean(name))
		return exitUsage
	}
	e.cmdName = name
	defer e.closeLeases()
	return c.run(e, args)
}

// extractDB removes --db PATH / --db=PATH from anywhere in the arguments, so
// it works before or after the subcommand's name.
func extractDB(args []string) ([]string, string, error) {
	var out []string
	db := ""
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			out = append(out, args[i:]...)
			break
		}
		switch {
		case a == "--db" || a == "-db":
			if i+1 >= len(args) {
				return nil, "", errors.New("--db needs a file path")
			}
			db = args[i+1]
			i++
		case strings.HasPrefix(a, "--db="), strings.HasPrefix(a, "-db="):
			db = a[strings.IndexByte(a, '=')+1:]
		default:
			out = append(out, a)
		}
	}
	return out, db, nil
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "leads: a terminal inbox for AppSource and Azure Marketplace leads")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Usage: leads [--db PATH] [COMMAND] [ARGS]   (no command opens the inbox)")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-9s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "The database is --db PATH, else $LEADS_DB, else $XDG_DATA_HOME/leads/leads.db")
	fmt.Fprintln(w, "(~/.local/share/leads/leads.db). 'leads COMMAND --help' explains a command.")
}

// flags returns a FlagSet for a subcommand whose errors and help go to
// stderr/stdout with the command's synopsis.
func (e *env) flags(c *command) *flag.FlagSet {
	fs := flag.NewFlagSet("leads "+c.name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: leads %s [--db PATH] %s\n\n%s\n", c.name, c.args, c.summary)
		if hasFlags(fs) {
			fmt.Fprintln(fs.Output(), "\nOptions:")
			fs.PrintDefaults()
		}
	}
	return fs
}

func hasFlags(fs *flag.FlagSet) bool {
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	return n > 0
}

// parse parses flags; it returns (code, false) when the command should end
// now (help asked for, or a usage error). Flags may follow positional
// arguments (leads import a.csv --dry-run).
func (e *env) parse(fs *flag.FlagSet, args []string) ([]string, int, bool) {
	// Asked-for help goes to stdout, once: the flag package prints the
	// usage itself when it meets -h or --help, to the flag set's output.
	for _, a := range args {
		if a == "--" {
			break
		}
		if a == "-h" || a == "-help" || a == "--h" || a == "--help" {
			fs.SetOutput(e.stdout)
			break
		}
	}
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, exitOK, false
			}
			return nil, exitUsage, false
		}
		args = fs.Args()
		if len(args) == 0 {
			break
		}
		if args[0] == "--" {
			pos = append(pos, args[1:]...)
			break
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
	return pos, exitOK, true
}

// path returns the database path in force.
func (e *env) path() (string, error) {
	if e.dbPath != "" {
		return e.dbPath, nil
	}
	if p := e.getenv("LEADS_DB"); p != "" {
		return p, nil
	}
	return store.DefaultPath()
}

// open opens the database, printing a one-line error on failure.
func (e *env) open(readOnly bool) (s *store.Store, ok bool) {
	p, err := e.path()
	if err != nil {
		fmt.Fprintln(e.stderr, "leads:", err)
		return nil, false
	}
	opt := store.Options{ReadOnly: readOnly}
	// LEADS_MAX_DB_BYTES caps the file so tests can run out of room
	// without filling a disk; a real disk-full takes the same path.
	getenv := e.getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	if v := getenv("LEADS_MAX_DB_BYTES"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			fmt.Fprintln(e.stderr, "leads: LEADS_MAX_DB_BYTES must be a number of bytes")
			return nil, false
		}
		opt.MaxSize = n
	}
	// The open inbox lends the file (share.go); a second inbox refuses.
	var lent bool
	if e.interactive() {
		if e.otherInbox(p) {
			return nil, false
		}
	} else if lent, ok = e.askInbox(p); !ok {
		return nil, false
	}
	s, err = store.Open(p, opt)
	if errors.Is(err, store.ErrInUse) && e.interactive() && e.otherInbox(p) {
		return nil, false // an inbox that started at the same moment
	}
	if errors.Is(err, store.ErrInUse) && (lent || e.interactive()) {
		s, err = e.waitOpen(p, opt)
	}
	if err != nil {
		fmt.Fprintln(e.stderr, "leads:", safetext.Clean(err.Error()))
		return nil, false
	}
	// An import cut off by a crash or a kill leaves leads outside their
	// contacts until a command that writes files them (see store.Fold).
	if err := s.FoldError(); err != nil {
		fmt.Fprintln(e.stderr, "leads:", safetext.Clean(err.Error())+"; its leads wait, and the next command that writes tries again")
	} else if n := s.FoldedOnOpen(); n > 0 {
		fmt.Fprintf(e.stderr, "leads: finished an import that was cut off: %d leads filed into their contacts\n", n)
	} else if readOnly {
		if n, err := s.Unfolded(); err == nil && n > 0 {
			fmt.Fprintf(e.stderr, "leads: an import was cut off: %d leads are not in their contacts yet; run 'leads import' again (or any command that writes) to finish it\n", n)
		}
	}
	e.reportErasure(s, readOnly)
	return s, true
}

// reportErasure says in one line what became of an erasure (forget,
// purge) that was cut off: finished by this open, failed again, or, for a
// read-only command, still to do.
func (e *env) reportErasure(s *store.Store, readOnly bool) {
	if p, err := e.path(); err == nil && !e.ownErasure {
		if pending, err := store.CopiesPending(p); err == nil && len(pending) > 0 {
			fmt.Fprintln(e.stderr, "leads: a forget did not finish with the backups and exports leads wrote (cut off, or still running); run 'leads forget --finish' to finish it")
		}
	}
	switch {
	case s.EraseError() != nil:
		if !e.ownErasure {
			fmt.Fprintln(e.stderr, "leads: finishing an erasure that was cut off:", safetext.Clean(s.EraseError().Error()))
		}
	case s.ErasedOnOpen():
		fmt.Fprintln(e.stderr, "leads: finished an erasure that was cut off: the records it deleted are gone from the database file")
	case readOnly:
		p, err := s.PendingErasure()
		switch {
		case err != nil || !p.Any():
		case p.People > 0:
			fmt.Fprintf(e.stderr, "leads: a forget was cut off before it erased %d %s; run 'leads forget --finish' (or any command that writes) to finish it\n",
				p.People, plural(p.People, "person", "people"))
		default:
			fmt.Fprintln(e.stderr, "leads: an erasure was cut off: the records are deleted, but their bytes remain in the database file until 'leads forget --finish' (or any command that writes) runs")
		}
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// fail prints a one-line error and returns exitFailed.
func (e *env) fail(err error) int {
	msg := safetext.Clean(err.Error())
	// A record found damaged while reading (rather than at open, whose
	// message names the way forward) must say what to do too.
	if errors.Is(err, store.ErrDamaged) && !strings.Contains(msg, "salvage") {
		msg += ": the database file is damaged; run 'leads salvage' to copy what is readable into a new file, or restore a 'leads backup' copy"
	}
	fmt.Fprintln(e.stderr, "leads:", msg)
	return exitFailed
}
