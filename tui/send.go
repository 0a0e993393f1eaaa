package tui

import (
	"context"
	"errors"
	"fmt"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/leads-inbox/leads/store"
	"github.com/leads-inbox/leads/store/safetext"
	"github.com/leads-inbox/leads/tui/draft"
	mailsend "github.com/leads-inbox/leads/tui/draft/send"
)

// sendTimeout bounds one send: a transport that stalls must give the
// inbox back with one line rather than hold a message in flight forever.
const sendTimeout = 2 * time.Minute

// mailSentMsg reports one send: the transport accepted the message (err
// nil), or why not.
type mailSentMsg struct {
	id        string // contact ID
	name      string // the contact's shown name, for the status line
	messageID string
	subject   string
	to        string
	touch     int // the touch the draft was written as
	err       error
}

// sendCmd composes d for contact id and hands it to the rep's transport
// off the UI goroutine. Nothing is logged here: onMailSent logs the touch
// only once the transport has accepted the message.
func (m *Model) sendCmd(id, name string, d draft.Draft, sender draft.Sender) tea.Cmd {
	tr := m.opt.Transport
	if tr == nil {
		m.msg, m.msgErr = "sending is not set up: add a [mail] section to the config (leads config)", true
		return nil
	}
	now := m.now()
	st := m.st
	return func() tea.Msg {
		// The guards again, on the contact as stored now: while the
		// draft or the session step was open, a mail scan may have found
		// the address bouncing, an import a do-not-contact lead, or the
		// rep forgotten the person from the command line. A closed
		// contact passes: the rep confirmed drafting for it.
		c, err := st.Contact(id)
		if err == nil && c == nil {
			err = store.ErrNotFound
		}
		if err != nil {
			if errors.Is(err, store.ErrNotFound) {
				err = errors.New("this contact is no longer in the database (forgotten or merged)")
			}
			return mailSentMsg{id: id, name: name, err: err}
		}
		if err := draft.Check(c, true); err != nil {
			return mailSentMsg{id: id, name: name, err: err}
		}
		composed, err := mailsend.Compose(d, sender, now)
		if err != nil {
			return mailSentMsg{id: id, name: name, err: err}
		}
		ctx, cancel := context.WithTimeout(context.Background(), sendTimeout)
		defer cancel()
		err = tr.Send(ctx, composed.Env, composed.Bytes)
		return mailSentMsg{id: id, name: name, messageID: composed.MessageID, subject: composed.Subject, to: d.To, touch: d.Touch, err: err}
	}
}

// onMailSent logs a sent message as a touch with its Message-ID, or says
// in one line why it was not sent (and logs nothing).
func (m *Model) onMailSent(msg mailSentMsg) tea.Cmd {
	onDraft := m.screen == screenDraft && m.draft.id == msg.id
	if onDraft {
		m.draft.busy = false
	}
	if !mailsend.Sent(msg.err) {
		// The draft stays open: the rep can fix the setup and press s
		// again, or hand the draft to another output.
		m.msg, m.msgErr = "not sent: "+cleanErr(msg.err), true
		m.msgs.seq++
		return nil
	}
	var cmds []tea.Cmd
	if onDraft {
		cmds = append(cmds, m.leaveDraft())
	}
	return tea.Batch(append(cmds, m.logSent(msg))...)
}

// logSent logs the touch of a message the transport accepted.
func (m *Model) logSent(msg mailSentMsg) tea.Cmd {
	st := m.st
	p := m.x.find(idOf(msg.id))
	cad := m.cfg.Cadence
	if p >= 0 {
		cad = m.cadenceOf(p)
	}
	what := fmt.Sprintf("sent to %s · touch %d logged", msg.to, msg.touch)
	var ce *mailsend.CopyError
	if errors.As(msg.err, &ce) {
		what += " · " + cleanErr(ce)
	}
	fn := func(id string, at time.Time) (store.Triage, error) {
		return st.LogSent(id, at, cad, msg.messageID, msg.subject)
	}
	if p < 0 {
		// The contact left the index meanwhile (forgotten, merged): the
		// message went out all the same, so the log is still written.
		id, at := msg.id, m.now()
		return func() tea.Msg {
			t, err := fn(id, at)
			return changedMsg{id: id, pos: -1, t: t, what: what, err: err}
		}
	}
	return m.change(p, what, fn)
}

// askSend is the send key on the draft screen: it shows what would go out
// (From, To, Subject and the transport) and waits for y. Nothing is sent
// without that answer, one message at a time.
func (m *Model) askSend() tea.Cmd {
	d := &m.draft
	switch {
	case d.err != nil:
		m.msg, m.msgErr = "no draft to send: t picks another template", true
		return nil
	case d.busy:
		m.say("one moment: the last output is still running")
		return nil
	case m.opt.Transport == nil:
		m.msg, m.msgErr = "sending is not set up: add sendmail or smtp_host to the [mail] section of the config (leads config)", true
		return nil
	case d.sender.Email == "":
		m.msg, m.msgErr = "no sender address: set email in the [sender] section of the config (leads config)", true
		return nil
	}
	to := d.d.To
	if d.d.ToName != "" {
		to = safetext.Clean(d.d.ToName) + " <" + d.d.To + ">"
	}
	from := d.sender.Email
	if d.sender.Name != "" {
		from = safetext.Clean(d.sender.Name) + " <" + from + ">"
	}
	// Shown whole above the prompt line (draftView): at 80 columns one
	// line would cut off the subject, which the rep must see.
	d.confirm = []string{"From:    " + from, "To:      " + to, "Subject: " + safetext.Clean(d.d.Subject),
		"Via:     " + safetext.Clean(m.opt.Transport.String())}
	m.prompt = prompt{kind: promptDraftSend, label: "Send this message now? y/n"}
	return nil
}

// sendPromptKey answers the send confirmation.
func (m *Model) sendPromptKey(k tea.KeyPressMsg) tea.Cmd {
	d := &m.draft
	switch k.String() {
	case "y", "Y":
		m.closePrompt()
		cmd := m.sendCmd(d.id, safetext.Clean(d.c.Name()), d.d, d.sender)
		if cmd != nil {
			d.busy = true
			m.say("sending to " + d.d.To + "…")
		}
		return cmd
	case "n", "N", "esc", "q":
		m.closePrompt()
		m.say("not sent")
	}
	return nil
}
