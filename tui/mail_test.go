package tui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/leads-inbox/leads/store"
)

// mailFixture holds Mia, who was sent a message two days ago and replied
// two hours ago; Ned, whose address bounced; and Ola, with no mail.
func mailFixture(t testing.TB, excerpt string) *store.Store {
	t.Helper()
	s := openStore(t, []store.Lead{
		lead("Mia", "mia@m.example", store.ActionContactMe, 72),
		lead("Ned", "ned@n.example", store.ActionInstall, 5),
		lead("Ola", "ola@o.example", store.ActionContactMe, 30),
	})
	id := func(email string) string {
		c, err := s.Contact(email)
		if err != nil {
			t.Fatal(err)
		}
		return c.ID
	}
	mia, ned := id("mia@m.example"), id("ned@n.example")
	if _, err := s.LogSent(mia, testNow.Add(-48*time.Hour), store.DefaultCadence, "<sent1@leads.example>", "Contoso Inventory Pro: your question"); err != nil {
		t.Fatal(err)
	}
	r := store.Reply{MessageID: "<re1@m.example>", At: testNow.Add(-2 * time.Hour),
		Subject: "Re: Contoso Inventory Pro: your question", Excerpt: excerpt}
	if _, ok, err := s.RecordReply(mia, r, testNow); err != nil || !ok {
		t.Fatalf("reply not recorded: %v", err)
	}
	if _, ok, err := s.MarkBouncing(ned, testNow.Add(-3*time.Hour), "<dsn1@mx.example>", "550 5.1.1 user unknown"); err != nil || !ok {
		t.Fatalf("bounce not recorded: %v", err)
	}
	return s
}

const miaReply = "Thanks, yes: we would like a demo next week.\nTuesday or Wednesday afternoon works for us."

// checkFits fails when a line of the screen is wider than the terminal.
func checkFits(t *testing.T, scr string, w int) {
	t.Helper()
	for i, l := range strings.Split(scr, "\n") {
		if widthOf(l) > w {
			t.Errorf("line %d is %d cells wide at %d: %q", i, widthOf(l), w, l)
		}
	}
}

// TestContactTimelineShowsMail: the contact screen tells that the person
// replied and waits, when the last message went out, and the funnel
// timeline holds the message sent and the reply, quoted, in the order
// they happened, at 80 and at 160 columns.
func TestContactTimelineShowsMail(t *testing.T) {
	for _, w := range []int{80, 160} {
		t.Run(fmt.Sprint(w), func(t *testing.T) {
			m := newModel(t, mailFixture(t, miaReply), Options{})
			send(t, m, windowSize(w, 40))
			selectName(t, m, "Mia")
			press(t, m, "enter")
			scr := screenText(m)
			for _, want := range []string{
				"Replied 2h ago · waiting for your answer",
				"Last sent Sun 22 Nov 2026 12:00 (2d ago)",
				"Sent       Contoso Inventory Pro: your question",
				"Replied    Re: Contoso Inventory Pro: your question",
				"> Thanks, yes: we would like a demo next week.",
				"> Tuesday or Wednesday afternoon works for us.",
				"message sent: Contoso Inventory Pro: your question",
				"reply received: Re: Contoso Inventory Pro: your question",
			} {
				if !strings.Contains(scr, want) {
					t.Errorf("contact screen lacks %q:\n%s", want, scr)
				}
			}
			lead, sent, reply := strings.Index(scr, "Contact me Contoso"), strings.Index(scr, "Sent  "), strings.Index(scr, "Replied    Re:")
			if lead < 0 || !(lead < sent && sent < reply) {
				t.Errorf("timeline not in order (lead %d, sent %d, reply %d):\n%s", lead, sent, reply, scr)
			}
			if strings.Contains(scr, "due ") {
				t.Errorf("a reply stopped the cadence, but a follow-up shows as due:\n%s", scr)
			}
			checkFits(t, scr, w)
		})
	}
}

