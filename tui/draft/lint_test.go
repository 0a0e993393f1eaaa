package draft

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func parseT(t *testing.T, text string) *Template {
	t.Helper()
	tp, err := Parse("t", "t.tmpl", text)
	if err != nil {
		t.Fatal(err)
	}
	return tp
}

func TestFallbacks(t *testing.T) {
	tp := parseT(t, "Subject: {{.OfferName | fallback \"Hello\"}}\n\n"+
		"Hi {{or .FirstName \"there\"}},\n"+
		"{{.Company | fallback \"your team\"}} / {{fallback \"n/a\" .Title}} / [{{or .Country \"\"}}]\n"+
		"{{with .Description}}You wrote:\n{{quote .}}{{else}}No note.{{end}}\n")
	d, err := Render(tp, NewData(bare(), Sender{}, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if d.Subject != "Hello" || d.Body != "Hi there,\nyour team / n/a / []\nNo note.\n" {
		t.Errorf("%q / %q", d.Subject, d.Body)
	}
	d, err = Render(tp, NewData(kenjiSato(), Sender{}, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if d.Subject != "Contoso Inventory Pro" || d.Body != "Hi Kenji,\nLitware / CIO / [JP]\nYou wrote:\n> Want a demo next week\n" {
		t.Errorf("%q / %q", d.Subject, d.Body)
	}
	// Every built-in renders for a contact with nothing but an address.
	set := mustLoad(t, "")
	for _, b := range set.Templates() {
		d, err := Render(b, NewData(bare(), Sender{}, time.UTC))
		if err != nil {
			t.Errorf("%s: %v", b.Name, err)
		}
		if strings.Contains(d.Body, " ,") || strings.Contains(d.Body, "  ") || strings.Contains(d.Body, " .") {
			t.Errorf("%s: a gap where a field was:\n%s", b.Name, d.Body)
		}
	}
}

func TestLintMissingField(t *testing.T) {
	tp := parseT(t, "# comment\nSubject: For {{.Company}}\n\nHi {{.FirstName}},\n{{or .FirstName .LastName}}\n{{.Title | upper}}\n{{or .Country \"\"}}{{.Touch}}\n{{if .Company}}{{.Company}}{{end}}\n")
	_, err := Render(tp, NewData(bare(), Sender{}, time.UTC))
	var le *LintError
	if !errors.As(err, &le) {
		t.Fatalf("got %v, want a LintError", err)
	}
	var got []string
	for _, is := range le.Issues {
		got = append(got, is.File+":"+itoa(is.Line)+" "+is.Action)
	}
	want := []string{"t.tmpl:2 {{.Company}}", "t.tmpl:4 {{.FirstName}}", "t.tmpl:5 {{or .FirstName .LastName}}", "t.tmpl:6 {{.Title | upper}}"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("issues %q, want %q", got, want)
	}
	if !strings.Contains(err.Error(), `t.tmpl:4 {{.FirstName}}`) || !strings.Contains(err.Error(), "fallback") {
		t.Errorf("message: %v", err)
	}
	// The same template is fine for a contact that has the fields.
	if _, err := Render(tp, NewData(kenjiSato(), Sender{}, time.UTC)); err != nil {
		t.Errorf("complete contact: %v", err)
	}
	// Prepare reports it before any output exists.
	set := &Set{byName: map[string]*Template{"t": tp}}
	if d, err := Prepare(bare(), set, Sender{}, Options{Template: "t"}); !errors.As(err, &le) || d != (Draft{}) {
		t.Errorf("Prepare: %v, %+v", err, d)
	}
	// An empty sender field is caught the same way.
	tp = parseT(t, "Subject: s\n\nHi,\n{{.Sender.Name}}\n")
	if _, err := Render(tp, NewData(kenjiSato(), Sender{}, time.UTC)); !errors.As(err, &le) || le.Issues[0].Line != 4 {
		t.Errorf("sender: %v", err)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestLoadUserTemplates(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("contact-me.tmpl", "Description: mine\nSubject: Mine {{or .FirstName \"x\"}}\n\nHello {{or .FirstName \"you\"}}\n")
	write("webinar.tmpl", "Subject: Webinar\n\nHi {{or .FirstName \"there\"}}, join us.\n")
	write("notes.txt", "ignored")
	set := mustLoad(t, dir)
	cm, _ := set.Lookup("contact-me")
	if cm.Source != filepath.Join(dir, "contact-me.tmpl") || cm.Description != "mine" {
		t.Errorf("override: %+v", cm)
	}
	if _, ok := set.Lookup("webinar"); !ok {
		t.Error("added template missing")
	}
	d, err := Prepare(kenjiSato(), set, Sender{}, Options{})
	if err != nil || d.Subject != "Mine Kenji" || d.Body != "Hello Kenji\n" {
		t.Errorf("%+v %v", d, err)
	}

	bad := map[string]struct{ text, want string }{
		"unclosed.tmpl":  {"Subject: s\n\nline 3\nHi {{.FirstName\n", "unclosed.tmpl:5: unclosed action started at line 4"},
		"field.tmpl":     {"Subject: s\n\n\n\nHi {{.Nickname}}\n", "field.tmpl:5: <.Nickname>: can't evaluate field Nickname"},
		"func.tmpl":      {"Subject: s\n\nHi {{shout .FirstName}}\n", `func.tmpl:3: function "shout" not defined`},
		"subjfield.tmpl": {"Description: d\nSubject: {{.Nope}}\n\nbody\n", "subjfield.tmpl:2: "},
		"header.tmpl":    {"Subject: s\nFrom: me\n\nbody\n", `header.tmpl:2: unknown header "From"`},
		"nosubject.tmpl": {"Description: d\n\nbody\n", "nosubject.tmpl:1: no Subject"},
		"nobody.tmpl":    {"Subject: s\nbody without a blank line\n", "nobody.tmpl:2: expected a header line"},
		"noblank.tmpl":   {"Subject: s", "noblank.tmpl:1: no blank line"},
		"bad name!.tmpl": {"Subject: s\n\nb\n", "bad name!.tmpl: template names use"},
	}
	for name, b := range bad {
		write(name, b.text)
	}
	write("install.tmpl", "Subject: {{.Broken\n\nx\n")
	set, err = Load(dir)
	if err == nil || set == nil {
		t.Fatal("no error for broken templates")
	}
	for name, b := range bad {
		if !strings.Contains(err.Error(), filepath.Join(dir, b.want)) && !strings.Contains(err.Error(), b.want) {
			t.Errorf("%s: error lacks %q:\n%v", name, b.want, err)
		}
	}
	if _, ok := set.Lookup("install"); ok {
		t.Error("a broken override fell back to the built-in silently")
	}
	if _, ok := set.Lookup("webinar"); !ok {
		t.Error("a good template was dropped with the bad ones")
	}
}
