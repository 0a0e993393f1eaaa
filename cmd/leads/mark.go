package main

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/leads-inbox/leads/store"
	"github.com/leads-inbox/leads/store/safetext"
	"github.com/leads-inbox/leads/tui"
	"github.com/leads-inbox/leads/tui/config"
)

func init() {
	register(&command{name: "mark",
		args:    "ID|EMAIL [--status S [--reason R]] [--touch [--force]] [--follow-up WHEN | --snooze [--days N]] [--note TEXT] [--clear-bouncing] [--claim | --release [--force]]",
		summary: "triage a contact from the command line, with the inbox's guards: one history entry per change",
		run:     runMark})
}

// runMark applies the asked changes to one contact, in a fixed order
// (claim, status, touch, follow-up or snooze, note, bouncing mark,
// release), each as its own history entry, as the inbox's keys would: a
// claim comes first so that a contact another rep owns is left alone
// before anything else is saved, a release last, after the work. It stops at the first refused
// or failed change, saying which changes were already saved.
func runMark(e *env, args []string) int {
	c := commands["mark"]
	fs := e.flags(c)
	status := fs.String("status", "", "set the status: new, contacted, engaged, qualified, won or lost")
	reason := fs.String("reason", "", "why a contact is lost (needed with --status lost)")
	touch := fs.Bool("touch", false, "log a touch (the cadence schedules the next one)")
	force := fs.Bool("force", false, "log a touch past the cadence's last one; with --claim take over another rep's contact, with --release end another rep's claim")
	followUp := fs.String("follow-up", "", `set the next follow-up: "tomorrow 3pm", "in 3 days", "fri", "2026-12-01"`)
	snooze := fs.Bool("snooze", false, "move the follow-up on by --days (default 1), as z in the inbox")
	days := fs.Int("days", 1, "days a --snooze moves the follow-up on")
	note := fs.String("note", "", "add a note")
	clearBounce := fs.Bool("clear-bouncing", false, "clear the bouncing mark of the contact's address (it works again)")
	claim := fs.Bool("claim", false, "claim the contact for you ([team] name, else $USER); another rep's needs --force")
	release := fs.Bool("release", false, "release your claim on the contact; another rep's needs --force")
	pos, code, ok := e.parse(fs, args)
	if !ok {
		return code
	}
	if len(pos) != 1 {
		fmt.Fprintln(e.stderr, "leads mark: give one contact ID (or its first 6+ digits) or email address")
		return exitUsage
	}
	if *followUp != "" && *snooze {
		fmt.Fprintln(e.stderr, "leads mark: give --follow-up or --snooze, not both")
		return exitUsage
	}
	if *days < 1 || *days > 365 {
		fmt.Fprintln(e.stderr, "leads mark: --days must be 1 to 365")
		return exitUsage
	}
	if *claim && *release {
		fmt.Fprintln(e.stderr, "leads mark: give --claim or --release, not both")
		return exitUsage
	}
	if *status == "" && *reason != "" {
		fmt.Fprintln(e.stderr, "leads mark: --reason goes with --status lost")
		return exitUsage
	}
	var st store.Status
	if *status != "" {
		var err error
		if st, err = store.ParseStatus(*status); err != nil {
			fmt.Fprintln(e.stderr, "leads mark:", err)
			return exitUsage
		}
		if st == store.StatusLost && strings.TrimSpace(*reason) == "" {
			fmt.Fprintf(e.stderr, "leads mark: a lost contact needs a reason: add --reason (e.g. --reason %q)\n", store.LostNoResponse)
			return exitUsage
		}
	}
	if strings.TrimSpace(*note) == "" && *note != "" {
		fmt.Fprintln(e.stderr, "leads mark: the note is empty")
		return exitUsage
	}
	if *status == "" && !*touch && *followUp == "" && !*snooze && *note == "" && !*clearBounce && !*claim && !*release {
		fmt.Fprintln(e.stderr, "leads mark: nothing to do: give --status, --touch, --follow-up, --snooze, --note, --clear-bouncing, --claim or --release")
		return exitUsage
	}
	cfg, err := config.LoadDefault(e.getenv)
	if err != nil {
		return e.fail(err)
	}
	now := e.now()
	var due time.Time
	if *followUp != "" {
		if due, err = tui.ParseWhenIn(*followUp, now, cfg.DateOrder); err != nil {
			fmt.Fprintln(e.stderr, "leads mark: --follow-up:", safetext.Clean(err.Error()))
			return exitUsage
		}
	}

	s, ok := e.open(false)
	if !ok {
		return exitFailed
	}
	defer s.Close()
	ct, err := s.Contact(pos[0])
	if err != nil {
		return e.fail(err)
	}
	name := contactName(ct)
	contactAct := *touch || *followUp != "" || *snooze
	if why := markBlocked(ct); why != "" && contactAct {
		fmt.Fprintf(e.stderr, "leads mark: %s: %s\n", name, why)
		return exitFailed
	}
	done := 0
	say := func(what string) {
		done++
		fmt.Fprintf(e.stdout, "%s: %s\n", name, what)
	}
	failed := func(err error) int {
		if done > 0 {
			fmt.Fprintf(e.stderr, "leads mark: %s: %s (the %s before it %s saved)\n", name, safetext.Clean(err.Error()),
				countOf(done, "change", "changes"), map[bool]string{true: "was", false: "were"}[done == 1])
			return exitFailed
		}
		fmt.Fprintf(e.stderr, "leads mark: %s: %s\n", name, safetext.Clean(err.Error()))
		return exitFailed
	}
	me := store.CleanRepName(cfg.Me(e.getenv))
	if *claim {
		what, err := markClaim(s, ct.ID, me, *force, now)
		if err != nil {
			return failed(err)
		}
		say(what)
	}
	cad := cfg.CadenceFor(ct.LatestAction)
	if *status != "" {
		if _, err := s.SetStatus(ct.ID, st, *reason, now); err != nil {
			return failed(err)
		}
		say("status " + string(st))
	}
	if *touch {
		t, err := s.Triage(ct.ID)
		if err != nil {
			return failed(err)
		}
		if n := t.Touches + 1; n > cad.Total() && !*force {
			return failed(fmt.Errorf("all %d touches of the cadence are logged: add --force to log touch %d anyway", cad.Total(), n))
		}
		t, err = s.LogTouch(ct.ID, now, cad, "")
		if err != nil {
			return failed(err)
		}
		what := fmt.Sprintf("touch %d logged", t.Touches)
		if !t.NextFollowUp.IsZero() {
			what += ", next follow-up " + t.NextFollowUp.Local().Format("Mon 2 Jan 15:04")
		}
		say(what)
	}
	if *snooze {
		t, err := s.Triage(ct.ID)
		if err != nil {
			return failed(err)
		}
		var cur int64
		if !t.NextFollowUp.IsZero() {
			cur = t.NextFollowUp.Unix()
		}
		due = tui.SnoozeDue(now, cur, *days)
	}
	if !due.IsZero() {
		if _, err := s.SetFollowUp(ct.ID, due, now); err != nil {
			return failed(err)
		}
		say("follow-up " + due.Local().Format("Mon 2 Jan 2006 15:04"))
	}
	if *note != "" {
		if _, err := s.AddNote(ct.ID, *note, now); err != nil {
			return failed(err)
		}
		say("note added")
	}
	if *clearBounce {
		if _, err := s.ClearBouncing(ct.ID, now); err != nil {
			return failed(err)
		}
		say("bouncing mark cleared")
	}
	if *release {
		what, err := markRelease(s, ct.ID, me, *force, now)
		if err != nil {
			return failed(err)
		}
		say(what)
	}
	return exitOK
}

