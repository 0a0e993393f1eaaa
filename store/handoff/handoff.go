// Package handoff lets the open inbox and other leads commands share one
// database while bbolt keeps a single writer. The inbox serves a Unix
// socket named after the database; a command that finds the file locked
// asks it to let go, keeps the connection open while it works, and the
// inbox takes the file back once every connection has closed — which
// happens when the command exits, however it exits (even kill -9).
//
// The socket lives in $XDG_RUNTIME_DIR/leads (else /run/user/UID/leads,
// else a leads-UID folder in the temporary directory), a folder only its owner may enter, with mode
// 0600, and the inbox answers only processes of its own user (the peer's
// uid, checked by the kernel's credentials on the connection).
package handoff

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// ErrNoInbox means no inbox serves the database: the lock, if any, is held
// by another command, which does not let go.
var ErrNoInbox = errors.New("no inbox serves this database")

// Peer is a process on the other end of the socket.
type Peer struct {
	PID     int
	Command string // "leads import", as the asking process names itself
}

// String is how the inbox names the peer: "leads import (pid 4242)".
func (p Peer) String() string {
	c := p.Command
	if c == "" {
		c = "another leads command"
	}
	if p.PID > 0 {
		return fmt.Sprintf("%s (pid %d)", c, p.PID)
	}
	return c
}

// SocketPath returns the socket of the database at dbPath. getenv reads
// the environment (nil: os.Getenv).
func SocketPath(dbPath string, getenv func(string) string) (string, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	dir := getenv("XDG_RUNTIME_DIR")
	if dir == "" || !filepath.IsAbs(dir) {
		// cron starts commands without XDG_RUNTIME_DIR, while the inbox
		// in a desktop session has it: the usual folder, where there is
		// one of this user's, is the one they both name.
		if d := filepath.Join(userRuntimeDirs, strconv.Itoa(os.Getuid())); isOwnDir(d) {
			dir = d
		}
	}
	if dir != "" && filepath.IsAbs(dir) {
		dir = filepath.Join(dir, "leads")
	} else {
		dir = filepath.Join(os.TempDir(), "leads-"+strconv.Itoa(os.Getuid()))
	}
	abs, err := filepath.Abs(dbPath)
	if err != nil {
		return "", err
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		abs = real
	}
	sum := sha256.Sum256([]byte(abs))
	return filepath.Join(dir, hex.EncodeToString(sum[:12])+".sock"), nil
}

// userRuntimeDirs holds each user's runtime folder, named by uid, where
// the system makes them (a test points it elsewhere).
var userRuntimeDirs = "/run/user"

// isOwnDir reports a folder of this user's that no one else may enter.
func isOwnDir(dir string) bool {
	fi, err := os.Lstat(dir)
	return err == nil && fi.IsDir() && fi.Mode().Perm()&0o077 == 0 && ownedByMe(fi)
}

// ownDir makes the socket's folder, or checks the one there: a folder
// another user made, or one others may enter, is refused.
func ownDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	if !isOwnDir(dir) {
		return fmt.Errorf("%s is not a private folder of this user", dir)
	}
	return nil
}

// Hooks are what the inbox does for the asking processes.
type Hooks struct {
	// Release lets go of the file for p; it returns once bbolt is
	// closed. It is called for the first of the processes holding it.
	Release func(p Peer) error
	// Reclaim takes the file back once the last of them has gone.
	Reclaim func()
	// Queued tells of a further process asking while the file is away.
	Queued func(p Peer)
}

// Server is the inbox's end of the socket.
type Server struct {
	ln    *net.UnixListener
	path  string
	hooks Hooks

	mu      sync.Mutex // serialises letting go and taking back
	holders int
	wg      sync.WaitGroup
	closed  bool
}

// Listen serves the socket of dbPath. The caller holds the database's
// lock, so a socket file left there is a dead inbox's and is replaced.
func Listen(dbPath string, getenv func(string) string, hooks Hooks) (*Server, error) {
	path, err := SocketPath(dbPath, getenv)
	if err != nil {
		return nil, err
	}
	if err := ownDir(filepath.Dir(path)); err != nil {
		return nil, err
	}
	_ = os.Remove(path)
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		return nil, err
	}
	ln.SetUnlinkOnClose(true)
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return nil, err
	}
	s := &Server{ln: ln, path: path, hooks: hooks}
	s.wg.Add(1)
	go s.serve()
	return s, nil
}

// Close stops serving; the connections still open are left to end.
func (s *Server) Close() error {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	err := s.ln.Close()
	s.wg.Wait()
	return err
}

