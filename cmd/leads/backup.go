package main

import (
	"fmt"
	"os"

	"github.com/leads-inbox/leads/store"
)

func init() {
	register(&command{name: "backup", args: "[--force] FILE",
		summary: "write a consistent copy of the database to FILE (works while the inbox is open)", run: runBackup})
}

func runBackup(e *env, args []string) int {
	c := commands["backup"]
	fs := e.flags(c)
	force := fs.Bool("force", false, "replace FILE if it exists (an older backup)")
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
	// A mistyped name must not replace some other file: only --force
	// replaces what is there (a nightly backup to one name uses it).
	if _, err := os.Lstat(pos[0]); err == nil && !*force {
		return e.fail(fmt.Errorf("%s already exists; choose another name, or add --force to replace it", pos[0]))
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
	return recordCopy(e, p, pos[0], store.CopyBackup)
}
