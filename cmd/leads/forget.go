package main

import (
	"bufio"
	"fmt"
	"strings"

	"github.com/leads-inbox/leads/store"
	"github.com/leads-inbox/leads/store/safetext"
)

func init() {
	register(&command{name: "forget", args: "EMAIL [--yes] | --finish",
		summary: "erase everything held about a person (leads, notes, history, drafts, and the backups and exports leads wrote) and keep them out of later imports",
		run:     runForget})
}

func runForget(e *env, args []string) int {
	c := commands["forget"]
	fs := e.flags(c)
	yes := fs.Bool("yes", false, "do not ask for confirmation")
	finish := fs.Bool("finish", false, "finish an erasure (forget, purge) that was cut off by a kill, a full disk or a folder leads could not write in")
	pos, code, ok := e.parse(fs, args)
	if !ok {
		return code
	}
	e.ownErasure = true
	if *finish {
		if len(pos) != 0 {
			fmt.Fprintln(e.stderr, "leads forget: --finish takes no address; see 'leads forget --help'")
			return exitUsage
		}
		return finishErasure(e)
	}
	if len(pos) != 1 || !strings.Contains(pos[0], "@") {
		fmt.Fprintln(e.stderr, "leads forget: give the person's email address; see 'leads forget --help'")
		return exitUsage
	}
	email := store.NormalizeEmail(pos[0])
	s, ok := e.open(false)
	if !ok {
		return exitFailed
	}
	defer s.Close()
	if !*yes {
		// Erasure cannot be undone; ask unless told not to.
		fmt.Fprintf(e.stderr, "Erase every lead, note, history entry and draft file of %s? This cannot be undone. [y/N] ", safetext.Clean(email))
		line, _ := bufio.NewReader(e.stdin).ReadString('\n')
		if a := strings.ToLower(strings.TrimSpace(line)); a != "y" && a != "yes" {
			fmt.Fprintln(e.stderr, "leads: nothing erased")
			return exitRefused
		}
	}
	res, err := s.Forget(email, e.now())
	if err != nil {
		return e.fail(err)
	}
	if res.Found {
		fmt.Fprintf(e.stdout, "forgot %s: %d leads, %d notes, %d history events, %d draft files removed; database compacted (%d -> %d bytes)\n",
			safetext.Clean(email), res.Leads, res.Notes, res.Events, len(res.DraftFiles), res.SizeBefore, res.SizeAfter)
	} else {
		fmt.Fprintf(e.stdout, "nothing was stored about %s\n", safetext.Clean(email))
	}
	fmt.Fprintln(e.stdout, "later imports and syncs will skip this address (import --allow-forgotten brings it back)")
	return reportCopies(e, email)
}

// finishErasure is 'leads forget --finish': opening the database for
// writing finishes whatever erasure was cut off (see store.Open).
func finishErasure(e *env) int {
	s, ok := e.open(false)
	if !ok {
		return exitFailed
	}
	defer s.Close()
	if err := s.EraseError(); err != nil {
		return e.fail(err)
	}
	if !s.ErasedOnOpen() {
		fmt.Fprintln(e.stdout, "no erasure was waiting to be finished")
	}
	return exitOK
}
