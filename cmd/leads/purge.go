package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

func init() {
	register(&command{name: "purge", args: "--older-than AGE [--dry-run]",
		summary: "remove contacts you never worked on whose newest lead is older than AGE (18m, 90d, 2y)", run: runPurge})
}

func runPurge(e *env, args []string) int {
	c := commands["purge"]
	fs := e.flags(c)
	older := fs.String("older-than", "", "`AGE`: months (18m), days (90d) or years (2y)")
	dryRun := fs.Bool("dry-run", false, "count what would be removed, change nothing")
	pos, code, ok := e.parse(fs, args)
	if !ok {
		return code
	}
	cutoff, err := parseAge(*older, e.now())
	if len(pos) > 0 || err != nil {
		fmt.Fprintln(e.stderr, "leads purge: give --older-than AGE such as 18m (months), 90d (days) or 2y (years)")
		return exitUsage
	}
	e.ownErasure = !*dryRun
	s, ok := e.open(false)
	if !ok {
		return exitFailed
	}
	defer s.Close()
	res, err := s.Purge(cutoff, *dryRun)
	if err != nil {
		return e.fail(err)
	}
	verb := "removed"
	if *dryRun {
		verb = "dry run, nothing removed: would remove"
	}
	fmt.Fprintf(e.stdout, "%s %d contacts with %d leads older than %s; kept %d old contacts you worked on\n",
		verb, res.Contacts, res.Leads, cutoff.Format("2006-01-02"), res.Kept)
	return exitOK
}

// parseAge turns 18m, 90d or 2y into the time that long before now.
// Months are calendar months, which is what a retention rule means.
func parseAge(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(strings.ToLower(s))
	if len(s) < 2 {
		return time.Time{}, fmt.Errorf("no age")
	}
	n, err := strconv.Atoi(s[:len(s)-1])
	if err != nil || n <= 0 {
		return time.Time{}, fmt.Errorf("bad age %q", s)
	}
	switch s[len(s)-1] {
	case 'd':
		return now.AddDate(0, 0, -n), nil
	case 'm':
		return now.AddDate(0, -n, 0), nil
	case 'y':
		return now.AddDate(-n, 0, 0), nil
	}
	return time.Time{}, fmt.Errorf("bad unit in %q", s)
}
