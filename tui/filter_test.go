package tui

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/leads-inbox/leads/store"
	"github.com/leads-inbox/leads/store/view"
)

// leadFilterModel: Mia installed from Azure Marketplace and pressed
// Contact me on AppSource; Bo pressed Contact me on Azure Marketplace;
// Cy installed from Azure Marketplace; Di pressed Contact me on
// AppSource; Jürgen took a Test Drive on AppSource.
func leadFilterModel(t *testing.T) *Model {
	t.Helper()
	mk := func(first, source, action string, hoursAgo float64) store.Lead {
		l := lead(first, strings.ToLower(first)+"@x.example", action, hoursAgo)
		l.Source = source
		return l
	}
	leads := []store.Lead{
		mk("Mia", store.SourceAzureMarketplace, store.ActionInstall, 5),
		mk("Mia", store.SourceAppSource, store.ActionContactMe, 4),
		mk("Bo", store.SourceAzureMarketplace, store.ActionContactMe, 3),
		mk("Cy", store.SourceAzureMarketplace, store.ActionInstall, 2),
		mk("Di", store.SourceAppSource, store.ActionContactMe, 1),
		mk("Jürgen", store.SourceAppSource, store.ActionStartTestDrive, 6),
	}
	return newModel(t, openStore(t, leads), Options{})
}

// panelCounts returns the panel's choices as label -> count.
func panelCounts(m *Model) map[string]int {
	got := map[string]int{}
	for _, c := range m.panel.choices {
		got[c.label] = c.count
	}
	return got
}

// choosePanel moves the panel to dimension dim and presses enter on the
// choice labelled label.
func choosePanel(t *testing.T, m *Model, dim int, label string) {
	t.Helper()
	for m.panel.dim != dim {
		press(t, m, "tab")
	}
	for i, c := range m.panel.choices {
		if c.label == label {
			m.panel.cursor = i
			press(t, m, "enter")
			return
		}
	}
	t.Fatalf("no choice %q in %+v", label, m.panel.choices)
}

// TestPanelCountsWithinOneLead: with source Azure Marketplace chosen, the
// action panel counts only leads from Azure Marketplace (Mia's Contact me
// was on AppSource), and choosing Contact me there leaves Bo alone, as
// stats and 'leads list' count it. Both ways of answering are checked:
// the sets per lead combination, and reading each candidate's digest
// (what too many combinations fall back to).
func TestPanelCountsWithinOneLead(t *testing.T) {
	for _, readDigests := range []bool{false, true} {
		t.Run(map[bool]string{false: "combination sets", true: "digests"}[readDigests], func(t *testing.T) {
			m := leadFilterModel(t)
			m.x.tooManyCombos = readDigests
			panelCountsWithinOneLead(t, m)
		})
	}
}

func panelCountsWithinOneLead(t *testing.T, m *Model) {
	press(t, m, "3", "f")
	choosePanel(t, m, dimSource, "Azure Mkt")
	press(t, m, "tab")
	if got := panelCounts(m); got["Contact me"] != 1 || got["Install"] != 2 || got["Test Drive"] != 0 {
		t.Fatalf("action choices under source Azure Marketplace = %v, want Contact me 1, Install 2", got)
	}
	choosePanel(t, m, dimAction, "Contact me")
	if got := rowNames(m); !slices.Equal(got, []string{"Bo"}) {
		t.Fatalf("Azure Marketplace × Contact me shows %v, want Bo", got)
	}
	// Counted the other way round too: under Contact me, the sources.
	press(t, m, "h")
	if got := panelCounts(m); got["Azure Mkt"] != 1 || got["AppSource"] != 2 {
		t.Fatalf("source choices under action Contact me = %v, want Azure Mkt 1, AppSource 2", got)
	}
	if s := screenText(m); !strings.Contains(s, "1 contacts in this view") {
		t.Errorf("panel count line:\n%s", s)
	}
}

// TestPanelChoosesSeveralValues: enter on a second value of a dimension
// adds it (OR within the dimension), enter again takes it out, 0 clears
// the dimension; the filter line names every value.
func TestPanelChoosesSeveralValues(t *testing.T) {
	for _, readDigests := range []bool{false, true} {
		m := leadFilterModel(t)
		m.x.tooManyCombos = readDigests
		panelChoosesSeveralValues(t, m)
	}
}

