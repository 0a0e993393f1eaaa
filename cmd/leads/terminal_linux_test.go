//go:build linux

package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"
	"unsafe"

	"github.com/leads-inbox/leads/store/safetext"
)

// openPTY opens a new pseudo-terminal pair: what a program writes to the
// second file arrives, through the kernel's terminal driver, on the first.
func openPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY|syscall.O_CLOEXEC, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	ioctl := func(req uintptr, arg unsafe.Pointer) error {
		if _, _, errno := syscall.Syscall(syscall.SYS_IOCTL, m.Fd(), req, uintptr(arg)); errno != 0 {
			return errno
		}
		return nil
	}
	var unlock int32
	var n uint32
	if err := ioctl(syscall.TIOCSPTLCK, unsafe.Pointer(&unlock)); err != nil {
		m.Close()
		t.Fatalf("unlock the pseudo-terminal: %v", err)
	}
	if err := ioctl(syscall.TIOCGPTN, unsafe.Pointer(&n)); err != nil {
		m.Close()
		t.Fatalf("name the pseudo-terminal: %v", err)
	}
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY|syscall.O_CLOEXEC, 0)
	if err != nil {
		m.Close()
		t.Fatalf("open the terminal side: %v", err)
	}
	t.Cleanup(func() { m.Close() })
	return m, s
}

// onTerminal runs the built leads with its standard output on a new
// pseudo-terminal and returns every byte that reached the terminal.
func onTerminal(t *testing.T, args ...string) string {
	t.Helper()
	master, slave := openPTY(t)
	cmd := exec.Command(leadsBinary(t), args...)
	var errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = slave, &errb
	got := make(chan []byte, 1)
	go func() {
		// The terminal side closes when leads exits: reading then ends
		// with EIO, after everything written before.
		b, _ := io.ReadAll(master)
		got <- b
	}()
	err := cmd.Start()
	slave.Close() // leads holds its own copy
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("leads %v: %v: %s", args, err, errb.String())
	}
	select {
	case b := <-got:
		return string(b)
	case <-time.After(30 * time.Second):
		t.Fatal("the terminal stream did not end after leads exited")
	}
	return ""
}

// hostileCSV is a lead file whose every text field tries to act on the
// terminal it is shown on, or to hide text.
const hostileCSV = "Email,First name,Last name,Company,Title,Call to action,Description\n" +
	"bob@x.example,Bob\x1b]0;pwned\x07\x1b[2J,Eve\x1b]52;c;cHduZWQ=\x07,\x1b]8;;http://evil.example\x07link\x1b]8;;\x07," +
	"c1\u009b31mred,Contact me,\"pay\u034fpal invoice\u202efdp.exe\nsecond line\u2028third\"\n" +
	"zed@x.example,Z" + "\u0301\u0301\u0301\u0301\u0301\u0301\u0301\u0301\u0301\u0301\u0301\u0301" + ",Lin,Contoso,CTO,Contact me,plain\n"

// checkTerminalStream fails on anything from lead text that could act on
// a terminal or hide text in what reached it.
func checkTerminalStream(t *testing.T, what, out string, shown ...string) {
	t.Helper()
	if out == "" {
		t.Fatalf("%s: nothing reached the terminal", what)
	}
	marks := 0
	for i := 0; i < len(out); {
		r, n := utf8.DecodeRuneInString(out[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			t.Fatalf("%s: invalid UTF-8 at byte %d", what, i)
		case r == '\n' || r == '\r':
		case r == 0x1b:
			t.Fatalf("%s: ESC reached the terminal: %+q", what, out[max(i-30, 0):min(i+30, len(out))])
		case r < 0x20, r == 0x7f, r >= 0x80 && r < 0xa0:
			t.Fatalf("%s: control %U reached the terminal: %+q", what, r, out[max(i-30, 0):min(i+30, len(out))])
		case r == 0x2028 || r == 0x2029 || safetext.Hidden(r):
			t.Fatalf("%s: invisible %U reached the terminal: %+q", what, r, out[max(i-30, 0):min(i+30, len(out))])
		case r == 0x301:
			if marks++; marks > safetext.MaxMarks {
				t.Fatalf("%s: %d combining marks on one letter", what, marks)
			}
			i += n
			continue
		}
		marks = 0
		i += n
	}
	for _, payload := range []string{"pwned", "evil.example", "cHduZWQ", "31m"} {
		if strings.Contains(out, payload) {
			t.Fatalf("%s: the escape payload %q reached the terminal", what, payload)
		}
	}
	for _, s := range shown {
		if !strings.Contains(out, s) {
			t.Fatalf("%s: %q is not shown: %+.300q", what, s, out)
		}
	}
}

// TestExportToTerminalIsSanitised: 'leads export' (CSV and JSON), 'list
// --json', 'show --json' and 'export --person' with standard output on a
// real pseudo-terminal send it no escape sequence, control or invisible
// character from lead text; the same export to a file keeps the exact text.
func TestExportToTerminalIsSanitised(t *testing.T) {
	db := tempDB(t)
	if r := runCLI(t, db, hostileCSV, "import", "-"); r.code != 0 {
		t.Fatalf("import: %d %q", r.code, r.stderr)
	}
	for _, args := range [][]string{
		{"export"},
		{"export", "--format", "json"},
		{"list", "--json"},
		{"show", "bob@x.example", "--json"},
		{"export", "--person", "bob@x.example"},
	} {
		shown := []string{"Bob", "Eve", "c1red"}
		if args[0] == "export" || args[0] == "show" {
			shown = append(shown, "paypal invoicefdp.exe")
		}
		checkTerminalStream(t, strings.Join(args, " "), onTerminal(t, append([]string{"--db", db}, args...)...), shown...)
	}

	// To a file (standard output redirected, and --out) the text is exact.
	dir := t.TempDir()
	redirected := filepath.Join(dir, "redirected.csv")
	f, err := os.Create(redirected)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(leadsBinary(t), "--db", db, "export")
	cmd.Stdout = f
	runErr := cmd.Run()
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if runErr != nil {
		t.Fatal(runErr)
	}
	out := filepath.Join(dir, "out.csv")
	if r := runCLI(t, db, "", "export", "--out", out); r.code != 0 {
		t.Fatalf("export --out: %q", r.stderr)
	}
	for _, p := range []string{redirected, out} {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, exact := range []string{"Bob\x1b]0;pwned\x07\x1b[2J", "pay\u034fpal invoice\u202efdp.exe\nsecond line\u2028third", "Z" + strings.Repeat("\u0301", 12)} {
			if !bytes.Contains(b, []byte(exact)) {
				t.Fatalf("%s lost the exact text %+q", filepath.Base(p), exact)
			}
		}
	}
}
