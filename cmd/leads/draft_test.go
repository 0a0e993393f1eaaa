package main

import (
	"bytes"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/leads-inbox/leads/store"
)

// draftDB makes a database with the sample people the draft guards care
// about, and a config directory with a sender.
func draftDB(t *testing.T) (db string, getenv func(string) string) {
	t.Helper()
	dir := t.TempDir()
	db = filepath.Join(dir, "leads.db")
	s, err := store.Open(db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	at := func(s string) time.Time { v, _ := time.Parse(time.RFC3339, s); return v }
	mei := store.Customer{FirstName: "Mei", LastName: "Lin", Email: "mei.lin@northwind.example", Country: "TW",
		Company: "Northwind Traders", Title: "IT Director"}
	leads := []store.Lead{
		{Action: "PLT", OfferID: "contoso.inventory-pro", OfferName: "Contoso Inventory Pro", Created: at("2026-11-02T08:14:05Z"),
			Description: "Please contact me about pricing for 200 seats", Customer: mei},
		{Action: "INS", OfferID: "contoso.inventory-pro", OfferName: "Contoso Inventory Pro", Created: at("2026-11-05T09:02:08Z"), Customer: mei},
		{Action: "DNC", Created: at("2026-11-06T11:11:09Z"), Customer: store.Customer{FirstName: "Priya", Email: "priya@adatum.example"}},
		{Action: "INS", Created: at("2026-11-07T07:44:59Z"), IsTest: true, Customer: store.Customer{FirstName: "MSFT_TEST_6390", Email: "MSFT_TEST_6390@test.com"}},
		{Action: "PLT", Created: at("2026-11-08T10:00:00Z"), Customer: store.Customer{FirstName: "Eve", Email: "eve@x.example\r\nBcc: spy@evil.example"}},
		{Action: "PLT", Created: at("2026-11-08T11:00:00Z"), Customer: store.Customer{FirstName: "Bob", Email: "bob@x.example?cc=eve@x.example"}},
		{Action: "PLT", Created: at("2026-11-08T12:00:00Z"), Customer: store.Customer{Email: "nameless@x.example"}},
	}
	if _, err := s.Upsert(leads, store.UpsertOptions{}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	cfg := filepath.Join(dir, "config")
	os.MkdirAll(filepath.Join(cfg, "leads", "templates"), 0o700)
	os.WriteFile(filepath.Join(cfg, "leads", "config.toml"),
		[]byte("[sender]\nname = \"Ana Ruiz\"\nemail = \"ana@contoso.example\"\n\n[other]\nkey = 1\n"), 0o600)
	os.WriteFile(filepath.Join(cfg, "leads", "templates", "blunt.tmpl"),
		[]byte("Description: no fallbacks\nSubject: Hello\n\nHi {{.FirstName}},\n"), 0o600)
	return db, func(k string) string {
		if k == "XDG_CONFIG_HOME" {
			return cfg
		}
		return ""
	}
}

func draftCLI(t *testing.T, db string, getenv func(string) string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: getenv,
		now: func() time.Time { return time.Date(2026, 11, 10, 9, 0, 0, 0, time.UTC) }}
	code := run(e, append([]string{"--db", db, "draft"}, args...))
	return code, out.String(), errb.String()
}

func TestDraftGuards(t *testing.T) {
	db, getenv := draftDB(t)
	for _, tc := range []struct{ ref, want string }{
		{"priya@adatum.example", "asked not to be contacted"},
		{"msft_test_6390@test.com", "test lead"},
		{store.ContactIDForEmail("eve@x.example\r\nBcc: spy@evil.example"), "not one valid address"},
		{store.ContactIDForEmail("bob@x.example?cc=eve@x.example"), "not one valid address"},
	} {
		code, out, errs := draftCLI(t, db, getenv, tc.ref, "--stdout")
		if code != exitRefused || out != "" || !strings.Contains(errs, tc.want) || strings.Count(errs, "\n") != 1 {
			t.Errorf("%s: code %d, stdout %q, stderr %q", tc.ref, code, out, errs)
		}
	}
}

func TestDraftOutputs(t *testing.T) {
	db, getenv := draftDB(t)
	code, out, errs := draftCLI(t, db, getenv, "mei.lin@northwind.example")
	if code != 0 || !strings.HasPrefix(out, "To: Mei Lin <mei.lin@northwind.example>\nSubject: Getting started with Contoso Inventory Pro\n\nHi Mei,\n") ||
		!strings.Contains(errs, "not logged") {
		t.Fatalf("default output (no terminal, so stdout): %d %q %q", code, out, errs)
	}
	code, out, _ = draftCLI(t, db, getenv, "--list-templates", "mei.lin@northwind.example")
	if code != 0 || !strings.Contains(out, "* install") || !strings.Contains(out, "  blunt") {
		t.Errorf("list: %q", out)
	}

	eml := filepath.Join(t.TempDir(), "mei.eml")
	code, _, errs = draftCLI(t, db, getenv, "mei.lin@northwind.example", "--eml", eml, "--log-touch")
	if code != 0 {
		t.Fatalf("eml: %d %s", code, errs)
	}
	b, _ := os.ReadFile(eml)
	m, err := mail.ReadMessage(bytes.NewReader(b))
	if err != nil || m.Header.Get("From") != `"Ana Ruiz" <ana@contoso.example>` || m.Header.Get("X-Unsent") != "1" {
		t.Fatalf("eml: %v\n%s", err, b)
	}
	if code, _, errs := draftCLI(t, db, getenv, "mei.lin@northwind.example", "--eml", eml); code != exitFailed || !strings.Contains(errs, "exists") {
		t.Errorf("overwrote an existing .eml: %d %s", code, errs)
	}
	s, err := store.Open(db, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	c, _ := s.Contact("mei.lin@northwind.example")
	files, _ := s.DraftFiles(c.ID)
	s.Close()
	if len(files) != 1 || files[0] != eml || c.Triage.Touches != 1 || c.Triage.Status != store.StatusContacted {
		t.Fatalf("after --eml --log-touch: files %v, triage %+v", files, c.Triage)
	}
	// The next draft is touch 2.
	if _, out, _ := draftCLI(t, db, getenv, "mei.lin@northwind.example", "--stdout"); !strings.Contains(out, "Subject: Following up: Contoso Inventory Pro") ||
		!strings.Contains(out, "I wrote to you on 10 November 2026") {
		t.Errorf("touch 2: %s", out)
	}

	// Closed contacts need --force.
	s, _ = store.Open(db, store.Options{})
	s.SetStatus(c.ID, store.StatusWon, "", time.Now())
	s.Close()
	if code, _, errs := draftCLI(t, db, getenv, "mei.lin@northwind.example", "--stdout"); code != exitRefused || !strings.Contains(errs, "--force") {
		t.Errorf("closed: %d %s", code, errs)
	}
	if code, _, errs := draftCLI(t, db, getenv, "mei.lin@northwind.example", "--stdout", "--force"); code != 0 {
		t.Errorf("closed with --force: %d %s", code, errs)
	}
	// A closed contact has no touch to log: the draft is written, the
	// command succeeds and says so, and nothing changes.
	eml2 := filepath.Join(t.TempDir(), "won.eml")
	if code, _, errs := draftCLI(t, db, getenv, "mei.lin@northwind.example", "--force", "--eml", eml2, "--log-touch"); code != 0 ||
		!strings.Contains(errs, "no touch to log") {
		t.Errorf("closed with --force --log-touch: %d %s", code, errs)
	}
	s, _ = store.Open(db, store.Options{ReadOnly: true})
	c2, _ := s.Contact("mei.lin@northwind.example")
	files, _ = s.DraftFiles(c2.ID)
	s.Close()
	if c2.Triage.Touches != 1 || c2.Triage.Status != store.StatusWon || len(files) != 2 {
		t.Errorf("after a draft for a won contact: files %v, triage %+v", files, c2.Triage)
	}

	// A template without fallbacks is reported for a contact lacking the field.
	code, out, errs = draftCLI(t, db, getenv, "nameless@x.example", "--template", "blunt", "--stdout")
	if code != exitFailed || out != "" || !strings.Contains(errs, "blunt.tmpl:4 {{.FirstName}}") {
		t.Errorf("lint: %d %q %q", code, out, errs)
	}
	if code, out, _ := draftCLI(t, db, getenv, "nameless@x.example", "--stdout"); code != 0 || !strings.Contains(out, "Hi there,") {
		t.Errorf("fallback: %q", out)
	}
	if code, _, _ := draftCLI(t, db, getenv, "nameless@x.example", "--stdout", "--mailto"); code != exitUsage {
		t.Errorf("two outputs accepted")
	}
	if code, _, errs := draftCLI(t, db, getenv, "nameless@x.example", "--clipboard"); code != exitFailed || !strings.Contains(errs, "not one") {
		t.Errorf("clipboard without a terminal: %d %s", code, errs)
	}
}