// TestInboxMarksRepliedAndBouncing: the Replied group heads the Action
// view with the time since the reply in the first column and "replied"
// in the status cell; a bouncing address says so in its row; the Replied
// tab (8) holds only the person waiting; the stats count them apart.
func TestInboxMarksRepliedAndBouncing(t *testing.T) {
	for _, w := range []int{80, 160} {
		t.Run(fmt.Sprint(w), func(t *testing.T) {
			m := newModel(t, mailFixture(t, miaReply), Options{})
			send(t, m, windowSize(w, 24))
			scr := screenText(m)
			lines := strings.Split(scr, "\n")
			var mia, ned string
			for _, l := range lines {
				if strings.Contains(l, "Mia Test") {
					mia = l
				}
				if strings.Contains(l, "Ned Test") {
					ned = l
				}
			}
			if !strings.Contains(scr, "── Replied: answer them · 1") {
				t.Errorf("no Replied group:\n%s", scr)
			}
			if !strings.HasPrefix(strings.TrimLeft(mia, " "), "2h ago") || !strings.Contains(mia, "replied") {
				t.Errorf("Mia's row %q: want the clock 2h ago and the replied mark", mia)
			}
			if !strings.Contains(ned, "bouncing") {
				t.Errorf("Ned's row %q lacks the bouncing mark", ned)
			}
			if rowNames(m)[0] != "Mia" {
				t.Errorf("the reply is not first: %v", rowNames(m))
			}
			checkFits(t, scr, w)
			press(t, m, "8")
			if got := rowNames(m); len(got) != 1 || got[0] != "Mia" {
				t.Errorf("Replied view holds %v, want Mia alone", got)
			}
			press(t, m, "i")
			if scr := screenText(m); !strings.Contains(scr, "replied, waiting for your answer 1") {
				t.Errorf("stats do not count the reply:\n%s", scr)
			}
		})
	}
}

// TestMarksInBothThemes: the replied and bouncing marks are drawn in
// styles of their own, in a dark and a light theme and without colour,
// apart from a plain row's (contrast_test.go checks their contrast).
func TestMarksInBothThemes(t *testing.T) {
	for _, th := range []struct {
		dark, noColor bool
	}{{true, false}, {false, false}, {true, true}} {
		m := New(nil, Options{})
		m.dark = th.dark
		m.sty = newStyles(th.dark, th.noColor)
		for name, st := range map[string]string{"replied": m.sty.replied.Render("replied"), "bouncing": m.sty.bouncing.Render("bouncing")} {
			if st == m.sty.row.Render(name) || st == m.sty.dim.Render(name) {
				t.Errorf("dark %v, no colour %v: the %s mark looks like a plain row", th.dark, th.noColor, name)
			}
		}
	}
}

// TestPreviewShowsLatestReply: on a wide screen the preview pane beside
// the list shows the newest reply's first lines at its top.
func TestPreviewShowsLatestReply(t *testing.T) {
	m := newModel(t, mailFixture(t, miaReply), Options{})
	send(t, m, windowSize(160, 30))
	selectName(t, m, "Mia")
	send(t, m, windowSize(160, 30))
	scr := screenText(m)
	for _, want := range []string{"Replied 2h ago", "> Thanks, yes: we would like a demo"} {
		if !strings.Contains(scr, want) {
			t.Errorf("preview lacks %q:\n%s", want, scr)
		}
	}
	checkFits(t, scr, 160)
}

