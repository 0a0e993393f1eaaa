package draft

import "encoding/base64"

// OSC52 returns the terminal sequence that puts text on the system
// clipboard (OSC 52, understood by most terminals and by tmux with
// set-clipboard on). The text travels base64-encoded, so nothing in it can
// act on the terminal. The inbox uses tea.SetClipboard instead; this is for
// the CLI, which must write it only when stdout is a terminal.
func OSC52(text string) string {
	return "\x1b]52;c;" + base64.StdEncoding.EncodeToString([]byte(text)) + "\x07"
}
