package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/leads-inbox/leads/importer/azuretable"
	"github.com/leads-inbox/leads/importer/team"
	"github.com/leads-inbox/leads/store"
	"github.com/leads-inbox/leads/store/safetext"
	"github.com/leads-inbox/leads/store/view"
)

func init() {
	register(&command{name: "watch",
		args:    "[--every DURATION] [--mail-every DURATION] [--once] [--notify auto|notify-send|osc|none] [--quiet] [--log text|json] [--table NAME] [--connection-string S | --sas-url URL]",
		summary: "sync and read the mailbox on a schedule without the inbox's screen, with a desktop notification for each new hot lead and follow-up due",
		run:     runWatch})
}

// 'leads watch' is the sync of 'leads sync' and the scan of 'leads mail'
// run on a schedule by a process with no screen (a systemd user unit, a
// terminal tab), beside an open inbox or alone. It holds the database
// only while a round runs: between rounds the inbox and other commands
// have it, and during one the open inbox lends it (share.go), as it does
// to any command.

// Bounds of the schedule. A round a second is for tests and impatience;
// the README suggests minutes.
const (
	minWatchEvery = time.Second
	// maxWatchBackoff caps the wait after failed rounds (when --every is
	// shorter): a network back after an hour is noticed within the hour.
	maxWatchBackoff = 30 * time.Minute
)

// foldNotices: more notices than this from one round are folded into
// one ("12 new leads"), so a first sync or a morning's backlog is one
// notification, not a screenful.
const foldNotices = 3

func runWatch(e *env, args []string) int {
	c := commands["watch"]
	fs := e.flags(c)
	every := fs.Duration("every", 5*time.Minute, "sync the Azure table every `DURATION`")
	mailEvery := fs.Duration("mail-every", 0, "read the mailbox in [mail] every `DURATION` (default: as --every; only where [mail] reads a mailbox)")
	once := fs.Bool("once", false, "run one round and exit (1 if it failed)")
	mode := fs.String("notify", notifyAuto, "how to notify: auto (notify-send, else the terminal's OSC 9/777, else none), notify-send, osc or none")
	quiet := fs.Bool("quiet", false, "log only rounds that found something or failed")
	logFormat := fs.String("log", "text", "log line format: text, or json (one object per round)")
	table := fs.String("table", "", "the table to read (default "+azuretable.DefaultTable+", or the table a SAS URL names)")
	cs := fs.String("connection-string", "", "the storage account's connection string (else $"+azuretable.EnvConnectionString+" or [azure])")
	sas := fs.String("sas-url", "", "a SAS URL with Read and List permission (else $"+azuretable.EnvSASURL+" or [azure])")
	pos, code, ok := e.parse(fs, args)
	if !ok {
		return code
	}
	if len(pos) > 0 {
		fmt.Fprintf(e.stderr, "leads watch: unexpected argument %q; see 'leads watch --help'\n", safetext.Clean(azuretable.Redact(pos[0])))
		return exitUsage
	}
	if *every < minWatchEvery || (*mailEvery != 0 && *mailEvery < minWatchEvery) {
		fmt.Fprintln(e.stderr, "leads watch: --every and --mail-every must be at least 1s (minutes are usual: 5m)")
		return exitUsage
	}
	if *logFormat != "text" && *logFormat != "json" {
		fmt.Fprintln(e.stderr, "leads watch: --log must be text or json")
		return exitUsage
	}
	if e.getenv == nil {
		e.getenv = os.Getenv
	}
	n, err := e.newNotifier(*mode)
	if err != nil {
		fmt.Fprintln(e.stderr, "leads watch:", err)
		return exitUsage
	}
	cfg, err := e.loadConfig()
	if err != nil {
		fmt.Fprintln(e.stderr, "leads:", safetext.Clean(err.Error()))
		return exitFailed
	}
	e.warnConfig(cfg)
	w := &watcher{e: e, notifier: n, quiet: *quiet, json: *logFormat == "json",
		azure: azuretable.Config{ConnectionString: *cs, SASURL: *sas, Table: *table, Getenv: e.getenv},
		mail:  cfg.Mail.Reads(), every: *every, mailEvery: *mailEvery}
	if w.mailEvery == 0 {
		w.mailEvery = w.every
	}
	if *mailEvery != 0 && !w.mail {
		fmt.Fprintln(e.stderr, "leads watch: --mail-every:", errMailNotSetUp)
		return exitUsage
	}
	// Credentials are checked now, so a typo fails at start and not at
	// the first round; they are read again on each round, so a renewed
	// SAS in the config file is used without a restart.
	conn, err := azuretable.Resolve(w.azure)
	switch {
	case errors.Is(err, azuretable.ErrNoCredentials) && !w.mail:
		fmt.Fprintf(e.stderr, "leads watch: nothing to watch: set %s or %s, or put connection_string or sas_url under [azure] in %s (mode 600), or set up [mail]\n",
			azuretable.EnvConnectionString, azuretable.EnvSASURL, azuretable.DefaultConfigFile(e.getenv))
		return exitUsage
	case errors.Is(err, azuretable.ErrNoCredentials):
		// The mailbox alone.
	case err != nil:
		fmt.Fprintln(e.stderr, "leads:", safetext.Clean(azuretable.Redact(err.Error())))
		return exitFailed
	default:
		w.sync = true
	}

	// SIGTERM (systemd's stop) and Ctrl-C end the round in progress: the
	// sync stops after the page it is storing, the scan after the message
	// it is reading; the database is let go and leads exits 0. A second
	// signal ends leads at once (the default action: the handler is gone).
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		stop()
	}()
	if !w.quiet && !*once {
		fmt.Fprintln(e.stderr, "leads watch:", w.describe(conn))
	}
	failed := w.loop(ctx, *once)
	if ctx.Err() != nil && !w.quiet {
		fmt.Fprintln(e.stderr, "leads watch: stopped")
	}
	if *once && failed {
		return exitFailed
	}
	return exitOK
}

