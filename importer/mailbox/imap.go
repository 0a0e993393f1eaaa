package mailbox

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"math"
	"net"
	"net/url"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emersion/go-imap"
	"github.com/emersion/go-imap/client"
	"github.com/emersion/go-sasl"

	"github.com/leads-inbox/leads/store/safetext"
)

// Security settings of an IMAP connection, as [mail] imap_security names them.
const (
	// SecurityTLS is implicit TLS from the first byte (port 993).
	SecurityTLS = "tls"
	// SecuritySTARTTLS upgrades a plain connection before logging in (port 143).
	SecuritySTARTTLS = "starttls"
	// SecurityNone sends the password in the clear, so it is allowed only to
	// a server on this machine.
	SecurityNone = "none"
)

// Defaults of IMAPConfig's zero values.
const (
	// DefaultIMAPTimeout bounds every read and write on the connection: a
	// server that stops answering fails the scan within it.
	DefaultIMAPTimeout = 30 * time.Second
	// DefaultIMAPMaxScan bounds one whole scan of a folder: a server
	// that sends a byte just inside every read's timeout would
	// otherwise hold the scan (and, under the inbox, its mail round)
	// for ever. What was read by then is kept; the rest is read next
	// time.
	DefaultIMAPMaxScan = 10 * time.Minute
	// DefaultIMAPBatch is how many messages one FETCH asks for.
	DefaultIMAPBatch = 50
	// DefaultMaxMessageBytes is how much of each message is fetched: the
	// headers and first lines a scan needs are well within it, and memory
	// stays bounded whatever a stranger sent.
	DefaultMaxMessageBytes = 1 << 20
)

// IMAPConfig is how to reach one IMAP folder. The password is never part
// of it: Password (or PasswordCommand) is asked on each connection.
type IMAPConfig struct {
	Host string
	// Port 0 means the security's usual port: 993 for tls, 143 otherwise.
	Port int
	// Security is SecurityTLS ("" too), SecuritySTARTTLS or SecurityNone.
	Security string
	User     string
	// Folder is the mailbox name on the server; "" means INBOX.
	Folder string
	// PasswordCommand is run (through /bin/sh) on every connection; the
	// first line it prints is the password.
	PasswordCommand string
	// Password, when set, is used instead of PasswordCommand (tests, and
	// callers that already asked the rep).
	Password func(ctx context.Context) (string, error)
	// TLS is the TLS configuration to start from (tests give their own
	// certificate authority); nil means the system's roots.
	TLS *tls.Config
	// Timeout bounds each read and write; 0 means DefaultIMAPTimeout.
	Timeout time.Duration
	// MaxScan bounds one scan of the folder; 0 means DefaultIMAPMaxScan.
	MaxScan time.Duration
	// Batch is how many messages one FETCH asks for; 0 means DefaultIMAPBatch.
	Batch int
	// MaxMessageBytes caps the bytes fetched of each message; 0 means
	// DefaultMaxMessageBytes.
	MaxMessageBytes int
}

// imapSource is one IMAP folder. It connects on each Scan and logs out at
// its end, so nothing is held open between scans and the password command
// runs every time.
type imapSource struct {
	cfg  IMAPConfig
	addr string
	id   string
}

