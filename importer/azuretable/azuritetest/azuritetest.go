// Package azuritetest runs a real Azurite table emulator for tests, so the
// Azure Table sync is tested against a server rather than a mock.
//
// The emulator is the npm package pinned in .ci/azurite/package-lock.json
// (install it with `npm ci --prefix .ci/azurite`), or the azurite-table
// command named by $AZURITE_TABLE. When it is missing, tests skip with a
// message saying how to install it, except under CI=true, where a missing
// emulator is a failure: CI must not go green by testing nothing.
package azuritetest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/data/aztables"
)

// Azurite's well-known development account. The key is public (it is in
// Azurite's README) and only ever opens an emulator.
const (
	Account = "devstoreaccount1"
	Key     = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)

// Server is a running azurite-table process on a loopback port.
type Server struct {
	// Host is "127.0.0.1:PORT".
	Host string
	// URL is the account's table endpoint, path style:
	// "http://127.0.0.1:PORT/devstoreaccount1".
	URL string

	cmd  *exec.Cmd
	logs *bytes.Buffer
	mu   sync.Mutex
}

// ConnectionString returns an account-key connection string for the server.
func (s *Server) ConnectionString() string {
	return "DefaultEndpointsProtocol=http;AccountName=" + Account + ";AccountKey=" + Key +
		";TableEndpoint=" + s.URL + ";"
}

// Binary finds azurite-table: $AZURITE_TABLE, else
// .ci/azurite/node_modules/.bin/azurite-table under the module root found by
// walking up from the working directory. It returns "" when neither exists.
func Binary() string {
	if p := os.Getenv("AZURITE_TABLE"); p != "" {
		return p
	}
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			p := filepath.Join(dir, ".ci", "azurite", "node_modules", ".bin", "azurite-table")
			if _, err := os.Stat(p); err == nil {
				return p
			}
			return ""
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// Require skips the test (or fails it under CI=true) when Azurite is not
// installed, and returns its path otherwise.
func Require(t testing.TB) string {
	t.Helper()
	p := Binary()
	if p != "" {
		return p
	}
	msg := "Azurite is not installed: run `npm ci --prefix .ci/azurite` at the repository root, or set AZURITE_TABLE to an azurite-table command"
	if ci := os.Getenv("CI"); ci != "" && ci != "false" && ci != "0" {
		t.Fatal(msg + " (CI is set, so this is a failure, not a skip)")
	}
	t.Skip(msg)
	return ""
}

// Start runs a fresh in-memory Azurite for the test and stops it when the
// test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	s, err := StartServer(Require(t), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	return s
}

// StartServer starts azurite-table from bin, in memory with dir as its working
// directory (Azurite refuses --location together with --inMemoryPersistence), on a
// free loopback port, and waits until it accepts connections. Use Start in
// tests; this is for TestMain and benchmarks that share one server.
func StartServer(bin, dir string) (*Server, error) {
	var lastErr error
	// The port is chosen by binding :0 and releasing it, so another process
	// can take it before Azurite does: retry a few times.
	for attempt := 0; attempt < 5; attempt++ {
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		s, err := start(bin, dir, port)
		if err == nil {
			return s, nil
		}
		lastErr = err
	}
	return nil, lastErr
}

