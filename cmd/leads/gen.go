package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/leads-inbox/leads/importer/gen"
)

func init() {
	register(&command{name: "gen", args: "--rows N [--format storage-explorer|webhook|partner-center] [--order generated|table|shuffled] [--shape compact|spread] [--seed S] [--out FILE]",
		summary: "write realistic synthetic leads (funnels, duplicates, test, DNC and no-PII leads) for demos and benchmarks",
		run:     runGen})
}

// genHelp follows the flag list in 'leads gen --help'. The command list
// shows one summary line per command, so what the options mean for a
// benchmark is said here.
const genHelp = `
Orders (--order):
  generated  as the generator makes them: a person's funnel steps close together in
             the file. The default; the same seed gives the same bytes as before
             --order existed, so older benchmark figures stay comparable.
  table      as Azure Table storage lists the lead table and Storage Explorer exports
             it: by PartitionKey (the creation date as the string M:2Fdd:2Fyyyy, so
             "10:2F01:2F2026" sorts before "9:2F30:2F2026"), then RowKey. A person's
             leads from different days lie far apart, as in real exports. Webhook and
             Partner Center files use the keys the same leads have in the table.
  shuffled   a random order drawn from --seed.
Every order holds the same rows for the same seed; table and shuffled keep up to 60
bytes a row plus a 128 MB window of rendered rows in memory.

Shapes (--shape):
  compact    the default and unchanged for a given seed: a person's funnel steps two
             hours to six days apart, their address retyped (case, a trailing space)
             on about half of the later steps, LeadSource always Source-Action|Offer.
  spread     closer to real exports: steps a day to four weeks apart, the address in
             another case and with leading or trailing spaces from lead to lead, a
             source-only LeadSource (the action only in ActionCode) on about a quarter
             of the leads, and some Descriptions holding JSON such as
             {"utm_source":"linkedin","message":"Pricing?"}.
For an import benchmark close to real data: --order table --shape spread.
`

func runGen(e *env, args []string) int {
	c := commands["gen"]
	fs := e.flags(c)
	usage := fs.Usage
	fs.Usage = func() {
		usage()
		fmt.Fprint(fs.Output(), genHelp)
	}

	rows := fs.Int("rows", 1000, "number of lead rows to write")
	format := fs.String("format", gen.FormatStorageExplorer, "file format: "+strings.Join(gen.Formats, ", "))
	seed := fs.Int64("seed", 1, "random seed; the same seed and --now give the same file")
	order := fs.String("order", gen.OrderGenerated, "row order: "+strings.Join(gen.Orders, ", ")+" (see below)")
	shape := fs.String("shape", gen.ShapeCompact, "how people behave: "+strings.Join(gen.Shapes, ", ")+" (see below)")
	nowFlag := fs.String("now", "", "date the leads relative to this RFC 3339 `TIME` instead of now")
	out := fs.String("out", "", "write to `FILE` instead of standard output")
	pos, code, ok := e.parse(fs, args)
	if !ok {
		return code
	}
	if len(pos) > 0 || *rows < 0 {
		fmt.Fprintln(e.stderr, "leads gen: use --rows N (N >= 0) and flags only; see 'leads gen --help'")
		return exitUsage
	}
	now := e.now()
	if *nowFlag != "" {
		t, err := time.Parse(time.RFC3339, *nowFlag)
		if err != nil {
			fmt.Fprintln(e.stderr, "leads gen: --now needs an RFC 3339 time such as 2026-11-24T09:00:00Z")
			return exitUsage
		}
		now = t
	}
	var w io.Writer = e.stdout
	if *out != "" {
		f, err := os.OpenFile(*out, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
		if err != nil {
			return e.fail(fmt.Errorf("cannot write %s: %v", *out, err))
		}
		defer f.Close()
		w = f
	}
	if *order != gen.OrderGenerated && e.getenv("GOGC") == "" {
		// Reordering holds its keys and a window of rendered rows, nearly
		// all of it pointer-free, so a collection costs next to nothing
		// while the default GOGC would let the generator's short-lived
		// strings double the heap: 25% keeps a million rows near 200 MB
		// instead of 300.
		defer debug.SetGCPercent(debug.SetGCPercent(25))
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	err := gen.Write(bw, gen.Options{Rows: *rows, Format: *format, Seed: *seed, Now: now, Order: *order, Shape: *shape})
	switch {
	case errors.Is(err, gen.ErrUnknownFormat):
		fmt.Fprintf(e.stderr, "leads gen: unknown --format %q; use one of %s\n", *format, strings.Join(gen.Formats, ", "))
		return exitUsage
	case errors.Is(err, gen.ErrUnknownOrder):
		fmt.Fprintf(e.stderr, "leads gen: unknown --order %q; use one of %s\n", *order, strings.Join(gen.Orders, ", "))
		return exitUsage
	case errors.Is(err, gen.ErrUnknownShape):
		fmt.Fprintf(e.stderr, "leads gen: unknown --shape %q; use one of %s\n", *shape, strings.Join(gen.Shapes, ", "))
		return exitUsage
	}
	if err == nil {
		err = bw.Flush()
	}
	if err != nil {
		return e.fail(err)
	}
	return exitOK
}