// NewIMAP checks cfg and returns the Source of its folder. It does not
// connect: Scan does, each time.
func NewIMAP(cfg IMAPConfig) (Source, error) {
	cfg.Host = strings.TrimSpace(cfg.Host)
	if cfg.Host == "" {
		return nil, errors.New("IMAP: no server: set [mail] imap_host")
	}
	if strings.ContainsAny(cfg.Host, "/@?# \t\r\n") || (strings.Contains(cfg.Host, ":") && net.ParseIP(strings.Trim(cfg.Host, "[]")) == nil) {
		// Not echoed: a URL pasted here may carry a password.
		return nil, errors.New("IMAP: [mail] imap_host is not a host name: set it to the server's name alone (no user, port or path; the port goes in imap_port)")
	}
	cfg.Host = strings.Trim(cfg.Host, "[]")
	if cfg.User == "" {
		return nil, errors.New("IMAP: no user name: set [mail] imap_user")
	}
	if cfg.Password == nil && strings.TrimSpace(cfg.PasswordCommand) == "" {
		return nil, errors.New("IMAP: no password command: set [mail] password_command to a command that prints the password")
	}
	switch cfg.Security {
	case "":
		cfg.Security = SecurityTLS
	case SecurityTLS, SecuritySTARTTLS, SecurityNone:
	default:
		return nil, fmt.Errorf(`IMAP: security %q is not known: set [mail] imap_security to "tls", "starttls" or "none"`, safetext.Clean(cfg.Security))
	}
	if cfg.Security == SecurityNone && !isLoopback(cfg.Host) {
		return nil, fmt.Errorf(`IMAP: imap_security = "none" would send the password in the clear to %s: use "tls" or "starttls" (none is only for a server on this machine)`, safetext.Clean(cfg.Host))
	}
	if cfg.Port < 0 || cfg.Port > 65535 {
		return nil, fmt.Errorf("IMAP: port %d is not a port number: set [mail] imap_port to 1 to 65535", cfg.Port)
	}
	if cfg.Port == 0 {
		cfg.Port = 143
		if cfg.Security == SecurityTLS {
			cfg.Port = 993
		}
	}
	if cfg.Folder == "" {
		cfg.Folder = "INBOX"
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultIMAPTimeout
	}
	if cfg.MaxScan <= 0 {
		cfg.MaxScan = DefaultIMAPMaxScan
	}
	if cfg.Batch <= 0 {
		cfg.Batch = DefaultIMAPBatch
	}
	if cfg.MaxMessageBytes <= 0 {
		cfg.MaxMessageBytes = DefaultMaxMessageBytes
	}
	addr := net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port))
	u := url.URL{Scheme: "imap", User: url.User(cfg.User), Host: addr, Path: "/" + cfg.Folder}
	if cfg.Security == SecurityTLS {
		u.Scheme = "imaps"
	}
	return &imapSource{cfg: cfg, addr: addr, id: u.String()}, nil
}

// isLoopback reports whether host names this machine: localhost or a
// loopback address. A name that merely resolves to one is not trusted,
// since resolution can change under us.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// ID names the folder as imap(s)://user@host:port/folder: stable across
// runs and with no secret in it.
func (s *imapSource) ID() string { return s.id }

// Close has nothing to release: each Scan logs out before it returns.
func (s *imapSource) Close() error { return nil }

// where names the folder in messages the rep reads.
func (s *imapSource) where() string {
	return safetext.Clean(fmt.Sprintf("IMAP %s@%s folder %q", s.cfg.User, s.addr, s.cfg.Folder))
}

// imapCursor is what a scan saves: the folder's UIDVALIDITY and the
// lowest UID not read yet. A UIDVALIDITY other than the saved one means
// the server renumbered the folder, and it is read again from the start.
type imapCursor struct {
	validity uint32
	next     uint32
}

const cursorPrefix = "imap1 "

func (c imapCursor) encode() []byte {
	return fmt.Appendf(nil, "%s%d %d", cursorPrefix, c.validity, c.next)
}

// parseCursor reads a saved cursor; anything else (nil, another source's,
// damaged) reads the folder from the start, which the store's Message-ID
// dedupe makes harmless.
func parseCursor(b []byte) imapCursor {
	s, ok := strings.CutPrefix(string(b), cursorPrefix)
	if !ok {
		return imapCursor{}
	}
	v, n, ok := strings.Cut(s, " ")
	if !ok {
		return imapCursor{}
	}
	validity, err1 := strconv.ParseUint(v, 10, 32)
	next, err2 := strconv.ParseUint(n, 10, 32)
	if err1 != nil || err2 != nil || validity == 0 || next == 0 {
		return imapCursor{}
	}
	return imapCursor{validity: uint32(validity), next: uint32(next)}
}

