package handoff

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
)

// TestAskReleasesAndClosingReclaims: the socket and its folder are
// private; a request names the asking command and its pid; the inbox
// takes the database back only when the last lease is closed.
func TestAskReleasesAndClosingReclaims(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("peer credentials are read on Linux only")
	}
	run, err := os.MkdirTemp("", "ho")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(run) })
	getenv := func(k string) string {
		if k == "XDG_RUNTIME_DIR" {
			return run
		}
		return ""
	}
	db := filepath.Join(t.TempDir(), "leads.db")
	if _, err := Ask(db, getenv, "leads list", nil); !errors.Is(err, ErrNoInbox) {
		t.Fatalf("Ask with no inbox: %v", err)
	}
	released := make(chan Peer, 2)
	reclaimed := make(chan struct{}, 2)
	srv, err := Listen(db, getenv, Hooks{
		Release: func(p Peer) error { released <- p; return nil },
		Reclaim: func() { reclaimed <- struct{}{} },
	})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	sock, _ := SocketPath(db, getenv)
	for path, want := range map[string]os.FileMode{sock: 0o600, filepath.Dir(sock): 0o700} {
		fi, err := os.Stat(path)
		if err != nil || fi.Mode().Perm() != want {
			t.Fatalf("%s: %v %v, want mode %o", path, fi.Mode(), err, want)
		}
	}
	if pid, ok := Inbox(db, getenv); !ok || pid != os.Getpid() {
		t.Fatalf("Inbox: %d %v", pid, ok)
	}
	a, err := Ask(db, getenv, "leads import\x1b[2J", nil)
	if err != nil {
		t.Fatal(err)
	}
	if p := <-released; p.PID != os.Getpid() || p.Command != "leads import[2J" {
		t.Fatalf("released for %+v", p)
	}
	b, err := Ask(db, getenv, "leads mark", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	<-reclaimed
	select {
	case <-reclaimed:
		t.Fatal("taken back twice for two leases held together")
	case p := <-released:
		t.Fatalf("let go twice for two leases held together (%+v)", p)
	default:
	}
}

// TestListenRefusesAFolderOthersMayEnter: a runtime folder that others
// can enter (or that another user made) is not used for the socket.
func TestListenRefusesAFolderOthersMayEnter(t *testing.T) {
	run := t.TempDir()
	if err := os.Mkdir(filepath.Join(run, "leads"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Join(run, "leads"), 0o755); err != nil {
		t.Fatal(err)
	}
	getenv := func(string) string { return run }
	if srv, err := Listen(filepath.Join(t.TempDir(), "leads.db"), getenv, Hooks{}); err == nil {
		srv.Close()
		t.Fatal("Listen used a folder others may enter")
	}
}

// TestCronFindsTheDesktopInbox: a command started by cron has no
// XDG_RUNTIME_DIR; it must name the same socket as the inbox in the
// desktop session, whose XDG_RUNTIME_DIR is /run/user/UID.
func TestCronFindsTheDesktopInbox(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("file owners are read on Linux only")
	}
	users := t.TempDir()
	defer func(old string) { userRuntimeDirs = old }(userRuntimeDirs)
	userRuntimeDirs = users
	desktop := filepath.Join(users, strconv.Itoa(os.Getuid()))
	if err := os.Mkdir(desktop, 0o700); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(t.TempDir(), "leads.db")
	inbox, err := SocketPath(db, func(k string) string {
		if k == "XDG_RUNTIME_DIR" {
			return desktop
		}
		return ""
	})
	if err != nil {
		t.Fatal(err)
	}
	cron, err := SocketPath(db, func(string) string { return "" })
	if err != nil || cron != inbox {
		t.Fatalf("cron's socket %q (%v), the inbox's %q", cron, err, inbox)
	}
}
