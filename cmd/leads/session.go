package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/leads-inbox/leads/tui"
	"github.com/leads-inbox/leads/tui/config"
)

func init() {
	register(&command{name: "session", args: "[--view NAME] [--resume]",
		summary: "open the inbox straight into a follow-up session: the view's contacts one at a time, draft beside the funnel",
		run:     runSession})
}

func runSession(e *env, args []string) int {
	c := commands["session"]
	fs := e.flags(c)
	viewName := fs.String("view", "", "work through this view, built-in (action, scheduled, all, replied…) or saved; default: the config's default_view, else action")
	resume := fs.Bool("resume", false, "continue the unfinished session where it stopped")
	pos, code, ok := e.parse(fs, args)
	if !ok {
		return code
	}
	if len(pos) > 0 {
		fmt.Fprintf(e.stderr, "leads session: unexpected argument %q; run 'leads help session'\n", pos[0])
		return exitUsage
	}
	if *resume && *viewName != "" {
		fmt.Fprintln(e.stderr, "leads session: --resume continues the session on its own view: leave out --view")
		return exitUsage
	}
	cfg, err := e.loadConfig()
	if err != nil {
		fmt.Fprintln(e.stderr, "leads:", err)
		return exitFailed
	}
	name := *viewName
	if name == "" {
		name = cfg.DefaultView
	}
	if name == "" {
		name = "action"
	}
	if !knownView(cfg, name) {
		fmt.Fprintf(e.stderr, "leads session: no view %q: use a built-in view (%s) or a [views] table of the config\n",
			name, strings.Join(config.LaneNames, ", "))
		return exitUsage
	}
	started := time.Now()
	s, ok := e.open(false)
	if !ok {
		return exitFailed
	}
	defer s.Close()
	if *resume {
		ses, err := s.LoadSession()
		if err != nil {
			return e.fail(err)
		}
		if ses == nil || ses.Done() {
			fmt.Fprintln(e.stderr, "leads session: no unfinished session to resume: run 'leads session' to start one")
			return exitFailed
		}
	}
	opt := tui.Options{Syncer: tableSyncer(e, s), Started: started, Session: &tui.SessionStart{Resume: *resume}}
	if !*resume {
		opt.View = name
	}
	return e.runTUI(s, opt)
}

// knownView reports whether name is a built-in view or a saved one.
func knownView(cfg *config.Config, name string) bool {
	if _, ok := config.ParseLane(name); ok {
		return true
	}
	for _, v := range cfg.Views {
		if strings.EqualFold(v.Name, name) {
			return true
		}
	}
	return false
}
