package store

import (
	"encoding/hex"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/leads-inbox/leads/store/view"
)

// TestClaimIsExclusive: a claimed contact belongs to one rep; another rep's
// claim is refused naming the owner unless forced, a second claim by the
// owner records nothing, and release by a non-owner needs force. Each
// change is one history event naming who made it, and Undo gives a claim
// back.
func TestClaimIsExclusive(t *testing.T) {
	s, _ := openTemp(t)
	if _, err := s.Upsert(sampleLeads(), UpsertOptions{}); err != nil {
		t.Fatal(err)
	}
	id := ContactIDForEmail("mei.lin@northwind.example")
	at := ts("2026-11-10T09:00:00Z")
	tr, err := s.Claim(id, "  Ana\x1b[2J ", false, at)
	if err != nil || tr.Owner != "Ana" {
		t.Fatalf("claim: %+v %v", tr, err)
	}
	if _, err := s.Claim(id, "Ana", false, at); err != nil {
		t.Fatal(err)
	}
	_, err = s.Claim(id, "Ben", false, at)
	var ec *ErrClaimed
	if !errors.As(err, &ec) || ec.Owner != "Ana" {
		t.Fatalf("Ben's claim of Ana's contact: %v", err)
	}
	if _, err := s.Release(id, "Ben", false, at); err == nil || !strings.Contains(err.Error(), "Ana owns") {
		t.Fatalf("Ben released Ana's claim: %v", err)
	}
	if tr, err = s.Claim(id, "Ben", true, at); err != nil || tr.Owner != "Ben" {
		t.Fatalf("forced claim: %+v %v", tr, err)
	}
	h, err := s.History(id)
	if err != nil {
		t.Fatal(err)
	}
	if len(h) != 2 || h[0].Kind != EventClaim || h[0].By != "Ana" || h[1].From != "Ana" || h[1].To != "Ben" {
		t.Fatalf("history: %+v", h)
	}
	if tr, err = s.Undo(id, at); err != nil || tr.Owner != "Ana" {
		t.Fatalf("undo of the takeover: %+v %v", tr, err)
	}
	if tr, err = s.Release(id, "Ana", false, at); err != nil || tr.Owner != "" {
		t.Fatalf("release: %+v %v", tr, err)
	}
	if _, err := s.Claim(id, " \u200b ", false, at); err == nil {
		t.Fatal("a blank rep name claimed")
	}
	if n := CleanRepName(strings.Repeat("é", 100)); len(n) > MaxRepName {
		t.Fatalf("rep name of %d bytes kept", len(n))
	}
}

// TestStatesForSaysWhoseContact: the same claims read as Mine by their
// owner and as Team by another rep, with the owner's name beside them;
// and the history says each claim, release and takeover in words.
func TestStatesForSaysWhoseContact(t *testing.T) {
	s, _ := openTemp(t)
	if _, err := s.Upsert(sampleLeads(), UpsertOptions{}); err != nil {
		t.Fatal(err)
	}
	id := ContactIDForEmail("mei.lin@northwind.example")
	at := ts("2026-11-10T09:00:00Z")
	if _, err := s.Claim(id, "Ana", false, at); err != nil {
		t.Fatal(err)
	}
	key := idOfHex(t, id)
	for me, want := range map[string]view.Owned{"Ana": view.OwnedMine, "Ben": view.OwnedTeam, "": view.OwnedTeam} {
		states, owners, err := s.StatesFor(me)
		if err != nil {
			t.Fatal(err)
		}
		if states[key].Owned != want || owners[key] != "Ana" {
			t.Errorf("as %q: owned %d owner %q, want %d Ana", me, states[key].Owned, owners[key], want)
		}
	}
	if _, err := s.Claim(id, "Ben", true, at); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Release(id, "Ben", false, at); err != nil {
		t.Fatal(err)
	}
	states, owners, err := s.StatesFor("Ben")
	if err != nil {
		t.Fatal(err)
	}
	if states[key].Owned != view.OwnedNone || owners[key] != "" {
		t.Errorf("released: owned %d owner %q", states[key].Owned, owners[key])
	}
	h, err := s.History(id)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range h {
		if txt := OwnerEventText(e); txt != "" {
			got = append(got, txt)
		}
	}
	want := []string{"claimed by Ana", "Ben took over from Ana", "released by Ben"}
	if !slices.Equal(got, want) {
		t.Errorf("timeline %q, want %q", got, want)
	}
}

func idOfHex(t *testing.T, id string) [8]byte {
	t.Helper()
	var k [8]byte
	if _, err := hex.Decode(k[:], []byte(id)); err != nil {
		t.Fatal(err)
	}
	return k
}
