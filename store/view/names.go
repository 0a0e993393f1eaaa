package view

import "strings"

// Sources as the store normalises them (store.Source* names the same).
const (
	SourceAzureMarketplace = "AzureMarketplace"
	SourceAzurePortal      = "AzurePortal"
	SourceAppSource        = "AppSource"
	SourceTestDrive        = "TestDrive"
)

// knownNames are the names a rep may type for a source or an action
// besides Microsoft's own code: the labels the inbox shows and Partner
// Center's. Each maps to the code leads carry, so 'leads list --action
// "Contact me"' and --action PLT select alike.
var knownNames = [NumDims]map[string]string{
	DimSource: {
		"AppSource": SourceAppSource, "SPZA": SourceAppSource, "AppSource (SPZA)": SourceAppSource,
		"AzureMarketplace": SourceAzureMarketplace, "Azure Marketplace": SourceAzureMarketplace, "Azure Mkt": SourceAzureMarketplace,
		"AzurePortal": SourceAzurePortal, "Azure portal": SourceAzurePortal,
		"TestDrive": SourceTestDrive, "Test Drive": SourceTestDrive,
	},
	DimAction: {
		"PLT": ActionContactMe, "Contact me": ActionContactMe,
		"StartTestDrive": ActionStartTestDrive, "Test Drive": ActionStartTestDrive,
		"INS": ActionInstall, "Install": ActionInstall, "Get it now": ActionInstall, "Free trial": ActionInstall,
		"Create": ActionCreate, "DNC": ActionDoNotContact, "Do not contact": ActionDoNotContact,
	},
}

// acceptedNames is what an error about an unknown value says to type.
var acceptedNames = [NumDims]string{
	DimSource: "AppSource, Azure Marketplace (AzureMarketplace), Azure portal (AzurePortal), TestDrive, or one your leads carry",
	DimAction: "Contact me (PLT), Test Drive (StartTestDrive), Install (INS), Create, DNC, or one your leads carry",
}

var knownFolded = func() [NumDims]map[string]string {
	var out [NumDims]map[string]string
	for d, m := range knownNames {
		if m == nil {
			continue
		}
		out[d] = map[string]string{}
		for n, code := range m {
			out[d][Fold(n)] = Fold(code)
		}
	}
	return out
}()

// nameKey returns the key under which a value of dimension d selects a
// name: a source or action by its code whatever name the rep typed for
// it, a country by CountryKey, anything else by Fold.
func nameKey(d Dim, v string) string {
	switch d {
	case DimCountry:
		return CountryKey(v)
	case DimSource, DimAction:
		k := Fold(strings.Join(strings.Fields(v), " "))
		if code, ok := knownFolded[d][k]; ok {
			return code
		}
		return Fold(v)
	}
	return Fold(v)
}

// Known reports whether v names a source or an action Microsoft sends
// (by its code or a label), whether or not any lead carries it yet. Every
// other dimension's values are open: any is known.
func Known(d Dim, v string) bool {
	if knownNames[d] == nil {
		return true
	}
	_, ok := knownFolded[d][Fold(strings.Join(strings.Fields(v), " "))]
	return ok
}
