// Package tui is the lead inbox: a Bubble Tea program over the store's
// in-memory contact digests. The root Model owns the screens (inbox.go,
// detail.go, stats.go, help.go) and the overlays (filter.go, prompt.go);
// Update never does I/O, every store call runs in a tea.Cmd (cmds.go) and
// comes back as one of the message types in msgs.go.
package tui

import (
	"context"
	"errors"
	"os"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"

	"github.com/leads-inbox/leads/store"
	"github.com/leads-inbox/leads/store/view"
	"github.com/leads-inbox/leads/tui/config"
	mailsend "github.com/leads-inbox/leads/tui/draft/send"
)

// Syncer runs one Azure Table sync into the open store. progress is called
// now and then with the number of entities read so far, and warn with each
// problem worth logging that did not stop the sync; it returns how many new
// leads arrived. An error that wraps ErrSyncNotSetUp means no table is
// configured yet. The inbox runs it in a tea.Cmd and does not care how it
// works, so the cmd package wires in importer/azuretable.
type Syncer func(ctx context.Context, progress func(read int), warn func(string)) (newLeads int, err error)

// ErrSyncNotSetUp is what a Syncer's error wraps when no table is
// configured: the S key says so, and the periodic sync stays quiet.
var ErrSyncNotSetUp = errors.New("sync is not set up")

// Options configure the inbox.
type Options struct {
	// Syncer enables the sync key; nil means no table is configured.
	Syncer Syncer
	// SyncEvery repeats the sync while the inbox is open (0: only on S).
	SyncEvery time.Duration
	// MailScanner reads the mailbox for replies and bounces; MailEvery
	// repeats it while the inbox is open (--mail-every; 0: never).
	MailScanner MailScanner
	MailEvery   time.Duration
	// Team pushes this rep's changes to the team's table and pulls the
	// others' ([team]); it runs after each change and every TeamEvery.
	Team      TeamRound
	TeamEvery time.Duration
	// Now is the clock (tests freeze it); nil means time.Now.
	Now func() time.Time
	// NoColor draws without colour (the NO_COLOR convention).
	NoColor bool
	// Logf receives diagnostics; the cmd sends them to a file, because
	// stdout belongs to the screen.
	Logf func(format string, args ...any)
	// Banner is shown in the status bar, e.g. "demo".
	Banner string
	// Getenv reads the environment for drafts: $VISUAL/$EDITOR, the
	// config directory (templates, sender) and $XDG_DATA_HOME (.eml
	// files). Tests pass their own; nil means os.Getenv.
	Getenv func(string) string
	// Started is when the process began, for the start-up time in the log
	// (zero: when New was called).
	Started time.Time
	// Config is the rep's config file (package config); nil means the
	// defaults, with the date order from the locale in Getenv.
	Config *config.Config
	// Transport sends drafts (the config's [mail] section); nil means
	// sending is not set up, and the send keys say so.
	Transport mailsend.Transport
	// Session opens the inbox straight into a follow-up session over the
	// view it opens on ('leads session'); nil: the inbox.
	Session *SessionStart
	// View is the view the inbox opens on, built-in or saved, in place of
	// the config's default_view ("" keeps that).
	View string
}

type screen int

const (
	screenInbox screen = iota
	screenDetail
	screenStats
	screenDraft
	screenSession // a follow-up session (session.go)
)

