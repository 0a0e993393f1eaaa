package azuretable

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	azlog "github.com/Azure/azure-sdk-for-go/sdk/azcore/log"
	"github.com/Azure/azure-sdk-for-go/sdk/data/aztables"
	"github.com/leads-inbox/leads/importer/azuretable/azuritetest"
)

// A valid base64 key that is not the account's.
const wrongKey = "V3JvbmdLZXlXcm9uZ0tleVdyb25nS2V5V3JvbmdLZXlXcm9uZ0tleVdyb25nS2V5V3JvbmdLZXk9PQ=="

// assertOneLineNoSecret fails if msg spans lines or quotes any secret.
func assertOneLineNoSecret(t *testing.T, msg string, secrets ...string) {
	t.Helper()
	if strings.ContainsAny(msg, "\r\n") {
		t.Errorf("not one line: %q", msg)
	}
	for _, s := range secrets {
		if s != "" && strings.Contains(msg, s) {
			t.Errorf("message reveals a secret: %q", msg)
		}
	}
	if strings.Contains(strings.ToLower(msg), "sig=") && !strings.Contains(msg, "sig=REDACTED") {
		t.Errorf("message has a signature: %q", msg)
	}
}

func sigOf(t *testing.T, sasURL string) string {
	u, err := url.Parse(sasURL)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query().Get("sig")
}

func syncErr(t *testing.T, c *Conn) error {
	t.Helper()
	_, err := Sync(context.Background(), openStore(t), Options{Conn: c, Net: fastNet})
	if err == nil {
		t.Fatal("sync succeeded")
	}
	return err
}

func TestWrongKey(t *testing.T) {
	srv := azurite(t)
	table, _ := newTable(t, srv)
	cs := strings.Replace(srv.ConnectionString(), azuritetest.Key, wrongKey, 1)
	err := syncErr(t, connFor(t, cs, table))
	assertOneLineNoSecret(t, err.Error(), wrongKey, azuritetest.Key, cs)
	if !strings.Contains(err.Error(), "refused the account key") {
		t.Fatalf("wrong key: %v", err)
	}
	_, err = Check(context.Background(), connFor(t, cs, table), fastNet)
	if err == nil || !strings.Contains(err.Error(), "refused the account key") {
		t.Fatalf("check with a wrong key: %v", err)
	}
}

func TestExpiredSAS(t *testing.T) {
	srv := azurite(t)
	table, _ := newTable(t, srv)
	now := time.Now().UTC()
	sas := srv.SASURL(t, table, aztables.SASPermissions{Read: true}, now.Add(-3*time.Hour), now.Add(-time.Hour))
	c, err := Resolve(Config{SASURL: sas, Getenv: noEnv})
	if err != nil {
		t.Fatal(err)
	}
	err = syncErr(t, c)
	assertOneLineNoSecret(t, err.Error(), sigOf(t, sas), sas)
	if !strings.Contains(err.Error(), "SAS expired") {
		t.Fatalf("expired SAS: %v", err)
	}
	// A SAS with a forged signature is refused, and says so.
	sas2 := srv.SASURL(t, table, aztables.SASPermissions{Read: true}, now.Add(-time.Hour), now.Add(time.Hour))
	forged := strings.Replace(sas2, "sig="+url.QueryEscape(sigOf(t, sas2)), "sig=Zm9yZ2VkZm9yZ2Vk", 1)
	c, err = Resolve(Config{SASURL: forged, Getenv: noEnv})
	if err != nil {
		t.Fatal(err)
	}
	err = syncErr(t, c)
	assertOneLineNoSecret(t, err.Error(), "Zm9yZ2VkZm9yZ2Vk")
	if !strings.Contains(err.Error(), "SAS was refused") {
		t.Fatalf("forged SAS: %v", err)
	}
}

func TestMissingTable(t *testing.T) {
	srv := azurite(t)
	err := syncErr(t, connFor(t, srv.ConnectionString(), "NoSuchTable"))
	assertOneLineNoSecret(t, err.Error(), azuritetest.Key)
	if !strings.Contains(err.Error(), "table NoSuchTable does not exist") {
		t.Fatalf("missing table: %v", err)
	}
}

