package gen

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"
)

var testNow = time.Date(2026, 11, 8, 17, 30, 0, 0, time.UTC)

func generate(t testing.TB, opt Options) []byte {
	t.Helper()
	if opt.Now.IsZero() {
		opt.Now = testNow
	}
	var b bytes.Buffer
	if err := Write(&b, opt); err != nil {
		t.Fatalf("Write(%+v): %v", opt, err)
	}
	return b.Bytes()
}

// parsed is a lead read back from any format, for format-independent checks.
type parsed struct {
	key        string // PartitionKey+RowKey or Lead ID; empty for webhook
	raw        string // the whole record, to tell exact duplicates
	action     string
	leadSource string
	offerTitle string
	desc       string
	cust       map[string]string // lower-case keys
	created    time.Time         // zero for webhook
}

var custKeys = []string{"firstname", "lastname", "email", "phone", "country", "company", "title"}

// parse reads a generated file back with encoding/csv or encoding/json and
// fails the test on anything those packages reject.
func parse(t *testing.T, format string, data []byte) []parsed {
	t.Helper()
	if !utf8.Valid(data) {
		t.Fatalf("%s: output is not valid UTF-8", format)
	}
	var out []parsed
	switch format {
	case FormatWebhook:
		for i, line := range strings.SplitAfter(string(data), "\n") {
			if line == "" {
				continue
			}
			if !strings.HasSuffix(line, "}\n") {
				t.Fatalf("line %d: not one object per line: %q", i+1, line)
			}
			var m map[string]json.RawMessage
			if err := json.Unmarshal([]byte(line), &m); err != nil {
				t.Fatalf("line %d: %v: %s", i+1, err, line)
			}
			camel := m["userDetails"] != nil
			get := func(k string) string {
				if camel {
					k = strings.ToLower(k[:1]) + k[1:]
				}
				raw, ok := m[k]
				if !ok {
					t.Fatalf("line %d: no key %q: %s", i+1, k, line)
				}
				var s string
				if err := json.Unmarshal(raw, &s); err != nil {
					t.Fatalf("line %d: %s: %v", i+1, k, err)
				}
				return s
			}
			ud := m["UserDetails"]
			if camel {
				ud = m["userDetails"]
			}
			var u map[string]string
			if err := json.Unmarshal(ud, &u); err != nil {
				t.Fatalf("line %d: user details: %v", i+1, err)
			}
			p := parsed{raw: line, action: get("ActionCode"), leadSource: get("LeadSource"),
				offerTitle: get("OfferTitle"), desc: get("Description"), cust: lowerKeys(t, u)}
			out = append(out, p)
		}
		return out
	}

	if bytes.Count(data, []byte("\n")) != bytes.Count(data, []byte("\r\n")) {
		t.Fatalf("%s: a line does not end in CRLF", format)
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.ReuseRecord = false
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatalf("%s: encoding/csv: %v", format, err)
	}
	lines := strings.SplitAfter(string(data), "\r\n")
	want := storageExplorerHeader
	if format == FormatPartnerCenter {
		want = partnerCenterHeader
	}
	if lines[0] != want {
		t.Fatalf("header = %q, want %q", lines[0], want)
	}
	for i, rec := range recs[1:] {
		p := parsed{raw: lines[i+1]}
		switch format {
		case FormatStorageExplorer:
			for _, j := range []int{4, 6, 8, 10, 12, 14} {
				if rec[j] != "Edm.String" {
					t.Fatalf("row %d col %d = %q, want Edm.String", i+1, j, rec[j])
				}
			}
			p.key = rec[0] + "\x00" + rec[1]
			p.action, p.desc, p.leadSource, p.offerTitle = rec[3], rec[9], rec[11], rec[13]
			var u map[string]string
			if err := json.Unmarshal([]byte(rec[7]), &u); err != nil {
				t.Fatalf("row %d: CustomerInfo: %v: %s", i+1, err, rec[7])
			}
			p.cust = lowerKeys(t, u)
			if !strings.HasPrefix(rec[7], `{"FirstName":`) {
				t.Fatalf("row %d: CustomerInfo key order: %s", i+1, rec[7])
			}
			created, err := time.Parse("1/2/2006 3:04:05 PM", rec[5])
			if err != nil {
				t.Fatalf("row %d: CreatedTime: %v", i+1, err)
			}
			p.created = created
			ts, err := time.Parse("2006-01-02T15:04:05.0000000Z", rec[2])
			if err != nil || len(rec[2]) != len("2026-11-02T08:14:09.1234567Z") {
				t.Fatalf("row %d: Timestamp %q: %v", i+1, rec[2], err)
			}
			if d := ts.Sub(created); d < time.Second || d > 7*time.Second {
				t.Fatalf("row %d: Timestamp %v is %v after CreatedTime", i+1, ts, d)
			}
			pk := strings.ReplaceAll(rec[0], ":2F", "/")
			if pkDate, err := time.Parse("1/02/2006", pk); err != nil || !pkDate.Equal(created.Truncate(24*time.Hour)) {
				t.Fatalf("row %d: PartitionKey %q does not match CreatedTime %v (%v)", i+1, rec[0], created, err)
			}
		case FormatPartnerCenter:
			p.key = rec[0]
			p.cust = map[string]string{"company": rec[1], "firstname": rec[2], "lastname": rec[3], "email": rec[4],
				"phone": rec[5], "country": rec[6], "title": rec[7]}
			p.offerTitle, p.leadSource, p.desc = rec[8], rec[11], rec[13]
			p.action = actionFromSource(rec[11])
			if !strings.Contains(rec[11], "-") && !strings.HasPrefix(p.cust["firstname"], "MSFT_TEST_") {
				// A bare source (spread shape): the button label says it.
				p.action = map[string]string{"Contact me": "PLT", "Test drive": "StartTestDrive",
					"Get it now": "INS", "Free trial": "INS"}[rec[10]]
			}
			want := map[string]string{"INS": "Get it now|Free trial", "Create": "Get it now", "PLT": "Contact me",
				"StartTestDrive": "Test drive", "DNC": ""}[p.action]
			if !strings.Contains("|"+want+"|", "|"+rec[10]+"|") {
				t.Fatalf("row %d: call to action %q for %s", i+1, rec[10], p.action)
			}
			created, err := time.Parse(time.RFC3339, rec[12])
			if err != nil {
				t.Fatalf("row %d: Created: %v", i+1, err)
			}
			p.created = created
		}
		out = append(out, p)
	}
	return out
}

