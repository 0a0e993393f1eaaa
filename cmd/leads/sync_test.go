package main

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/leads-inbox/leads/importer/azuretable/azuritetest"
	"github.com/leads-inbox/leads/store"
	"github.com/leads-inbox/leads/tui"
)

// syncEnv runs leads commands in-process with the given environment.
type syncEnv struct {
	t      *testing.T
	db     string
	vars   map[string]string
	stdout bytes.Buffer
	stderr bytes.Buffer
}

func newSyncEnv(t *testing.T) *syncEnv {
	dir := t.TempDir()
	// An empty config dir, so no real config file can leak into the test.
	return &syncEnv{t: t, db: filepath.Join(dir, "leads.db"), vars: map[string]string{"XDG_CONFIG_HOME": filepath.Join(dir, "config")}}
}

func (s *syncEnv) run(args ...string) int {
	s.stdout.Reset()
	s.stderr.Reset()
	e := &env{stdin: strings.NewReader(""), stdout: &s.stdout, stderr: &s.stderr, now: time.Now,
		getenv: func(k string) string { return s.vars[k] }, dbPath: s.db}
	return run(e, append([]string{"--db", s.db}, args...))
}

var tableN atomic.Int64

func seedTable(t *testing.T, srv *azuritetest.Server, n int) string {
	name := fmt.Sprintf("CmdLeads%s%d", time.Now().Format("150405"), tableN.Add(1))
	c := srv.CreateTable(t, name)
	ents := make([]azuritetest.Entity, n)
	for i := range ents {
		ents[i] = azuritetest.Entity{
			"PartitionKey": fmt.Sprintf("11:2F%d:2F2025", 1+i/1000),
			"RowKey":       fmt.Sprintf("%s-%06d", name, i),
			"ActionCode":   "PLT", "LeadSource": "AppSource|contoso.app", "OfferDisplayName": "Contoso App",
			"CustomerInfo": `{"FirstName":"Bo","LastName":"Li","Email":"bo` + fmt.Sprint(i) + `@contoso.com"}`,
			"CreatedTime":  "2025-11-01T10:00:00Z",
		}
	}
	ents[0]["CustomerInfo"] = `{"FirstName":"MSFT_TEST","Email":"msft_test@microsoft.com"}`
	azuritetest.Seed(t, c, ents)
	return name
}

func TestSyncCommand(t *testing.T) {
	srv := azuritetest.Start(t)
	table := seedTable(t, srv, 30)
	e := newSyncEnv(t)
	cs := srv.ConnectionString()

	if code := e.run("sync", "--connection-string", cs, "--table", table, "--dry-run"); code != exitOK ||
		e.stdout.String() != "30 read, 30 new, 0 updated, 0 unchanged, 1 test, 0 rejected\n" || !strings.Contains(e.stderr.String(), "dry run, nothing stored") {
		t.Fatalf("dry run: %d %q %q", code, e.stdout.String(), e.stderr.String())
	}
	if code := e.run("sync", "--connection-string", cs, "--table", table); code != exitOK ||
		e.stdout.String() != "30 read, 30 new, 0 updated, 0 unchanged, 1 test, 0 rejected\n" || e.stderr.Len() != 0 {
		t.Fatalf("first sync: %d %q %q", code, e.stdout.String(), e.stderr.String())
	}
	// From the environment this time; incremental, so only the overlap
	// comes back, unchanged.
	e.vars["LEADS_AZURE_CONNECTION_STRING"] = cs
	if code := e.run("sync", "--table", table); code != exitOK || !strings.Contains(e.stdout.String(), " 0 new, 0 updated") {
		t.Fatalf("second sync: %d %q %q", code, e.stdout.String(), e.stderr.String())
	}
	if code := e.run("sync", "--table", table, "--full"); code != exitOK ||
		e.stdout.String() != "30 read, 0 new, 0 updated, 30 unchanged, 1 test, 0 rejected\n" {
		t.Fatalf("full sync: %d %q %q", code, e.stdout.String(), e.stderr.String())
	}
	if code := e.run("sync", "--table", table, "--check"); code != exitOK ||
		!strings.Contains(e.stdout.String(), "connected: table "+table) ||
		!strings.Contains(e.stdout.String(), "newest lead:") || !strings.Contains(e.stdout.String(), "newest test lead:") {
		t.Fatalf("check: %d %q %q", code, e.stdout.String(), e.stderr.String())
	}
	if strings.Contains(e.stdout.String(), azuritetest.Key) {
		t.Fatal("check output shows the key")
	}
}

