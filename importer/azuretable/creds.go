package azuretable

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/data/aztables"
	"github.com/BurntSushi/toml"
)

// DefaultTable is the table Partner Center writes leads into.
const DefaultTable = "MarketplaceLeads"

// Environment variables that carry credentials.
const (
	EnvConnectionString = "LEADS_AZURE_CONNECTION_STRING"
	EnvSASURL           = "LEADS_AZURE_SAS_URL"
)

// The team's credentials: the same forms as [azure], under [team] and in
// these variables, so a rep may hold a SAS for the team table only.
const (
	TeamSection             = "team"
	EnvTeamConnectionString = "LEADS_TEAM_CONNECTION_STRING"
	EnvTeamSASURL           = "LEADS_TEAM_SAS_URL"
	// EnvTeamSecret carries the team secret (see ReadTeamSecret).
	EnvTeamSecret = "LEADS_TEAM_SECRET"
)

// Azurite's well-known development account, which UseDevelopmentStorage=true
// stands for. aztables rejects that shorthand, so it is expanded here. The
// key is public: it is printed in Azurite's README and opens only emulators.
const (
	DevStoreAccount  = "devstoreaccount1"
	DevStoreKey      = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
	DevStoreEndpoint = "http://127.0.0.1:10002/devstoreaccount1"
)

// Config says where to look for credentials. The first source found wins,
// in this order: ConnectionString (--connection-string), $LEADS_AZURE_CONNECTION_STRING,
// SASURL (--sas-url), $LEADS_AZURE_SAS_URL, then the [azure] section of the
// config file.
type Config struct {
	ConnectionString string
	SASURL           string
	// Table overrides the table named by a SAS URL or the config file;
	// empty means that one, else DefaultTable.
	Table string
	// Getenv reads the environment (nil: os.Getenv).
	Getenv func(string) string
	// ConfigFile is the TOML file with an [azure] section (empty:
	// DefaultConfigFile).
	ConfigFile string
	// Section is the config file's section to read: "" for [azure],
	// TeamSection for [team] (whose variables are then the LEADS_TEAM_
	// ones, and which has no default table).
	Section string
}

// section returns the config section and the two variables cfg reads.
func (cfg Config) section() (name, envCS, envSAS string) {
	if cfg.Section == TeamSection {
		return TeamSection, EnvTeamConnectionString, EnvTeamSASURL
	}
	return "azure", EnvConnectionString, EnvSASURL
}

// Conn is a resolved connection to one table. It holds the secret, which
// none of its methods or exported fields reveal.
type Conn struct {
	// Account is the storage account name.
	Account string
	// Table is the table to read.
	Table string
	// Endpoint is the table service URL as it may be shown, such as
	// https://acct.table.core.windows.net or, for the emulator,
	// http://127.0.0.1:10002/devstoreaccount1: never with a user name or
	// password, and with every query value of a TableEndpoint that had a
	// query redacted (see RedactURL).
	Endpoint string
	// Source names where the credentials came from (a flag, a variable or
	// the config file), never the credentials themselves.
	Source string
	// Auth is "account key" or "SAS".
	Auth string

	// endpoint, when set, is the URL the client uses: a TableEndpoint as
	// given, less any user name and password, query kept.
	endpoint  string
	key       *aztables.SharedKeyCredential
	sas       string    // the SAS query string, without "?"
	sasExpiry time.Time // zero when the SAS has no readable se=
	// team is set for the [team] table: its errors advise what that
	// table needs (leads team init, a SAS with raud), not what
	// Microsoft's table does.
	team bool
}

// String describes the connection for messages, without any secret.
func (c *Conn) String() string {
	return fmt.Sprintf("table %s in account %s at %s (%s from %s)", c.Table, c.Account, c.Endpoint, c.Auth, c.Source)
}

// clientEndpoint is the URL the client is built with.
func (c *Conn) clientEndpoint() string {
	if c.endpoint != "" {
		return c.endpoint
	}
	return c.Endpoint
}

// SASExpiry returns when the SAS expires (zero for an account key or a SAS
// without a readable expiry).
func (c *Conn) SASExpiry() time.Time { return c.sasExpiry }

