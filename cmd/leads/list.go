package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/leads-inbox/leads/store"
	"github.com/leads-inbox/leads/store/safetext"
	"github.com/leads-inbox/leads/store/view"
	"github.com/leads-inbox/leads/tui/cells"
)

func init() {
	register(&command{name: "list", args: "[--view NAME] [filters] [--replied] [--bouncing] [--owner NAME | --mine | --unassigned] [--sort ORDER] [--json]",
		summary: "list contacts, most recent activity first, most urgent first as the inbox, or by a column", run: runList})
}

// addFilterFlags declares the filter flags shared by list and export. What
// each value selects is the read model's decision (package view), the
// same the inbox's filter panel makes. Each flag may be given again for
// another value; values of one flag are alternatives. There is no comma
// list: offer and country names hold commas.
func addFilterFlags(fs *flag.FlagSet) *view.Filter {
	f := &view.Filter{}
	fs.Var((*values)(&f.Source), "source", "only contacts with a lead from `SOURCE` (AppSource, \"Azure Marketplace\", \"Azure portal\", TestDrive); repeat for more")
	fs.Var((*values)(&f.Action), "action", "only contacts with a lead of `ACTION` (\"Contact me\" or PLT, \"Test Drive\" or StartTestDrive, Install or INS, Create, DNC); repeat for more")
	fs.Var((*values)(&f.Offer), "offer", "only contacts with a lead for `OFFER` (offer ID or name); repeat for more. Source, action and offer must hold on one lead")
	fs.Var((*values)(&f.Status), "status", "only contacts in `STATUS` (new, contacted, engaged, qualified, won, lost); repeat for more")
	fs.Var((*values)(&f.Country), "country", "only contacts from `COUNTRY` (ISO code or English name: US, USA and \"United States\" are one); repeat for more")
	fs.StringVar(&f.Query, "q", "", "free-text `TEXT`: every word in name, email, company, title or description, accents ignored")
	fs.BoolVar(&f.IncludeTest, "include-test", false, "include Microsoft's test leads")
	return f
}

// values is a flag that may be given several times, each time one value.
type values []string

func (v *values) String() string { return strings.Join(*v, ", ") }

func (v *values) Set(s string) error {
	*v = append(*v, s)
	return nil
}

func checkFilter(e *env, f *view.Filter) bool {
	for _, st := range f.Status {
		if strings.EqualFold(strings.TrimSpace(st), "dnc") {
			fmt.Fprintln(e.stderr, "leads: DNC is not a status: --action DNC lists the contacts who asked not to be contacted")
			return false
		}
		if _, err := view.ParseStatus(st); err != nil {
			fmt.Fprintln(e.stderr, "leads:", err)
			return false
		}
	}
	return true
}

// filterValueError reports a filter value that names nothing as a usage
// error, in one line; it returns false for any other error.
func filterValueError(e *env, err error) bool {
	var ve *view.ValueError
	if !errors.As(err, &ve) {
		return false
	}
	fmt.Fprintln(e.stderr, "leads:", safetext.Clean(ve.Error()))
	return true
}