func TestSyncCommandErrors(t *testing.T) {
	srv := azuritetest.Start(t)
	table := seedTable(t, srv, 3)
	e := newSyncEnv(t)
	const wrongKey = "V3JvbmdLZXlXcm9uZ0tleVdyb25nS2V5V3JvbmdLZXlXcm9uZ0tleVdyb25nS2V5V3JvbmdLZXk9PQ=="
	cs := strings.Replace(srv.ConnectionString(), azuritetest.Key, wrongKey, 1)
	code := e.run("sync", "--connection-string", cs, "--table", table)
	out, errs := e.stdout.String(), e.stderr.String()
	if code != exitFailed || strings.Count(errs, "\n") != 1 || !strings.Contains(errs, "refused the account key") ||
		out != "0 read, 0 new, 0 updated, 0 unchanged, 0 test, 0 rejected\n" {
		t.Fatalf("wrong key: %d %q %q", code, out, errs)
	}
	for _, secret := range []string{wrongKey, azuritetest.Key, "AccountKey="} {
		if strings.Contains(out+errs, secret) {
			t.Fatalf("output reveals %q: %q %q", secret, out, errs)
		}
	}
	if code := e.run("sync", "--connection-string", "AccountName=x;AccountKey", "--table", table); code != exitFailed ||
		!strings.Contains(e.stderr.String(), "malformed") {
		t.Fatalf("malformed: %d %q", code, e.stderr.String())
	}
	if code := e.run("sync", "extra"); code != exitUsage {
		t.Fatalf("extra argument: %d", code)
	}
	if code := e.run("sync", "--check", "--full"); code != exitUsage {
		t.Fatalf("--check --full: %d", code)
	}
	if code := e.run("sync"); code != exitUsage || !strings.Contains(e.stderr.String(), "no Azure credentials") {
		t.Fatalf("no credentials: %d %q", code, e.stderr.String())
	}
	// Nothing secret reached the database either.
	raw, _ := os.ReadFile(e.db)
	if bytes.Contains(raw, []byte(wrongKey)) || bytes.Contains(raw, []byte(azuritetest.Key)) {
		t.Fatal("the database holds a key")
	}
}