// TestClearBounceAsksAndUndoes: a bouncing address gets no draft; B asks
// first; n keeps the mark; y clears it through the undo stack, so u
// brings it back and ctrl+r clears it again, and a draft can be made; on
// an address that is not bouncing, B says there is nothing to clear and
// asks nothing.
func TestClearBounceAsksAndUndoes(t *testing.T) {
	for _, w := range []int{80, 160} {
		t.Run(fmt.Sprint(w), func(t *testing.T) {
			s := mailFixture(t, miaReply)
			m := newModel(t, s, Options{})
			send(t, m, windowSize(w, 40))
			selectName(t, m, "Ned")
			press(t, m, "enter")
			scr := screenText(m)
			if !strings.Contains(scr, "Bouncing since Tue 24 Nov 2026 09:00") || !strings.Contains(scr, "Bounced    550 5.1.1 user unknown") {
				t.Errorf("contact screen lacks the bounce:\n%s", scr)
			}
			press(t, m, "e")
			if m.screen != screenDetail || !strings.Contains(m.msg, "bounced") {
				t.Fatalf("a draft to a bouncing address: screen %v, message %q", m.screen, m.msg)
			}
			press(t, m, "B")
			if m.prompt.kind != promptConfirmBounce || !strings.Contains(screenText(m), "Clear the bouncing mark of Ned Test?") {
				t.Fatalf("B did not ask:\n%s", screenText(m))
			}
			press(t, m, "n")
			if !triageOf(t, s, "ned@n.example").Bouncing {
				t.Fatal("n cleared the mark")
			}
			press(t, m, "B", "y")
			if triageOf(t, s, "ned@n.example").Bouncing {
				t.Fatal("y did not clear the mark")
			}
			scr = screenText(m)
			if strings.Contains(scr, "Bouncing since") || !strings.Contains(scr, "Cleared    bouncing mark cleared") {
				t.Errorf("contact screen after clearing:\n%s", scr)
			}
			press(t, m, "u")
			if !triageOf(t, s, "ned@n.example").Bouncing {
				t.Fatal("u did not bring the mark back")
			}
			if !strings.Contains(m.msg, "bouncing mark cleared undone") {
				t.Errorf("undo message %q", m.msg)
			}
			if scr := screenText(m); !strings.Contains(scr, "Bouncing since") {
				t.Errorf("contact screen after undo:\n%s", scr)
			}
			send(t, m, tea.KeyPressMsg{Code: 'r', Mod: tea.ModCtrl})
			if triageOf(t, s, "ned@n.example").Bouncing {
				t.Fatal("redo did not clear the mark again")
			}
			press(t, m, "esc")
			selectName(t, m, "Ola")
			press(t, m, "B")
			if m.prompt.kind != promptNone || !strings.Contains(m.msg, "not marked as bouncing") {
				t.Errorf("B on a working address: prompt %v, message %q", m.prompt.kind, m.msg)
			}
			selectName(t, m, "Ned")
			press(t, m, "e")
			if m.screen != screenDraft {
				t.Errorf("no draft once the mark is cleared: screen %v, message %q", m.screen, m.msg)
			}
		})
	}
}

// TestHostileReplyOnContactScreen: a reply whose subject and text carry
// escape sequences, bidi overrides, zero-width characters, a carriage
// return and 40 KB of text reaches the screen cleaned, quoted, capped and
// within the width, in the timeline and in the preview pane.
func TestHostileReplyOnContactScreen(t *testing.T) {
	excerpt := "\x1b]0;pwned\x07\x1b[2Jhello\u202egnp.exe\u200b\rFAKE \x1b]8;;http://evil\x07link\x1b]8;;\x07\n" +
		"\x1b]52;c;aGk=\x07second line\u2028third\n" + strings.Repeat("word ", 8000)
	s := mailFixture(t, "")
	c, err := s.Contact("ola@o.example")
	if err != nil {
		t.Fatal(err)
	}
	r := store.Reply{MessageID: "<evil@x.example>", At: testNow.Add(-time.Hour),
		Subject: "\x1b[31mRe:\x1b[0m \u202eoffer\u200b" + strings.Repeat("S", 40000), Excerpt: excerpt}
	if _, _, err := s.RecordReply(c.ID, r, testNow); err != nil {
		t.Fatal(err)
	}
	for _, w := range []int{80, 160} {
		m := newModel(t, s, Options{})
		send(t, m, windowSize(w, 60))
		selectName(t, m, "Ola")
		send(t, m, windowSize(w, 60))
		screens := []string{m.render()}
		press(t, m, "enter")
		screens = append(screens, m.render())
		for _, raw := range screens {
			scr := plain(raw)
			for _, bad := range []string{"\x1b", "\x07", "\r", "\u202e", "\u200b", "\u2028"} {
				if strings.Contains(scr, bad) {
					t.Errorf("%d columns: the screen holds %q:\n%q", w, bad, scr)
				}
			}
			checkFits(t, scr, w)
		}
		scr := plain(screens[1])
		if !strings.Contains(scr, "> hello") || !strings.Contains(scr, "more lines") {
			t.Errorf("%d columns: the reply is not quoted and capped:\n%s", w, scr)
		}
		if n := strings.Count(scr, "> "); n > replyLines+previewReplyLines {
			t.Errorf("%d columns: %d quoted lines, want the excerpt capped", w, n)
		}
	}
}
