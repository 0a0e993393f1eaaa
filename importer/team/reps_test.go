package team

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/leads-inbox/leads/importer/azuretable/azuritetest"
	"github.com/leads-inbox/leads/store"
)

// The three-rep test runs each rep as its own process: this test binary,
// started again with envRepDriver set, makes the rep's changes in its own
// database and syncs every few changes, as 'leads mark' and 'leads team
// sync' would, through the same store and sync code.
const (
	envRepDriver   = "LEADS_TEAM_TEST_REP"
	envRepDB       = "LEADS_TEAM_TEST_DB"
	envRepConn     = "LEADS_TEAM_TEST_CONN"
	envRepTable    = "LEADS_TEAM_TEST_TABLE"
	envRepChanges  = "LEADS_TEAM_TEST_CHANGES"
	envRepContacts = "LEADS_TEAM_TEST_CONTACTS"
	envRepEvery    = "LEADS_TEAM_TEST_SYNC_EVERY"
	// envRepOffline makes the rep's account unreachable (a closed port)
	// until it has made this many changes.
	envRepOffline = "LEADS_TEAM_TEST_OFFLINE_UNTIL"
)

// repDriver is a rep's process: it prints "made N" (changes committed)
// and "synced OK FAILED" at the end.
func repDriver() int {
	rep := os.Getenv(envRepDriver)
	atoi := func(k string) int { n, _ := strconv.Atoi(os.Getenv(k)); return n }
	changes, contacts, every, offline := atoi(envRepChanges), atoi(envRepContacts), atoi(envRepEvery), atoi(envRepOffline)
	s, err := store.Open(os.Getenv(envRepDB), store.Options{NoSync: true})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer s.Close()
	tb := &driverTB{}
	online := options(tb, os.Getenv(envRepConn), os.Getenv(envRepTable))
	dead := options(tb, "DefaultEndpointsProtocol=http;AccountName="+azuritetest.Account+";AccountKey="+azuritetest.Key+
		";TableEndpoint=http://127.0.0.1:9/"+azuritetest.Account+";", os.Getenv(envRepTable))
	if tb.failed {
		return 1
	}
	rng := rand.New(rand.NewPCG(uint64(len(rep)), uint64(rep[0])))
	made, synced, failed := 0, 0, 0
	statuses := []store.Status{store.StatusContacted, store.StatusEngaged, store.StatusQualified, store.StatusWon, store.StatusLost}
	// Guards refuse some attempts (a claim of another rep's contact, a
	// touch on a closed one, an undo past another rep's change): the rep
	// goes on until it has made its number of changes.
	for i := 0; made < changes && i < 3*changes; i++ {
		id := store.ContactIDForEmail(contactEmail(rng.IntN(contacts)))
		now := time.Now()
		q0, _, qerr := s.TeamQueued()
		if qerr != nil {
			fmt.Fprintln(os.Stderr, qerr)
			return 1
		}
		var err error
		switch k := rng.IntN(100); {
		case k < 25:
			_, err = s.LogTouch(id, now, store.DefaultCadence, "")
		case k < 45:
			st := statuses[rng.IntN(len(statuses))]
			reason := ""
			if st == store.StatusLost {
				reason = store.LostNoResponse
			}
			_, err = s.SetStatus(id, st, reason, now)
		case k < 60:
			_, err = s.SetFollowUp(id, now.Add(time.Duration(1+rng.IntN(200))*time.Hour).Truncate(time.Second), now)
		case k < 80:
			_, err = s.AddNote(id, fmt.Sprintf("%s note %d", rep, i), now)
		case k < 90:
			_, err = s.Claim(id, rep, false, now)
		case k < 95:
			_, err = s.Release(id, rep, false, now)
		default:
			_, err = s.Undo(id, now)
		}
		// A change counts once queued: guards refuse some (a claim of
		// another rep's contact, a touch on a closed one), and a claim
		// of one's own contact changes nothing.
		if q1, _, _ := s.TeamQueued(); err == nil && q1 == q0+1 {
			made++
		}
		if (i+1)%every == 0 {
			o := online
			if made < offline {
				o = dead
			}
			if _, err := Sync(context.Background(), s, rep, o); err != nil {
				failed++
			} else {
				synced++
			}
		}
	}
	n, _, _ := s.TeamQueued()
	fmt.Printf("made %d queued %d synced %d failed %d\n", made, n, synced, failed)
	return 0
}

// driverTB lets options run outside a test.
type driverTB struct {
	testing.TB
	failed bool
}

func (d *driverTB) Helper() {}
func (d *driverTB) Fatal(args ...any) {
	fmt.Fprintln(os.Stderr, args...)
	d.failed = true
}