func runList(e *env, args []string) int {
	c := commands["list"]
	fs := e.flags(c)
	f := addFilterFlags(fs)
	asJSON := fs.Bool("json", false, "write one JSON object per contact per line")
	sortBy := fs.String("sort", "recent", "`ORDER`: recent (newest activity first; also last), urgency (as the inbox lists contacts), name, company, offer, status, touches, email or country; a leading - reverses (--sort=-name)")
	viewName := fs.String("view", "", "start from the saved view `NAME` of the config file; other flags narrow or replace its values")
	who := addTriageFlags(fs, f)
	pos, code, ok := e.parse(fs, args)
	if !ok {
		return code
	}
	if !e.ownerFilter("list", f, who) {
		return exitUsage
	}
	if *viewName != "" && !e.applyView(fs, f, sortBy, *viewName) {
		return exitUsage
	}
	if f.Replied && !flagSet(fs, "sort") && *viewName == "" {
		// Within the Replied view the urgency order is the newest reply
		// first: the answer the rep owes soonest while it is fresh.
		*sortBy = "urgency"
	}
	if len(pos) > 0 {
		fmt.Fprintf(e.stderr, "leads list: unexpected argument %q; filters are flags, e.g. --q TEXT\n", safetext.Clean(pos[0]))
		return exitUsage
	}
	if !checkFilter(e, f) {
		return exitUsage
	}
	order, err := view.ParseOrder(*sortBy)
	if err != nil {
		fmt.Fprintln(e.stderr, "leads list:", err)
		return exitUsage
	}
	s, ok := e.open(true)
	if !ok {
		return exitFailed
	}
	defer s.Close()
	if err := s.CheckFilter(*f); err != nil {
		if filterValueError(e, err) {
			return exitUsage
		}
		return e.fail(err)
	}
	now := e.now()
	// Each contact is written out as it comes: the brief listing reads
	// only what is written, into memory it reuses; the leads for JSON only.
	list := func(fn func(*store.Contact) error) error { return s.ListBrief(*f, order, now, *asJSON, fn) }
	w := bufio.NewWriterSize(e.stdout, 64<<10)
	defer w.Flush()
	// Cut to columns only for a person at a terminal: a file or a pipe
	// gets every value whole.
	cut := isTerminal(e.stdout)
	n := 0
	if *asJSON {
		var jw io.Writer = w
		jd := &jsonDisplay{w: w}
		if isTerminal(e.stdout) {
			jw = jd // shown, not saved: lead text sanitised
		}
		var line []byte // reused: one contact's line at a time
		err = list(func(c *store.Contact) error {
			n++
			line = appendContactJSON(line[:0], c)
			_, err := jw.Write(line)
			return err
		})
		if err == nil {
			err = jd.Flush()
		}
	} else {
		fmt.Fprintf(w, "%-16s  %-10s  %-22s  %-26s  %-18s  %-14s  %s\n", "ID", "LAST", "NAME", "EMAIL", "COMPANY", "ACTION", "STATUS")
		err = list(func(c *store.Contact) error {
			n++
			return writeListRow(w, c, cut)
		})
	}
	if err != nil {
		w.Flush()
		if filterValueError(e, err) {
			return exitUsage
		}
		return e.fail(err)
	}
	if !*asJSON && n == 0 {
		fmt.Fprintln(w, "(no contacts match)")
	}
	if err := w.Flush(); err != nil {
		return e.fail(err)
	}
	return exitOK
}

// ownerFlags are the values of --owner and --mine, which ownerFilter turns
// into the filter's owner once the config can be read.
type ownerFlags struct {
	owner *string
	mine  *bool
}

// addTriageFlags adds the filters on the rep's own work (replied, bouncing,
// owner) to fs: list and export select the same contacts from them, as the
// inbox's Replied, Mine and Unassigned views do.
func addTriageFlags(fs *flag.FlagSet, f *view.Filter) ownerFlags {
	fs.BoolVar(&f.Replied, "replied", false, "only contacts who replied and wait for your answer (the inbox's Replied view), most recent reply first")
	fs.BoolVar(&f.Bouncing, "bouncing", false, "only contacts whose address is marked as bouncing (a delivery failure came back)")
	fs.BoolVar(&f.Unassigned, "unassigned", false, "only open contacts nobody claimed (not closed, DNC or without contact info): the inbox's Unassigned view")
	return ownerFlags{
		owner: fs.String("owner", "", "only contacts the rep `NAME` claimed"),
		mine:  fs.Bool("mine", false, "only contacts you claimed ([team] name, else $USER): the inbox's Mine view"),
	}
}

// ownerFilter sets the owner of f from --owner or --mine; false (said)
// when they are given together, with --unassigned, or name nobody.
func (e *env) ownerFilter(cmd string, f *view.Filter, who ownerFlags) bool {
	owner, mine := *who.owner, *who.mine
	n := 0
	for _, set := range []bool{owner != "", mine, f.Unassigned} {
		if set {
			n++
		}
	}
	if n > 1 {
		fmt.Fprintf(e.stderr, "leads %s: give one of --owner, --mine and --unassigned\n", cmd)
		return false
	}
	switch {
	case mine:
		cfg, err := e.loadConfig()
		if err != nil {
			fmt.Fprintln(e.stderr, "leads:", err)
			return false
		}
		f.Owner = store.CleanRepName(cfg.Me(e.getenv))
	case owner != "":
		f.Owner = store.CleanRepName(owner)
		if f.Owner == "" {
			fmt.Fprintf(e.stderr, "leads %s: --owner needs a rep's name\n", cmd)
			return false
		}
	}
	return true
}

