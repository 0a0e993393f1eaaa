package main

import (
	"fmt"

	"github.com/leads-inbox/leads/store/calendar"
	"github.com/leads-inbox/leads/store/safetext"
)

func init() {
	register(&command{name: "calendar", args: "[--out FILE]",
		summary: "write the scheduled follow-ups as an iCalendar file (.ics) for a calendar program", run: runCalendar})
}

func runCalendar(e *env, args []string) int {
	c := commands["calendar"]
	fs := e.flags(c)
	out := fs.String("out", "", "write to `FILE` (default: [calendar] path in the config)")
	pos, code, ok := e.parse(fs, args)
	if !ok {
		return code
	}
	if len(pos) > 0 {
		fmt.Fprintln(e.stderr, "leads calendar: give the file with --out FILE; see 'leads calendar --help'")
		return exitUsage
	}
	cfg, err := e.loadConfig()
	if err != nil {
		return e.fail(err)
	}
	e.warnConfig(cfg)
	path := *out
	if path == "" {
		path = cfg.Calendar.Path
	}
	if path == "" {
		fmt.Fprintln(e.stderr, "leads calendar: no file to write: give --out follow-ups.ics, or set path under [calendar] in the config")
		return exitUsage
	}
	if path == "-" {
		// A calendar is a file a program reads again and leads rewrites
		// and cleans up (forget): standard output can be neither.
		fmt.Fprintln(e.stderr, "leads calendar: the calendar is a file that your calendar program reads and leads keeps up to date: give --out follow-ups.ics, not -")
		return exitUsage
	}
	s, ok := e.open(false)
	if !ok {
		return exitFailed
	}
	defer s.Close()
	res, err := calendar.Write(s, path, calendar.Options{Now: e.now(), Zone: calendar.ZoneName(e.getenv),
		IncludeEmail: cfg.Calendar.IncludeEmail, Cadence: cfg.CadenceFor})
	if err != nil {
		return e.fail(err)
	}
	fmt.Fprintf(e.stdout, "wrote %s to %s", countOf(res.Events, "follow-up", "follow-ups"), safetext.Clean(path))
	if res.Cancelled > 0 {
		fmt.Fprintf(e.stdout, " (and %s, kept for calendar programs to remove)", countOf(res.Cancelled, "cancelled event", "cancelled events"))
	}
	fmt.Fprintln(e.stdout)
	return exitOK
}
