package tui

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/leads-inbox/leads/store"
	"github.com/leads-inbox/leads/store/safetext"
	"github.com/leads-inbox/leads/tui/draft"
)

// The email draft screen: e on a contact loads it with the templates and
// the sender (draftLoadedMsg), the guards of draft.Prepare decide whether
// there is a draft at all, and the screen previews it until the rep picks
// an output. Every output runs in a tea.Cmd and ends in draftOutMsg, which
// offers to log the touch.

// draftLoadedMsg carries what a draft needs, read off the UI goroutine.
type draftLoadedMsg struct {
	id     string
	c      *store.Contact
	set    *draft.Set
	sender draft.Sender
	// warn is a broken user template or config file: the draft still
	// works with what loaded, and the rep learns what to fix.
	warn error
	err  error
	// reload is e on the draft screen: keep the template in view and
	// the rep's answers, and drop the result if the rep left meanwhile.
	reload bool
}

// editorReadyMsg says the editor file is written and on record; Update
// then hands the terminal to the editor with tea.ExecProcess.
type editorReadyMsg struct {
	id   string
	cmd  *exec.Cmd
	path string
	err  error
}

// editorExitedMsg comes back from tea.ExecProcess when the editor quits.
type editorExitedMsg struct {
	id, path string
	err      error
}

// draftOutMsg reports an output handed over, or why it failed.
type draftOutMsg struct {
	id     string
	what   string       // feedback for the rep
	edited *draft.Draft // the message as the rep left it in the editor
	path   string       // the editor's file, with edited
	// kept is an editor file left in place because the rep's text in
	// it could not be used: it goes when the rep leaves the draft.
	kept string
	err  error
}

// draftScreen previews one draft.
type draftScreen struct {
	id        string
	from      screen // where esc goes back to
	c         *store.Contact
	set       *draft.Set
	sender    draft.Sender
	confirmed bool // the rep confirmed drafting for a closed contact
	tmpl      string
	d         draft.Draft
	err       error // why this template gives no draft
	warn      string
	lines     []string
	offset    int
	width     int
	height    int
	picking   bool
	pick      int
	busy      bool // an output is running: a second key must not start another
	// edited says the last output was the editor: the rep may not have
	// sent anything yet, so declining the touch keeps the draft open for
	// another output to send the edited message.
	edited bool
	// editPath is the file of the rep's last edit, which the previewed
	// draft now holds; dropEdit says e was pressed once already, which
	// a second e confirms: reloading the templates drops the edit.
	editPath string
	dropEdit bool
	// keptPath is an editor file kept for the rep to take their text
	// from (the edit could not be read back); leaving the draft removes
	// it, and the private directory's sweep catches it after a kill.
	keptPath string
	// touches is the cadence's number of touches, for "touch 2 of 4".
	touches int
	// confirm is what the send confirmation shows: From, To, Subject
	// and the transport.
	confirm []string
}

func (d *draftScreen) setSize(w, h int) {
	d.width, d.height = w, h
	d.layout()
	d.offset = min(d.offset, max(len(d.lines)-1, 0))
}

func (d *draftScreen) scroll(down bool) {
	if down {
		d.offset = min(d.offset+3, max(len(d.lines)-d.height+1, 0))
	} else {
		d.offset = max(d.offset-3, 0)
	}
}

// getenv is the environment drafts read: editor, config and data dirs.
func (m *Model) getenv(k string) string {
	if m.opt.Getenv != nil {
		return m.opt.Getenv(k)
	}
	return os.Getenv(k)
}

// startDraft loads the contact, templates and sender for e.
func (m *Model) startDraft(p int32) tea.Cmd {
	m.say("preparing a draft…")
	return m.loadDraft(m.x.dg[p].IDString(), false)
}

// reloadDraft is e on the draft screen: it reads the templates and the
// sender again, so a template the rep just fixed takes effect, as the
// lint error tells them it will.
func (m *Model) reloadDraft() tea.Cmd {
	if m.draft.busy {
		m.say("one moment: the last output is still running")
		return nil
	}
	if d := &m.draft; d.editPath != "" && !d.dropEdit {
		d.dropEdit = true
		m.say("the draft holds your edit · e again reloads the templates without it (the edit is then gone)")
		return nil
	}
	m.say("reloading the templates…")
	return m.loadDraft(m.draft.id, true)
}

