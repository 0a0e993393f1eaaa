package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/charmbracelet/x/term"
	"github.com/leads-inbox/leads/store/safetext"
)

// Desktop notifications of 'leads watch'. A lead's name, company and offer
// are typed by strangers into a public form, and a notification is shown
// by software that may read escape sequences (a terminal, for OSC 9/777)
// or markup (many notification daemons read <a href> and <img> in the
// body). So every piece of lead text passes notifyText before it is put
// into a notice, the notice is checked again where it is written, and
// notify-send is started with an argument list, never through a shell.

// notice is one desktop notification. Title is leads' own text; Body may
// hold cleaned lead text.
type notice struct {
	Title, Body string
}

// notifier shows notices. notify reports why one could not be shown.
type notifier interface {
	notify(n notice) error
	// String names the way notices are shown, for the start-up line.
	String() string
}

// Notification modes of --notify.
const (
	notifyAuto       = "auto"
	notifyNotifySend = "notify-send"
	notifyOSC        = "osc"
	notifyNone       = "none"
)

// Caps on lead text in a notice, in characters: enough to recognise a
// person, short enough that a 40 KB name is a line, not a screen.
const (
	maxNoticeName  = 40
	maxNoticeOffer = 50
	maxNoticeBody  = 200
)

// notifySendTimeout bounds one notify-send: a notification daemon that
// hangs must not stall the next round.
const notifySendTimeout = 5 * time.Second

// errUnknownNotify is a --notify value that is not one of the modes.
var errUnknownNotify = errors.New("--notify must be auto, notify-send, osc or none")

// newNotifier picks how notices are shown: notify-send where it is on
// PATH, else the terminal's OSC 9/777 when stdout is a terminal, else
// none (the log line alone says what happened).
func (e *env) newNotifier(mode string) (notifier, error) {
	switch mode {
	case notifyAuto, notifyNotifySend:
		if p, err := exec.LookPath("notify-send"); err == nil {
			return notifySend{path: p}, nil
		}
		if mode == notifyNotifySend {
			return nil, errors.New("--notify=notify-send: notify-send is not on PATH; install libnotify's notify-send, or use --notify=osc or none")
		}
		if f, ok := e.stdout.(*os.File); ok && term.IsTerminal(f.Fd()) {
			return e.oscNotifier(), nil
		}
		return noNotifier{}, nil
	case notifyOSC:
		return e.oscNotifier(), nil
	case notifyNone:
		return noNotifier{}, nil
	}
	return nil, errUnknownNotify
}

// oscNotifier writes OSC 777 to terminals known to read it (foot, urxvt,
// VTE-based ones such as GNOME Terminal), and OSC 9 to the rest (iTerm2,
// WezTerm, kitty, Ghostty, Windows Terminal).
func (e *env) oscNotifier() notifier {
	term := e.getenv("TERM")
	if strings.HasPrefix(term, "foot") || strings.HasPrefix(term, "rxvt") || e.getenv("VTE_VERSION") != "" {
		return osc{w: e.stdout, code: 777}
	}
	return osc{w: e.stdout, code: 9}
}

// notifySend runs libnotify's notify-send.
type notifySend struct{ path string }

func (n notifySend) String() string { return "notify-send" }

func (n notifySend) notify(x notice) error {
	ctx, cancel := context.WithTimeout(context.Background(), notifySendTimeout)
	defer cancel()
	// "--" ends the options: a body that starts with "-" stays the body.
	// The body is escaped for the daemons that read it as markup.
	cmd := exec.CommandContext(ctx, n.path, "--app-name=leads", "--", oneLineNotice(x.Title), markupEscape(oneLineNotice(x.Body)))
	out, err := cmd.CombinedOutput()
	if err != nil {
		msg := strings.TrimSpace(string(out))
		if msg == "" {
			msg = err.Error()
		}
		return fmt.Errorf("notify-send failed: %s", safetext.Clean(capRunes(msg, 200)))
	}
	return nil
}

// osc writes a terminal notification: ESC ] 9 ; text BEL, or
// ESC ] 777 ; notify ; title ; body BEL.
type osc struct {
	w    io.Writer
	code int
}

func (o osc) String() string { return fmt.Sprintf("the terminal (OSC %d)", o.code) }

func (o osc) notify(x notice) error {
	title, body := oscText(x.Title), oscText(x.Body)
	var seq string
	if o.code == 777 {
		seq = "\x1b]777;notify;" + title + ";" + body + "\a"
	} else {
		// The text starts with the title, never with a digit, so no
		// terminal can read it as one of the numbered OSC 9 commands
		// (9;4 is a progress bar in some).
		seq = "\x1b]9;" + title + ": " + body + "\a"
	}
	_, err := io.WriteString(o.w, seq)
	return err
}

// noNotifier shows nothing: the log line is all.
type noNotifier struct{}

func (noNotifier) String() string      { return "none (the log line only)" }
func (noNotifier) notify(notice) error { return nil }

// notifyText makes a piece of lead text fit for a notice: cleaned (no
// escape sequence, control, bidi or invisible character), spaces folded
// and cut to max characters.
func notifyText(s string, max int) string {
	return capRunes(strings.Join(strings.Fields(safetext.Clean(s)), " "), max)
}

// oneLineNotice is the last check on a whole notice's text, as a title or
// body leaves leads: cleaned again and capped, whatever built it.
func oneLineNotice(s string) string { return notifyText(s, maxNoticeBody) }

// oscText is notice text for inside an OSC sequence. Beyond the clean-up
// (which removes ESC, BEL, every C0 and C1 control, so the text cannot end
// the sequence or start another), ';' becomes ',' because OSC 777 splits
// its fields on ';' and a name must not become the body.
func oscText(s string) string {
	s = oneLineNotice(s)
	return strings.Map(func(r rune) rune {
		switch {
		case r == ';':
			return ','
		case r < 0x20, r >= 0x7f && r <= 0x9f:
			return -1
		}
		return r
	}, s)
}

// markupEscape escapes the characters notification daemons read as
// markup, so a name such as <a href=…> is shown, not followed.
func markupEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// capRunes cuts s to at most max characters, marking the cut with "…".
func capRunes(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	n := 0
	for i := range s {
		if n == max-1 {
			return s[:i] + "…"
		}
		n++
	}
	return s
}