// Scan examines the folder read-only, fetches the messages whose UID is
// at or past the cursor's in batches (BODY.PEEK, so no \Seen flag is set,
// each cut at MaxMessageBytes) and calls fn for each in UID order. An
// unchanged folder costs a login and an EXAMINE: no message is fetched.
func (s *imapSource) Scan(ctx context.Context, cursor []byte, fn func(key string, r io.Reader) error) ([]byte, error) {
	ctx, cancel := context.WithTimeoutCause(ctx, s.cfg.MaxScan, errScanTooLong)
	defer cancel()
	cur := parseCursor(cursor)
	sess, err := s.connect(ctx)
	if err != nil {
		return cursor, err
	}
	defer sess.close()
	mbox, err := sess.c.Select(s.cfg.Folder, true)
	if err != nil {
		if sess.failed(ctx) {
			return cursor, sess.explain(ctx, err)
		}
		return cursor, fmt.Errorf("%s cannot be opened: %s (check [mail] imap_folders)", s.where(), serverText(err))
	}
	if cur.validity != mbox.UidValidity || cur.validity == 0 {
		cur = imapCursor{validity: mbox.UidValidity, next: 1}
	}
	if mbox.Messages == 0 || (mbox.UidNext != 0 && cur.next >= mbox.UidNext) {
		sess.logout()
		if mbox.UidNext > cur.next {
			cur.next = mbox.UidNext
		}
		return cur.encode(), nil
	}
	uids, err := sess.search(cur.next)
	if err != nil {
		return cursor, sess.explain(ctx, err)
	}
	for len(uids) > 0 {
		n := min(len(uids), s.cfg.Batch)
		batch := uids[:n]
		uids = uids[n:]
		next, err := sess.fetch(ctx, batch, fn)
		cur.next = next
		if err != nil {
			return cur.encode(), err
		}
	}
	sess.logout()
	if mbox.UidNext > cur.next {
		// Messages below UIDNEXT that were not found were expunged:
		// the next scan need not ask for them again.
		cur.next = mbox.UidNext
	}
	return cur.encode(), nil
}

// errScanTooLong is why a scan that passed MaxScan was stopped.
var errScanTooLong = errors.New("the scan took longer than its limit")

// session is one connection to the server for one scan.
type session struct {
	src  *imapSource
	c    *client.Client
	conn *deadlineConn
	stop func() bool
}

// connect dials, secures, asks for the password, logs in, and returns
// the session. Every error is one line that names the server and says
// what to do.
func (s *imapSource) connect(ctx context.Context) (*session, error) {
	d := net.Dialer{Timeout: s.cfg.Timeout}
	raw, err := d.DialContext(ctx, "tcp", s.addr)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("%s: stopped before connecting", s.where())
		}
		return nil, fmt.Errorf("%s: cannot connect: %s (check [mail] imap_host and imap_port)", s.where(), netText(err))
	}
	dc := &deadlineConn{Conn: raw, idle: s.cfg.Timeout}
	sess := &session{src: s, conn: dc}
	// Cancelling the scan closes the connection, which ends any read the
	// client is blocked in.
	sess.stop = context.AfterFunc(ctx, func() { dc.Close() })
	fail := func(err error) (*session, error) {
		err = sess.explain(ctx, err)
		sess.close()
		return nil, err
	}
	var conn net.Conn = dc
	switch s.cfg.Security {
	case SecurityTLS:
		tc := tls.Client(dc, s.tlsConfig())
		if err := tc.HandshakeContext(ctx); err != nil {
			return fail(err)
		}
		conn = quietConn{tc, dc}
	case SecuritySTARTTLS:
		tc, err := s.startTLS(ctx, dc)
		var said *saidError
		if errors.As(err, &said) && !sess.failed(ctx) {
			sess.close()
			return nil, err
		} else if err != nil {
			return fail(err)
		}
		conn = tc
	}
	// Every byte the client parses passes the guard first, whichever
	// security is in use: it sits above TLS.
	conn = &literalGuard{Conn: conn, under: dc, max: int64(s.cfg.MaxMessageBytes) + literalSlack}
	// client.New may already send CAPABILITY, before its error log can be
	// silenced; the connection's reads end in io.EOF, which the client
	// does not log, so nothing reaches the terminal under the inbox.
	c, err := client.New(conn)
	if c != nil {
		c.ErrorLog = log.New(io.Discard, "", 0)
	}
	if err != nil {
		return fail(err)
	}
	sess.c = c
	// Only now, with a server that answers: a password command may ask
	// the rep (a keyring's prompt), which is wasted on a server that is
	// down or silent.
	password, err := s.password(ctx)
	if err != nil {
		sess.close()
		return nil, err
	}
	if err := sess.login(password); err != nil {
		if sess.failed(ctx) {
			return fail(err)
		}
		sess.close()
		return nil, fmt.Errorf("%s: the server refused the login: %s (check [mail] imap_user and password_command)", s.where(), serverText(err))
	}
	return sess, nil
}

