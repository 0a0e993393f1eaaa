package tui

import (
	"bytes"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"charm.land/bubbles/v2/help"
	tea "charm.land/bubbletea/v2"

	"github.com/leads-inbox/leads/store"
)

// draftEnv is a private environment for drafts: config and data under a
// temporary directory, so no test reads the developer's own templates.
func draftEnv(t *testing.T, extra map[string]string) func(string) string {
	t.Helper()
	dir := t.TempDir()
	env := map[string]string{
		"HOME":            dir,
		"XDG_CONFIG_HOME": filepath.Join(dir, "config"),
		"XDG_DATA_HOME":   filepath.Join(dir, "data"),
		"TMPDIR":          dir,
	}
	for k, v := range extra {
		env[k] = v
	}
	return func(k string) string { return env[k] }
}

func draftModel(t *testing.T, extra map[string]string) (*Model, *store.Store, func(string) string) {
	t.Helper()
	s := fixture(t)
	env := draftEnv(t, extra)
	return newModel(t, s, Options{Getenv: env}), s, env
}

func TestDraftPreview(t *testing.T) {
	m, _, _ := draftModel(t, nil)
	selectName(t, m, "Alice")
	press(t, m, "e")
	if m.screen != screenDraft {
		t.Fatalf("e did not open the draft screen; message %q", m.msg)
	}
	scr := screenText(m)
	for _, want := range []string{"Draft · Alice Test · template contact-me · touch 1 of 4",
		"To: Alice Test <alice@a.example>", "Subject: Your request about Contoso Inventory Pro", "Hi Alice,",
		"E/enter open in $EDITOR"} {
		if !strings.Contains(scr, want) {
			t.Errorf("draft screen lacks %q:\n%s", want, scr)
		}
	}
	checkLayout(t, m, 80, 24, "draft")
	press(t, m, "G", "g", "ctrl+d")
	checkLayout(t, m, 80, 24, "draft scrolled")
	press(t, m, "esc")
	if m.screen != screenInbox {
		t.Errorf("esc went to screen %d, want the inbox", m.screen)
	}

	// From the open contact too, and esc returns there.
	press(t, m, "enter", "e")
	if m.screen != screenDraft || !strings.Contains(screenText(m), "Hi Alice,") {
		t.Fatalf("e on the contact screen:\n%s", screenText(m))
	}
	press(t, m, "esc")
	if m.screen != screenDetail {
		t.Errorf("esc went to screen %d, want the contact", m.screen)
	}
}

func TestDraftRefusals(t *testing.T) {
	for _, tc := range []struct {
		view, why string
	}{
		{"6", "asked not to be contacted"},
		{"7", "Microsoft test lead"},
		{"5", "has no email address"},
	} {
		m, s, env := draftModel(t, nil)
		press(t, m, tc.view)
		press(t, m, "e")
		if m.screen != screenInbox || m.prompt.kind != promptNone {
			t.Errorf("view %s: e opened screen %d / prompt %d", tc.view, m.screen, m.prompt.kind)
		}
		line := strings.Split(screenText(m), "\n")[22]
		if !strings.Contains(line, "no draft: ") || !strings.Contains(line, tc.why) {
			t.Errorf("view %s: message line %q, want the reason %q", tc.view, line, tc.why)
		}
		if _, err := os.Stat(filepath.Join(env("XDG_DATA_HOME"), "leads")); !os.IsNotExist(err) {
			t.Errorf("view %s: a refusal wrote files: %v", tc.view, err)
		}
		id := m.x.dg[m.selected()].IDString()
		if c, err := s.Contact(id); err != nil || c.Triage.Touches != 0 {
			t.Errorf("view %s: triage changed: %+v %v", tc.view, c.Triage, err)
		}
	}
}

func TestDraftClosedContactAsks(t *testing.T) {
	m, _, _ := draftModel(t, nil)
	press(t, m, "4", "e") // Jack, won
	if !strings.Contains(screenText(m), "This contact is closed (won). Draft anyway? y/n") {
		t.Fatalf("no confirmation:\n%s", screenText(m))
	}
	press(t, m, "n")
	if m.screen != screenInbox || !strings.Contains(screenText(m), "no draft") {
		t.Fatalf("n did not cancel:\n%s", screenText(m))
	}
	press(t, m, "e", "y")
	if m.screen != screenDraft || !strings.Contains(screenText(m), "Hi Jack,") {
		t.Fatalf("y did not draft:\n%s", screenText(m))
	}
	// A closed contact takes no touch: the output says so instead of asking.
	press(t, m, "c")
	if m.prompt.kind != promptNone || !strings.Contains(m.msg, "no touch to log") {
		t.Errorf("after copy: prompt %d, message %q", m.prompt.kind, m.msg)
	}
}

