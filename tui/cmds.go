package tui

import (
	"context"
	"errors"
	"fmt"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/leads-inbox/leads/store"
	"github.com/leads-inbox/leads/store/safetext"
	"github.com/leads-inbox/leads/store/view"
)

// loadedMsg carries a freshly built index: at start and after a sync.
type loadedMsg struct {
	x        *index
	lastTest time.Time
	took     time.Duration
	err      error
	arrived  []uint64 // contacts new or with new leads since the last load (arrivals.go)
	// from is the index whose digests this one shares (statesCmd, after
	// another process changed triage only); nil for a full load.
	from *index
}

// gramsMsg carries the search prefilter, built after the first frame so
// that start-up does not wait for it.
type gramsMsg struct {
	x     *index
	g     *grams
	codes map[store.Code]bitset // nil when the dictionary is too large to build all
	// combos are the contacts per lead combination (index.comboSets);
	// nil when there are too many to keep.
	combos *comboSets
}

// rowsMsg carries display fields for rows about to be on screen.
type rowsMsg struct {
	contacts []store.Contact
	seqs     []uint64
	err      error
}

// contactMsg carries one full contact for the detail screen.
type contactMsg struct {
	c   *store.Contact
	err error
}

// changedMsg reports a saved triage change (or its failure).
type changedMsg struct {
	id   string
	pos  int32
	t    store.Triage
	what string // feedback for the rep
	kind changeKind
	// entry is the change as the undo and redo stacks keep it, with the
	// contact's name.
	entry undoEntry
	wasIn bool // the contact was in the view when the change was asked
	err   error
}

// statsMsg carries the per-lead counts for the stats screen.
type statsMsg struct {
	s   *leadStats
	err error
}

// clockMsg re-ranks the inbox as time passes: leads cross their 24-hour
// clock and follow-ups fall due while the inbox is open.
type clockMsg struct{}

// syncTickMsg starts a periodic sync (--sync-every).
type syncTickMsg struct{}

// syncProgressMsg reports entities read so far; closed means the sync's
// progress channel is done.
type syncProgressMsg struct {
	read   int
	closed bool
}

// syncDoneMsg ends a sync.
type syncDoneMsg struct {
	newLeads int
	err      error
	took     time.Duration
	manual   bool // started by the S key, not the timer
	// changed says the sync stored or changed leads (some stored before
	// a failure, or updated ones it does not count as new).
	changed bool
}

func clockTick() tea.Cmd {
	return tea.Tick(30*time.Second, func(time.Time) tea.Msg { return clockMsg{} })
}

func syncTick(every time.Duration) tea.Cmd {
	return tea.Tick(every, func(time.Time) tea.Msg { return syncTickMsg{} })
}

// loadCmd reads every digest and the triage state and builds the ranked
// index off the UI goroutine, so the first frame comes with it.
func (m *Model) loadCmd() tea.Cmd { return m.loadCmdAt(m.now()) }

// loadCmdAt is loadCmd ranking as of now: the full load after the early
// frame ranks at the early frame's moment, so that it draws the same.
func (m *Model) loadCmdAt(now time.Time) tea.Cmd {
	st, me := m.st, m.me
	var prev []view.Digest
	if m.x != nil {
		prev = m.x.dg
	}
	return func() tea.Msg {
		t0 := time.Now()
		x, last, err := buildIndex(st, now, me)
		msg := loadedMsg{x: x, lastTest: last, took: time.Since(t0), err: err}
		if err == nil {
			msg.arrived = arrivals(prev, x.dg)
		}
		return msg
	}
}

func buildIndex(st *store.Store, now time.Time, me string) (*index, time.Time, error) {
	dg, text, dict, err := st.LoadDigests(sep)
	if err != nil {
		return nil, time.Time{}, err
	}
	states, owners, err := st.StatesFor(me)
	if err != nil {
		return nil, time.Time{}, err
	}
	last, err := st.LastTestLead()
	if err != nil {
		return nil, time.Time{}, err
	}
	x := newIndex(dg, text, dict, states, now)
	x.takeOwners(owners, me)
	if err := x.loadOfferNames(st); err != nil {
		return nil, time.Time{}, err
	}
	return x, last, nil
}

// gramsCmd builds the search prefilter and the filter sets of x off the UI
// goroutine; it only reads the corpus and the digests, which never change
// after the index is built.
func gramsCmd(x *index) tea.Cmd {
	n := x.dict.Len()
	return func() tea.Msg {
		msg := gramsMsg{x: x, g: buildGrams(&x.text, len(x.dg))}
		if n <= 1024 {
			msg.codes = buildCodeSets(x.dg, n)
		}
		msg.combos = buildComboSets(x.dg)
		return msg
	}
}