// DefaultConfigFile returns $XDG_CONFIG_HOME/leads/config.toml, else
// ~/.config/leads/config.toml.
func DefaultConfigFile(getenv func(string) string) string {
	if getenv == nil {
		getenv = os.Getenv
	}
	if d := getenv("XDG_CONFIG_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "leads", "config.toml")
	}
	home := getenv("HOME")
	if home == "" {
		home, _ = os.UserHomeDir()
	}
	if home == "" {
		return ""
	}
	return filepath.Join(home, ".config", "leads", "config.toml")
}

// ErrNoCredentials means no source had credentials.
var ErrNoCredentials = errors.New("no Azure credentials")

// Resolve finds the credentials in the order Config documents and checks
// their form (not yet against the service). Its errors are one line and
// never quote the secret.
func Resolve(cfg Config) (*Conn, error) {
	getenv := cfg.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	section, envCS, envSAS := cfg.section()
	type source struct{ name, cs, sas string }
	sources := []source{
		{name: "--connection-string", cs: cfg.ConnectionString},
		{name: envCS, cs: getenv(envCS)},
		{name: "--sas-url", sas: cfg.SASURL},
		{name: envSAS, sas: getenv(envSAS)},
	}
	table := ""
	found := -1
	for i, s := range sources {
		if strings.TrimSpace(s.cs+s.sas) != "" {
			found = i
			break
		}
	}
	var src source
	if found >= 0 {
		src = sources[found]
	} else {
		path := cfg.ConfigFile
		if path == "" {
			path = DefaultConfigFile(getenv)
		}
		fc, err := readConfig(path, section)
		if err != nil {
			return nil, err
		}
		if fc == nil || strings.TrimSpace(fc.ConnectionString+fc.SASURL) == "" {
			where := "under [" + section + "] in " + path
			if path == "" {
				where = "in a config file"
			}
			return nil, fmt.Errorf("%w: pass --connection-string or --sas-url, set %s or %s, or put connection_string or sas_url %s (mode 600)",
				ErrNoCredentials, envCS, envSAS, where)
		}
		src = source{name: path, cs: fc.ConnectionString, sas: fc.SASURL}
		if fc.ConnectionString != "" {
			src.sas = ""
		}
		table = strings.TrimSpace(fc.Table)
	}

	var c *Conn
	var err error
	if strings.TrimSpace(src.cs) != "" {
		c, err = parseConnectionString(src.cs)
	} else {
		c, err = parseSASURL(src.sas)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", src.name, err)
	}
	c.Source = src.name
	c.team = section == TeamSection
	switch {
	case strings.TrimSpace(cfg.Table) != "":
		c.Table = strings.TrimSpace(cfg.Table)
	case c.Table != "":
		// named by the SAS URL
	case table != "":
		c.Table = table
	case section == TeamSection:
		return nil, errors.New("no team table named: set table under [team], or leave it out for the default")
	default:
		c.Table = DefaultTable
	}
	if section == TeamSection && strings.EqualFold(c.Table, DefaultTable) {
		return nil, fmt.Errorf("the team table must not be %s, Microsoft's own table: name another under [team]", DefaultTable)
	}
	if !validTableName(c.Table) {
		return nil, fmt.Errorf("%q is not a table name: 3 to 63 letters and digits, starting with a letter", c.Table)
	}
	return c, nil
}

// validTableName checks the service's rule, so a typo fails here rather than
// as a confusing 400 from the service.
func validTableName(s string) bool {
	if len(s) < 3 || len(s) > 63 {
		return false
	}
	for i, r := range s {
		letter := 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z'
		if !letter && (i == 0 || r < '0' || r > '9') {
			return false
		}
	}
	return true
}

// fileConfig is the [azure] (or [team]) section of config.toml.
type fileConfig struct {
	ConnectionString string `toml:"connection_string"`
	SASURL           string `toml:"sas_url"`
	Table            string `toml:"table"`
	// Secret is [team] secret, the key of the team's partition hash.
	Secret string `toml:"secret"`
}

