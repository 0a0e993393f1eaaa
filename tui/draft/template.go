package draft

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"text/template"
	"text/template/parse"
)

//go:embed templates/*.tmpl
var builtinFS embed.FS

// BuiltinSource is Template.Source for a template embedded in the binary.
const BuiltinSource = "built-in"

// emitFunc is the function Load appends to every action that prints a
// merge field, so that Render can see which ones printed nothing. A user
// template cannot clash with it by accident: no sane name starts so.
const emitFunc = "__leadsPrinted"

// Template is one parsed draft template.
type Template struct {
	Name        string // the file name without .tmpl, e.g. "contact-me"
	Description string // the Description header, for a picker
	Source      string // BuiltinSource or the file's path

	subject *template.Template
	body    *template.Template
	// bodyPad is how many newlines precede the body text so that the
	// template engine's line numbers are the file's.
	bodyPad int
	// actions describes each instrumented action by its index.
	actions []printAction
}

type printAction struct {
	file string
	line int
	text string // the action as written, e.g. {{.FirstName}}
}

// TemplateError is a mistake in a template file, with its position.
type TemplateError struct {
	File string // the file's path, or "built-in NAME.tmpl"
	Line int    // 1-based; 0 when the mistake is not on one line
	Msg  string
}

func (e *TemplateError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

// Funcs are the functions templates may call besides text/template's
// built-ins (and, or, not, eq, printf, ...).
//
//	fallback DEF V   V, or DEF when V is empty: {{.FirstName | fallback "there"}}
//	upper, lower     case mapping
//	trim             strip surrounding spaces
//	quote            prefix every line with "> ", to quote the customer
func Funcs() template.FuncMap {
	return template.FuncMap{
		"fallback": func(def, v any) any {
			if isEmpty(v) {
				return def
			}
			return v
		},
		"upper": strings.ToUpper,
		"lower": strings.ToLower,
		"trim":  strings.TrimSpace,
		"quote": func(s string) string {
			if s == "" {
				return ""
			}
			lines := strings.Split(s, "\n")
			for i, l := range lines {
				lines[i] = strings.TrimRight("> "+l, " ")
			}
			return strings.Join(lines, "\n")
		},
		emitFunc: func(_ int, v any) any { return v },
	}
}

// isEmpty is the lint's and fallback's idea of "missing": nil, or a string
// that is only spaces.
func isEmpty(v any) bool {
	if v == nil {
		return true
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.String {
		return strings.TrimSpace(rv.String()) == ""
	}
	return false
}

var validName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// Parse reads one template file's text. file names it in errors; name is
// the template's name.
func Parse(name, file, text string) (*Template, error) {
	t := &Template{Name: name, Source: file}
	text = strings.ReplaceAll(text, "\r\n", "\n")
	lines := strings.Split(text, "\n")
	subjectLine := 0
	subject := ""
	i := 0
	for ; i < len(lines); i++ {
		l := lines[i]
		if strings.TrimSpace(l) == "" {
			break
		}
		if strings.HasPrefix(l, "#") {
			continue
		}
		key, val, ok := strings.Cut(l, ":")
		if !ok {
			return nil, &TemplateError{file, i + 1, fmt.Sprintf("expected a header line (Subject: or Description:) or a blank line before the body, found %q", clip(l))}
		}
		switch strings.ToLower(strings.TrimSpace(key)) {
		case "subject":
			if subjectLine != 0 {
				return nil, &TemplateError{file, i + 1, "a second Subject header"}
			}
			subjectLine, subject = i+1, strings.TrimSpace(val)
		case "description":
			t.Description = strings.TrimSpace(val)
		default:
			return nil, &TemplateError{file, i + 1, fmt.Sprintf("unknown header %q: use Subject or Description", clip(strings.TrimSpace(key)))}
		}
	}
	if i == len(lines) {
		return nil, &TemplateError{file, len(lines), "no blank line after the header block, so there is no body"}
	}
	if subjectLine == 0 || subject == "" {
		return nil, &TemplateError{file, 1, "no Subject header (the header block must have \"Subject: ...\")"}
	}
	t.bodyPad = i + 1 // the body starts on line i+2
	body := strings.Join(lines[i+1:], "\n")

	var err error
	if t.subject, err = t.parsePart(file, strings.Repeat("\n", subjectLine-1)+subject); err != nil {
		return nil, err
	}
	if t.body, err = t.parsePart(file, strings.Repeat("\n", t.bodyPad)+body); err != nil {
		return nil, err
	}
	// Run once on a contact that has every field: this finds unknown
	// fields, misused functions and type mistakes now, with their line,
	// rather than when the rep is about to write to someone.
	if _, _, err := t.execute(sampleData(), nil); err != nil {
		return nil, err
	}
	return t, nil
}

func clip(s string) string {
	if r := []rune(s); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}

// parsePart parses one part (subject or body). The text is padded with
// newlines so the engine's line numbers are the file's own.
func (t *Template) parsePart(file, text string) (*template.Template, error) {
	tp, err := template.New(file).Funcs(Funcs()).Option("missingkey=error").Parse(text)
	if err != nil {
		return nil, templateError(file, err)
	}
	for _, sub := range tp.Templates() {
		if sub.Tree != nil && sub.Root != nil {
			t.instrument(sub, sub.Root)
		}
	}
	return tp, nil
}

// instrument appends emitFunc to every action that prints data without a
// written fallback, so Render learns which printed nothing.
func (t *Template) instrument(tp *template.Template, n parse.Node) {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return
		}
		for _, c := range n.Nodes {
			t.instrument(tp, c)
		}
	case *parse.IfNode:
		t.instrument(tp, n.List)
		t.instrument(tp, n.ElseList)
	case *parse.RangeNode:
		t.instrument(tp, n.List)
		t.instrument(tp, n.ElseList)
	case *parse.WithNode:
		t.instrument(tp, n.List)
		t.instrument(tp, n.ElseList)
	case *parse.ActionNode:
		if len(n.Pipe.Decl) > 0 || !usesData(n.Pipe) || hasWrittenFallback(n.Pipe) {
			return
		}
		loc, _ := tp.ErrorContext(n)
		line := 0
		if parts := strings.Split(loc, ":"); len(parts) >= 3 {
			line, _ = strconv.Atoi(parts[len(parts)-2])
		}
		id := len(t.actions)
		t.actions = append(t.actions, printAction{file: tp.Name(), line: line, text: n.String()})
		num := &parse.NumberNode{NodeType: parse.NodeNumber, Pos: n.Pos, IsInt: true, Int64: int64(id), Text: strconv.Itoa(id)}
		n.Pipe.Cmds = append(n.Pipe.Cmds, &parse.CommandNode{NodeType: parse.NodeCommand, Pos: n.Pos,
			Args: []parse.Node{parse.NewIdentifier(emitFunc).SetPos(n.Pos), num}})
	}
}

