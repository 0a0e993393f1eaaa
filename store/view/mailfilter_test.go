package view

import "testing"

// TestRepliedAndBouncingFilters: Replied selects what the inbox's Replied
// view holds (a reply waiting, on an open contact that takes contact
// actions), Bouncing the addresses marked bouncing; both read the State,
// so a caller that skips it when NeedsState is false would miss them.
func TestRepliedAndBouncingFilters(t *testing.T) {
	open := FlagEmail
	waiting := State{Replied: now - hour, Touches: 1, Status: 1}
	cases := []struct {
		name              string
		d                 Digest
		s                 State
		replied, bouncing bool
	}{
		{"waiting", Digest{Flags: open}, waiting, true, false},
		{"no reply", Digest{Flags: open}, State{Touches: 1, Status: 1}, false, false},
		{"waiting, bouncing", Digest{Flags: open}, State{Replied: now, Mail: MailBouncing}, true, true},
		{"bouncing", Digest{Flags: open}, State{Mail: MailBouncing}, false, true},
		{"waiting but DNC", Digest{Flags: open | FlagDNC}, waiting, false, false},
		{"waiting but closed", Digest{Flags: open}, State{Replied: now, Status: uint8(StatusIndex(StatusWon))}, false, false},
	}
	for _, c := range cases {
		for _, f := range []struct {
			filter Filter
			want   bool
		}{{Filter{Replied: true}, c.replied}, {Filter{Bouncing: true}, c.bouncing}} {
			sel, err := f.filter.Resolve(nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !sel.NeedsState() {
				t.Fatalf("%+v does not ask for the state it reads", f.filter)
			}
			if got := sel.Match(&c.d, c.s); got != f.want {
				t.Errorf("%s: %+v matches %v, want %v", c.name, f.filter, got, f.want)
			}
		}
	}
}
