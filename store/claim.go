package store

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/leads-inbox/leads/store/safetext"
)

// MaxRepName bounds a rep's name as kept in the owner field and in
// history: it is typed into a config file and shown in every row.
const MaxRepName = 64

// CleanRepName returns a rep's name as it is stored and shown: cleaned for
// the terminal, trimmed, at most MaxRepName bytes. The empty result means
// the name is unusable.
func CleanRepName(name string) string {
	n := strings.TrimSpace(safetext.Clean(name))
	for len(n) > MaxRepName {
		_, size := utf8.DecodeLastRuneInString(n)
		n = n[:len(n)-size]
	}
	return strings.TrimSpace(n)
}

// ErrClaimed is returned when a contact another rep owns is claimed
// without force.
type ErrClaimed struct {
	// Owner is the rep who holds the contact.
	Owner string
}

func (e *ErrClaimed) Error() string {
	return fmt.Sprintf("%s owns this contact: ask them to release it, or claim it with force", e.Owner)
}

// Claim makes rep the owner of a contact. Claims are exclusive: a contact
// another rep owns is refused with *ErrClaimed unless force is set (the
// rep takes it over, and the history says from whom). Claiming a contact
// the rep already owns changes nothing and records nothing.
func (s *Store) Claim(contactID, rep string, force bool, at time.Time) (Triage, error) {
	rep = CleanRepName(rep)
	if rep == "" {
		return Triage{}, fmt.Errorf("no rep name to claim with: set name in the [team] section of the config")
	}
	cur, err := s.Triage(contactID)
	if err != nil {
		return Triage{}, err
	}
	if cur.Owner == rep {
		return cur, nil
	}
	return s.change(contactID, at, Event{Kind: EventClaim, From: cur.Owner, To: rep, By: rep}, func(t *Triage) error {
		if t.Owner != "" && t.Owner != rep && !force {
			return &ErrClaimed{Owner: t.Owner}
		}
		t.Owner = rep
		return nil
	})
}

// Release gives up rep's claim on a contact. Releasing another rep's
// claim needs force; releasing an unowned contact changes nothing.
func (s *Store) Release(contactID, rep string, force bool, at time.Time) (Triage, error) {
	rep = CleanRepName(rep)
	cur, err := s.Triage(contactID)
	if err != nil {
		return Triage{}, err
	}
	if cur.Owner == "" {
		return cur, nil
	}
	return s.change(contactID, at, Event{Kind: EventRelease, From: cur.Owner, By: rep}, func(t *Triage) error {
		if t.Owner != rep && !force {
			return fmt.Errorf("%s owns this contact, not you: release it with force to take their claim away", t.Owner)
		}
		t.Owner = ""
		return nil
	})
}

// OwnerEventText says a claim or release event in words for a timeline:
// "claimed by Ana", "released by Ana", "Ben took over from Ana", "Ben's
// claim refused: Ana had it" (another rep's claim reached the team
// first); "" for
// any other event. Names are cleaned again: the history may come from a
// damaged or hostile file.
func OwnerEventText(e Event) string {
	by, from := CleanRepName(e.By), CleanRepName(e.From)
	switch e.Kind {
	case EventClaim:
		to := CleanRepName(e.To)
		if to == "" {
			to = by
		}
		if refused := CleanRepName(e.Refused); refused != "" {
			return to + "'s claim refused: " + refused + " had it"
		}
		if from != "" && from != to {
			return to + " took over from " + from
		}
		return "claimed by " + to
	case EventRelease:
		switch {
		case by == "":
			return "released (was " + from + "'s)"
		case from != "" && from != by:
			return "released by " + by + " (was " + from + "'s)"
		}
		return "released by " + by
	}
	return ""
}
