package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/leads-inbox/leads/importer/azuretable/azuritetest"
	"github.com/leads-inbox/leads/store"
	"github.com/leads-inbox/leads/store/handoff"
)

// watchLead is a table entity for the watch tests.
func watchLead(table string, i int, action, first, company string) azuritetest.Entity {
	info, err := json.Marshal(map[string]string{"FirstName": first, "LastName": "Lin",
		"Email": fmt.Sprintf("p%d@contoso.example", i), "Company": company})
	if err != nil {
		panic(err)
	}
	return azuritetest.Entity{
		"PartitionKey": "12:2F1:2F2026", "RowKey": fmt.Sprintf("%s-%04d", table, i),
		"ActionCode": action, "LeadSource": "AppSource|contoso.app", "OfferDisplayName": "Contoso App",
		"CustomerInfo": string(info), "CreatedTime": "2026-12-01T10:00:00Z",
	}
}

// watchSetup is a table with five Contact me leads, an install and
// Microsoft's test lead, a fake notify-send that records its arguments,
// and the environment for the built binary.
type watchSetup struct {
	srv       *azuritetest.Server
	table     string
	db        string
	notifyLog string
	env       []string
}

func newWatchSetup(t *testing.T) *watchSetup {
	t.Helper()
	srv := azuritetest.Start(t)
	dir := t.TempDir()
	w := &watchSetup{srv: srv, table: fmt.Sprintf("Watch%s%d", time.Now().Format("150405"), tableN.Add(1)),
		db: filepath.Join(dir, "leads.db"), notifyLog: filepath.Join(dir, "notify.log")}
	c := srv.CreateTable(t, w.table)
	var ents []azuritetest.Entity
	for i := range 5 {
		ents = append(ents, watchLead(w.table, i, "PLT", fmt.Sprint("Bo", i), "Contoso"))
	}
	ents = append(ents, watchLead(w.table, 5, "INS", "Ida", "Contoso"))
	test := watchLead(w.table, 6, "INS", "MSFT_TEST_636573304831318844", "MSFT_TEST_636573304831318844")
	test["CustomerInfo"] = `{"FirstName":"MSFT_TEST_636573304831318844","Email":"MSFT_TEST_636573304831318844@test.com"}`
	azuritetest.Seed(t, c, append(ents, test))

	// notify-send as a script: each call is one line of its arguments,
	// each ended by RS (0x1e). Cleaned text holds neither byte.
	bin := filepath.Join(dir, "bin")
	if err := os.Mkdir(bin, 0o700); err != nil {
		t.Fatal(err)
	}
	script := "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\036' \"$a\"; done >> \"$NOTIFY_LOG\"\nprintf '\\n' >> \"$NOTIFY_LOG\"\n"
	if err := os.WriteFile(filepath.Join(bin, "notify-send"), []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	// A short runtime folder: a socket's path has room for 107 bytes.
	run, err := os.MkdirTemp("", "lw")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(run) })
	w.env = []string{"PATH=" + bin + ":" + os.Getenv("PATH"), "NOTIFY_LOG=" + w.notifyLog,
		"LEADS_AZURE_CONNECTION_STRING=" + srv.ConnectionString(),
		"XDG_CONFIG_HOME=" + filepath.Join(dir, "config"), "XDG_STATE_HOME=" + filepath.Join(dir, "state"),
		"XDG_RUNTIME_DIR=" + run, "TERM=xterm-256color", "NO_COLOR=1"}
	return w
}

// notices returns the recorded notify-send calls, each its arguments.
func (w *watchSetup) notices(t *testing.T) [][]string {
	t.Helper()
	b, err := os.ReadFile(w.notifyLog)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var out [][]string
	for line := range strings.Lines(string(b)) {
		f := strings.Split(strings.TrimSuffix(line, "\n"), "\x1e")
		out = append(out, f[:len(f)-1])
	}
	return out
}

// waitFor polls cond for up to 60 s (a limit against hangs, not a
// measurement).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); !cond(); {
		if time.Now().After(deadline) {
			t.Fatalf("waited a minute for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// start runs 'leads watch' with args in the background.
func (w *watchSetup) start(t *testing.T, args ...string) (cmd *exec.Cmd, stdout, stderr *lockedBuffer, exited chan error) {
	t.Helper()
	cmd = exec.Command(leadsBinary(t), append([]string{"--db", w.db, "watch", "--table", w.table}, args...)...)
	cmd.Env = append(os.Environ(), w.env...)
	stdout, stderr = &lockedBuffer{}, &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited = make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
	})
	return cmd, stdout, stderr, exited
}