// writeListRow writes one contact as a table row; cut says whether values
// are cut to their columns (at a terminal) or written whole.
func writeListRow(w io.Writer, c *store.Contact, cut bool) error {
	name := c.Name()
	switch {
	case c.IsTest:
		name = "(test lead)"
	case c.NoPII:
		name = "(no personal data)"
	}
	// The rep's status, and beside it that the person asked not to be
	// contacted: --status filters on the first, --action DNC on the second.
	status := string(c.Triage.Status)
	if c.IsDNC {
		status += " (DNC)"
	}
	// What the mail said, as --replied and --bouncing select it.
	if c.Triage.Bouncing {
		status += " (bouncing)"
	}
	if c.Triage.Waiting() {
		status += " (replied)"
	}
	if o := c.Triage.Owner; o != "" {
		status += " @" + o // whose it is, as --owner selects it
	}
	cell := func(s string, width int) string { return cell(s, width, cut) }
	_, err := fmt.Fprintf(w, "%-16s  %-10s  %s  %s  %s  %s  %s\n", c.ID, dateOnly(c.Last),
		cell(name, 22), cell(c.Email, 26), cell(c.Customer.Company, 18), cell(c.LatestAction, 14), status)
	return err
}

// cell sanitises a value and pads it to width display columns, measured
// as the terminal draws them, so CJK, Devanagari and emoji names keep the
// columns aligned; with cut, a longer value is truncated to the width.
func cell(s string, width int, cut bool) string {
	s = cells.Safe(safetext.Clean(s))
	if cut {
		return cells.Fit(s, width)
	}
	return s + strings.Repeat(" ", max(0, width-cells.Width(s)))
}

func dateOnly(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02")
}

// leadJSON is one lead in list --json output.
type leadJSON struct {
	ID         string `json:"id"`
	Source     string `json:"source"`
	Action     string `json:"action"`
	Offer      string `json:"offer"`
	OfferName  string `json:"offer_name"`
	Created    string `json:"created"`
	LeadSource string `json:"lead_source"`
}

// contactOut is the documented shape of one line of list --json (which
// appendContactJSON writes by hand) and the start of show --json's.
type contactOut struct {
	ID           string  `json:"id"`
	Email        string  `json:"email"`
	FirstName    string  `json:"first_name"`
	LastName     string  `json:"last_name"`
	Company      string  `json:"company"`
	Title        string  `json:"title"`
	Country      string  `json:"country"`
	Phone        string  `json:"phone"`
	Status       string  `json:"status"`
	NextFollowUp *string `json:"next_follow_up"`
	Touches      int     `json:"touches"`
	// What the mail said: the newest reply (null if none), the last
	// message leads sent (null if none), and a bouncing address.
	RepliedAt  *string `json:"replied_at"`
	LastSentAt *string `json:"last_sent_at"`
	Bouncing   bool    `json:"bouncing"`
	// Owner is the rep who claimed the contact, null if nobody.
	Owner       *string    `json:"owner"`
	IsTest      bool       `json:"is_test"`
	Contactable bool       `json:"contactable"`
	Leads       []leadJSON `json:"leads"`
}

func contactJSON(c *store.Contact, _ time.Time) contactOut {
	out := contactOut{
		ID: c.ID, Email: c.Email,
		FirstName: c.Customer.FirstName, LastName: c.Customer.LastName, Company: c.Customer.Company,
		Title: c.Customer.Title, Country: c.Customer.Country, Phone: c.Customer.Phone,
		Status: string(c.Triage.Status), Touches: c.Triage.Touches,
		IsTest: c.IsTest, Contactable: c.Contactable(), Bouncing: c.Triage.Bouncing, Owner: stringOrNull(c.Triage.Owner),
		Leads:        make([]leadJSON, 0, len(c.Leads)),
		NextFollowUp: timeOrNull(c.Triage.NextFollowUp), RepliedAt: timeOrNull(c.Triage.RepliedAt),
		LastSentAt: timeOrNull(c.Triage.LastSentAt),
	}
	for _, l := range c.Leads {
		out.Leads = append(out.Leads, leadJSON{ID: l.ID, Source: l.Source, Action: l.Action, Offer: l.OfferID,
			OfferName: l.OfferName, Created: rfc3339(l.Created), LeadSource: l.LeadSource})
	}
	return out
}

// stringOrNull is a string for JSON, null when empty.
func stringOrNull(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// timeOrNull is a time for JSON: RFC 3339 in UTC, or null when unset.
func timeOrNull(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := t.UTC().Format(time.RFC3339)
	return &s
}

// flagSet reports whether the flag name was given on the command line.
func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(fl *flag.Flag) { set = set || fl.Name == name })
	return set
}

func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
