package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/leads-inbox/leads/config"
	"github.com/leads-inbox/leads/tui"
)

func init() {
	register(&command{name: "config", args: "",
		summary: "print the config file's path, the settings in force and what is wrong with the file", run: runConfig})
}

// loadConfig reads the config file with every check, the key bindings'
// included (the inbox knows its actions, package config does not). A file
// that cannot be read at all is an error; problems inside it are in
// c.Problems and the defaults stand in for the bad settings.
func (e *env) loadConfig() (*config.Config, error) {
	c, err := config.LoadDefault(e.getenv)
	if err != nil {
		return nil, err
	}
	if len(c.Keys) > 0 {
		km := tui.DefaultKeyMap()
		for _, p := range tui.ApplyKeys(&km, c.Keys) {
			c.Problems = append(c.Problems, config.Problem{Line: c.KeyLines[p.Action], Msg: p.Msg})
			delete(c.Keys, p.Action) // not in force: the default stands
		}
		slices.SortStableFunc(c.Problems, func(a, b config.Problem) int { return a.Line - b.Line })
	}
	return c, nil
}

// warnConfig says once, on stderr, that the file has problems: the
// settings in question fall back to their defaults, which the rep would
// otherwise not notice.
func (e *env) warnConfig(c *config.Config) {
	if len(c.Problems) == 0 {
		return
	}
	fmt.Fprintf(e.stderr, "leads: %s has %s (defaults used for them): run 'leads config' to see them\n",
		c.Path, plural(len(c.Problems), "problem", "problems"))
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

func runConfig(e *env, args []string) int {
	c := commands["config"]
	fs := e.flags(c)
	pos, code, ok := e.parse(fs, args)
	if !ok {
		return code
	}
	if len(pos) > 0 {
		fmt.Fprintf(e.stderr, "leads config: unexpected argument %q; it takes none\n", pos[0])
		return exitUsage
	}
	cfg, err := e.loadConfig()
	if err != nil {
		fmt.Fprintln(e.stderr, "leads config:", err)
		return exitFailed
	}
	state := "exists"
	if !cfg.Exists {
		state = "does not exist: the defaults below are in force"
	}
	fmt.Fprintf(e.stdout, "# %s (%s)\n", cfg.Path, state)
	fmt.Fprintf(e.stdout, "# key actions for [keys]: %s\n\n", strings.Join(tui.KeyActions(), ", "))
	if err := cfg.Describe(e.stdout); err != nil {
		return e.fail(err)
	}
	if len(cfg.Problems) == 0 {
		return exitOK
	}
	// One line per problem, on stderr, so that the values above can be
	// saved as a file while the problems still show.
	for _, p := range cfg.Problems {
		if p.Line > 0 {
			fmt.Fprintf(e.stderr, "%s:%d: %s\n", cfg.Path, p.Line, p.Msg)
		} else {
			fmt.Fprintf(e.stderr, "%s: %s\n", cfg.Path, p.Msg)
		}
	}
	return exitFailed
}
