package main

// Copies of a person outside the database: the demo's database after the
// terminal closes, a killed backup's temporary file, leftovers of killed
// processes, and the backups and exports forget must reach.

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/leads-inbox/leads/store/scratch"
)

// filesUnder lists every regular file below dir.
func filesUnder(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			out = append(out, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// deadPID returns the ID of a process that has ended.
func deadPID(t *testing.T) int {
	t.Helper()
	c := exec.Command("true")
	if err := c.Run(); err != nil {
		t.Fatal(err)
	}
	return c.Process.Pid
}

// tmuxRun runs tmux on a server of the test's own.
func tmuxRun(t *testing.T, sock string, args ...string) string {
	t.Helper()
	out, err := exec.Command("tmux", append([]string{"-L", sock}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("tmux %v: %v %s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

// TestSignalsEndTheDemoWithoutATrace runs 'leads demo' in tmux and ends
// it the two ways a terminal program is ended from outside: the terminal
// closes (tmux kills the session: a real SIGHUP), or a plain kill
// (SIGTERM). Either way the demo's database, with its sample people, is
// gone, the terminal left the alternate screen, and the process ended by
// that signal.
func TestSignalsEndTheDemoWithoutATrace(t *testing.T) {
	if testing.Short() {
		t.Skip("process-level test")
	}
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux not installed")
	}
	bin := leadsBinary(t)
	for _, tc := range []struct {
		name string
		sig  syscall.Signal
	}{{"SIGHUP", syscall.SIGHUP}, {"SIGTERM", syscall.SIGTERM}} {
		t.Run(tc.name, func(t *testing.T) {
			base := t.TempDir()
			tmp := filepath.Join(base, "tmp")
			if err := os.Mkdir(tmp, 0o755); err != nil {
				t.Fatal(err)
			}
			sock := fmt.Sprintf("leads-test-%d-%s", os.Getpid(), tc.name)
			t.Cleanup(func() { exec.Command("tmux", "-L", sock, "kill-server").Run() })
			tmuxRun(t, sock, "-f", "/dev/null", "new-session", "-d", "-s", "demo", "-x", "100", "-y", "30")
			tmuxRun(t, sock, "set", "-g", "remain-on-exit", "on")
			tmuxRun(t, sock, "respawn-pane", "-k", "-t", "demo",
				fmt.Sprintf("env -u XDG_RUNTIME_DIR TMPDIR=%s XDG_STATE_HOME=%s %s demo --rows 300", tmp, filepath.Join(base, "state"), bin))
			pid := 0
			fmt.Sscan(tmuxRun(t, sock, "display", "-p", "-t", "demo", "#{pane_pid}"), &pid)
			if pid <= 1 {
				// kill(0) would signal this whole test run's process group.
				t.Fatalf("no pid for the demo's pane (%d)", pid)
			}
			var dbs []string
			for range 300 {
				dbs = nil
				for _, f := range filesUnder(t, tmp) {
					if strings.HasSuffix(f, ".db") {
						dbs = append(dbs, f)
					}
				}
				if len(dbs) > 0 && tmuxRun(t, sock, "display", "-p", "-t", "demo", "#{alternate_on}") == "1" &&
					strings.Contains(tmuxRun(t, sock, "capture-pane", "-p", "-t", "demo"), "demo") {
					break
				}
				time.Sleep(100 * time.Millisecond)
			}
			if len(dbs) == 0 {
				t.Fatalf("the demo did not start: %s", tmuxRun(t, sock, "capture-pane", "-p", "-t", "demo"))
			}
			if tc.sig == syscall.SIGHUP {
				// The terminal goes away: tmux hangs up the pane's terminal.
				tmuxRun(t, sock, "kill-server")
			} else if err := syscall.Kill(pid, tc.sig); err != nil {
				t.Fatal(err)
			}
			for i := 0; scratch.Alive(pid); i++ {
				if i == 200 {
					t.Fatalf("leads demo still runs after %v", tc.sig)
				}
				time.Sleep(50 * time.Millisecond)
			}
			if left := filesUnder(t, tmp); len(left) > 0 {
				t.Errorf("after %v the demo left %v", tc.sig, left)
			}
			if tc.sig == syscall.SIGTERM {
				// The process has ended; tmux learns how when it reaps it,
				// which can take a while on a busy machine: until then the
				// kernel keeps the wait status of the unreaped process.
				sig := ""
				for i := 0; i < 200 && sig == ""; i++ {
					if sig = tmuxRun(t, sock, "display", "-p", "-t", "demo", "#{pane_dead_signal}"); sig == "" {
						if ws, ok := unreapedStatus(pid); ok && ws&0x7f != 0 {
							sig = strconv.Itoa(ws & 0x7f)
						} else if ok {
							sig = fmt.Sprintf("none (exit status %d)", ws>>8)
						}
					}
					if sig == "" {
						time.Sleep(50 * time.Millisecond)
					}
				}
				if alt := tmuxRun(t, sock, "display", "-p", "-t", "demo", "#{alternate_on}"); sig != "15" || alt != "0" {
					t.Errorf("ended by signal %q, alternate screen %q; want 15 and 0 (ended by SIGTERM, terminal given back)", sig, alt)
				}
			}
		})
	}
}

// TestKilledBackupLeavesNothing kills 'leads backup' with SIGKILL while
// it has its temporary file open beside the destination: nothing that
// holds the leads is left there. Leftovers of a killed earlier version
// (or of a system where the file needs a name) are removed by the next
// backup; the file of a running writer is not.
func TestKilledBackupLeavesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("process-level test")
	}
	dir := t.TempDir()
	db := filepath.Join(dir, "leads.db")
	csv := genFile(t, dir, 20000)
	if r := runBin(t, 2*time.Minute, nil, "--db", db, "import", csv); r.code != 0 {
		t.Fatalf("import: %q", r.stderr)
	}
	out := filepath.Join(dir, "out")
	if err := os.Mkdir(out, 0o700); err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(out, "b.db")
	killed := false
	for attempt := 0; attempt < 40 && !killed; attempt++ {
		os.Remove(dst)
		cmd := exec.Command(leadsBinary(t), "--db", db, "backup", dst)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		fds := fmt.Sprintf("/proc/%d/fd", cmd.Process.Pid)
		// A backup that ends before it is caught is a zombie until Wait,
		// and a zombie's fd folder reads as empty, without an error: the
		// watch must also stop when Wait returns, or it spins forever.
		ended := make(chan struct{})
		go func() { cmd.Wait(); close(ended) }()
	watch:
		for {
			select {
			case <-ended:
				break watch
			default:
			}
			ents, err := os.ReadDir(fds)
			if err != nil {
				break // it has ended
			}
			for _, e := range ents {
				if l, err := os.Readlink(filepath.Join(fds, e.Name())); err == nil && strings.HasPrefix(l, out+"/") {
					cmd.Process.Kill()
					break watch
				}
			}
		}
		<-ended
		if _, err := os.Stat(dst); os.IsNotExist(err) {
			killed = true
		}
	}
	if !killed {
		t.Skip("could not catch the backup with its file open in 40 tries")
	}
	if left := filesUnder(t, out); len(left) > 0 {
		t.Fatalf("a backup killed while writing left %v", left)
	}

	dead := fmt.Sprintf(".b.db.tmp-%d-0a0b0c", deadPID(t))
	legacy := ".b.db.tmp-123456789"
	live := fmt.Sprintf(".b.db.tmp-%d-0d0e0f", os.Getpid())
	for _, n := range []string{dead, legacy, live} {
		if err := os.WriteFile(filepath.Join(out, n), []byte("every lead"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	old := time.Now().Add(-2 * time.Hour)
	os.Chtimes(filepath.Join(out, legacy), old, old)
	if r := runBin(t, time.Minute, nil, "--db", db, "backup", dst); r.code != 0 {
		t.Fatalf("backup: %q", r.stderr)
	}
	for n, want := range map[string]bool{dead: false, legacy: false, live: true} {
		if _, err := os.Stat(filepath.Join(out, n)); (err == nil) != want {
			t.Errorf("%s: exists = %v after the next backup, want %v", n, err == nil, want)
		}
	}
}

// TestForgetLeavesTheMarkNowhere: after a session that wrote every kind
// of copy (a backup, CSV, JSON and person exports, an editor file and a
// backup's temporary file left by killed processes), 'leads forget'
// erases the person from each, says so line by line, and no file leads
// wrote anywhere holds their address, name, company, phone or message;
// the other people stay in the backup and the exports.
func TestForgetLeavesTheMarkNowhere(t *testing.T) {
	if testing.Short() {
		t.Skip("process-level test")
	}
	base := t.TempDir()
	dirs := map[string]string{}
	for _, d := range []string{"db", "bk", "ex", "tmp", "state", "home"} {
		dirs[d] = filepath.Join(base, "wrote", d)
		if err := os.MkdirAll(dirs[d], 0o700); err != nil {
			t.Fatal(err)
		}
	}
	envv := []string{"LEADS_DB=" + filepath.Join(dirs["db"], "leads.db"), "TMPDIR=" + dirs["tmp"],
		"XDG_STATE_HOME=" + dirs["state"], "HOME=" + dirs["home"], "XDG_RUNTIME_DIR=",
		"XDG_DATA_HOME=" + filepath.Join(dirs["home"], "data"), "XDG_CONFIG_HOME=" + filepath.Join(dirs["home"], "config")}
	getenv := func(k string) string {
		for _, kv := range envv {
			if v, ok := strings.CutPrefix(kv, k+"="); ok {
				return v
			}
		}
		return ""
	}
	L := func(args ...string) procResult {
		t.Helper()
		r := runBin(t, time.Minute, envv, args...)
		if r.code != 0 {
			t.Fatalf("leads %v: %d %q", args, r.code, r.stderr)
		}
		return r
	}
	L("import", "testdata/storage-explorer-export.csv")
	L("backup", filepath.Join(dirs["bk"], "b.db"))
	L("export", "--out", filepath.Join(dirs["ex"], "all.csv"))
	L("export", "--format", "json", "--out", filepath.Join(dirs["ex"], "all.json"))
	L("export", "--person", "mei.lin@northwind.example", "--out", filepath.Join(dirs["ex"], "mei.json"))

	// What killed processes left: an editor file in the private
	// directory, a backup's temporary file with a name.
	priv, err := scratch.Dir(getenv)
	if err != nil {
		t.Fatal(err)
	}
	pid := deadPID(t)
	if err := os.WriteFile(filepath.Join(priv, fmt.Sprintf("editor-%d-0a0b0c.txt", pid)),
		[]byte("To: Mei Lin <mei.lin@northwind.example>\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dirs["bk"], "b.db"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dirs["bk"], fmt.Sprintf(".b.db.tmp-%d-0a0b0c", pid)), b, 0o600); err != nil {
		t.Fatal(err)
	}

	r := L("forget", "mei.lin@northwind.example", "--yes")
	for _, want := range []string{"erased from the backup", "removed 3 rows of them from the export", "removed 1 row of them from the export",
		"deleted the export of this person", "removed the temporary file"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("forget did not say %q:\n%s", want, r.stdout)
		}
	}
	needles := []string{"mei.lin@northwind", "northwind", "5550 1234", "pricing for 200 seats"}
	for _, f := range filesUnder(t, filepath.Join(base, "wrote")) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range needles {
			if bytes.Contains(bytes.ToLower(b), []byte(n)) {
				t.Errorf("%s still holds %q after forget", f, n)
			}
		}
	}
	for _, f := range []string{filepath.Join(dirs["ex"], "all.csv"), filepath.Join(dirs["ex"], "all.json")} {
		if b, _ := os.ReadFile(f); !bytes.Contains(b, []byte("olu@tailspin.example")) {
			t.Errorf("%s lost the other people", f)
		}
	}
	if r := L("--db", filepath.Join(dirs["bk"], "b.db"), "list"); !strings.Contains(r.stdout, "olu@tailspin.example") || strings.Contains(r.stdout, "Mei") {
		t.Errorf("the backup after forget:\n%s", r.stdout)
	}
	// Said once: a copy that is gone is reported and dropped.
	if err := os.Remove(filepath.Join(dirs["ex"], "all.json")); err != nil {
		t.Fatal(err)
	}
	r = runBin(t, time.Minute, envv, "forget", "olu@tailspin.example", "--yes")
	if r.code != exitFailed || !strings.Contains(r.stderr, "all.json is no longer there") {
		t.Errorf("a vanished export: %d %q", r.code, r.stderr)
	}
	if r = L("forget", "priya@adatum.example", "--yes"); strings.Contains(r.stdout+r.stderr, "all.json") {
		t.Errorf("a vanished export reported again: %q %q", r.stdout, r.stderr)
	}
}

// unreapedStatus is the wait status of a process that has ended and that
// its parent has not reaped yet, from /proc (field 52 of stat).
func unreapedStatus(pid int) (int, bool) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, false
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, false
	}
	f := strings.Fields(s[i+1:]) // f[0] is field 3, the state
	if len(f) < 50 || f[0] != "Z" {
		return 0, false
	}
	ws, err := strconv.Atoi(f[49])
	return ws, err == nil
}
