package main

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/leads-inbox/leads/store"
	"github.com/leads-inbox/leads/store/handoff"
)

// TestInboxLendsTheDatabase runs the real inbox on a pseudo-terminal and,
// beside it, the commands that used to stop with "in use": import, mark
// and list go through; a second inbox is refused in one line; an import
// killed with SIGKILL at several moments loses nothing committed, and the
// file checks clean once the inbox has gone.
func TestInboxLendsTheDatabase(t *testing.T) {
	dir := t.TempDir()
	src := genFile(t, dir, 60000) // three transactions of an import
	db := filepath.Join(dir, "leads.db")
	triage := seedTriage(t, db, src)
	// A short runtime folder: a socket's path has room for 107 bytes.
	run, err := os.MkdirTemp("", "lr")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(run) })
	env := []string{"XDG_RUNTIME_DIR=" + run, "XDG_STATE_HOME=" + filepath.Join(dir, "state"), "TERM=xterm-256color", "NO_COLOR=1"}

	master, slave := openPTY(t)
	inbox := exec.Command(leadsBinary(t), "--db", db, "inbox")
	inbox.Env = append(os.Environ(), env...)
	inbox.Stdin, inbox.Stdout, inbox.Stderr = slave, slave, slave
	inbox.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true}
	if err := inbox.Start(); err != nil {
		t.Fatal(err)
	}
	slave.Close()
	go func() { _, _ = io.Copy(io.Discard, master) }()
	exited := make(chan error, 1)
	go func() { exited <- inbox.Wait() }()
	defer func() {
		_ = inbox.Process.Kill()
		<-exited
	}()
	getenv := func(k string) string {
		if k == "XDG_RUNTIME_DIR" {
			return run
		}
		return os.Getenv(k)
	}
	for i := 0; ; i++ {
		if _, ok := handoff.Inbox(db, getenv); ok {
			break
		}
		if i == 200 {
			t.Fatal("the inbox did not serve its socket within 20 s")
		}
		time.Sleep(100 * time.Millisecond)
	}

	count := func() int {
		t.Helper()
		r := runBin(t, time.Minute, env, "--db", db, "list", "--json", "--include-test")
		if r.code != 0 {
			t.Fatalf("list beside the inbox: %d %q", r.code, r.stderr)
		}
		return strings.Count(r.stdout, "\n")
	}
	before := count()
	if r := runBin(t, time.Minute, env, "--db", db, "mark", triage[0].id, "--note", "beside the inbox"); r.code != 0 {
		t.Fatalf("mark beside the inbox: %d %q", r.code, r.stderr)
	}
	triage[0].t.Notes = append(triage[0].t.Notes, store.Note{Text: "beside the inbox"})

	r := runBin(t, time.Minute, env, "--db", db, "inbox")
	if r.code != exitFailed || !strings.Contains(r.stderr, "leads.db is open in another leads inbox (pid ") {
		t.Fatalf("second inbox: exit %d, %q", r.code, r.stderr)
	}
	oneCleanLine(t, "second inbox", r.stderr)

	// Imports killed at several moments: what each committed stays.
	last := before
	for _, after := range []time.Duration{50 * time.Millisecond, 400 * time.Millisecond, 900 * time.Millisecond, 1400 * time.Millisecond} {
		imp := exec.Command(leadsBinary(t), "--db", db, "import", src)
		imp.Env = append(os.Environ(), env...)
		if err := imp.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(after)
		_ = imp.Process.Kill()
		_ = imp.Wait()
		n := count()
		if n < last {
			t.Fatalf("after an import killed at %v: %d contacts listed, %d before", after, n, last)
		}
		last = n
	}
	if r := runBin(t, time.Minute, env, "--db", db, "import", src); r.code != 0 {
		t.Fatalf("import beside the inbox: %d %q", r.code, r.stderr)
	}
	if n := count(); n <= before {
		t.Fatalf("the import beside the inbox added nothing: %d contacts, %d before", n, before)
	}
	select {
	case err := <-exited:
		t.Fatalf("the inbox ended while lending its database: %v", err)
	default:
	}
	_ = inbox.Process.Signal(syscall.SIGTERM)
	select {
	case <-exited:
	case <-time.After(20 * time.Second):
		t.Fatal("the inbox did not end on SIGTERM")
	}
	exited <- nil // for the deferred wait
	checkDB(t, db, triage)
}
