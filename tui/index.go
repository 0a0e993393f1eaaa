package tui

import (
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/leads-inbox/leads/store"
	"github.com/leads-inbox/leads/store/safetext"
)

// view is one lane of the inbox.
type view int

const (
	viewAction view = iota
	viewScheduled
	viewAll
	viewClosed
	viewNoPII
	viewDNC
	viewTest
	numViews
)

// viewNames are the tab labels; short, because all seven share 80 columns.
var viewNames = [numViews]string{"Action", "Scheduled", "All", "Closed", "No info", "DNC", "Test"}

// Urgency tiers, most urgent first. The inbox order is tier, then a time
// whose meaning depends on the tier.
const (
	tierOverdue   = iota // follow-up due date passed: oldest due first
	tierHotClock         // new Contact me / Test Drive inside 24 h: least time left first
	tierClock            // other new leads inside 24 h: least time left first
	tierHotLate          // new hot lead past 24 h: most recent first, still warm
	tierLate             // other new leads past 24 h: most recent first
	tierDecide           // open, touched, nothing scheduled (cadence done): close or go on
	tierScheduled        // follow-up in the future: soonest first
	tierRest             // closed, DNC, no contact info, test: most recent first
)

// firstReply is Microsoft's advice: answer within 24 hours.
const firstReply = 24 * 60 * 60

// tri is the part of a contact's triage state the inbox sorts and filters
// on, kept beside its digest.
type tri struct {
	due     int64 // Unix seconds of the next follow-up, 0 if none
	touches uint16
	status  uint8 // index into store.Statuses
}

func (t tri) closed() bool { return store.Statuses[t.status].Closed() }

func statusIndex(s store.Status) uint8 {
	for i, st := range store.Statuses {
		if st == s {
			return uint8(i)
		}
	}
	return 0
}

func triOf(t store.Triage) tri {
	var due int64
	if !t.NextFollowUp.IsZero() {
		due = t.NextFollowUp.Unix()
	}
	return tri{due: due, touches: uint16(min(t.Touches, 0xFFFF)), status: statusIndex(t.Status)}
}

// Filter dimensions, in the order the filter panel shows them.
const (
	dimSource = iota
	dimAction
	dimOffer
	dimCountry
	dimStatus
	numDims
)

var dimNames = [numDims]string{"source", "action", "offer", "country", "status"}
var dimKinds = [numDims]string{store.KindSource, store.KindAction, store.KindOffer, store.KindCountry, ""}

// filters is what the rep narrowed the inbox to. A zero code means "any";
// status is 1 + the index into store.Statuses, 0 meaning any.
type filters struct {
	code   [numDims]uint16
	query  string // lower-cased
	status uint8
}

func (f *filters) active() bool {
	return f.query != "" || f.status != 0 || f.code != [numDims]uint16{}
}

// index holds every contact's digest and triage summary, the urgency order
// and the current filtered view. It is built once per load and then only
// re-ranked and re-filtered: every operation here works on integer codes
// and int32 positions, so a filter change over 600,000 contacts allocates
// nothing once the slices have grown.
type index struct {
	dg     []store.Digest
	dict   *store.Dict
	tri    []tri
	byID   map[[8]byte]int32
	labels []string // sanitised dictionary names by code
	dims   []int8   // filter dimension of each code
	mask   []uint8  // view membership bits, per contact
	tier   []uint8

	order  []int32 // every contact, most urgent first
	keys   []uint64
	rankAt int64 // the "now" of the last ranking

	// hits is a stack of search results: hits[i] narrows hits[i-1] and was
	// found for queries[i], so typing one more character only scans the
	// previous matches and a backspace pops.
	queries []string
	hits    [][]int32

	visible []int32
	counts  [numViews]int
	scratch [][]int32 // per-worker buffers for the parallel search
}