// Model is the root model of the inbox.
type Model struct {
	st *store.Store
	// elsewhere says which other leads process has the database while
	// the inbox has let go of it (elsewhere.go); "" when the inbox has it.
	elsewhere string
	opt       Options
	keys      KeyMap
	cfg       *config.Config
	// me is the rep's name as claims are made (config.Config.Me).
	me   string
	sty  styles
	dark bool
	help help.Model

	width, height int
	screen        screen
	showHelp      bool
	helpOffset    int // first help line shown, when the help is taller than the terminal

	// cal schedules the rewrites of the follow-up calendar (calendar.go).
	cal calendarState

	// Inbox state.
	x     *index
	early *earlyState // the first frame, ranked from the rank column (early.go)
	// rankRepair: the rank column could not be used; the full load
	// builds it again.
	rankRepair bool
	loading    bool
	// typeahead holds the movement and open keys typed before the first
	// load, replayed once it lands (see keptWhileLoading).
	typeahead []tea.KeyPressMsg
	loadErr   error
	started   time.Time
	firstLog  bool
	view      view.Lane
	f         filters
	sortBy    view.Order // the inbox's order (sort.go)
	marks     marks      // contacts marked for a batch action (selection.go)
	cursor    int
	offset    int
	rows      map[uint64]rowText // display fields by contact seq, sanitised
	pending   map[uint64]bool
	lastTest  time.Time

	// savedAt is the saved view shown (config [views]), or -1;
	// openSavedOnLoad applies its filters once the contacts are in.
	savedAt         int
	openSavedOnLoad bool
	// senderWarned: the draft screen said once that drafts are unsigned.
	senderWarned bool

	// Overlays.
	prompt prompt
	input  lineInput
	panel  filterPanel

	detail detailScreen
	stats  statsScreen
	draft  draftScreen
	sess   sessionState // the follow-up session (session.go)

	preview preview         // the selected contact beside the list, on a wide screen
	fresh   map[uint64]bool // contacts (by Seq) a reload brought, not yet seen

	// Session undo stack, newest last, and what undo took back, for redo
	// (undo.go).
	undo []undoEntry
	redo []undoEntry

	msg    string // feedback line
	msgErr bool
	msgs   msgState // its expiry and the message log (messages.go)

	// Sync.
	syncing    bool
	syncRead   int
	syncCancel context.CancelFunc
	syncCh     chan int
	spin       spinner.Model
	syncNote   string

	mail mailState // the periodic mailbox scan (mailscan.go)
	team teamState // the team table's rounds (team.go)
}

// New returns the inbox over an open store.
func New(s *store.Store, opt Options) *Model {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Logf == nil {
		opt.Logf = func(string, ...any) {}
	}
	m := &Model{
		st: s, opt: opt, keys: DefaultKeyMap(), dark: true,
		width: 80, height: 24, loading: true, sortBy: view.ByUrgency,
		rows: map[uint64]rowText{}, pending: map[uint64]bool{},
		help: help.New(), spin: spinner.New(spinner.WithSpinner(spinner.Line)),
		started: opt.Started,
	}
	m.msgs.after = tea.Tick
	if m.started.IsZero() {
		m.started = time.Now()
	}
	m.cfg = opt.Config
	getenv := opt.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	if m.cfg == nil {
		m.cfg = config.Defaults(getenv)
	}
	m.me = store.CleanRepName(m.cfg.Me(getenv))
	m.applyConfig()
	if opt.View != "" {
		m.startOnView(opt.View)
	}
	m.setStyles()
	return m
}

func (m *Model) setStyles() {
	m.sty = newStyles(m.dark, m.opt.NoColor)
	m.help.Styles = helpStyles(m.sty)
}

// Init loads the digests and asks the terminal for its background.
func (m *Model) Init() tea.Cmd {
	cmds := []tea.Cmd{m.earlyCmd(), tea.RequestBackgroundColor, clockTick()}
	if m.opt.Syncer != nil && m.opt.SyncEvery > 0 {
		cmds = append(cmds, syncTick(m.opt.SyncEvery))
	}
	if m.opt.Team != nil {
		// A first round at once: what the team did while the inbox was
		// closed, and what this rep queued offline.
		cmds = append(cmds, func() tea.Msg { return teamTickMsg{} })
	}
	if m.opt.MailScanner != nil && m.opt.MailEvery > 0 {
		// The first scan comes at once: replies that arrived while the
		// inbox was closed show without waiting a whole period.
		cmds = append(cmds, func() tea.Msg { return mailTickMsg{} })
	}
	return tea.Batch(cmds...)
}

func (m *Model) now() time.Time { return m.opt.Now() }