// stop sends SIGTERM and wants exit 0.
func stopWatch(t *testing.T, cmd *exec.Cmd, exited chan error, stderr *lockedBuffer) {
	t.Helper()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("leads watch after SIGTERM: %v; stderr %q", err, stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("leads watch did not end within 30 s of SIGTERM; stderr %q", stderr.String())
	}
}

// checkLeads opens the database, checks it and returns its lead count.
func checkLeads(t *testing.T, db string) int {
	t.Helper()
	s, err := store.Open(db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Check(); err != nil {
		t.Fatalf("the database does not check clean: %v", err)
	}
	n, err := s.Count()
	if err != nil {
		t.Fatal(err)
	}
	return n.Leads
}

// TestWatchNotifiesOncePerNewLead runs the built 'leads watch --every 1s'
// with a recording notify-send on PATH: the first round's five Contact me
// leads are one folded notice; a hostile Test Drive lead added to the
// table later is exactly one notice, with its text cleaned and short; the
// rounds after it notify nothing; SIGTERM ends it with 0 and the
// database checks clean with every lead of the table in it.
func TestWatchNotifiesOncePerNewLead(t *testing.T) {
	w := newWatchSetup(t)
	cmd, stdout, stderr, exited := w.start(t, "--every", "1s", "--notify=notify-send")
	waitFor(t, "the first notice", func() bool { return len(w.notices(t)) >= 1 })
	if got := w.notices(t); !slices.Equal(got[0], []string{"--app-name=leads", "--", "5 new leads", "5 Contact me"}) {
		t.Fatalf("first round's notice: %q", got)
	}

	hostile := watchLead(w.table, 7, "StartTestDrive", hostileTableName, "A&B <i>Co</i>")
	azuritetest.Seed(t, w.srv.Service().NewClient(w.table), []azuritetest.Entity{hostile})
	waitFor(t, "the hostile lead's notice", func() bool { return len(w.notices(t)) >= 2 })
	want := []string{"--app-name=leads", "--", "New Test Drive lead",
		"Eve;gnp.exe&lt;b&gt;" + strings.Repeat("é", 25) + "… (A&amp;B &lt;i&gt;Co&lt;/i&gt;) · Contoso App"}
	if got := w.notices(t)[1]; !slices.Equal(got, want) {
		t.Fatalf("the hostile lead's notice:\n got %q\nwant %q", got, want)
	}
	// Two more rounds: nothing more to tell.
	rounds := regexp.MustCompile(`(?m)^\d\d:\d\d sync: `)
	seen := len(rounds.FindAllString(stdout.String(), -1))
	waitFor(t, "two more rounds", func() bool { return len(rounds.FindAllString(stdout.String(), -1)) >= seen+2 })
	if n := len(w.notices(t)); n != 2 {
		t.Fatalf("%d notices after the hostile lead's; want none more: %q", n-2, w.notices(t)[2:])
	}
	if !strings.Contains(stdout.String(), " sync: 1 new lead (1 Test Drive)\n") || !strings.Contains(stdout.String(), " sync: 7 new leads (5 Contact me)\n") {
		t.Fatalf("round lines: %q", stdout.String())
	}
	stopWatch(t, cmd, exited, stderr)
	if n := checkLeads(t, w.db); n != 8 {
		t.Fatalf("%d leads in the database, the table has 8", n)
	}
}

// TestWatchFollowUpDueOnceAcrossRestarts: a follow-up that has fallen due
// is notified by the first 'leads watch --once' and not by the next (a
// restart); moved to another time that is due, it is notified again.
func TestWatchFollowUpDueOnceAcrossRestarts(t *testing.T) {
	w := newWatchSetup(t)
	if r := runBin(t, time.Minute, w.env, "--db", w.db, "watch", "--table", w.table, "--once", "--notify=none"); r.code != 0 {
		t.Fatalf("first round: %d %q", r.code, r.stderr)
	}
	setDue := func(due time.Time) {
		t.Helper()
		s, err := store.Open(w.db, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		c, err := s.Contact("p2@contoso.example")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.SetFollowUp(c.ID, due, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	setDue(time.Now().Add(-time.Hour))
	once := func() procResult {
		t.Helper()
		r := runBin(t, time.Minute, w.env, "--db", w.db, "watch", "--table", w.table, "--once", "--notify=notify-send")
		if r.code != 0 {
			t.Fatalf("watch --once: %d %q", r.code, r.stderr)
		}
		return r
	}
	r := once()
	followUp := []string{"--app-name=leads", "--", "Follow-up due", "Bo2 Lin (Contoso)"}
	if got := w.notices(t); len(got) != 1 || !slices.Equal(got[0], followUp) {
		t.Fatalf("first run: notices %q, stdout %q", got, r.stdout)
	}
	if !strings.Contains(r.stdout, "; 1 follow-up due\n") {
		t.Fatalf("first run's line: %q", r.stdout)
	}
	once()
	if got := w.notices(t); len(got) != 1 {
		t.Fatalf("the restart notified again: %q", got)
	}
	setDue(time.Now().Add(-time.Minute))
	once()
	if got := w.notices(t); len(got) != 2 || !slices.Equal(got[1], followUp) {
		t.Fatalf("a follow-up moved to a new time that is due: %q", got)
	}
}

// TestWatchOSCNoticeIsOneSequence: with --notify=osc the notice for a
// lead with a hostile name is, byte for byte, one OSC 9 (or, for foot,
// OSC 777) sequence with the cleaned text, followed by the round's line.
func TestWatchOSCNoticeIsOneSequence(t *testing.T) {
	w := newWatchSetup(t)
	if r := runBin(t, time.Minute, w.env, "--db", w.db, "watch", "--table", w.table, "--once", "--notify=none"); r.code != 0 {
		t.Fatalf("first round: %d %q", r.code, r.stderr)
	}
	c := w.srv.Service().NewClient(w.table)
	body := "Eve,gnp.exe<b>" + strings.Repeat("é", 25) + "… (A&B <i>Co</i>) · Contoso App"
	for i, term := range []string{"xterm-256color", "foot"} {
		azuritetest.Seed(t, c, []azuritetest.Entity{watchLead(w.table, 10+i, "PLT", hostileTableName, "A&B <i>Co</i>")})
		r := runBin(t, time.Minute, append(w.env, "TERM="+term), "--db", w.db, "watch", "--table", w.table, "--once", "--notify=osc")
		if r.code != 0 {
			t.Fatalf("watch --once: %d %q", r.code, r.stderr)
		}
		seq := "\x1b]9;New Contact me lead: " + body + "\a"
		if term == "foot" {
			seq = "\x1b]777;notify;New Contact me lead;" + body + "\a"
		}
		line := regexp.MustCompile(`^\d\d:\d\d sync: 1 new lead \(1 Contact me\)\n$`)
		if !strings.HasPrefix(r.stdout, seq) || !line.MatchString(strings.TrimPrefix(r.stdout, seq)) {
			t.Fatalf("TERM=%s: stdout\n%q\nwant\n%q then the round's line", term, r.stdout, seq)
		}
	}
}

// TestWatchBesideTheInbox: with the inbox open on a terminal, 'leads
// watch' borrows the database for each round through the inbox's socket
// and gives it back; a lead added to the table is stored, notified, and
// the inbox reads the leads again.
func TestWatchBesideTheInbox(t *testing.T) {
	w := newWatchSetup(t)
	if r := runBin(t, time.Minute, w.env, "--db", w.db, "watch", "--table", w.table, "--once", "--notify=none"); r.code != 0 {
		t.Fatalf("first round: %d %q", r.code, r.stderr)
	}
	master, slave := openPTY(t)
	inbox := exec.Command(leadsBinary(t), "--db", w.db, "inbox")
	inbox.Env = append(os.Environ(), w.env...)
	inbox.Stdin, inbox.Stdout, inbox.Stderr = slave, slave, slave
	inbox.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true}
	if err := inbox.Start(); err != nil {
		t.Fatal(err)
	}
	slave.Close()
	go func() { _, _ = io.Copy(io.Discard, master) }()
	inboxDone := make(chan error, 1)
	go func() { inboxDone <- inbox.Wait() }()
	defer func() {
		_ = inbox.Process.Kill()
		<-inboxDone
	}()
	var run string
	for _, kv := range w.env {
		if v, ok := strings.CutPrefix(kv, "XDG_RUNTIME_DIR="); ok {
			run = v
		}
	}
	getenv := func(k string) string {
		if k == "XDG_RUNTIME_DIR" {
			return run
		}
		return os.Getenv(k)
	}
	waitFor(t, "the inbox's socket", func() bool { _, ok := handoff.Inbox(w.db, getenv); return ok })

	cmd, stdout, stderr, exited := w.start(t, "--every", "1s", "--notify=notify-send")
	rounds := regexp.MustCompile(`(?m)^\d\d:\d\d sync: no new leads$`)
	waitFor(t, "a round beside the inbox", func() bool { return rounds.MatchString(stdout.String()) })
	azuritetest.Seed(t, w.srv.Service().NewClient(w.table), []azuritetest.Entity{watchLead(w.table, 20, "PLT", "Nia", "Fabrikam")})
	waitFor(t, "the new lead's notice", func() bool { return len(w.notices(t)) >= 1 })
	if got := w.notices(t); len(got) != 1 || !slices.Equal(got[0], []string{"--app-name=leads", "--", "New Contact me lead", "Nia Lin (Fabrikam) · Contoso App"}) {
		t.Fatalf("notices: %q", got)
	}
	// The inbox lent the database to the watch and read the leads again
	// when it came back.
	logPath := ""
	for _, kv := range w.env {
		if v, ok := strings.CutPrefix(kv, "XDG_STATE_HOME="); ok {
			logPath = filepath.Join(v, "leads", "leads.log")
		}
	}
	waitFor(t, "the inbox to read the new lead", func() bool {
		b, _ := os.ReadFile(logPath)
		return strings.Contains(string(b), "lent the database to leads watch (pid ") && strings.Contains(string(b), "Changed:true Leads:true")
	})
	// And a command beside both sees it.
	r := runBin(t, time.Minute, w.env, "--db", w.db, "list", "--json")
	if r.code != 0 || !strings.Contains(r.stdout, "p20@contoso.example") {
		t.Fatalf("list beside the inbox and the watch: %d %q %q", r.code, r.stdout, r.stderr)
	}
	stopWatch(t, cmd, exited, stderr)
	select {
	case err := <-inboxDone:
		t.Fatalf("the inbox ended while the watch ran: %v", err)
	default:
	}
	_ = inbox.Process.Signal(syscall.SIGTERM)
	select {
	case <-inboxDone:
	case <-time.After(20 * time.Second):
		t.Fatal("the inbox did not end on SIGTERM")
	}
	inboxDone <- nil // for the deferred wait
	if n := checkLeads(t, w.db); n != 8 {
		t.Fatalf("%d leads in the database, the table has 8", n)
	}
}

// TestWatchStopsMidRoundKeepingFetchedPages: SIGTERM while a round's sync
// waits for its third page ends 'leads watch' with 0; the two pages it
// had fetched are stored (and notified), the database checks clean, and
// the next round goes on from the third page.
func TestWatchStopsMidRoundKeepingFetchedPages(t *testing.T) {
	w := newWatchSetup(t)
	w.table = seedTable(t, w.srv, 3000)
	p := azuritetest.NewProxy(t, w.srv)
	release := make(chan struct{}, 10)
	// The round's first query (the probe before the sync) passes; each
	// page waits for the test to let it through.
	p.SetFault(func(n int, r *http.Request) azuritetest.Action {
		if n == 0 {
			return nil
		}
		return func(p *azuritetest.Proxy, rw http.ResponseWriter, r *http.Request) {
			select {
			case <-release:
			case <-r.Context().Done():
				return
			}
			azuritetest.Delay(closed)(p, rw, r)
		}
	})
	w.env = append(w.env, "LEADS_AZURE_CONNECTION_STRING="+p.ConnectionString())
	cmd, stdout, stderr, exited := w.start(t, "--every", "1s", "--notify=notify-send")
	release <- struct{}{}
	release <- struct{}{}
	waitFor(t, "the third page's query", func() bool { return p.Queries() >= 4 })
	stopWatch(t, cmd, exited, stderr)
	if n := checkLeads(t, w.db); n != 2000 {
		t.Fatalf("%d leads stored after SIGTERM with two pages fetched; want 2000", n)
	}
	if !regexp.MustCompile(`^\d\d:\d\d sync: 2000 new leads \(1999 Contact me\); stopped: what was read is stored\n$`).MatchString(stdout.String()) {
		t.Fatalf("round line: %q (stderr %q)", stdout.String(), stderr.String())
	}
	if got := w.notices(t); len(got) != 1 || !slices.Equal(got[0], []string{"--app-name=leads", "--", "1999 new leads", "1999 Contact me"}) {
		t.Fatalf("notices: %q", got)
	}
	p.SetFault(nil)
	r := runBin(t, time.Minute, w.env, "--db", w.db, "watch", "--table", w.table, "--once", "--notify=none")
	if r.code != 0 || !strings.Contains(r.stdout, " sync: 1000 new leads (1000 Contact me)\n") {
		t.Fatalf("the next round: %d %q %q", r.code, r.stdout, r.stderr)
	}
	if n := checkLeads(t, w.db); n != 3000 {
		t.Fatalf("%d leads after the next round, the table has 3000", n)
	}
}

// TestWatchRoundErrorIsOneLineAndRetried: a round the service refuses
// (bad credentials) is one line on stderr naming the next try, holds no
// secret, and does not end 'leads watch'; the round after the service
// accepts again stores and notifies the leads.
func TestWatchRoundErrorIsOneLineAndRetried(t *testing.T) {
	w := newWatchSetup(t)
	p := azuritetest.NewProxy(t, w.srv)
	refuse := func(int, *http.Request) azuritetest.Action {
		return azuritetest.Status(http.StatusForbidden, "AuthenticationFailed")
	}
	p.SetFault(refuse)
	w.env = append(w.env, "LEADS_AZURE_CONNECTION_STRING="+p.ConnectionString())
	cmd, stdout, stderr, exited := w.start(t, "--every", "1s", "--notify=notify-send", "--quiet")
	failed := regexp.MustCompile(`(?m)^\d\d:\d\d sync failed: [^\n]+ \(next try \d\d:\d\d:\d\d\)$`)
	waitFor(t, "a failed round", func() bool { return failed.MatchString(stderr.String()) })
	if s := stderr.String(); strings.Contains(s, "AccountKey") || strings.Contains(s, "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq") {
		t.Fatalf("a secret in the log: %q", s)
	}
	p.SetFault(nil)
	waitFor(t, "the notice after the service is back", func() bool { return len(w.notices(t)) >= 1 })
	stopWatch(t, cmd, exited, stderr)
	if !strings.Contains(stdout.String(), " sync: 7 new leads (5 Contact me)\n") {
		t.Fatalf("stdout %q", stdout.String())
	}
	for line := range strings.Lines(stderr.String()) {
		if !failed.MatchString(line) && line != "leads watch: stopped\n" {
			t.Fatalf("stderr line %q is neither a failed round nor the stop", line)
		}
	}
}

// TestWatchWaitsForTheTableWithoutTheDatabase: while the table does not
// answer, 'leads watch' does not hold the database, so a command beside
// it (or the inbox) is not locked out by a round stuck on the network;
// SIGTERM then ends it with 0 at once.
func TestWatchWaitsForTheTableWithoutTheDatabase(t *testing.T) {
	w := newWatchSetup(t)
	if r := runBin(t, time.Minute, w.env, "--db", w.db, "watch", "--table", w.table, "--once", "--notify=none"); r.code != 0 {
		t.Fatalf("first round: %d %q", r.code, r.stderr)
	}
	p := azuritetest.NewProxy(t, w.srv)
	p.SetFault(func(int, *http.Request) azuritetest.Action { return azuritetest.Stall() })
	w.env = append(w.env, "LEADS_AZURE_CONNECTION_STRING="+p.ConnectionString())
	cmd, _, stderr, exited := w.start(t, "--every", "1s", "--notify=none")
	waitFor(t, "the round's first query", func() bool { return p.Queries() >= 1 })
	r := runBin(t, time.Minute, w.env, "--db", w.db, "list", "--json")
	if r.code != 0 || strings.Count(r.stdout, "\n") != 6 {
		t.Fatalf("list while the watch waits for the table: %d %q %q", r.code, r.stdout, r.stderr)
	}
	stopWatch(t, cmd, exited, stderr)
	if n := checkLeads(t, w.db); n != 7 {
		t.Fatalf("%d leads, want the 7 of the first round", n)
	}
}

// TestWatchRoundWithTheDatabaseHeldIsOneLine: when another process holds
// the database (no inbox to lend it), the round fails in one line that
// says why, and --once exits 1.
func TestWatchRoundWithTheDatabaseHeldIsOneLine(t *testing.T) {
	w := newWatchSetup(t)
	s, err := store.Open(w.db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	r := runBin(t, time.Minute, w.env, "--db", w.db, "watch", "--table", w.table, "--once", "--notify=notify-send")
	line := regexp.MustCompile(`^\d\d:\d\d sync failed: leads\.db is in use by another leads process[^\n]*\n$`)
	if r.code != exitFailed || !line.MatchString(r.stderr) || r.stdout != "" || len(w.notices(t)) != 0 {
		t.Fatalf("a round with the database held: %d %q %q", r.code, r.stdout, r.stderr)
	}
}
