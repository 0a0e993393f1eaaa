package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/leads-inbox/leads/importer/azuretable"
)

// TestSyncCheckHidesEndpointCredentials: 'leads sync --check' with a
// TableEndpoint that holds user:password@ and a query prints the endpoint
// without the user name and password and with every query value redacted,
// and the user name and password are not sent to the service either.
func TestSyncCheckHidesEndpointCredentials(t *testing.T) {
	var mu sync.Mutex
	var basic []string
	// A table service with an empty table: enough for --check to connect.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); ok {
			mu.Lock()
			basic = append(basic, u+":"+p)
			mu.Unlock()
		}
		w.Header().Set("Content-Type", "application/json;odata=nometadata")
		w.Write([]byte(`{"value":[]}`))
	}))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	cs := "AccountName=devstoreaccount1;AccountKey=" + azuretable.DevStoreKey +
		";TableEndpoint=http://leaduser:hunter2pw@" + host + "/devstoreaccount1?token=qsecret&sv=2020"
	s := newSyncEnv(t)
	if code := s.run("sync", "--check", "--connection-string", cs); code != 0 {
		t.Fatalf("sync --check: %d %q %q", code, s.stdout.String(), s.stderr.String())
	}
	out := s.stdout.String() + s.stderr.String()
	for _, secret := range []string{"leaduser", "hunter2pw", "qsecret", "2020"} {
		if strings.Contains(out, secret) {
			t.Fatalf("sync --check shows %q:\n%s", secret, out)
		}
	}
	if want := "at http://" + host + "/devstoreaccount1?token=REDACTED&sv=REDACTED"; !strings.Contains(out, want) {
		t.Fatalf("sync --check does not say %q:\n%s", want, out)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(basic) > 0 {
		t.Fatalf("the endpoint's user name and password were sent: %q", basic)
	}
}
