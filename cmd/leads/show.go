package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/leads-inbox/leads/store"
	"github.com/leads-inbox/leads/store/safetext"
)

func init() {
	register(&command{name: "show", args: "ID|EMAIL [--json]",
		summary: "show one contact: its funnel of leads, triage state, notes and history", run: runShow})
}

func runShow(e *env, args []string) int {
	c := commands["show"]
	fs := e.flags(c)
	asJSON := fs.Bool("json", false, "write the contact, every lead with its raw record and origin, and history as JSON")
	pos, code, ok := e.parse(fs, args)
	if !ok {
		return code
	}
	if len(pos) != 1 {
		fmt.Fprintln(e.stderr, "leads show: give one contact ID (or its first 6+ digits) or email address")
		return exitUsage
	}
	s, ok := e.open(true)
	if !ok {
		return exitFailed
	}
	defer s.Close()
	ct, err := s.Contact(pos[0])
	if err != nil {
		return e.fail(err)
	}
	if *asJSON {
		jd := &jsonDisplay{w: e.stdout}
		var out io.Writer = e.stdout
		if isTerminal(e.stdout) {
			out = jd // shown, not saved: lead text sanitised
		}
		enc := json.NewEncoder(out)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(personJSON(ct)); err != nil {
			return e.fail(err)
		}
		if err := jd.Flush(); err != nil {
			return e.fail(err)
		}
		return exitOK
	}
	writeContact(e.stdout, ct, e.now(), e.cadenceFor(ct.LatestAction))
	return exitOK
}

// personOut is everything held about one contact, with provenance.
type personOut struct {
	contactOut
	Triage  store.Triage  `json:"triage"`
	History []store.Event `json:"history"`
	Detail  []leadFull    `json:"lead_records"`
}

// leadFull is a lead with every parsed field, its origin and raw record.
type leadFull struct {
	ID          string            `json:"id"`
	Origin      store.Origin      `json:"origin"`
	Source      string            `json:"source"`
	Action      string            `json:"action"`
	ActionCode  string            `json:"action_code,omitempty"`
	LeadSource  string            `json:"lead_source"`
	OfferID     string            `json:"offer"`
	OfferName   string            `json:"offer_name"`
	Created     string            `json:"created"`
	Timestamp   string            `json:"timestamp,omitempty"`
	Description string            `json:"description"`
	Customer    store.Customer    `json:"customer"`
	IsTest      bool              `json:"is_test"`
	NoPII       bool              `json:"no_personal_data"`
	Extra       map[string]string `json:"extra,omitempty"`
	Raw         []store.Field     `json:"raw"`
}

func personJSON(c *store.Contact) personOut {
	out := personOut{contactOut: contactJSON(c, time.Time{}), Triage: c.Triage, History: c.History}
	for _, l := range c.Leads {
		lf := leadFull{ID: l.ID, Origin: l.Origin, Source: l.Source, Action: l.Action, ActionCode: l.ActionCode,
			LeadSource: l.LeadSource, OfferID: l.OfferID, OfferName: l.OfferName, Created: rfc3339(l.Created),
			Timestamp: rfc3339(l.Timestamp), Description: l.Description, Customer: l.Customer,
			IsTest: l.IsTest, NoPII: l.NoPII, Raw: l.Raw}
		if len(l.Extra) > 0 {
			lf.Extra = map[string]string{}
			for _, f := range l.Extra {
				lf.Extra[f.Name] = f.Value
			}
		}
		out.Detail = append(out.Detail, lf)
	}
	return out
}

var actionNames = map[string]string{
	store.ActionContactMe: "Contact me", store.ActionStartTestDrive: "Test Drive", store.ActionInstall: "Install",
	store.ActionCreate: "Azure portal purchase", store.ActionDoNotContact: "Do not contact",
}

// ActionLabel names an action the way Partner Center's UI does.
func actionLabel(a string) string {
	if n, ok := actionNames[a]; ok {
		return n
	}
	return a
}

