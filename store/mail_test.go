package store

import (
	"testing"
	"time"

	"github.com/leads-inbox/leads/store/view"
	bolt "go.etcd.io/bbolt"
)

// TestReplyStopsTheCadence: a sent message is a touch that schedules the
// next one; a reply naming it marks the contact replied, clears the
// follow-up and puts the contact in the Replied lane at the top of the
// urgency order; the rep's answer ends the wait, and later touches
// schedule nothing (the cadence stays stopped).
func TestReplyStopsTheCadence(t *testing.T) {
	s, _ := openTemp(t)
	if _, err := s.Upsert(sampleLeads(), UpsertOptions{}); err != nil {
		t.Fatal(err)
	}
	id := ContactIDForEmail("mei.lin@northwind.example")
	sent := ts("2026-11-10T09:00:00Z")
	tr, err := s.LogSent(id, sent, DefaultCadence, " <abc.123@leads.example> ", "Your trial")
	if err != nil {
		t.Fatal(err)
	}
	if tr.Touches != 1 || tr.Status != StatusContacted || !tr.LastSentAt.Equal(sent) || tr.NextFollowUp.IsZero() {
		t.Fatalf("after send: %+v", tr)
	}
	got, err := s.ContactForMessageIDs([]string{"<other@x>", "abc.123@leads.example"})
	if err != nil || got != id {
		t.Fatalf("message ID lookup: %q %v", got, err)
	}
	replyAt := ts("2026-11-11T10:00:00Z")
	tr, ok, err := s.RecordReply(id, Reply{MessageID: "<r1@northwind.example>", Subject: "Re: Your trial\x1b[2J",
		Excerpt: "Yes please,\ncall me.\x07", At: replyAt}, ts("2026-11-12T00:00:00Z"))
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	if !tr.RepliedAt.Equal(replyAt) || !tr.NextFollowUp.IsZero() || !tr.Waiting() {
		t.Fatalf("after reply: %+v", tr)
	}
	st := tr.State()
	r := view.RankOf(&view.Digest{Flags: view.FlagEmail, Last: replyAt.Unix()}, st, ts("2026-12-01T00:00:00Z").Unix())
	if r.Tier != view.TierReplied || !r.Lanes.Has(view.LaneReplied) || !r.Lanes.Has(view.LaneAction) {
		t.Fatalf("rank %+v", r)
	}
	// The same reply again (a second scan, or a copy in another folder).
	if _, ok, err := s.RecordReply(id, Reply{MessageID: "r1@northwind.example", At: replyAt}, replyAt); err != nil || ok {
		t.Fatalf("second record: %v %v", ok, err)
	}
	if seen, _ := s.SeenMessageID("<r1@northwind.example>"); !seen {
		t.Fatal("reply not seen")
	}
	if seen, _ := s.SeenMessageID("abc.123@leads.example"); seen {
		t.Fatal("a sent message counts as a seen reply")
	}
	h, _ := s.History(id)
	last := h[len(h)-1]
	if last.Kind != EventReply || last.Subject != "Re: Your trial[2J" && last.Subject != "Re: Your trial" {
		t.Fatalf("reply event %+v", last)
	}
	for _, c := range last.Subject + last.Text {
		if c < 0x20 && c != '\n' {
			t.Fatalf("control character %q in the timeline: %q", c, last.Subject+last.Text)
		}
	}
	// The rep answers: the wait ends, nothing is scheduled.
	tr, err = s.LogTouch(id, ts("2026-11-12T09:00:00Z"), DefaultCadence, "")
	if err != nil {
		t.Fatal(err)
	}
	if tr.Waiting() || !tr.NextFollowUp.IsZero() || tr.Touches != 2 {
		t.Fatalf("after answering: %+v", tr)
	}
	// Undo of the touch keeps the reply on record.
	tr, err = s.Undo(id, ts("2026-11-12T09:01:00Z"))
	if err != nil {
		t.Fatal(err)
	}
	if !tr.RepliedAt.Equal(replyAt) || !tr.LastSentAt.Equal(sent) || !tr.Waiting() {
		t.Fatalf("undo lost mail facts: %+v", tr)
	}
}

