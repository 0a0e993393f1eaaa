package importer

import (
	"io"
	"runtime"
	"sync"

	"github.com/leads-inbox/leads/store"
)

// BatchOptions tune ReadBatches.
type BatchOptions struct {
	// Size is the most leads in one batch (default 20,000).
	Size int
	// Workers is how many goroutines build leads from CSV rows and run
	// Prepare (default: one per core).
	Workers int
	// Prepare, when set, is called once by each goroutine that builds
	// leads; what it returns is run on every lead that goroutine builds,
	// once, a few leads at a time as soon as they are built, before their
	// batch is handed to emit. Work that needs only the leads (hashing,
	// encoding) then runs beside the reading and the writing, while the
	// rows are still in the processor's cache. A lead it encodes in full
	// (store.Lead.Encoded) reaches emit with Raw nil: its record holds
	// those fields, and their memory goes to the leads built next.
	Prepare func() func([]store.Lead)
	// Inline builds and prepares on the reading goroutine, with no
	// workers. It costs less in all, so it is the better choice when what
	// the caller does with the batches is the slower part anyway.
	Inline bool
	// Reuse, when set, brings back batches emit has handed on and the
	// caller is done with, to be filled again instead of allocating a
	// new one for every batch. Nothing may refer to their leads after.
	Reuse <-chan []store.Lead
	// Encoding names the file's character encoding (see CheckEncoding);
	// empty means detect it.
	Encoding string
}

// newBatch returns room for a batch of size leads: one the caller gave
// back, emptied, or else a new one.
func (opt *BatchOptions) newBatch(size int) []store.Lead {
	select {
	case b := <-opt.Reuse:
		if cap(b) >= size {
			b = b[:size]
			clear(b)
			return b
		}
	default:
	}
	return make([]store.Lead, size)
}

// ReadBatches reads leads like Read and hands them to emit in batches, in
// file order, with every problem reported in line order before the batch
// that follows it. Reading a CSV file is split in two: one goroutine
// tokenizes the records (which depends on what came before: quotes, the
// encoding), and Workers goroutines build leads from them, which is most of
// the work and needs nothing but the row and the header. emit runs on the
// calling goroutine; an error from it stops the read and is returned.
func ReadBatches(r io.Reader, name string, opt BatchOptions, emit func([]store.Lead) error, report func(*RowError)) (Stats, error) {
	if opt.Size <= 0 {
		opt.Size = 20000
	}
	if opt.Workers <= 0 {
		opt.Workers = runtime.GOMAXPROCS(0)
	}
	br, cs, err := openText(r, opt.Encoding)
	if err != nil {
		return Stats{}, &RowError{File: name, Reason: err.Error(), Severity: Fatal}
	}
	if isJSON(br) {
		// Webhook files are small next to table exports: read them in
		// order and prepare each batch here.
		batch := opt.newBatch(opt.Size)[:0]
		var prepare func([]store.Lead)
		if opt.Prepare != nil {
			prepare = opt.Prepare()
		}
		var emitErr error
		flush := func() error {
			if len(batch) == 0 {
				return nil
			}
			if prepare != nil {
				prepare(batch)
			}
			emitErr = emit(batch)
			batch = opt.newBatch(opt.Size)[:0]
			return emitErr
		}
		st, err := readJSON(br, cs, name, func(l store.Lead) error {
			batch = append(batch, l)
			if len(batch) == opt.Size {
				return flush()
			}
			return nil
		}, report)
		// The leads read before a broken array's framing stopped the
		// read are good: they are stored, as Read hands them on, and the
		// error still ends the file. Only a failed emit sends nothing
		// more.
		if emitErr == nil {
			if ferr := flush(); ferr != nil {
				err = ferr
			}
		}
		return st, err
	}
	c := &csvReader{name: name, report: report, cs: cs}
	br = crLinesToLF(br)
	comma, skipped := sniffDelimiter(br)
	c.tok = newCSVTokenizer(br, comma)
	c.tok.line = skipped
	st, err := c.readBatches(opt, emit)
	c.cs.into(&st)
	return st, err
}

// readBatches reads a CSV file whose tokenizer is set up.
func (c *csvReader) readBatches(opt BatchOptions, emit func([]store.Lead) error) (Stats, error) {
	if err := c.readHeader(); err != nil {
		return c.stats, err
	}
	if err := c.checkRagged(); err != nil {
		return c.stats, err
	}
	if opt.Inline {
		return c.readInline(opt, emit)
	}
	return c.readParallel(opt, emit)
}