func writeContact(w io.Writer, c *store.Contact, now time.Time, cad store.Cadence) {
	cl := safetext.Clean
	name := c.Name()
	if name == "" {
		name = "(no name)"
	}
	fmt.Fprintf(w, "%s  <%s>  [%s]\n", cl(name), cl(c.Email), c.ID)
	var flags []string
	if c.IsDNC {
		flags = append(flags, "DO NOT CONTACT")
	}
	if c.IsTest {
		flags = append(flags, "Microsoft test lead")
	}
	if c.NoPII {
		flags = append(flags, "no personal data")
	}
	if len(flags) > 0 {
		fmt.Fprintf(w, "  %s\n", strings.Join(flags, ", "))
	}
	cu := c.Customer
	for _, kv := range [][2]string{{"Company", cu.Company}, {"Title", cu.Title}, {"Phone", cu.Phone}, {"Country", cu.Country}} {
		if kv[1] != "" {
			fmt.Fprintf(w, "  %-8s %s\n", kv[0]+":", cl(kv[1]))
		}
	}
	t := c.Triage
	fmt.Fprintf(w, "  Status:  %s", t.Status)
	if t.LostReason != "" {
		fmt.Fprintf(w, " (%s)", cl(t.LostReason))
	}
	fmt.Fprintf(w, ", %d of %d touches done", t.Touches, cad.Total())
	if !t.NextFollowUp.IsZero() {
		// Same wording as the inbox: the next touch and when it is due.
		fmt.Fprintf(w, ", touch %d of %d due %s", t.Touches+1, cad.Total(), t.NextFollowUp.Local().Format("Mon 2006-01-02"))
		if t.NextFollowUp.Before(now) {
			fmt.Fprint(w, " (overdue)")
		}
	}
	fmt.Fprintln(w)
	if t.Owner != "" {
		fmt.Fprintf(w, "  Owner:   %s\n", cl(t.Owner))
	}
	writeMailState(w, t)
	if len(c.Leads) == 1 {
		fmt.Fprintf(w, "\nFunnel (1 lead):\n")
	} else {
		fmt.Fprintf(w, "\nFunnel (%d leads):\n", len(c.Leads))
	}
	for _, it := range c.Timeline() {
		if it.Event != nil {
			writeMailEvent(w, it.Event)
			continue
		}
		l := it.Lead
		offer := l.OfferName
		if offer == "" {
			offer = l.OfferID
		}
		// A webhook lead carries no created time: it is placed, and shown,
		// by when it was received, and says so.
		received := ""
		if l.Created.IsZero() {
			received = "  (received; the lead has no created time)"
		}
		fmt.Fprintf(w, "  %s  %-22s %-17s %s%s\n", l.When().Local().Format("2006-01-02 15:04"),
			cl(actionLabel(l.Action)), cl(l.Source), cl(offer), received)
		if d := strings.TrimSpace(l.Description); d != "" && d != "Campaigns:" {
			fmt.Fprintf(w, "      %q\n", cl(d))
		}
	}
	if len(t.Notes) > 0 {
		fmt.Fprintln(w, "\nNotes:")
		for _, n := range t.Notes {
			fmt.Fprintf(w, "  %s  %s\n", n.At.Local().Format("2006-01-02 15:04"), cl(n.Text))
		}
	}
	if len(c.History) > 0 {
		fmt.Fprintln(w, "\nHistory:")
		for _, h := range c.History {
			if store.IsMailEvent(h.Kind) {
				// The timeline above tells these whole; one line here.
				line := h.Kind
				if sub := cl(h.Subject); sub != "" {
					line += ": " + sub
				}
				if h.Undone {
					line += " (undone)"
				}
				fmt.Fprintf(w, "  %s  %s\n", h.At.Local().Format("2006-01-02 15:04"), line)
				continue
			}
			line := h.Kind
			if h.To != "" {
				line += " → " + h.To
			}
			if h.Text != "" {
				line += ": " + h.Text
			}
			if txt := store.OwnerEventText(h); txt != "" {
				line = txt // "claimed by Ana", "Ben took over from Ana"
			}
			if h.Undone {
				line += " (undone)"
			}
			fmt.Fprintf(w, "  %s  %s\n", h.At.Local().Format("2006-01-02 15:04"), cl(line))
		}
	}
}

// showReplyLines caps the quoted lines of one reply in 'leads show'.
const showReplyLines = 8

// writeMailState says where the mail leaves the contact: a reply waiting
// for the rep's answer, a bouncing address, the last message sent.
func writeMailState(w io.Writer, t store.Triage) {
	const day = "2006-01-02 15:04"
	if !t.RepliedAt.IsZero() {
		state := "answered since"
		if t.Waiting() {
			state = "waiting for your answer"
		}
		fmt.Fprintf(w, "  Replied: %s, %s\n", t.RepliedAt.Local().Format(day), state)
	}
	if t.Bouncing {
		fmt.Fprintf(w, "  Bouncing since %s: no drafts to this address until the mark is cleared (B in the inbox)\n", t.BouncedAt.Local().Format(day))
	}
	if !t.LastSentAt.IsZero() {
		fmt.Fprintf(w, "  Last sent: %s\n", t.LastSentAt.Local().Format(day))
	}
}

// writeMailEvent writes one mail event of the timeline: what went out or
// came back, its subject or reason, and a reply's first lines quoted.
// Every piece was written by a stranger and passes the sanitiser.
func writeMailEvent(w io.Writer, e *store.Event) {
	cl := safetext.Clean
	label, text := e.Kind, cl(e.Subject)
	switch e.Kind {
	case store.EventSent:
		label = "Sent"
	case store.EventReply:
		label = "Replied"
	case store.EventBounce:
		label, text = "Bounced", cl(e.Text)
	case store.EventBounceCleared:
		label, text = "Bounce cleared", "the rep cleared the bouncing mark"
	}
	if text == "" && (e.Kind == store.EventSent || e.Kind == store.EventReply) {
		text = "(no subject)"
	}
	if e.Undone {
		text += " (undone)"
	}
	fmt.Fprintf(w, "  %s  %-22s %s\n", e.At.Local().Format("2006-01-02 15:04"), label, text)
	if e.Kind != store.EventReply {
		return
	}
	lines := strings.Split(strings.TrimSpace(safetext.CleanMultiline(e.Text)), "\n")
	if len(lines) == 1 && lines[0] == "" {
		return
	}
	for i, l := range lines {
		if i == showReplyLines {
			fmt.Fprintf(w, "      > … %d more lines\n", len(lines)-i)
			break
		}
		fmt.Fprintf(w, "      > %s\n", strings.TrimRight(cl(l), " "))
	}
}
