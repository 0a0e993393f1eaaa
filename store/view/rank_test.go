package view

import (
	"slices"
	"testing"
)

// now is the moment every ranking test ranks at.
const now = int64(1_800_000_000)

const hour = 60 * 60

func TestRankOf(t *testing.T) {
	open := FlagEmail
	cases := []struct {
		name  string
		d     Digest
		s     State
		tier  Tier
		at    int64
		lanes []Lane
	}{
		// The first-reply clock of a Contact me or Test Drive lead.
		{"hot, just in", Digest{Flags: open, Hot: now, Last: now}, State{}, TierHotClock, now, []Lane{LaneAction, LaneAll}},
		{"hot, last second of the clock", Digest{Flags: open, Hot: now - FirstReply + 1, Last: now - FirstReply + 1}, State{}, TierHotClock, now - FirstReply + 1, []Lane{LaneAction, LaneAll}},
		{"hot, clock just run out", Digest{Flags: open, Hot: now - FirstReply, Last: now - FirstReply}, State{}, TierHotLate, -(now - FirstReply), []Lane{LaneAction, LaneAll}},
		{"hot, last second warm", Digest{Flags: open, Hot: now - WarmFor + 1, Last: now - WarmFor + 1}, State{}, TierHotLate, -(now - WarmFor + 1), []Lane{LaneAction, LaneAll}},
		{"hot, cold", Digest{Flags: open, Hot: now - WarmFor, Last: now - WarmFor}, State{}, TierLate, -(now - WarmFor), []Lane{LaneAction, LaneAll}},
		// A hot lead past its clock outranks a newer install on the clock.
		{"hot late, newer install", Digest{Flags: open, Hot: now - 2*FirstReply, Last: now - hour}, State{}, TierHotLate, -(now - 2*FirstReply), []Lane{LaneAction, LaneAll}},
		// A cold hot lead no longer decides: the newer install's clock does.
		{"cold hot, newer install", Digest{Flags: open, Hot: now - WarmFor - hour, Last: now - hour}, State{}, TierClock, now - hour, []Lane{LaneAction, LaneAll}},
		// Other leads' clock.
		{"install, just in", Digest{Flags: open, Last: now}, State{}, TierClock, now, []Lane{LaneAction, LaneAll}},
		{"install, last second", Digest{Flags: open, Last: now - FirstReply + 1}, State{}, TierClock, now - FirstReply + 1, []Lane{LaneAction, LaneAll}},
		{"install, late", Digest{Flags: open, Last: now - FirstReply}, State{}, TierLate, -(now - FirstReply), []Lane{LaneAction, LaneAll}},
		// A reply waiting for the rep, above a due follow-up; closed or DNC wins over it.
		{"replied", Digest{Flags: open, Hot: now}, State{Replied: now - 60, Due: now - hour, Touches: 1, Status: 1}, TierReplied, -(now - 60), []Lane{LaneAction, LaneAll, LaneReplied}},
		{"replied, then won", Digest{Flags: open, Last: now}, State{Replied: now - 60, Status: 4}, TierRest, -now, []Lane{LaneAll, LaneClosed}},
		{"replied, DNC", Digest{Flags: open | FlagDNC, Last: now}, State{Replied: now - 60}, TierRest, -now, []Lane{LaneAll, LaneDNC}},
		// The rep's own follow-ups.
		{"due now", Digest{Flags: open, Hot: now}, State{Due: now, Touches: 1, Status: 1}, TierOverdue, now, []Lane{LaneAction, LaneAll}},
		{"due a second ago, untouched", Digest{Flags: open}, State{Due: now - 1}, TierOverdue, now - 1, []Lane{LaneAction, LaneAll}},
		{"due in a second", Digest{Flags: open, Hot: now}, State{Due: now + 1, Touches: 1, Status: 1}, TierScheduled, now + 1, []Lane{LaneScheduled, LaneAll}},
		{"touched, nothing due", Digest{Flags: open, Last: now - 5*hour}, State{Touches: 4, Status: 1}, TierDecide, -(now - 5*hour), []Lane{LaneAction, LaneAll}},
		{"status set, never touched", Digest{Flags: open, Hot: now, Last: now}, State{Status: 2}, TierDecide, -now, []Lane{LaneAction, LaneAll}},
		// The rest, most recent first.
		{"won, due date kept", Digest{Flags: open, Last: now - hour}, State{Due: now - 1, Status: StatusIndex(StatusWon)}, TierRest, -(now - hour), []Lane{LaneAll, LaneClosed}},
		{"lost", Digest{Flags: open, Last: now}, State{Status: StatusIndex(StatusLost)}, TierRest, -now, []Lane{LaneAll, LaneClosed}},
		{"DNC", Digest{Flags: open | FlagDNC, Hot: now, Last: now}, State{}, TierRest, -now, []Lane{LaneAll, LaneDNC}},
		{"DNC and lost", Digest{Flags: open | FlagDNC, Last: now}, State{Status: StatusIndex(StatusLost)}, TierRest, -now, []Lane{LaneAll, LaneClosed, LaneDNC}},
		{"no personal data", Digest{Flags: open | FlagNoPII, Hot: now, Last: now}, State{}, TierRest, -now, []Lane{LaneAll, LaneNoInfo}},
		{"no address", Digest{Hot: now, Last: now}, State{Due: now - 1}, TierRest, -now, []Lane{LaneAll, LaneNoInfo}},
		// A follow-up date set during the first-reply clock keeps the clock.
		{"hot on the clock, follow-up set", Digest{Flags: open, Hot: now - hour, Last: now - hour}, State{Due: now + 3*FirstReply}, TierHotClock, now - hour, []Lane{LaneAction, LaneScheduled, LaneAll}},
		{"install on the clock, follow-up set", Digest{Flags: open, Last: now - hour}, State{Due: now + hour}, TierClock, now - hour, []Lane{LaneAction, LaneScheduled, LaneAll}},
		{"clock run out, follow-up set", Digest{Flags: open, Last: now - FirstReply}, State{Due: now + hour}, TierScheduled, now + hour, []Lane{LaneScheduled, LaneAll}},
		{"on the clock, follow-up passed", Digest{Flags: open, Last: now - hour}, State{Due: now - 1}, TierOverdue, now - 1, []Lane{LaneAction, LaneAll}},
		{"test lead", Digest{Flags: open | FlagTest | FlagDNC, Hot: now, Last: now}, State{Due: now - 1}, TierRest, -now, []Lane{LaneTest}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := RankOf(&c.d, c.s, now)
			var lanes []Lane
			// The owner's lanes have their own test (TestRankOfOwnerLanes).
			for l := Lane(0); l < LaneMine; l++ {
				if r.Lanes.Has(l) {
					lanes = append(lanes, l)
				}
			}
			if r.Tier != c.tier || r.At != c.at || !slices.Equal(lanes, c.lanes) {
				t.Errorf("got tier %d at %d lanes %v, want tier %d at %d lanes %v", r.Tier, r.At, lanes, c.tier, c.at, c.lanes)
			}
		})
	}
}

