package tui

import (
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/charmbracelet/x/ansi"
	"github.com/leads-inbox/leads/store"
	"github.com/leads-inbox/leads/store/safetext"
	"github.com/leads-inbox/leads/store/search"
)

type promptKind int

const (
	promptNone promptKind = iota
	promptSearch
	promptFollowUp
	promptNote
	promptLostReason
	promptStatus
	promptConfirmLost
	promptDraftConfirm    // draft for a closed contact? y/n
	promptDraftTouch      // log the draft as a touch? y/n
	promptDraftSend       // send the draft through the transport? y/n
	promptConfirmTouch    // a touch past the cadence? y/n
	promptConfirmBatch    // a batch action on many marked rows? y/n (selection.go)
	promptSessionSend     // send the session's draft? y/n (session.go)
	promptSessionResume   // resume the unfinished session? y/n/esc (session.go)
	promptConfirmBounce   // clear the bouncing mark? y/n (mail.go)
	promptConfirmRelease  // release the rep's own claim? y/n (claim.go)
	promptConfirmTakeover // take over another rep's contact? y/n (claim.go)
)

// prompt is the one-line question at the bottom of the screen. Text
// prompts own the keyboard until enter or esc.
type prompt struct {
	kind   promptKind
	pos    int32 // the contact it is about
	label  string
	reason string // lost reason awaiting confirmation
	err    string
	prev   string // search query before the prompt opened
	cut    bool   // typing or a paste ran past the input's limit
	batch  *batch // the prompt answers for the marked rows (selection.go), not pos
}

func (p prompt) isText() bool {
	return p.kind == promptSearch || p.kind == promptFollowUp || p.kind == promptNote || p.kind == promptLostReason
}

// lostReasons are offered as completions (tab) for the lost reason.
var lostReasons = []string{store.LostNoResponse, "no budget", "chose a competitor", "not a fit", "duplicate", "bought elsewhere"}

func (m *Model) openInput(kind promptKind, p int32, label, placeholder string) tea.Cmd {
	m.prompt = prompt{kind: kind, pos: p, label: label}
	var sugg []string
	if kind == promptLostReason {
		sugg = lostReasons
	}
	m.input.reset(placeholder, sugg)
	return nil
}

func (m *Model) openSearch() tea.Cmd {
	cmd := m.openInput(promptSearch, -1, "/", "name, email, company, title, description")
	m.prompt.prev = m.f.query
	m.input.setValue(m.f.query)
	return cmd
}

func (m *Model) closePrompt() {
	m.prompt = prompt{}
}

// onInputChanged runs the live search: every keystroke narrows the list.
// The query is its words as package search reads them (sanitised,
// lower-cased, one space apart): the same as 'leads list --q' matches.
func (m *Model) onInputChanged() tea.Cmd {
	if m.prompt.kind != promptSearch {
		return nil
	}
	q := search.Query(m.input.Value())
	if q == m.f.query {
		return nil
	}
	m.f.query = q
	return m.refilter()
}

func (m *Model) promptKey(k tea.KeyPressMsg) tea.Cmd {
	p := m.prompt
	if p.batch != nil {
		return m.batchPromptKey(k)
	}
	switch p.kind {
	case promptStatus:
		return m.statusKey(k)
	case promptDraftConfirm, promptDraftTouch:
		return m.draftPromptKey(k)
	case promptDraftSend:
		return m.sendPromptKey(k)
	case promptConfirmTouch:
		return m.confirmTouchKey(k)
	case promptSessionSend:
		return m.sessionSendKey(k)
	case promptSessionResume:
		return m.sessionResumeKey(k)
	case promptConfirmBounce:
		return m.confirmBounceKey(k)
	case promptConfirmRelease, promptConfirmTakeover:
		return m.confirmOwnerKey(k)
	case promptConfirmLost:
		switch k.String() {
		case "y", "Y":
			m.closePrompt()
			return m.setStatus(p.pos, store.StatusLost, p.reason)
		case "n", "N", "esc", "q":
			m.closePrompt()
			m.say("not closed")
		}
		return nil
	}
	switch k.String() {
	case "esc":
		if p.kind == promptSearch {
			// esc abandons this edit, restoring the search in force before it.
			m.f.query = p.prev
			m.closePrompt()
			return m.refilter()
		}
		m.closePrompt()
		m.say("cancelled")
		return nil
	case "enter":
		return m.submit()
	}
	return m.edit(k)
}

// edit gives a key or a paste to the text prompt. Text past the limit is
// dropped, and the prompt says so at once: a long pasted note must not
// lose its end without the rep knowing.
func (m *Model) edit(msg tea.Msg) tea.Cmd {
	if m.input.update(msg) {
		m.prompt.err = ""
	}
	if m.input.cut > 0 {
		m.prompt.cut = true
		m.prompt.err = fmt.Sprintf("(cut to %d characters)", m.input.limit)
	}
	return m.onInputChanged()
}

