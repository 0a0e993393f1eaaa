// Package gen generates synthetic marketplace leads for demos and benchmarks.
//
// The output imitates what Microsoft actually delivers, warts included: the
// same person moving down the funnel with a differently typed email, rows
// repeated by overlapping exports, Microsoft's MSFT_TEST validation leads,
// do-not-contact notices, .edu leads without personal data, old bare "SPZA"
// sources and names in many scripts. Options.Shape makes people messier
// still, as real exports turned out to be, and Options.Order lays the rows
// out as Azure Table storage lists them. In the default order generation
// streams: memory stays flat however many rows are asked for. The same
// Options always give the same bytes.
package gen

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// Format names accepted in Options.Format.
const (
	// FormatStorageExplorer is an Azure Storage Explorer export of the
	// MarketplaceLeads table: comma separated, CRLF, Edm.String type columns.
	FormatStorageExplorer = "storage-explorer"
	// FormatWebhook is one HTTPS-endpoint JSON payload per line (NDJSON).
	FormatWebhook = "webhook"
	// FormatPartnerCenter is a Partner Center style CSV export with human
	// column names and UI labels for the action.
	FormatPartnerCenter = "partner-center"
)

// Formats lists the accepted Options.Format values, for help texts and
// validation.
var Formats = []string{FormatStorageExplorer, FormatWebhook, FormatPartnerCenter}

// DefaultSpan is the period leads are spread over when Options.Span is zero.
const DefaultSpan = 120 * 24 * time.Hour

// Options controls one generated file.
type Options struct {
	// Rows is the exact number of data rows (lines for the webhook format);
	// header lines are not counted.
	Rows int
	// Format is one of Formats.
	Format string
	// Seed selects the data set; the same seed and Now give the same bytes.
	Seed int64
	// Now is the end of the period leads are dated in. The zero value means
	// time.Now(), which makes the output differ from run to run: callers that
	// want reproducible files set it.
	Now time.Time
	// Span is how far back from Now leads go; zero means DefaultSpan, and
	// less than an hour counts as an hour. Leads are denser towards Now:
	// with the default span about 6% fall in the last 48 hours, and one
	// Contact me lead is always in the last day, so a demo has hot leads.
	Span time.Duration
	// Order is one of Orders; empty means OrderGenerated. It changes only
	// the order rows are written in, never which rows.
	Order string
	// Shape is one of Shapes; empty means ShapeCompact.
	Shape string
}

// Shape names accepted in Options.Shape.
const (
	// ShapeCompact is the generator's original data: a person's funnel
	// steps two hours to six days apart, their address retyped on about
	// half of the later steps, a full Source-Action|Offer LeadSource on
	// every lead but Microsoft's test lead. The default; its bytes for a
	// seed never change.
	ShapeCompact = "compact"
	// ShapeSpread is shaped after real exports that the compact shape
	// flattered: funnel steps a day to four weeks apart, the address in
	// another case and with stray leading or trailing spaces from one lead
	// to the next (first lead included), a source-only LeadSource (the
	// action only in ActionCode) on about a quarter of the leads, and
	// Descriptions holding JSON with the customer's message in it.
	ShapeSpread = "spread"
)

// Shapes lists the accepted Options.Shape values, for help texts and
// validation.
var Shapes = []string{ShapeCompact, ShapeSpread}

// ErrUnknownFormat is returned (wrapped) for an Options.Format not in Formats.
var ErrUnknownFormat = errors.New("gen: unknown format")

// ErrUnknownOrder is returned (wrapped) for an Options.Order not in Orders.
var ErrUnknownOrder = errors.New("gen: unknown order")

// ErrUnknownShape is returned (wrapped) for an Options.Shape not in Shapes.
var ErrUnknownShape = errors.New("gen: unknown shape")

// Write writes opt.Rows generated leads to w in opt.Format. It buffers its
// own output, so w need not be buffered, and it stops at the first write
// error. In OrderGenerated it streams with flat memory; the other orders
// hold a few dozen bytes per row plus a bounded window of rendered rows.
func Write(w io.Writer, opt Options) error {
	return write(w, opt, orderWindow)
}

// write is Write with the reordering window as a parameter, so that tests
// can force a file through many windows.
func write(w io.Writer, opt Options, window int) error {
	var render renderer
	switch opt.Format {
	case FormatStorageExplorer:
		render = storageExplorer{}
	case FormatWebhook:
		render = webhook{}
	case FormatPartnerCenter:
		render = partnerCenter{}
	default:
		return fmt.Errorf("%w %q (want one of %s)", ErrUnknownFormat, opt.Format, strings.Join(Formats, ", "))
	}
	switch opt.Order {
	case "", OrderGenerated, OrderTable, OrderShuffled:
	default:
		return fmt.Errorf("%w %q (want one of %s)", ErrUnknownOrder, opt.Order, strings.Join(Orders, ", "))
	}
	switch opt.Shape {
	case "", ShapeCompact, ShapeSpread:
	default:
		return fmt.Errorf("%w %q (want one of %s)", ErrUnknownShape, opt.Shape, strings.Join(Shapes, ", "))
	}
	if opt.Rows < 0 {
		return fmt.Errorf("gen: negative row count %d", opt.Rows)
	}
	if opt.Span < 0 {
		return fmt.Errorf("gen: negative span %v", opt.Span)
	}
	if opt.Now.IsZero() {
		opt.Now = time.Now()
	}
	if opt.Span == 0 {
		opt.Span = DefaultSpan
	}

	bw := bufio.NewWriterSize(w, 256<<10)
	buf := make([]byte, 0, 4096)
	buf = render.header(buf)
	if _, err := bw.Write(buf); err != nil {
		return err
	}
	if opt.Order == OrderTable || opt.Order == OrderShuffled {
		if err := writeReordered(bw, render, opt, window); err != nil {
			return err
		}
		return bw.Flush()
	}
	g := newGenerator(opt)
	var scratch []byte
	for i := 0; i < opt.Rows; i++ {
		l := g.next(i)
		buf, scratch = render.row(buf[:0], scratch, l)
		if _, err := bw.Write(buf); err != nil {
			// bufio.Writer's error is sticky: a broken pipe ends the run
			// here instead of formatting the remaining rows for nothing.
			return err
		}
	}
	return bw.Flush()
}

// renderer turns leads into the bytes of one format. row appends to dst and
// may use scratch as working space; both are returned for reuse.
type renderer interface {
	header(dst []byte) []byte
	row(dst, scratch []byte, l *lead) ([]byte, []byte)
}