// startTLS reads the greeting and upgrades the connection with STARTTLS
// itself, before the IMAP client sees a byte: the client's own STARTTLS
// would put the TLS layer above anything wrapped around the connection,
// the literal guard included. The client is then handed a plain greeting
// without capabilities, so it asks for them again, over TLS, as it must.
func (s *imapSource) startTLS(ctx context.Context, dc *deadlineConn) (net.Conn, error) {
	br := bufio.NewReaderSize(dc, 4096)
	line := func() (string, error) {
		b, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			return "", s.say("%s: the server sent a line too long to be IMAP: check [mail] imap_port", s.where())
		}
		return string(b), err
	}
	greet, err := line()
	if err != nil {
		return nil, err
	}
	if !strings.HasPrefix(strings.ToUpper(greet), "* OK") {
		return nil, s.say("%s: the server did not greet as IMAP does: %s (check [mail] imap_port)", s.where(), serverText(errors.New(greet)))
	}
	if _, err := io.WriteString(dc, "L0 STARTTLS\r\n"); err != nil {
		return nil, err
	}
	for {
		l, err := line()
		if err != nil {
			return nil, err
		}
		if strings.HasPrefix(l, "* ") {
			continue // a CAPABILITY the server volunteers
		}
		if !strings.HasPrefix(strings.ToUpper(l), "L0 OK") {
			return nil, s.say(`%s: the server does not offer STARTTLS: set [mail] imap_security = "tls" (port 993)`, s.where())
		}
		break
	}
	if br.Buffered() > 0 {
		// Bytes sent before the handshake would be read as if they had
		// come over TLS: someone on the path is injecting them.
		return nil, s.say("%s: the server sent data in the clear after agreeing to STARTTLS; refusing the connection", s.where())
	}
	tc := tls.Client(dc, s.tlsConfig())
	if err := tc.HandshakeContext(ctx); err != nil {
		return nil, err
	}
	return &greetedConn{Conn: quietConn{tc, dc}, greeting: strings.NewReader("* OK TLS started\r\n")}, nil
}

// saidError is a message already written for the rep.
type saidError struct{ msg string }

func (e *saidError) Error() string { return e.msg }

func (s *imapSource) say(format string, args ...any) error {
	return &saidError{fmt.Sprintf(format, args...)}
}

func (s *imapSource) tlsConfig() *tls.Config {
	var t *tls.Config
	if s.cfg.TLS != nil {
		t = s.cfg.TLS.Clone()
	} else {
		t = &tls.Config{}
	}
	if t.ServerName == "" {
		t.ServerName = s.cfg.Host
	}
	if t.MinVersion == 0 {
		t.MinVersion = tls.VersionTLS12
	}
	return t
}

func (s *imapSource) password(ctx context.Context) (string, error) {
	if s.cfg.Password != nil {
		return s.cfg.Password(ctx)
	}
	return RunPasswordCommand(ctx, s.cfg.PasswordCommand)
}

// login prefers AUTHENTICATE PLAIN, and uses LOGIN where the server does
// not offer it.
func (sess *session) login(password string) error {
	if ok, _ := sess.c.SupportAuth(sasl.Plain); ok {
		return sess.c.Authenticate(sasl.NewPlainClient("", sess.src.cfg.User, password))
	}
	return sess.c.Login(sess.src.cfg.User, password)
}

// search lists the UIDs at or past next, in order.
func (sess *session) search(next uint32) ([]uint32, error) {
	crit := imap.NewSearchCriteria()
	crit.Uid = new(imap.SeqSet)
	crit.Uid.AddRange(next, 0)
	uids, err := sess.c.UidSearch(crit)
	if err != nil {
		return nil, err
	}
	// "n:*" names the last message even when its UID is below n.
	kept := uids[:0]
	for _, u := range uids {
		if u >= next {
			kept = append(kept, u)
		}
	}
	sort.Slice(kept, func(i, j int) bool { return kept[i] < kept[j] })
	return kept, nil
}

