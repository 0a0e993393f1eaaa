package tui

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/leads-inbox/leads/tui/config"
)

func draftModelWith(t *testing.T, c *config.Config, extra map[string]string) *Model {
	t.Helper()
	env := draftEnv(t, extra)
	return newModel(t, fixture(t), Options{Getenv: env, Config: c})
}

// c hands the draft to the configured clipboard command (a real process
// here) and says which was used.
func TestDraftCopyUsesClipboardCommand(t *testing.T) {
	out := filepath.Join(t.TempDir(), "clip")
	c := baseConfig()
	c.Clipboard = []string{"sh", "-c", "cat > " + out}
	m := draftModelWith(t, c, nil)
	selectName(t, m, "Alice")
	press(t, m, "e", "c")
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatalf("the clipboard command did not run: %v", err)
	}
	if string(b) != m.draft.d.Text() {
		t.Fatalf("clipboard got %q, want the draft's text", b)
	}
	if !strings.Contains(m.prompt.label, "copied with sh") {
		t.Fatalf("the message does not name the tool: %q", m.prompt.label)
	}
}

// Without a tool, c still copies by OSC 52 and says that this is all it
// did, and how to get more.
func TestDraftCopyWithoutToolSaysOSC52(t *testing.T) {
	old := lookPath
	lookPath = func(string) (string, error) { return "", errors.New("not found") }
	t.Cleanup(func() { lookPath = old })
	m := draftModelWith(t, baseConfig(), map[string]string{"DISPLAY": ":0"})
	selectName(t, m, "Alice")
	press(t, m, "e", "c")
	if !strings.Contains(m.prompt.label, "OSC 52 only") || !strings.Contains(m.prompt.label, "xclip") {
		t.Fatalf("message %q", m.prompt.label)
	}
}

// A configured command that fails is an error, not a silent OSC 52.
func TestDraftCopyCommandFailure(t *testing.T) {
	c := baseConfig()
	c.Clipboard = []string{"sh", "-c", "exit 3"}
	m := draftModelWith(t, c, nil)
	selectName(t, m, "Alice")
	press(t, m, "e", "c")
	if !m.msgErr || !strings.Contains(m.msg, "sh failed") {
		t.Fatalf("message %q (error %v)", m.msg, m.msgErr)
	}
}

// Without [sender] the draft screen says once that drafts are unsigned,
// and where to sign them.
func TestDraftUnsignedWarnsOnce(t *testing.T) {
	m := draftModelWith(t, nil, nil)
	selectName(t, m, "Alice")
	press(t, m, "e")
	scr := screenText(m)
	if !strings.Contains(scr, "drafts are unsigned") || !strings.Contains(scr, filepath.Join("config", "leads", "config.toml")) {
		t.Fatalf("no warning with the config path:\n%s", scr)
	}
	press(t, m, "esc", "e")
	if strings.Contains(screenText(m), "unsigned") {
		t.Fatalf("warned twice:\n%s", screenText(m))
	}
}

// Paragraphs are written as paragraphs and wrapped at the screen width, so
// no line of a paragraph ends early ("you? If you" alone on a line).
func TestDraftParagraphsWrapEvenly(t *testing.T) {
	for _, w := range []int{80, 61, 100} {
		m := draftModelWith(t, nil, nil)
		selectName(t, m, "Alice")
		press(t, m, "e")
		send(t, m, windowSize(w, 40))
		lines := strings.Split(screenText(m), "\n")
		body := false
		for i := 0; i+1 < len(lines); i++ {
			cur, next := strings.TrimRight(lines[i], " "), strings.TrimSpace(lines[i+1])
			if strings.HasPrefix(cur, "Hi Alice") {
				body = true
				continue
			}
			if strings.Contains(next, "E/enter") {
				break // the hint bar
			}
			if !body || cur == "" || next == "" || strings.HasPrefix(cur, "Best regards") {
				continue
			}
			word := strings.Fields(next)[0]
			if widthOf(cur)+1+widthOf(word) <= w {
				t.Errorf("width %d: line %q ends early; %q would have fitted", w, cur, word)
			}
		}
		if !body {
			t.Fatalf("no draft body on screen:\n%s", screenText(m))
		}
	}
}

// y on the contact screen copies the address the way c copies a draft:
// through the clipboard tool as well as OSC 52, naming the tool.
func TestCopyEmailUsesClipboardCommand(t *testing.T) {
	out := filepath.Join(t.TempDir(), "clip")
	c := baseConfig()
	c.Clipboard = []string{"sh", "-c", "cat > " + out}
	m, _ := configModel(t, c)
	selectName(t, m, "Bob")
	press(t, m, "enter", "y")
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatalf("the clipboard command did not run: %v", err)
	}
	if string(b) != "bob@b.example" {
		t.Fatalf("clipboard got %q, want Bob's address", b)
	}
	if !strings.Contains(m.msg, "copied bob@b.example with sh") {
		t.Fatalf("the message does not name the tool: %q", m.msg)
	}
}