func (m *Model) loadDraft(id string, reload bool) tea.Cmd {
	st, getenv := m.st, m.getenv
	return func() tea.Msg {
		msg := draftLoadedMsg{id: id, reload: reload}
		msg.c, msg.err = st.Contact(id)
		if msg.err != nil {
			return msg
		}
		var userDir string
		cfg, err := draft.ConfigDir(getenv)
		if err != nil {
			msg.warn = err
		} else {
			userDir = filepath.Join(cfg, "templates")
			msg.sender, err = draft.LoadSender(filepath.Join(cfg, "config.toml"))
			msg.warn = err
		}
		set, err := draft.Load(userDir)
		if set == nil {
			msg.err = err
			return msg
		}
		msg.set, msg.warn = set, errors.Join(msg.warn, err)
		return msg
	}
}

func (m *Model) onDraftLoaded(msg draftLoadedMsg) tea.Cmd {
	reload := msg.reload && m.screen == screenDraft && m.draft.id == msg.id
	if msg.reload && !reload {
		return nil // the rep left the draft before it reloaded
	}
	if msg.err != nil {
		m.sayErr(fmt.Errorf("cannot prepare a draft: %w", msg.err))
		return nil
	}
	m.msg = ""
	from := m.screen
	if from == screenDraft {
		from = m.draft.from
	}
	old := m.draft
	m.draft = draftScreen{id: msg.id, from: from, c: msg.c, set: msg.set, sender: msg.sender,
		width: m.width, height: m.screenBody(), touches: m.cfg.CadenceFor(msg.c.LatestAction).Total()}
	if msg.warn != nil {
		m.draft.warn = cleanErr(msg.warn)
	} else if w := m.unsignedWarning(msg.sender); w != "" {
		m.draft.warn = w
	}
	tmpl := ""
	if reload {
		// The rep already said yes to drafting for a closed contact, and
		// is looking at one template: show the same one, fixed.
		m.draft.confirmed = old.confirmed
		for _, t := range msg.set.Templates() {
			if t.Name == old.tmpl {
				tmpl = old.tmpl
			}
		}
	}
	err := m.draft.prepare(tmpl)
	var refusal *draft.Refusal
	if errors.As(err, &refusal) {
		if refusal.Confirmable {
			m.prompt = prompt{kind: promptDraftConfirm,
				label: "This contact is closed (" + string(msg.c.Triage.Status) + "). Draft anyway? y/n"}
			return nil
		}
		// The guard's reason is the whole answer: nothing opens, and a
		// draft open until now closes.
		m.msg, m.msgErr = safetext.Clean(refusal.Reason), true
		if reload {
			return m.leaveDraft()
		}
		return nil
	}
	m.screen = screenDraft
	if reload {
		if err != nil {
			m.msg, m.msgErr = "reloaded: template "+safetext.Clean(m.draft.tmpl)+" still gives no draft", true
		} else {
			m.say("reloaded the templates")
		}
	}
	return nil
}

// prepare renders the draft with template name ("" lets the set choose).
// It is pure computation on data already loaded, so Update may call it.
func (d *draftScreen) prepare(name string) error {
	d.d, d.err = draft.Prepare(d.c, d.set, d.sender, draft.Options{Template: name, Confirmed: d.confirmed, Touches: d.touches})
	switch {
	case d.err == nil:
		d.tmpl = d.d.Template
	case name != "":
		d.tmpl = name
	default:
		d.tmpl = d.set.Choose(draft.NewData(d.c, d.sender, nil))
	}
	d.offset = 0
	d.layout()
	return d.err
}

// layout wraps the preview once per change; scrolling slices the lines.
func (d *draftScreen) layout() {
	if d.c == nil {
		return
	}
	w := max(d.width, 20)
	var out []string
	add := func(s string) {
		for _, l := range strings.Split(ansi.Wrap(s, w, " "), "\n") {
			out = append(out, fit(l, w))
		}
	}
	if d.err != nil {
		add("No draft with template " + safetext.Clean(d.tmpl) + ":")
		add(cleanErr(d.err))
		add("")
		add("t picks another template; fix the file and press e again to reload it.")
	} else {
		// The draft package built these parts from cleaned text; cleaning
		// again costs nothing and keeps one rule for the whole screen.
		for _, l := range strings.Split(safetext.CleanMultiline(d.d.Text()), "\n") {
			add(safetext.Clean(l))
		}
	}
	d.lines = out
}