// ReadTeamSecret returns the team secret: $LEADS_TEAM_SECRET, else
// secret under [team] in the config file (which must be mode 600). The
// secret keys the hash that names a contact's partition in the team
// table; it is shared among the reps and never written to the table.
// "" means none is set.
func ReadTeamSecret(cfg Config) (string, error) {
	getenv := cfg.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	if v := strings.TrimSpace(getenv(EnvTeamSecret)); v != "" {
		return v, nil
	}
	path := cfg.ConfigFile
	if path == "" {
		path = DefaultConfigFile(getenv)
	}
	fc, err := readConfig(path, TeamSection)
	if err != nil || fc == nil {
		return "", err
	}
	return strings.TrimSpace(fc.Secret), nil
}

// readConfig reads the section ("azure" or "team"); a missing file is
// (nil, nil). A file others can read is refused before it is read: it
// holds a secret, and using it would tell the user all is well.
func readConfig(path, section string) (*fileConfig, error) {
	if path == "" {
		return nil, nil
	}
	fi, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %v", path, unwrapPathErr(err))
	}
	if fi.IsDir() {
		return nil, fmt.Errorf("%s is a directory, not a config file", path)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return nil, fmt.Errorf("%s is open to group or others (mode %04o) and holds secrets, so it is not used: run chmod 600 %s", path, perm, path)
	}
	var doc struct {
		Azure fileConfig `toml:"azure"`
		Team  fileConfig `toml:"team"`
	}
	if _, err := toml.DecodeFile(path, &doc); err != nil {
		// The parser's message may quote the line, and the line may be
		// the key: give only the position.
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return nil, fmt.Errorf("%s is not valid TOML (line %d)", path, pe.Position.Line)
		}
		if errors.Is(err, os.ErrPermission) {
			return nil, fmt.Errorf("cannot read %s: permission denied", path)
		}
		return nil, fmt.Errorf("%s: the [%s] section has a value of the wrong type (connection_string, sas_url and table are strings)", path, section)
	}
	if section == TeamSection {
		return &doc.Team, nil
	}
	return &doc.Azure, nil
}

func unwrapPathErr(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

const connStringForm = "expected DefaultEndpointsProtocol=https;AccountName=...;AccountKey=...;EndpointSuffix=core.windows.net"

// parseConnectionString reads an Azure Storage connection string. It is
// written here rather than using aztables' parser, which rejects
// UseDevelopmentStorage=true and ignores TableEndpoint for SAS strings, and
// whose errors would not say which part is wrong.
func parseConnectionString(cs string) (*Conn, error) {
	kv := map[string]string{}
	for i, part := range strings.Split(strings.TrimSpace(cs), ";") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			return nil, fmt.Errorf("the connection string is malformed: part %d is not Key=Value (%s)", i+1, connStringForm)
		}
		kv[strings.ToLower(k)] = strings.TrimSpace(v)
	}
	if strings.EqualFold(kv["usedevelopmentstorage"], "true") {
		c := &Conn{Account: DevStoreAccount, Endpoint: DevStoreEndpoint, Auth: "account key"}
		if p := kv["developmentstorageproxyuri"]; p != "" {
			u, err := url.Parse(p)
			if err != nil || u.Host == "" {
				return nil, errors.New("the connection string's DevelopmentStorageProxyUri is not a URL")
			}
			c.Endpoint = u.Scheme + "://" + u.Hostname() + ":10002/" + DevStoreAccount
		}
		key, err := aztables.NewSharedKeyCredential(DevStoreAccount, DevStoreKey)
		if err != nil {
			return nil, err
		}
		c.key = key
		return c, nil
	}
	account := kv["accountname"]
	key, hasKey := kv["accountkey"]
	sas, hasSAS := kv["sharedaccesssignature"]
	if !hasKey && !hasSAS {
		return nil, fmt.Errorf("the connection string has neither AccountKey nor SharedAccessSignature (%s)", connStringForm)
	}
	endpoint := strings.TrimRight(kv["tableendpoint"], "/")
	if endpoint != "" {
		u, err := url.Parse(endpoint)
		if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
			return nil, errors.New("the connection string's TableEndpoint is not an http(s) URL")
		}
		if account == "" {
			account = accountFromURL(u)
		}
	}
	if account == "" {
		return nil, fmt.Errorf("the connection string has no AccountName (%s)", connStringForm)
	}
	if endpoint == "" {
		proto := strings.ToLower(kv["defaultendpointsprotocol"])
		if proto == "" {
			proto = "https"
		}
		if proto != "http" && proto != "https" {
			return nil, errors.New("the connection string's DefaultEndpointsProtocol must be https or http")
		}
		suffix := kv["endpointsuffix"]
		if suffix == "" {
			suffix = "core.windows.net"
		}
		endpoint = proto + "://" + account + ".table." + suffix
	}
	// A user name and password in TableEndpoint are never used: the table
	// service authenticates with the key or the SAS alone, and Go's HTTP
	// client would send them on as a Basic authorization header. Printed,
	// the endpoint shows neither them nor its query's values.
	c := &Conn{Account: account, Endpoint: RedactURL(withoutUserinfo(endpoint)), endpoint: withoutUserinfo(endpoint)}
	if hasKey {
		if key == "" {
			return nil, errors.New("the connection string's AccountKey is empty: copy it again from the storage account's Access keys")
		}
		cred, err := aztables.NewSharedKeyCredential(account, key)
		if err != nil {
			// The SDK's message is about base64; it does not quote the key.
			return nil, errors.New("the connection string's AccountKey is not a valid key (not base64): copy it again from the storage account's Access keys")
		}
		c.key, c.Auth = cred, "account key"
		return c, nil
	}
	sas = strings.TrimPrefix(sas, "?")
	q, err := url.ParseQuery(sas)
	if err != nil || q.Get("sig") == "" {
		return nil, errors.New("the connection string's SharedAccessSignature has no signature (the sig parameter)")
	}
	c.sas, c.Auth, c.sasExpiry = sas, "SAS", sasExpiry(q)
	return c, nil
}

