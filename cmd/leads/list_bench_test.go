package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// BenchmarkListJSON is `leads list --json` written to nowhere, over the
// database at $LEADS_BENCH_DB (for the figures in the README, a million
// table-order leads), else over 100,000 table-order leads generated and
// imported first:
//
//	LEADS_BENCH_DB=/path/to/1m.db go test ./cmd/leads -run '^$' -bench ListJSON -benchtime 3x
//
// Compare it with `sqlite3 -json DB 'SELECT * FROM leads'` over the same
// leads (.ci/bench/import.sh does both).
func BenchmarkListJSON(b *testing.B) {
	db := os.Getenv("LEADS_BENCH_DB")
	if db == "" {
		dir := b.TempDir()
		db = filepath.Join(dir, "leads.db")
		csv := filepath.Join(dir, "leads.csv")
		for _, args := range [][]string{
			{"gen", "--rows", "100000", "--seed", "7", "--now", "2026-11-24T09:00:00Z", "--order", "table", "--out", csv},
			{"import", csv},
		} {
			if code, stderr := benchRun(db, io.Discard, args...); code != 0 {
				b.Fatalf("leads %s: exit %d: %s", args[0], code, stderr)
			}
		}
	}
	b.ResetTimer()
	var n countingWriter
	for b.Loop() {
		n = 0
		if code, stderr := benchRun(db, &n, "list", "--json"); code != 0 {
			b.Fatalf("list --json: exit %d: %s", code, stderr)
		}
	}
	b.ReportMetric(float64(n), "bytes")
}

// benchRun runs a command line in-process and returns its exit code and
// standard error.
func benchRun(db string, stdout io.Writer, args ...string) (int, string) {
	var errb strings.Builder
	e := &env{stdin: strings.NewReader(""), stdout: stdout, stderr: &errb,
		now:    func() time.Time { return time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC) },
		getenv: func(string) string { return "" }}
	return run(e, append([]string{"--db", db}, args...)), errb.String()
}

// countingWriter counts what is written to it.
type countingWriter int

func (c *countingWriter) Write(p []byte) (int, error) {
	*c += countingWriter(len(p))
	return len(p), nil
}
