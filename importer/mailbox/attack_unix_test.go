//go:build unix

package mailbox

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestPasswordCommandThatLeavesAChildRunning: a password command whose
// child keeps its output open (gpg starting its agent) printed the
// password and exited 0, yet the scan waited for the child for as long
// as it lived. It returns the password.
func TestPasswordCommandThatLeavesAChildRunning(t *testing.T) {
	pid := filepath.Join(t.TempDir(), "pid")
	t.Cleanup(func() {
		if b, err := os.ReadFile(pid); err == nil {
			if n, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil {
				_ = syscall.Kill(n, syscall.SIGKILL)
			}
		}
	})
	type result struct {
		pw  string
		err error
	}
	done := make(chan result, 1)
	go func() {
		pw, err := RunPasswordCommand(t.Context(), "echo s3cret; sleep 300 & echo $! > '"+pid+"'")
		done <- result{pw, err}
	}()
	select {
	case r := <-done:
		if r.err != nil || r.pw != "s3cret" {
			t.Fatalf("%q %v", r.pw, r.err)
		}
	case <-time.After(40 * time.Second):
		t.Fatal("the password command's child held the scan")
	}
}