func TestUnreachableHostRedactsSAS(t *testing.T) {
	// A port nothing listens on: connection refused, retried, then one line
	// without the SAS (the SDK's own error quotes the whole URL).
	c, err := Resolve(Config{SASURL: "http://127.0.0.1:1/devstoreaccount1/MarketplaceLeads?sv=2019-02-02&se=2099-01-01&sp=r&tn=MarketplaceLeads&sig=c2VjcmV0c2lnbmF0dXJl", Getenv: noEnv})
	if err != nil {
		t.Fatal(err)
	}
	err = syncErr(t, c)
	assertOneLineNoSecret(t, err.Error(), "c2VjcmV0c2lnbmF0dXJl")
	if !strings.Contains(err.Error(), "connection refused") {
		t.Fatalf("unreachable: %v", err)
	}
	// A server that hangs up on every request gives a transport error
	// whose text would carry the URL.
	srv := azurite(t)
	p := azuritetest.NewProxy(t, srv)
	p.SetFault(func(int, *http.Request) azuritetest.Action { return hangUp })
	sas := strings.Replace(c.Endpoint, "127.0.0.1:1", strings.TrimPrefix(strings.TrimSuffix(p.URL, "/"+azuritetest.Account), "http://"), 1)
	c, err = Resolve(Config{SASURL: sas + "/MarketplaceLeads?sv=2019-02-02&sig=c2VjcmV0c2lnbmF0dXJl", Getenv: noEnv})
	if err != nil {
		t.Fatal(err)
	}
	err = syncErr(t, c)
	assertOneLineNoSecret(t, err.Error(), "c2VjcmV0c2lnbmF0dXJl")
}

func hangUp(p *azuritetest.Proxy, w http.ResponseWriter, r *http.Request) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err == nil {
		conn.Close()
	}
}

func TestMalformedConnectionStrings(t *testing.T) {
	for _, tc := range []struct{ cs, want string }{
		{"AccountName=acct;AccountKey", "part 2 is not Key=Value"},
		{"this is not a connection string " + wrongKey, "neither AccountKey"},
		{"just words", "part 1 is not Key=Value"},
		{"AccountName=acct", "neither AccountKey nor SharedAccessSignature"},
		{"AccountKey=" + wrongKey, "no AccountName"},
		{"AccountName=acct;AccountKey=not*base64!" + wrongKey[:10], "not a valid key"},
		{"AccountName=acct;SharedAccessSignature=sv=1&sp=r", "no signature"},
		{"DefaultEndpointsProtocol=ftp;AccountName=acct;AccountKey=" + wrongKey, "must be https"},
	} {
		_, err := Resolve(Config{ConnectionString: tc.cs, Getenv: noEnv})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: got %v, want %q", tc.cs, err, tc.want)
			continue
		}
		assertOneLineNoSecret(t, err.Error(), wrongKey, wrongKey[:10], tc.cs)
	}
	// A SAS connection string with a TableEndpoint uses it (aztables
	// would ignore it and go to core.windows.net).
	c, err := Resolve(Config{ConnectionString: "SharedAccessSignature=sv=1&sp=r&sig=abc;TableEndpoint=http://127.0.0.1:10002/devstoreaccount1", Getenv: noEnv})
	if err != nil || c.Endpoint != "http://127.0.0.1:10002/devstoreaccount1" || c.Account != "devstoreaccount1" || c.Auth != "SAS" {
		t.Fatalf("SAS connection string: %v %v", c, err)
	}
	c, err = Resolve(Config{ConnectionString: "DefaultEndpointsProtocol=https;AccountName=contoso;AccountKey=" + wrongKey + ";EndpointSuffix=core.windows.net", Getenv: noEnv})
	if err != nil || c.Endpoint != "https://contoso.table.core.windows.net" || c.Table != DefaultTable {
		t.Fatalf("portal connection string: %v %v", c, err)
	}
	if strings.Contains(c.String(), wrongKey) {
		t.Fatal("Conn.String shows the key")
	}
	for _, bad := range []string{"https://acct.table.core.windows.net/T?sv=1", "not a url %zz?sig=abc", "ftp://x/T?sig=abc"} {
		_, err := Resolve(Config{SASURL: bad, Getenv: noEnv})
		if err == nil {
			t.Errorf("SAS URL %q accepted", bad)
			continue
		}
		assertOneLineNoSecret(t, err.Error(), "sig=abc")
	}
}

