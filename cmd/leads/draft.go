package main

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/charmbracelet/x/term"

	"github.com/leads-inbox/leads/store"
	"github.com/leads-inbox/leads/store/safetext"
	"github.com/leads-inbox/leads/store/scratch"
	"github.com/leads-inbox/leads/tui/draft"
)

func init() {
	register(&command{name: "draft",
		args:    "ID|EMAIL [--template NAME] [--list-templates] [--edit] [--eml FILE | --mailto | --stdout | --clipboard | --send [--yes] [--dry-run]] [--force] [--log-touch]",
		summary: "write a personalised email draft for a contact; your mail program sends it, or --send through [mail]",
		run:     runDraft})
}

func runDraft(e *env, args []string) int {
	c := commands["draft"]
	fs := e.flags(c)
	tmplName := fs.String("template", "", "use this template instead of the one chosen by funnel and touch")
	list := fs.Bool("list-templates", false, "list the templates (with an ID: mark the one that would be chosen)")
	emlPath := fs.String("eml", "", "write an unsent .eml draft to FILE (- for stdout); mail programs open it as a draft")
	mailto := fs.Bool("mailto", false, "hand the draft to the default mail program as a mailto: link")
	toStdout := fs.Bool("stdout", false, "print the draft (To, Subject, body)")
	clip := fs.Bool("clipboard", false, "copy the draft to the clipboard with OSC 52 (needs a terminal)")
	force := fs.Bool("force", false, "draft for a closed (won or lost) contact")
	logTouch := fs.Bool("log-touch", false, "log the touch afterwards, which schedules the next follow-up")
	sendIt := fs.Bool("send", false, "send the draft through the transport of the config's [mail] section (asks first) and log the touch")
	yes := fs.Bool("yes", false, "with --send: send without asking (for scripts)")
	dryRun := fs.Bool("dry-run", false, "with --send: print the exact message that would be sent, and send nothing")
	edit := fs.Bool("edit", false, "open the draft in $VISUAL or $EDITOR first; --send or the output given takes the edited message")
	pos, code, ok := e.parse(fs, args)
	if !ok {
		return code
	}
	if (*yes || *dryRun) && !*sendIt {
		fmt.Fprintln(e.stderr, "leads draft: --yes and --dry-run go with --send")
		return exitUsage
	}
	if *sendIt && (*emlPath != "" || *mailto || *toStdout || *clip || *logTouch || *list) {
		// A sent message logs its own touch, with its Message-ID.
		fmt.Fprintln(e.stderr, "leads draft: --send is an output of its own: leave out --eml, --mailto, --stdout, --clipboard, --log-touch and --list-templates")
		return exitUsage
	}
	outputs := 0
	for _, on := range []bool{*emlPath != "", *mailto, *toStdout, *clip} {
		if on {
			outputs++
		}
	}
	if outputs > 1 {
		fmt.Fprintln(e.stderr, "leads draft: choose one output: --eml FILE, --mailto, --stdout or --clipboard")
		return exitUsage
	}
	if len(pos) > 1 || (len(pos) == 0 && !*list) {
		fmt.Fprintln(e.stderr, "leads draft: give one contact ID (or its first 6+ digits) or email address")
		return exitUsage
	}

	cfgDir, err := draft.ConfigDir(e.getenv)
	if err != nil {
		return e.fail(err)
	}
	sender, err := draft.LoadSender(filepath.Join(cfgDir, "config.toml"))
	if err != nil {
		return e.fail(err)
	}
	if sender.Name == "" && sender.Signature == "" && !*list {
		// Otherwise the mail ends at "Best regards," and nobody notices.
		fmt.Fprintf(e.stderr, "leads draft: drafts are unsigned: add [sender] name = \"Your Name\" (and title, company) to %s\n", filepath.Join(cfgDir, "config.toml"))
	}
	set, err := draft.Load(filepath.Join(cfgDir, "templates"))
	if err != nil {
		// A broken template of the rep's own is reported, file and line,
		// rather than quietly replaced by a built-in.
		fmt.Fprintln(e.stderr, "leads draft: a template has a mistake:")
		fmt.Fprintln(e.stderr, safetext.CleanMultiline(err.Error()))
		return exitFailed
	}

	// Read the contact and close the database again: the editor may stay
	// open for a long time, and the inbox must be able to use the file.
	var ct *store.Contact
	if len(pos) == 1 {
		s, ok := e.open(true)
		if !ok {
			return exitFailed
		}
		ct, err = s.Contact(pos[0])
		s.Close()
		if err != nil {
			return e.fail(err)
		}
	}
	if *list {
		return listTemplates(e, set, ct)
	}

	d, err := draft.Prepare(ct, set, sender, draft.Options{Template: *tmplName, Confirmed: *force, Touches: e.cadenceFor(ct.LatestAction).Total()})
	var refusal *draft.Refusal
	switch {
	case errors.As(err, &refusal):
		msg := refusal.Reason
		if refusal.Confirmable {
			msg = strings.Replace(msg, "confirm to draft anyway", "add --force to draft anyway", 1)
		}
		fmt.Fprintln(e.stderr, "leads draft:", safetext.Clean(msg))
		return exitRefused
	case err != nil:
		return e.fail(err)
	}

	if *edit {
		args, have, err := draft.EditorArgs(e.getenv)
		if err != nil {
			return e.fail(err)
		}
		if !have {
			fmt.Fprintln(e.stderr, "leads draft: --edit needs an editor: set $VISUAL or $EDITOR")
			return exitUsage
		}
		edited, code := runEditor(e, args, d)
		if code != exitOK {
			return code
		}
		d = edited
	}

	if *sendIt {
		return sendDraft(e, ct, d, sender, *yes, *dryRun, *force)
	}

	useEditor := outputs == 0 && !*edit
	var editorArgs []string
	if useEditor {
		var have bool
		editorArgs, have, err = draft.EditorArgs(e.getenv)
		if err != nil {
			return e.fail(err)
		}
		useEditor = have && isTerminal(e.stdin)
	}

	var written string // a draft file to put on record
	switch {
	case *emlPath != "":
		b, err := draft.EML(d, sender, e.now())
		if err != nil {
			return e.fail(err)
		}
		if *emlPath == "-" {
			if _, err := e.stdout.Write(b); err != nil {
				return e.fail(err)
			}
			break
		}
		// O_EXCL: never overwrite a file the rep did not mean to replace.
		f, err := os.OpenFile(*emlPath, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return e.fail(fmt.Errorf("cannot write the .eml: %w", err))
		}
		_, werr := f.Write(b)
		if err := errors.Join(werr, f.Close()); err != nil {
			os.Remove(*emlPath)
			return e.fail(err)
		}
		written = *emlPath
		fmt.Fprintf(e.stderr, "wrote %s: open it in your mail program to review and send\n", safetext.Clean(*emlPath))
	case *mailto:
		u, err := draft.Mailto(d)
		if err != nil {
			return e.fail(err)
		}
		cmd, err := draft.OpenCmd(u)
		if err != nil {
			return e.fail(err)
		}
		cmd.Stdout, cmd.Stderr = e.stderr, e.stderr
		if err := cmd.Run(); err != nil {
			return e.fail(fmt.Errorf("could not start %s to open the mail program: %v", cmd.Args[0], err))
		}
	case *clip:
		if !isTerminal(e.stdout) {
			return e.fail(errors.New("--clipboard writes an OSC 52 sequence to the terminal, and stdout is not one; use --stdout"))
		}
		fmt.Fprint(e.stdout, draft.OSC52(d.Text()))
		fmt.Fprintln(e.stderr, "copied the draft to the clipboard (if your terminal allows OSC 52)")
	case useEditor:
		if code := editDraft(e, editorArgs, d); code != exitOK {
			return code
		}
	default:
		fmt.Fprint(e.stdout, d.Text())
	}

	if written == "" && !*logTouch && !isTerminal(e.stdin) {
		fmt.Fprintf(e.stderr, "not logged as a touch: run again with --log-touch, or log it in the inbox\n")
		return exitOK
	}
	return afterDraft(e, ct, d, written, *logTouch)
}