// TestRankOfOwnerLanes: Mine and Team follow the owner whatever else the
// contact is; Unassigned holds only the open contacts nobody owns; a test
// lead stays in its own view; the owner never changes the urgency.
func TestRankOfOwnerLanes(t *testing.T) {
	open := FlagEmail
	cases := []struct {
		name  string
		d     Digest
		s     State
		lanes []Lane // of LaneMine, LaneUnassigned, LaneTeam
	}{
		{"new, nobody's", Digest{Flags: open, Last: now}, State{}, []Lane{LaneUnassigned}},
		{"scheduled, nobody's", Digest{Flags: open, Last: now - 5*FirstReply}, State{Due: now + hour, Touches: 1, Status: 1}, []Lane{LaneUnassigned}},
		{"replied, nobody's", Digest{Flags: open, Last: now}, State{Replied: now - 60}, []Lane{LaneUnassigned}},
		{"new, mine", Digest{Flags: open, Last: now}, State{Owned: OwnedMine}, []Lane{LaneMine}},
		{"new, another rep's", Digest{Flags: open, Last: now}, State{Owned: OwnedTeam}, []Lane{LaneTeam}},
		{"won, nobody's", Digest{Flags: open, Last: now}, State{Status: StatusIndex(StatusWon)}, nil},
		{"won, mine", Digest{Flags: open, Last: now}, State{Status: StatusIndex(StatusWon), Owned: OwnedMine}, []Lane{LaneMine}},
		{"DNC, nobody's", Digest{Flags: open | FlagDNC, Last: now}, State{}, nil},
		{"DNC, another rep's", Digest{Flags: open | FlagDNC, Last: now}, State{Owned: OwnedTeam}, []Lane{LaneTeam}},
		{"no address, nobody's", Digest{Last: now}, State{}, nil},
		{"test lead, nobody's", Digest{Flags: open | FlagTest, Last: now}, State{}, nil},
		{"test lead, mine", Digest{Flags: open | FlagTest, Last: now}, State{Owned: OwnedMine}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := RankOf(&c.d, c.s, now)
			var lanes []Lane
			for l := LaneMine; l < NumLanes; l++ {
				if r.Lanes.Has(l) {
					lanes = append(lanes, l)
				}
			}
			if !slices.Equal(lanes, c.lanes) {
				t.Errorf("owner lanes %v, want %v", lanes, c.lanes)
			}
			const owner = 1<<LaneMine | 1<<LaneUnassigned | 1<<LaneTeam
			un := c.s
			un.Owned = OwnedNone
			if u := RankOf(&c.d, un, now); u.Tier != r.Tier || u.At != r.At || u.Lanes&^owner != r.Lanes&^owner {
				t.Errorf("the owner changed the rank: %+v, unowned %+v", r, u)
			}
		})
	}
}

