package view

import "time"

// Tier is how urgently a contact needs the rep; lower is more urgent. The
// inbox lists contacts by tier, then by a time whose meaning depends on
// the tier (see Rank).
type Tier uint8

// Urgency tiers, most urgent first.
const (
	TierReplied   Tier = iota // the person answered and waits for the rep: most recent first
	TierOverdue               // follow-up due date passed: oldest due first
	TierHotClock              // new Contact me / Test Drive inside 24 h: least time left first
	TierClock                 // other new leads inside 24 h: least time left first
	TierHotLate               // new hot lead past 24 h but still warm (WarmFor): most recent first
	TierLate                  // other new leads past 24 h: most recent first
	TierDecide                // open, touched, nothing scheduled (cadence done): close or go on
	TierScheduled             // follow-up in the future: soonest first
	TierRest                  // closed, DNC, no contact info, test: most recent first
)

// FirstReply is Microsoft's advice, in seconds: answer within 24 hours.
const FirstReply = 24 * 60 * 60

// WarmFor is how long, in seconds, a Contact me or Test Drive lead past
// its clock stays warm and ranks above the other late leads. After that
// it is one of the rest: a lead an hour late must not wait below
// months-old ones.
const WarmFor = 7 * 24 * 60 * 60

// Lane is one of the inbox's views of the contacts: a contact shows in
// every lane of its Lanes.
type Lane uint8

// The lanes, in the order the inbox's tabs show them.
const (
	LaneAction    Lane = iota // needs the rep now: replied, overdue, on the clock, late, decide
	LaneScheduled             // a follow-up in the future
	LaneAll                   // every contact but Microsoft's test leads
	LaneClosed                // won or lost
	LaneNoInfo                // no personal data or no address
	LaneDNC                   // asked not to be contacted
	LaneTest                  // Microsoft's test leads, and nowhere else
	// LaneReplied: the person answered and waits for the rep's answer.
	// Last, so that the keys of the older views (1 to 7) keep their
	// meaning; these contacts also head the Action view.
	LaneReplied
	// The team's views, after the others for the same reason: LaneMine
	// holds the contacts this rep owns, LaneTeam those another rep owns,
	// LaneUnassigned the open contacts nobody owns (not closed, not DNC,
	// not without contact info).
	LaneMine
	LaneUnassigned
	LaneTeam
	NumLanes
)

// Lanes is a set of lanes, one bit per Lane.
type Lanes uint16

// Has reports whether l is in the set.
func (s Lanes) Has(l Lane) bool { return s&(1<<l) != 0 }

// State is the part of the rep's triage state that ranks and filters a
// contact: small and fixed, so the inbox keeps one beside every digest.
// The zero State is an untouched contact: new, no touches, nothing due.
type State struct {
	Due int64 // Unix seconds of the next follow-up, 0 if none
	// Replied is the Unix time of the person's newest reply while it
	// waits for the rep's answer (no touch logged since), else 0.
	Replied int64
	Touches uint16
	Status  uint8 // index into Statuses
	Mail    MailFlags
	// Owned says who holds the contact as the rep who reads it sees it;
	// the owner's name is kept elsewhere, as few contacts have one.
	Owned Owned
}

// Owned is who owns a contact, seen from one rep.
type Owned uint8

// The owners a contact can have.
const (
	OwnedNone Owned = iota // nobody claimed it
	OwnedMine              // the rep who reads it
	OwnedTeam              // another rep
)

// MailFlags are what the mailbox told about a contact's address.
type MailFlags uint8

// The mail flags.
const (
	// MailBouncing: a delivery failure came back for the address; drafts
	// to it are refused until the rep clears the mark.
	MailBouncing MailFlags = 1 << iota
)

// StateOf returns the State of a triage state.
func StateOf(status Status, due time.Time, touches int) State {
	var d int64
	if !due.IsZero() {
		d = due.Unix()
	}
	return State{Due: d, Touches: uint16(min(max(touches, 0), 0xFFFF)), Status: StatusIndex(status)}
}

