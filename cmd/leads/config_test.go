package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/leads-inbox/leads/store"
)

// configCLI runs a command with XDG_CONFIG_HOME holding body as the config.
func configCLI(t *testing.T, db, body string, args ...string) result {
	t.Helper()
	dir := t.TempDir()
	if body != "" {
		os.MkdirAll(filepath.Join(dir, "leads"), 0o700)
		if err := os.WriteFile(filepath.Join(dir, "leads", "config.toml"), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	var out, errb bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb,
		now: func() time.Time { return time.Date(2026, 11, 10, 9, 0, 0, 0, time.UTC) },
		getenv: func(k string) string {
			if k == "XDG_CONFIG_HOME" {
				return dir
			}
			return ""
		}}
	code := run(e, append([]string{"--db", db}, args...))
	return result{code, out.String(), errb.String()}
}

// leads config prints the path and the values in force, and one line per
// problem with its line number, secrets never.
func TestConfigCommand(t *testing.T) {
	r := configCLI(t, tempDB(t), "[inbox]\ntheme = \"light\"\ndate_order = \"sideways\"\n[cadence]\ndays = [3, 6]\n[keys]\ntouch = \"j\"\n[azure]\nconnection_string = \"AccountKey=s3cr3t\"\n", "config")
	if r.code != exitFailed {
		t.Fatalf("exit %d, want %d with problems", r.code, exitFailed)
	}
	for _, want := range []string{"config.toml (exists)", `theme = "light"`, "days = [3, 6]", "touches = 3", "set: connection_string"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
		}
	}
	lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], "config.toml:3: [inbox] date_order") || !strings.Contains(lines[1], "config.toml:7: [keys] touch: \"j\" is also the key of down") {
		t.Fatalf("problems:\n%s", r.stderr)
	}
	if strings.Contains(r.stdout+r.stderr, "s3cr3t") {
		t.Fatal("a secret was printed")
	}
	r = configCLI(t, tempDB(t), "", "config")
	if r.code != exitOK || !strings.Contains(r.stdout, "does not exist") || r.stderr != "" {
		t.Fatalf("no file: %d %q %q", r.code, r.stdout, r.stderr)
	}
}

// leads list --view NAME applies the saved view's filters; a flag given
// beside it wins over the view's value.
func TestListView(t *testing.T) {
	db := tempDB(t)
	s, err := store.Open(db, store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	_, err = s.Upsert([]store.Lead{
		{Action: "PLT", Source: store.SourceAppSource, Created: at, Customer: store.Customer{FirstName: "Ana", Email: "ana@x.example", Country: "DE"}},
		{Action: "INS", Source: store.SourceAppSource, Created: at, Customer: store.Customer{FirstName: "Ben", Email: "ben@x.example", Country: "DE"}},
		{Action: "PLT", Source: store.SourceAppSource, Created: at, Customer: store.Customer{FirstName: "Cem", Email: "cem@x.example", Country: "FR"}},
	}, store.UpsertOptions{})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	cfg := "[views.german]\ncountry = \"DE\"\n"
	r := configCLI(t, db, cfg, "list", "--view", "German")
	if r.code != exitOK || !strings.Contains(r.stdout, "Ana") || !strings.Contains(r.stdout, "Ben") || strings.Contains(r.stdout, "Cem") {
		t.Fatalf("--view german: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = configCLI(t, db, cfg, "list", "--view", "german", "--country", "FR")
	if r.code != exitOK || !strings.Contains(r.stdout, "Cem") || strings.Contains(r.stdout, "Ana") {
		t.Fatalf("--country beside --view: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = configCLI(t, db, cfg, "list", "--view", "nope")
	if r.code != exitUsage || !strings.Contains(r.stderr, "saved views: german") {
		t.Fatalf("unknown view: %d %q", r.code, r.stderr)
	}
}

// Without [sender], leads draft says the draft is unsigned and where to
// sign it; with one it says nothing of the kind.
func TestDraftUnsignedWarning(t *testing.T) {
	db, getenv := draftDB(t)
	_, _, stderr := draftCLI(t, db, getenv, "--stdout", "mei.lin@northwind.example")
	if strings.Contains(stderr, "unsigned") {
		t.Fatalf("warned with a sender: %q", stderr)
	}
	cfg := filepath.Join(getenv("XDG_CONFIG_HOME"), "leads", "config.toml")
	if err := os.WriteFile(cfg, []byte("[inbox]\ntheme = \"dark\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := draftCLI(t, db, getenv, "--stdout", "mei.lin@northwind.example")
	if code != exitOK || !strings.Contains(stderr, "drafts are unsigned") || !strings.Contains(stderr, cfg) {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
}

// The README's example config file is read without a problem.
func TestReadmeConfigExample(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(b), "## Configuration")
	if !ok {
		t.Fatal("the README has no Configuration section")
	}
	_, rest, _ = strings.Cut(rest, "```toml\n")
	example, _, _ := strings.Cut(rest, "```")
	r := configCLI(t, tempDB(t), example, "config")
	if r.code != exitOK || r.stderr != "" {
		t.Fatalf("exit %d:\n%s", r.code, r.stderr)
	}
}
