package main

import (
	"fmt"
	"runtime/debug"

	"github.com/leads-inbox/leads/store"
)

// version is set at build time with -ldflags "-X main.version=..."; a plain
// build reports the module version or "dev".
var version = ""

func init() {
	register(&command{name: "version", summary: "print the version of leads", run: runVersion})
}

func runVersion(e *env, args []string) int {
	fs := e.flags(commands["version"])
	if _, code, ok := e.parse(fs, args); !ok {
		return code
	}
	v := version
	if v == "" {
		v = "dev"
		if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v = bi.Main.Version
		}
	}
	fmt.Fprintf(e.stdout, "leads %s (database schema %d)\n", v, store.SchemaVersion)
	return exitOK
}