// update routes a message to the screen or overlay that owns it; Update
// (messages.go) wraps updatePreview (preview.go), which wraps it.
func (m *Model) update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case msgTickMsg:
		return m, nil // Update has expired the message
	case tea.WindowSizeMsg:
		m.width, m.height = max(msg.Width, 20), max(msg.Height, 6)
		m.clampCursor()
		m.detail.setSize(m, m.width, m.screenBody())
		m.stats.setSize(m.width, m.screenBody())
		m.draft.setSize(m.width, m.screenBody())
		if m.screen == screenSession {
			m.sessionLayout()
		}
		return m, m.fetchRows()
	case tea.BackgroundColorMsg:
		if m.themeFixed() {
			return m, nil
		}
		m.dark = msg.IsDark()
		m.setStyles()
		m.detail.restyle(m)
		return m, nil
	case earlyMsg:
		return m, m.onEarly(msg)
	case loadedMsg:
		return m, m.onLoaded(msg)
	case ElsewhereMsg:
		return m, m.onElsewhere(msg)
	case rowsMsg:
		return m, m.onRows(msg)
	case gramsMsg:
		if msg.x != m.x {
			return m, nil
		}
		m.x.grams = msg.g
		if msg.codes != nil && len(m.x.codeBits) == 0 {
			m.x.codeBits = msg.codes
		}
		if m.x.combos == nil && !m.x.tooManyCombos {
			m.x.combos, m.x.tooManyCombos = msg.combos, msg.combos == nil
		}
		return m, nil
	case contactMsg:
		return m, m.detail.onContact(m, msg)
	case changedMsg:
		cmd := m.onChanged(msg)
		if msg.err == nil {
			cmd = tea.Batch(cmd, m.calendarChanged(), m.teamChanged())
		}
		return m, tea.Batch(cmd, m.sessionChanged(msg))
	case batchMsg:
		cmd := m.onBatch(msg)
		if len(msg.ts) > 0 {
			cmd = tea.Batch(cmd, m.calendarChanged(), m.teamChanged())
		}
		return m, cmd
	case calendarTickMsg:
		return m, m.onCalendarTick(msg)
	case calendarWrittenMsg:
		return m, m.onCalendarWritten(msg)
	case draftLoadedMsg:
		if m.screen == screenSession {
			if s := &m.sess; msg.id == s.cur && s.c == nil && !s.summary {
				return m, m.sessionDraftLoaded(msg)
			}
			return m, nil // a step the rep has left
		}
		return m, m.onDraftLoaded(msg)
	case editorReadyMsg:
		return m, m.onEditorReady(msg)
	case editorExitedMsg:
		return m, m.onEditorExited(msg)
	case draftOutMsg:
		return m, m.onDraftOut(msg)
	case mailSentMsg:
		m.onSessionMailSent(msg)
		return m, m.onMailSent(msg)
	case sessionStoredMsg:
		return m, m.onSessionStored(msg)
	case sessionSavedMsg:
		m.sayErr(msg.err)
		return m, nil
	case sessionNamesMsg:
		for id, n := range msg.names {
			m.sess.names[id] = n
		}
		return m, nil
	case copiedMsg:
		m.onCopied(msg)
		return m, nil
	case statsMsg:
		m.stats.onStats(m, msg)
		return m, nil
	case clockMsg:
		if m.x != nil && m.now().Unix()-m.x.rankAt >= 60 {
			m.rerank()
		}
		return m, tea.Batch(clockTick(), m.fetchRows())
	case syncTickMsg:
		return m, tea.Batch(m.startSync(false), syncTick(m.opt.SyncEvery))
	case syncProgressMsg:
		if msg.closed {
			return m, nil
		}
		m.syncRead = msg.read
		return m, waitProgress(m.syncCh)
	case syncDoneMsg:
		return m, m.onSyncDone(msg)
	case mailTickMsg:
		return m, tea.Batch(m.startMail(), mailTick(m.opt.MailEvery))
	case mailDoneMsg:
		return m, m.onMailDone(msg)
	case teamTickMsg:
		var next tea.Cmd
		if m.opt.TeamEvery > 0 {
			next = teamTick(m.opt.TeamEvery)
		}
		return m, tea.Batch(m.startTeam(), next)
	case teamPushMsg:
		if msg.gen != m.team.gen {
			return m, nil // a later change asks again
		}
		return m, m.startTeam()
	case teamDoneMsg:
		return m, m.onTeamDone(msg)
	case spinner.TickMsg:
		if !m.syncing {
			return m, nil
		}
		var cmd tea.Cmd
		m.spin, cmd = m.spin.Update(msg)
		return m, cmd
	case tea.PasteMsg:
		if m.prompt.kind != promptNone && m.prompt.isText() {
			return m, m.edit(msg)
		}
		return m, nil
	case tea.MouseWheelMsg:
		return m, m.onWheel(msg)
	case tea.MouseClickMsg:
		return m, m.onClick(msg)
	case tea.KeyPressMsg:
		return m, m.onKey(msg)
	}
	return m, nil
}