// TestBounceMarksAndClears: a bounce marks the address until the rep
// clears it; undo of the clearing brings the mark back; a second copy of
// the bounce records nothing.
func TestBounceMarksAndClears(t *testing.T) {
	s, _ := openTemp(t)
	if _, err := s.Upsert(sampleLeads(), UpsertOptions{}); err != nil {
		t.Fatal(err)
	}
	id := ContactIDForEmail("mei.lin@northwind.example")
	at := ts("2026-11-10T09:00:00Z")
	tr, ok, err := s.MarkBouncing(id, at, "<dsn1@mx.example>", "550 5.1.1 user unknown")
	if err != nil || !ok || !tr.Bouncing || tr.State().Mail&view.MailBouncing == 0 {
		t.Fatalf("%+v %v %v", tr, ok, err)
	}
	if _, ok, _ := s.MarkBouncing(id, at, "dsn1@mx.example", ""); ok {
		t.Fatal("the same bounce recorded twice")
	}
	if tr, err = s.ClearBouncing(id, at.Add(time.Hour)); err != nil || tr.Bouncing {
		t.Fatalf("%+v %v", tr, err)
	}
	if _, err := s.ClearBouncing(id, at.Add(time.Hour)); err == nil {
		t.Fatal("cleared twice")
	}
	if tr, err = s.Undo(id, at.Add(2*time.Hour)); err != nil || !tr.Bouncing {
		t.Fatalf("undo of clearing: %+v %v", tr, err)
	}
}

// TestMessageIDsFollowAMergedContact: when an import moves a person's
// leads to another contact, the Message-IDs sent to them follow, so a
// reply still finds the person.
func TestMessageIDsFollowAMergedContact(t *testing.T) {
	s, _ := openTemp(t)
	if _, err := s.Upsert(sampleLeads(), UpsertOptions{}); err != nil {
		t.Fatal(err)
	}
	id := ContactIDForEmail("mei.lin@northwind.example")
	if _, err := s.LogSent(id, ts("2026-11-10T09:00:00Z"), DefaultCadence, "<m1@leads.example>", "hi"); err != nil {
		t.Fatal(err)
	}
	err := s.db.Update(func(tx *bolt.Tx) error { return moveMessageIDs(tx, id, "0123456789abcdef") })
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := s.ContactForMessageIDs([]string{"m1@leads.example"}); got != "0123456789abcdef" {
		t.Fatalf("got %q", got)
	}
}

// TestAnswerSentThenUndoneIsNotWaiting: the person replied, the rep
// answered through leads, then undid the touch log. The answer went out
// all the same (the session summary says so), so the reply no longer
// waits for one, and the contact does not go back to "Replied: answer
// them".
func TestAnswerSentThenUndoneIsNotWaiting(t *testing.T) {
	s, _ := openTemp(t)
	if _, err := s.Upsert(sampleLeads(), UpsertOptions{}); err != nil {
		t.Fatal(err)
	}
	id := ContactIDForEmail("mei.lin@northwind.example")
	if _, _, err := s.RecordReply(id, Reply{MessageID: "r1@n.example", At: ts("2026-11-11T10:00:00Z")}, ts("2026-11-11T11:00:00Z")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.LogSent(id, ts("2026-11-11T12:00:00Z"), DefaultCadence, "answer@contoso.example", "Re: hi"); err != nil {
		t.Fatal(err)
	}
	tr, err := s.Undo(id, ts("2026-11-11T12:01:00Z"))
	if err != nil {
		t.Fatal(err)
	}
	if tr.Waiting() || tr.State().Replied != 0 {
		t.Fatalf("the reply still waits after the answer went out: %+v", tr)
	}
}