// actionFromSource applies the documented parsing rule, with test leads'
// source-only LeadSource being INS.
func actionFromSource(s string) string {
	left := s
	if i := strings.LastIndexByte(s, '|'); i >= 0 {
		left = s[:i]
	}
	if _, a, ok := strings.Cut(left, "-"); ok {
		return a
	}
	return "INS"
}

func lowerKeys(t *testing.T, m map[string]string) map[string]string {
	t.Helper()
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[strings.ToLower(k)] = v
	}
	for _, k := range custKeys {
		if _, ok := out[k]; !ok {
			t.Fatalf("customer without %s: %v", k, m)
		}
	}
	if len(out) != len(custKeys) {
		t.Fatalf("customer has extra keys: %v", m)
	}
	return out
}

func TestDeterministic(t *testing.T) {
	for _, f := range Formats {
		for _, order := range Orders {
			a := generate(t, Options{Rows: 3000, Format: f, Seed: 42, Order: order})
			b := generate(t, Options{Rows: 3000, Format: f, Seed: 42, Order: order})
			if !bytes.Equal(a, b) {
				t.Errorf("%s %s: same seed gave different bytes", f, order)
			}
			c := generate(t, Options{Rows: 3000, Format: f, Seed: 43, Order: order})
			if bytes.Equal(a, c) {
				t.Errorf("%s %s: different seeds gave the same bytes", f, order)
			}
			d := generate(t, Options{Rows: 3000, Format: f, Seed: 42, Now: testNow.Add(time.Hour), Order: order})
			if f != FormatWebhook && bytes.Equal(a, d) {
				t.Errorf("%s %s: Now does not move the dates", f, order)
			}
		}
	}
}

