package tui

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	bolt "go.etcd.io/bbolt"

	"github.com/leads-inbox/leads/importer"
	"github.com/leads-inbox/leads/importer/gen"
	"github.com/leads-inbox/leads/store"
	"github.com/leads-inbox/leads/store/view"
)

// earlyStore is a database of generated leads in the given row order, with
// the triage a rep leaves: follow-ups overdue and ahead, touches, won and
// lost contacts, messages sent and replied to, a bouncing address,
// contacts the rep and another rep own; the generated leads hold
// Microsoft's test leads, do-not-contact notices and leads without
// personal data.
func earlyStore(t *testing.T, order string) *store.Store {
	t.Helper()
	var buf bytes.Buffer
	if err := gen.Write(&buf, gen.Options{Rows: 3000, Format: gen.FormatStorageExplorer, Seed: 5, Now: testNow, Order: order}); err != nil {
		t.Fatal(err)
	}
	var leads []store.Lead
	if _, err := importer.ReadCSV(&buf, "gen.csv", func(l store.Lead) error {
		leads = append(leads, l)
		return nil
	}, nil); err != nil {
		t.Fatal(err)
	}
	s, err := store.Open(filepath.Join(t.TempDir(), "t.db"), store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	for i := 0; i < len(leads); i += 700 {
		if _, err := s.Upsert(leads[i:min(i+700, len(leads))], store.UpsertOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	var ids []string
	if err := s.ListContacts(store.Filter{}, func(c *store.Contact) error {
		if c.Contactable() && !c.IsTest {
			ids = append(ids, c.ID)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	at := testNow.Add(-72 * time.Hour)
	for i, id := range ids[:60] {
		var err error
		switch i % 10 {
		case 0:
			_, err = s.SetFollowUp(id, testNow.Add(-time.Duration(i)*time.Hour), at)
		case 1:
			_, err = s.SetFollowUp(id, testNow.Add(time.Duration(i)*time.Hour), at)
		case 2:
			_, err = s.LogTouch(id, at, store.DefaultCadence, "")
		case 3:
			_, err = s.SetStatus(id, store.StatusWon, "", at)
		case 4:
			_, err = s.SetStatus(id, store.StatusLost, "no budget", at)
		case 5:
			if _, err = s.LogSent(id, at, store.DefaultCadence, fmt.Sprintf("m%d@x.invalid", i), "Hello"); err == nil {
				_, _, err = s.RecordReply(id, store.Reply{MessageID: fmt.Sprintf("r%d@y.invalid", i), Subject: "Re: Hello",
					Excerpt: "Yes please", At: testNow.Add(-time.Duration(i) * time.Hour)}, testNow)
			}
		case 6:
			_, _, err = s.MarkBouncing(id, at, fmt.Sprintf("b%d@x.invalid", i), "550 mailbox unknown")
		case 7:
			_, err = s.Claim(id, "me", false, at)
		case 8:
			_, err = s.Claim(id, "Ana", false, at)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// TestEarlyFrameEqualsLoadedFrame: the first frame, ranked from the rank
// column before the digests are read, is the frame the inbox draws once
// they are, in every view, at a narrow and a wide (preview pane) size,
// for leads stored in each row order.
func TestEarlyFrameEqualsLoadedFrame(t *testing.T) {
	for _, order := range []string{gen.OrderGenerated, gen.OrderTable, gen.OrderShuffled} {
		s := earlyStore(t, order)
		for _, size := range [][2]int{{100, 30}, {160, 45}} {
			for lane := view.Lane(0); lane < numViews; lane++ {
				m := New(s, Options{Now: func() time.Time { return testNow }})
				m.msgs.after = noTick
				m.me = "me"
				m.view = lane
				send(t, m, tea.WindowSizeMsg{Width: size[0], Height: size[1]})
				msg, ok := m.earlyCmd()().(earlyMsg)
				if !ok || !msg.ok {
					t.Fatalf("%s: no early frame", order)
				}
				_, load := m.Update(msg)
				early := m.render()
				if !m.earlyDrawable() {
					t.Fatalf("%s, view %d: the early frame was not drawn:\n%s", order, lane, early)
				}
				run(t, m, load)
				if m.x == nil {
					t.Fatalf("%s: not loaded", order)
				}
				if loaded := m.render(); loaded != early {
					t.Fatalf("%s, %dx%d, view %s: the early frame\n%s\ndiffers from the loaded one\n%s", order, size[0], size[1], viewNames[lane], ansi.Strip(early), ansi.Strip(loaded))
				}
				if lane == viewAction && !strings.Contains(early, " left ") {
					t.Fatalf("%s: no clock rows in the early frame:\n%s", order, early)
				}
			}
		}
	}
}

// TestDamagedRankColumnIsNotShownAndIsRebuilt: with a rank column block
// damaged on disk, the inbox draws no early frame (it waits for the full
// load, as before the column), and the full load builds the column again,
// so the next start ranks from it.
func TestDamagedRankColumnIsNotShownAndIsRebuilt(t *testing.T) {
	s := earlyStore(t, gen.OrderShuffled)
	p := s.Path()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := bolt.Open(p, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte("rank_col"))
		k, v := b.Cursor().First()
		v = append([]byte(nil), v...)
		v[len(v)/2] ^= 0x40
		return b.Put(append([]byte(nil), k...), v)
	}); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if s, err = store.Open(p, store.Options{NoSync: true}); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	m := New(s, Options{Now: func() time.Time { return testNow }})
	m.msgs.after = noTick
	send(t, m, tea.WindowSizeMsg{Width: 100, Height: 30})
	msg := m.earlyCmd()().(earlyMsg)
	if msg.ok {
		t.Fatal("an early frame from a damaged rank column")
	}
	_, load := m.Update(msg)
	if !strings.Contains(m.render(), "Loading leads") {
		t.Fatalf("not loading:\n%s", ansi.Strip(m.render()))
	}
	run(t, m, load)
	if err := s.Check(); err != nil {
		t.Fatalf("the rank column was not rebuilt: %v", err)
	}
	if msg := m.earlyCmd()().(earlyMsg); !msg.ok {
		t.Fatal("no early frame from the rebuilt column")
	}
}
