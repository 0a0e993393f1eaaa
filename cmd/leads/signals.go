package main

import (
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/leads-inbox/leads/store/scratch"
)

// exitSignals end leads politely: the terminal closing (SIGHUP) and a
// plain kill (SIGTERM). Before the process goes, the files that hold
// people's data only for the moment (the demo's database, an editor's
// draft) are removed and the terminal is given back; then the process
// ends by the same signal, so a shell or supervisor sees the usual
// status. SIGINT is left alone: at a terminal the inbox reads Ctrl-C as a
// key, and 'leads sync' stops on it gracefully by itself.
var exitSignals = []os.Signal{syscall.SIGHUP, syscall.SIGTERM}

// uiGrace is how long a signal waits for the inbox to hand the terminal
// back (an editor it started may hold it) before cleaning up regardless.
const uiGrace = 3 * time.Second

// exitGuard holds what must happen when an exit signal arrives. Only
// main makes one; an env built by a test has none, and then atExit
// functions run only when their command calls them.
type exitGuard struct {
	once sync.Once
	mu   sync.Mutex
	fns  map[int]func()
	next int
	got  os.Signal
	// stopUI asks a running inbox to give the terminal back; uiDone is
	// closed when it has.
	stopUI func()
	uiDone chan struct{}
}

// atExit registers fn to run if an exit signal arrives, and returns a
// function that runs it now (once) and unregisters it: a command defers
// that, so fn runs whichever way the command ends.
func (e *env) atExit(fn func()) func() {
	var once sync.Once
	run := func() { once.Do(fn) }
	g := e.guard
	if g == nil {
		return run
	}
	g.listen()
	g.mu.Lock()
	id := g.next
	g.next++
	g.fns[id] = run
	g.mu.Unlock()
	return func() {
		g.mu.Lock()
		delete(g.fns, id)
		g.mu.Unlock()
		run()
	}
}

// uiRunning tells the guard how to stop the inbox that is starting; the
// returned function says it has stopped.
func (e *env) uiRunning(stop func()) func() {
	g := e.guard
	if g == nil {
		return func() {}
	}
	g.listen()
	done := make(chan struct{})
	g.mu.Lock()
	g.stopUI, g.uiDone = stop, done
	g.mu.Unlock()
	return func() {
		g.mu.Lock()
		g.stopUI, g.uiDone = nil, nil
		g.mu.Unlock()
		close(done)
	}
}

// signaled reports whether an exit signal arrived.
func (e *env) signaled() bool {
	if e.guard == nil {
		return false
	}
	e.guard.mu.Lock()
	defer e.guard.mu.Unlock()
	return e.guard.got != nil
}

// listen starts catching the exit signals; commands that write nothing
// temporary never do, and keep the default (immediate) behaviour.
func (g *exitGuard) listen() {
	g.once.Do(func() {
		ch := make(chan os.Signal, 1)
		signal.Notify(ch, exitSignals...)
		go g.wait(ch)
	})
}

func (g *exitGuard) wait(ch chan os.Signal) {
	sig := <-ch
	g.mu.Lock()
	g.got = sig
	stop, done := g.stopUI, g.uiDone
	g.mu.Unlock()
	// A second signal is not to be swallowed: it ends leads at once,
	// after the same clean-up.
	go func() {
		<-ch
		g.cleanup()
		reraise(sig)
	}()
	if stop != nil {
		// The inbox restores the terminal and the command unwinds; main
		// then finishes the exit in exit(). Should the unwinding stall
		// (closing the database waits for a read still running), the
		// exit is finished here after the same grace.
		stop()
		select {
		case <-done:
			time.Sleep(uiGrace)
		case <-time.After(uiGrace):
		}
	}
	g.cleanup()
	reraise(sig)
}

// cleanup runs every registered function.
func (g *exitGuard) cleanup() {
	g.mu.Lock()
	fns := make([]func(), 0, len(g.fns))
	for _, fn := range g.fns {
		fns = append(fns, fn)
	}
	g.fns = map[int]func(){}
	g.mu.Unlock()
	for _, fn := range fns {
		fn()
	}
}

// exit ends the process with code, or, after an exit signal, by that
// signal once everything registered has run.
func (e *env) exit(code int) {
	if g := e.guard; g != nil {
		g.mu.Lock()
		sig := g.got
		g.mu.Unlock()
		if sig != nil {
			g.cleanup()
			reraise(sig)
		}
	}
	os.Exit(code)
}

// reraise ends the process by sig with the default action, as if leads
// had not caught it.
func reraise(sig os.Signal) {
	signal.Reset(sig)
	if s, ok := sig.(syscall.Signal); ok {
		killSelf(s)
		time.Sleep(time.Second)
		os.Exit(128 + int(s))
	}
	os.Exit(exitFailed)
}

// sweepScratch removes what killed leads processes left in the private
// directory of temporary files; it runs as leads starts.
func sweepScratch(getenv func(string) string) {
	if dir, ok := scratch.Existing(getenv); ok {
		_, _ = scratch.Sweep(dir)
	}
}
