package draft

import (
	"fmt"
	"strings"
	"time"

	"github.com/leads-inbox/leads/store"
	"github.com/leads-inbox/leads/store/safetext"
)

// subjectCap bounds the subject in runes: a merge field of pasted text
// must not make a header line longer than mail programs accept.
const subjectCap = 200

// Draft is a rendered message, ready for an output. Build one with Render
// or Prepare; the outputs re-check To, so a hand-built Draft is safe too.
type Draft struct {
	ContactID string
	Template  string
	Touch     int    // the touch this draft is, 1-based
	To        string // one address, validated by ValidAddress
	ToName    string // display name, cleaned, may be empty
	Subject   string // one line
	Body      string // lines separated by "\n", ending in "\n"
}

// Text is the draft as plain text: To, Subject, a blank line, the body.
// It is what --stdout prints and what goes on the clipboard.
func (d Draft) Text() string {
	to := d.To
	if d.ToName != "" {
		to = d.ToName + " <" + d.To + ">"
	}
	return "To: " + to + "\nSubject: " + d.Subject + "\n\n" + d.Body
}

// Issue is one place where a template prints nothing for this contact.
type Issue struct {
	File   string
	Line   int
	Action string // the action as written, e.g. {{.FirstName}}
}

// LintError says a template would print an empty merge field for this
// contact (the "Hi ," mistake). Nothing should be opened; the rep picks
// another template or fixes this one.
type LintError struct {
	Template string
	Issues   []Issue
}

func (e *LintError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "template %s prints nothing for this contact at ", e.Template)
	for i, is := range e.Issues {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s:%d %s", is.File, is.Line, is.Action)
	}
	b.WriteString(`: give each a fallback, e.g. {{or .FirstName "there"}}`)
	return b.String()
}

// Render fills template t with d. A template error comes back as a
// *TemplateError; an action that prints an empty field as a *LintError,
// and then no Draft is returned, so nothing can be sent out as "Hi ,".
func Render(t *Template, d Data) (Draft, error) {
	var issues []Issue
	seen := map[printAction]bool{}
	subject, body, err := t.execute(d, func(a printAction) {
		if !seen[a] {
			seen[a] = true
			issues = append(issues, Issue{File: a.file, Line: a.line, Action: a.text})
		}
	})
	if err != nil {
		return Draft{}, err
	}
	if len(issues) > 0 {
		return Draft{}, &LintError{Template: t.Name, Issues: issues}
	}
	subject = capRunes(oneLine(subject), subjectCap)
	if subject == "" {
		return Draft{}, &TemplateError{File: t.Source, Msg: "the subject is empty for this contact"}
	}
	return Draft{
		Template: t.Name,
		Touch:    d.Touch,
		To:       d.Email,
		ToName:   capRunes(d.Name, nameCap),
		Subject:  subject,
		Body:     tidyBody(body),
	}, nil
}

// tidyBody trims blank lines at both ends and trailing spaces on each
// line, and ends the body with one newline.
func tidyBody(s string) string {
	lines := strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(strings.ReplaceAll(l, "\r", ""), " \t")
	}
	return strings.Trim(strings.Join(lines, "\n"), "\n") + "\n"
}

// Refusal is a guard's reason not to draft. Confirmable refusals (a closed
// contact) may be overridden when the rep confirms (--force in the CLI).
type Refusal struct {
	Reason      string
	Confirmable bool
}

func (r *Refusal) Error() string { return r.Reason }

// Check applies the guards: no draft for a do-not-contact contact, a
// Microsoft test lead, a contact without exactly one valid address, an
// address marked bouncing, or (unless confirmed) a closed one. It returns a *Refusal saying why.
func Check(c *store.Contact, confirmed bool) error {
	switch {
	case c.IsDNC:
		return &Refusal{Reason: "no draft: this contact asked not to be contacted (a DNC lead)"}
	case c.IsTest:
		return &Refusal{Reason: "no draft: this is a Microsoft test lead, not a customer"}
	case c.NoPII || addressOf(c) == "":
		return &Refusal{Reason: "no draft: this contact has no email address (leads from .edu customers carry no personal data)"}
	}
	if err := ValidAddress(addressOf(c)); err != nil {
		return &Refusal{Reason: "no draft: " + err.Error()}
	}
	if c.Triage.Bouncing {
		// Not confirmable: a message to a dead address only bounces
		// again. The rep clears the mark once the address works.
		return &Refusal{Reason: "no draft: mail to this address bounced; clear the bouncing mark (B on the contact in the inbox) once it works"}
	}
	if st := c.Triage.Status; st.Closed() && !confirmed {
		return &Refusal{Reason: fmt.Sprintf("this contact is closed (%s): confirm to draft anyway", st), Confirmable: true}
	}
	return nil
}

// Options tune Prepare.
type Options struct {
	Template  string         // a template name; "" chooses by funnel and touch
	Confirmed bool           // draft for a closed contact
	Loc       *time.Location // for dates; nil is local time
	// Touches is the cadence's number of touches (config [cadence]); 0
	// means store.DefaultCadence's.
	Touches int
}

// Prepare is the whole path from a contact to a draft, for the inbox and
// the CLI: guards, template choice, merge and lint. c must be loaded with
// its leads and triage (store.Contact does that). The error is a *Refusal,
// a *LintError, a *TemplateError, or an unknown template name.
func Prepare(c *store.Contact, set *Set, sender Sender, opt Options) (Draft, error) {
	if err := Check(c, opt.Confirmed); err != nil {
		return Draft{}, err
	}
	d := NewData(c, sender, opt.Loc)
	if opt.Touches > 0 {
		d.TouchTotal = opt.Touches
	}
	name := opt.Template
	if name == "" {
		name = set.Choose(d)
	}
	t, ok := set.Lookup(name)
	if !ok {
		return Draft{}, fmt.Errorf("no template named %q: 'leads draft --list-templates' lists them", safetext.Clean(name))
	}
	dr, err := Render(t, d)
	if err != nil {
		return Draft{}, err
	}
	dr.ContactID = c.ID
	return dr, nil
}
