package importer

import (
	"strings"

	"github.com/leads-inbox/leads/store"
)

// ParseLeadSource splits a LeadSource string of the documented form
// "Source-Action|Offer" (lead-formats.md §2). It splits on the last "|"
// (offer ids never contain one, but a source label might), trims both sides,
// and splits the left part on the first "-" (sources contain none, actions
// and offer ids may). The source is normalised with NormalizeSource and the
// action with NormalizeAction; unknown tokens come back verbatim. A string
// without "-" is source-only: action is "" and the caller takes the action
// from ActionCode.
func ParseLeadSource(s string) (source, action, offerID string) {
	left := strings.TrimSpace(s)
	if i := strings.LastIndexByte(left, '|'); i >= 0 {
		offerID = strings.TrimSpace(left[i+1:])
		left = strings.TrimSpace(left[:i])
	}
	source = left
	if i := strings.IndexByte(left, '-'); i >= 0 {
		source = strings.TrimSpace(left[:i])
		action = strings.TrimSpace(left[i+1:])
	}
	return NormalizeSource(source), NormalizeAction(action), offerID
}

// NormalizeSource maps the source tokens Microsoft has used to the names in
// store (AppSource for "AppSource (SPZA)", "SPZA" and "AppSource";
// AzureMarketplace, AzurePortal, TestDrive), ignoring case and spaces.
// Anything else is returned trimmed but otherwise verbatim, because an
// unknown source is still information.
func NormalizeSource(s string) string {
	s = strings.TrimSpace(s)
	// Nearly every row spells its source one of Microsoft's ways.
	switch s {
	case "AppSource (SPZA)", store.SourceAppSource, "SPZA":
		return store.SourceAppSource
	case store.SourceAzureMarketplace, store.SourceAzurePortal, store.SourceTestDrive:
		return s
	}
	switch {
	case s == "":
		return ""
	case looseEqual(s, "AppSource(SPZA)"), looseEqual(s, "SPZA"), looseEqual(s, "AppSource"):
		return store.SourceAppSource
	case looseEqual(s, store.SourceAzureMarketplace):
		return store.SourceAzureMarketplace
	case looseEqual(s, store.SourceAzurePortal):
		return store.SourceAzurePortal
	case looseEqual(s, store.SourceTestDrive):
		return store.SourceTestDrive
	}
	return s
}

// NormalizeAction maps an action code to Microsoft's spelling (INS, PLT, DNC,
// Create, StartTestDrive), ignoring case and spaces, and maps the labels
// Partner Center shows in its UI and exports ("Get it now" and "Free trial"
// are INS, "Test drive" is StartTestDrive, "Contact me" is PLT). Unknown
// actions are returned trimmed but otherwise verbatim.
func NormalizeAction(s string) string {
	s = strings.TrimSpace(s)
	// Nearly every row spells its action as Microsoft does.
	switch s {
	case store.ActionInstall, store.ActionContactMe, store.ActionDoNotContact, store.ActionCreate, store.ActionStartTestDrive:
		return s
	}
	switch {
	case s == "":
		return ""
	case looseEqual(s, store.ActionInstall), looseEqual(s, "GetItNow"), looseEqual(s, "FreeTrial"):
		return store.ActionInstall
	case looseEqual(s, store.ActionContactMe), looseEqual(s, "ContactMe"):
		return store.ActionContactMe
	case looseEqual(s, store.ActionDoNotContact):
		return store.ActionDoNotContact
	case looseEqual(s, store.ActionCreate):
		return store.ActionCreate
	case looseEqual(s, store.ActionStartTestDrive), looseEqual(s, "TestDrive"):
		return store.ActionStartTestDrive
	}
	return s
}

// isInstallLabel reports Partner Center's UI labels for an install, which
// it also shows for an Azure portal purchase.
func isInstallLabel(s string) bool { return looseEqual(s, "GetItNow") || looseEqual(s, "FreeTrial") }

// looseEqual compares s with an ASCII pattern written without spaces,
// ignoring ASCII case and any spaces, underscores or hyphens in s. It does
// not allocate: it runs once or twice for every imported row.
func looseEqual(s, pattern string) bool {
	j := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == ' ' || c == '_' || c == '-' {
			continue
		}
		if j >= len(pattern) || lower(c) != lower(pattern[j]) {
			return false
		}
		j++
	}
	return j == len(pattern)
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
