package draft

import (
	"errors"
	"strings"
	"testing"
)

// TestBouncingAddressIsRefused: no draft goes to an address marked
// bouncing, confirmed or not, and the reason says how to clear the mark;
// once it is cleared the draft is made.
func TestBouncingAddressIsRefused(t *testing.T) {
	set := mustLoad(t, "")
	c := meiLin()
	c.Triage.Bouncing = true
	for _, confirmed := range []bool{false, true} {
		_, err := Prepare(c, set, testSender, Options{Confirmed: confirmed})
		var r *Refusal
		if !errors.As(err, &r) || r.Confirmable || !strings.Contains(r.Reason, "bounced") || !strings.Contains(r.Reason, "clear the bouncing mark") {
			t.Fatalf("confirmed %v: got %v, want a refusal that names the bounce", confirmed, err)
		}
	}
	c.Triage.Bouncing = false
	if _, err := Prepare(c, set, testSender, Options{}); err != nil {
		t.Fatalf("after the mark is cleared: %v", err)
	}
}