func start(bin, dir string, port int) (*Server, error) {
	host := "127.0.0.1:" + strconv.Itoa(port)
	s := &Server{Host: host, URL: "http://" + host + "/" + Account, logs: &bytes.Buffer{}}
	cmd := exec.Command(bin,
		"--tableHost", "127.0.0.1", "--tablePort", strconv.Itoa(port),
		"--inMemoryPersistence",
		// loose: accept headers Azurite does not implement; the version
		// check would otherwise tie the tests to the SDK's API version;
		// path-style URLs because the host is an IP address.
		"--loose", "--skipApiVersionCheck", "--disableProductStyleUrl",
		"--disableTelemetry", "--silent")
	cmd.Dir = dir
	cmd.Stdout = &lockedWriter{s: s}
	cmd.Stderr = &lockedWriter{s: s}
	// Its own process group, so Stop can end node and anything it spawned.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start azurite-table: %w", err)
	}
	s.cmd = cmd
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	deadline := time.Now().Add(30 * time.Second)
	for {
		select {
		case err := <-exited:
			return nil, fmt.Errorf("azurite-table exited before it was ready (%v): %s", err, s.Logs())
		default:
		}
		c, err := net.DialTimeout("tcp", host, 200*time.Millisecond)
		if err == nil {
			c.Close()
			go func() { <-exited }()
			return s, nil
		}
		if time.Now().After(deadline) {
			s.kill()
			return nil, fmt.Errorf("azurite-table did not listen on %s within 30s: %s", host, s.Logs())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

type lockedWriter struct{ s *Server }

func (w *lockedWriter) Write(p []byte) (int, error) {
	w.s.mu.Lock()
	defer w.s.mu.Unlock()
	if w.s.logs.Len() < 1<<20 {
		w.s.logs.Write(p)
	}
	return len(p), nil
}

// Logs returns what Azurite printed, for failure messages.
func (s *Server) Logs() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.logs.String()
}

// Stop ends the emulator and its data.
func (s *Server) Stop() { s.kill() }

func (s *Server) kill() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	// Negative pid: the process group this package created in start.
	_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func clientOptions() *aztables.ClientOptions {
	// Seeding talks to a local emulator: fail fast instead of backing off.
	return &aztables.ClientOptions{ClientOptions: policy.ClientOptions{
		Retry: policy.RetryOptions{MaxRetries: 2, RetryDelay: 50 * time.Millisecond},
	}}
}

// Service returns an account-key service client, for seeding.
func (s *Server) Service() *aztables.ServiceClient {
	cred, err := aztables.NewSharedKeyCredential(Account, Key)
	if err != nil {
		panic(err)
	}
	c, err := aztables.NewServiceClientWithSharedKey(s.URL, cred, clientOptions())
	if err != nil {
		panic(err)
	}
	return c
}

// CreateTable creates a table and returns a client for it.
func (s *Server) CreateTable(t testing.TB, name string) *aztables.Client {
	t.Helper()
	svc := s.Service()
	if _, err := svc.CreateTable(context.Background(), name, nil); err != nil {
		t.Fatalf("create table %s: %v", name, err)
	}
	return svc.NewClient(name)
}

// Entity is one table entity as property name -> value; values marshal as
// JSON, so EDM types other than string and the default numbers need their
// "Name@odata.type" annotation alongside.
type Entity map[string]any

// Seed inserts entities with batch transactions of up to 100 entities of one
// partition each (the service's limit), which is much faster than one
// request per entity. Entities are grouped by PartitionKey in input order.
func Seed(t testing.TB, c *aztables.Client, entities []Entity) {
	t.Helper()
	if err := SeedErr(context.Background(), c, entities, aztables.TransactionTypeAdd); err != nil {
		t.Fatal(err)
	}
}

// Upsert replaces entities (same batching as Seed), for tests that modify
// rows that already exist.
func Upsert(t testing.TB, c *aztables.Client, entities []Entity) {
	t.Helper()
	if err := SeedErr(context.Background(), c, entities, aztables.TransactionTypeInsertReplace); err != nil {
		t.Fatal(err)
	}
}

// SeedErr is Seed for callers without a testing.TB (benchmarks' setup).
func SeedErr(ctx context.Context, c *aztables.Client, entities []Entity, kind aztables.TransactionType) error {
	byPK := map[string][]aztables.TransactionAction{}
	var order []string
	for _, e := range entities {
		pk, _ := e["PartitionKey"].(string)
		b, err := json.Marshal(e)
		if err != nil {
			return err
		}
		if _, ok := byPK[pk]; !ok {
			order = append(order, pk)
		}
		byPK[pk] = append(byPK[pk], aztables.TransactionAction{ActionType: kind, Entity: b})
	}
	for _, pk := range order {
		actions := byPK[pk]
		for len(actions) > 0 {
			n := min(len(actions), 100)
			if _, err := c.SubmitTransaction(ctx, actions[:n], nil); err != nil {
				return fmt.Errorf("seed batch in partition %q: %w", pk, err)
			}
			actions = actions[n:]
		}
	}
	return nil
}

// SASURL returns a table SAS URL for the server's table with the given
// permissions and validity window. (aztables' GetTableSASURL drops the "/"
// between a path-style endpoint and the table name, so it is built here.)
func (s *Server) SASURL(t testing.TB, table string, perms aztables.SASPermissions, start, expiry time.Time) string {
	t.Helper()
	cred, err := aztables.NewSharedKeyCredential(Account, Key)
	if err != nil {
		t.Fatal(err)
	}
	qps, err := aztables.SASSignatureValues{
		TableName: table, Permissions: perms.String(), StartTime: start, ExpiryTime: expiry,
	}.Sign(cred)
	if err != nil {
		t.Fatal(err)
	}
	return s.URL + "/" + table + "?" + qps
}
