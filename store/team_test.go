package store

import (
	"strings"
	"testing"
	"time"
)

// TestTeamOutboxQueuesEachChange: in a team, every change the rep makes
// is queued with its author, a time-ordered team key and the operations
// it makes on the shared state (a touch adds, a claim is conditional, a
// note only adds an event, an undo pushes the fields it restores); out of
// a team nothing is queued.
func TestTeamOutboxQueuesEachChange(t *testing.T) {
	s, _ := openTemp(t)
	if _, err := s.Upsert(sampleLeads(), UpsertOptions{}); err != nil {
		t.Fatal(err)
	}
	id := ContactIDForEmail("mei.lin@northwind.example")
	at := ts("2026-11-10T09:00:00Z")
	if _, err := s.AddNote(id, "alone", at); err != nil {
		t.Fatal(err)
	}
	if q, _ := s.TeamOutbox(0); len(q) != 0 {
		t.Fatalf("queued outside a team: %+v", q)
	}
	if err := s.JoinTeam("Ana"); err != nil {
		t.Fatal(err)
	}
	steps := []func() error{
		func() error { _, err := s.LogTouch(id, at, DefaultCadence, ""); return err },
		func() error { _, err := s.SetStatus(id, StatusQualified, "", at); return err },
		func() error { _, err := s.Claim(id, "Ana", false, at); return err },
		func() error { _, err := s.AddNote(id, "asked for a demo", at); return err },
		func() error { _, err := s.SetFollowUp(id, at.Add(72*time.Hour), at); return err },
		func() error { _, err := s.Undo(id, at); return err },
	}
	for i, f := range steps {
		if err := f(); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
	q, err := s.TeamOutbox(0)
	if err != nil || len(q) != len(steps) {
		t.Fatalf("outbox: %d records, %v", len(q), err)
	}
	has := func(ch TeamChange, f, op string) bool {
		for _, o := range ch.Ops {
			if o.Field == f && o.Op == op {
				return true
			}
		}
		return false
	}
	for i := 1; i < len(q); i++ {
		if q[i-1].Key >= q[i].Key {
			t.Fatalf("keys out of order: %s then %s", q[i-1].Key, q[i].Key)
		}
	}
	if !has(q[0], TeamTouches, OpAdd) || !has(q[0], TeamStatus, OpAdvance) || !has(q[1], TeamStatus, OpSet) ||
		!has(q[2], TeamOwner, OpClaim) || len(q[3].Ops) != 0 || q[3].Text != "asked for a demo" ||
		!has(q[4], TeamFollowUp, OpSet) || q[5].Kind != EventUndo || !has(q[5], TeamFollowUp, OpSet) {
		t.Fatalf("ops: %+v", q)
	}
	for _, ch := range q {
		if ch.By != "Ana" || ch.Contact != id {
			t.Fatalf("author or contact: %+v", ch)
		}
	}
	h, _ := s.History(id)
	if h[len(h)-1].Team != q[5].Key || h[len(h)-1].By != "Ana" {
		t.Fatalf("the undo event has no team key: %+v", h[len(h)-1])
	}
}

// TestTeamPullAppliesOnceAndWaitsForPush: a pulled event joins the
// history once however often it is pulled, the history orders team
// events by key whatever order they arrived in, the pulled state is not
// taken while the contact has unpushed changes and is taken after, and
// Undo does not revert another rep's change.
func TestTeamPullAppliesOnceAndWaitsForPush(t *testing.T) {
	s, _ := openTemp(t)
	if _, err := s.Upsert(sampleLeads(), UpsertOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := s.JoinTeam("Ben"); err != nil {
		t.Fatal(err)
	}
	id := ContactIDForEmail("mei.lin@northwind.example")
	if err := s.NoteTeamPartitions(map[string]string{"p1": id}); err != nil {
		t.Fatal(err)
	}
	at := ts("2026-11-10T09:00:00Z")
	if _, err := s.SetStatus(id, StatusEngaged, "", at); err != nil {
		t.Fatal(err)
	}
	q, _ := s.TeamOutbox(0)
	early := "0000000000000000001-aaaaaa-00000000" // Ana's change, made before Ben's
	rows := []TeamRow{
		{Partition: "p1", Event: &TeamEvent{Key: early, By: "Ana", Kind: EventClaim, To: "Ana", At: at}},
		{Partition: "p1", State: &TeamState{Owner: "Ana", Status: StatusQualified, Touches: 2}},
		{Partition: "p9", Event: &TeamEvent{Key: early + "x", By: "Ana", Kind: EventNote, Text: "n", At: at}},
	}
	for range 2 {
		if _, err := s.ApplyTeamRows(rows, at); err != nil {
			t.Fatal(err)
		}
	}
	h, _ := s.History(id)
	if len(h) != 2 || h[0].Team != early || h[1].Team != q[0].Key {
		t.Fatalf("history not in team-key order, or an event twice: %+v", h)
	}
	if tr, _ := s.Triage(id); tr.Status != StatusEngaged || tr.Owner != "" {
		t.Fatalf("state taken over an unpushed change: %+v", tr)
	}
	if err := s.TeamPushed(q[0].Key); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ApplyTeamRows(rows[1:2], at); err != nil {
		t.Fatal(err)
	}
	if tr, _ := s.Triage(id); tr.Status != StatusQualified || tr.Owner != "Ana" || tr.Touches != 2 {
		t.Fatalf("state not taken after the push: %+v", tr)
	}
	// The held row of a partition met later is applied then.
	other := ContactIDForEmail("priya@adatum.example")
	if err := s.NoteTeamPartitions(map[string]string{"p9": other}); err != nil {
		t.Fatal(err)
	}
	if r, err := s.ApplyHeldTeamRows(); err != nil || r.Events != 1 {
		t.Fatalf("held rows: %+v %v", r, err)
	}
	if _, err := s.AddNote(id, "mine", at); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Undo(id, at); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Undo(id, at); err == nil {
		t.Fatal("undo went past another rep's change")
	}
}

// TestSalvageKeepsTheTeamPlace: a salvaged copy keeps the changes not
// pushed yet, the rep's name and the keys of the events it holds, so the
// next pull adds no event a second time and no change is lost.
func TestSalvageKeepsTheTeamPlace(t *testing.T) {
	s, p := openTemp(t)
	if _, err := s.Upsert(sampleLeads(), UpsertOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := s.JoinTeam("Ana"); err != nil {
		t.Fatal(err)
	}
	id := ContactIDForEmail("mei.lin@northwind.example")
	at := ts("2026-11-10T09:00:00Z")
	if _, err := s.AddNote(id, "mine", at); err != nil {
		t.Fatal(err)
	}
	if err := s.NoteTeamPartitions(map[string]string{"p1": id}); err != nil {
		t.Fatal(err)
	}
	row := []TeamRow{{Partition: "p1", Event: &TeamEvent{Key: "0000000000000000001-aaaaaa-00000000", By: "Ben", Kind: EventNote, Text: "his", At: at}}}
	if _, err := s.ApplyTeamRows(row, at); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	out := p + ".salvaged"
	if _, err := Salvage(p, out); err != nil {
		t.Fatal(err)
	}
	c, err := Open(out, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if q, _ := c.TeamOutbox(0); len(q) != 1 {
		t.Fatalf("unpushed changes after salvage: %d", len(q))
	}
	if rep, _ := c.TeamRep(); rep != "Ana" {
		t.Fatalf("rep after salvage: %q", rep)
	}
	if r, err := c.ApplyTeamRows(row, at); err != nil || r.Events != 0 {
		t.Fatalf("a pulled event added again after salvage: %+v %v", r, err)
	}
}

// TestForgetDropsTheirTeamConflictLines: 'leads team status' shows the
// last push's conflicts with the contact's address; after a forget of
// that person no stored line names them, and the others' lines stay.
func TestForgetDropsTheirTeamConflictLines(t *testing.T) {
	s, _ := openTemp(t)
	if _, err := s.Upsert(sampleLeads(), UpsertOptions{}); err != nil {
		t.Fatal(err)
	}
	gone, kept := "mei.lin@northwind.example", "someone.else@contoso.example"
	err := s.SetTeamConflicts([]TeamConflictLine{
		{Contact: ContactIDForEmail(gone), Text: "Ben set qualified just now (" + gone + ")"},
		{Contact: ContactIDForEmail(kept), Text: "Ben claimed it just now (" + kept + ")"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Forget(gone, ts("2026-11-10T09:00:00Z")); err != nil {
		t.Fatal(err)
	}
	lines, err := s.TeamConflicts()
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) != 1 || strings.Contains(lines[0], gone) || !strings.Contains(lines[0], kept) {
		t.Fatalf("conflict lines after the forget: %q", lines)
	}
}

// TestPulledStateTextIsCleaned: a state row's lost reason and owner come
// from whoever holds the table's key; terminal escapes, bidi and C1
// controls and NULs in them are not kept (leads show --json prints the
// kept value as it is).
func TestPulledStateTextIsCleaned(t *testing.T) {
	s, _ := openTemp(t)
	if _, err := s.Upsert(sampleLeads(), UpsertOptions{}); err != nil {
		t.Fatal(err)
	}
	id := ContactIDForEmail("mei.lin@northwind.example")
	if err := s.NoteTeamPartitions(map[string]string{"p1": id}); err != nil {
		t.Fatal(err)
	}
	hostile := strings.Repeat("\u202eno budget\x1b[2J\x00\u009b31m\u2066", 400)
	row := TeamRow{Partition: "p1", State: &TeamState{Owner: "Eve\x1b]0;x\x07\u202e", Status: StatusLost, LostReason: hostile}}
	if _, err := s.ApplyTeamRows([]TeamRow{row}, ts("2026-11-10T09:00:00Z")); err != nil {
		t.Fatal(err)
	}
	tr, err := s.Triage(id)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{tr.Owner, tr.LostReason} {
		if strings.ContainsAny(v, "\x1b\x00\x07\u009b\u202e\u2066") || len(v) > 600 {
			t.Fatalf("pulled state kept raw: owner %q, lost reason %d bytes %q", tr.Owner, len(tr.LostReason), tr.LostReason[:min(len(tr.LostReason), 40)])
		}
	}
	if !strings.HasPrefix(tr.LostReason, "no budget") || tr.Owner != "Eve" {
		t.Fatalf("cleaned too much: owner %q, lost reason %q", tr.Owner, tr.LostReason[:min(len(tr.LostReason), 40)])
	}
}
