// Package dovecottest runs a real Dovecot IMAP server for tests, so the
// IMAP source is tested against the server reps actually use rather than a
// mock of our own.
//
// The server is Debian's dovecot-imapd (`apt-get install dovecot-imapd`),
// or the dovecot binary named by $DOVECOT. Each test gets its own server,
// a child of the test process, with a private configuration, state, log
// and Maildir in a temporary directory: it listens on 127.0.0.1 only,
// logs to a file (never syslog), and touches nothing system-wide. When
// Dovecot is missing, tests skip with a message saying how to install
// it, except under CI=true, where a missing server is a failure: CI must
// not go green by testing nothing.
package dovecottest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-imap"
	"github.com/emersion/go-imap/client"
)

// The test account. The password is a test fixture: it opens only this
// throwaway server.
const (
	User     = "ana@example.com"
	Password = "dovecot-test-pw-9f3a"
)

// Server is a running Dovecot on loopback ports.
type Server struct {
	// Host is "127.0.0.1".
	Host string
	// PlainPort takes plain IMAP and STARTTLS; TLSPort implicit TLS.
	PlainPort, TLSPort int
	// TLS trusts the server's self-signed certificate (for 127.0.0.1).
	TLS *tls.Config
	// Dir holds the configuration, log and mail.
	Dir string

	cmd    *exec.Cmd
	exited chan struct{}
}

// Binary finds dovecot: $DOVECOT, else dovecot on $PATH or in /usr/sbin
// (not on a non-root user's PATH on Debian). It returns "" when none.
func Binary() string {
	if p := os.Getenv("DOVECOT"); p != "" {
		return p
	}
	if p, err := exec.LookPath("dovecot"); err == nil {
		return p
	}
	if _, err := os.Stat("/usr/sbin/dovecot"); err == nil {
		return "/usr/sbin/dovecot"
	}
	return ""
}

// Require skips the test (or fails it under CI=true) when Dovecot is not
// installed, and returns its path otherwise.
func Require(t testing.TB) string {
	t.Helper()
	if p := Binary(); p != "" {
		return p
	}
	msg := "Dovecot is not installed: run `apt-get install dovecot-imapd`, or set DOVECOT to a dovecot binary"
	if ci := os.Getenv("CI"); ci != "" && ci != "false" && ci != "0" {
		t.Fatal(msg + " (CI is set, so this is a failure, not a skip)")
	}
	t.Skip(msg)
	return ""
}

// Start runs a fresh Dovecot for the test and stops it when the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	bin := Require(t)
	var lastErr error
	// Ports are found by binding :0 and releasing them, so another
	// process can take one first: retry a few times.
	for attempt := 0; attempt < 5; attempt++ {
		s, err := start(t, bin)
		if err == nil {
			t.Cleanup(s.Stop)
			return s
		}
		lastErr = err
	}
	t.Fatal(lastErr)
	return nil
}

// accounts picks the system users the server's processes run as. As
// root, Dovecot refuses to run its login processes as root: they run as
// the package's dovenull user, the rest as its dovecot user, which then
// owns the test's files. As anyone else, every process runs as that user.
type accounts struct {
	login, internal, group string
	uid, gid               int
}