// markClaim claims a contact for me, as c in the inbox does, and says what
// happened; another rep's contact needs force, and the refusal says so in
// the command's own words.
func markClaim(s *store.Store, id, me string, force bool, now time.Time) (string, error) {
	if me == "" {
		return "", fmt.Errorf("no rep name to claim with: set name in the [team] section of the config")
	}
	t, err := s.Triage(id)
	if err != nil {
		return "", err
	}
	prev := t.Owner
	if prev == me {
		return "already claimed by " + me + " (nothing changed)", nil
	}
	if _, err := s.Claim(id, me, force, now); err != nil {
		var ec *store.ErrClaimed
		if errors.As(err, &ec) {
			// Claimed by another rep, perhaps since it was read above.
			return "", fmt.Errorf("%s owns this contact: ask them to release it, or add --force to take it over", ec.Owner)
		}
		return "", err
	}
	if prev != "" {
		return me + " took over from " + prev, nil
	}
	return "claimed by " + me, nil
}

// markRelease gives up me's claim on a contact; another rep's claim is
// ended only with force.
func markRelease(s *store.Store, id, me string, force bool, now time.Time) (string, error) {
	t, err := s.Triage(id)
	if err != nil {
		return "", err
	}
	switch {
	case t.Owner == "":
		return "nobody owns it (nothing changed)", nil
	case t.Owner != me && !force:
		return "", fmt.Errorf("%s owns this contact, not you (%s): add --force to end their claim", t.Owner, me)
	}
	if _, err := s.Release(id, me, force, now); err != nil {
		return "", err
	}
	if t.Owner != me {
		return "released (was " + t.Owner + "'s)", nil
	}
	return "released by " + me, nil
}

// markBlocked says why a contact takes no contact actions (touch,
// follow-up), as the inbox refuses them, or "".
func markBlocked(c *store.Contact) string {
	switch {
	case c.IsTest:
		return "a Microsoft test lead: it proves the connection works; nobody to follow up"
	case c.IsDNC:
		return "DO NOT CONTACT: this person must not be contacted; no touch or follow-up"
	case c.NoPII || c.Email == "":
		return "no contact details: nobody to follow up"
	}
	return ""
}

// contactName is the contact as one cleaned line: the name, else the
// address, else the ID.
func contactName(c *store.Contact) string {
	n := strings.TrimSpace(c.Customer.FirstName + " " + c.Customer.LastName)
	if n == "" {
		n = c.Email
	}
	if n == "" {
		n = c.ID
	}
	// A name is typed by a stranger: a 40 KB one would fill the terminal
	// with every line that names the contact.
	return ansi.TruncateWc(safetext.Clean(n), maxNameCells, "…")
}

// maxNameCells bounds a contact's name in one line of command output.
const maxNameCells = 60
