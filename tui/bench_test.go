package tui

import (
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/leads-inbox/leads/importer"
	"github.com/leads-inbox/leads/importer/gen"
	"github.com/leads-inbox/leads/store"
	"github.com/leads-inbox/leads/store/view"
)

// The benchmarks run on a database of 1,000,000 generated leads (about
// 760,000 contacts). Building it takes a minute or two, so it is cached at
// $LEADS_BENCH_DB, else $TMPDIR/leads-bench-1m.db, and reused:
//
//	go test ./tui -run '^$' -bench . -benchtime 20x
//
// Remove the file to rebuild it after a schema change.

const benchRows = 1_000_000

var benchNow = time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)

func benchDB(b *testing.B) string {
	b.Helper()
	path := os.Getenv("LEADS_BENCH_DB")
	if path == "" {
		path = filepath.Join(os.TempDir(), "leads-bench-1m.db")
	}
	if _, err := os.Stat(path); err == nil {
		return path
	}
	b.Logf("building %s from %d generated leads (once)", path, benchRows)
	tmp := path + ".building"
	os.Remove(tmp)
	s, err := store.Open(tmp, store.Options{NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	pr, pw := io.Pipe()
	go func() {
		pw.CloseWithError(gen.Write(pw, gen.Options{Rows: benchRows, Format: gen.FormatStorageExplorer, Seed: 1, Now: benchNow}))
	}()
	batch := make([]store.Lead, 0, 20000)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		_, err := s.Upsert(batch, store.UpsertOptions{})
		batch = batch[:0]
		return err
	}
	_, err = importer.ReadCSV(pr, "bench.csv", func(l store.Lead) error {
		batch = append(batch, l)
		if len(batch) == cap(batch) {
			return flush()
		}
		return nil
	}, nil)
	if err == nil {
		err = flush()
	}
	if cerr := s.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		b.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		b.Fatal(err)
	}
	return path
}

// rssMB reads the resident set size of this process.
func rssMB() float64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	return 0
}

// openInbox does what the program does up to its first complete frame:
// open the database, load and rank every digest, size the screen, fetch the
// rows on screen, draw.
func openInbox(b *testing.B, path string) (*Model, *store.Store, string) {
	m, s, frame, _, _ := openInboxTimed(b, path)
	return m, s, frame
}

// openInboxTimed also says how long store.Open took (the store's own check
// of the file) and how long the inbox then took to its first frame.
func openInboxTimed(b *testing.B, path string) (*Model, *store.Store, string, time.Duration, time.Duration) {
	t0 := time.Now()
	s, err := store.Open(path, store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	open := time.Since(t0)
	m := New(s, Options{Now: func() time.Time { return benchNow }})
	m.msgs.after = noTick
	send(b, m, tea.WindowSizeMsg{Width: 80, Height: 24})
	// As in the program, the first frame is drawn as soon as the rows on
	// screen are in: the early frame, ranked from the rank column, when
	// it can be drawn, else the loaded one; the full load behind the
	// early frame and the search prefilter come after it.
	var later []tea.Msg
	var frame string
	var inbox time.Duration
	var behind tea.Cmd
	var loop func(cmd tea.Cmd)
	loop = func(cmd tea.Cmd) {
		if cmd == nil {
			return
		}
		switch msg := cmd().(type) {
		case nil:
		case tea.BatchMsg:
			for _, c := range msg {
				loop(c)
			}
		case gramsMsg:
			later = append(later, msg)
		case earlyMsg:
			_, next := m.Update(msg)
			if m.earlyDrawable() {
				frame, inbox, behind = m.render(), time.Since(t0)-open, next
				return
			}
			loop(next)
		default:
			_, next := m.Update(msg)
			loop(next)
		}
	}
	loop(m.earlyCmd())
	if frame == "" {
		frame, inbox = m.render(), time.Since(t0)-open
	}
	loop(behind)
	for _, msg := range later {
		send(b, m, msg)
	}
	return m, s, frame, open, inbox
}

func BenchmarkFirstFrame(b *testing.B) {
	path := benchDB(b)
	// What cmd/leads sets for the inbox (inboxMemoryLimit).
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(280 << 20))
	var rss float64
	var opens, inbox []time.Duration
	for b.Loop() {
		m, s, frame, open, frameAt := openInboxTimed(b, path)
		opens = append(opens, open)
		inbox = append(inbox, frameAt)
		if !strings.Contains(frame, "left") && !strings.Contains(frame, "over") {
			b.Fatalf("no rows in the first frame:\n%s", frame)
		}
		b.StopTimer()
		runtime.GC()
		rss = max(rss, rssMB())
		_ = m
		s.Close()
		b.StartTimer()
	}
	b.ReportMetric(rss, "MB-rss")
	slices.Sort(opens)
	slices.Sort(inbox)
	b.ReportMetric(float64(opens[len(opens)/2].Milliseconds()), "ms-store-open-p50")
	b.ReportMetric(float64(inbox[len(inbox)/2].Milliseconds()), "ms-inbox-p50")
}

