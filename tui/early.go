package tui

import (
	"container/heap"
	"math/bits"
	"slices"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/leads-inbox/leads/store"
	"github.com/leads-inbox/leads/store/view"
)

// The inbox's first frame at a million contacts cannot wait for every
// digest to be decoded (a second or more). The store keeps a rank column
// (store.EachRank): per contact only what ranks it in the default order.
// From it the inbox ranks every contact, counts the views and the groups
// of the view shown, keeps the most urgent rows, reads those contacts
// whole and draws the frame; the full load follows and replaces it.
//
// The early index holds the top rows whole and, for the rows below them,
// one stand-in per group, so that the list, its group headers, the tabs
// and the status bar draw from it as from a full index. Until the full
// load m.x stays nil, so every key behaves as it does while loading, and
// the early index is only drawn (inboxView): a frame it cannot draw
// exactly as the full load would (another view, a filter or a search
// typed meanwhile, another order, the list scrolled) shows "Loading
// leads…" instead.

// earlyRows is how many of the most urgent rows the early frame reads: a
// tall terminal's screen.
const earlyRows = 160

// earlyMsg carries the early frame's index, or ok false when the file has
// no usable rank column (the full load then comes alone).
type earlyMsg struct {
	x  *index
	ok bool
	// repair: the rank column is out of step with the contacts or
	// damaged; it is built again after the full load.
	repair   bool
	lane     view.Lane
	top      []uint64 // the seqs of the rows read, most urgent first
	contacts []store.Contact
	preview  *store.Contact // the first row's contact for the preview pane
	lastTest time.Time
	gen      uint64 // the store's generation before reading
	took     time.Duration
}

// earlyState is the early frame kept until the full load arrives.
type earlyState struct {
	x    *index
	lane view.Lane
	top  []uint64
	gen  uint64
	// shown says the first frame came from here: the stats count ahead
	// waits for the full load, so as not to slow it.
	shown bool
}

// ranked is one contact of the early ranking.
type ranked struct {
	key   uint64 // view.Rank.Key
	pos   int32
	tier  view.Tier
	lanes view.Lanes
	d     view.Digest // the rank column's fields
}

func (a *ranked) before(b *ranked) bool {
	return a.key < b.key || a.key == b.key && a.pos < b.pos
}

// topHeap keeps the most urgent rows seen: the least urgent of them on top.
type topHeap []ranked