// fetch reads one batch (UIDs in order, all at or past the cursor) and
// calls fn for each message. It returns the cursor's next UID: past the
// whole batch when every fn returned nil (UIDs the server did not return
// were expunged), else the lowest UID of the batch not yet handled, so
// that nothing is skipped whatever order the server answers in.
func (sess *session) fetch(ctx context.Context, uids []uint32, fn func(string, io.Reader) error) (uint32, error) {
	set := new(imap.SeqSet)
	set.AddNum(uids...)
	section := &imap.BodySectionName{Peek: true, Partial: []int{0, sess.src.cfg.MaxMessageBytes}}
	items := []imap.FetchItem{imap.FetchUid, section.FetchItem()}
	// A small buffer: at most a few messages of MaxMessageBytes are held
	// while fn works.
	ch := make(chan *imap.Message, 4)
	done := make(chan error, 1)
	go func() { done <- sess.c.UidFetch(set, items, ch) }()
	handled := make(map[uint32]bool, len(uids))
	var fnErr error
	for msg := range ch {
		if fnErr != nil || handled[msg.Uid] || !slices.Contains(uids, msg.Uid) {
			continue // drain, so the fetch can finish
		}
		if body := msg.GetBody(section); body != nil {
			if err := fn(strconv.FormatUint(uint64(msg.Uid), 10), body); err != nil {
				fnErr = err
				// The scan stops here: end the transfer of the rest.
				_ = sess.conn.Close()
				continue
			}
		}
		handled[msg.Uid] = true
	}
	err := <-done
	last := uids[len(uids)-1]
	next := last + 1
	if last == math.MaxUint32 {
		next = last // read again next time; its Message-ID makes that harmless
	}
	if fnErr == nil && err == nil && ctx.Err() == nil {
		return next, nil
	}
	for _, u := range uids {
		if !handled[u] {
			next = u
			break
		}
	}
	if fnErr != nil {
		return next, fnErr
	}
	return next, sess.explain(ctx, err)
}

// failed reports whether the connection itself broke (a stall, a closed
// socket, a cancelled scan) rather than the server saying no.
func (sess *session) failed(ctx context.Context) bool {
	return ctx.Err() != nil || sess.conn.timedOut.Load() || sess.conn.broken.Load() || sess.conn.tooLarge.Load()
}

// explain turns an error on the connection into one line for the rep.
func (sess *session) explain(ctx context.Context, err error) error {
	where := sess.src.where()
	switch {
	case errors.Is(context.Cause(ctx), errScanTooLong):
		return fmt.Errorf("%s: the server sent too slowly to finish within %s; what was read is recorded, the rest is read next time", where, sess.src.cfg.MaxScan)
	case ctx.Err() != nil:
		return fmt.Errorf("%s: stopped", where)
	case sess.conn.tooLarge.Load():
		return fmt.Errorf("%s: the server sent more than the %d bytes asked for of a message; nothing after it was read (is imap_host a real IMAP server?)", where, sess.src.cfg.MaxMessageBytes)
	case sess.conn.timedOut.Load() || errors.Is(err, os.ErrDeadlineExceeded):
		return fmt.Errorf("%s: the server stopped answering for %s; try again later (check [mail] imap_host and imap_port)", where, sess.src.cfg.Timeout)
	}
	var certErr *tls.CertificateVerificationError
	if errors.As(err, &certErr) {
		return fmt.Errorf("%s: the server's certificate is not trusted: %s", where, safetext.Clean(certErr.Err.Error()))
	}
	var recErr tls.RecordHeaderError
	if errors.As(err, &recErr) {
		return fmt.Errorf(`%s: the server does not speak TLS on this port: check [mail] imap_port and imap_security ("tls" is port 993, "starttls" 143)`, where)
	}
	if sess.conn.broken.Load() || errors.Is(err, io.EOF) {
		return fmt.Errorf("%s: the server closed the connection; try again later", where)
	}
	return fmt.Errorf("%s: %s", where, serverText(err))
}

// logout ends the session politely; close ends it either way.
func (sess *session) logout() {
	if sess.c != nil {
		_ = sess.c.Logout()
	}
}

func (sess *session) close() {
	sess.stop()
	_ = sess.conn.Close()
}

// serverText is the server's own words, cleaned and cut to one short line:
// they come from the network.
func serverText(err error) string {
	s := err.Error()
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	return shorten(safetext.Clean(s), 200)
}

func netText(err error) string {
	var op *net.OpError
	if errors.As(err, &op) && op.Err != nil {
		return serverText(op.Err)
	}
	return serverText(err)
}

// deadlineConn gives every read and write its own deadline, so a server
// that stops answering in the middle of a long FETCH fails within idle,
// while a long transfer that keeps moving does not. The client's own
// SetDeadline calls are ignored: they would set one deadline for a whole
// command, however long it legitimately runs. A failed read is noted here
// and reaches the client as io.EOF, the one read error it does not print
// on stderr (under the inbox, that would be drawn over the screen).
type deadlineConn struct {
	net.Conn
	idle     time.Duration
	timedOut atomic.Bool
	broken   atomic.Bool
	tooLarge atomic.Bool
	once     sync.Once
}