// TestSyncKilledProcessResumes runs the real binary, kills it with SIGKILL
// in the middle of a sync, and checks that the next run resumes and ends
// with exactly the table's rows; then that Ctrl-C (SIGINT) stops a stalled
// sync within a second.
func TestSyncKilledProcessResumes(t *testing.T) {
	srv := azuritetest.Start(t)
	bin := filepath.Join(t.TempDir(), "leads")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	table := seedTable(t, srv, 3000)
	p := azuritetest.NewProxy(t, srv)
	release := make(chan struct{}, 10)
	p.SetFault(func(n int, r *http.Request) azuritetest.Action {
		// Every query waits for the test to let it through.
		return func(p *azuritetest.Proxy, w http.ResponseWriter, r *http.Request) {
			select {
			case <-release:
			case <-r.Context().Done():
				return
			}
			azuritetest.Delay(closed)(p, w, r)
		}
	})
	db := filepath.Join(t.TempDir(), "leads.db")
	start := func() (*exec.Cmd, *bytes.Buffer, *bytes.Buffer) {
		cmd := exec.Command(bin, "--db", db, "sync", "--table", table)
		cmd.Env = append(os.Environ(), "LEADS_AZURE_CONNECTION_STRING="+p.ConnectionString(), "XDG_CONFIG_HOME="+t.TempDir())
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd, &out, &errb
	}
	waitQueries := func(n int) {
		deadline := time.Now().Add(20 * time.Second)
		for p.Queries() < n {
			if time.Now().After(deadline) {
				t.Fatalf("only %d queries arrived", p.Queries())
			}
			time.Sleep(5 * time.Millisecond)
		}
	}

	cmd, _, _ := start()
	release <- struct{}{}
	release <- struct{}{}
	waitQueries(3)                     // pages 1 and 2 delivered, page 3 asked for
	time.Sleep(500 * time.Millisecond) // page 2 committed
	cmd.Process.Kill()
	cmd.Wait()

	st, err := store.Open(db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Check(); err != nil {
		t.Fatalf("database after kill -9: %v", err)
	}
	c, _ := st.Count()
	st.Close()
	if c.Leads != 2000 {
		t.Fatalf("after kill -9 the store has %d leads, want the 2 committed pages", c.Leads)
	}

	p.SetFault(nil)
	cmd, out, errb := start()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("resumed run: %v %s %s", err, out, errb)
	}
	if out.String() != "1000 read, 1000 new, 0 updated, 0 unchanged, 0 test, 0 rejected\n" || !strings.Contains(errb.String(), "resumed") {
		t.Fatalf("resumed run: %q %q", out, errb)
	}
	st, err = store.Open(db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	c, _ = st.Count()
	st.Close()
	if c.Leads != 3000 {
		t.Fatalf("after resume the store has %d leads, want 3000", c.Leads)
	}

	// Ctrl-C while the service stalls: out within a second, exit 1, one line.
	p.SetFault(func(int, *http.Request) azuritetest.Action { return azuritetest.Stall() })
	cmd, out, errb = start()
	waitQueries(1)
	sent := time.Now()
	cmd.Process.Signal(os.Interrupt)
	err = cmd.Wait()
	if d := time.Since(sent); d > time.Second {
		t.Fatalf("exited %v after SIGINT", d)
	}
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != exitFailed || !strings.Contains(errb.String(), "interrupted") {
		t.Fatalf("after SIGINT: %v %q %q", err, out, errb)
	}
}

var closed = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

func TestInboxSyncer(t *testing.T) {
	srv := azuritetest.Start(t)
	table := seedTable(t, srv, 12)
	e := newSyncEnv(t)
	en := &env{getenv: func(k string) string { return e.vars[k] }}
	st, err := store.Open(e.db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	// The inbox's own syncer, as 'leads inbox' wires it.
	f := tableSyncer(en, st)
	noWarn := func(w string) { t.Errorf("warning: %s", w) }
	_, err = f(t.Context(), func(int) {}, noWarn)
	if !errors.Is(err, tui.ErrSyncNotSetUp) || strings.Contains(err.Error(), "--connection-string") ||
		!strings.Contains(err.Error(), "config.toml") {
		t.Fatalf("without credentials: %v", err)
	}
	// The inbox has no --table: the config file names the table, and is
	// read on each run, so it works without restarting the inbox.
	cfgDir := filepath.Join(e.vars["XDG_CONFIG_HOME"], "leads")
	os.MkdirAll(cfgDir, 0o700)
	os.WriteFile(filepath.Join(cfgDir, "config.toml"), []byte("[azure]\nconnection_string = \""+srv.ConnectionString()+"\"\ntable = \""+table+"\"\n"), 0o600)
	last := 0
	n, err := f(t.Context(), func(read int) { last = read }, noWarn)
	if err != nil || n != 12 || last != 12 {
		t.Fatalf("inbox sync: %d new, progress %d, %v", n, last, err)
	}
	// A config file others can read is refused, and the message holds no
	// secret.
	os.Chmod(filepath.Join(cfgDir, "config.toml"), 0o644)
	if _, err := f(t.Context(), func(int) {}, noWarn); err == nil || errors.Is(err, tui.ErrSyncNotSetUp) ||
		strings.Contains(err.Error(), "AccountKey") {
		t.Fatalf("readable config: %v", err)
	}
}