func (h topHeap) Len() int           { return len(h) }
func (h topHeap) Less(i, j int) bool { return h[j].before(&h[i]) }
func (h topHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *topHeap) Push(x any)        { *h = append(*h, x.(ranked)) }
func (h *topHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// earlyCmd ranks every contact from the rank column and reads the most
// urgent rows of lane.
func (m *Model) earlyCmd() tea.Cmd {
	st, now, me, lane := m.st, m.now(), m.me, m.view
	return func() tea.Msg {
		t0 := time.Now()
		gen := st.Generation()
		msg, ok := buildEarly(st, now.Unix(), me, lane)
		if !ok {
			return earlyMsg{repair: msg.repair}
		}
		msg.gen, msg.took = gen, time.Since(t0)
		return msg
	}
}

func buildEarly(st *store.Store, now int64, me string, lane view.Lane) (earlyMsg, bool) {
	states, owners, err := st.StatesFor(me)
	if err != nil {
		return earlyMsg{}, false
	}
	last, err := st.LastTestLead()
	if err != nil {
		return earlyMsg{}, false
	}
	var counts [numViews]int
	var groups [view.NumGroups]int
	contacts := 0
	top := make(topHeap, 0, earlyRows+1)
	ok, err := st.EachRank(func(pos int, d *view.Digest) {
		var s view.State
		if len(states) > 0 {
			s = states[d.ID]
		}
		r := view.RankOf(d, s, now)
		if !d.Test() {
			contacts++
		}
		for m := uint16(r.Lanes); m != 0; m &= m - 1 {
			counts[bits.TrailingZeros16(m)]++
		}
		if !r.Lanes.Has(lane) {
			return
		}
		groups[r.Tier.Group()]++
		e := ranked{key: r.Key(), pos: int32(pos), tier: r.Tier, lanes: r.Lanes}
		if len(top) == earlyRows && !e.before(&top[0]) {
			return
		}
		e.d = *d
		heap.Push(&top, e)
		if len(top) > earlyRows {
			heap.Pop(&top)
		}
	})
	if err != nil || !ok {
		return earlyMsg{repair: err == nil}, false
	}
	slices.SortFunc(top, func(a, b ranked) int {
		if a.before(&b) {
			return -1
		}
		return 1
	})
	seqs := make([]uint64, len(top))
	for j := range top {
		seqs[j] = top[j].d.Seq
	}
	whole, err := st.DigestsBySeq(seqs)
	if err != nil {
		return earlyMsg{}, false
	}
	// The rows, then one stand-in per group for the rows below them.
	n := len(top)
	dg := make([]view.Digest, n+int(view.NumGroups))
	for j := range top {
		d, c := &whole[j], &top[j].d
		if d.ID != c.ID || d.Last != c.Last || d.Hot != c.Hot || d.Flags != c.Flags {
			return earlyMsg{repair: true}, false // the column disagrees with the contact
		}
		dg[j] = *d
	}
	x := newIndex(dg, store.SearchText{}, st.Dict(), states, time.Unix(now, 0))
	mine := map[[8]byte]string{}
	for j := range top {
		if o, ok := owners[top[j].d.ID]; ok {
			mine[top[j].d.ID] = o
		}
	}
	x.takeOwners(mine, me)
	if len(owners) > len(mine) {
		// An owner below the rows read: the team's tabs show.
		x.owner[int32(len(dg))] = "?"
	}
	var standIn [view.NumGroups]view.Tier
	for t := view.TierRest; ; t-- {
		standIn[t.Group()] = t
		if t == 0 {
			break
		}
	}
	x.visible = x.visible[:0]
	for j := range top {
		x.tier[j], x.mask[j] = top[j].tier, top[j].lanes
		x.visible = append(x.visible, int32(j))
		groups[top[j].tier.Group()]--
	}
	for g := range groups {
		x.tier[n+g] = standIn[g]
		for range groups[g] {
			x.visible = append(x.visible, int32(n+g))
		}
	}
	x.counts, x.contacts = counts, contacts
	cs, err := st.ContactsBySeq(seqs)
	if err != nil {
		return earlyMsg{}, false
	}
	msg := earlyMsg{x: x, ok: true, lane: lane, top: seqs, contacts: cs, lastTest: last}
	if len(cs) > 0 {
		// The preview pane's contact, whole (triage, history), as the
		// pane reads it.
		if msg.preview, err = st.Contact(cs[0].ID); err != nil {
			return earlyMsg{}, false
		}
	}
	return msg, true
}

// onEarly keeps the early frame and starts the full load.
func (m *Model) onEarly(msg earlyMsg) tea.Cmd {
	m.rankRepair = m.rankRepair || msg.repair
	if m.x != nil {
		return nil // a full load came first
	}
	if !msg.ok {
		return m.loadCmd()
	}
	m.early = &earlyState{x: msg.x, lane: msg.lane, top: msg.top, gen: msg.gen}
	m.lastTest = msg.lastTest
	for i := range msg.contacts {
		m.rows[msg.contacts[i].Seq] = rowTextOf(&msg.contacts[i])
	}
	if msg.preview != nil && m.preview.id == "" && m.preview.want == "" {
		m.preview.id, m.preview.c = msg.preview.ID, msg.preview
	}
	if m.earlyDrawable() && !m.firstLog {
		m.firstLog, m.early.shown = true, true
		m.opt.Logf("first complete frame after %v (ranked from the rank column in %v)", time.Since(m.started), msg.took)
	}
	return m.loadCmdAt(time.Unix(msg.x.rankAt, 0))
}

// earlyDrawable reports whether the early index draws the inbox as the
// full load will.
func (m *Model) earlyDrawable() bool {
	e := m.early
	if e == nil || m.x != nil || m.loadErr != nil || m.screen != screenInbox || m.panel.open ||
		m.view != e.lane || m.f.active() || m.sortBy != view.ByUrgency || m.openSavedOnLoad ||
		m.opt.Session != nil || m.cursor != 0 || m.offset != 0 || m.listHeight() > len(e.top) && len(e.x.visible) > len(e.top) {
		return false
	}
	for _, seq := range e.top[:min(len(e.top), m.listHeight())] {
		if _, ok := m.rows[seq]; !ok {
			return false
		}
	}
	return true
}

// earlyAgrees reports whether the full index, applied to the early
// frame's view without filters, ranks as the early frame did: the same
// counts and the same rows on top. When it does not, the rank column
// missed a write.
func earlyAgrees(e *earlyState, x *index) bool {
	if x.counts != e.x.counts || x.contacts != e.x.contacts || len(x.visible) != len(e.x.visible) || len(x.visible) < len(e.top) {
		return false
	}
	for j, seq := range e.top {
		if x.dg[x.visible[j]].Seq != seq {
			return false
		}
	}
	return true
}

// repairRankCmd builds the store's rank column again.
func (m *Model) repairRankCmd() tea.Cmd {
	st, logf := m.st, m.opt.Logf
	return func() tea.Msg {
		if err := st.RepairRankColumn(); err != nil {
			logf("rank column not rebuilt: %s", cleanErr(err))
		}
		return nil
	}
}
