package draft

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestEditorArgs(t *testing.T) {
	for _, tc := range []struct {
		visual, editor string
		want           []string
	}{
		{"", "vim", []string{"vim"}},
		{"code -w", "vim", []string{"code", "-w"}},
		{"", "  emacsclient  -t  ", []string{"emacsclient", "-t"}},
		{`'/opt/My Editor/bin/ed' --wait "a b"`, "", []string{"/opt/My Editor/bin/ed", "--wait", "a b"}},
		{"", "vi; rm -rf ~ $(id) `id`", []string{"vi;", "rm", "-rf", "~", "$(id)", "`id`"}},
	} {
		got, ok, err := EditorArgs(env(map[string]string{"VISUAL": tc.visual, "EDITOR": tc.editor}))
		if err != nil || !ok || !slices.Equal(got, tc.want) {
			t.Errorf("%q/%q: %q %v %v", tc.visual, tc.editor, got, ok, err)
		}
	}
	if _, ok, _ := EditorArgs(env(nil)); ok {
		t.Error("no editor set, yet ok")
	}
	if _, _, err := EditorArgs(env(map[string]string{"EDITOR": "vi 'unclosed"})); err == nil {
		t.Error("unclosed quote accepted")
	}
	// An existing path with a space is one argument.
	p := filepath.Join(t.TempDir(), "my editor")
	os.WriteFile(p, []byte("#!/bin/sh\n"), 0o755)
	if got, _, _ := EditorArgs(env(map[string]string{"EDITOR": p})); !slices.Equal(got, []string{p}) {
		t.Errorf("path with a space: %q", got)
	}
}

// vimModeline is Vim's own test for a modeline: "vi:", "vim:", "Vim:" (a
// version may follow "vim") at the start of a line or after a blank, and
// "ex:" after a blank.
var vimModeline = regexp.MustCompile(`(^|\s)(vi:|[vV]im[<=>]?[0-9]*:)|\sex:`)

func TestDefuse(t *testing.T) {
	for _, s := range []string{"vim: set ft=sh:", "x vi:tw=1", "a ex: b", "Vim600: x", "vim>702:x", "\tvi:x",
		"kak: x", "Local Variables:", "-*- mode: sh -*-"} {
		got := Defuse(s)
		if vimModeline.MatchString(got) || strings.Contains(got, "-*-") || strings.Contains(strings.ToLower(got), "local variables:") ||
			strings.Contains(got, "kak:") {
			t.Errorf("Defuse(%q) = %q still looks like a modeline", s, got)
		}
	}
	for _, s := range []string{"Index: 3", "navi:gate", "Complex: yes", "see https://x/vim"} {
		if got := Defuse(s); got != s {
			t.Errorf("Defuse(%q) = %q changed harmless text", s, got)
		}
	}
}

