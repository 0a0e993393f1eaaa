package main

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/data/aztables"
	"github.com/leads-inbox/leads/importer/azuretable/azuritetest"
)

// TestNoSecretInAnyOutput runs the real binary through the Azure
// scenarios (success by key and by SAS, --check, wrong key, expired and
// forged SAS, 503 and 500 bursts, a connection dropped mid-page, a stall
// cut by Ctrl-C, a malformed connection string) and
// greps everything it wrote (stdout, stderr, the database file and any
// file under its config and data directories) for the account key and
// the SAS signatures, raw and URL-encoded. The azuretable package checks
// each error message on its own (assertOneLineNoSecret); this is the
// whole-output sweep.
func TestNoSecretInAnyOutput(t *testing.T) {
	srv := azuritetest.Start(t)
	table := seedTable(t, srv, 1500)
	home := t.TempDir()
	db := filepath.Join(home, "data", "leads.db")
	base := []string{"XDG_CONFIG_HOME=" + filepath.Join(home, "config"), "XDG_DATA_HOME=" + filepath.Join(home, "data"),
		"HOME=" + home, "LEADS_AZURE_CONNECTION_STRING=", "LEADS_AZURE_SAS_URL="}
	now := time.Now().UTC()
	goodSAS := srv.SASURL(t, table, aztables.SASPermissions{Read: true}, now.Add(-time.Hour), now.Add(time.Hour))
	expiredSAS := srv.SASURL(t, table, aztables.SASPermissions{Read: true}, now.Add(-3*time.Hour), now.Add(-time.Hour))
	const wrongKey = "V3JvbmdLZXlXcm9uZ0tleVdyb25nS2V5V3JvbmdLZXlXcm9uZ0tleVdyb25nS2V5V3JvbmdLZXk9PQ=="
	secrets := []string{azuritetest.Key, wrongKey}
	for _, s := range []string{goodSAS, expiredSAS} {
		u, _ := url.Parse(s)
		sig := u.Query().Get("sig")
		secrets = append(secrets, sig, url.QueryEscape(sig))
	}
	p := azuritetest.NewProxy(t, srv)

	var all bytes.Buffer
	run := func(name string, env []string, args ...string) procResult {
		r := runBin(t, 90*time.Second, append(append([]string(nil), base...), env...), append([]string{"--db", db}, args...)...)
		fmt.Fprintf(&all, "== %s\n%s%s", name, r.stdout, r.stderr)
		t.Logf("%s: %v", name, r.took.Round(time.Millisecond))
		return r
	}
	cs := srv.ConnectionString()
	if r := run("key", nil, "sync", "--table", table, "--connection-string", cs); r.code != 0 {
		t.Fatalf("sync: %q", r.stderr)
	}
	run("check", []string{"LEADS_AZURE_CONNECTION_STRING=" + cs}, "sync", "--table", table, "--check")
	if r := run("sas", nil, "sync", "--full", "--sas-url", goodSAS); r.code != 0 {
		t.Fatalf("sas sync: %q", r.stderr)
	}
	run("sas-check", []string{"LEADS_AZURE_SAS_URL=" + goodSAS}, "sync", "--check")
	run("expired", nil, "sync", "--sas-url", expiredSAS)
	forged := strings.Replace(goodSAS, "sig=", "sig=AAAA", 1)
	run("forged", nil, "sync", "--sas-url", forged)
	run("wrong-key", nil, "sync", "--table", table, "--connection-string", strings.Replace(cs, azuritetest.Key, wrongKey, 1))
	run("malformed", nil, "sync", "--connection-string", "AccountName=x;AccountKey"+wrongKey)
	// An unreachable host and endless 503s are left to the azuretable
	// tests (TestUnreachableHostRedactsSAS, TestGivesUpAfterRetries), which
	// can shorten the retry policy; through the binary each costs 40 s.
	run("bad-arg", nil, "sync", goodSAS)

	// Faults through the proxy, each followed by a sync that gets through.
	for _, f := range []struct {
		name  string
		fault azuritetest.Action
		n     int
	}{{"503", azuritetest.Status(503, "ServerBusy"), 2}, {"500", azuritetest.Status(500, "OperationTimedOut"), 2},
		{"drop", azuritetest.DropMidPage(), 1}} {
		left := f.n
		p.SetFault(func(int, *http.Request) azuritetest.Action {
			if left > 0 {
				left--
				return f.fault
			}
			return nil
		})
		run(f.name, nil, "sync", "--full", "--table", table, "--connection-string", p.ConnectionString())
	}
	// A stall, cut short by Ctrl-C.
	p.SetFault(func(int, *http.Request) azuritetest.Action { return azuritetest.Stall() })
	cmd := exec.Command(leadsBinary(t), "--db", db, "sync", "--full", "--table", table, "--connection-string", p.ConnectionString())
	cmd.Env = append(os.Environ(), base...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second)
	cmd.Process.Signal(os.Interrupt)
	cmd.Wait()
	fmt.Fprintf(&all, "== stall\n%s%s", out.String(), errb.String())
	p.SetFault(nil)

	// Everything the runs left on disk counts as output too.
	filepath.Walk(home, func(path string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			b, _ := os.ReadFile(path)
			fmt.Fprintf(&all, "== file %s\n", path)
			all.Write(b)
		}
		return nil
	})
	text := all.String()
	for _, s := range secrets {
		if s != "" && strings.Contains(text, s) {
			i := strings.Index(text, s)
			t.Fatalf("a secret leaked near: %q", text[max(0, i-200):i])
		}
	}
	if !strings.Contains(text, "expired") || !strings.Contains(text, "refused the account key") || !strings.Contains(text, "interrupted") {
		t.Fatalf("the scenarios did not all run as meant:\n%s", text[:min(len(text), 4000)])
	}
}

