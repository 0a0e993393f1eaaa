//go:build linux

package main

import (
	"strings"
	"testing"
)

// TestShowHostileReply: a reply with escape sequences, a carriage return,
// bidi overrides, zero-width characters and 40 KB of text is shown by
// leads show cleaned and cut to its first lines; to a real terminal, show,
// show --json and list --json let nothing of it act on the terminal.
func TestShowHostileReply(t *testing.T) {
	db := mailDB(t, true)
	r := runCLI(t, db, "", "show", "bo@x.example")
	if r.code != 0 {
		t.Fatalf("show: %d %q", r.code, r.stderr)
	}
	checkTerminalStream(t, "show", r.stdout, "offerfdp.exe", "      > Bob")
	if len(r.stdout) > 8_000 {
		t.Errorf("show wrote %d bytes for one contact: the reply is not capped", len(r.stdout))
	}
	for _, args := range [][]string{{"show", "bo@x.example"}, {"show", "bo@x.example", "--json"}, {"list", "--json"}} {
		checkTerminalStream(t, strings.Join(args, " ")+" on a terminal", onTerminal(t, append([]string{"--db", db}, args...)...), "Bo")
	}
}