func whoRuns() (accounts, error) {
	if os.Geteuid() != 0 {
		u, err := user.Current()
		if err != nil {
			return accounts{}, err
		}
		g, err := user.LookupGroupId(u.Gid)
		if err != nil {
			return accounts{}, err
		}
		return accounts{login: u.Username, internal: u.Username, group: g.Name, uid: os.Geteuid(), gid: os.Getegid()}, nil
	}
	u, err := user.Lookup("dovecot")
	if err != nil {
		return accounts{}, fmt.Errorf("running as root needs the dovecot user the package creates: %w", err)
	}
	if _, err := user.Lookup("dovenull"); err != nil {
		return accounts{}, fmt.Errorf("running as root needs the dovenull user the package creates: %w", err)
	}
	g, err := user.LookupGroupId(u.Gid)
	if err != nil {
		return accounts{}, err
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return accounts{login: "dovenull", internal: "dovecot", group: g.Name, uid: uid, gid: gid}, nil
}

func start(t testing.TB, bin string) (*Server, error) {
	who, err := whoRuns()
	if err != nil {
		return nil, err
	}
	// Not t.TempDir: its parent is private to the test's user, and as root
	// the server's own users must reach the files. os.MkdirTemp makes a
	// 0700 directory in the world-traversable temporary directory.
	dir, err := os.MkdirTemp("", "leads-dovecot-")
	if err != nil {
		return nil, err
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	plain, err := freePort()
	if err != nil {
		return nil, err
	}
	tlsPort, err := freePort()
	if err != nil {
		return nil, err
	}
	certPEM, keyPEM, pool, err := selfSigned()
	if err != nil {
		return nil, err
	}
	files := map[string][]byte{
		"cert.pem": certPEM,
		"key.pem":  keyPEM,
		// passwd-file: user:{scheme}password:uid:gid:gecos:home:shell:extra
		"passwd":       []byte(User + ":{PLAIN}" + Password + "::::::\n"),
		"dovecot.conf": []byte(config(dir, who, plain, tlsPort)),
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			return nil, err
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "mail"), 0o700); err != nil {
		return nil, err
	}
	if os.Geteuid() == 0 {
		// The server's users own the tree; others may pass through the
		// directory (the login processes reach their sockets) but not list it.
		if err := filepath.Walk(dir, func(p string, _ os.FileInfo, err error) error {
			if err != nil {
				return err
			}
			return os.Lchown(p, who.uid, who.gid)
		}); err != nil {
			return nil, err
		}
		if err := os.Chmod(dir, 0o711); err != nil {
			return nil, err
		}
	}
	s := &Server{Host: "127.0.0.1", PlainPort: plain, TLSPort: tlsPort, Dir: dir,
		TLS: &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"}, exited: make(chan struct{})}
	// -F: stay in the foreground as our child, so the test owns its life.
	cmd := exec.Command(bin, "-F", "-c", filepath.Join(dir, "dovecot.conf"))
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	// Its own process group, so Stop ends the master and its children;
	// and the master ends if the test process dies first.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start dovecot: %w", err)
	}
	s.cmd = cmd
	go func() { _ = cmd.Wait(); close(s.exited) }()
	deadline := time.Now().Add(20 * time.Second)
	for {
		select {
		case <-s.exited:
			return nil, fmt.Errorf("dovecot exited before it was ready: %s %s", out.String(), s.Log())
		default:
		}
		if ready(s.Host, plain) && ready(s.Host, tlsPort) {
			return s, nil
		}
		if time.Now().After(deadline) {
			s.Stop()
			return nil, fmt.Errorf("dovecot did not listen within 20s: %s", s.Log())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func ready(host string, port int) bool {
	c, err := net.DialTimeout("tcp", net.JoinHostPort(host, strconv.Itoa(port)), 200*time.Millisecond)
	if err != nil {
		return false
	}
	_ = c.Close()
	return true
}

// config is the whole server configuration: nothing is read from
// /etc/dovecot, and every path is under dir.
func config(dir string, who accounts, plain, tlsPort int) string {
	return fmt.Sprintf(`protocols = imap
listen = 127.0.0.1
base_dir = %[1]s/run
state_dir = %[1]s/state
instance_name = leads-test-%[4]d
log_path = %[1]s/dovecot.log
info_log_path = %[1]s/dovecot.log
ssl = yes
ssl_cert = <%[1]s/cert.pem
ssl_key = <%[1]s/key.pem
auth_mechanisms = plain login
default_internal_user = %[2]s
default_internal_group = %[3]s
default_login_user = %[5]s
first_valid_uid = 1
mail_location = maildir:%[1]s/mail/%%n
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%%u %[1]s/passwd
}
userdb {
  driver = static
  args = uid=%[6]d gid=%[7]d home=%[1]s/mail/%%n
}
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = %[4]d
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = %[8]d
    ssl = yes
  }
}
service anvil {
  chroot =
}
`, dir, who.internal, who.group, plain, who.login, who.uid, who.gid, tlsPort)
}

// Log returns the server's log, for failure messages.
func (s *Server) Log() string {
	b, err := os.ReadFile(filepath.Join(s.Dir, "dovecot.log"))
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	return string(b)
}

// Stop ends the server: SIGTERM to the master, then SIGKILL to the whole
// group if it has not gone within a few seconds.
func (s *Server) Stop() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(5 * time.Second):
	}
	// Negative pid: the process group start created.
	_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
}

// Client logs in as the test user over plain IMAP on loopback, for
// seeding and checking the folder the way another mail program would.
func (s *Server) Client(t testing.TB) *client.Client {
	t.Helper()
	c, err := client.DialWithDialer(&net.Dialer{Timeout: 10 * time.Second}, net.JoinHostPort(s.Host, strconv.Itoa(s.PlainPort)))
	if err != nil {
		t.Fatalf("dial dovecot: %v\n%s", err, s.Log())
	}
	c.Timeout = 30 * time.Second
	c.ErrorLog = log.New(io.Discard, "", 0)
	t.Cleanup(func() { _ = c.Logout() })
	if err := c.Login(User, Password); err != nil {
		t.Fatalf("login to dovecot: %v\n%s", err, s.Log())
	}
	return c
}

// Append adds msg, unread (no \Seen flag), to folder, which it creates
// when missing; a failure ends the test.
func (s *Server) Append(t testing.TB, folder string, msg []byte) {
	t.Helper()
	c := s.Client(t)
	if folder != "INBOX" {
		if err := c.Create(folder); err != nil && !strings.Contains(err.Error(), "exists") {
			t.Fatalf("create %s: %v", folder, err)
		}
	}
	if err := c.Append(folder, nil, time.Now(), bytes.NewReader(msg)); err != nil {
		t.Fatalf("append to %s: %v", folder, err)
	}
}

// Flags returns each message's flags in folder by UID, read with
// EXAMINE so that looking changes nothing.
func (s *Server) Flags(t testing.TB, folder string) map[uint32][]string {
	t.Helper()
	c := s.Client(t)
	if _, err := c.Select(folder, true); err != nil {
		t.Fatalf("examine %s: %v", folder, err)
	}
	set := new(imap.SeqSet)
	set.AddRange(1, 0)
	ch := make(chan *imap.Message, 16)
	done := make(chan error, 1)
	go func() { done <- c.UidFetch(set, []imap.FetchItem{imap.FetchUid, imap.FetchFlags}, ch) }()
	out := map[uint32][]string{}
	for m := range ch {
		out[m.Uid] = m.Flags
	}
	if err := <-done; err != nil {
		t.Fatalf("fetch flags: %v", err)
	}
	return out
}

// selfSigned makes a certificate for 127.0.0.1 valid for a day, and a
// pool that trusts it.
func selfSigned() (certPEM, keyPEM []byte, pool *x509.CertPool, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: "leads test IMAP"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, nil, err
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return nil, nil, nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, nil, err
	}
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), pool, nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
