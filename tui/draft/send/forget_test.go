package send

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestRemoveCopiesTo: the messages kept for one recipient go, others and
// files that are not messages stay, and a link in the folder is neither
// followed nor removed (its target outside the folder is untouched).
func TestRemoveCopiesTo(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "Sent")
	msg := func(to string) []byte {
		return []byte("From: ana@contoso.example\r\nTo: \"X\" <" + to + ">\r\nSubject: hi\r\n\r\nbody\r\n")
	}
	for _, to := range []string{"mei@northwind.example", "other@x.example", "Mei@Northwind.example"} {
		if _, err := SaveToMaildir(dir, msg(to), time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	outside := filepath.Join(t.TempDir(), "outside.eml")
	if err := os.WriteFile(outside, msg("mei@northwind.example"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(dir, "cur", "link:2,S")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "new", "junk"), []byte("\x00\x01not mail"), 0o600); err != nil {
		t.Fatal(err)
	}
	n, err := RemoveCopiesTo(dir, func(a string) bool { return strings.EqualFold(a, "mei@northwind.example") })
	if err != nil || n != 2 {
		t.Fatalf("removed %d, %v", n, err)
	}
	left, _ := filepath.Glob(filepath.Join(dir, "*", "*"))
	if len(left) != 3 { // other's copy, the link, the junk
		t.Fatalf("left: %v", left)
	}
	if _, err := os.Stat(outside); err != nil {
		t.Fatalf("the link's target: %v", err)
	}
}
