package main

import (
	"fmt"

	"github.com/leads-inbox/leads/store"
)

func init() {
	register(&command{name: "backup", args: "FILE",
		summary: "write a consistent copy of the database to FILE (works while the inbox is open)", run: runBackup})
}

func runBackup(e *env, args []string) int {
	c := commands["backup"]
	fs := e.flags(c)
	pos, code, ok := e.parse(fs, args)
	if !ok {
		return code
	}
	if len(pos) != 1 {
		fmt.Fprintln(e.stderr, "leads backup: name the file to write the copy to, e.g. 'leads backup leads-2026-11-24.db'")
		return exitUsage
	}
	p, err := e.path()
	if err != nil {
		return e.fail(err)
	}
	res, err := store.Backup(p, pos[0])
	if err != nil {
		return e.fail(err)
	}
	how := "copied"
	if res.Copied {
		how = "copied while another leads had it open; verified"
	}
	fmt.Fprintf(e.stdout, "backup written to %s (%d bytes, %s)\n", pos[0], res.Bytes, how)
	return exitOK
}