// submit acts on a text prompt's value.
func (m *Model) submit() tea.Cmd {
	p := m.prompt
	val := strings.TrimSpace(m.input.Value())
	st := m.st
	switch p.kind {
	case promptSearch:
		m.closePrompt()
		switch {
		case m.f.query == "":
		case m.x == nil:
			// Typed while the leads load: the search applies once they are in.
			m.say(fmt.Sprintf("searching for \"%s\" once the leads are loaded", m.f.query))
		default:
			m.say(fmt.Sprintf("%d contacts match \"%s\"", len(m.x.visible), m.f.query))
		}
		return nil
	case promptFollowUp:
		due, err := m.parseWhen(val)
		if err != nil {
			m.prompt.err = safetext.Clean(err.Error())
			return nil
		}
		m.closePrompt()
		return m.change(p.pos, "follow-up set for "+formatWhen(due, m.now()), func(id string, at time.Time) (store.Triage, error) {
			return st.SetFollowUp(id, due, at)
		})
	case promptNote:
		if val == "" {
			m.prompt.err = "the note is empty"
			return nil
		}
		m.closePrompt()
		what := "note added"
		if p.cut {
			what = fmt.Sprintf("note added (cut to %d characters)", m.input.limit)
		}
		return m.change(p.pos, what, func(id string, at time.Time) (store.Triage, error) {
			return st.AddNote(id, val, at)
		})
	case promptLostReason:
		if val == "" {
			m.prompt.err = "give a reason (tab completes: " + strings.Join(lostReasons[:3], ", ") + ")"
			return nil
		}
		m.closePrompt()
		t := m.x.tri[p.pos]
		total := m.cadenceOf(p.pos).Total()
		if strings.EqualFold(val, store.LostNoResponse) && int(t.Touches) < total && m.blocked(p.pos) == "" {
			m.prompt = prompt{kind: promptConfirmLost, pos: p.pos, reason: store.LostNoResponse,
				label: fmt.Sprintf("Only %d of %d touches done. Close as no response anyway? y/n", t.Touches, total)}
			return nil
		}
		return m.setStatus(p.pos, store.StatusLost, val)
	}
	return nil
}

// statusChoices maps the picker's keys to statuses.
var statusChoices = []struct {
	key string
	st  store.Status
}{{"n", store.StatusNew}, {"c", store.StatusContacted}, {"g", store.StatusEngaged},
	{"q", store.StatusQualified}, {"w", store.StatusWon}, {"l", store.StatusLost}}

func (m *Model) statusKey(k tea.KeyPressMsg) tea.Cmd {
	p := m.prompt
	if k.String() == "esc" {
		m.closePrompt()
		m.say("cancelled")
		return nil
	}
	for _, c := range statusChoices {
		if k.String() != c.key {
			continue
		}
		m.closePrompt()
		if c.st == store.StatusLost {
			return m.openInput(promptLostReason, p.pos, "Lost because: ", "no response, no budget, chose a competitor… (tab completes)")
		}
		return m.setStatus(p.pos, c.st, "")
	}
	return nil
}

func (m *Model) setStatus(p int32, s store.Status, reason string) tea.Cmd {
	st := m.st
	from := store.Statuses[m.x.tri[p].Status]
	what := "status set to " + string(s) + " (was " + string(from) + ")"
	if reason != "" {
		what = "closed as lost (" + safetext.Clean(reason) + "; was " + string(from) + ")"
	}
	return m.changeAs(p, what, "status "+string(from)+" → "+string(s), func(id string, at time.Time) (store.Triage, error) {
		return st.SetStatus(id, s, reason, at)
	})
}

func (m *Model) promptView() string {
	p := m.prompt
	switch p.kind {
	case promptStatus:
		var parts []string
		for _, c := range statusChoices {
			parts = append(parts, m.sty.key.Render(c.key)+" "+string(c.st))
		}
		head := "Status: "
		if p.label != "" {
			head = p.label
		}
		return m.sty.prompt.Render(head) + strings.Join(parts, "  ") + "  " + m.sty.dim.Render("esc cancel")
	case promptConfirmLost, promptDraftConfirm, promptDraftTouch, promptConfirmTouch, promptConfirmBatch, promptDraftSend, promptSessionSend, promptSessionResume, promptConfirmBounce,
		promptConfirmRelease, promptConfirmTakeover:
		return m.sty.prompt.Render(p.label)
	}
	head := m.sty.prompt.Render(p.label)
	room := max(m.width-ansi.StringWidthWc(head), 5)
	if p.err == "" {
		return m.withPreview(head)
	}
	// The typed text comes first and whole (as far as the width allows),
	// the error after it: at 80 columns a long error must not hide what
	// the rep typed, which is what they need to correct.
	errRoom := min(ansi.StringWidthWc(p.err)+1, room/2)
	w := min(max(ansi.StringWidthWc(m.input.Value())+1, 12), max(room-errRoom, 5))
	return head + m.input.view(w, m.sty) + " " + m.sty.errText.Render(p.err)
}
