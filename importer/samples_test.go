package importer

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/leads-inbox/leads/store"
)

// The samples are copies of shared/samples; their README states the results
// asserted here.

func TestSampleStorageExplorerExport(t *testing.T) {
	res := runFile(t, "storage-explorer-export.csv")
	checkInvariants(t, res)
	if res.err != nil || len(res.errs) != 0 {
		t.Fatalf("err %v, reports %v", res.err, res.errs)
	}
	if len(res.leads) != 8 {
		t.Fatalf("%d leads, want 8", len(res.leads))
	}
	actions := map[string]int{}
	contacts := map[string]bool{}
	var tests, dnc, noPII int
	for _, l := range res.leads {
		actions[l.Action]++
		if l.IsTest {
			tests++
		}
		if l.IsDNC() {
			dnc++
		}
		if l.NoPII {
			noPII++
		}
		contacts[l.ContactID()] = true
		if l.Origin.PartitionKey == "" || l.Origin.RowKey == "" || l.Timestamp.IsZero() || l.Created.IsZero() {
			t.Errorf("line %d: table identity or times missing: %+v", l.Origin.Line, l.Origin)
		}
		for _, f := range l.Raw {
			if strings.HasSuffix(f.Name, "@type") {
				t.Errorf("@type column %q in Raw", f.Name)
			}
		}
		if len(l.Raw) != 9 || len(l.Extra) != 0 {
			t.Errorf("line %d: Raw %d fields, Extra %v", l.Origin.Line, len(l.Raw), l.Extra)
		}
	}
	want := map[string]int{"PLT": 2, "StartTestDrive": 1, "INS": 3, "Create": 1, "DNC": 1}
	if !reflect.DeepEqual(actions, want) {
		t.Errorf("actions %v, want %v", actions, want)
	}
	if tests != 1 || dnc != 1 || noPII != 1 || res.stats.Test != 1 {
		t.Errorf("test %d (stats %d), DNC %d, no-PII %d; want 1 each", tests, res.stats.Test, dnc, noPII)
	}
	if len(contacts) != 6 {
		t.Errorf("%d contacts, want 6", len(contacts))
	}

	first := res.leads[0]
	if first.Origin.Line != 2 || first.Origin.File != "storage-explorer-export.csv" ||
		first.Source != "AppSource" || first.OfferID != "contoso.inventory-pro" || first.OfferName != "Contoso Inventory Pro" ||
		first.Customer.Phone != "+886 2 5550 1234" || first.Description != "Please contact me about pricing for 200 seats" ||
		!first.Timestamp.Equal(time.Date(2026, 11, 2, 8, 14, 9, 123456700, time.UTC)) ||
		!first.Created.Equal(time.Date(2026, 11, 2, 8, 14, 5, 0, time.UTC)) {
		t.Errorf("first lead: %+v", first)
	}
	byRow := map[string]store.Lead{}
	for _, l := range res.leads {
		byRow[l.Origin.RowKey] = l
	}
	if l := byRow["a1f3c2d4-0002"]; l.Customer.Email != "Mei.Lin@Northwind.example" {
		t.Errorf("email not trimmed: %q", l.Customer.Email)
	}
	if l := byRow["a1f3c2d4-0004"]; l.Customer.FirstName != "José" || l.Customer.LastName != "Álvarez" ||
		l.Customer.Company != "Fabrikam, S.A." || l.Source != "AzurePortal" || l.OfferID != "contoso.inventory-pro-byol" {
		t.Errorf("accented lead: %+v", l)
	}
	if l := byRow["a1f3c2d4-0007"]; !l.IsTest || l.Source != "AzureMarketplace" || l.Action != "INS" || l.LeadSource != "AzureMarketplace" {
		t.Errorf("test lead: %+v", l)
	}
	if l := byRow["a1f3c2d4-0008"]; l.Source != "AppSource" || l.Description != `{"mktcmpid":"fall-webinar","partnerid":"98765"}` {
		t.Errorf("SPZA lead: %+v", l)
	}
	if l := byRow["a1f3c2d4-0003"]; l.Description != "Campaigns: " {
		t.Errorf("description not verbatim: %q", l.Description)
	}
}