// TestKeyOrdersAsTheInboxLists: tier first, then the time within it;
// times no key can hold tie at the ends instead of wrapping around.
func TestKeyOrdersAsTheInboxLists(t *testing.T) {
	ordered := []Rank{
		{Tier: TierOverdue, At: -1 << 62},
		{Tier: TierOverdue, At: now - 2*hour},
		{Tier: TierOverdue, At: now - hour},
		// One clock group, least time left first, hot or not: 59m left
		// (started 23h01m ago) before a hot lead with 23h left.
		{Tier: TierClock, At: now - 23*hour - 60},
		{Tier: TierHotClock, At: now - 20*hour},
		{Tier: TierClock, At: now - 2*hour},
		{Tier: TierHotClock, At: now - hour},
		{Tier: TierHotLate, At: -now},
		// A contact whose cadence is done comes before the late pile.
		{Tier: TierDecide, At: -now},
		{Tier: TierDecide, At: -(now - WarmFor)},
		{Tier: TierLate, At: -now},
		{Tier: TierLate, At: -(now - WarmFor)},
		{Tier: TierScheduled, At: now + hour},
		{Tier: TierRest, At: -now},
		{Tier: TierRest, At: 0},
		{Tier: TierRest, At: 1 << 62},
	}
	for i := 1; i < len(ordered); i++ {
		a, b := ordered[i-1], ordered[i]
		if a.Key() >= b.Key() {
			t.Errorf("%+v sorts at or after %+v", a, b)
		}
		if b.Key()>>KeyBits != 0 {
			t.Errorf("%+v: key %x uses more than %d bits", b, b.Key(), KeyBits)
		}
	}
	far := []Rank{{Tier: TierRest, At: 1 << 62}, {Tier: TierRest, At: 1<<63 - 1}}
	if far[0].Key() != far[1].Key() {
		t.Errorf("times beyond the key's range do not tie")
	}
}

