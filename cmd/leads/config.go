package main

import (
	"flag"
	"fmt"
	"slices"
	"strings"

	"github.com/leads-inbox/leads/store"
	"github.com/leads-inbox/leads/store/safetext"
	"github.com/leads-inbox/leads/store/view"
	"github.com/leads-inbox/leads/tui"
	"github.com/leads-inbox/leads/tui/config"
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

// cadenceFor is the config file's follow-up plan for a contact whose
// latest lead is of action; a file that cannot be read leaves the default
// (leads config says why).
func (e *env) cadenceFor(action string) store.Cadence {
	c, err := config.LoadDefault(e.getenv)
	if err != nil {
		return store.DefaultCadence
	}
	return c.CadenceFor(action)
}

// warnConfig says once, on stderr, that the file has problems: the
// settings in question fall back to their defaults, which the rep would
// otherwise not notice.
func (e *env) warnConfig(c *config.Config) {
	if len(c.Problems) == 0 {
		return
	}
	fmt.Fprintf(e.stderr, "leads: %s has %s, so defaults stand in there: run 'leads config' to see them\n",
		c.Path, countOf(len(c.Problems), "problem", "problems"))
}

// countOf is n with its noun: "1 problem", "3 problems".
func countOf(n int, one, many string) string {
	return fmt.Sprintf("%d %s", n, plural(n, one, many))
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

// applyView puts the saved view name under the filter flags: a flag the
// rep gave wins over the view's value for it, and --sort over its sort.
// The view's lane is the inbox's business; 'leads list' says it lists
// every lane, but for the Replied lane, which it keeps as --replied.
func (e *env) applyView(fs *flag.FlagSet, f *view.Filter, sortBy *string, name string) bool {
	cfg, err := e.loadConfig()
	if err != nil {
		fmt.Fprintln(e.stderr, "leads:", err)
		return false
	}
	v, ok := cfg.View(name)
	if !ok {
		var names []string
		for _, sv := range cfg.Views {
			names = append(names, sv.Name)
		}
		known := "there are none"
		if len(names) > 0 {
			known = "saved views: " + strings.Join(names, ", ")
		}
		fmt.Fprintf(e.stderr, "leads: no saved view %q in %s (%s); add a [views.NAME] table, see 'leads config'\n", safetext.Clean(name), cfg.Path, known)
		return false
	}
	set := map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	vf := v.Filter()
	for _, p := range []struct {
		flag     string
		dst, val *[]string
	}{{"source", &f.Source, &vf.Source}, {"action", &f.Action, &vf.Action}, {"offer", &f.Offer, &vf.Offer},
		{"status", &f.Status, &vf.Status}, {"country", &f.Country, &vf.Country}} {
		if !set[p.flag] {
			*p.dst = *p.val
		}
	}
	if !set["q"] {
		f.Query = vf.Query
	}
	if !set["include-test"] {
		f.IncludeTest = vf.IncludeTest
	}
	if !set["sort"] {
		*sortBy = v.Sort
	}
	if v.Lane == view.LaneReplied {
		// The one lane a listing can keep: the contacts waiting for an
		// answer are a filter of the read model (view.Filter.Replied).
		f.Replied = true
	}
	// Mine and Unassigned are filters of the read model too, unless
	// the command line names an owner itself.
	switch {
	case v.Lane == view.LaneMine && f.Owner == "" && !f.Unassigned:
		f.Owner = store.CleanRepName(cfg.Me(e.getenv))
	case v.Lane == view.LaneUnassigned && f.Owner == "":
		f.Unassigned = true
	}
	if v.Lane != view.LaneAll && v.Lane != view.LaneTest && v.Lane != view.LaneReplied && v.Lane != view.LaneMine && v.Lane != view.LaneUnassigned {
		fmt.Fprintf(e.stderr, "leads: view %s narrows the inbox's %q view; leads list applies its filters to every contact\n", safetext.Clean(v.Name), config.LaneNames[v.Lane])
	}
	return true
}