func (m *Model) draftKey(k tea.KeyPressMsg) tea.Cmd {
	km := &m.keys
	d := &m.draft
	if d.picking {
		return m.pickKey(k)
	}
	page := max(d.height-1, 1)
	maxOff := max(len(d.lines)-page, 0)
	if !key.Matches(k, km.Draft) {
		d.dropEdit = false // only e right after e drops an edit
	}
	switch {
	case key.Matches(k, km.Back, km.Quit):
		return m.leaveDraft()
	case isScroll(km, k):
		d.offset, _ = km.scroll(k, d.offset, maxOff, page)
	case key.Matches(k, km.Draft):
		// e here drafts the same email again from freshly read templates.
		return m.reloadDraft()
	case key.Matches(k, km.DraftTemplate):
		d.picking, d.pick = true, 0
		for i, t := range d.set.Templates() {
			if t.Name == d.tmpl {
				d.pick = i
			}
		}
	case key.Matches(k, km.DraftEdit, km.DraftMailto, km.DraftEML, km.DraftCopy):
		return m.draftOutput(k)
	case key.Matches(k, km.DraftSend):
		return m.askSend()
	}
	return nil
}

func (m *Model) pickKey(k tea.KeyPressMsg) tea.Cmd {
	km := &m.keys
	d := &m.draft
	ts := d.set.Templates()
	switch {
	case key.Matches(k, km.Back, km.Quit):
		d.picking = false
	case key.Matches(k, km.Down):
		d.pick = min(d.pick+1, len(ts)-1)
	case key.Matches(k, km.Up):
		d.pick = max(d.pick-1, 0)
	case key.Matches(k, km.Top):
		d.pick = 0
	case key.Matches(k, km.Bottom):
		d.pick = len(ts) - 1
	case k.String() == "enter":
		d.picking = false
		if d.pick < len(ts) {
			if err := d.prepare(ts[d.pick].Name); err != nil {
				m.msg, m.msgErr = "template "+safetext.Clean(d.tmpl)+" gives no draft for this contact", true
			} else {
				m.say("template " + safetext.Clean(d.tmpl))
			}
		}
	}
	return nil
}

func (m *Model) leaveDraft() tea.Cmd {
	m.screen = m.draft.from
	m.draft.picking = false
	var cmds []tea.Cmd
	if kept := m.draft.keptPath; kept != "" {
		m.draft.keptPath = ""
		logf := m.opt.Logf
		cmds = append(cmds, func() tea.Msg {
			// Failing here leaves it to the sweep when the inbox ends.
			if err := os.Remove(kept); err != nil && !errors.Is(err, os.ErrNotExist) && logf != nil {
				logf("could not remove the editor file %s: %v", kept, err)
			}
			return nil
		})
	}
	if m.screen == screenInbox {
		cmds = append(cmds, m.fetchRows())
	}
	return tea.Batch(cmds...)
}

// draftOutput hands the draft to the output the key names.
func (m *Model) draftOutput(k tea.KeyPressMsg) tea.Cmd {
	km := &m.keys
	d := &m.draft
	if d.err != nil {
		m.msg, m.msgErr = "no draft to hand over: t picks another template", true
		return nil
	}
	if d.busy {
		m.say("one moment: the last output is still running")
		return nil
	}
	dr, id, st, getenv := d.d, d.id, m.st, m.getenv
	switch {
	case key.Matches(k, km.DraftCopy):
		return m.copyDraft(dr.Text(), id)
	case key.Matches(k, km.DraftEdit):
		d.busy = true
		m.say("opening the editor…")
		return func() tea.Msg {
			cmd, path, err := draft.OpenInEditor(dr, getenv)
			if err == nil {
				// On record before the editor opens, so forgetting this
				// person deletes the file even if leads dies meanwhile.
				err = st.RecordDraftFile(id, path)
			}
			return editorReadyMsg{id: id, cmd: cmd, path: path, err: err}
		}
	case key.Matches(k, km.DraftMailto):
		d.busy = true
		return func() tea.Msg {
			u, err := draft.Mailto(dr)
			if err != nil {
				return draftOutMsg{id: id, err: err}
			}
			cmd, err := draft.OpenCmd(u)
			if err != nil {
				return draftOutMsg{id: id, err: err}
			}
			// Not tea.ExecProcess: the mail program is a desktop app and
			// the opener returns at once, so the screen stays.
			if err := cmd.Run(); err != nil {
				return draftOutMsg{id: id, err: fmt.Errorf("could not open the mail program with %s: %w", cmd.Args[0], err)}
			}
			return draftOutMsg{id: id, what: "handed to the mail program"}
		}
	case key.Matches(k, km.DraftEML):
		d.busy = true
		sender, now := d.sender, m.now()
		return func() tea.Msg {
			path, err := writeEML(dr, sender, now, getenv)
			if err == nil {
				err = st.RecordDraftFile(id, path)
			}
			if err != nil {
				return draftOutMsg{id: id, err: fmt.Errorf("cannot write the .eml: %w", err)}
			}
			return draftOutMsg{id: id, what: "wrote " + path}
		}
	}
	return nil
}

