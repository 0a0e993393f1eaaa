package mailbox

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/leads-inbox/leads/store"
)

// benchMessages is the size of the benchmark's Maildir.
const benchMessages = 100_000

// writeBenchMaildir fills dir with n messages as mbsync names them: most
// from strangers (newsletters, colleagues), one in 200 a reply from a
// contact (half by In-Reply-To, half by From), one in 1,000 a bounce.
// The bodies run from a few lines to about 8 KB.
func writeBenchMaildir(tb testing.TB, dir string, n int) {
	tb.Helper()
	for _, d := range []string{"cur", "new", "tmp"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o700); err != nil {
			tb.Fatal(err)
		}
	}
	filler := strings.Repeat("Lorem ipsum dolor sit amet, consectetur adipiscing elit.\r\n", 140)
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	for i := range n {
		var msg string
		switch {
		case i%1000 == 999:
			msg = dsn(fmt.Sprintf("b%d@mx.example", i), priya, "sent.2@contoso.example")
		case i%200 == 0:
			msg = reply(mei, fmt.Sprintf("r%d@northwind.example", i), "sent.1@contoso.example", "Re: Your trial", "Yes, let's talk.\r\n> quoted\r\n")
		case i%200 == 100:
			msg = reply("Mei <"+mei+">", fmt.Sprintf("f%d@northwind.example", i), "", "Question", "How much for 200 seats?\r\n")
		default:
			msg = reply(fmt.Sprintf("news%d@list%d.example", i%5000, i%37), fmt.Sprintf("m%d@list.example", i), "",
				"Weekly digest", filler[:(i*7919)%len(filler)])
		}
		sub := "cur"
		name := fmt.Sprintf("%d.R%d.benchhost,U=%d:2,S", base+int64(i), i, i+1)
		if i%50 == 0 {
			sub, name = "new", fmt.Sprintf("%d.R%d.benchhost,U=%d", base+int64(i), i, i+1)
		}
		if err := os.WriteFile(filepath.Join(dir, sub, name), []byte(msg), 0o600); err != nil {
			tb.Fatal(err)
		}
	}
	// The folder was last changed an hour ago, as a mailbox between
	// deliveries is.
	old := time.Now().Add(-time.Hour)
	for _, d := range []string{"cur", "new"} {
		if err := os.Chtimes(filepath.Join(dir, d), old, old); err != nil {
			tb.Fatal(err)
		}
	}
}

// BenchmarkMaildirScan: the first scan of a 100,000-message Maildir into
// a store with contacts, a rescan with nothing new (the directory times
// unchanged: nothing listed, nothing opened), and a rescan after the mail
// program changed a flag (every name listed, no file opened).
//
//	go test ./importer/mailbox -run '^$' -bench MaildirScan -benchtime 1x -benchmem
func BenchmarkMaildirScan(b *testing.B) {
	dir := filepath.Join(b.TempDir(), "INBOX")
	writeBenchMaildir(b, dir, benchMessages)
	var s *store.Store
	fresh := func() {
		s = openStore(b)
		for _, c := range []struct{ email, id string }{{mei, "sent.1@contoso.example"}, {priya, "sent.2@contoso.example"}} {
			if _, err := s.LogSent(store.ContactIDForEmail(c.email), ts("2025-12-01T00:00:00Z"), store.DefaultCadence, c.id, "Your trial"); err != nil {
				b.Fatal(err)
			}
		}
	}
	md, err := NewMaildir(dir)
	if err != nil {
		b.Fatal(err)
	}
	scanOnce := func(b *testing.B) Result {
		sc := NewScanner(s, Options{Own: []string{rep}})
		if err := sc.Scan(context.Background(), md); err != nil {
			b.Fatal(err)
		}
		return sc.Result()
	}
	b.Run("first", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			fresh()
			b.StartTimer()
			res := scanOnce(b)
			if res.Read != benchMessages || res.Replies != benchMessages/100 || res.Bounces != benchMessages/1000 {
				b.Fatalf("%+v", res)
			}
		}
		b.ReportMetric(float64(benchMessages), "messages/op")
	})
	b.Run("rescan-unchanged", func(b *testing.B) {
		for b.Loop() {
			if res := scanOnce(b); res.Read != 0 {
				b.Fatalf("%+v", res)
			}
		}
	})
	b.Run("rescan-after-flag-change", func(b *testing.B) {
		ents, err := os.ReadDir(filepath.Join(dir, "new"))
		if err != nil || len(ents) == 0 {
			b.Fatal(err)
		}
		i := 0
		for b.Loop() {
			b.StopTimer()
			// The mail program marks one message read: new/ → cur/.
			e := ents[i%len(ents)]
			i++
			if err := os.Rename(filepath.Join(dir, "new", e.Name()), filepath.Join(dir, "cur", e.Name()+":2,S")); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			if res := scanOnce(b); res.Read != 0 {
				b.Fatalf("%+v", res)
			}
		}
	})
}