// watcher is one 'leads watch': its schedule and what it remembers
// between rounds.
type watcher struct {
	e                *env
	notifier         notifier
	quiet, json      bool
	azure            azuretable.Config
	sync, mail       bool
	every, mailEvery time.Duration
	// Consecutive failed rounds of each job, for the backoff.
	syncFails, mailFails int
}

// describe is the start-up line: what is watched and how news is told.
func (w *watcher) describe(conn *azuretable.Conn) string {
	var parts []string
	if w.sync {
		parts = append(parts, "syncing "+safetext.Clean(conn.String())+" every "+w.every.String())
	}
	if w.mail {
		parts = append(parts, "reading the mailbox every "+w.mailEvery.String())
	}
	return strings.Join(parts, ", ") + "; notifications: " + w.notifier.String() + "; stop with Ctrl-C or SIGTERM"
}

// loop runs rounds until ctx ends (or after one, with once). It reports
// whether the last round failed.
func (w *watcher) loop(ctx context.Context, once bool) (failed bool) {
	nextSync, nextMail := time.Now(), time.Now()
	for {
		start := time.Now()
		doSync := w.sync && !start.Before(nextSync)
		doMail := w.mail && !start.Before(nextMail)
		if doSync || doMail {
			r := w.round(ctx, doSync, doMail)
			failed = r.failed()
			if doSync {
				w.syncFails = bump(w.syncFails, r.SyncErr != "")
				nextSync = start.Add(backoff(w.every, w.syncFails))
				if r.SyncErr != "" && !once {
					r.Next = nextSync
				}
			}
			if doMail {
				w.mailFails = bump(w.mailFails, r.MailErr != "")
				nextMail = start.Add(backoff(w.mailEvery, w.mailFails))
			}
			w.log(r)
		}
		if once || ctx.Err() != nil {
			return failed
		}
		next := nextSync
		if !w.sync || (w.mail && nextMail.Before(next)) {
			next = nextMail
		}
		t := time.NewTimer(time.Until(next))
		select {
		case <-ctx.Done():
			t.Stop()
			return failed
		case <-t.C:
		}
	}
}

func bump(fails int, failed bool) int {
	if failed {
		return fails + 1
	}
	return 0
}

// backoff is the wait before a job's next round after fails failed ones
// in a row: the first retry comes at the next round as usual, then the
// wait doubles up to maxWatchBackoff (or every, when that is longer).
func backoff(every time.Duration, fails int) time.Duration {
	d := every
	for i := 1; i < fails && d < maxWatchBackoff; i++ {
		d *= 2
	}
	if d > maxWatchBackoff && every <= maxWatchBackoff {
		d = maxWatchBackoff
	}
	return d
}