func TestDraftTemplateSwitch(t *testing.T) {
	m, _, _ := draftModel(t, nil)
	selectName(t, m, "Alice")
	press(t, m, "e", "t")
	scr := screenText(m)
	if !strings.Contains(scr, "Pick a template") || !strings.Contains(scr, "› contact-me") {
		t.Fatalf("picker:\n%s", scr)
	}
	checkLayout(t, m, 80, 24, "picker")
	// The list is sorted: contact-me, install, test-drive, touch-2, ...
	press(t, m, "j", "enter")
	scr = screenText(m)
	if !strings.Contains(scr, "template install") || !strings.Contains(scr, "Subject: Getting started with Contoso Inventory Pro") {
		t.Fatalf("after choosing install:\n%s", scr)
	}
	press(t, m, "t", "esc")
	if m.draft.picking || m.screen != screenDraft {
		t.Errorf("esc in the picker should close only the picker")
	}
}

func TestDraftLintErrorShown(t *testing.T) {
	m, _, env := draftModel(t, nil)
	dir := filepath.Join(env("XDG_CONFIG_HOME"), "leads", "templates")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	// No fallback for the title: Alice has one, so make the lint bite on
	// a field she lacks.
	tmpl := "Subject: hello\n\nHi {{.FirstName}}, about {{.LastTouchDate}}\n"
	if err := os.WriteFile(filepath.Join(dir, "contact-me.tmpl"), []byte(tmpl), 0o600); err != nil {
		t.Fatal(err)
	}
	selectName(t, m, "Alice")
	press(t, m, "e")
	scr := screenText(m)
	if m.screen != screenDraft || !strings.Contains(scr, "prints nothing for this contact") {
		t.Fatalf("lint error not shown:\n%s", scr)
	}
	press(t, m, "c")
	if m.prompt.kind != promptNone || !strings.Contains(m.msg, "no draft to hand over") {
		t.Errorf("an output ran without a draft: %q", m.msg)
	}
}

func TestDraftTouchAfterOutput(t *testing.T) {
	m, s, _ := draftModel(t, nil)
	selectName(t, m, "Alice")
	press(t, m, "e", "c")
	if !strings.Contains(screenText(m), "Log this as touch 1 of 4? y/n") {
		t.Fatalf("no touch offer after copying:\n%s", screenText(m))
	}
	press(t, m, "n")
	if got := triageOf(t, s, "alice@a.example").Touches; got != 0 {
		t.Fatalf("n logged a touch (%d)", got)
	}
	press(t, m, "e", "c", "y")
	if m.screen != screenInbox {
		t.Errorf("after y: screen %d, want the inbox", m.screen)
	}
	tr := triageOf(t, s, "alice@a.example")
	if tr.Touches != 1 || tr.NextFollowUp.IsZero() {
		t.Fatalf("after y: %+v, want touch 1 and the next follow-up scheduled", tr)
	}
	if p := m.x.find(idOf(store.ContactIDForEmail("alice@a.example"))); m.x.tri[p].Touches != 1 {
		t.Errorf("the inbox does not show the touch")
	}
	if !strings.Contains(screenText(m), "touch 1 logged") {
		t.Errorf("no feedback:\n%s", screenText(m))
	}
}

func TestDraftWriteEML(t *testing.T) {
	m, s, env := draftModel(t, nil)
	selectName(t, m, "Bob")
	press(t, m, "e", "w")
	if !strings.Contains(screenText(m), "Log this as touch 1 of 4? y/n · wrote ") {
		t.Fatalf("no touch offer after writing:\n%s", screenText(m))
	}
	id := store.ContactIDForEmail("bob@b.example")
	files, err := s.DraftFiles(id)
	if err != nil || len(files) != 1 {
		t.Fatalf("draft files on record: %v %v", files, err)
	}
	dir := filepath.Join(env("XDG_DATA_HOME"), "leads", "drafts")
	if filepath.Dir(files[0]) != dir || !strings.HasPrefix(filepath.Base(files[0]), id+"-") {
		t.Errorf("the .eml is at %s, want %s/%s-…", files[0], dir, id)
	}
	fi, err := os.Stat(files[0])
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("the .eml: %v %v", fi, err)
	}
	b, _ := os.ReadFile(files[0])
	msg, err := mail.ReadMessage(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if to := msg.Header.Get("To"); !strings.Contains(to, "bob@b.example") || msg.Header.Get("X-Unsent") != "1" {
		t.Errorf("headers: %v", msg.Header)
	}
	press(t, m, "y")
	if got := triageOf(t, s, "bob@b.example").Touches; got != 1 {
		t.Errorf("touches = %d, want 1", got)
	}
}