func newIndex(dg []store.Digest, dict *store.Dict, triage map[[8]byte]store.Triage, now time.Time) *index {
	x := &index{dg: dg, dict: dict, tri: make([]tri, len(dg)), byID: make(map[[8]byte]int32, len(triage))}
	x.labels = make([]string, dict.Len())
	x.dims = make([]int8, dict.Len())
	for c := 1; c < dict.Len(); c++ {
		x.labels[c] = safetext.Clean(dict.Name(uint16(c)))
		x.dims[c] = -1
		for k, kind := range dimKinds[:dimStatus] {
			if dict.Kind(uint16(c)) == kind {
				x.dims[c] = int8(k)
			}
		}
	}
	if len(x.dims) > 0 {
		x.dims[0] = -1
	}
	if len(triage) > 0 {
		for i := range dg {
			if t, ok := triage[dg[i].ID]; ok {
				x.tri[i] = triOf(t)
			}
		}
	}
	x.rank(now.Unix())
	return x
}

// find returns the position of the contact with this ID, or -1. The map is
// filled lazily: most sessions look up only a handful of contacts, and a
// 600,000-entry map would cost 30 MB and 100 ms at start.
func (x *index) find(id [8]byte) int32 {
	if i, ok := x.byID[id]; ok {
		return i
	}
	for i := range x.dg {
		if x.dg[i].ID == id {
			x.byID[id] = int32(i)
			return int32(i)
		}
	}
	return -1
}

func (x *index) label(code uint16) string {
	if int(code) < len(x.labels) {
		return x.labels[code]
	}
	return ""
}

// classify computes a contact's tier, its sort time and its view bits.
func (x *index) classify(i int, now int64) (tier uint8, at int64, mask uint8) {
	d, t := &x.dg[i], x.tri[i]
	if d.Flags&store.FlagTest != 0 {
		return tierRest, -d.Last, 1 << viewTest
	}
	mask = 1 << viewAll
	blocked := false
	if d.Flags&store.FlagDNC != 0 {
		mask |= 1 << viewDNC
		blocked = true
	}
	if d.Flags&store.FlagNoPII != 0 || d.Flags&store.FlagEmail == 0 {
		mask |= 1 << viewNoPII
		blocked = true
	}
	if t.closed() {
		return tierRest, -d.Last, mask | 1<<viewClosed
	}
	if blocked {
		return tierRest, -d.Last, mask
	}
	switch {
	case t.due != 0 && t.due <= now:
		return tierOverdue, t.due, mask | 1<<viewAction
	case t.due != 0:
		return tierScheduled, t.due, mask | 1<<viewScheduled
	case t.touches == 0 && t.status == 0:
		mask |= 1 << viewAction
		if d.Hot != 0 {
			if d.Hot+firstReply > now {
				return tierHotClock, d.Hot, mask
			}
			return tierHotLate, -d.Hot, mask
		}
		if d.Last+firstReply > now {
			return tierClock, d.Last, mask
		}
		return tierLate, -d.Last, mask
	}
	return tierDecide, -d.Last, mask | 1<<viewAction
}

// rank sorts every contact by urgency as of now. Keys pack the tier, the
// time and the position into one uint64 so the sort compares plain
// integers: about ten times faster than a comparison function at this size.
func (x *index) rank(now int64) {
	n := len(x.dg)
	x.rankAt = now
	x.mask = grow(x.mask, n)
	x.tier = grow(x.tier, n)
	x.order = grow(x.order, n)
	const idxBits = 22
	packed := n < 1<<idxBits
	if packed {
		x.keys = grow(x.keys, n)
	}
	for i := 0; i < n; i++ {
		tier, at, mask := x.classify(i, now)
		x.tier[i], x.mask[i] = tier, mask
		// Times fit 38 bits after the offset (years 1 to 8,700); clamp the rest.
		t := uint64(min(max(at+1<<37, 0), 1<<38-1))
		if packed {
			x.keys[i] = uint64(tier)<<(64-3) | t<<idxBits | uint64(i)
		}
		x.order[i] = int32(i)
	}
	if packed {
		slices.Sort(x.keys)
		for j, k := range x.keys {
			x.order[j] = int32(k & (1<<idxBits - 1))
		}
	} else {
		key := func(i int32) (uint8, int64) {
			tier, at, _ := x.classify(int(i), now)
			return tier, at
		}
		slices.SortFunc(x.order, func(a, b int32) int {
			ta, aa := key(a)
			tb, ab := key(b)
			switch {
			case ta != tb:
				return int(ta) - int(tb)
			case aa < ab:
				return -1
			case aa > ab:
				return 1
			}
			return int(a - b)
		})
	}
	x.queries, x.hits = x.queries[:0], x.hits[:0]
}

