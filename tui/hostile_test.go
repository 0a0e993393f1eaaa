package tui

import (
	"strings"
	"testing"
	"unicode/utf8"

	"charm.land/bubbles/v2/help"
	tea "charm.land/bubbletea/v2"

	"github.com/leads-inbox/leads/store"
	"github.com/leads-inbox/leads/store/safetext"
	"github.com/leads-inbox/leads/store/search"
)

// hostile are the strings of hostile-inputs.md, "Showing untrusted text".
var hostile = []string{
	"Bob\x1b]0;pwned\x07\x1b[2J",
	"\x1b]52;c;cHduZWQ=\x07clip",
	"\x1b]8;;http://evil.example\x07link\x1b]8;;\x07",
	"Real\rFAKE",
	"back\b\b\bspace",
	"nul\x00byte",
	"del\x7fete",
	"c1\u009b31mred",
	"invoice\u202Efdp.exe",
	"pay\u200Bpal",
	"\x1b[31mred\x1b[0m",
	"Zoë 👩‍💻 李小龍 e\u0301\u0301\u0301 Ω",
}

// hostileStore fills every field a lead shows with hostile text.
func hostileStore(t testing.TB) *store.Store {
	var leads []store.Lead
	for i, h := range hostile {
		l := lead(h, "h"+string(rune('a'+i))+"@x.example", store.ActionContactMe, float64(i))
		l.Customer.LastName = h
		l.Customer.Company = h + " " + strings.Repeat("W", 200)
		l.Customer.Title = h
		l.Customer.Phone = h
		l.Customer.Country = h
		l.OfferName = h
		l.OfferID = "contoso." + h
		l.Source = h // an unknown source is kept verbatim: it reaches the filter panel
		l.Description = h + "\n" + strings.Repeat("long description "+h+" ", 600)
		leads = append(leads, l)
	}
	s := openStore(t, leads)
	for i := range hostile {
		id := store.ContactIDForEmail("h" + string(rune('a'+i)) + "@x.example")
		if _, err := s.AddNote(id, "note "+hostile[i], testNow); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SetStatus(id, store.StatusLost, hostile[i], testNow); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SetStatus(id, store.StatusNew, "", testNow); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// checkClean fails on any byte from the hostile strings that could act on
// a terminal or disguise text.
func checkClean(t *testing.T, what, out string) {
	t.Helper()
	for i := 0; i < len(out); {
		r, n := utf8.DecodeRuneInString(out[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			t.Fatalf("%s: invalid UTF-8 at %d", what, i)
		case r == '\n':
		case r < 0x20, r == 0x7f, r >= 0x80 && r < 0xa0:
			t.Fatalf("%s: control %U at byte %d: %q", what, r, i, out[max(i-40, 0):min(i+40, len(out))])
		case r == 0x202e, r == 0x200b:
			t.Fatalf("%s: %U reached the screen", what, r)
		}
		i += n
	}
	for _, payload := range []string{"pwned", "evil.example", "cHduZWQ"} {
		if strings.Contains(out, payload) {
			t.Fatalf("%s: escape payload %q reached the screen", what, payload)
		}
	}
}

func TestHostileTextNeverReachesTheTerminal(t *testing.T) {
	s := hostileStore(t)
	m := newModel(t, s, Options{NoColor: true})
	// Zero styles emit no escape sequences at all, so any ESC in the output
	// came from a lead.
	m.sty = styles{}
	m.help.Styles = help.Styles{}
	shots := map[string]func(){
		"inbox":          func() { press(t, m, "1") },
		"all":            func() { press(t, m, "3") },
		"filter source":  func() { press(t, m, "f") },
		"filter offer":   func() { press(t, m, "tab", "tab") },
		"filter country": func() { press(t, m, "tab") },
		"filtered":       func() { press(t, m, "enter", "esc") },
		"detail":         func() { press(t, m, "x", "enter") },
		"detail end":     func() { press(t, m, "G") },
		"stats":          func() { press(t, m, "esc", "i") },
		"search paste": func() {
			press(t, m, "esc", "/")
			send(t, m, tea.PasteMsg{Content: hostile[0] + hostile[8]})
		},
		"note prompt": func() {
			press(t, m, "esc", "x", "n")
			send(t, m, tea.PasteMsg{Content: hostile[1]})
		},
	}
	order := []string{"inbox", "all", "filter source", "filter offer", "filter country", "filtered", "detail", "detail end", "stats", "search paste", "note prompt"}
	for _, name := range order {
		shots[name]()
		out := m.render()
		if strings.ContainsRune(out, 0x1b) {
			i := strings.IndexRune(out, 0x1b)
			t.Fatalf("%s: ESC in output: %q", name, out[max(i-40, 0):min(i+40, len(out))])
		}
		checkClean(t, name, out)
		checkLayout(t, m, 80, 24, name)
	}
	// The same with real styles: only the inbox's own SGR sequences appear.
	m2 := newModel(t, s, Options{})
	press(t, m2, "3")
	checkClean(t, "styled inbox", plain(m2.render()))
	press(t, m2, "enter")
	out := plain(m2.render())
	checkClean(t, "styled detail", out)
	if !strings.Contains(strings.Join(m2.detail.lines, "\n"), "more lines") {
		t.Errorf("a 10,000-character description was not cut short")
	}
}

func TestHostileTextIsShownReadably(t *testing.T) {
	m := newModel(t, hostileStore(t), Options{})
	press(t, m, "3")
	var out string
	for range m.x.visible {
		press(t, m, "enter")
		out += plain(strings.Join(m.detail.lines, "\n"))
		press(t, m, "esc", "j")
	}
	for _, want := range []string{"Bob", "RealFAKE", "invoicefdp.exe", "paypal", "李小龍"} {
		if !strings.Contains(out, want) {
			t.Errorf("detail lacks %q", want)
		}
	}
}

// TestCLISearchEqualsInboxSearch: for every hostile string, and for the
// text the screen shows of it, the inbox's search and 'leads list --q'
// (store.Filter.Query) find the same contacts.
func TestCLISearchEqualsInboxSearch(t *testing.T) {
	s := hostileStore(t)
	dg, text, dict, err := s.LoadDigests(sep)
	if err != nil {
		t.Fatal(err)
	}
	x := newIndex(dg, text, dict, nil, testNow)
	queries := []string{"paypal", "pay\u200bpal", "PAY PAL", "realfake", "real\rfake", "bob", "fdp.exe", "zoë", "e\u0301", "long description", "nomatch"}
	for _, h := range hostile {
		queries = append(queries, h, safetext.Clean(h))
	}
	for _, q := range queries {
		inbox := map[string]bool{}
		words := search.Query(q)
		if words == "" {
			continue
		}
		hits := x.search(words)
		for i := range x.dg {
			if hits.has(int32(i)) {
				inbox[x.dg[i].IDString()] = true
			}
		}
		cli := map[string]bool{}
		if err := s.ListContacts(store.Filter{Query: q}, func(c *store.Contact) error {
			cli[c.ID] = true
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if len(inbox) != len(cli) {
			t.Fatalf("query %q: inbox finds %d contacts, leads list %d", q, len(inbox), len(cli))
		}
		for id := range cli {
			if !inbox[id] {
				t.Fatalf("query %q: leads list finds %s, the inbox does not", q, id)
			}
		}
	}
	// The name as typed with a zero-width space is found by what is shown.
	found := false
	hits := x.search(search.Query("paypal"))
	for i := range x.dg {
		found = found || hits.has(int32(i))
	}
	if !found {
		t.Fatal("pay\\u200bpal is not found by paypal")
	}
}

// TestCombiningFloodIsCapped: a name of one letter and 10,000 combining
// marks reaches the screen with safetext.MaxMarks of them, in the list,
// the detail view and the search box, on every redraw.
func TestCombiningFloodIsCapped(t *testing.T) {
	flood := "Z" + strings.Repeat("\u0301", 10000)
	l := lead(flood, "flood@x.example", store.ActionContactMe, 1)
	l.Customer.LastName = flood
	l.Customer.Company = flood
	l.Description = flood + "\n" + flood
	m := newModel(t, openStore(t, []store.Lead{l}), Options{})
	total := 0
	check := func(what string) {
		out := m.render()
		run := 0
		for _, r := range out {
			if r == 0x301 {
				total++
				if run++; run > safetext.MaxMarks {
					t.Fatalf("%s: %d marks on one character reached the screen", what, run)
				}
			} else {
				run = 0
			}
		}
	}
	press(t, m, "3")
	check("inbox")
	press(t, m, "enter")
	check("detail")
	press(t, m, "esc", "/")
	send(t, m, tea.PasteMsg{Content: flood})
	check("search box")
	if total > 200 {
		t.Fatalf("%d combining marks reached the screen in three frames", total)
	}
}
