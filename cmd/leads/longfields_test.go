package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/leads-inbox/leads/importer/azuretable/azuritetest"
)

// strangerField is one field a stranger types, and how to fill it.
type strangerField struct {
	name string
	// set puts v into a lead given as Storage Explorer columns, with
	// CustomerInfo as a map.
	set func(cols map[string]string, cust map[string]string, v string)
	// filter is the 'leads list' flag that finds the value, if any.
	filter string
}

var strangerFields = []strangerField{
	{"Country", func(_, cu map[string]string, v string) { cu["Country"] = v }, "--country"},
	{"Company", func(_, cu map[string]string, v string) { cu["Company"] = v }, ""},
	{"Title", func(_, cu map[string]string, v string) { cu["Title"] = v }, ""},
	{"FirstName", func(_, cu map[string]string, v string) { cu["FirstName"] = v }, ""},
	{"LastName", func(_, cu map[string]string, v string) { cu["LastName"] = v }, ""},
	{"ActionCode", func(c, _ map[string]string, v string) { c["ActionCode"] = v }, "--action"},
	// An offer is filtered by its ID or by its current display name: the
	// long name is its offer's only one.
	{"OfferDisplayName", func(c, _ map[string]string, v string) {
		c["OfferDisplayName"] = v
		c["LeadSource"] = "AppSource|long-named." + c["RowKey"]
	}, "--offer"},
	{"LeadSource", func(c, _ map[string]string, v string) { c["LeadSource"] = "AppSource|" + v }, "--offer"},
}

// strangerLeadCols returns one lead's Storage Explorer columns with field f
// set to v, for the address email.
func strangerLeadCols(f strangerField, v, email string, i int) map[string]string {
	cols := map[string]string{
		"PartitionKey": "11:2F02:2F2026", "RowKey": fmt.Sprintf("long-%04d", i),
		"ActionCode": "PLT", "CreatedTime": "11/2/2026 8:14:05 AM",
		"LeadSource": "AppSource|contoso.inventory-pro", "OfferDisplayName": "Contoso Inventory Pro",
		"Description": "please call",
	}
	cust := map[string]string{"FirstName": "Ana", "LastName": "Silva", "Email": email, "Country": "PT", "Company": "Fabrikam", "Title": "CTO"}
	f.set(cols, cust, v)
	b, _ := json.Marshal(cust)
	cols["CustomerInfo"] = string(b)
	return cols
}