// onKey gives a key to whoever has focus: a text prompt takes every key,
// then the other overlays, then the screen.
func (m *Model) onKey(k tea.KeyPressMsg) tea.Cmd {
	if len(m.typeahead) > 0 && !m.keptNow(k) {
		// Keys act in the order typed: one that acts now (a search, a
		// view, help) would otherwise come before the kept ones.
		m.typeahead = nil
	}
	if k.String() == "ctrl+c" {
		if m.prompt.kind != promptNone {
			// Typed text must never vanish with the program: ctrl+c
			// cancels the prompt, and a second one quits.
			return m.interruptPrompt()
		}
		return m.quit()
	}
	if m.keyClearsMsg(k) {
		return nil
	}
	if m.prompt.kind != promptNone {
		return m.promptKey(k)
	}
	if m.msgs.showLog {
		m.logKey(k)
		return nil
	}
	if m.showHelp {
		if key.Matches(k, m.keys.Help, m.keys.Back, m.keys.Quit) {
			m.showHelp = false
		} else {
			m.helpKey(k)
		}
		return nil
	}
	if m.panel.open {
		return m.panelKey(k)
	}
	switch {
	case key.Matches(k, m.keys.Help):
		m.showHelp, m.helpOffset = true, 0
		return nil
	case key.Matches(k, m.keys.Sync):
		return m.startSync(true)
	case key.Matches(k, m.keys.Undo):
		return m.undoLast()
	case key.Matches(k, m.keys.Redo):
		return m.redoLast()
	case key.Matches(k, m.keys.Messages):
		m.openLog()
		return nil
	}
	switch m.screen {
	case screenDetail:
		return m.detailKey(k)
	case screenStats:
		return m.statsKey(k)
	case screenDraft:
		return m.draftKey(k)
	case screenSession:
		return m.sessionKey(k)
	}
	return m.inboxKey(k)
}

func (m *Model) quit() tea.Cmd {
	if m.syncCancel != nil {
		m.syncCancel()
	}
	if m.mail.cancel != nil {
		m.mail.cancel()
	}
	return tea.Quit
}

// say sets the feedback line.
func (m *Model) say(s string) { m.msg, m.msgErr = s, false; m.msgs.seq++ }

func (m *Model) sayErr(err error) { m.msg, m.msgErr = cleanErr(err), true; m.msgs.seq++ }

// bodyHeight is what is left for a screen's content between the two header
// lines and the two footer lines.
func (m *Model) bodyHeight() int { return max(m.height-4, 1) }

// screenBody is the body of the detail and stats screens: everything but
// their title line and the two footer lines.
func (m *Model) screenBody() int { return max(m.height-3, 1) }

// View draws the current screen.
func (m *Model) View() tea.View {
	v := tea.NewView(m.render())
	v.AltScreen = true
	v.MouseMode = tea.MouseModeCellMotion
	v.WindowTitle = "leads"
	return v
}

// render returns the screen as a string; tests read it directly.
func (m *Model) render() string {
	if m.showHelp {
		return m.helpView()
	}
	if m.msgs.showLog {
		return m.logView()
	}
	switch m.screen {
	case screenDetail:
		return m.detailView()
	case screenStats:
		return m.statsView()
	case screenDraft:
		return m.draftView()
	case screenSession:
		return m.sessionView()
	}
	return m.inboxView()
}