// Closed reports a won or lost contact.
func (s State) Closed() bool { return int(s.Status) < len(Statuses) && Statuses[s.Status].Closed() }

// Rank is where a contact stands in the urgency order at one moment.
type Rank struct {
	Tier Tier
	// At orders contacts within a tier, smaller first: a due date or the
	// time a clock started, or a negated time for "most recent first".
	At    int64
	Lanes Lanes
}

// RankOf ranks a contact as of now (Unix seconds): its tier, its time in
// the tier and the lanes it shows in. Which lanes hold it follows from
// the same facts as its tier, so they are decided here together.
func RankOf(d *Digest, s State, now int64) Rank {
	r := rankOf(d, s, now)
	if d.Flags&FlagTest != 0 {
		// Test leads stay in their own view only, owned or not.
		return r
	}
	switch s.Owned {
	case OwnedMine:
		r.Lanes |= 1 << LaneMine
	case OwnedTeam:
		r.Lanes |= 1 << LaneTeam
	default:
		if r.Lanes&(1<<LaneClosed|1<<LaneDNC|1<<LaneNoInfo) == 0 {
			r.Lanes |= 1 << LaneUnassigned
		}
	}
	return r
}

// rankOf is RankOf without the owner's lanes.
func rankOf(d *Digest, s State, now int64) Rank {
	if d.Flags&FlagTest != 0 {
		return Rank{TierRest, -d.Last, 1 << LaneTest}
	}
	lanes := Lanes(1 << LaneAll)
	blocked := false
	if d.Flags&FlagDNC != 0 {
		lanes |= 1 << LaneDNC
		blocked = true
	}
	if d.NoInfo() {
		lanes |= 1 << LaneNoInfo
		blocked = true
	}
	if s.Closed() {
		return Rank{TierRest, -d.Last, lanes | 1<<LaneClosed}
	}
	if blocked {
		return Rank{TierRest, -d.Last, lanes}
	}
	if s.Replied != 0 {
		// A reply stops the cadence: the person waits for the rep, which
		// comes before any follow-up date.
		return Rank{TierReplied, -s.Replied, lanes | 1<<LaneAction | 1<<LaneReplied}
	}
	untouched := s.Touches == 0 && s.Status == 0
	switch {
	case s.Due != 0 && s.Due <= now:
		return Rank{TierOverdue, s.Due, lanes | 1<<LaneAction}
	case s.Due != 0 && untouched:
		// A follow-up date set before the first reply must not hide the
		// 24-hour clock: the contact stays on it, and is scheduled too.
		if r, ok := firstReplyClock(d, now); ok {
			return Rank{r.Tier, r.At, lanes | 1<<LaneAction | 1<<LaneScheduled}
		}
		return Rank{TierScheduled, s.Due, lanes | 1<<LaneScheduled}
	case s.Due != 0:
		return Rank{TierScheduled, s.Due, lanes | 1<<LaneScheduled}
	case untouched:
		lanes |= 1 << LaneAction
		if d.Hot != 0 {
			if d.Hot+FirstReply > now {
				return Rank{TierHotClock, d.Hot, lanes}
			}
			if d.Hot+WarmFor > now {
				return Rank{TierHotLate, -d.Hot, lanes}
			}
		}
		if d.Last+FirstReply > now {
			return Rank{TierClock, d.Last, lanes}
		}
		return Rank{TierLate, -d.Last, lanes}
	}
	return Rank{TierDecide, -d.Last, lanes | 1<<LaneAction}
}

// firstReplyClock returns the running 24-hour clock of a contact, if one
// runs: a hot lead's clock, else the newest lead's.
func firstReplyClock(d *Digest, now int64) (Rank, bool) {
	switch {
	case d.Hot != 0 && d.Hot+FirstReply > now:
		return Rank{Tier: TierHotClock, At: d.Hot}, true
	case d.Last+FirstReply > now && (d.Hot == 0 || d.Hot+WarmFor <= now):
		return Rank{Tier: TierClock, At: d.Last}, true
	}
	return Rank{}, false
}