// readInline reads, builds and prepares on this goroutine, building each
// lead in its place in the batch: a lead is large to copy, and at a first
// import this goroutine is the busier one.
func (c *csvReader) readInline(opt BatchOptions, emit func([]store.Lead) error) (Stats, error) {
	batch := opt.newBatch(opt.Size)
	var slab []store.Field
	n, prepared := 0, 0
	var prep func([]store.Lead)
	if opt.Prepare != nil {
		prep = opt.Prepare()
	}
	// Leads are prepared in groups while the rows they came from are
	// still in the cache. A group's raw fields are carved from room, used
	// again for the next group when Prepare encoded every lead of this one.
	var room []store.Field
	prepare := func() {
		if prep != nil && prepared < n {
			prep(batch[prepared:n])
			if releaseRaw(batch[prepared:n]) {
				slab = room
			} else {
				// A lead kept its fields: the room is never used again.
				room = nil
			}
		}
		prepared = n
	}
	flush := func() error {
		if n == 0 {
			return nil
		}
		prepare()
		b := batch[:n]
		batch, n, prepared = opt.newBatch(opt.Size), 0, 0
		return emit(b)
	}
	for {
		start, s, ends, err := c.nextRow(&c.stats.Records)
		if err == io.EOF {
			if err := flush(); err != nil {
				return c.stats, err
			}
			return c.stats, c.atEnd()
		}
		if err != nil {
			if ferr := flush(); ferr != nil {
				return c.stats, ferr
			}
			return c.stats, err
		}
		l := &batch[n]
		if prep != nil && len(slab) < c.nRaw {
			room = make([]store.Field, c.nRaw*inlineGroup)
			slab = room
		}
		c.build(l, start, s, ends, c, &slab)
		n++
		c.stats.Leads++
		if l.IsTest {
			c.stats.Test++
		}
		if n-prepared == inlineGroup {
			prepare()
		}
		if n == opt.Size {
			if err := flush(); err != nil {
				return c.stats, err
			}
		}
	}
}

// releaseRaw drops the raw fields of the leads Prepare encoded in full,
// which Upsert takes from their records, and reports whether that was all
// of them: then the room their fields took can be used again.
func releaseRaw(leads []store.Lead) bool {
	all := true
	for i := range leads {
		if leads[i].Encoded() {
			leads[i].Raw = nil
		} else {
			all = false
		}
	}
	return all
}

// inlineGroup is how many leads are built before they are prepared: few
// enough that their rows are still in the processor's cache.
const inlineGroup = 64

// nextRow reads up to the next record that can be built, counting every
// record in *records and reporting the ones that cannot; it returns io.EOF
// at the end and a Fatal *RowError if reading fails. The returned ends are
// the tokenizer's, valid until the next call.
func (c *csvReader) nextRow(records *int) (start int, s string, ends []int, err error) {
	for {
		start, prob, err := c.tok.next()
		if err == io.EOF {
			return 0, "", nil, err
		}
		if err != nil {
			return 0, "", nil, &RowError{File: c.name, Line: c.tok.line, Reason: "read error: " + err.Error(), Severity: Fatal}
		}
		if prob == nil && isBlank(c.tok.rec) {
			continue
		}
		*records++
		if prob != nil {
			c.rowProblem(prob)
			continue
		}
		if s, ends, ok := c.row(start); ok {
			return start, s, ends, nil
		}
	}
}

// rowJob is one record to build: its text, where its fields end (in the
// chunk's shared ends), and its line.
type rowJob struct {
	line       int
	s          string
	ends0, end int
}

// problemAt is a problem waiting to be reported in order.
type problemAt struct {
	line, col int
	sev       Severity
	reason    string
}

// chunk is one batch on its way through the pipeline.
type chunk struct {
	rows    []rowJob
	ends    []int
	read    []problemAt // found while reading, in line order
	built   []problemAt // found while building, in line order
	records int
	err     error // reading stopped after this chunk's rows
	leads   []store.Lead
	ready   chan struct{}
}

// problem records a warning from building a lead (the warner interface).
func (ch *chunk) problem(line, col int, sev Severity, reason string) {
	ch.built = append(ch.built, problemAt{line, col, sev, reason})
}