// TestSameLeadsInEveryFormat checks that the formats differ only in how they
// write the leads, so a seed names one data set, in every order: table
// order puts webhook lines where the same leads are in the table.
func TestSameLeadsInEveryFormat(t *testing.T) {
	for _, order := range Orders {
		var emails [][]string
		for _, f := range Formats {
			var e []string
			for _, p := range parse(t, f, generate(t, Options{Rows: 500, Format: f, Seed: 7, Order: order})) {
				e = append(e, p.cust["email"]+"|"+p.action+"|"+p.offerTitle+"|"+p.desc)
			}
			emails = append(emails, e)
		}
		for i := 1; i < len(emails); i++ {
			if strings.Join(emails[i], "\n") != strings.Join(emails[0], "\n") {
				t.Errorf("%s: %s holds other leads than %s", order, Formats[i], Formats[0])
			}
		}
	}
}

func TestRowCount(t *testing.T) {
	for _, f := range Formats {
		for _, order := range Orders {
			for _, n := range []int{0, 1, 2, 19, 20, 21, 1000, 4321} {
				got := parse(t, f, generate(t, Options{Rows: n, Format: f, Seed: int64(n), Order: order}))
				if len(got) != n {
					t.Errorf("%s %s: %d rows for Rows=%d", f, order, len(got), n)
				}
			}
		}
	}
}

func TestTestLeadInSmallFiles(t *testing.T) {
	for seed := int64(0); seed < 50; seed++ {
		for _, f := range Formats {
			leads := parse(t, f, generate(t, Options{Rows: 20, Format: f, Seed: seed}))
			tests, hot := 0, 0
			for _, p := range leads {
				if strings.HasPrefix(p.cust["firstname"], "MSFT_TEST_") {
					tests++
				}
				if f != FormatWebhook && p.action == "PLT" && testNow.Sub(p.created) < 24*time.Hour {
					hot++
				}
			}
			if tests == 0 {
				t.Errorf("%s seed %d: no test lead in 20 rows", f, seed)
			}
			if f != FormatWebhook && hot == 0 {
				t.Errorf("%s seed %d: no Contact me lead in the last 24 hours", f, seed)
			}
		}
	}
}