func TestDraftNoEditor(t *testing.T) {
	m, _, _ := draftModel(t, nil)
	selectName(t, m, "Alice")
	press(t, m, "e", "E")
	if m.screen != screenDraft || !strings.Contains(m.msg, "no editor: set $VISUAL or $EDITOR") {
		t.Errorf("E without an editor: screen %d, message %q", m.screen, m.msg)
	}
}

// TestDraftInEditorEndToEnd is issue 5's end-to-end case: a draft opened
// from the inbox in $EDITOR (a real process: a script that records the
// file it was given), then the touch logged.
func TestDraftInEditorEndToEnd(t *testing.T) {
	dir := t.TempDir()
	rec := filepath.Join(dir, "recorded.txt")
	script := filepath.Join(dir, "editor.sh")
	err := os.WriteFile(script, []byte("#!/bin/sh\ncp \"$1\" '"+rec+"'\n"), 0o700)
	if err != nil {
		t.Fatal(err)
	}
	m, s, _ := draftModel(t, map[string]string{"EDITOR": script})
	selectName(t, m, "Alice")
	press(t, m, "e")

	// E writes the file in a Cmd; Update then hands back tea.ExecProcess.
	// The program would run the editor on the terminal; here the test runs
	// the very same *exec.Cmd and feeds its result to the same callback.
	_, cmd := m.Update(keyMsg("E"))
	ready, ok := cmd().(editorReadyMsg)
	if !ok || ready.err != nil {
		t.Fatalf("E gave %#v", ready)
	}
	if _, cmd := m.Update(ready); cmd == nil {
		t.Fatal("no tea.ExecProcess for the editor")
	}
	if ready.cmd.Args[0] != script || ready.cmd.Args[len(ready.cmd.Args)-1] != ready.path {
		t.Errorf("editor command %q", ready.cmd.Args)
	}
	runErr := ready.cmd.Run()
	send(t, m, editorExited(ready.id, ready.path)(runErr))
	t.Cleanup(func() { os.Remove(ready.path) })

	got, err := os.ReadFile(rec)
	if err != nil {
		t.Fatalf("the editor did not run: %v (%v)", err, runErr)
	}
	for _, want := range []string{"To: Alice Test <alice@a.example>", "Subject: Your request about Contoso Inventory Pro", "Hi Alice,"} {
		if !strings.Contains(string(got), want) {
			t.Errorf("the editor got no %q:\n%s", want, got)
		}
	}
	if files, _ := s.DraftFiles(ready.id); len(files) != 1 || files[0] != ready.path {
		t.Errorf("editor file not on record: %v", files)
	}
	if !strings.Contains(screenText(m), "Log this as touch 1 of 4? y/n") {
		t.Fatalf("no touch offer after the editor:\n%s", screenText(m))
	}
	press(t, m, "y")
	if got := triageOf(t, s, "alice@a.example").Touches; got != 1 {
		t.Errorf("touches = %d, want 1", got)
	}
}

func TestDraftWheelScrollsThePreview(t *testing.T) {
	m, _, _ := draftModel(t, nil)
	selectName(t, m, "Alice")
	cursor := m.cursor
	press(t, m, "e")
	send(t, m, windowSize(80, 10))
	send(t, m, tea.MouseWheelMsg{Button: tea.MouseWheelDown})
	if m.draft.offset == 0 || m.cursor != cursor {
		t.Errorf("wheel: preview offset %d, inbox cursor %d→%d", m.draft.offset, cursor, m.cursor)
	}
	checkLayout(t, m, 80, 10, "draft 80x10 scrolled")
}

// TestDraftHostileText: the preview, the picker and the touch question
// show lead text only through the sanitiser, at 80×24.
func TestDraftHostileText(t *testing.T) {
	m := newModel(t, hostileStore(t), Options{NoColor: true, Getenv: draftEnv(t, nil)})
	m.sty = styles{} // no styling at all: any ESC came from a lead
	m.help.Styles = help.Styles{}
	press(t, m, "3")
	if len(m.x.visible) != len(hostile) {
		t.Fatalf("%d contacts, want %d", len(m.x.visible), len(hostile))
	}
	for i := range m.x.visible {
		m.cursor = i
		press(t, m, "e")
		if m.screen != screenDraft {
			t.Fatalf("row %d: no draft: %q", i, m.msg)
		}
		for _, keys := range [][]string{nil, {"G"}, {"t"}, {"esc", "c"}} {
			press(t, m, keys...)
			out := m.render()
			if j := strings.IndexRune(out, 0x1b); j >= 0 {
				t.Fatalf("row %d %v: ESC in output: %q", i, keys, out[max(j-40, 0):min(j+40, len(out))])
			}
			checkClean(t, "draft", out)
			checkLayout(t, m, 80, 24, "hostile draft")
		}
		press(t, m, "n")
	}
}