func TestOrderKey(t *testing.T) {
	older := Digest{Flags: FlagEmail, Hot: now - 2*hour, Last: now - 2*hour}
	newer := Digest{Flags: FlagEmail, Last: now - hour}
	// Most recent activity first.
	if ByRecent.Key(&newer, State{}, now) >= ByRecent.Key(&older, State{}, now) {
		t.Error("recent: the newer contact is not first")
	}
	// Urgency: the hot lead's clock runs out first.
	if ByUrgency.Key(&older, State{}, now) >= ByUrgency.Key(&newer, State{}, now) {
		t.Error("urgency: the hot lead is not first")
	}
	// An overdue follow-up beats both.
	if ByUrgency.Key(&newer, State{Due: now - 1, Touches: 1, Status: 1}, now) >= ByUrgency.Key(&older, State{}, now) {
		t.Error("urgency: the overdue follow-up is not first")
	}
	for _, s := range []string{"recent", " Urgency"} {
		if _, err := ParseOrder(s); err != nil {
			t.Error(err)
		}
	}
	if _, err := ParseOrder("oldest"); err == nil {
		t.Error("an unknown order was accepted")
	}
}

func TestStateOf(t *testing.T) {
	var zero State
	if s := StateOf(StatusNew, zeroTime, 0); s != zero {
		t.Errorf("an untouched contact's state is %+v, want the zero State", s)
	}
	s := StateOf(StatusWon, zeroTime.Add(1), 1<<20)
	if !s.Closed() || s.Touches != 0xFFFF || s.Status != StatusIndex(StatusWon) {
		t.Errorf("state %+v", s)
	}
	if StatusIndex("no such status") != 0 {
		t.Error("an unknown status is not read as new")
	}
}

func TestStageOf(t *testing.T) {
	for action, want := range map[string]Stage{
		"PLT": StageContactMe, "plt": StageContactMe, "StartTestDrive": StageTestDrive,
		"INS": StageInstall, "Create": StageInstall, "create": StageInstall,
		"DNC": StageNone, "": StageNone, "Subscribe": StageNone,
	} {
		if got := StageOf(action); got != want {
			t.Errorf("StageOf(%q) = %d, want %d", action, got, want)
		}
	}
	if !(StageContactMe < StageTestDrive && StageTestDrive < StageInstall) {
		t.Error("the stages are out of funnel order")
	}
}

// TestClock: what the inbox's first column shows, for each tier.
func TestClock(t *testing.T) {
	open := FlagEmail
	cases := []struct {
		d    Digest
		s    State
		want int64
	}{
		{Digest{Flags: open, Hot: now - hour, Last: now - hour}, State{}, FirstReply - hour}, // left
		{Digest{Flags: open, Last: now - 2*hour}, State{}, FirstReply - 2*hour},              // left
		{Digest{Flags: open, Hot: now - FirstReply - hour, Last: now}, State{}, hour},        // late, by the hot lead
		{Digest{Flags: open, Last: now - FirstReply - 3*hour}, State{}, 3 * hour},            // late
		{Digest{Flags: open}, State{Due: now - 5*hour, Touches: 1, Status: 1}, 5 * hour},     // over
		{Digest{Flags: open}, State{Due: now + 5*hour, Touches: 1, Status: 1}, now + 5*hour}, // the due time
		{Digest{Flags: open, Last: now - 9*hour}, State{Touches: 4, Status: 1}, 0},           // decide
		{Digest{Flags: open | FlagDNC, Last: now - 7*hour}, State{}, 7 * hour},               // ago
	}
	for _, c := range cases {
		r := RankOf(&c.d, c.s, now)
		if got := r.Clock(now); got != c.want {
			t.Errorf("tier %d: clock %d, want %d", r.Tier, got, c.want)
		}
	}
}
