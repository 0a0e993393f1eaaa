package draft

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"

	"github.com/leads-inbox/leads/store/scratch"
)

// EditorArgs returns the rep's editor as an argument list, from $VISUAL,
// else $EDITOR; ok is false when neither is set. The value is split on
// blanks, with '...' and "..." grouping, and nothing else: no shell ever
// sees it, so "code -w" works and "vi; rm -rf ~" is just an odd file name.
// A value that names an existing file is used whole, for editors installed
// under a path with spaces.
func EditorArgs(getenv func(string) string) (args []string, ok bool, err error) {
	v := strings.TrimSpace(getenv("VISUAL"))
	if v == "" {
		v = strings.TrimSpace(getenv("EDITOR"))
	}
	if v == "" {
		return nil, false, nil
	}
	if fi, err := os.Stat(v); err == nil && !fi.IsDir() {
		return []string{v}, true, nil
	}
	args, err = splitArgs(v)
	if err != nil {
		return nil, false, fmt.Errorf("$VISUAL/$EDITOR: %w", err)
	}
	return args, true, nil
}

// SplitArgs splits a command line as EditorArgs does: on blanks, with
// '...' and "..." grouping, and nothing else. The mail transport uses it
// for the [mail] sendmail and password_command settings, so that no shell
// ever reads them.
func SplitArgs(s string) ([]string, error) { return splitArgs(s) }

func splitArgs(s string) ([]string, error) {
	var out []string
	var cur strings.Builder
	inArg := false
	var quote rune
	for _, r := range s {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			} else {
				cur.WriteRune(r)
			}
		case r == '\'' || r == '"':
			quote, inArg = r, true
		case r == ' ' || r == '\t' || r == '\n':
			if inArg {
				out = append(out, cur.String())
				cur.Reset()
				inArg = false
			}
		default:
			cur.WriteRune(r)
			inArg = true
		}
	}
	if quote != 0 {
		return nil, errors.New("unclosed quote")
	}
	if inArg {
		out = append(out, cur.String())
	}
	if len(out) == 0 {
		return nil, errors.New("empty")
	}
	return out, nil
}

// EditorCmd returns the command that opens path in the editor args (from
// EditorArgs). Stdin, Stdout and Stderr are left unset: tea.ExecProcess
// connects them to the terminal; a CLI sets them itself.
func EditorCmd(args []string, path string) *exec.Cmd {
	argv := append(append([]string(nil), args[1:]...), path)
	return exec.Command(args[0], argv...)
}

// The fixed lines around the message in an editor file. They fill the
// first and last five lines, the zone where Vim, Kakoune and others look
// for modelines, so no lead text lands there.
const (
	ruleStart = "# ---------------------------------------------------------------- message"
	ruleEnd   = "# --------------------------------------------------------- end of message"
)

// EditorText is the content of an editor file for d: five fixed lines, To,
// Subject, a blank line, the body, then five fixed lines. Modeline-like
// text in the lead's data is defused (see Defuse).
func EditorText(d Draft) string {
	var b strings.Builder
	b.WriteString("# leads draft: edit the message, save, and quit the editor.\n")
	b.WriteString("# Your mail program sends it, not leads. The message is the To and\n")
	b.WriteString("# Subject lines and the body, down to the closing rule.\n")
	fmt.Fprintf(&b, "# Template %s, touch %d.\n", d.Template, d.Touch)
	b.WriteString(ruleStart + "\n")
	to := d.To
	if d.ToName != "" {
		to = quoteName(Defuse(oneLine(d.ToName))) + " <" + d.To + ">"
	}
	b.WriteString("To: " + to + "\n")
	b.WriteString("Subject: " + Defuse(oneLine(d.Subject)) + "\n\n")
	b.WriteString(Defuse(strings.TrimRight(d.Body, "\n")) + "\n")
	b.WriteString(ruleEnd + "\n")
	b.WriteString("# Lines below the rule are not part of the message.\n")
	b.WriteString("# To send: copy the message into your mail program, or use the\n")
	b.WriteString("# mailto, .eml or clipboard outputs of leads.\n")
	b.WriteString("# (end)\n")
	return b.String()
}

// WriteEditorFile writes d to a new file in dir for the editor and
// returns its path. dir is the rep's private directory of temporary files
// (scratch.Dir); the name carries this process's ID, so a file that a
// killed leads left is removed by the next one, and holds no lead data.
// The file is readable by the rep only. The caller removes it as soon as
// the editor returns.
func WriteEditorFile(dir string, d Draft) (string, error) {
	if err := ValidAddress(d.To); err != nil {
		return "", err
	}
	f, err := scratch.Create(dir, "editor", ".txt")
	if err != nil {
		return "", err
	}
	_, werr := f.WriteString(EditorText(d))
	cerr := f.Close()
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}