// TestDraftReloadAfterFix follows the lint error's advice: fix the
// template file and press e again on the draft screen.
func TestDraftReloadAfterFix(t *testing.T) {
	m, _, env := draftModel(t, nil)
	dir := filepath.Join(env("XDG_CONFIG_HOME"), "leads", "templates")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "contact-me.tmpl")
	bad := "Subject: hello\n\nHi {{.FirstName}}, about {{.LastTouchDate}}\n"
	if err := os.WriteFile(file, []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	selectName(t, m, "Alice")
	press(t, m, "enter", "e") // from the contact, so esc has somewhere to go back to
	if scr := screenText(m); m.screen != screenDraft || !strings.Contains(scr, "press e again to reload") {
		t.Fatalf("lint error not shown:\n%s", scr)
	}
	good := "Subject: hello again\n\nHi {{.FirstName}}, thanks for asking.\n"
	if err := os.WriteFile(file, []byte(good), 0o600); err != nil {
		t.Fatal(err)
	}
	press(t, m, "e")
	scr := screenText(m)
	if m.screen != screenDraft || m.draft.err != nil || !strings.Contains(scr, "Subject: hello again") ||
		!strings.Contains(scr, "Hi Alice, thanks for asking.") {
		t.Fatalf("e did not reload the fixed template (err %v):\n%s", m.draft.err, scr)
	}
	if !strings.Contains(scr, "reloaded") {
		t.Errorf("no word that the templates were reloaded:\n%s", scr)
	}
	press(t, m, "esc")
	if m.screen != screenDetail {
		t.Errorf("esc after a reload went to screen %d, want the contact", m.screen)
	}
}

// runEditor presses E on the draft screen and runs the editor command the
// program would run, feeding its end back as the program does.
func runEditor(t *testing.T, m *Model) {
	t.Helper()
	_, cmd := m.Update(keyMsg("E"))
	ready, ok := cmd().(editorReadyMsg)
	if !ok || ready.err != nil {
		t.Fatalf("E gave %#v", ready)
	}
	t.Cleanup(func() { os.Remove(ready.path) })
	send(t, m, editorExited(ready.id, ready.path)(ready.cmd.Run()))
}

