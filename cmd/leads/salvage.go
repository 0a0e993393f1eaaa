package main

import (
	"fmt"

	"github.com/leads-inbox/leads/store"
)

func init() {
	register(&command{name: "salvage", args: "DAMAGED NEW",
		summary: "copy every readable lead and triage record from a damaged database into a new one", run: runSalvage})
}

func runSalvage(e *env, args []string) int {
	c := commands["salvage"]
	fs := e.flags(c)
	pos, code, ok := e.parse(fs, args)
	if !ok {
		return code
	}
	if len(pos) != 2 {
		fmt.Fprintln(e.stderr, "leads salvage: give the damaged file and a new file to write, e.g. 'leads salvage leads.db leads-salvaged.db'")
		return exitUsage
	}
	res, err := store.Salvage(pos[0], pos[1])
	if err != nil {
		return e.fail(err)
	}
	fmt.Fprintf(e.stdout, "salvaged %d leads (%d contacts), triage of %d contacts, %d history events into %s; %d damaged pages or records skipped\n",
		res.Leads, res.Contacts, res.Triage, res.Events, pos[1], res.Unreadable)
	fmt.Fprintf(e.stdout, "check it with 'leads --db %s list', re-import your lead files into it to restore what was skipped, then put it in place of the damaged file\n", pos[1])
	return exitOK
}