func (s *Server) serve() {
	defer s.wg.Done()
	for {
		c, err := s.ln.AcceptUnix()
		if err != nil {
			return
		}
		go s.handle(c)
	}
}

// The requests, one line each: "release COMMAND" asks the inbox to let
// go (answered "ok" once it has, or "error TEXT"); "who" asks what
// serves the socket (answered "inbox").
func (s *Server) handle(c *net.UnixConn) {
	defer c.Close()
	uid, pid, err := peerCred(c)
	if err != nil || uid != os.Getuid() {
		return
	}
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	r := bufio.NewReader(io.LimitReader(c, 512))
	line, err := r.ReadString('\n')
	if err != nil {
		return
	}
	_ = c.SetReadDeadline(time.Time{})
	verb, arg, _ := strings.Cut(strings.TrimSpace(line), " ")
	switch verb {
	case "who":
		_, _ = io.WriteString(c, "inbox\n")
		return
	case "release":
	default:
		return
	}
	p := Peer{PID: pid, Command: cleanCommand(arg)}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		_, _ = io.WriteString(c, "error the inbox is closing\n")
		return
	}
	if s.holders == 0 {
		if err := s.hooks.Release(p); err != nil {
			s.mu.Unlock()
			_, _ = io.WriteString(c, "error "+strings.ReplaceAll(err.Error(), "\n", " ")+"\n")
			return
		}
	} else if s.hooks.Queued != nil {
		s.hooks.Queued(p)
	}
	s.holders++
	s.mu.Unlock()
	_, _ = io.WriteString(c, "ok\n")
	// The process works while its connection is open; its end closing
	// (an exit, a crash, a kill) is the sign it is done.
	_, _ = io.Copy(io.Discard, c)
	s.mu.Lock()
	s.holders--
	if s.holders == 0 {
		s.hooks.Reclaim()
	}
	s.mu.Unlock()
}

// cleanCommand keeps a printable, short command name.
func cleanCommand(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return -1
		}
		return r
	}, s)
	if len(s) > 40 {
		s = s[:40]
	}
	return s
}

// Lease is an asking process's hold on the database: the inbox keeps
// away until it is closed (or the process ends).
type Lease struct{ c *net.UnixConn }

// Close gives the database back to the inbox.
func (l *Lease) Close() error { return l.c.Close() }

func dial(dbPath string, getenv func(string) string) (*net.UnixConn, int, error) {
	path, err := SocketPath(dbPath, getenv)
	if err != nil {
		return nil, 0, ErrNoInbox
	}
	c, err := net.DialUnix("unix", nil, &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		return nil, 0, ErrNoInbox
	}
	uid, pid, err := peerCred(c)
	if err != nil || uid != os.Getuid() {
		c.Close()
		return nil, 0, ErrNoInbox
	}
	return c, pid, nil
}

// Ask asks the inbox serving dbPath, if any, to let go of it for command.
// If the answer takes longer than a second, waiting is called once, so
// the asking process can say why it waits. ErrNoInbox: none serves it.
func Ask(dbPath string, getenv func(string) string, command string, waiting func(inboxPID int)) (*Lease, error) {
	c, pid, err := dial(dbPath, getenv)
	if err != nil {
		return nil, err
	}
	if _, err := io.WriteString(c, "release "+cleanCommand(command)+"\n"); err != nil {
		c.Close()
		return nil, ErrNoInbox
	}
	t := time.AfterFunc(time.Second, func() {
		if waiting != nil {
			waiting(pid)
		}
	})
	line, err := bufio.NewReader(io.LimitReader(c, 512)).ReadString('\n')
	t.Stop()
	if err != nil {
		c.Close()
		return nil, ErrNoInbox
	}
	line = strings.TrimSpace(line)
	if line != "ok" {
		c.Close()
		return nil, fmt.Errorf("the inbox (pid %d) could not let go of the database: %s", pid, strings.TrimPrefix(line, "error "))
	}
	return &Lease{c: c}, nil
}

// Inbox reports the pid of an inbox serving dbPath, if one does.
func Inbox(dbPath string, getenv func(string) string) (int, bool) {
	c, pid, err := dial(dbPath, getenv)
	if err != nil {
		return 0, false
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(time.Second))
	if _, err := io.WriteString(c, "who\n"); err != nil {
		return 0, false
	}
	line, err := bufio.NewReader(io.LimitReader(c, 64)).ReadString('\n')
	return pid, err == nil && strings.TrimSpace(line) == "inbox"
}
