package scratch

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func envWith(tmp string) func(string) string {
	return func(k string) string {
		if k == "TMPDIR" {
			return tmp
		}
		return ""
	}
}

// TestDirRefusesWhatIsNotOurs: in a shared temporary directory anyone may
// create the name first. A real symlink there (to a directory the
// attacker reads) and a directory of another user are refused, never
// written into; a directory of ours left open to others is made afresh.
func TestDirRefusesWhatIsNotOurs(t *testing.T) {
	tmp := t.TempDir()
	name := filepath.Join(tmp, "leads-"+strconv.Itoa(os.Getuid()))
	trap := t.TempDir()
	if err := os.Symlink(trap, name); err != nil {
		t.Fatal(err)
	}
	if _, err := Dir(envWith(tmp)); err == nil || !strings.Contains(err.Error(), "not a private directory") {
		t.Errorf("a symlink was used: %v", err)
	}
	if _, ok := Existing(envWith(tmp)); ok {
		t.Error("Existing accepted a symlink")
	}
	os.Remove(name)

	if os.Getuid() == 0 {
		if err := os.Mkdir(name, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(name, 65534, 65534); err != nil {
			t.Fatal(err)
		}
		if _, err := Dir(envWith(tmp)); err == nil {
			t.Error("another user's directory was used")
		}
		os.Remove(name)
	}

	if err := os.Mkdir(name, 0o777); err != nil {
		t.Fatal(err)
	}
	os.Chmod(name, 0o777)
	planted := filepath.Join(name, "editor-1-00.txt")
	os.WriteFile(planted, []byte("x"), 0o666)
	dir, err := Dir(envWith(tmp))
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("mode after an open directory: %v %v", fi.Mode(), err)
	}
	if _, err := os.Stat(planted); !os.IsNotExist(err) {
		t.Error("a file planted in an open directory was kept")
	}
}

// TestSweepTakesOnlyEndedProcesses: entries of an ended process go,
// those of a running one (this test) stay.
func TestSweepTakesOnlyEndedProcesses(t *testing.T) {
	dir, err := Dir(envWith(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	c := exec.Command("true")
	if err := c.Run(); err != nil {
		t.Fatal(err)
	}
	dead := filepath.Join(dir, "demo-"+strconv.Itoa(c.Process.Pid)+"-aa")
	if err := os.Mkdir(dead, 0o700); err != nil {
		t.Fatal(err)
	}
	f, err := Create(dir, "editor", ".txt")
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	if _, err := Sweep(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dead); !os.IsNotExist(err) {
		t.Error("an ended process's entry stayed")
	}
	if _, err := os.Stat(f.Name()); err != nil {
		t.Errorf("a running process's file went: %v", err)
	}
	if gone, _ := RemoveOwn(dir); len(gone) != 1 {
		t.Errorf("RemoveOwn removed %v", gone)
	}
}

// TestOpenDirectoryOfSomethingElseIsNeverRemoved: the name may be a
// folder of the user's own that is not leads' at all (XDG_RUNTIME_DIR set
// to the home directory, which holds a project called leads). An open
// directory is made afresh only when all it holds is entries leads names;
// anything else is refused and left exactly as it was.
func TestOpenDirectoryOfSomethingElseIsNeverRemoved(t *testing.T) {
	tmp := t.TempDir()
	name := filepath.Join(tmp, "leads-"+strconv.Itoa(os.Getuid()))
	precious := filepath.Join(name, "src", "main.go")
	if err := os.MkdirAll(filepath.Dir(precious), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(name, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(precious, []byte("package main\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, ok := Existing(envWith(tmp)); ok {
		t.Error("Existing accepted a folder open to others")
	}
	if _, err := Dir(envWith(tmp)); err == nil || strings.Contains(err.Error(), "\n") {
		t.Errorf("Dir used a folder that is not leads': %v", err)
	}
	if b, err := os.ReadFile(precious); err != nil || string(b) != "package main\n" {
		t.Fatalf("a folder that is not leads' was removed: %v", err)
	}
}

// A process that has ended but that its parent has not reaped yet (a
// zombie) is not alive: its leftovers may go, and a test waiting for it
// to end does not wait for the parent.
func TestZombieIsNotAlive(t *testing.T) {
	cmd := exec.Command("sh", "-c", "exit 0")
	if err := cmd.Start(); err != nil {
		t.Skip("no sh:", err)
	}
	pid := cmd.Process.Pid
	// Not reaped until Wait: give it time to end.
	for i := 0; i < 100 && !zombie(pid); i++ {
		time.Sleep(20 * time.Millisecond)
	}
	if !zombie(pid) {
		cmd.Wait()
		t.Skip("no /proc to tell a zombie")
	}
	if Alive(pid) {
		t.Errorf("an ended, unreaped process counts as alive")
	}
	cmd.Wait()
	if !Alive(os.Getpid()) {
		t.Errorf("this process does not count as alive")
	}
}