func (c *deadlineConn) Read(p []byte) (int, error) {
	if err := c.Conn.SetReadDeadline(time.Now().Add(c.idle)); err != nil {
		return 0, err
	}
	n, err := c.Conn.Read(p)
	if err != nil {
		c.note(err)
		err = io.EOF
	}
	return n, err
}

func (c *deadlineConn) Write(p []byte) (int, error) {
	if err := c.Conn.SetWriteDeadline(time.Now().Add(c.idle)); err != nil {
		return 0, err
	}
	n, err := c.Conn.Write(p)
	c.note(err)
	return n, err
}

func (c *deadlineConn) note(err error) {
	if err == nil {
		return
	}
	if errors.Is(err, os.ErrDeadlineExceeded) {
		c.timedOut.Store(true)
	} else {
		c.broken.Store(true)
	}
}

func (c *deadlineConn) SetDeadline(time.Time) error      { return nil }
func (c *deadlineConn) SetReadDeadline(time.Time) error  { return nil }
func (c *deadlineConn) SetWriteDeadline(time.Time) error { return nil }

func (c *deadlineConn) Close() error {
	var err error
	c.once.Do(func() { err = c.Conn.Close() })
	return err
}

// quietConn ends every failed read of a TLS connection in io.EOF too,
// noting the failure on the connection underneath.
type quietConn struct {
	net.Conn
	under *deadlineConn
}

func (c quietConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if err != nil {
		if !errors.Is(err, io.EOF) {
			c.under.broken.Store(true)
		}
		err = io.EOF
	}
	return n, err
}

// greetedConn reads a greeting of ours before the connection's bytes:
// the one the IMAP client waits for after startTLS consumed the server's.
type greetedConn struct {
	net.Conn
	greeting *strings.Reader
}

func (c *greetedConn) Read(p []byte) (int, error) {
	if c.greeting.Len() > 0 {
		return c.greeting.Read(p)
	}
	return c.Conn.Read(p)
}

// literalSlack is what a literal may exceed MaxMessageBytes by: none of
// the literals a scan asks for is larger than the partial fetch.
const literalSlack = 64 << 10

// literalGuard ends the connection when the server announces a literal
// ({N} then CRLF) longer than max. The IMAP client allocates a literal's
// announced size before reading it, up to 4 GiB, so a broken or hostile
// server could otherwise make a scan take that much memory. The guard
// follows the stream: it skips the bytes of each literal it lets through,
// and withholds the read that completes a literal's header that is too
// large, so the client never sees it.
type literalGuard struct {
	net.Conn
	under *deadlineConn
	max   int64

	skip   int64 // bytes of a literal still to pass unexamined
	state  int   // where in "{digits}\r\n" the stream is
	n      int64 // the literal size read so far, saturated
	closed bool
}

const (
	guardText   = iota // outside any literal header
	guardDigits        // after '{'
	guardPlus          // after "{N+"
	guardCR            // after '}'
	guardLF            // after "}\r"
)

func (g *literalGuard) Read(p []byte) (int, error) {
	if g.closed {
		return 0, io.EOF
	}
	n, err := g.Conn.Read(p)
	for i := 0; i < n; i++ {
		if g.skip > 0 {
			k := min(g.skip, int64(n-i))
			g.skip -= k
			i += int(k) - 1
			continue
		}
		b := p[i]
		switch g.state {
		case guardText:
			if b == '{' {
				g.state, g.n = guardDigits, 0
			}
			continue
		case guardDigits:
			switch {
			case b >= '0' && b <= '9':
				g.n = min(g.n*10+int64(b-'0'), 1<<40)
				continue
			case b == '+':
				g.state = guardPlus
				continue
			case b == '}':
				g.state = guardCR
				continue
			}
		case guardPlus:
			if b == '}' {
				g.state = guardCR
				continue
			}
		case guardCR:
			if b == '\r' {
				g.state = guardLF
				continue
			}
		case guardLF:
			if b == '\n' {
				g.state = guardText
				if g.n > g.max {
					g.closed = true
					g.under.tooLarge.Store(true)
					return 0, io.EOF
				}
				g.skip = g.n
				continue
			}
		}
		// Not a literal header after all: read this byte as text again.
		g.state = guardText
		if b == '{' {
			g.state, g.n = guardDigits, 0
		}
	}
	return n, err
}
