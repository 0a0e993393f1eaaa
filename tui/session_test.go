package tui

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/leads-inbox/leads/store"
	mailsend "github.com/leads-inbox/leads/tui/draft/send"
)

// fakeTransport records what it was given to send; fail makes it refuse.
type fakeTransport struct {
	mu   sync.Mutex
	sent [][]byte
	env  []mailsend.Envelope
	fail error
}

func (f *fakeTransport) Send(_ context.Context, env mailsend.Envelope, msg []byte) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail != nil {
		return f.fail
	}
	f.sent, f.env = append(f.sent, msg), append(f.env, env)
	return nil
}

func (f *fakeTransport) String() string { return "fake transport" }

// sessionModel is the inbox over the fixture with a sender configured and
// tr as its transport (nil: sending not set up).
func sessionModel(t *testing.T, tr mailsend.Transport, extra map[string]string) (*Model, *store.Store) {
	t.Helper()
	s := fixture(t)
	env := draftEnv(t, extra)
	dir := filepath.Join(env("XDG_CONFIG_HOME"), "leads")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "config.toml"), []byte("[sender]\nname = \"Sam Rep\"\nemail = \"sam@contoso.example\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	opt := Options{Getenv: env}
	if tr != nil {
		opt.Transport = tr
	}
	return newModel(t, s, opt), s
}

// sessionName is the name of the contact the session shows.
func sessionName(m *Model) string {
	if m.sess.cur == "" {
		return ""
	}
	return m.sess.names[m.sess.cur]
}

func TestSessionWalksTheViewInUrgencyOrder(t *testing.T) {
	tr := &fakeTransport{}
	m, _ := sessionModel(t, tr, nil)
	press(t, m, "3", "W")
	if m.screen != screenSession {
		t.Fatalf("W did not open a session: %q", m.msg)
	}
	t.Logf("queue %d, first %s\n%s", len(m.sess.ses.Queue), sessionName(m), screenText(m))
	send(t, m, windowSize(160, 30))
	t.Logf("\n%s", screenText(m))
	for range 20 {
		if m.sess.summary {
			break
		}
		press(t, m, "space")
	}
	t.Logf("\n%s", screenText(m))
}
