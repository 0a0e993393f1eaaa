package tui

import (
	"bytes"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/leads-inbox/leads/store"
	mailsend "github.com/leads-inbox/leads/tui/draft/send"
	"github.com/leads-inbox/leads/tui/draft/send/smtptest"
)

// sendModel is the draft model with a sender in the config and an SMTP
// transport to a real server on 127.0.0.1.
func sendModel(t *testing.T, opt smtptest.Options) (*Model, *store.Store, *smtptest.Server) {
	t.Helper()
	srv := smtptest.Start(t, opt)
	env := draftEnv(t, nil)
	cfg := filepath.Join(env("XDG_CONFIG_HOME"), "leads")
	if err := os.MkdirAll(cfg, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(cfg, "config.toml"), []byte("[sender]\nname = \"Ana Ruiz\"\nemail = \"ana@contoso.example\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s := fixture(t)
	tr := &mailsend.SMTP{Host: srv.Host, Port: srv.Port, Security: "none", Timeout: 10 * time.Second}
	return newModel(t, s, Options{Getenv: env, Transport: tr}), s, srv
}

// TestDraftSendKeyConfirmsSendsAndLogs: s on the draft screen shows From,
// To, Subject and the transport; y sends through the server and logs the
// touch with the message's Message-ID; n sends nothing.
func TestDraftSendKeyConfirmsSendsAndLogs(t *testing.T) {
	m, s, srv := sendModel(t, smtptest.Options{Security: "none"})
	selectName(t, m, "Alice")
	press(t, m, "e", "s")
	scr := screenText(m)
	for _, want := range []string{"Send this message now? y/n", "To: Alice Test <alice@a.example>", "From: Ana Ruiz <ana@contoso.example>",
		"Subject: Your request about Contoso Inventory Pro", "Via: SMTP 127.0.0.1:"} {
		if !strings.Contains(strings.Join(strings.Fields(scr), " "), want) {
			t.Errorf("confirmation lacks %q:\n%s", want, scr)
		}
	}
	checkLayout(t, m, 80, 24, "send confirmation")
	press(t, m, "n")
	if len(srv.Messages()) != 0 || triageOf(t, s, "alice@a.example").Touches != 0 || m.screen != screenDraft {
		t.Fatalf("n sent or logged: %d messages, %+v", len(srv.Messages()), triageOf(t, s, "alice@a.example"))
	}

	press(t, m, "s", "y")
	got := srv.Messages()
	if len(got) != 1 || strings.Join(got[0].To, ",") != "alice@a.example" {
		t.Fatalf("server got %+v", got)
	}
	msg, err := mail.ReadMessage(bytes.NewReader(got[0].Data))
	if err != nil {
		t.Fatal(err)
	}
	id := store.MessageIDKey(msg.Header.Get("Message-ID"))
	tr := triageOf(t, s, "alice@a.example")
	if tr.Touches != 1 || tr.LastSentAt.IsZero() || tr.NextFollowUp.IsZero() {
		t.Fatalf("not logged: %+v", tr)
	}
	if owner, err := s.ContactForMessageIDs([]string{id}); err != nil || owner != store.ContactIDForEmail("alice@a.example") {
		t.Errorf("Message-ID %q not on record: %q %v", id, owner, err)
	}
	if m.screen != screenInbox || !strings.Contains(screenText(m), "sent to alice@a.example · touch 1 logged") {
		t.Errorf("after sending: screen %d\n%s", m.screen, screenText(m))
	}
}

// TestDraftSendFailureLogsNothing: a server that refuses the message
// leaves the draft open with "not sent: …" and no touch.
func TestDraftSendFailureLogsNothing(t *testing.T) {
	m, s, _ := sendModel(t, smtptest.Options{Security: "none", RejectData: true})
	selectName(t, m, "Alice")
	press(t, m, "e", "s", "y")
	if tr := triageOf(t, s, "alice@a.example"); tr.Touches != 0 || !tr.LastSentAt.IsZero() {
		t.Fatalf("logged a refused message: %+v", tr)
	}
	if m.screen != screenDraft || !strings.Contains(screenText(m), "not sent:") || !strings.Contains(m.msg, "550 Relaying denied") {
		t.Errorf("after a refusal: screen %d\n%s", m.screen, screenText(m))
	}
	if m.draft.busy {
		t.Error("the draft stays busy after a failed send")
	}
}

// TestDraftSendNotSetUp: without a transport the key says how to set one
// up and asks nothing.
func TestDraftSendNotSetUp(t *testing.T) {
	m, _, _ := draftModel(t, nil)
	selectName(t, m, "Alice")
	press(t, m, "e", "s")
	if m.prompt.kind != promptNone || !strings.Contains(m.msg, "[mail]") {
		t.Errorf("prompt %d, message %q", m.prompt.kind, m.msg)
	}
}

// TestSendRechecksTheGuardsAtSend: the draft screen was opened, and then
// a --mail-every scan found the address bouncing (or the contact was
// forgotten from the command line): y must send nothing, since the
// guards hold for sending and not only when the draft was written.
func TestSendRechecksTheGuardsAtSend(t *testing.T) {
	m, s, srv := sendModel(t, smtptest.Options{Security: "none"})
	selectName(t, m, "Alice")
	press(t, m, "e", "s")
	id := store.ContactIDForEmail("alice@a.example")
	if _, _, err := s.MarkBouncing(id, m.now(), "b1@mx.example", "5.1.1"); err != nil {
		t.Fatal(err)
	}
	press(t, m, "y")
	if n := len(srv.Messages()); n != 0 {
		t.Fatalf("sent %d message(s) to a bouncing address", n)
	}
	if tr := triageOf(t, s, "alice@a.example"); tr.Touches != 0 {
		t.Fatalf("logged a touch: %+v", tr)
	}
	if !strings.Contains(m.msg, "bounced") {
		t.Errorf("the status line does not say why: %q", m.msg)
	}
}