var (
	benchOnce  sync.Once
	benchModel *Model
)

func loaded(b *testing.B) *Model {
	benchOnce.Do(func() { benchModel, _, _ = openInbox(b, benchDB(b)) })
	return benchModel
}

// reportLatency adds the median and the slowest of the per-op times: on a
// shared machine the mean hides whether a single frame was missed.
func reportLatency(b *testing.B, d []time.Duration) {
	if len(d) == 0 {
		return
	}
	slices.Sort(d)
	b.ReportMetric(float64(d[len(d)/2].Microseconds())/1000, "ms-p50")
	b.ReportMetric(float64(d[len(d)*99/100].Microseconds())/1000, "ms-p99")
	b.ReportMetric(float64(d[len(d)-1].Microseconds())/1000, "ms-max")
}

// BenchmarkFilter changes one filter and draws the frame, as choosing a
// value in the filter panel does: the visible rows, the view counts and the
// panel's per-choice counts are all recomputed.
func BenchmarkFilter(b *testing.B) {
	m := loaded(b)
	press(b, m, "x", "3")
	plt, ok := m.x.dict.Code(view.KindAction, store.ActionContactMe)
	if !ok {
		b.Fatal("no Contact me leads")
	}
	src, _ := m.x.dict.Code(view.KindSource, store.SourceAzureMarketplace)
	steps := []struct {
		dim  int
		code store.Code
	}{{dimAction, plt}, {dimSource, src}, {dimSource, 0}, {dimAction, 0}}
	var d []time.Duration
	i := 0
	for b.Loop() {
		t0 := time.Now()
		st := steps[i%len(steps)]
		m.setDim(st.dim, st.code)
		m.panel.dim = st.dim
		m.panel.loadChoices(m)
		_ = m.render()
		d = append(d, time.Since(t0))
		i++
	}
	reportLatency(b, d)
}

// BenchmarkSearchKeystroke types names into the search one key at a time,
// then deletes them, drawing after every key: one op is one keystroke.
// Each name starts from an empty search, so the first keystroke (the one
// that looks at every contact) is included.
func BenchmarkSearchKeystroke(b *testing.B) {
	m := loaded(b)
	press(b, m, "x", "3", "/")
	var keys []string
	for _, name := range []string{"maria", "zhang", "olu", "contoso", "sarah"} {
		for _, r := range name {
			keys = append(keys, string(r))
		}
		for range name {
			keys = append(keys, "backspace")
		}
	}
	var d []time.Duration
	i := 0
	for b.Loop() {
		k := keys[i%len(keys)]
		if i%len(keys) == 0 {
			// Forget earlier searches: every round starts cold.
			m.x.queries, m.x.hitBits = nil, nil
		}
		t0 := time.Now()
		press(b, m, k)
		_ = m.render()
		d = append(d, time.Since(t0))
		i++
	}
	// The model is shared: the benchmarks after this one must not type
	// into its search prompt.
	press(b, m, "esc")
	reportLatency(b, d)
}

