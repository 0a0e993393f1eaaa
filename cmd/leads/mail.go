package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/leads-inbox/leads/importer/mailbox"
	"github.com/leads-inbox/leads/store"
	"github.com/leads-inbox/leads/store/safetext"
	"github.com/leads-inbox/leads/tui"
	"github.com/leads-inbox/leads/tui/config"
)

func init() {
	register(&command{name: "mail", args: "[--maildir DIR]",
		summary: "read the mailbox in [mail] (read-only) for replies from contacts and bounced messages", run: runMail})
}

// errMailNotSetUp is a mailbox scan with nothing to read.
var errMailNotSetUp = errors.New("no mailbox to read: set maildir (or imap_host) under [mail] in the config, or give --maildir DIR")

func runMail(e *env, args []string) int {
	c := commands["mail"]
	fs := e.flags(c)
	dir := fs.String("maildir", "", "scan this one Maildir `DIR` (with cur/ and new/) instead of the folders in [mail]")
	pos, code, ok := e.parse(fs, args)
	if !ok {
		return code
	}
	if len(pos) > 0 {
		fmt.Fprintf(e.stderr, "leads mail: unexpected argument %q; see 'leads mail --help'\n", safetext.Clean(pos[0]))
		return exitUsage
	}
	cfg, err := e.loadConfig()
	if err != nil {
		fmt.Fprintln(e.stderr, "leads:", safetext.Clean(err.Error()))
		return exitFailed
	}
	e.warnConfig(cfg)
	if *dir == "" && !cfg.Mail.Reads() {
		fmt.Fprintln(e.stderr, "leads mail:", errMailNotSetUp)
		return exitUsage
	}
	// Ctrl-C stops between messages; what was recorded stays recorded,
	// and the cursor saved covers it.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	s, ok := e.open(false)
	if !ok {
		return exitFailed
	}
	defer s.Close()

	prog := newProgress(e.stderr)
	res, errs := e.scanMail(ctx, s, cfg, *dir, prog.messages, func(w string) { prog.println("leads: " + w) })
	prog.done()
	for _, err := range errs {
		fmt.Fprintln(e.stderr, "leads:", safetext.Clean(err.Error()))
	}
	fmt.Fprintf(e.stdout, "%d read, %d %s recorded (%s), %d %s, %d skipped\n",
		res.Read, res.Replies, plural(res.Replies, "reply", "replies"), countOf(res.Contacts, "contact", "contacts"),
		res.Bounces, plural(res.Bounces, "bounce", "bounces"), res.Skipped)
	if len(errs) > 0 {
		return exitFailed
	}
	return exitOK
}

// scanMail scans every folder in [mail] (or just dir) into s with one
// scanner. A folder that fails is reported and the others are still
// scanned; each folder's cursor is saved only after its records.
func (e *env) scanMail(ctx context.Context, s *store.Store, cfg *config.Config, dir string,
	progress func(int), warn func(string)) (mailbox.Result, []error) {
	own := []string{cfg.Sender.Email}
	if strings.Contains(cfg.Mail.IMAPUser, "@") {
		own = append(own, cfg.Mail.IMAPUser)
	}
	sc := mailbox.NewScanner(s, mailbox.Options{Own: own, Now: e.now, Progress: progress, Warn: warn})
	dirs := cfg.Mail.Maildirs
	if dir != "" {
		dirs = []string{dir}
	}
	var errs []error
	var sources []mailbox.Source
	for _, d := range dirs {
		md, err := mailbox.NewMaildir(d)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		md.Warn = warn
		sources = append(sources, md)
	}
	if dir == "" && cfg.Mail.IMAPHost != "" {
		imap, err := imapSources(ctx, e, cfg.Mail)
		if err != nil {
			errs = append(errs, err)
		}
		sources = append(sources, imap...)
	}
	for i, src := range sources {
		err := ctx.Err()
		if err == nil {
			err = sc.Scan(ctx, src)
		}
		if errors.Is(err, context.Canceled) {
			for _, rest := range sources[i:] {
				_ = rest.Close()
			}
			errs = append(errs, errors.New("stopped: what was read is recorded, the rest is read next time"))
			break
		}
		if err != nil {
			errs = append(errs, err)
		}
		if err := src.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	return sc.Result(), errs
}

// imapSources opens the IMAP folders in [mail] as mailbox Sources: one
// per folder in imap_folders, the password from password_command on each
// connection. A variable so that tests can replace it.
var imapSources = func(ctx context.Context, e *env, m config.Mail) ([]mailbox.Source, error) {
	return mailbox.IMAPSources(m)
}

// mailScanner runs the scan of 'leads mail' for the inbox's --mail-every.
// The config is read on each run, so folders set up while the inbox is
// open are picked up; warnings go to the inbox's log.
func mailScanner(e *env, s *store.Store) tui.MailScanner {
	return func(ctx context.Context, warn func(string)) (int, int, error) {
		cfg, err := e.loadConfig()
		if err != nil {
			return 0, 0, err
		}
		if !cfg.Mail.Reads() {
			return 0, 0, errMailNotSetUp
		}
		res, errs := e.scanMail(ctx, s, cfg, "", nil, warn)
		return res.Replies, res.Bounces, oneLine(errs)
	}
}

// oneLine joins a scan's errors into one line for the inbox's status.
func oneLine(errs []error) error {
	if len(errs) == 0 {
		return nil
	}
	msgs := make([]string, len(errs))
	for i, err := range errs {
		msgs[i] = err.Error()
	}
	return errors.New(strings.Join(msgs, "; "))
}

// messages is the progress line of 'leads mail', throttled like the sync's.
func (p *progress) messages(n int) {
	elapsed := time.Since(p.start)
	if !p.tty || elapsed < time.Second {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	if now.Sub(p.last) < 200*time.Millisecond {
		return
	}
	p.last = now
	// No text of a message is printed here: only the count.
	fmt.Fprintf(p.w, "\r\x1b[K%d messages read (%.0f/s)", n, float64(n)/elapsed.Seconds())
	p.drawn = true
}