// TestKillDashNineDuringSyncLoop extends TestSyncKilledProcessResumes
// (one kill at a chosen page) to kills at random moments: each round
// starts a sync of a 3,000-row table into a new database, kills it with
// SIGKILL somewhere in its run, checks the file with bbolt's Check, and
// lets the next sync finish with exactly the table's rows. (Triage state
// under kill -9 is covered by TestKillDashNineDuringImport: both commands
// write through the same Upsert.)
func TestKillDashNineDuringSyncLoop(t *testing.T) {
	if testing.Short() {
		t.Skip("process-level kill loop; runs without -short")
	}
	srv := azuritetest.Start(t)
	table := seedTable(t, srv, 3000)
	p := azuritetest.NewProxy(t, srv)
	// Slow each page a little so kills land between and inside pages.
	p.SetFault(func(int, *http.Request) azuritetest.Action {
		return func(p *azuritetest.Proxy, w http.ResponseWriter, r *http.Request) {
			time.Sleep(150 * time.Millisecond)
			azuritetest.Delay(closed)(p, w, r)
		}
	})
	env := []string{"LEADS_AZURE_CONNECTION_STRING=" + p.ConnectionString(), "XDG_CONFIG_HOME=" + t.TempDir()}
	dir := t.TempDir()
	// A clean run gives the time span to aim the kills at.
	ref := filepath.Join(dir, "ref.db")
	r := runBin(t, time.Minute, env, "--db", ref, "sync", "--table", table)
	if r.code != 0 {
		t.Fatal(r.stderr)
	}
	span := r.took
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 11))
	const rounds = 8
	for i := range rounds {
		db := filepath.Join(dir, fmt.Sprintf("s%d.db", i))
		cmd := exec.Command(leadsBinary(t), "--db", db, "sync", "--table", table)
		cmd.Env = append(os.Environ(), env...)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		at := time.Duration(float64(span) * (0.1 + 0.9*rng.Float64()))
		time.Sleep(at)
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		got := 0
		if _, err := os.Stat(db); err == nil {
			got = checkDB(t, db, nil)
		}
		r := runBin(t, time.Minute, env, "--db", db, "sync", "--table", table)
		if r.code != 0 {
			t.Fatalf("round %d: resumed sync: %q", i, r.stderr)
		}
		if n := checkDB(t, db, nil); n != 3000 {
			t.Fatalf("round %d: %d leads after resuming, want 3000", i, n)
		}
		t.Logf("round %d: killed at %v with %d of 3000 committed; resumed to 3000", i, at.Round(time.Millisecond), got)
	}
}
