package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/leads-inbox/leads/importer"
	"github.com/leads-inbox/leads/importer/gen"
	"github.com/leads-inbox/leads/store"
	"github.com/leads-inbox/leads/store/scratch"
	"github.com/leads-inbox/leads/tui"
)

func init() {
	register(&command{name: "demo", args: "[--rows N] [--keep]",
		summary: "open the inbox on a temporary database of generated sample leads dated relative to now", run: runDemo})
}

func runDemo(e *env, args []string) int {
	c := commands["demo"]
	fs := e.flags(c)
	rows := fs.Int("rows", 3000, "number of sample lead rows")
	keep := fs.Bool("keep", false, "keep the temporary database and print its path on exit")
	pos, code, ok := e.parse(fs, args)
	if !ok {
		return code
	}
	if len(pos) > 0 || *rows < 1 || *rows > 200_000 {
		fmt.Fprintln(e.stderr, "leads demo: use --rows N with 1 <= N <= 200000; see 'leads demo --help'")
		return exitUsage
	}
	dir, err := demoDir(e, *keep)
	if err != nil {
		return e.fail(err)
	}
	if !*keep {
		// Gone however the demo ends: quit, a closed terminal, a kill
		// (and, after kill -9, at the next start of leads).
		remove := e.atExit(func() { os.RemoveAll(dir) })
		defer remove()
	}
	path := filepath.Join(dir, "demo.db")
	s, err := store.Open(path, store.Options{NoSync: true})
	if err != nil {
		return e.fail(err)
	}
	defer s.Close()
	now := e.now()
	if err := addSampleLeads(s, *rows, 1, now, 0); err != nil {
		return e.fail(err)
	}
	if err := addSampleMail(s, now); err != nil {
		return e.fail(err)
	}
	// The rep's name as the inbox claims with; a config that does not
	// load is reported by the inbox itself.
	me := "me"
	if cfg, err := e.loadConfig(); err == nil {
		me = cfg.Me(e.getenv)
	}
	if err := addSampleOwners(s, me, now); err != nil {
		return e.fail(err)
	}
	seed := int64(1000)
	opt := tui.Options{Banner: "demo",
		// The demo's S key "syncs" a handful of fresh sample leads, so the
		// whole loop can be tried without an Azure account.
		Syncer: func(ctx context.Context, progress func(int), _ func(string)) (int, error) {
			seed++
			for i := 1; i <= 5; i++ {
				if err := ctx.Err(); err != nil {
					return 0, err
				}
				progress(i)
				time.Sleep(150 * time.Millisecond)
			}
			before, _ := s.Count()
			if err := addSampleLeads(s, 5, seed, e.now(), time.Hour); err != nil {
				return 0, err
			}
			after, err := s.Count()
			return after.Leads - before.Leads, err
		}}
	code = e.runTUI(s, opt)
	if *keep {
		fmt.Fprintln(e.stdout, "demo database kept at", path)
	}
	return code
}

// addSampleLeads generates rows of leads and stores them, the way 'leads
// gen | leads import' would, in memory.
func addSampleLeads(s *store.Store, rows int, seed int64, now time.Time, span time.Duration) error {
	var buf bytes.Buffer
	if err := gen.Write(&buf, gen.Options{Rows: rows, Format: gen.FormatStorageExplorer, Seed: seed, Now: now, Span: span}); err != nil {
		return err
	}
	var leads []store.Lead
	if _, err := importer.ReadCSV(&buf, "demo.csv", func(l store.Lead) error {
		leads = append(leads, l)
		return nil
	}, nil); err != nil {
		return err
	}
	_, err := s.Upsert(leads, store.UpsertOptions{})
	return err
}

// sampleReplies are what the demo's contacts answered, so that a new user
// sees the Replied view, a timeline with a sent message and a reply, and
// a bouncing address, without a mailbox.
var sampleReplies = []store.Reply{
	{Subject: "Re: Your trial", Excerpt: "Thanks for the quick answer.\nCould we talk on Thursday about pricing for 40 seats?"},
	{Subject: "Re: Following up", Excerpt: "Yes, the test drive went well.\nPlease send the security documentation."},
}

// addSampleMail gives the first contactable contacts of the demo a sent
// message each; the first ones replied, the next one's address bounced.
func addSampleMail(s *store.Store, now time.Time) error {
	var ids []string
	err := s.ListContacts(store.Filter{}, func(c *store.Contact) error {
		if c.Contactable() && !c.IsTest {
			ids = append(ids, c.ID)
		}
		if len(ids) == len(sampleReplies)+1 {
			return store.ErrStop
		}
		return nil
	})
	if err != nil && !errors.Is(err, store.ErrStop) {
		return err
	}
	for i, id := range ids {
		sent := now.Add(-time.Duration(3+i) * 24 * time.Hour)
		msgID := fmt.Sprintf("demo-%d.%s@leads.invalid", i, id)
		if _, err := s.LogSent(id, sent, store.DefaultCadence, msgID, "Your trial of Contoso"); err != nil {
			return err
		}
		if i < len(sampleReplies) {
			r := sampleReplies[i]
			r.MessageID = fmt.Sprintf("demo-reply-%d.%s@customer.invalid", i, id)
			r.At = now.Add(-time.Duration(2+3*i) * time.Hour)
			if _, _, err := s.RecordReply(id, r, now); err != nil {
				return err
			}
			continue
		}
		if _, _, err := s.MarkBouncing(id, sent.Add(time.Minute), "demo-bounce@mx.invalid", "550 5.1.1 mailbox unknown"); err != nil {
			return err
		}
	}
	return nil
}

// addSampleOwners gives the demo a team: the first contact that replied
// is claimed by another rep (Ana), the second by the rep, so that the
// Mine, Unassigned and Team views and a takeover can be tried.
func addSampleOwners(s *store.Store, me string, now time.Time) error {
	other := "Ana"
	if store.CleanRepName(me) == other {
		other = "Ben"
	}
	var ids []string
	err := s.ListContacts(store.Filter{Replied: true}, func(c *store.Contact) error {
		ids = append(ids, c.ID)
		if len(ids) == 2 {
			return store.ErrStop
		}
		return nil
	})
	if err != nil && !errors.Is(err, store.ErrStop) {
		return err
	}
	for i, id := range ids {
		rep := other
		if i == 1 {
			rep = me
		}
		if _, err := s.Claim(id, rep, false, now.Add(-time.Hour)); err != nil {
			return err
		}
	}
	return nil
}

// demoDir makes the demo's directory: in the private directory of
// temporary files, or, with --keep, in the system's temporary directory,
// where it outlives leads as asked.
func demoDir(e *env, keep bool) (string, error) {
	if keep {
		return os.MkdirTemp("", "leads-demo-")
	}
	priv, err := scratch.Dir(e.getenv)
	if err != nil {
		return "", err
	}
	return scratch.Mkdir(priv, "demo")
}