// editorExited is the tea.ExecProcess callback for the editor of contact
// id editing path.
func editorExited(id, path string) tea.ExecCallback {
	return func(err error) tea.Msg { return editorExitedMsg{id: id, path: path, err: err} }
}

func (m *Model) onEditorReady(msg editorReadyMsg) tea.Cmd {
	if msg.id != m.draft.id {
		return nil
	}
	if msg.err != nil {
		m.draft.busy = false
		if errors.Is(msg.err, draft.ErrNoEditor) {
			m.msg, m.msgErr = "no editor: set $VISUAL or $EDITOR · m mail program, w .eml file, c copy", true
			return nil
		}
		m.sayErr(msg.err)
		return nil
	}
	return tea.ExecProcess(msg.cmd, editorExited(msg.id, msg.path))
}

func (m *Model) onEditorExited(msg editorExitedMsg) tea.Cmd {
	if msg.err != nil {
		return func() tea.Msg {
			return draftOutMsg{id: msg.id, err: fmt.Errorf("the editor failed (%v); the draft is in %s until you leave this draft", msg.err, msg.path), kept: msg.path}
		}
	}
	tmpl := m.draft.tmpl
	return func() tea.Msg {
		// Read back what the rep wrote, so another output (m, w, c) sends
		// the edited message, not the template's.
		d, err := draft.ReadEditorFile(msg.path, tmpl)
		if err != nil {
			// Saying "edited" would let the template's text go out in
			// place of the rep's: say why the edit cannot be used, and
			// where it is.
			return draftOutMsg{id: msg.id, err: fmt.Errorf("the edited draft cannot be used (%v); your text is in %s until you leave this draft", err, msg.path), kept: msg.path}
		}
		// The edit now lives in the draft screen: the file, which holds
		// the person's name, address and message, goes at once.
		if err := os.Remove(msg.path); err != nil && !errors.Is(err, os.ErrNotExist) {
			return draftOutMsg{id: msg.id, err: fmt.Errorf("could not remove the editor file %s (%v): delete it by hand", msg.path, err)}
		}
		return draftOutMsg{id: msg.id, what: "edited", edited: &d, path: msg.path}
	}
}

func (m *Model) onDraftOut(msg draftOutMsg) tea.Cmd {
	d := &m.draft
	if msg.id != d.id {
		return nil
	}
	d.busy = false
	if msg.kept != "" {
		d.keptPath = msg.kept
	}
	if msg.err != nil {
		m.sayErr(msg.err)
		return nil
	}
	d.edited = msg.edited != nil
	if msg.edited != nil {
		e := *msg.edited
		e.ContactID, e.Touch = d.d.ContactID, d.d.Touch
		d.d, d.editPath = e, msg.path
		d.layout()
	}
	if m.screen == screenSession {
		// A session's edit is the first half of "edit, then send".
		return m.sessionAskSend()
	}
	m.offerTouch(msg.what)
	return nil
}

// offerTouch asks to log the touch the draft was written for: handing a
// draft over is the moment the rep knows it went out.
func (m *Model) offerTouch(what string) {
	d := &m.draft
	if d.c.Triage.Status.Closed() {
		m.say(what + " · the contact is closed, so no touch to log")
		return
	}
	m.prompt = prompt{kind: promptDraftTouch,
		label: fmt.Sprintf("Log this as touch %d of %d? y/n · %s", d.d.Touch, d.touches, safetext.Clean(what))}
}

// draftPromptKey answers the draft's y/n questions.
func (m *Model) draftPromptKey(k tea.KeyPressMsg) tea.Cmd {
	kind := m.prompt.kind
	d := &m.draft
	switch k.String() {
	case "y", "Y":
		m.closePrompt()
		if kind == promptDraftConfirm {
			d.confirmed = true
			d.prepare("")
			m.screen = screenDraft
			return nil
		}
		cmd := m.leaveDraft()
		p := m.x.find(idOf(d.id))
		if p < 0 {
			return cmd
		}
		st, n, cad := m.st, d.d.Touch, m.cfg.CadenceFor(d.c.LatestAction)
		return tea.Batch(cmd, m.change(p, fmt.Sprintf("touch %d logged", n), func(id string, at time.Time) (store.Triage, error) {
			return st.LogTouch(id, at, cad, "")
		}))
	case "n", "N", "esc", "q":
		m.closePrompt()
		if kind == promptDraftConfirm {
			m.say("no draft")
			return nil
		}
		if d.edited {
			m.say("not logged as a touch · m mail program, w .eml file or c copy sends the edited draft")
			return nil
		}
		m.say("not logged as a touch")
		return m.leaveDraft()
	}
	return nil
}

