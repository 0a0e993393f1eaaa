package draft

import (
	"context"
	"encoding/base64"
	"fmt"
	"os/exec"
	"strings"
	"time"

	"github.com/leads-inbox/leads/store/safetext"
)

// OSC52 returns the terminal sequence that puts text on the system
// clipboard (OSC 52, understood by most terminals and by tmux with
// set-clipboard on). The text travels base64-encoded, so nothing in it can
// act on the terminal. The inbox uses tea.SetClipboard instead; this is for
// the CLI, which must write it only when stdout is a terminal.
func OSC52(text string) string {
	return "\x1b]52;c;" + base64.StdEncoding.EncodeToString([]byte(text)) + "\x07"
}

// clipboardTools are the system tools tried in turn, each when its
// session is there: Wayland, X11, macOS.
var clipboardTools = []struct {
	env  string // the variable that says the session is there ("" always)
	goos string // the system it is for ("" any)
	argv []string
}{
	{"WAYLAND_DISPLAY", "", []string{"wl-copy"}},
	{"DISPLAY", "", []string{"xclip", "-selection", "clipboard"}},
	{"DISPLAY", "", []string{"xsel", "--clipboard", "--input"}},
	{"", "darwin", []string{"pbcopy"}},
}

// ClipboardTool returns the command that puts text on the system
// clipboard: the configured one ([inbox] clipboard) when given, else the
// first tool of the session that is installed, else nil. OSC 52 alone is
// not enough: tmux drops it unless set-clipboard is on, and many
// terminals ignore it.
func ClipboardTool(configured []string, getenv func(string) string, goos string, lookPath func(string) (string, error)) []string {
	if len(configured) > 0 {
		return configured
	}
	for _, t := range clipboardTools {
		if (t.env != "" && getenv(t.env) == "") || (t.goos != "" && t.goos != goos) {
			continue
		}
		if _, err := lookPath(t.argv[0]); err == nil {
			return t.argv
		}
	}
	return nil
}

// clipboardTimeout bounds a clipboard tool that hangs (an X server that
// does not answer).
const clipboardTimeout = 5 * time.Second

// CopyWith runs argv with text on its standard input. Its output is
// discarded rather than read, because xclip stays behind to serve the
// selection and would hold a pipe open for as long as it does.
func CopyWith(argv []string, text string) error {
	ctx, cancel := context.WithTimeout(context.Background(), clipboardTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Stdin = strings.NewReader(text)
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s failed: %v", safetext.Clean(argv[0]), err)
	}
	return nil
}