// roundReport is what one round did: its log line.
type roundReport struct {
	At time.Time `json:"time"`
	// Synced: the sync ran. New counts every lead stored as new, of which
	// ContactMe and TestDrive were notified.
	Synced    bool   `json:"synced,omitempty"`
	New       int    `json:"new,omitempty"`
	ContactMe int    `json:"contact_me,omitempty"`
	TestDrive int    `json:"test_drive,omitempty"`
	SyncErr   string `json:"sync_error,omitempty"`
	// Mailed: the mailbox was read.
	Mailed  bool   `json:"mailed,omitempty"`
	Replies int    `json:"replies,omitempty"`
	Bounces int    `json:"bounces,omitempty"`
	MailErr string `json:"mail_error,omitempty"`
	// FollowUps counts the follow-ups that fell due since the last round.
	FollowUps   int    `json:"follow_ups_due,omitempty"`
	FollowUpErr string `json:"follow_up_error,omitempty"`
	// Team is the team's part ([team] set): its one-line summary, or why
	// it failed (the changes stay queued for the next round).
	Team    string `json:"team,omitempty"`
	TeamErr string `json:"team_error,omitempty"`
	// NotifyErr says why a notification could not be shown.
	NotifyErr string `json:"notify_error,omitempty"`
	// Stopped: a signal cut the round short; what it stored stays.
	Stopped bool `json:"stopped,omitempty"`
	// Next is when a failed sync is tried again.
	Next time.Time `json:"next_try,omitzero"`
}

func (r *roundReport) failed() bool {
	return r.SyncErr != "" || r.MailErr != "" || r.FollowUpErr != "" || r.TeamErr != ""
}

// news reports whether the round found anything worth a line under
// --quiet.
func (r *roundReport) news() bool {
	return r.failed() || r.New > 0 || r.Replies > 0 || r.Bounces > 0 || r.FollowUps > 0 || r.NotifyErr != "" || r.Stopped
}

// round holds the database for one round: the sync, the mail scan, the
// follow-ups due; then it lets the database go and shows the notices.
func (w *watcher) round(ctx context.Context, doSync, doMail bool) *roundReport {
	e := w.e
	r := &roundReport{At: e.now(), Synced: doSync, Mailed: doMail}
	// The table is asked first, without the database: a round with no
	// network or a revoked key fails here, and the inbox is not made to
	// wait for the file while the requests time out. The database is
	// then held only for the quick parts (the mailbox, the follow-ups
	// due, which an offline laptop still wants to hear about).
	var conn *azuretable.Conn
	if doSync {
		var err error
		conn, err = azuretable.Resolve(w.azure)
		if err == nil {
			err = azuretable.Probe(ctx, conn, azuretable.NetOptions{})
		}
		switch {
		case ctx.Err() != nil:
			r.Synced, r.Stopped = false, true
			return r
		case err != nil:
			r.SyncErr = safetext.Clean(azuretable.Redact(err.Error()))
			doSync = false
		}
	}
	s, why := w.open()
	if s == nil {
		if doSync {
			r.SyncErr = why
		}
		if doMail {
			r.MailErr = why
		}
		if !doSync && !doMail {
			r.FollowUpErr = why
		}
		return r
	}
	var notices []notice
	var hot []store.Lead
	warn := func(msg string) { fmt.Fprintln(e.stderr, "leads:", safetext.Clean(msg)) }
	if doSync {
		hot = w.syncRound(ctx, s, conn, r, warn)
		if ctx.Err() == nil && e.teamOn() {
			w.teamRound(ctx, s, r)
		}
	}
	if doMail && ctx.Err() == nil {
		w.mailRound(ctx, s, r, warn)
	}
	var due []store.Contact
	if ctx.Err() == nil {
		var err error
		if due, err = s.NewlyDue(e.now()); err != nil {
			r.FollowUpErr = safetext.Clean(err.Error())
		}
		r.FollowUps = len(due)
	}
	r.Stopped = ctx.Err() != nil
	// Let go before notifying: a slow notification daemon must not keep
	// the inbox waiting.
	if err := s.Close(); err != nil {
		// Closing writes nothing: a failure is worth a word, not a retry.
		r.FollowUpErr = "closing the database: " + safetext.Clean(err.Error())
	}
	e.closeLeases()
	notices = append(notices, leadNotices(hot)...)
	notices = append(notices, followUpNotices(due)...)
	for _, n := range notices {
		if err := w.notifier.notify(n); err != nil {
			r.NotifyErr = safetext.Clean(err.Error())
		}
	}
	return r
}

