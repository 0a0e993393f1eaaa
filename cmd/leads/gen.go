package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/leads-inbox/leads/importer/gen"
)

func init() {
	register(&command{name: "gen", args: "--rows N [--format storage-explorer|webhook|partner-center] [--seed S] [--out FILE]",
		summary: "write realistic synthetic leads (funnels, duplicates, test, DNC and no-PII leads) for demos and benchmarks",
		run:     runGen})
}

func runGen(e *env, args []string) int {
	c := commands["gen"]
	fs := e.flags(c)
	rows := fs.Int("rows", 1000, "number of lead rows to write")
	format := fs.String("format", gen.FormatStorageExplorer, "file format: "+strings.Join(gen.Formats, ", "))
	seed := fs.Int64("seed", 1, "random seed; the same seed and --now give the same file")
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
	bw := bufio.NewWriterSize(w, 1<<20)
	err := gen.Write(bw, gen.Options{Rows: *rows, Format: *format, Seed: *seed, Now: now})
	if errors.Is(err, gen.ErrUnknownFormat) {
		fmt.Fprintf(e.stderr, "leads gen: unknown --format %q; use one of %s\n", *format, strings.Join(gen.Formats, ", "))
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