// ReadEditorFile reads an editor file back after the rep edited it, so the
// edited message can go on to another output. The To line is checked again
// like any address.
func ReadEditorFile(path string, template string) (Draft, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Draft{}, err
	}
	lines := strings.Split(strings.ReplaceAll(string(b), "\r\n", "\n"), "\n")
	start, end := -1, -1
	for i, l := range lines {
		if l == ruleStart && start < 0 {
			start = i
		}
		if l == ruleEnd {
			end = i
		}
	}
	if start < 0 || end < start+3 {
		return Draft{}, errors.New("the draft's marker lines were removed; cannot tell the message from the notes")
	}
	msg := lines[start+1 : end]
	d := Draft{Template: template}
	toLine, ok := strings.CutPrefix(msg[0], "To:")
	if !ok {
		return Draft{}, errors.New(`the first line of the message must be "To: ..."`)
	}
	subj, ok := strings.CutPrefix(msg[1], "Subject:")
	if !ok {
		return Draft{}, errors.New(`the second line of the message must be "Subject: ..."`)
	}
	toLine = strings.TrimSpace(toLine)
	if i := strings.LastIndexByte(toLine, '<'); i >= 0 && strings.HasSuffix(toLine, ">") {
		name, ok := unquoteName(strings.TrimSpace(toLine[:i]))
		// Whatever stands before <address> is a name; anything that could
		// make it a second recipient is refused rather than guessed at.
		if !ok {
			return Draft{}, errors.New(`the To line must name one recipient: put a name with , ; @ < > or " in double quotes`)
		}
		d.ToName = oneLine(name)
		toLine = toLine[i+1 : len(toLine)-1]
	}
	if err := ValidAddress(toLine); err != nil {
		return Draft{}, err
	}
	d.To = toLine
	d.Subject = oneLine(subj)
	d.Body = tidyBody(strings.Join(msg[2:], "\n"))
	return d, nil
}

// nameSpecials are the characters that, outside quotes, could make a
// display name read as more than one recipient.
const nameSpecials = "<>,;@\"\\"

// quoteName writes a display name as the To line shows it: as it is when
// it holds none of nameSpecials ("Mei Lin"), else in double quotes with
// quotes and backslashes escaped ("Lin, Mei"), as mail programs write it,
// so that the name reads back the same after the rep's edit.
func quoteName(n string) string {
	if !strings.ContainsAny(n, nameSpecials) {
		return n
	}
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(n) + `"`
}

// unquoteName reads a display name written by quoteName, or typed by the
// rep: a name without nameSpecials, or one quoted string. Anything else
// is not ok.
func unquoteName(s string) (string, bool) {
	if !strings.HasPrefix(s, `"`) {
		return s, !strings.ContainsAny(s, nameSpecials)
	}
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			if i+1 == len(s) {
				return "", false
			}
			i++
			b.WriteByte(s[i])
		case '"':
			return b.String(), i == len(s)-1
		default:
			b.WriteByte(c)
		}
	}
	return "", false
}

// modeline matches the start of an editor modeline ("vim:", "vi:", "ex:",
// "Vim600:", "kak:") at the start of a line or after a blank, Emacs's
// "Local Variables:" block and its "-*-" first-line form.
var modeline = regexp.MustCompile(`(?i)(^|[\s])(vim?|ex|kak)([<=>]?[0-9]*):|(local variables):|-\*-`)

// Defuse breaks modeline-like text by putting a space before its colon
// (and inside "-*-"), so an editor never reads lead text as settings. Only
// the editor file needs it; the mail itself keeps the customer's words.
func Defuse(s string) string {
	return modeline.ReplaceAllStringFunc(s, func(m string) string {
		if m == "-*-" {
			return "- * -"
		}
		return m[:len(m)-1] + " :"
	})
}

// ErrNoEditor is OpenInEditor's error when neither $VISUAL nor $EDITOR is
// set; the inbox then offers the other outputs.
var ErrNoEditor = errors.New("no editor: set $VISUAL or $EDITOR")

// OpenInEditor prepares everything the inbox needs to show d in the rep's
// editor: it writes the editor file and returns the command for
// tea.ExecProcess and the file's path (to record with
// store.RecordDraftFile and, after the editor exits, to read back with
// ReadEditorFile).
func OpenInEditor(d Draft, getenv func(string) string) (*exec.Cmd, string, error) {
	args, ok, err := EditorArgs(getenv)
	if err != nil {
		return nil, "", err
	}
	if !ok {
		return nil, "", ErrNoEditor
	}
	dir, err := scratch.Dir(getenv)
	if err != nil {
		return nil, "", err
	}
	path, err := WriteEditorFile(dir, d)
	if err != nil {
		return nil, "", err
	}
	return EditorCmd(args, path), path, nil
}