// TestThreeRepsConverge is the team inbox's acceptance test: three reps,
// three databases, three processes, each making changes on the same
// contacts at once (touches, statuses, follow-ups, notes, claims,
// releases, undos), syncing as they go through a proxy that drops
// connections, loses replies and answers 503, one rep offline for the
// first half of its run. Then everyone syncs until nothing moves, and
// every rep's owners, states and team histories must equal each other's
// and the table's, with every change in the table exactly once.
func TestThreeRepsConverge(t *testing.T) {
	srv := azurite(t)
	table, client := newTable(t, srv)
	changes, contacts, every := 1000, 300, 100
	if testing.Short() {
		changes, contacts, every = 200, 60, 25
	}
	proxy := azuritetest.NewProxy(t, srv)
	var mu sync.Mutex
	rng := rand.New(rand.NewPCG(7, 19))
	var injected [3]int
	fault := func(_ int, r *http.Request) azuritetest.Action {
		mu.Lock()
		defer mu.Unlock()
		switch k := rng.IntN(100); {
		case k < 3:
			injected[0]++
			return azuritetest.Status(http.StatusServiceUnavailable, "ServerBusy")
		case k < 5:
			injected[1]++
			return azuritetest.Drop()
		case k < 7 && r.Method == http.MethodPost:
			injected[2]++
			return azuritetest.LoseReply()
		}
		return nil
	}
	proxy.SetFault(fault)
	proxy.SetRequestFault(fault)

	dir := t.TempDir()
	reps := []string{"Ana", "Ben", "Cai"}
	for _, r := range reps {
		openRep(t, dir, r, contacts).Close()
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	type out struct {
		rep  string
		line string
		err  error
	}
	results := make(chan out, len(reps))
	for i, r := range reps {
		cmd := exec.Command(exe, "-test.run=^$")
		offline := 0
		if i == 2 {
			offline = changes / 2
		}
		cmd.Env = append(os.Environ(), envRepDriver+"="+r, envRepDB+"="+filepath.Join(dir, r+".db"),
			envRepConn+"="+proxy.ConnectionString(), envRepTable+"="+table,
			envRepChanges+"="+strconv.Itoa(changes), envRepContacts+"="+strconv.Itoa(contacts),
			envRepEvery+"="+strconv.Itoa(every), envRepOffline+"="+strconv.Itoa(offline))
		go func() {
			b, err := cmd.CombinedOutput()
			line := ""
			sc := bufio.NewScanner(strings.NewReader(string(b)))
			for sc.Scan() {
				if strings.HasPrefix(sc.Text(), "made ") {
					line = sc.Text()
				}
			}
			if line == "" && err == nil {
				err = errors.New(string(b))
			}
			results <- out{r, line, err}
		}()
	}
	made := 0
	for range reps {
		o := <-results
		if o.err != nil {
			t.Fatalf("%s's process: %v", o.rep, o.err)
		}
		var n, q, ok, failed int
		if _, err := fmt.Sscanf(o.line, "made %d queued %d synced %d failed %d", &n, &q, &ok, &failed); err != nil {
			t.Fatalf("%s: %q", o.rep, o.line)
		}
		if n != changes {
			t.Fatalf("%s made %d changes of %d", o.rep, n, changes)
		}
		if o.rep == "Cai" && failed == 0 {
			t.Fatalf("Cai was never offline: %s", o.line)
		}
		t.Logf("%s: %s", o.rep, o.line)
		made += n
	}
	mu.Lock()
	t.Logf("injected: %d 503s, %d drops, %d lost replies", injected[0], injected[1], injected[2])
	if injected[0] == 0 || injected[1] == 0 || injected[2] == 0 {
		t.Fatalf("faults not injected: %v", injected)
	}
	mu.Unlock()

	// Everyone syncs, faults and all, until a round moves nothing.
	stores := make([]*store.Store, len(reps))
	for i, r := range reps {
		s, err := store.Open(filepath.Join(dir, r+".db"), store.Options{NoSync: true})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		stores[i] = s
	}
	o := options(t, proxy.ConnectionString(), table)
	o.Net = fastNet
	quiet := false
	for round := 0; round < 30 && !quiet; round++ {
		quiet = true
		for i, s := range stores {
			r, err := Sync(context.Background(), s, reps[i], o)
			if err != nil || r.Pushed > 0 || r.Pulled > 0 {
				quiet = false
			}
		}
	}
	if !quiet {
		t.Fatal("the reps did not settle in 30 rounds")
	}
	proxy.SetFault(nil)
	proxy.SetRequestFault(nil)

	rows := tableRows(t, client)
	events := 0
	for _, pr := range rows {
		events += len(pr) - 1
	}
	if events != made {
		t.Fatalf("the table holds %d events; the reps made %d changes", events, made)
	}
	for c := range contacts {
		email := contactEmail(c)
		vt := tableView(rows[Partition(testSecret, email)])
		if vt.Status == "" {
			vt.Status = string(store.StatusNew)
		}
		for i, s := range stores {
			if v := viewOf(t, s, email); !equalView(v, vt) {
				t.Fatalf("%s's %s differs from the table:\nrep   %+v\ntable %+v", reps[i], email, v, vt)
			}
		}
	}
}
