package main

import (
	"strings"
	"testing"
)

// TestSessionCommandRefusesBeforeTheScreen: a view that does not exist,
// --resume with nothing to resume, and --resume with --view each give one
// line and an exit code before the screen takes the terminal.
func TestSessionCommandRefusesBeforeTheScreen(t *testing.T) {
	db := tempDB(t)
	if r := runCLI(t, db, "", "import", "testdata/storage-explorer-export.csv"); r.code != exitOK {
		t.Fatalf("import: %d %s", r.code, r.stderr)
	}
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"session", "--view", "nope"}, exitUsage, `no view "nope"`},
		{[]string{"session", "--resume"}, exitFailed, "no unfinished session to resume"},
		{[]string{"session", "--resume", "--view", "all"}, exitUsage, "leave out --view"},
		{[]string{"session", "extra"}, exitUsage, "unexpected argument"},
	} {
		r := runCLI(t, db, "", tc.args...)
		if r.code != tc.code || !strings.Contains(r.stderr, tc.want) || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q in one line", tc.args, r.code, r.stderr, tc.code, tc.want)
		}
	}
}
