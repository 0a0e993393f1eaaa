package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"time"

	"github.com/leads-inbox/leads/importer"
	"github.com/leads-inbox/leads/store"
	"github.com/leads-inbox/leads/store/safetext"
)

func init() {
	register(&command{name: "import", args: "[--dry-run] [--encoding NAME] FILE... (- for standard input)",
		summary: "import leads from Storage Explorer or Partner Center CSV exports and webhook JSON", run: runImport})
}

// importBatch is how many leads go into one transaction: large enough that
// commits are rare, small enough to keep memory bounded at any file size.
const importBatch = 20000

func runImport(e *env, args []string) int {
	c := commands["import"]
	fs := e.flags(c)
	dryRun := fs.Bool("dry-run", false, "read and check everything, report what would change, store nothing")
	allowForgotten := fs.Bool("allow-forgotten", false, "import leads of people who asked to be forgotten")
	progress := fs.Bool("progress", false, "print a line to stderr each time a batch of leads is stored")
	encoding := fs.String("encoding", "", "the files' character encoding (utf-8, utf-16le, windows-1252, shift_jis, gb18030, euc-kr, big5, ...) instead of detecting it")
	files, code, ok := e.parse(fs, args)
	if !ok {
		return code
	}
	if len(files) == 0 {
		fmt.Fprintln(e.stderr, "leads import: name at least one file (or - for standard input); see 'leads import --help'")
		return exitUsage
	}
	if *encoding != "" {
		if err := importer.CheckEncoding(*encoding); err != nil {
			fmt.Fprintln(e.stderr, "leads import:", err)
			return exitUsage
		}
	}
	// A pipe, a FIFO or standard input may take any time to produce
	// anything (a FIFO with no writer never does): wait for their first
	// bytes before taking the database, which no other leads may use
	// while this one holds it.
	early := make([]earlyInput, len(files))
	stdinSeen := false
	for i, name := range files {
		if name == "-" {
			// Named again, standard input is read where the first left it.
			if stdinSeen {
				continue
			}
			stdinSeen = true
		}
		early[i] = waitForInput(e, name)
		if early[i].f != nil {
			defer early[i].f.Close()
		}
	}
	s, ok := e.open(false)
	if !ok {
		return exitFailed
	}
	defer s.Close()
	// A soft cap keeps a million-row import well inside a laptop's memory:
	// the garbage collector works harder near it instead of growing the heap.
	if e.getenv("GOMEMLIMIT") == "" {
		defer debug.SetMemoryLimit(debug.SetMemoryLimit(384 << 20))
		// With the cap in place, collecting only as the heap grows large
		// saves a tenth of the import's time: an import's garbage is
		// short-lived batches, and the cap still bounds the heap. Since
		// the writer and readers reuse their batches, a million-row
		// import's live heap is small at first, and 800 rather than 400
		// leaves its start to the cap too.
		if e.getenv("GOGC") == "" {
			defer debug.SetGCPercent(debug.SetGCPercent(800))
		}
	}

	// New leads are filed into their contacts once, after the last
	// batch (store.Fold), so rows in any order cost the same.
	imp := &importRun{e: e, s: s, opt: store.UpsertOptions{DryRun: *dryRun, AllowForgotten: *allowForgotten,
		DeferContacts: true}, progress: *progress, encoding: *encoding}
	if *dryRun {
		imp.seen = map[string]struct{}{}
	}
	failed := false
	for i, name := range files {
		if err := imp.file(name, early[i]); err != nil {
			failed = true
			var re *importer.RowError
			if errors.As(err, &re) {
				fmt.Fprintln(e.stderr, "leads:", re.Error())
			} else {
				fmt.Fprintln(e.stderr, "leads:", safetext.Clean(err.Error()))
			}
			if imp.fatalStore {
				break
			}
		}
	}
	// Also after a failure: every batch that was stored is filed.
	if _, err := s.Fold(); err != nil {
		fmt.Fprintln(e.stderr, "leads:", safetext.Clean(err.Error()))
		failed = true
	}
	if imp.forgotten > 0 {
		fmt.Fprintf(e.stderr, "leads: skipped %d leads of people who asked to be forgotten (--allow-forgotten imports them)\n", imp.forgotten)
	}
	if imp.older > 0 {
		fmt.Fprintf(e.stderr, "leads: kept %d stored leads that changed after this file was written (their table Timestamp is newer); they count as unchanged\n", imp.older)
	}
	// The summary line keeps its one format for scripts; that nothing
	// was stored is said beside it.
	if *dryRun {
		fmt.Fprintln(e.stderr, "leads: dry run, nothing stored")
	}
	imp.sum.print(e.stdout)
	if failed {
		return exitFailed
	}
	return imp.sum.exitCode()
}

type importRun struct {
	e          *env
	s          *store.Store
	opt        store.UpsertOptions
	sum        summary
	forgotten  int
	older      int                 // leads kept because the stored copy is newer
	seen       map[string]struct{} // lead IDs already counted in a dry run
	fatalStore bool
	progress   bool
	stored     int
	encoding   string // --encoding, or empty to detect
}

