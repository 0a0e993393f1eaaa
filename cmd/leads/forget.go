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
	markCopiesPending(e, email)
	teamLine, teamOK := e.forgetInTeam(s, email)
	res, err := s.Forget(email, e.now())
	if err != nil {
		return e.fail(err)
	}
	if teamLine != "" {
		fmt.Fprintln(e.stdout, "team:", teamLine)
	}
	if res.Found {
		fmt.Fprintf(e.stdout, "forgot %s: %d leads, %d notes, %d history events, %d draft files removed; database compacted (%d -> %d bytes)\n",
			safetext.Clean(email), res.Leads, res.Notes, res.Events, len(res.DraftFiles), res.SizeBefore, res.SizeAfter)
	} else {
		fmt.Fprintf(e.stdout, "nothing was stored about %s\n", safetext.Clean(email))
	}
	fmt.Fprintln(e.stdout, "later imports and syncs will skip this address (import --allow-forgotten brings it back)")
	code = reportCopies(e, s, email)
	if !teamOK && code == exitOK {
		code = exitFailed
	}
	return code
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
	p, err := e.path()
	if err != nil {
		return e.fail(err)
	}
	pending, err := store.CopiesPending(p)
	if err != nil {
		return e.fail(fmt.Errorf("cannot read which copies are still to be cleared (%v): remove the file if it is not leads'", err))
	}
	if !s.ErasedOnOpen() && len(pending) == 0 {
		fmt.Fprintln(e.stdout, "no erasure was waiting to be finished")
	}
	code := exitOK
	for _, email := range pending {
		fmt.Fprintf(e.stdout, "finishing the erasure of %s from the backups and exports leads wrote\n", safetext.Clean(email))
		if c := walkCopies(e, s, p, email); c != exitOK {
			code = c
		}
	}
	return code
}

// markCopiesPending records, before a forget erases anything, that the
// copies on the database's list are still to be cleared of the person:
// a kill between the database and the copies is then finished by
// 'leads forget --finish'. With no list there is nothing to record.
func markCopiesPending(e *env, email string) {
	p, err := e.path()
	if err != nil {
		return
	}
	if cs, err := store.Copies(p); err != nil || len(cs) == 0 {
		return
	}
	if err := store.MarkCopiesPending(p, email); err != nil {
		fmt.Fprintf(e.stderr, "leads: cannot record that the copies are still to be cleared (%v): if this forget is stopped, run it again\n", unwrapPath(err))
	}
}
