package tui

import (
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/leads-inbox/leads/tui/config"
	"github.com/leads-inbox/leads/tui/draft"
)

// lookPath finds clipboard tools; tests replace it.
var lookPath = exec.LookPath

// osc52Only says what c did when no clipboard tool was there to use.
const osc52Only = "copied via OSC 52 only, which tmux and some terminals drop: install wl-copy, xclip or xsel, or set [inbox] clipboard"

// copyDraft is c on the draft screen: the text goes out by OSC 52, which
// reaches the clipboard of a terminal across ssh, and through the system
// clipboard tool where there is one, since tmux and many terminals drop
// OSC 52. The message names the tool used.
func (m *Model) copyDraft(text, id string) tea.Cmd {
	argv := draft.ClipboardTool(m.cfg.Clipboard, m.getenv, runtime.GOOS, lookPath)
	if argv == nil {
		m.offerTouch(osc52Only)
		return tea.SetClipboard(text)
	}
	m.draft.busy = true
	configured := len(m.cfg.Clipboard) > 0
	return tea.Batch(tea.SetClipboard(text), func() tea.Msg {
		if err := draft.CopyWith(argv, text); err != nil {
			if configured {
				return draftOutMsg{id: id, err: err}
			}
			return draftOutMsg{id: id, what: osc52Only + " (" + err.Error() + ")"}
		}
		return draftOutMsg{id: id, what: "copied with " + filepath.Base(argv[0])}
	})
}

// unsignedWarning says, once a session, that drafts end at "Best
// regards," with no name because the config has no [sender]: the rep would
// otherwise send unsigned mail without noticing.
func (m *Model) unsignedWarning(s draft.Sender) string {
	if m.senderWarned || s.Name != "" || s.Signature != "" {
		return ""
	}
	m.senderWarned = true
	path := m.cfg.Path
	if path == "" {
		if p, err := config.Path(m.getenv); err == nil {
			path = p
		}
	}
	return "drafts are unsigned: add [sender] name = \"Your Name\" (and title, company) to " + strings.TrimSpace(path)
}