// teamRound pushes the changes queued in the database to the team's
// table and pulls the other reps', as 'leads sync' does with [team] set,
// so a rep who works from scripts or beside a closed inbox stays in step.
// The team table is asked first with one small request: offline, the
// changes stay queued and the round says so in its line.
func (w *watcher) teamRound(ctx context.Context, s *store.Store, r *roundReport) {
	ts, err := w.e.resolveTeam(true)
	if err == nil {
		err = azuretable.Probe(ctx, ts.conn, teamNet(w.e))
	}
	if err == nil {
		var res team.Result
		res, err = team.Sync(ctx, s, ts.rep, team.Options{Conn: ts.conn, Secret: ts.secret, Net: teamNet(w.e)})
		if err == nil {
			r.Team = safetext.Clean(res.Summary(w.e.now()))
			return
		}
	}
	if ctx.Err() != nil {
		return
	}
	msg := safetext.Clean(azuretable.Redact(err.Error()))
	if q, _, qerr := s.TeamQueued(); qerr == nil && q > 0 {
		msg += fmt.Sprintf(" (%s wait for the next round)", countOf(q, "change", "changes"))
	}
	r.TeamErr = msg
}

// open borrows the database for a round. What opening says (the database
// is in use, an import was finished) is kept for the round's line when
// the open fails, so a failed round stays one line; otherwise it is
// passed on.
func (w *watcher) open() (*store.Store, string) {
	e := w.e
	var said bytes.Buffer
	stderr := e.stderr
	e.stderr = &said
	s, ok := e.open(false)
	e.stderr = stderr
	if ok {
		_, _ = said.WriteTo(stderr)
		return s, ""
	}
	e.closeLeases()
	var lines []string
	for line := range strings.Lines(said.String()) {
		if line = strings.TrimSpace(strings.TrimPrefix(line, "leads: ")); line != "" {
			lines = append(lines, line)
		}
	}
	if len(lines) == 0 {
		return nil, "the database could not be opened"
	}
	return nil, strings.Join(lines, "; ")
}

// syncRound runs the Azure sync into s and returns the new Contact me and
// Test Drive leads.
func (w *watcher) syncRound(ctx context.Context, s *store.Store, conn *azuretable.Conn, r *roundReport, warn func(string)) []store.Lead {
	var hot []store.Lead
	res, err := azuretable.Sync(ctx, s, azuretable.Options{Conn: conn, Warn: warn,
		NewLead: func(l store.Lead) {
			switch hotKind(&l) {
			case view.StageContactMe:
				r.ContactMe++
			case view.StageTestDrive:
				r.TestDrive++
			default:
				return
			}
			hot = append(hot, l)
		}})
	r.New = res.New
	if err != nil && !(errors.Is(err, azuretable.ErrInterrupted) && ctx.Err() != nil) {
		r.SyncErr = safetext.Clean(azuretable.Redact(err.Error()))
	}
	return hot
}

// hotKind says whether a lead is one to notify: a Contact me or a Test
// Drive from a customer (not Microsoft's test lead).
func hotKind(l *store.Lead) view.Stage {
	if l.IsTest {
		return view.StageNone
	}
	if strings.EqualFold(l.Source, "TestDrive") {
		return view.StageTestDrive
	}
	switch st := view.StageOf(l.Action); st {
	case view.StageContactMe, view.StageTestDrive:
		return st
	}
	return view.StageNone
}

// mailRound runs the scan of 'leads mail' with the config as it is now.
func (w *watcher) mailRound(ctx context.Context, s *store.Store, r *roundReport, warn func(string)) {
	cfg, err := w.e.loadConfig()
	if err != nil {
		r.MailErr = safetext.Clean(err.Error())
		return
	}
	if !cfg.Mail.Reads() {
		r.MailErr = errMailNotSetUp.Error()
		return
	}
	res, errs := w.e.scanMail(ctx, s, cfg, "", nil, warn)
	r.Replies, r.Bounces = res.Replies, res.Bounces
	if ctx.Err() != nil {
		return // "stopped": the round line says so
	}
	if err := oneLine(errs); err != nil {
		r.MailErr = safetext.Clean(err.Error())
	}
}