// BenchmarkRank re-ranks every contact, as each triage change does: the
// read model's tier, lanes and sort key of each (view.RankOf), the radix
// sort, and the lane and status sets the filter panel counts with.
func BenchmarkRank(b *testing.B) {
	m := loaded(b)
	now := benchNow.Unix()
	var d []time.Duration
	for b.Loop() {
		t0 := time.Now()
		m.x.rank(now)
		d = append(d, time.Since(t0))
	}
	reportLatency(b, d)
}

// BenchmarkTriage is what the inbox does when a triage change comes back
// from the store (onChanged): the contact moves in the ranking, the view
// is filtered again and the frame drawn. One op is one change; changes
// cycle through touch, follow-up, status and back to new on contacts near
// the top of the list.
func BenchmarkTriage(b *testing.B) {
	m := loaded(b)
	press(b, m, "x", "3")
	now := benchNow
	steps := []store.Triage{
		{Status: store.StatusContacted, Touches: 1, NextFollowUp: now.Add(48 * time.Hour)},
		{Status: store.StatusContacted, Touches: 1, NextFollowUp: now.Add(-time.Hour)},
		{Status: store.StatusEngaged, Touches: 2},
		{Status: store.StatusNew},
	}
	if len(m.x.visible) == 0 {
		b.Fatalf("no contact in view to change (prompt open: %v)", m.prompt.kind != promptNone)
	}
	var d []time.Duration
	i := 0
	for b.Loop() {
		pos := m.x.visible[(i/len(steps))%min(len(m.x.visible), 40)]
		t0 := time.Now()
		m.x.setTriage(pos, steps[i%len(steps)], now.Unix())
		m.x.apply(&m.f, m.view)
		m.clampCursor()
		_ = m.render()
		d = append(d, time.Since(t0))
		i++
	}
	reportLatency(b, d)
}

// BenchmarkStats is the stats screen from the key to its figures as the
// rep meets it: the inbox counted every lead after its first frame
// (prepareStatsCmd), so the key takes that count, works out the figures
// (collectLeadStats) and the follow-up summary of the in-memory state.
func BenchmarkStats(b *testing.B) {
	m := loaded(b)
	run(b, m, m.prepareStatsCmd())
	benchStats(b, m, nil)
}

// BenchmarkStatsAfterImport is the stats screen when leads changed since
// the last count (an import or sync just now): every lead is read and
// counted on every core while the rep waits.
func BenchmarkStatsAfterImport(b *testing.B) {
	m := loaded(b)
	benchStats(b, m, func() {
		// An import that stores nothing still makes the kept count stale.
		if _, err := m.st.Upsert(nil, store.UpsertOptions{}); err != nil {
			b.Fatal(err)
		}
	})
}

// BenchmarkStatsCountAhead is the count the inbox makes in the background
// after its first frame and after a sync that stored leads (on one core).
func BenchmarkStatsCountAhead(b *testing.B) {
	m := loaded(b)
	since := statsWeekStart(benchNow).Unix()
	var d []time.Duration
	for b.Loop() {
		if _, err := m.st.Upsert(nil, store.UpsertOptions{}); err != nil {
			b.Fatal(err)
		}
		t0 := time.Now()
		if err := m.st.PrepareTally(since, statWeeks); err != nil {
			b.Fatal(err)
		}
		d = append(d, time.Since(t0))
	}
	reportLatency(b, d)
}

// benchStats times `i` to the drawn stats screen, calling before (not
// timed) ahead of each.
func benchStats(b *testing.B, m *Model, before func()) {
	var d []time.Duration
	for b.Loop() {
		if before != nil {
			before()
		}
		t0 := time.Now()
		msg := m.openStats()()
		m.stats.onStats(m, msg.(statsMsg))
		_ = m.render()
		d = append(d, time.Since(t0))
		m.screen = screenInbox
	}
	reportLatency(b, d)
}
