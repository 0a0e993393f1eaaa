package azuretable

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// endpointWithSecrets is a connection string whose TableEndpoint carries a
// user name and password and a query, pointing at a closed port.
const endpointWithSecrets = "AccountName=devstoreaccount1;AccountKey=" + DevStoreKey +
	";TableEndpoint=http://leaduser:hunter2pw@127.0.0.1:1/devstoreaccount1?token=qsecret"

// endpointSecrets are the parts of endpointWithSecrets nothing may show.
var endpointSecrets = []string{"leaduser", "hunter2pw", "qsecret"}

// TestEndpointCredentialsNeverShown: a TableEndpoint's user name, password
// and query values appear neither in the connection's description (what
// 'sync --check' prints) nor in an error, and the client is built without
// the user name and password.
func TestEndpointCredentialsNeverShown(t *testing.T) {
	c, err := Resolve(Config{ConnectionString: endpointWithSecrets, Getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	if want := "http://127.0.0.1:1/devstoreaccount1?token=REDACTED"; c.Endpoint != want {
		t.Errorf("Endpoint = %q, want %q", c.Endpoint, want)
	}
	if want := "http://127.0.0.1:1/devstoreaccount1?token=qsecret"; c.clientEndpoint() != want {
		t.Errorf("the client is built with %q, want %q", c.clientEndpoint(), want)
	}
	net := fastNet
	net.MaxRetries = 0
	_, checkErr := Check(context.Background(), c, net)
	if checkErr == nil {
		t.Fatal("a check against a closed port succeeded")
	}
	for _, shown := range []string{c.String(), checkErr.Error()} {
		for _, secret := range endpointSecrets {
			if strings.Contains(shown, secret) {
				t.Fatalf("%q shows %q", shown, secret)
			}
		}
	}
}

// TestSDKLogHidesEndpointCredentials: with AZURE_SDK_GO_LOGGING=all the
// SDK logs every request line; none names the endpoint's user name,
// password or query values. The test runs itself again in a new process,
// so that the package's init sees the variable.
func TestSDKLogHidesEndpointCredentials(t *testing.T) {
	if os.Getenv("LEADS_TEST_SDK_LOG_CHILD") == "endpoint" {
		c, err := Resolve(Config{ConnectionString: endpointWithSecrets, Getenv: func(string) string { return "" }})
		if err != nil {
			t.Fatal(err)
		}
		net := fastNet
		net.MaxRetries = 1
		Check(context.Background(), c, net)
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestSDKLogHidesEndpointCredentials$", "-test.count=1")
	cmd.Env = append(os.Environ(), "LEADS_TEST_SDK_LOG_CHILD=endpoint", "AZURE_SDK_GO_LOGGING=all")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("child: %v\n%s", err, stderr.String())
	}
	log := stderr.String()
	if !strings.Contains(log, "127.0.0.1:1/devstoreaccount1") {
		t.Fatalf("the SDK logged no request line:\n%s", log)
	}
	for _, secret := range endpointSecrets {
		if strings.Contains(log, secret) {
			t.Fatalf("the SDK log shows %q:\n%s", secret, log)
		}
	}
}