// fetchRows asks for the display fields of the rows on screen (and a page
// beyond, so scrolling does not flash placeholders) that are not cached.
func (m *Model) fetchRows() tea.Cmd {
	if m.x == nil || m.screen != screenInbox {
		return nil
	}
	h := m.listHeight()
	from := max(m.offset-h, 0)
	to := min(m.offset+2*h, len(m.x.visible))
	var seqs []uint64
	for _, i := range m.x.visible[from:to] {
		seq := m.x.dg[i].Seq
		if _, ok := m.rows[seq]; !ok && !m.pending[seq] {
			seqs = append(seqs, seq)
			m.pending[seq] = true
		}
	}
	if len(seqs) == 0 {
		return nil
	}
	st := m.st
	return func() tea.Msg {
		cs, err := st.ContactsBySeq(seqs)
		return rowsMsg{contacts: cs, seqs: seqs, err: err}
	}
}

func (m *Model) openContactCmd(id string) tea.Cmd {
	st := m.st
	return func() tea.Msg {
		c, err := st.Contact(id)
		return contactMsg{c: c, err: err}
	}
}

// change runs one triage action in a Cmd (changeAs, undo.go).
func (m *Model) change(pos int32, what string, fn func(id string, at time.Time) (store.Triage, error)) tea.Cmd {
	return m.changeAs(pos, what, what, fn)
}

func (m *Model) statsCmd() tea.Cmd {
	tally := m.statsTally()
	now := m.now()
	return func() tea.Msg {
		s, err := collectLeadStats(tally, now)
		return statsMsg{s: s, err: err}
	}
}

// prepareStatsCmd counts every lead for the stats screen in the
// background (store.PrepareTally), so that `i` shows them at once. The
// count is kept until leads change; a failure is left for the stats
// screen, which counts again and says what went wrong.
func (m *Model) prepareStatsCmd() tea.Cmd {
	st, since, logf := m.st, statsWeekStart(m.now()).Unix(), m.opt.Logf
	return func() tea.Msg {
		t0 := time.Now()
		if err := st.PrepareTally(since, statWeeks); err == nil {
			logf("lead stats counted ahead in %v", time.Since(t0))
		}
		return nil
	}
}

// startSync runs the Syncer with a progress channel the UI listens on;
// manual says the rep asked for it (S), rather than the timer.
func (m *Model) startSync(manual bool) tea.Cmd {
	if m.opt.Syncer == nil {
		m.say("sync is not set up: connect an Azure table first (see 'leads help')")
		return nil
	}
	if m.syncing {
		m.say("a sync is already running")
		return nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	m.syncing, m.syncRead, m.syncCancel = true, 0, cancel
	ch := make(chan int, 1)
	m.syncCh = ch
	syncer, st, logf := m.opt.Syncer, m.st, m.opt.Logf
	run := func() tea.Msg {
		t0 := time.Now()
		gen := st.Generation()
		warn := func(w string) { logf("sync: %s", safetext.Clean(w)) }
		n, err := syncer(ctx, func(read int) {
			// Keep only the newest count: the UI needs no history of it.
			select {
			case <-ch:
			default:
			}
			select {
			case ch <- read:
			default:
			}
		}, warn)
		close(ch)
		changed := st.Generation() != gen
		return syncDoneMsg{newLeads: n, err: err, took: time.Since(t0), manual: manual, changed: changed}
	}
	return tea.Batch(run, waitProgress(ch), m.spin.Tick)
}

func waitProgress(ch chan int) tea.Cmd {
	if ch == nil {
		return nil
	}
	return func() tea.Msg {
		n, ok := <-ch
		return syncProgressMsg{read: n, closed: !ok}
	}
}

func (m *Model) onSyncDone(msg syncDoneMsg) tea.Cmd {
	m.syncing = false
	if m.syncCancel != nil {
		m.syncCancel()
		m.syncCancel = nil
	}
	at := m.now().Format("15:04")
	// Whatever the sync reports, leads it stored (before failing, or
	// updated ones) must show: read them again when the file changed.
	var reload tea.Cmd
	if msg.changed {
		reload = tea.Batch(m.loadCmd(), m.prepareStatsCmd())
	}
	if msg.err != nil {
		switch {
		case errors.Is(msg.err, context.Canceled):
		case errors.Is(msg.err, ErrSyncNotSetUp):
			// The timer keeps trying, so that a table set up meanwhile
			// is picked up, without repeating this every time.
			if msg.manual {
				m.sayErr(msg.err)
			}
		default:
			m.syncNote = "sync failed " + at
			m.sayErr(fmt.Errorf("sync: %w", msg.err))
			m.opt.Logf("sync failed: %s", cleanErr(msg.err))
		}
		return reload
	}
	m.opt.Logf("sync: %d new leads in %v", msg.newLeads, msg.took)
	switch msg.newLeads {
	case 0:
		m.syncNote = "synced " + at + ", nothing new"
	case 1:
		m.syncNote = "+1 new lead " + at
	default:
		m.syncNote = fmt.Sprintf("+%d new leads %s", msg.newLeads, at)
	}
	return reload
}

// cleanErr turns an error into one safe line: errors may quote lead data.
func cleanErr(err error) string {
	if err == nil {
		return ""
	}
	return safetext.Clean(err.Error())
}