// leadNotices are the notices for new hot leads: one each, or one for
// them all when there are many.
func leadNotices(hot []store.Lead) []notice {
	if len(hot) > foldNotices {
		cm, td := 0, 0
		for i := range hot {
			if hotKind(&hot[i]) == view.StageContactMe {
				cm++
			} else {
				td++
			}
		}
		return []notice{{Title: fmt.Sprintf("%d new leads", len(hot)), Body: kinds(cm, td)}}
	}
	out := make([]notice, 0, len(hot))
	for i := range hot {
		l := &hot[i]
		title := "New Contact me lead"
		if hotKind(l) == view.StageTestDrive {
			title = "New Test Drive lead"
		}
		offer := l.OfferName
		if offer == "" {
			offer = l.OfferID
		}
		body := who(l.Customer)
		if o := notifyText(offer, maxNoticeOffer); o != "" {
			body += " · " + o
		}
		out = append(out, notice{Title: title, Body: body})
	}
	return out
}

// followUpNotices are the notices for follow-ups due.
func followUpNotices(due []store.Contact) []notice {
	if len(due) == 0 {
		return nil
	}
	if len(due) > foldNotices {
		return []notice{{Title: fmt.Sprintf("%d follow-ups due", len(due)),
			Body: who(due[0].Customer) + " and " + countOf(len(due)-1, "other", "others")}}
	}
	out := make([]notice, 0, len(due))
	for i := range due {
		out = append(out, notice{Title: "Follow-up due", Body: who(due[i].Customer)})
	}
	return out
}

// who names a customer in a notice: "Name (Company)", cleaned and short.
func who(c store.Customer) string {
	name := notifyText(c.FirstName+" "+c.LastName, maxNoticeName)
	if name == "" {
		name = notifyText(c.Email, maxNoticeName)
	}
	if name == "" {
		name = "someone"
	}
	if co := notifyText(c.Company, maxNoticeName); co != "" {
		name += " (" + co + ")"
	}
	return name
}

// kinds is "2 Contact me, 1 Test Drive", leaving out a kind with none.
func kinds(cm, td int) string {
	var parts []string
	if cm > 0 {
		parts = append(parts, fmt.Sprintf("%d Contact me", cm))
	}
	if td > 0 {
		parts = append(parts, fmt.Sprintf("%d Test Drive", td))
	}
	return strings.Join(parts, ", ")
}

// log writes the round's one line: to stdout, or to stderr when the round
// failed, so a supervisor's log shows failures as errors.
func (w *watcher) log(r *roundReport) {
	if w.quiet && !r.news() {
		return
	}
	out := w.e.stdout
	if r.failed() {
		out = w.e.stderr
	}
	if w.json {
		b, err := json.Marshal(r)
		if err == nil {
			_, _ = fmt.Fprintf(out, "%s\n", b)
		}
		return
	}
	_, _ = io.WriteString(out, r.text()+"\n")
}

// text is the round's line: "12:05 sync: 3 new leads (2 Contact me, 1
// Test Drive); mail: 1 reply".
func (r *roundReport) text() string {
	var parts []string
	if r.Synced {
		switch {
		case r.SyncErr != "":
			p := "sync failed: " + r.SyncErr
			if !r.Next.IsZero() {
				p += " (next try " + r.Next.Local().Format("15:04:05") + ")"
			}
			parts = append(parts, p)
		case r.New == 0:
			parts = append(parts, "sync: no new leads")
		default:
			p := "sync: " + countOf(r.New, "new lead", "new leads")
			if k := kinds(r.ContactMe, r.TestDrive); k != "" {
				p += " (" + k + ")"
			}
			parts = append(parts, p)
		}
	}
	if r.Mailed {
		switch {
		case r.MailErr != "":
			parts = append(parts, "mail failed: "+r.MailErr)
		case r.Replies == 0 && r.Bounces == 0:
			parts = append(parts, "mail: nothing new")
		default:
			p := "mail: " + countOf(r.Replies, "reply", "replies")
			if r.Bounces > 0 {
				p += ", " + countOf(r.Bounces, "bounce", "bounces")
			}
			parts = append(parts, p)
		}
	}
	switch {
	case r.TeamErr != "":
		parts = append(parts, "team failed: "+r.TeamErr)
	case r.Team != "":
		parts = append(parts, r.Team)
	}
	if r.FollowUps > 0 {
		parts = append(parts, countOf(r.FollowUps, "follow-up due", "follow-ups due"))
	}
	if r.FollowUpErr != "" {
		parts = append(parts, "follow-ups failed: "+r.FollowUpErr)
	}
	if r.NotifyErr != "" {
		parts = append(parts, "notification failed: "+r.NotifyErr)
	}
	if r.Stopped {
		parts = append(parts, "stopped: what was read is stored")
	}
	return r.At.Local().Format("15:04") + " " + strings.Join(parts, "; ")
}