// parseSASURL reads a table or account SAS URL such as
// https://acct.table.core.windows.net/MarketplaceLeads?sv=...&sig=... (or,
// for the emulator, http://127.0.0.1:10002/devstoreaccount1/MarketplaceLeads?...).
func parseSASURL(raw string) (*Conn, error) {
	raw = strings.TrimSpace(raw)
	u, err := url.Parse(raw)
	if err != nil {
		// url's error quotes the whole URL, signature included.
		return nil, errors.New("the SAS URL is not a valid URL")
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, errors.New("the SAS URL must start with https:// and name the storage account's table endpoint")
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil || q.Get("sig") == "" {
		return nil, errors.New("the SAS URL has no signature (the sig parameter): copy the whole URL, including everything after the ?")
	}
	segs := strings.FieldsFunc(u.Path, func(r rune) bool { return r == '/' })
	c := &Conn{Auth: "SAS", sas: u.RawQuery, sasExpiry: sasExpiry(q)}
	base := u.Scheme + "://" + u.Host
	if pathStyle(u.Hostname()) {
		if len(segs) == 0 {
			return nil, errors.New("the SAS URL names no account: an emulator URL looks like http://127.0.0.1:10002/devstoreaccount1/MarketplaceLeads?...")
		}
		c.Account, c.Endpoint = segs[0], base+"/"+segs[0]
		segs = segs[1:]
	} else {
		c.Account, c.Endpoint = accountFromURL(u), base
	}
	if len(segs) > 0 {
		// Tolerate the query form "Table()" a URL copied from a request has.
		c.Table = strings.TrimSuffix(segs[len(segs)-1], "()")
		if strings.EqualFold(c.Table, "Tables") {
			c.Table = ""
		}
	}
	if c.Table == "" {
		c.Table = q.Get("tn")
	}
	return c, nil
}

// pathStyle reports whether the account is the URL's first path segment
// (the emulator on an IP address or localhost) rather than the host's first
// label (acct.table.core.windows.net).
func pathStyle(host string) bool {
	return net.ParseIP(host) != nil || strings.EqualFold(host, "localhost")
}

func accountFromURL(u *url.URL) string {
	if pathStyle(u.Hostname()) {
		segs := strings.FieldsFunc(u.Path, func(r rune) bool { return r == '/' })
		if len(segs) > 0 {
			return segs[0]
		}
		return ""
	}
	host, _, _ := strings.Cut(u.Hostname(), ".")
	return host
}

// sasExpiry reads se=, which may be a date or a date and time.
func sasExpiry(q url.Values) time.Time {
	se := q.Get("se")
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04Z", "2006-01-02"} {
		if t, err := time.Parse(layout, se); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}