func csvCell(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// TestLongFieldsEveryPath: a 40,000-character value (and 11,000 CJK
// characters) in every field a stranger types, through a CSV export, a
// webhook JSON file and a sync, is stored, listed, shown, filtered,
// exported and forgotten, and a later lead keeps its own names. Before
// schema 4 one such field made every later command panic.
func TestLongFieldsEveryPath(t *testing.T) {
	srv := azuritetest.Start(t)
	dir := t.TempDir()
	e := newSyncEnv(t)
	values := []string{strings.Repeat("x", 40_000), strings.Repeat("國", 11_000)}
	type want struct{ email, field, value, filter string }
	var wants []want

	// CSV, Storage Explorer columns.
	cols := []string{"PartitionKey", "RowKey", "ActionCode", "CreatedTime", "CustomerInfo", "Description", "LeadSource", "OfferDisplayName"}
	var csv bytes.Buffer
	csv.WriteString(strings.Join(cols, ",") + "\r\n")
	// Webhook JSON, one object a line.
	var ndjson bytes.Buffer
	// Azure Table entities: a property holds at most 64 KiB of UTF-16,
	// so the table gets the CJK value only.
	var ents []azuritetest.Entity
	i := 0
	for _, f := range strangerFields {
		for k, v := range values {
			for _, path := range []string{"csv", "json", "sync"} {
				if path == "sync" && k == 0 {
					continue
				}
				i++
				email := fmt.Sprintf("%s.%d.%s@stranger.example", strings.ToLower(f.name), k, path)
				c := strangerLeadCols(f, v, email, i)
				switch path {
				case "csv":
					var row []string
					for _, col := range cols {
						row = append(row, csvCell(c[col]))
					}
					csv.WriteString(strings.Join(row, ",") + "\r\n")
				case "json":
					var cust map[string]string
					if err := json.Unmarshal([]byte(c["CustomerInfo"]), &cust); err != nil {
						t.Fatal(err)
					}
					b, _ := json.Marshal(map[string]any{"UserDetails": cust, "LeadSource": c["LeadSource"],
						"ActionCode": c["ActionCode"], "OfferTitle": c["OfferDisplayName"], "Description": c["Description"]})
					ndjson.Write(append(b, '\n'))
				case "sync":
					ent := azuritetest.Entity{}
					for _, col := range cols {
						ent[col] = c[col]
					}
					ent["CreatedTime"] = "2026-11-02T08:14:05Z"
					ents = append(ents, ent)
				}
				// For LeadSource the value is the offer ID after the '|'.
				wants = append(wants, want{email, f.name, v, f.filter})
			}
		}
	}
	csvPath, jsonPath := filepath.Join(dir, "long.csv"), filepath.Join(dir, "long.ndjson")
	if err := os.WriteFile(csvPath, csv.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(jsonPath, ndjson.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{csvPath, jsonPath} {
		if code := e.run("import", p); code != exitOK || !strings.Contains(e.stdout.String(), " 0 rejected") {
			t.Fatalf("import %s: %d %q %q", filepath.Base(p), code, e.stdout.String(), e.stderr.String())
		}
	}
	table := fmt.Sprintf("LongFields%d", tableN.Add(1))
	azuritetest.Seed(t, srv.CreateTable(t, table), ents)
	if code := e.run("sync", "--connection-string", srv.ConnectionString(), "--table", table); code != exitOK ||
		!strings.Contains(e.stdout.String(), fmt.Sprintf("%d new", len(ents))) {
		t.Fatalf("sync: %d %q %q", code, e.stdout.String(), e.stderr.String())
	}

	// A later lead, with names of its own.
	late := filepath.Join(dir, "late.ndjson")
	os.WriteFile(late, []byte(`{"UserDetails":{"FirstName":"Late","Email":"late@tailspin.example","Country":"DE"},"LeadSource":"AppSource|late.offer","ActionCode":"PLT","OfferTitle":"Late Offer"}`+"\n"), 0o600)
	if code := e.run("import", late); code != exitOK {
		t.Fatalf("late import: %d %q", code, e.stderr.String())
	}
	for _, args := range [][]string{{"list", "--offer", "late.offer"}, {"list", "--country", "DE"}} {
		if code := e.run(args...); code != exitOK || strings.Count(e.stdout.String(), "@") != 1 || !strings.Contains(e.stdout.String(), "late@tailspin.example") {
			t.Fatalf("%v: %d %q %q", args, code, e.stdout.String(), e.stderr.String())
		}
	}
	if code := e.run("list", "--json"); code != exitOK || strings.Count(e.stdout.String(), "@stranger.example") < len(wants) {
		t.Fatalf("list --json: %d, %d addresses, %q", code, strings.Count(e.stdout.String(), "@stranger.example"), e.stderr.String())
	}
	if code := e.run("export", "--out", filepath.Join(dir, "export.csv")); code != exitOK {
		t.Fatalf("export: %d %q", code, e.stderr.String())
	}
	for _, w := range wants {
		if code := e.run("show", w.email); code != exitOK {
			t.Fatalf("show %s: %d %q", w.email, code, e.stderr.String())
		}
		if w.filter != "" {
			if code := e.run("list", w.filter, w.value); code != exitOK || !strings.Contains(e.stdout.String(), w.email[:12]) {
				t.Fatalf("list %s <%s of %d bytes>: %d %q", w.filter, w.field, len(w.value), code, e.stderr.String())
			}
		}
	}
	for _, w := range wants {
		if code := e.run("forget", w.email, "--yes"); code != exitOK {
			t.Fatalf("forget %s: %d %q", w.email, code, e.stderr.String())
		}
	}
	raw, err := os.ReadFile(e.db)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range values {
		if bytes.Contains(raw, []byte(v[:3000])) {
			t.Fatalf("a forgotten value (%d bytes) is still in the file", len(v))
		}
	}
	if code := e.run("list", "--offer", "late.offer"); code != exitOK || !strings.Contains(e.stdout.String(), "late@tailspin.example") {
		t.Fatalf("after forgetting: %d %q %q", code, e.stdout.String(), e.stderr.String())
	}
}