// file imports one file. Parsing runs in its own goroutine and hands
// batches to this one, which writes them, so both cores are busy.
func (r *importRun) file(name string, early earlyInput) error {
	var in io.Reader
	label := name
	switch {
	case early.err != nil:
		return early.err
	case early.in != nil:
		in, label = early.in, early.label
	case name == "-":
		in, label = r.e.stdin, "stdin"
	default:
		f, err := os.Open(name)
		if err != nil {
			return fmt.Errorf("cannot read %s: %v", name, unwrapPath(err))
		}
		defer f.Close()
		if fi, err := f.Stat(); err == nil && fi.IsDir() {
			return fmt.Errorf("%s is a directory: name the lead files inside it", name)
		}
		in = f
		label = filepath.Clean(name)
	}

	// The file is read on its own goroutine, its leads built and prepared
	// (hashed and encoded, which needs only the leads) there or on one
	// goroutine per core, and written here, on this one, so that reading
	// and writing overlap.
	batches := make(chan []store.Lead, 1)
	// Written batches go back to the reader to be filled again.
	reuse := make(chan []store.Lead, 2)
	stop := make(chan struct{})
	type result struct {
		st  importer.Stats
		err error
	}
	done := make(chan result, 1)
	go func() {
		now := time.Now()
		opt := importer.BatchOptions{Size: importBatch, Reuse: reuse, Encoding: r.encoding,
			Prepare: func() func([]store.Lead) { return r.s.NewPreparer(now).Prepare }}
		// Into an empty store every lead is new and writing them is the
		// slower half: reading on one goroutine costs less in all and
		// keeps up. Otherwise most leads are likely stored already and
		// reading is nearly all the work, so it gets every core.
		if empty, err := r.s.Empty(); err == nil && empty {
			opt.Inline = true
		}
		st, err := importer.ReadBatches(in, label, opt, func(batch []store.Lead) error {
			select {
			case batches <- batch:
				return nil
			case <-stop:
				return errStopped
			}
		}, func(re *importer.RowError) {
			fmt.Fprintln(r.e.stderr, re.Error())
		})
		close(batches)
		done <- result{st, err}
	}()

	var werr error
	for batch := range batches {
		if werr != nil {
			continue
		}
		werr = r.write(batch)
		if werr != nil {
			close(stop)
			continue
		}
		select {
		case reuse <- batch[:cap(batch)]:
		default:
		}
	}
	res := <-done
	r.encodingNotes(label, res.st)
	r.sum.Read += res.st.Records
	r.sum.Rejected += res.st.Rejected
	r.sum.Test += res.st.Test
	if werr != nil {
		r.fatalStore = true
		return werr
	}
	if res.err != nil && !errors.Is(res.err, errStopped) {
		return res.err
	}
	return nil
}

// encodingNotes tells the user how a file's text was read when it was not
// plain UTF-8 throughout: a guess, however careful, is said, so that a
// wrong one is seen and can be undone with --encoding.
func (r *importRun) encodingNotes(label string, st importer.Stats) {
	name := importer.Sanitize(label, 200)
	if st.Detected != "" {
		fmt.Fprintf(r.e.stderr, "leads: %s: read as %s (detected; --encoding NAME reads it as another)\n", name, st.Detected)
	}
	if st.Windows1252 > 0 {
		rows := "1 row was"
		if st.Windows1252 > 1 {
			rows = fmt.Sprintf("%d rows were", st.Windows1252)
		}
		fmt.Fprintf(r.e.stderr, "leads: %s: %s not UTF-8 and read as Windows-1252 (the first at line %d); if that is wrong, import the file again with --encoding NAME\n",
			name, rows, st.Windows1252Line)
	}
}

var errStopped = errors.New("stopped")

// earlyInput is an input opened, and read up to its first bytes, before
// the database was: standard input or anything that is not a regular
// file. in is nil for a regular file, which is opened when its turn comes
// (a long list of files would otherwise hold as many open at once).
type earlyInput struct {
	in    io.Reader
	f     *os.File
	label string
	err   error
}

func waitForInput(e *env, name string) earlyInput {
	var src io.Reader
	var f *os.File
	label := "stdin"
	if name == "-" {
		src = e.stdin
	} else {
		fi, err := os.Stat(name)
		if err != nil || fi.Mode().IsRegular() || fi.IsDir() {
			return earlyInput{}
		}
		// Opening a FIFO waits for its writer, reading for its data.
		if f, err = os.Open(name); err != nil {
			return earlyInput{err: fmt.Errorf("cannot read %s: %v", name, unwrapPath(err))}
		}
		src, label = f, filepath.Clean(name)
	}
	br := bufio.NewReaderSize(src, 64<<10)
	// An error here (an empty input) is met again by the reader.
	_, _ = br.Peek(1)
	return earlyInput{in: br, f: f, label: label}
}

func (r *importRun) write(batch []store.Lead) error {
	if r.seen != nil {
		// A dry run rolls every batch back, so later batches cannot see
		// earlier ones: count repeats within the run here.
		kept := batch[:0]
		for _, l := range batch {
			if l.ID == "" {
				l.ID = l.ComputeID()
			}
			if _, dup := r.seen[l.ID]; dup {
				r.sum.Unchanged++
				continue
			}
			r.seen[l.ID] = struct{}{}
			kept = append(kept, l)
		}
		batch = kept
	}
	res, err := r.s.Upsert(batch, r.opt)
	if err != nil {
		return err
	}
	r.sum.add(res)
	r.forgotten += res.Forgotten
	r.older += res.Older
	if r.progress {
		// Each line is written after the batch committed: whatever happens
		// next, the leads it counts are in the file.
		r.stored += len(batch)
		fmt.Fprintf(r.e.stderr, "leads: %d rows stored\n", r.stored)
	}
	return nil
}

func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
