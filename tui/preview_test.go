package tui

import (
	"strings"
	"testing"
)

// paneText is the preview pane's part of the screen: what is right of
// the list's separator on each line.
func paneText(m *Model) string {
	var out []string
	for _, l := range strings.Split(screenText(m), "\n") {
		if _, r, ok := strings.Cut(l, "│"); ok {
			out = append(out, r)
		}
	}
	return strings.Join(out, "\n")
}

// TestPreviewPaneFollowsTheCursor: at 140 columns and wider the selected
// contact's funnel, notes and history show beside the list and follow the
// cursor and the rep's changes; p hides and shows the pane; below 140
// columns there is none, and p says why.
func TestPreviewPaneFollowsTheCursor(t *testing.T) {
	m := newModel(t, fixture(t), Options{})
	send(t, m, windowSize(140, 40))
	pane := paneText(m)
	for _, want := range []string{"Hank Test", "Funnel", "Notes", "History"} {
		if !strings.Contains(pane, want) {
			t.Errorf("preview lacks %q:\n%s", want, pane)
		}
	}
	press(t, m, "j")
	if pane := paneText(m); !strings.Contains(pane, "Bob Test") || strings.Contains(pane, "Hank") {
		t.Errorf("preview did not follow the cursor to Bob:\n%s", pane)
	}
	press(t, m, "n")
	typeText(t, m, "asked for a quote")
	press(t, m, "enter")
	if pane := paneText(m); !strings.Contains(pane, "asked for a quote") {
		t.Errorf("preview does not show the new note:\n%s", pane)
	}
	press(t, m, "p")
	if strings.Contains(screenText(m), "│") || !strings.Contains(screenText(m), "Ctry") {
		t.Errorf("p did not hide the preview:\n%s", screenText(m))
	}
	press(t, m, "p")
	if !strings.Contains(paneText(m), "Bob Test") {
		t.Errorf("p did not bring the preview back:\n%s", screenText(m))
	}
	send(t, m, windowSize(139, 40))
	if strings.Contains(screenText(m), "Funnel") {
		t.Errorf("a preview at 139 columns:\n%s", screenText(m))
	}
	press(t, m, "p")
	if !strings.Contains(m.msg, "140 columns") {
		t.Errorf("p at 139 columns said %q", m.msg)
	}
	checkLayout(t, m, 139, 40, "after the preview")
}
