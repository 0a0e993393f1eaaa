package tui

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/leads-inbox/leads/store"
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
	return func() tea.Msg {
		c, err := mailsend.Compose(d, sender, now)
		if err != nil {
			return mailSentMsg{id: id, name: name, err: err}
		}
		ctx, cancel := context.WithTimeout(context.Background(), sendTimeout)
		defer cancel()
		err = tr.Send(ctx, c.Env, c.Bytes)
		return mailSentMsg{id: id, name: name, messageID: c.MessageID, subject: c.Subject, to: d.To, err: err}
	}
}

// onMailSent logs a sent message as a touch with its Message-ID, or says
// in one line why it was not sent (and logs nothing).
func (m *Model) onMailSent(msg mailSentMsg) tea.Cmd {
	if msg.err != nil {
		m.msg, m.msgErr = "not sent: "+cleanErr(msg.err), true
		return nil
	}
	st := m.st
	p := m.x.find(idOf(msg.id))
	cad := m.cfg.Cadence
	if p >= 0 {
		cad = m.cadenceOf(p)
	}
	what := "sent to " + msg.to
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