func (c *csvReader) readParallel(opt BatchOptions, emit func([]store.Lead) error) (Stats, error) {
	jobs := make(chan *chunk, opt.Workers)
	order := make(chan *chunk, max(opt.Workers-1, 1))
	stop := make(chan struct{})
	var wg sync.WaitGroup

	// The reader: tokenizes, checks and decodes records into chunks. Its
	// own problems are recorded in the chunk, to be reported in order.
	var cur *chunk
	c.hold = func(p problemAt) { cur.read = append(cur.read, p) }
	// The row lists of chunks already built come back to be filled again:
	// a chunk's field offsets alone are a few megabytes, which growing
	// anew for every chunk made over half of what a second import of a
	// million rows allocated.
	type rowLists struct {
		rows []rowJob
		ends []int
	}
	spare := make(chan rowLists, opt.Workers+1)
	newChunk := func() *chunk {
		ch := &chunk{ready: make(chan struct{})}
		select {
		case l := <-spare:
			ch.rows, ch.ends = l.rows[:0], l.ends[:0]
		default:
			ch.rows = make([]rowJob, 0, opt.Size)
			ch.ends = make([]int, 0, opt.Size*len(c.cols))
		}
		return ch
	}
	send := func(ch *chunk) bool {
		select {
		case order <- ch:
		case <-stop:
			return false
		}
		jobs <- ch
		return true
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(order)
		defer close(jobs)
		cur = newChunk()
		for {
			start, s, ends, err := c.nextRow(&cur.records)
			if err != nil {
				if err != io.EOF {
					cur.err = err
				}
				send(cur)
				return
			}
			from := len(cur.ends)
			cur.ends = append(cur.ends, ends...)
			cur.rows = append(cur.rows, rowJob{start, s, from, len(cur.ends)})
			if len(cur.rows) == opt.Size {
				if !send(cur) {
					return
				}
				cur = newChunk()
			}
		}
	}()

	// The workers: build the leads of a chunk and prepare them.
	for range opt.Workers {
		go func() {
			var room, slab []store.Field
			var prep func([]store.Lead)
			if opt.Prepare != nil {
				prep = opt.Prepare()
			}
			// As in readInline: prepared groups give their room back.
			prepare := func(leads []store.Lead) {
				prep(leads)
				if releaseRaw(leads) {
					slab = room
				} else {
					room = nil
				}
			}
			for ch := range jobs {
				select {
				case <-stop:
				default:
					ch.leads = opt.newBatch(len(ch.rows))
					prepared := 0
					for i, r := range ch.rows {
						if prep != nil && len(slab) < c.nRaw {
							room = make([]store.Field, c.nRaw*inlineGroup)
							slab = room
						}
						c.build(&ch.leads[i], r.line, r.s, ch.ends[r.ends0:r.end], ch, &slab)
						if prep != nil && i+1-prepared == inlineGroup {
							prepare(ch.leads[prepared : i+1])
							prepared = i + 1
						}
					}
					if prep != nil && prepared < len(ch.leads) {
						prepare(ch.leads[prepared:])
					}
					clear(ch.rows) // they hold the rows' text
					select {
					case spare <- rowLists{ch.rows, ch.ends}:
					default:
					}
					ch.rows, ch.ends = nil, nil
				}
				close(ch.ready)
			}
		}()
	}

	// Here, in file order: report, count, emit.
	var err error
	for ch := range order {
		<-ch.ready
		if err != nil {
			continue
		}
		c.stats.Records += ch.records
		c.reportMerged(ch.read, ch.built)
		for i := range ch.leads {
			c.stats.Leads++
			if ch.leads[i].IsTest {
				c.stats.Test++
			}
		}
		if len(ch.leads) > 0 {
			if e := emit(ch.leads); e != nil {
				err = e
			}
		}
		if err == nil && ch.err != nil {
			err = ch.err
		}
		if err != nil {
			close(stop)
		}
	}
	wg.Wait()
	if err == nil {
		err = c.atEnd()
	}
	return c.stats, err
}

// reportMerged reports a chunk's problems in line order; each list is in
// line order already.
func (c *csvReader) reportMerged(a, b []problemAt) {
	for len(a) > 0 || len(b) > 0 {
		var p problemAt
		if len(b) == 0 || (len(a) > 0 && a[0].line <= b[0].line) {
			p, a = a[0], a[1:]
		} else {
			p, b = b[0], b[1:]
		}
		c.count(p.line, p.col, p.sev, p.reason)
	}
}