// TestEditedDraftGoesOut: the rep edits the draft in $EDITOR, declines to
// log a touch yet, and sends the edited message with another output: the
// .eml holds their words, and the touch is offered then. A name with a
// comma survives the round trip through the editor file.
func TestEditedDraftGoesOut(t *testing.T) {
	dir := t.TempDir()
	script := filepath.Join(dir, "editor.sh")
	if err := os.WriteFile(script, []byte("#!/bin/sh\nsed -i 's/^Hi /EDITED Hi /' \"$1\"\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	m, s, env := draftModel(t, map[string]string{"EDITOR": script})
	if _, err := s.Upsert([]store.Lead{lead("Lin, Mei", "mei@m.example", store.ActionContactMe, 0.2)}, store.UpsertOptions{}); err != nil {
		t.Fatal(err)
	}
	m = newModel(t, s, Options{Getenv: env})
	selectName(t, m, "Lin,")
	press(t, m, "e")
	runEditor(t, m)
	if !strings.Contains(screenText(m), "EDITED Hi") || !strings.Contains(m.prompt.label, "Log this as touch") {
		t.Fatalf("the edit is not on screen, or no touch offered: %q\n%s", m.prompt.label, screenText(m))
	}
	press(t, m, "n")
	if m.screen != screenDraft {
		t.Fatalf("declining the touch after editing left the draft: %q", m.msg)
	}
	press(t, m, "w")
	id := store.ContactIDForEmail("mei@m.example")
	files, _ := s.DraftFiles(id)
	var eml []byte
	for _, f := range files {
		if strings.HasSuffix(f, ".eml") {
			eml, _ = os.ReadFile(f)
		}
	}
	if !bytes.Contains(eml, []byte("EDITED Hi")) {
		t.Fatalf("the .eml does not hold the edited text:\n%s", eml)
	}
	press(t, m, "y")
	if got := triageOf(t, s, "mei@m.example").Touches; got != 1 {
		t.Errorf("touches = %d, want 1", got)
	}
}

// TestBrokenEditedDraftIsSaid: when the edited file cannot be read back
// (the rep removed the marker lines), the inbox says so and where the text
// is, instead of saying "edited" and keeping the template's text.
func TestBrokenEditedDraftIsSaid(t *testing.T) {
	dir := t.TempDir()
	script := filepath.Join(dir, "editor.sh")
	if err := os.WriteFile(script, []byte("#!/bin/sh\necho 'my own words' > \"$1\"\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	m, _, _ := draftModel(t, map[string]string{"EDITOR": script})
	selectName(t, m, "Alice")
	press(t, m, "e")
	runEditor(t, m)
	if !strings.Contains(m.msg, "the edited draft cannot be used") || strings.Contains(m.prompt.label, "touch") {
		t.Errorf("message %q, prompt %q", m.msg, m.prompt.label)
	}
}

// TestReloadAsksBeforeDroppingAnEdit: e on a draft the rep edited in
// $EDITOR does not throw the edit away at once: it says the edit would go
// and where it stays, and only e pressed again right after reloads the
// templates.
func TestReloadAsksBeforeDroppingAnEdit(t *testing.T) {
	dir := t.TempDir()
	script := filepath.Join(dir, "editor.sh")
	if err := os.WriteFile(script, []byte("#!/bin/sh\nsed -i 's/^Hi /EDITED Hi /' \"$1\"\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	m, _, _ := draftModel(t, map[string]string{"EDITOR": script})
	selectName(t, m, "Alice")
	press(t, m, "e")
	runEditor(t, m)
	press(t, m, "n", "e")
	if scr := screenText(m); !strings.Contains(scr, "EDITED Hi") || !strings.Contains(m.msg, "e again") {
		t.Fatalf("one e dropped the edit, or did not say so: %q\n%s", m.msg, scr)
	}
	press(t, m, "j", "e") // another key in between: e asks again
	if !strings.Contains(screenText(m), "EDITED Hi") {
		t.Fatalf("e after another key dropped the edit:\n%s", screenText(m))
	}
	press(t, m, "e")
	if scr := screenText(m); strings.Contains(scr, "EDITED Hi") || !strings.Contains(scr, "Hi Alice") {
		t.Fatalf("e twice did not reload the template:\n%s", scr)
	}
}

// TestEditorFileIsGoneOnceTheEditorReturns: E writes the draft (name,
// address, message) to a file in the rep's private 0700 directory, and
// the file is removed as soon as the editor returns, while the edit
// stays on the draft screen. The editor records the path it was given.
func TestEditorFileIsGoneOnceTheEditorReturns(t *testing.T) {
	dir := t.TempDir()
	rec := filepath.Join(dir, "arg.txt")
	script := filepath.Join(dir, "editor.sh")
	body := "#!/bin/sh\nprintf %s \"$1\" > '" + rec + "'\nsed -i 's/^Hi /EDITED Hi /' \"$1\"\n"
	if err := os.WriteFile(script, []byte(body), 0o700); err != nil {
		t.Fatal(err)
	}
	m, _, env := draftModel(t, map[string]string{"EDITOR": script})
	selectName(t, m, "Alice")
	press(t, m, "e")
	_, cmd := m.Update(keyMsg("E"))
	ready, ok := cmd().(editorReadyMsg)
	if !ok || ready.err != nil {
		t.Fatalf("E gave %#v", ready)
	}
	send(t, m, editorExited(ready.id, ready.path)(ready.cmd.Run()))
	arg, err := os.ReadFile(rec)
	if err != nil {
		t.Fatalf("the editor did not run: %v", err)
	}
	if _, err := os.Stat(string(arg)); !os.IsNotExist(err) {
		t.Errorf("the editor's file %s is still there after the editor returned (%v)", arg, err)
	}
	priv := filepath.Dir(string(arg))
	if fi, err := os.Lstat(priv); err != nil || !fi.IsDir() || fi.Mode().Perm() != 0o700 || !strings.HasPrefix(priv, env("TMPDIR")) {
		t.Errorf("the editor's file was in %s (%v), not a private 0700 directory under TMPDIR", priv, err)
	}
	if !strings.Contains(screenText(m), "EDITED Hi") {
		t.Errorf("the edit was lost with the file:\n%s", screenText(m))
	}
}