func TestCredentialOrderAndConfigFile(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "leads", "config.toml")
	if err := os.MkdirAll(filepath.Dir(cfg), 0o700); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"XDG_CONFIG_HOME": dir}
	getenv := func(k string) string { return env[k] }
	csA := "AccountName=flag;AccountKey=" + wrongKey
	csB := "AccountName=env;AccountKey=" + wrongKey
	sasA := "https://flagsas.table.core.windows.net/FlagTable?sv=1&sig=abc"
	sasB := "https://envsas.table.core.windows.net/?sv=1&sig=abc&tn=EnvTable"
	check := func(cfg Config, account, source string) {
		t.Helper()
		cfg.Getenv = getenv
		c, err := Resolve(cfg)
		if err != nil || c.Account != account || c.Source != source {
			t.Fatalf("got %v %v, want account %s from %s", c, err, account, source)
		}
	}
	env[EnvConnectionString], env[EnvSASURL] = csB, sasB
	check(Config{ConnectionString: csA, SASURL: sasA}, "flag", "--connection-string")
	check(Config{SASURL: sasA}, "env", EnvConnectionString)
	delete(env, EnvConnectionString)
	check(Config{SASURL: sasA}, "flagsas", "--sas-url")
	check(Config{}, "envsas", EnvSASURL)
	if c, _ := Resolve(Config{Getenv: getenv}); c.Table != "EnvTable" {
		t.Fatalf("tn= not used: %v", c)
	}
	if c, _ := Resolve(Config{Getenv: getenv, Table: "Other"}); c.Table != "Other" {
		t.Fatalf("--table not used: %v", c)
	}
	delete(env, EnvSASURL)

	_, err := Resolve(Config{Getenv: getenv})
	if err == nil || !strings.Contains(err.Error(), "no Azure credentials") || !strings.Contains(err.Error(), cfg) {
		t.Fatalf("no credentials: %v", err)
	}
	body := "[azure]\nconnection_string = \"AccountName=file;AccountKey=" + wrongKey + "\"\ntable = \"FileTable\"\n"
	if err := os.WriteFile(cfg, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = Resolve(Config{Getenv: getenv})
	if err == nil || !strings.Contains(err.Error(), "chmod 600") || strings.Contains(err.Error(), "\n") {
		t.Fatalf("group-readable config: %v", err)
	}
	assertOneLineNoSecret(t, err.Error(), wrongKey)
	os.Chmod(cfg, 0o600)
	c, err := Resolve(Config{Getenv: getenv})
	if err != nil || c.Account != "file" || c.Table != "FileTable" || c.Source != cfg {
		t.Fatalf("config file: %v %v", c, err)
	}
	os.WriteFile(cfg, []byte("[azure]\nconnection_string = \"AccountKey="+wrongKey+"\n"), 0o600)
	_, err = Resolve(Config{Getenv: getenv})
	if err == nil || !strings.Contains(err.Error(), "not valid TOML") {
		t.Fatalf("broken TOML: %v", err)
	}
	assertOneLineNoSecret(t, err.Error(), wrongKey)
}