// Group is a run of contacts the inbox shows under one header: the
// tiers a rep works through as one kind of work, most urgent first.
type Group uint8

// The groups, in the order the inbox and 'leads list --sort urgency' list
// them. A contact whose cadence is done (GroupDecide) comes before the
// pile of leads that missed their clock long ago, or it would sink below
// thousands of them.
const (
	GroupReplied   Group = iota // the person answered: answer them
	GroupOverdue                // follow-up date passed
	GroupClock                  // the 24-hour first-reply clock runs, hot or not
	GroupWarm                   // a Contact me or Test Drive past its clock, still warm
	GroupDecide                 // cadence done: close it or go on
	GroupLate                   // other leads past their clock
	GroupScheduled              // a follow-up in the future
	GroupRest                   // closed, DNC, no contact info, test
	NumGroups
)

// Group returns the group a tier is listed in. Both first-reply clocks
// share one group, ordered by the time left, so that a lead with 59
// minutes left is above a hot one with 23 hours left.
func (t Tier) Group() Group {
	switch t {
	case TierReplied:
		return GroupReplied
	case TierOverdue:
		return GroupOverdue
	case TierHotClock, TierClock:
		return GroupClock
	case TierHotLate:
		return GroupWarm
	case TierDecide:
		return GroupDecide
	case TierLate:
		return GroupLate
	case TierScheduled:
		return GroupScheduled
	}
	return GroupRest
}

// String is the group's header in the inbox.
func (g Group) String() string {
	switch g {
	case GroupReplied:
		return "Replied: answer them"
	case GroupOverdue:
		return "Overdue"
	case GroupClock:
		return "Reply within 24h"
	case GroupWarm:
		return "Late, still warm"
	case GroupDecide:
		return "Cadence done: decide"
	case GroupLate:
		return "Late"
	case GroupScheduled:
		return "Scheduled"
	}
	return "Other"
}

// Clock returns, in seconds as of now, what makes a ranked contact
// urgent, as the inbox's first column shows it: how long ago the person
// replied (TierReplied), how long a follow-up is
// overdue (TierOverdue), the time left on the first-reply clock
// (TierHotClock, TierClock), how long past it (TierHotLate, TierLate),
// the due time itself in Unix seconds (TierScheduled), 0 (TierDecide), or
// how long since the newest lead (TierRest). It reads the time RankOf
// ranked by, so the column cannot count from another lead than the order.
func (r Rank) Clock(now int64) int64 {
	switch r.Tier {
	case TierReplied:
		return now + r.At // At is the reply's time, negated
	case TierOverdue:
		return now - r.At
	case TierHotClock, TierClock:
		return r.At + FirstReply - now
	case TierHotLate, TierLate:
		return now + r.At - FirstReply // At is the clock's start, negated
	case TierScheduled:
		return r.At
	case TierDecide:
		return 0
	}
	return now + r.At // At is the newest lead's time, negated
}

// KeyBits is how many low bits of a uint64 a Key uses, so that a caller
// can shift it up and pack something of its own below it, as the inbox's
// sort packs each contact's position.
const KeyBits = 3 + timeBits

// timeBits hold a time after the offset: years 1 to 8,700. Times outside
// are clamped, so such contacts tie rather than wrap around.
const timeBits = 38

// Key returns the urgency order as one integer: a smaller key is more
// urgent, and two ranks compare as their keys do. Contacts are listed by
// Group, then by At. Sorting plain integers
// is about ten times faster than calling a comparison function, which
// matters when the inbox ranks a million contacts. Contacts with equal
// keys are listed in store order (older contact first).
func (r Rank) Key() uint64 {
	// Clamp before the offset is added, so that no time can overflow.
	const half = 1 << (timeBits - 1)
	t := uint64(min(max(r.At, -half), half-1) + half)
	return uint64(r.Tier.Group())<<timeBits | t
}