// afterDraft records the draft file and logs the touch, opening the
// database for writing only now, after the output was handed over.
func afterDraft(e *env, ct *store.Contact, d draft.Draft, written string, logTouch bool) int {
	// A won or lost contact has no cadence to advance: a draft for one
	// (--force) is written, and no touch is asked for or logged, as in
	// the inbox.
	cad := e.cadenceFor(ct.LatestAction)
	if ct.Triage.Status.Closed() {
		if logTouch {
			fmt.Fprintf(e.stderr, "the contact is %s, so no touch to log\n", ct.Triage.Status)
		}
		logTouch = false
	} else if !logTouch && isTerminal(e.stdin) {
		fmt.Fprintf(e.stderr, "Log this as touch %d of %d (schedules the next follow-up)? [y/N] ", d.Touch, cad.Total())
		line, _ := bufio.NewReader(e.stdin).ReadString('\n')
		logTouch = strings.EqualFold(strings.TrimSpace(line), "y") || strings.EqualFold(strings.TrimSpace(line), "yes")
	}
	if written == "" && !logTouch {
		return exitOK
	}
	s, ok := e.open(false)
	if !ok {
		if written != "" {
			fmt.Fprintf(e.stderr, "leads draft: %s was not put on record (forgetting this person will not delete it)\n", safetext.Clean(written))
		}
		return exitFailed
	}
	defer s.Close()
	code := exitOK
	if written != "" {
		if err := s.RecordDraftFile(ct.ID, written); err != nil {
			code = e.fail(err)
		}
	}
	if logTouch {
		t, err := s.LogTouch(ct.ID, e.now(), cad, "")
		if err != nil {
			return e.fail(err)
		}
		msg := fmt.Sprintf("logged touch %d of %d", t.Touches, cad.Total())
		if !t.NextFollowUp.IsZero() {
			msg += "; next follow-up " + t.NextFollowUp.Local().Format("Mon 2 Jan 2006")
		} else {
			msg += "; the cadence is done"
		}
		fmt.Fprintln(e.stderr, msg)
	}
	return code
}