// TestEditorEndToEnd opens a draft with EDITOR set to a script that records
// the arguments it got and the file's content, as tea.ExecProcess would.
func TestEditorEndToEnd(t *testing.T) {
	dir := t.TempDir()
	rec := filepath.Join(dir, "rec")
	script := filepath.Join(dir, "fake-editor")
	os.WriteFile(script, []byte("#!/bin/sh\nprintf '%s\\n' \"$@\" > \""+rec+".args\"\ncat \"$2\" > \""+rec+".content\"\n"+
		"printf 'P.S. edited\\n' > \""+rec+".ps\"\n"), 0o755)

	c := meiLin()
	// Lead text aimed at the modeline zone: a description of modelines.
	c.Leads[0].Description = "vim: set shell=/bin/evil:\nex: !rm -rf ~\n" + strings.Repeat("line\n", 10) + " vi:modeline"
	set := mustLoad(t, "")
	d, err := Prepare(c, set, testSender, Options{Loc: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	args, ok, err := EditorArgs(env(map[string]string{"EDITOR": script + " --wait"}))
	if err != nil || !ok {
		t.Fatal(err)
	}
	path, err := WriteEditorFile(dir, d)
	if err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("editor file mode %v", fi.Mode())
	}
	base := filepath.Base(path)
	if !regexp.MustCompile(`^editor-[0-9]+-[0-9a-f]+\.txt$`).MatchString(base) {
		t.Errorf("temp name %q", base)
	}
	cmd := EditorCmd(args, path)
	if cmd.Path == "/bin/sh" || slices.Contains(cmd.Args, "-c") {
		t.Fatalf("editor run through a shell: %v", cmd.Args)
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("editor: %v %s", err, out)
	}
	gotArgs, _ := os.ReadFile(rec + ".args")
	if string(gotArgs) != "--wait\n"+path+"\n" {
		t.Errorf("editor got %q", gotArgs)
	}
	content, _ := os.ReadFile(rec + ".content")
	text := string(content)
	if text != EditorText(d) {
		t.Errorf("file content differs from the draft")
	}
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	head, tail := lines[:5], lines[len(lines)-5:]
	if head[4] != ruleStart || tail[0] != ruleEnd {
		t.Errorf("fixed lines misplaced:\n%s", text)
	}
	for _, l := range append(head, tail...) {
		if strings.Contains(l, "Mei") || strings.Contains(l, "Northwind") || strings.Contains(l, "evil") {
			t.Errorf("lead data in the modeline zone: %q", l)
		}
	}
	for _, l := range lines {
		if vimModeline.MatchString(l) {
			t.Errorf("modeline-like line reached the editor file: %q", l)
		}
	}
	if !strings.Contains(text, "Hi Mei,\n") || !strings.Contains(text, "To: Mei Lin <mei.lin@northwind.example>\n") {
		t.Errorf("draft missing from the file:\n%s", text)
	}

	// The rep edits; the edited message reads back for another output.
	edited := strings.Replace(text, "Hi Mei,", "Dear Mei,", 1)
	os.WriteFile(path, []byte(edited), 0o600)
	back, err := ReadEditorFile(path, d.Template)
	if err != nil {
		t.Fatal(err)
	}
	if back.To != d.To || back.ToName != "Mei Lin" || back.Subject != d.Subject ||
		back.Body != strings.Replace(Defuse(d.Body), "Hi Mei,", "Dear Mei,", 1) {
		t.Errorf("read back %+v", back)
	}
	// A To line edited into two recipients is refused.
	os.WriteFile(path, []byte(strings.Replace(text, "<mei.lin@northwind.example>", "<a@x.example>, <b@y.example>", 1)), 0o600)
	if _, err := ReadEditorFile(path, ""); err == nil {
		t.Error("two recipients read back")
	}
}

func TestOpenInEditor(t *testing.T) {
	d, err := Prepare(kenjiSato(), mustLoad(t, ""), Sender{}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := OpenInEditor(d, env(nil)); err != ErrNoEditor {
		t.Errorf("no editor: %v", err)
	}
	cmd, path, err := OpenInEditor(d, env(map[string]string{"VISUAL": "true --x"}))
	if err != nil {
		t.Fatal(err)
	}
	defer os.Remove(path)
	if cmd.Args[0] != "true" || cmd.Args[1] != "--x" || cmd.Args[2] != path || cmd.Stdin != nil {
		t.Errorf("%v", cmd.Args)
	}
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	back, err := ReadEditorFile(path, d.Template)
	if err != nil || back.Body != d.Body || back.To != d.To {
		t.Errorf("%+v %v", back, err)
	}
}

// TestEditorNamesRoundTrip: a display name with characters that could
// separate recipients ("Lin, Mei", O"Brien, an address typed as a name)
// is written quoted and reads back the same, unedited or after the rep's
// edit; a To line edited into two recipients is still refused.
func TestEditorNamesRoundTrip(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"Mei Lin", "Lin, Mei", `O"Brien`, "mei@northwind", "A;B", `back\slash`, "<Mei>"} {
		d := Draft{To: "mei.lin@northwind.example", ToName: name, Subject: "Hello", Body: "Hi there,\nthanks.\n"}
		path, err := WriteEditorFile(dir, d)
		if err != nil {
			t.Fatal(err)
		}
		back, err := ReadEditorFile(path, "")
		if err != nil || back.ToName != name || back.To != d.To || back.Body != d.Body {
			t.Errorf("%q: read back %+v, %v", name, back, err)
		}
	}
	for _, to := range []string{`Lin, Mei <a@x.example>`, `"Lin" Mei, <a@x.example>`, `"Lin <a@x.example>`, `a@x.example, <b@x.example>`} {
		path := filepath.Join(dir, "edited.txt")
		text := EditorText(Draft{To: "a@x.example", ToName: "Ann", Subject: "S", Body: "B\n"})
		text = strings.Replace(text, "To: Ann <a@x.example>", "To: "+to, 1)
		os.WriteFile(path, []byte(text), 0o600)
		if d, err := ReadEditorFile(path, ""); err == nil {
			t.Errorf("To: %s read back as %+v", to, d)
		}
	}
}
