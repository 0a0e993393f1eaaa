package main

import (
	"errors"
	"fmt"
	"path/filepath"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/leads-inbox/leads/store"
	"github.com/leads-inbox/leads/store/handoff"
	"github.com/leads-inbox/leads/store/safetext"
	"github.com/leads-inbox/leads/tui"
)

// Several processes, one database. bbolt lets one process at a time have
// the file, and the inbox has it for as long as it is open. Rather than
// every process opening the file around each operation (a full open at a
// million leads checks the whole file first: too slow for every key press
// of the inbox), the inbox lends the file on request: a command that finds
// it locked asks the inbox over its socket (package handoff), the inbox
// finishes its running transaction and closes the file, the command does
// its work, and when it exits the inbox takes the file back and reads it
// again, marking what is new. See the README's "Several processes".

// interactive reports the commands that open the inbox: they lend the
// database to other commands, and a second one on the same file refuses.
func (e *env) interactive() bool { return e.cmdName == "inbox" || e.cmdName == "session" }

// askInbox asks the inbox that has the database at path, if one does, to
// let go of it for this command. The lease lasts until run ends (or the
// process does). ok is false when the inbox refused; it has been said.
func (e *env) askInbox(path string) (lent, ok bool) {
	base := safetext.Clean(filepath.Base(path))
	lease, err := handoff.Ask(path, e.getenv, "leads "+e.cmdName, func(pid int) {
		fmt.Fprintf(e.stderr, "leads: waiting for the inbox (pid %d) to let go of %s…\n", pid, base)
	})
	switch {
	case errors.Is(err, handoff.ErrNoInbox):
		return false, true
	case err != nil:
		fmt.Fprintln(e.stderr, "leads:", safetext.Clean(err.Error())+"; try again, or quit the inbox first")
		return false, false
	}
	e.leases = append(e.leases, lease)
	return true, true
}

// closeLeases gives the database back to the inbox.
func (e *env) closeLeases() {
	for _, l := range e.leases {
		_ = l.Close()
	}
	e.leases = nil
}

// otherInbox refuses a second inbox on one database, in one line.
func (e *env) otherInbox(path string) bool {
	pid, ok := handoff.Inbox(path, e.getenv)
	if ok {
		fmt.Fprintf(e.stderr, "leads: %s is open in another leads inbox (pid %d): switch to that one, or quit it first\n",
			safetext.Clean(filepath.Base(path)), pid)
	}
	return ok
}

// waitOpen opens the database when another command has it and this one
// may wait for it (the inbox lent it to an earlier command, or this is
// the inbox starting): it says so first, then waits up to two minutes.
func (e *env) waitOpen(path string, opt store.Options) (*store.Store, error) {
	fmt.Fprintf(e.stderr, "leads: waiting for another leads command to finish with %s…\n", safetext.Clean(filepath.Base(path)))
	opt.Timeout = 2 * time.Minute
	return store.Open(path, opt)
}

// serveInbox lends the inbox's database to other commands while the
// program runs; send delivers what happens to the inbox's status bar.
// It returns the function that stops serving.
func (e *env) serveInbox(s *store.Store, send func(tea.Msg), logf func(string, ...any)) func() {
	srv, err := handoff.Listen(s.Path(), e.getenv, handoff.Hooks{
		Release: func(p handoff.Peer) error {
			if err := s.Suspend(); err != nil {
				return err
			}
			logf("lent the database to %s", p)
			go send(tui.ElsewhereMsg{Who: safetext.Clean(p.String())})
			return nil
		},
		Queued: func(p handoff.Peer) {
			go send(tui.ElsewhereMsg{Who: safetext.Clean(p.String())})
		},
		Reclaim: func() {
			t0 := time.Now()
			r, err := s.Resume(func(waited time.Duration) { go send(tui.ElsewhereMsg{Waited: waited}) })
			logf("took the database back in %v (%+v)", time.Since(t0), r)
			if err != nil {
				go send(tui.ElsewhereMsg{Err: err})
				return
			}
			go send(tui.ElsewhereMsg{Back: true, Changed: r.Changed, Leads: r.Leads})
		},
	})
	if err != nil {
		// Without the socket the inbox keeps the file to itself, as before.
		logf("not lending the database to other commands: %v", err)
		return func() {}
	}
	return func() { _ = srv.Close() }
}
