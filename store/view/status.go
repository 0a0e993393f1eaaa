package view

import (
	"fmt"
	"strings"
)

// Status is where the rep stands with a contact.
type Status string

// The statuses a contact moves through. Won and Lost close a contact.
const (
	StatusNew       Status = "new"
	StatusContacted Status = "contacted"
	StatusEngaged   Status = "engaged"
	StatusQualified Status = "qualified"
	StatusWon       Status = "won"
	StatusLost      Status = "lost"
)

// Statuses lists every status in funnel order. A State keeps a status as
// its index here, so StatusNew, the state of an untouched contact, must
// stay first.
var Statuses = []Status{StatusNew, StatusContacted, StatusEngaged, StatusQualified, StatusWon, StatusLost}

// ParseStatus accepts a status name in any case.
func ParseStatus(s string) (Status, error) {
	for _, st := range Statuses {
		if strings.EqualFold(strings.TrimSpace(s), string(st)) {
			return st, nil
		}
	}
	return "", fmt.Errorf("unknown status %q: use one of new, contacted, engaged, qualified, won, lost", s)
}

// Closed reports whether the status ends the follow-up work.
func (s Status) Closed() bool { return s == StatusWon || s == StatusLost }

// StatusIndex returns the index of s in Statuses; an unknown status (only
// a damaged record holds one) counts as new.
func StatusIndex(s Status) uint8 {
	for i, st := range Statuses {
		if st == s {
			return uint8(i)
		}
	}
	return 0
}