func TestSampleTabVariantIsIdentical(t *testing.T) {
	comma := runFile(t, "storage-explorer-export.csv")
	tab := runFile(t, "storage-explorer-export-tab.csv")
	checkInvariants(t, tab)
	if tab.err != nil || len(tab.errs) != 0 || len(tab.leads) != len(comma.leads) {
		t.Fatalf("tab: %d leads, err %v, reports %v", len(tab.leads), tab.err, tab.errs)
	}
	for i := range tab.leads {
		a, b := comma.leads[i], tab.leads[i]
		a.Origin.File, b.Origin.File = "", ""
		if !reflect.DeepEqual(a, b) {
			t.Errorf("lead %d differs:\ncomma %+v\ntab   %+v", i, a, b)
		}
	}
}

func TestSampleWebhookNDJSON(t *testing.T) {
	res := runFile(t, "webhook-leads.ndjson")
	checkInvariants(t, res)
	if res.err != nil || len(res.errs) != 0 {
		t.Fatalf("err %v, reports %v", res.err, res.errs)
	}
	// The file holds two payloads, one per line.
	if len(res.leads) != 2 {
		t.Fatalf("%d leads, want 2", len(res.leads))
	}
	a, b := res.leads[0], res.leads[1]
	if a.Source != "AzureMarketplace" || a.Action != "INS" || a.OfferName != "Test Microsoft" ||
		a.Customer.Email != "someone@contoso.example" || a.Customer.Country != "USA" || a.Origin.Line != 1 {
		t.Errorf("PascalCase payload: %+v", a)
	}
	if b.Source != "AppSource" || b.Action != "PLT" || b.OfferID != "contoso.inventory-pro" ||
		b.Customer.FirstName != "Kenji" || b.Customer.Title != "CIO" || b.Description != "Want a demo next week" || b.Origin.Line != 2 {
		t.Errorf("camelCase payload: %+v", b)
	}
	if len(a.Raw) != 5 || a.Raw[0].Name != "UserDetails" || !strings.HasPrefix(a.Raw[0].Value, `{"FirstName":"Some"`) {
		t.Errorf("Raw: %+v", a.Raw)
	}
}

func TestSampleSeedTestLeadIsOnePositionedError(t *testing.T) {
	res := runFile(t, "seed-test-lead.json")
	checkInvariants(t, res)
	if res.err != nil || len(res.leads) != 0 || len(res.errs) != 1 {
		t.Fatalf("err %v, %d leads, reports %v", res.err, len(res.leads), res.errs)
	}
	e := res.errs[0]
	// The comma is missing after "OfferTitle": "Contoso Test" on line 13;
	// the parser notices at the next key, line 14 column 5.
	want := `seed-test-lead.json:14:5: bad JSON: expected ',' or '}' after object value, found '"' (is a ',' missing at the end of line 13?)`
	if e.Error() != want || e.Severity != Reject {
		t.Errorf("got  %s (%v)\nwant %s", e, e.Severity, want)
	}
}

// With the comma restored the seed's test lead imports and is flagged.
func TestSeedTestLeadFixed(t *testing.T) {
	fixed := `{
    "UserDetails": {
      "FirstName": "MSFT_TEST_636573304831318844",
      "LastName": "MSFT_TEST_636573304831318844",
      "Email": "MSFT_TEST_636573304831318844@test.com",
      "Phone": "1234567890",
      "Country": "US",
      "Company": "MSFT_TEST_636573304831318844",
      "Title": "MSFT_TEST_636573304831318844"
    },
    "LeadSource": "AzureMarketplace",
    "ActionCode": "INS",
    "OfferTitle": "Contoso Test",
    "Description": "MSFT_TEST_636573304831318844"
}`
	res := runString(Read, fixed, "seed.json")
	checkInvariants(t, res)
	if len(res.leads) != 1 || len(res.errs) != 0 {
		t.Fatalf("%d leads, reports %v", len(res.leads), res.errs)
	}
	l := res.leads[0]
	if !l.IsTest || l.Source != "AzureMarketplace" || l.Action != "INS" || l.OfferName != "Contoso Test" || res.stats.Test != 1 {
		t.Errorf("%+v", l)
	}
}