// TestMix checks that a file holds what an importer and a demo must face, in
// roughly the proportions asked for.
func TestMix(t *testing.T) {
	const n = 20000
	leads := parse(t, FormatStorageExplorer, generate(t, Options{Rows: n, Format: FormatStorageExplorer, Seed: 1}))

	actions := map[string]int{}
	byKey := map[string][]string{}
	byEmail := map[string]map[string]bool{} // normalised email -> raw spellings
	funnelActions := map[string]map[string]bool{}
	owner := map[string]string{} // normalised email -> name and country
	shared := 0
	var tests, noPII, recent, bareSPZA, sourceOnly int
	desc := map[string]int{}
	scripts := map[string]bool{}
	var commaCompany, quoteCompany, usa bool
	for _, p := range leads {
		byKey[p.key] = append(byKey[p.key], p.raw)
		c := p.cust
		if strings.HasPrefix(c["firstname"], "MSFT_TEST_") {
			tests++
			tag := c["firstname"]
			for _, k := range custKeys {
				want := tag
				switch k {
				case "email":
					want = tag + "@test.com"
				case "phone":
					want = "1234567890"
				case "country":
					want = "US"
				}
				if c[k] != want {
					t.Errorf("test lead %s = %q, want %q", k, c[k], want)
				}
			}
			if p.leadSource != "AzureMarketplace" || p.action != "INS" || p.desc != tag || p.offerTitle != testOfferTitle {
				t.Errorf("test lead: %+v", p)
			}
			continue
		}
		actions[p.action]++
		if c["firstname"] == "" && c["email"] == "" && c["lastname"] == "" && c["phone"] == "" && c["company"] == "" && c["title"] == "" {
			if c["country"] == "" {
				t.Errorf("no-PII lead without country: %+v", p)
			}
			noPII++
		}
		if e := strings.ToLower(strings.TrimSpace(c["email"])); e != "" {
			who := c["firstname"] + " " + c["lastname"] + " " + c["country"]
			if prev, ok := owner[e]; ok && prev != who {
				shared++
			}
			owner[e] = who
			if byEmail[e] == nil {
				byEmail[e] = map[string]bool{}
				funnelActions[e] = map[string]bool{}
			}
			byEmail[e][c["email"]] = true
			funnelActions[e][p.action] = true
		}
		if testNow.Sub(p.created) < 48*time.Hour {
			recent++
		}
		if p.created.After(testNow) || testNow.Sub(p.created) > DefaultSpan {
			t.Errorf("created %v outside the span", p.created)
		}
		if strings.HasPrefix(p.leadSource, "SPZA-") {
			bareSPZA++
		}
		if !strings.Contains(p.leadSource, "|") {
			sourceOnly++
		}
		if p.action == "Create" && !strings.HasPrefix(p.leadSource, "AzurePortal-Create|") {
			t.Errorf("Create lead from %q", p.leadSource)
		}
		switch {
		case p.desc == "":
			desc["empty"]++
		case p.desc == "Campaigns: ":
			desc["campaigns"]++
		case strings.HasPrefix(p.desc, "{"):
			var m map[string]string
			if err := json.Unmarshal([]byte(p.desc), &m); err != nil || m["mktcmpid"] == "" {
				t.Errorf("campaign description %q: %v", p.desc, err)
			}
			desc["json"]++
		default:
			desc["note"]++
		}
		for _, r := range c["firstname"] + c["lastname"] {
			for name, tab := range map[string]*unicode.RangeTable{"Han": unicode.Han, "Cyrillic": unicode.Cyrillic,
				"Arabic": unicode.Arabic, "Devanagari": unicode.Devanagari, "Greek": unicode.Greek,
				"Hebrew": unicode.Hebrew, "Hangul": unicode.Hangul, "Thai": unicode.Thai} {
				if unicode.Is(tab, r) {
					scripts[name] = true
				}
			}
			if r > 0xC0 && unicode.Is(unicode.Latin, r) {
				scripts["Latin accents"] = true
			}
		}
		commaCompany = commaCompany || strings.Contains(c["company"], ",")
		quoteCompany = quoteCompany || strings.Contains(c["company"], `"`)
		usa = usa || c["country"] == "USA"
	}

	dups := 0
	for _, rows := range byKey {
		for _, r := range rows[1:] {
			if r != rows[0] {
				t.Fatalf("same PartitionKey+RowKey, different rows:\n%s\n%s", rows[0], r)
			}
			dups++
		}
	}
	funnels, retyped := 0, 0
	for e, acts := range funnelActions {
		if len(acts) >= 2 {
			funnels++
		}
		if acts["PLT"] && acts["StartTestDrive"] && acts["INS"] && len(byEmail[e]) > 1 {
			retyped++
		}
	}
	counted := n - tests - dups
	pct := func(k string) float64 { return 100 * float64(actions[k]) / float64(n-tests) }
	t.Logf("INS %.1f%% PLT %.1f%% StartTestDrive %.1f%% Create %.1f%% DNC %.1f%% no-PII %.1f%% test %d dup %d funnels %d recent %.1f%% desc %v shared-email %d",
		pct("INS"), pct("PLT"), pct("StartTestDrive"), pct("Create"), pct("DNC"),
		100*float64(noPII)/float64(counted), tests, dups, funnels, 100*float64(recent)/float64(counted), desc, shared)

	within := func(what string, got, lo, hi float64) {
		if got < lo || got > hi {
			t.Errorf("%s = %.1f%%, want %.0f..%.0f%%", what, got, lo, hi)
		}
	}
	within("INS", pct("INS"), 38, 52)
	within("PLT", pct("PLT"), 15, 25)
	within("StartTestDrive", pct("StartTestDrive"), 11, 19)
	within("Create", pct("Create"), 7, 13)
	within("DNC", pct("DNC"), 2, 4.5)
	within("no-PII", 100*float64(noPII)/float64(counted), 3.5, 7)
	within("recent", 100*float64(recent)/float64(counted), 3, 15)
	within("test", 100*float64(tests)/n, 0.03, 0.3)
	within("duplicates", 100*float64(dups)/n, 0.5, 3)
	if funnels < n/50 || retyped == 0 {
		t.Errorf("%d multi-step people, %d full funnels with retyped email", funnels, retyped)
	}
	if shared > 2 {
		t.Errorf("%d leads share an email with a different person", shared)
	}
	if bareSPZA == 0 || sourceOnly != 0 {
		t.Errorf("bare SPZA %d, source-only non-test %d", bareSPZA, sourceOnly)
	}
	for _, k := range []string{"empty", "campaigns", "json", "note"} {
		if desc[k] < counted/100 {
			t.Errorf("too few %s descriptions: %v", k, desc)
		}
	}
	for _, s := range []string{"Han", "Cyrillic", "Arabic", "Devanagari", "Greek", "Hebrew", "Hangul", "Thai", "Latin accents"} {
		if !scripts[s] {
			t.Errorf("no %s names", s)
		}
	}
	if !commaCompany || !quoteCompany || !usa {
		t.Errorf("comma company %v, quoted company %v, USA %v", commaCompany, quoteCompany, usa)
	}
}