func grow[T any](s []T, n int) []T {
	if cap(s) >= n {
		return s[:n]
	}
	return make([]T, n)
}

// search returns the contacts (in urgency order) whose search text holds q.
func (x *index) search(q string) []int32 {
	if q == "" {
		return x.order
	}
	// Drop stack entries that q does not extend.
	for len(x.queries) > 0 && !strings.HasPrefix(q, x.queries[len(x.queries)-1]) {
		x.queries = x.queries[:len(x.queries)-1]
		x.hits = x.hits[:len(x.hits)-1]
	}
	if len(x.queries) > 0 && x.queries[len(x.queries)-1] == q {
		return x.hits[len(x.hits)-1]
	}
	src := x.order
	if len(x.hits) > 0 {
		src = x.hits[len(x.hits)-1]
	}
	out := x.scan(src, q)
	x.queries = append(x.queries, q)
	x.hits = append(x.hits, out)
	return out
}

// scan filters src by substring, split across cores when it is large: the
// first keystroke of a search reads every contact's search text.
func (x *index) scan(src []int32, q string) []int32 {
	workers := runtime.GOMAXPROCS(0)
	if len(src) < 50_000 || workers < 2 {
		out := make([]int32, 0, len(src)/4+16)
		for _, i := range src {
			if strings.Contains(x.dg[i].Search, q) {
				out = append(out, i)
			}
		}
		return out
	}
	if len(x.scratch) < workers {
		x.scratch = make([][]int32, workers)
	}
	chunk := (len(src) + workers - 1) / workers
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		part := src[min(w*chunk, len(src)):min((w+1)*chunk, len(src))]
		buf := x.scratch[w][:0]
		wg.Go(func() {
			for _, i := range part {
				if strings.Contains(x.dg[i].Search, q) {
					buf = append(buf, i)
				}
			}
			x.scratch[w] = buf
		})
	}
	wg.Wait()
	total := 0
	for w := 0; w < workers; w++ {
		total += len(x.scratch[w])
	}
	out := make([]int32, 0, total)
	for w := 0; w < workers; w++ {
		out = append(out, x.scratch[w]...)
	}
	return out
}

// match applies the code and status filters, skipping dimension skip (-1
// for none), which the filter panel uses to count each choice.
func (x *index) match(i int32, f *filters, skip int) bool {
	d := &x.dg[i]
	for k := 0; k < dimStatus; k++ {
		if c := f.code[k]; c != 0 && k != skip && !hasCode(d.Codes, c) {
			return false
		}
	}
	return f.status == 0 || skip == dimStatus || x.tri[i].status == f.status-1
}

func hasCode(codes []uint16, c uint16) bool {
	for _, x := range codes {
		if x == c {
			return true
		}
	}
	return false
}

// apply recomputes the visible rows of view v and the count of every view
// under the same filters, in one pass.
func (x *index) apply(f *filters, v view) {
	src := x.search(f.query)
	x.visible = x.visible[:0]
	x.counts = [numViews]int{}
	bit := uint8(1) << v
	for _, i := range src {
		if !x.match(i, f, -1) {
			continue
		}
		m := x.mask[i]
		for w := view(0); w < numViews; w++ {
			if m&(1<<w) != 0 {
				x.counts[w]++
			}
		}
		if m&bit != 0 {
			x.visible = append(x.visible, i)
		}
	}
}

// choiceCounts counts, for dimension dim, how many contacts of view v each
// choice would show given the other filters: what the filter panel lists.
func (x *index) choiceCounts(f *filters, v view, dim int) map[uint16]int {
	out := map[uint16]int{}
	bit := uint8(1) << v
	for _, i := range x.search(f.query) {
		if x.mask[i]&bit == 0 || !x.match(i, f, dim) {
			continue
		}
		if dim == dimStatus {
			out[uint16(x.tri[i].status)+1]++
			continue
		}
		for _, c := range x.dg[i].Codes {
			if int(c) < len(x.dims) && int(x.dims[c]) == dim {
				out[c]++
			}
		}
	}
	return out
}

// setTriage updates one contact after a change and re-ranks.
func (x *index) setTriage(i int32, t store.Triage, now int64) {
	x.tri[i] = triOf(t)
	x.rank(now)
}
