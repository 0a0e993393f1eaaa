package draft

import (
	"strings"
	"time"

	"github.com/leads-inbox/leads/store"
	"github.com/leads-inbox/leads/store/safetext"
	"github.com/leads-inbox/leads/store/view"
)

// Stages of the funnel a template is written for, from the contact's most
// advanced action.
const (
	StageContactMe = "contact-me" // PLT, or any action without a template of its own
	StageTestDrive = "test-drive" // StartTestDrive
	StageInstall   = "install"    // INS, or Create (bought in the Azure portal)
)

// descCap bounds the customer's description in a draft: the form allows
// long text, and a draft quoting pages of it helps nobody.
const descCap = 1000

// Data is what a template sees. Every string is cleaned of control
// characters, escape sequences and bidi overrides, and trimmed; a field the
// contact lacks is "" and needs a fallback in the template.
type Data struct {
	FirstName string
	LastName  string
	Name      string // "First Last", or whichever exists
	Company   string
	Title     string
	Country   string
	Email     string

	// Offer, action and date are those of the lead the draft answers: the
	// newest lead with the contact's most advanced action.
	OfferName  string
	OfferID    string
	Action     string // PLT, StartTestDrive, INS, Create, or as Microsoft spelled it
	ActionText string // the action in words: "installed", "started a Test Drive of", ...
	ActionDate string // "5 November 2026"
	Stage      string // StageContactMe, StageTestDrive or StageInstall

	// Description is the customer's own note: the newest description that
	// a person wrote (not "Campaigns:", campaign JSON or a test marker).
	Description string

	Touch         int    // the number of this touch, 1 for the first email
	TouchTotal    int    // touches the cadence plans (4)
	LastTouchDate string // when the previous touch was logged, "" before the first

	Sender Sender
}

// NewData gathers the merge fields of a contact (loaded with its leads and
// triage) for a draft signed by sender. Dates are shown in loc.
func NewData(c *store.Contact, sender Sender, loc *time.Location) Data {
	if loc == nil {
		loc = time.Local
	}
	cu := c.Customer
	d := Data{
		FirstName:  oneLine(cu.FirstName),
		LastName:   oneLine(cu.LastName),
		Company:    oneLine(cu.Company),
		Title:      oneLine(cu.Title),
		Country:    oneLine(cu.Country),
		Email:      addressOf(c),
		Touch:      c.Triage.Touches + 1,
		TouchTotal: store.DefaultCadence.Total(),
		Sender:     cleanSender(sender),
	}
	d.Name = strings.TrimSpace(d.FirstName + " " + d.LastName)
	if !c.Triage.LastTouch.IsZero() {
		d.LastTouchDate = formatDate(c.Triage.LastTouch.In(loc))
	}

	action, offerID, offerName, at := c.LatestAction, c.LatestOfferID, c.LatestOfferName, c.Last
	if l := answeredLead(c); l != nil {
		action, offerID, offerName, at = l.Action, l.OfferID, l.OfferName, l.Created
	}
	d.Action = oneLine(action)
	d.OfferID = oneLine(offerID)
	d.OfferName = oneLine(offerName)
	if !at.IsZero() {
		d.ActionDate = formatDate(at.In(loc))
	}
	d.Stage = stageOf(d.Action)
	d.ActionText = actionText(d.Action)
	d.Description = customerDescription(c)
	return d
}

func formatDate(t time.Time) string { return t.Format("2 January 2006") }

// addressOf returns the address a draft goes to: the customer's own
// spelling when there is one (case preserved), else the normalised one.
func addressOf(c *store.Contact) string {
	if a := strings.TrimSpace(c.Customer.Email); a != "" {
		return a
	}
	return c.Email
}

// answeredLead is the lead a first email responds to: the most advanced
// action, the newest one among equals. DNC notices never count.
func answeredLead(c *store.Contact) *store.Lead {
	var best *store.Lead
	for i := range c.Leads {
		l := &c.Leads[i]
		if l.IsDNC() {
			continue
		}
		// A purchase or install is further along the funnel than a Test
		// Drive, which is further than a Contact me (view.StageOf).
		if best == nil || view.StageOf(l.Action) > view.StageOf(best.Action) ||
			(view.StageOf(l.Action) == view.StageOf(best.Action) && !l.Created.Before(best.Created)) {
			best = l
		}
	}
	return best
}

func stageOf(action string) string {
	switch view.StageOf(action) {
	case view.StageInstall:
		return StageInstall
	case view.StageTestDrive:
		return StageTestDrive
	}
	return StageContactMe
}

func actionText(action string) string {
	switch {
	case strings.EqualFold(action, store.ActionCreate):
		return "bought"
	case strings.EqualFold(action, store.ActionInstall):
		return "installed"
	case strings.EqualFold(action, store.ActionStartTestDrive):
		return "started a Test Drive of"
	}
	return "asked us about"
}

// customerDescription returns the newest description a person wrote. The
// Description field also carries marketplace noise ("Campaigns: ", campaign
// JSON, the test lead's marker), which must not be quoted back to anyone.
func customerDescription(c *store.Contact) string {
	for i := len(c.Leads) - 1; i >= 0; i-- {
		l := &c.Leads[i]
		if l.IsTest || l.IsDNC() {
			continue
		}
		d := strings.TrimSpace(safetext.CleanMultiline(l.Description))
		if d == "" || strings.HasPrefix(d, "Campaigns:") || strings.HasPrefix(d, "{") ||
			strings.HasPrefix(d, "MSFT_TEST") {
			continue
		}
		return capRunes(d, descCap)
	}
	return ""
}

func capRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return strings.TrimSpace(string(r[:n])) + "…"
}