func TestWebhookShape(t *testing.T) {
	leads := parse(t, FormatWebhook, generate(t, Options{Rows: 5000, Format: FormatWebhook, Seed: 3}))
	camel, sourceOnly := 0, 0
	for _, p := range leads {
		if strings.HasPrefix(p.raw, `{"userDetails": {"firstName": `) {
			camel++
		} else if !strings.HasPrefix(p.raw, `{"UserDetails": {"FirstName": `) {
			t.Fatalf("unexpected key style: %s", p.raw)
		}
		if p.leadSource == "AzureMarketplace" && !strings.HasPrefix(p.cust["firstname"], "MSFT_TEST_") {
			sourceOnly++
			if p.action != "INS" && p.action != "StartTestDrive" {
				t.Errorf("source-only lead with action %q", p.action)
			}
		}
	}
	if camel < 200 || camel > 1000 || sourceOnly < 200 {
		t.Errorf("camelCase lines %d, source-only leads %d", camel, sourceOnly)
	}
}

func TestShortSpan(t *testing.T) {
	now := testNow
	leads := parse(t, FormatPartnerCenter, generate(t, Options{Rows: 2000, Format: FormatPartnerCenter, Seed: 9, Now: now, Span: 6 * time.Hour}))
	for _, p := range leads {
		if p.created.After(now) || now.Sub(p.created) > 6*time.Hour {
			t.Fatalf("created %v outside a 6h span ending %v", p.created, now)
		}
	}
}

func TestOptionErrors(t *testing.T) {
	if err := Write(io.Discard, Options{Rows: 1, Format: "xlsx"}); !errors.Is(err, ErrUnknownFormat) {
		t.Errorf("unknown format: %v", err)
	}
	if err := Write(io.Discard, Options{Rows: -1, Format: FormatWebhook}); err == nil {
		t.Error("negative rows accepted")
	}
	if err := Write(io.Discard, Options{Rows: 1, Format: FormatWebhook, Span: -time.Hour}); err == nil {
		t.Error("negative span accepted")
	}
}

type failWriter struct{ n int }

func (w *failWriter) Write(p []byte) (int, error) {
	w.n++
	return 0, errors.New("disk full")
}

func TestWriteErrorStops(t *testing.T) {
	w := &failWriter{}
	err := Write(w, Options{Rows: 1_000_000, Format: FormatStorageExplorer, Seed: 1, Now: testNow})
	if err == nil || err.Error() != "disk full" {
		t.Fatalf("err = %v", err)
	}
	if w.n != 1 {
		t.Errorf("%d writes after the first failure", w.n-1)
	}
}

func TestDefaultNow(t *testing.T) {
	var b bytes.Buffer
	if err := Write(&b, Options{Rows: 200, Format: FormatPartnerCenter, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	for _, p := range parse(t, FormatPartnerCenter, b.Bytes()) {
		if age := time.Since(p.created); age < 0 || age > DefaultSpan+time.Minute {
			t.Fatalf("created %v is not in the last 120 days", p.created)
		}
	}
}

func BenchmarkWriteStorageExplorer(b *testing.B) {
	const rows = 10000
	var size countWriter
	if err := Write(&size, Options{Rows: rows, Format: FormatStorageExplorer, Seed: 1, Now: testNow}); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		if err := Write(io.Discard, Options{Rows: rows, Format: FormatStorageExplorer, Seed: 1, Now: testNow}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*rows), "ns/row")
}

type countWriter int

func (c *countWriter) Write(p []byte) (int, error) {
	*c += countWriter(len(p))
	return len(p), nil
}