func TestRedact(t *testing.T) {
	for in, want := range map[string]string{
		`Get "https://a.table.core.windows.net/T()?se=2025&sig=AbC%2Bd%3D&sp=r": dial tcp`:          `Get "https://a.table.core.windows.net/T()?se=REDACTED&sig=REDACTED&sp=REDACTED": dial tcp`,
		"DefaultEndpointsProtocol=https;AccountName=a;AccountKey=" + wrongKey + ";EndpointSuffix=x": "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=REDACTED;EndpointSuffix=x",
		"SharedAccessSignature=sv=2019&sig=abc&sp=r;TableEndpoint=https://x":                        "SharedAccessSignature=REDACTED;TableEndpoint=https://x",
		"Authorization: SharedKey devstoreaccount1:" + wrongKey:                                     "Authorization: SharedKey devstoreaccount1:REDACTED",
		"https://x/?url=https%3A%2F%2Fy%3Fsig%3Dsecret%26a%3Db":                                     "https://x/?url=REDACTED",
		"nothing to hide": "nothing to hide",
		// A user name and password, and every query value, of any URL.
		"GET http://leaduser:hunter2pw@127.0.0.1:1/devstoreaccount1/Tables?token=qsecret&x": "GET http://REDACTED@127.0.0.1:1/devstoreaccount1/Tables?token=REDACTED&REDACTED",
		"TableEndpoint=https://u:p@acct.table.core.windows.net/?sv=1#frag;AccountName=a":    "TableEndpoint=https://REDACTED@acct.table.core.windows.net/?sv=REDACTED#REDACTED;AccountName=a",
		"at https://acct.table.core.windows.net (SAS)":                                      "at https://acct.table.core.windows.net (SAS)",
	} {
		if got := Redact(in); got != want {
			t.Errorf("Redact(%q)\n got %q\nwant %q", in, got, want)
		}
	}
}

// TestSDKDebugLogIsRedacted: the Azure SDK's own debug log (what
// AZURE_SDK_GO_LOGGING=all prints, through redactedLog) quotes request
// URLs in its retry messages; the SAS signature never shows.
func TestSDKDebugLogIsRedacted(t *testing.T) {
	const sig = "c2VjcmV0c2lnbmF0dXJlX2RvX25vdF9sZWFr"
	var buf bytes.Buffer
	var mu sync.Mutex
	w := redactedLog(writerFunc(func(p []byte) (int, error) { mu.Lock(); defer mu.Unlock(); return buf.Write(p) }))
	azlog.SetListener(w)
	defer azlog.SetListener(nil)
	c, err := Resolve(Config{SASURL: "http://127.0.0.1:1/devstoreaccount1/Leads?sv=2019-02-02&se=2099-01-01T00%3A00%3A00Z&sp=r&tn=Leads&sig=" + sig,
		Getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	net := fastNet
	net.MaxRetries = 2
	if _, err := Sync(context.Background(), openStore(t), Options{Conn: c, Net: net}); err == nil {
		t.Fatal("a sync against a closed port succeeded")
	}
	mu.Lock()
	log := buf.String()
	mu.Unlock()
	if !strings.Contains(log, "Retry") || !strings.Contains(log, "sig=REDACTED") || strings.Contains(log, sig) {
		t.Fatalf("SDK log:\n%s", log)
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// TestSDKLoggingTurnedOnIsRedacted: with AZURE_SDK_GO_LOGGING=all set when
// the program starts, as a user reporting a problem would, the SDK's log
// on stderr goes through Redact (the package's init installs it). The test
// runs itself again in a new process, so that init sees the variable.
func TestSDKLoggingTurnedOnIsRedacted(t *testing.T) {
	const sig = "c2VjcmV0c2lnbmF0dXJlX2RvX25vdF9sZWFr"
	if os.Getenv("LEADS_TEST_SDK_LOG_CHILD") == "1" {
		c, err := Resolve(Config{SASURL: "http://127.0.0.1:1/devstoreaccount1/Leads?sv=2019-02-02&se=2099-01-01T00%3A00%3A00Z&sp=r&tn=Leads&sig=" + sig,
			Getenv: func(string) string { return "" }})
		if err != nil {
			t.Fatal(err)
		}
		net := fastNet
		net.MaxRetries = 2
		Sync(context.Background(), openStore(t), Options{Conn: c, Net: net})
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestSDKLoggingTurnedOnIsRedacted$", "-test.count=1")
	cmd.Env = append(os.Environ(), "LEADS_TEST_SDK_LOG_CHILD=1", "AZURE_SDK_GO_LOGGING=all")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("child: %v\n%s", err, stderr.String())
	}
	if log := stderr.String(); !strings.Contains(log, "Retry") || !strings.Contains(log, "sig=REDACTED") || strings.Contains(log, sig) {
		t.Fatalf("SDK log on stderr:\n%s", log)
	}
}