// usesData reports whether a pipeline reads the data at all; an action
// that prints a literal cannot be missing a field.
func usesData(p *parse.PipeNode) bool {
	found := false
	var walk func(parse.Node)
	walk = func(n parse.Node) {
		switch n := n.(type) {
		case *parse.FieldNode, *parse.ChainNode, *parse.VariableNode, *parse.DotNode:
			found = true
		case *parse.PipeNode:
			for _, c := range n.Cmds {
				walk(c)
			}
		case *parse.CommandNode:
			for _, a := range n.Args {
				walk(a)
			}
		}
	}
	walk(p)
	return found
}

// hasWrittenFallback reports whether the action calls or/fallback with a
// quoted string: the author wrote what to say when the field is missing,
// even if that is "".
func hasWrittenFallback(p *parse.PipeNode) bool {
	for _, c := range p.Cmds {
		if len(c.Args) == 0 {
			continue
		}
		id, ok := c.Args[0].(*parse.IdentifierNode)
		if !ok || (id.Ident != "or" && id.Ident != "fallback") {
			continue
		}
		for _, a := range c.Args[1:] {
			if _, ok := a.(*parse.StringNode); ok {
				return true
			}
		}
	}
	return false
}

// templateError turns text/template's "template: FILE:LINE:..." messages
// into a TemplateError.
func templateError(file string, err error) error {
	msg := err.Error()
	rest, ok := strings.CutPrefix(msg, "template: "+file+":")
	if !ok {
		return &TemplateError{File: file, Msg: msg}
	}
	num, after, _ := strings.Cut(rest, ":")
	line, convErr := strconv.Atoi(num)
	if convErr != nil {
		return &TemplateError{File: file, Msg: msg}
	}
	// Execution errors carry a column and the template's name again.
	if col, more, ok := strings.Cut(after, ":"); ok {
		if _, err := strconv.Atoi(col); err == nil {
			after = more
		}
	}
	after = strings.TrimSpace(after)
	// executing "FILE" at <.Foo>: can't evaluate field Foo ...
	if i := strings.Index(after, " at <"); strings.HasPrefix(after, "executing ") && i > 0 {
		after = after[i+4:]
	}
	// "unclosed action started at FILE:4": the file is named already.
	after = strings.ReplaceAll(after, file+":", "line ")
	return &TemplateError{File: file, Line: line, Msg: after}
}