// listTemplates prints every template; with a contact, the one that
// would be chosen is marked with "*".
func listTemplates(e *env, set *draft.Set, ct *store.Contact) int {
	chosen := ""
	if ct != nil {
		chosen = set.Choose(draft.NewData(ct, draft.Sender{}, nil))
	}
	for _, t := range set.Templates() {
		mark := " "
		if t.Name == chosen {
			mark = "*"
		}
		fmt.Fprintf(e.stdout, "%s %-12s %-58s %s\n", mark, t.Name, safetext.Clean(t.Description), safetext.Clean(t.Source))
	}
	return exitOK
}

// isTerminal reports whether r or w is a terminal (not a pipe, a file or
// /dev/null, which a character-device test would accept).
func isTerminal(v any) bool {
	f, ok := v.(interface{ Fd() uintptr })
	return ok && term.IsTerminal(f.Fd())
}

// editDraft opens the draft in the rep's editor, in a file in the private
// directory of temporary files, and prints the message as the rep left
// it. The file holds the person's name, address and message, so it is
// removed as soon as the editor returns, and by the signal handler if the
// terminal closes meanwhile; the next leads removes it after a kill.
func editDraft(e *env, editorArgs []string, d draft.Draft) int {
	edited, code := runEditor(e, editorArgs, d)
	if code != exitOK {
		return code
	}
	fmt.Fprint(e.stdout, edited.Text())
	fmt.Fprintln(e.stderr, "the edited draft is printed above; copy it into your mail program")
	return exitOK
}

// runEditor shows d in the rep's editor and returns the message as the rep
// left it, still the same contact's same touch. When the edited file
// cannot be read back as a message, the rep's text is printed rather than
// lost, and nothing goes on to be sent.
func runEditor(e *env, editorArgs []string, d draft.Draft) (draft.Draft, int) {
	dir, err := scratch.Dir(e.getenv)
	if err != nil {
		return d, e.fail(err)
	}
	path, err := draft.WriteEditorFile(dir, d)
	if err != nil {
		return d, e.fail(err)
	}
	remove := e.atExit(func() { os.Remove(path) })
	defer remove()
	cmd := draft.EditorCmd(editorArgs, path)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = e.stdin, e.stdout, e.stderr
	if err := cmd.Run(); err != nil {
		return d, e.fail(fmt.Errorf("the editor (%s) failed (%v); the draft was not changed", editorArgs[0], err))
	}
	edited, err := draft.ReadEditorFile(path, d.Template)
	if err != nil {
		// The file goes either way; the rep's words are not lost.
		if b, rerr := os.ReadFile(path); rerr == nil {
			e.stdout.Write(b)
		}
		return d, e.fail(fmt.Errorf("the edited draft cannot be used (%v); your text is printed above", err))
	}
	edited.ContactID, edited.Touch = d.ContactID, d.Touch
	return edited, exitOK
}