func panelChoosesSeveralValues(t *testing.T, m *Model) {
	t.Helper()
	press(t, m, "3", "f")
	choosePanel(t, m, dimAction, "Install")
	choosePanel(t, m, dimAction, "Test Drive")
	if s := screenText(m); strings.Count(s, "● ") != 2 || !strings.Contains(s, "action*2") {
		t.Errorf("two chosen actions not marked:\n%s", s)
	}
	press(t, m, "esc")
	got := rowNames(m)
	slices.Sort(got)
	if !slices.Equal(got, []string{"Cy", "Jürgen", "Mia"}) {
		t.Fatalf("Install or Test Drive shows %v", got)
	}
	if s := screenText(m); !strings.Contains(s, "action=Install|Test Drive") && !strings.Contains(s, "action=Test Drive|Install") {
		t.Errorf("filter line does not name both actions:\n%s", s)
	}
	// With a source too: AND across dimensions, within one lead.
	press(t, m, "f")
	choosePanel(t, m, dimSource, "AppSource")
	press(t, m, "esc")
	if got := rowNames(m); !slices.Equal(got, []string{"Jürgen"}) {
		t.Fatalf("AppSource × (Install or Test Drive) shows %v, want Jürgen", got)
	}
	press(t, m, "f")
	choosePanel(t, m, dimAction, "Test Drive") // taken out again
	if len(m.f.code[dimAction]) != 1 || len(m.x.visible) != 0 {
		t.Fatalf("after taking Test Drive out: %v, %d rows", m.f.code[dimAction], len(m.x.visible))
	}
	press(t, m, "0")
	if len(m.f.code[dimAction]) != 0 {
		t.Fatalf("0 left actions %v", m.f.code[dimAction])
	}
	// Statuses too.
	choosePanel(t, m, dimStatus, "new")
	if len(m.f.code[dimStatus]) != 1 || len(m.x.visible) != 3 {
		t.Fatalf("status new under AppSource: %d rows", len(m.x.visible))
	}
}

// TestSearchFindsWithoutAccents: "jurgen" finds Jürgen in the inbox.
func TestSearchFindsWithoutAccents(t *testing.T) {
	for _, q := range []string{"jurgen", "Jürgen", "JURGEN"} {
		m := leadFilterModel(t)
		press(t, m, "3", "/")
		typeText(t, m, q)
		press(t, m, "enter")
		if got := rowNames(m); !slices.Equal(got, []string{"Jürgen"}) {
			t.Errorf("search %q shows %v", q, got)
		}
	}
}

// TestManyLeadCombinationsReadTheDigests: past maxComboSets distinct
// (source, action, offer), the inbox keeps no set per combination and
// reads the candidates' digests, with the same answers as 'leads list'.
func TestManyLeadCombinationsReadTheDigests(t *testing.T) {
	var leads []store.Lead
	for i := range maxComboSets + 10 {
		l := lead("P"+strconv.Itoa(i), "p"+strconv.Itoa(i)+"@x.example", store.ActionContactMe, float64(i+1))
		l.OfferID = "contoso.offer-" + strconv.Itoa(i)
		if i%3 == 0 {
			l.Source, l.Action = store.SourceAzureMarketplace, store.ActionInstall
		}
		leads = append(leads, l)
		extra := l // the same person, another lead: the other pairing
		extra.Origin.RowKey += "-2"
		extra.Created = extra.Created.Add(-time.Hour)
		extra.Source, extra.Action = store.SourceAppSource, store.ActionInstall
		leads = append(leads, extra)
	}
	s := openStore(t, leads)
	m := newModel(t, s, Options{})
	press(t, m, "3", "f")
	choosePanel(t, m, dimSource, "Azure Mkt")
	press(t, m, "tab")
	if m.x.comboSets() != nil {
		t.Fatalf("%d combinations kept as sets", len(m.x.combos.keys))
	}
	got := panelCounts(m)
	want := len(cliIDs(t, s, store.Filter{Source: []string{"Azure Marketplace"}, Action: []string{"Install"}}, view.ByRecent))
	if got["Install"] != want || got["Contact me"] != 0 || want != (maxComboSets+10+2)/3 {
		t.Fatalf("action choices under Azure Marketplace = %v, leads list finds %d", got, want)
	}
}