// execute renders subject and body. empty, when not nil, is called with
// each instrumented action that printed nothing.
func (t *Template) execute(d Data, empty func(printAction)) (subject, body string, err error) {
	run := func(tp *template.Template) (string, error) {
		c, err := tp.Clone()
		if err != nil {
			return "", err
		}
		c.Funcs(template.FuncMap{emitFunc: func(id int, v any) any {
			if empty != nil && isEmpty(v) && id >= 0 && id < len(t.actions) {
				empty(t.actions[id])
			}
			return v
		}})
		var b strings.Builder
		if err := c.Execute(&b, d); err != nil {
			return "", templateError(tp.Name(), err)
		}
		return b.String(), nil
	}
	if subject, err = run(t.subject); err != nil {
		return "", "", err
	}
	if body, err = run(t.body); err != nil {
		return "", "", err
	}
	return subject, body, nil
}

// sampleData has every field filled, for the check at load time.
func sampleData() Data {
	return Data{
		FirstName: "Ada", LastName: "Lovelace", Name: "Ada Lovelace", Company: "Analytical Engines",
		Title: "CTO", Country: "GB", Email: "ada@example.com", OfferName: "Offer", OfferID: "pub.offer",
		Action: "PLT", ActionText: "asked us about", ActionDate: "1 January 2026", Stage: StageContactMe,
		Description: "A note", Touch: 2, TouchTotal: 4, LastTouchDate: "1 January 2026",
		Sender: Sender{Name: "Sam", Title: "Sales", Company: "Contoso", Email: "sam@example.com", Signature: "Sam"},
	}
}

// Set is the templates available: the built-ins, overridden or extended by
// the user's files.
type Set struct {
	byName map[string]*Template
}

// Load returns the built-in templates plus the *.tmpl files in userDir (""
// or a missing directory means none). A user file replaces the built-in of
// the same name. The Set is always usable; the error lists every user file
// that failed its check, by file and line, and those files are left out
// (a broken override does not silently fall back: the name is removed).
func Load(userDir string) (*Set, error) {
	s := &Set{byName: map[string]*Template{}}
	entries, err := fs.ReadDir(builtinFS, "templates")
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		name := strings.TrimSuffix(e.Name(), ".tmpl")
		b, err := builtinFS.ReadFile("templates/" + e.Name())
		if err != nil {
			return nil, err
		}
		t, err := Parse(name, "built-in "+e.Name(), string(b))
		if err != nil {
			return nil, err // a broken built-in is a bug, caught by the tests
		}
		t.Source = BuiltinSource
		s.byName[name] = t
	}
	if userDir == "" {
		return s, nil
	}
	files, err := filepath.Glob(filepath.Join(userDir, "*.tmpl"))
	if err != nil {
		return s, err
	}
	sort.Strings(files)
	var errs []error
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".tmpl")
		if !validName.MatchString(name) {
			errs = append(errs, &TemplateError{File: f, Msg: "template names use letters, digits, '.', '-' and '_' only"})
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			errs = append(errs, &TemplateError{File: f, Msg: err.Error()})
			continue
		}
		t, err := Parse(name, f, string(b))
		if err != nil {
			delete(s.byName, name)
			errs = append(errs, err)
			continue
		}
		s.byName[name] = t
	}
	return s, errors.Join(errs...)
}

// Lookup returns the template called name.
func (s *Set) Lookup(name string) (*Template, bool) {
	t, ok := s.byName[name]
	return t, ok
}

// Templates returns every template, by name.
func (s *Set) Templates() []*Template {
	out := make([]*Template, 0, len(s.byName))
	for _, t := range s.byName {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Choose names the template for the next touch of a contact whose data is
// d: the first touch answers the funnel stage (contact-me, test-drive,
// install); touch N ≥ 2 uses "touch-N", or the highest "touch-K" below it
// (so touch-4 also serves touches 5, 6, ... unless the user adds more).
func (s *Set) Choose(d Data) string {
	if d.Touch >= 2 {
		for k := d.Touch; k >= 2; k-- {
			if _, ok := s.byName["touch-"+strconv.Itoa(k)]; ok {
				return "touch-" + strconv.Itoa(k)
			}
		}
	}
	if _, ok := s.byName[d.Stage]; ok {
		return d.Stage
	}
	return StageContactMe
}
