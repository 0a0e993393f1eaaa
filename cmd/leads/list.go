package main

import (
	"bufio"
	"encoding/json"
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
	register(&command{name: "list", args: "[filters] [--sort recent|urgency] [--json]",
		summary: "list contacts, most recent activity first or most urgent first as the inbox", run: runList})
}

// addFilterFlags declares the filter flags shared by list and export. What
// each value selects is the read model's decision (package view), the
// same the inbox's filter panel makes.
func addFilterFlags(fs *flag.FlagSet) *view.Filter {
	f := &view.Filter{}
	fs.StringVar(&f.Source, "source", "", "only contacts with a lead from `SOURCE` (AppSource, AzureMarketplace, AzurePortal, TestDrive)")
	fs.StringVar(&f.Action, "action", "", "only contacts with a lead of `ACTION` (PLT, StartTestDrive, INS, Create, DNC)")
	fs.StringVar(&f.Offer, "offer", "", "only contacts with a lead for `OFFER` (offer ID or name)")
	fs.StringVar(&f.Status, "status", "", "only contacts in `STATUS` (new, contacted, engaged, qualified, won, lost)")
	fs.StringVar(&f.Country, "country", "", "only contacts with a lead from `COUNTRY`")
	fs.StringVar(&f.Query, "q", "", "free-text `TEXT`: every word in name, email, company, title or description")
	fs.BoolVar(&f.IncludeTest, "include-test", false, "include Microsoft's test leads")
	return f
}

func checkFilter(e *env, f *view.Filter) bool {
	if f.Status != "" {
		if strings.EqualFold(strings.TrimSpace(f.Status), "dnc") {
			fmt.Fprintln(e.stderr, "leads: DNC is not a status: --action DNC lists the contacts who asked not to be contacted")
			return false
		}
		if _, err := view.ParseStatus(f.Status); err != nil {
			fmt.Fprintln(e.stderr, "leads:", err)
			return false
		}
	}
	return true
}

func runList(e *env, args []string) int {
	c := commands["list"]
	fs := e.flags(c)
	f := addFilterFlags(fs)
	asJSON := fs.Bool("json", false, "write one JSON object per contact per line")
	sortBy := fs.String("sort", "recent", "`ORDER`: recent (newest activity first) or urgency (as the inbox lists contacts)")
	pos, code, ok := e.parse(fs, args)
	if !ok {
		return code
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
	now := e.now()
	list := func(fn func(*store.Contact) error) error { return s.ListContactsBy(*f, order, now, fn) }
	w := bufio.NewWriterSize(e.stdout, 64<<10)
	defer w.Flush()
	n := 0
	if *asJSON {
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		err = list(func(c *store.Contact) error {
			n++
			return enc.Encode(contactJSON(c, now))
		})
	} else {
		fmt.Fprintf(w, "%-16s  %-10s  %-22s  %-26s  %-18s  %-14s  %s\n", "ID", "LAST", "NAME", "EMAIL", "COMPANY", "ACTION", "STATUS")
		err = list(func(c *store.Contact) error {
			n++
			return writeListRow(w, c)
		})
	}
	if err != nil {
		w.Flush()
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

func writeListRow(w io.Writer, c *store.Contact) error {
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
	_, err := fmt.Fprintf(w, "%-16s  %-10s  %s  %s  %s  %s  %s\n", c.ID, dateOnly(c.Last),
		cell(name, 22), cell(c.Email, 26), cell(c.Customer.Company, 18), cell(c.LatestAction, 14), status)
	return err
}

// cell sanitises a value and pads or truncates it to width display columns,
// measured as the terminal draws them, so CJK, Devanagari and emoji names
// keep the columns aligned.
func cell(s string, width int) string {
	return cells.Fit(safetext.Clean(s), width)
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

// contactOut is the documented shape of one line of list --json.
type contactOut struct {
	ID           string     `json:"id"`
	Email        string     `json:"email"`
	FirstName    string     `json:"first_name"`
	LastName     string     `json:"last_name"`
	Company      string     `json:"company"`
	Title        string     `json:"title"`
	Country      string     `json:"country"`
	Phone        string     `json:"phone"`
	Status       string     `json:"status"`
	NextFollowUp *string    `json:"next_follow_up"`
	Touches      int        `json:"touches"`
	IsTest       bool       `json:"is_test"`
	Contactable  bool       `json:"contactable"`
	Leads        []leadJSON `json:"leads"`
}

func contactJSON(c *store.Contact, _ time.Time) contactOut {
	out := contactOut{
		ID: c.ID, Email: c.Email,
		FirstName: c.Customer.FirstName, LastName: c.Customer.LastName, Company: c.Customer.Company,
		Title: c.Customer.Title, Country: c.Customer.Country, Phone: c.Customer.Phone,
		Status: string(c.Triage.Status), Touches: c.Triage.Touches,
		IsTest: c.IsTest, Contactable: c.Contactable(),
		Leads: make([]leadJSON, 0, len(c.Leads)),
	}
	if !c.Triage.NextFollowUp.IsZero() {
		s := c.Triage.NextFollowUp.UTC().Format(time.RFC3339)
		out.NextFollowUp = &s
	}
	for _, l := range c.Leads {
		out.Leads = append(out.Leads, leadJSON{ID: l.ID, Source: l.Source, Action: l.Action, Offer: l.OfferID,
			OfferName: l.OfferName, Created: rfc3339(l.Created), LeadSource: l.LeadSource})
	}
	return out
}

func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