// emlDir is $XDG_DATA_HOME/leads/drafts, else ~/.local/share/leads/drafts:
// .eml files are the rep's data, kept until they send or delete them.
func emlDir(getenv func(string) string) (string, error) {
	if d := getenv("XDG_DATA_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "leads", "drafts"), nil
	}
	home := getenv("HOME")
	if home == "" {
		var err error
		if home, err = os.UserHomeDir(); err != nil {
			return "", errors.New("cannot find a place for drafts: set XDG_DATA_HOME or HOME")
		}
	}
	return filepath.Join(home, ".local", "share", "leads", "drafts"), nil
}

// writeEML writes d as an unsent .eml named after the contact ID and the
// time (no lead text in the name), readable by the rep only, never
// overwriting an existing file.
func writeEML(d draft.Draft, sender draft.Sender, now time.Time, getenv func(string) string) (string, error) {
	b, err := draft.EML(d, sender, now)
	if err != nil {
		return "", err
	}
	dir, err := emlDir(getenv)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	base := d.ContactID + "-" + now.Format("20060102-150405")
	for i := 1; ; i++ {
		name := base + ".eml"
		if i > 1 {
			name = fmt.Sprintf("%s-%d.eml", base, i)
		}
		path := filepath.Join(dir, name)
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, os.ErrExist) && i < 100 {
			continue
		}
		if err != nil {
			return "", err
		}
		_, werr := f.Write(b)
		if err := errors.Join(werr, f.Close()); err != nil {
			os.Remove(path)
			return "", err
		}
		return path, nil
	}
}

func (m *Model) draftView() string {
	d := &m.draft
	var b strings.Builder
	title := "Draft"
	if d.c != nil {
		title += " · " + safetext.Clean(d.c.Name())
	}
	title += " · template " + safetext.Clean(d.tmpl)
	if d.err == nil && d.d.Touch > 0 {
		title += fmt.Sprintf(" · touch %d of %d", d.d.Touch, d.touches)
	}
	b.WriteString(m.sty.tabActive.Render(fit(" "+title, m.width)) + "\n")
	body := make([]string, 0, d.height)
	if d.warn != "" {
		// Wrapped, not cut: the note ends with what to do and where.
		for _, l := range strings.Split(ansi.Wrap("Note: "+d.warn, max(m.width, 20), " /"), "\n") {
			body = append(body, m.sty.errText.Render(fit(l, m.width)))
		}
	}
	switch {
	case d.picking:
		body = append(body, m.sty.section.Render(fit("Pick a template · j/k move · enter choose · esc back", m.width)))
		ts := d.set.Templates()
		rows := max(d.height-len(body), 1)
		top := max(min(d.pick-rows/2, len(ts)-rows), 0)
		for i := top; i < len(ts) && i < top+rows; i++ {
			t := ts[i]
			line := fmt.Sprintf("  %-14s %s", safetext.Clean(t.Name), safetext.Clean(t.Description))
			if t.Source != draft.BuiltinSource {
				line += " (yours)"
			}
			if i == d.pick {
				body = append(body, m.sty.selected.Render(fit("›"+line[1:], m.width)))
			} else {
				body = append(body, fit(line, m.width))
			}
		}
	default:
		rows := max(d.height-len(body), 1)
		end := min(d.offset+rows, len(d.lines))
		for i, l := range d.lines[min(d.offset, end):end] {
			if d.err != nil && i+d.offset < 2 {
				l = m.sty.errText.Render(l)
			}
			body = append(body, l)
		}
	}
	for len(body) < d.height {
		body = append(body, "")
	}
	if m.prompt.kind == promptDraftSend {
		// The send confirmation covers the foot of the preview.
		var box []string
		for _, l := range d.confirm {
			for _, w := range strings.Split(ansi.Wrap(l, max(m.width, 20), " "), "\n") {
				box = append(box, m.sty.section.Render(fit(w, m.width)))
			}
		}
		if n := min(len(box), d.height); n > 0 {
			copy(body[d.height-n:d.height], box[len(box)-n:])
		}
	}
	b.WriteString(strings.Join(body[:d.height], "\n"))
	footer := m.messageLine()
	if m.prompt.kind == promptNone && m.msg == "" {
		k := &m.keys
		footer = m.sty.dim.Render(fit(m.help.ShortHelpView([]key.Binding{k.DraftSend, k.DraftEdit, k.DraftMailto, k.DraftEML, k.DraftCopy, k.DraftTemplate}), m.width))
	}
	b.WriteString("\n" + footer + "\n" + m.statusBar())
	return b.String()
}
