package importer

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParseLeadSource(t *testing.T) {
	tests := []struct {
		in                    string
		source, action, offer string
	}{
		// The documented examples (lead-formats.md §2).
		{"AppSource (SPZA)-PLT|contoso.inventory-pro", "AppSource", "PLT", "contoso.inventory-pro"},
		{"AzureMarketplace-INS|checkpoint.check-point-r77-10sg-byol", "AzureMarketplace", "INS", "checkpoint.check-point-r77-10sg-byol"},
		{"AzureMarketplace-INS|bitnami.openedxcypress", "AzureMarketplace", "INS", "bitnami.openedxcypress"},
		{"AzurePortal-Create|docusign.3701c77e-1cfa-4c56-91e6-3ed0b622145", "AzurePortal", "Create", "docusign.3701c77e-1cfa-4c56-91e6-3ed0b622145"},
		{"AppSource (SPZA)-DNC|contoso.inventory-pro", "AppSource", "DNC", "contoso.inventory-pro"},
		{"AppSource (SPZA)-StartTestDrive|contoso.inventory-pro", "AppSource", "StartTestDrive", "contoso.inventory-pro"},
		{"TestDrive-StartTestDrive|x.y", "TestDrive", "StartTestDrive", "x.y"},
		// Spaces around "|" and "-" (the grammar is written with them).
		{"AzureMarketplace-INS | checkpoint.check-point-r77-10sg-byol", "AzureMarketplace", "INS", "checkpoint.check-point-r77-10sg-byol"},
		{"  AppSource (SPZA) - PLT  |  contoso.inventory-pro ", "AppSource", "PLT", "contoso.inventory-pro"},
		// Older data: bare SPZA.
		{"SPZA-INS|x.y", "AppSource", "INS", "x.y"},
		{"SPZA-PLT|contoso.inventory-pro", "AppSource", "PLT", "contoso.inventory-pro"},
		// Source-only, as the webhook sends it with ActionCode apart.
		{"AzureMarketplace", "AzureMarketplace", "", ""},
		{"AppSource (SPZA)", "AppSource", "", ""},
		// Case-insensitive match to the canonical spelling.
		{"azuremarketplace-ins|a.b", "AzureMarketplace", "INS", "a.b"},
		{"APPSOURCE (spza)-plt|a.b", "AppSource", "PLT", "a.b"},
		{"azureportal-create|a.b", "AzurePortal", "Create", "a.b"},
		{"AppSource-starttestdrive|a.b", "AppSource", "StartTestDrive", "a.b"},
		// Unknown tokens are kept verbatim.
		{"NewStore-WOW|a.b", "NewStore", "WOW", "a.b"},
		{"AzureMarketplace-Trial-v2|a.b", "AzureMarketplace", "Trial-v2", "a.b"},
		// The last "|" splits; the first "-" splits.
		{"Odd|Source-INS|a.b", "Odd|Source", "INS", "a.b"},
		{"AzureMarketplace-INS|", "AzureMarketplace", "INS", ""},
		{"|a.b", "", "", "a.b"},
		{"", "", "", ""},
		{"   ", "", "", ""},
	}
	for _, tt := range tests {
		s, a, o := ParseLeadSource(tt.in)
		if s != tt.source || a != tt.action || o != tt.offer {
			t.Errorf("ParseLeadSource(%q) = %q, %q, %q; want %q, %q, %q", tt.in, s, a, o, tt.source, tt.action, tt.offer)
		}
	}
}

func TestNormalizeAction(t *testing.T) {
	for in, want := range map[string]string{
		"INS": "INS", "ins": "INS", "PLT": "PLT", "dnc": "DNC", "create": "Create", "CREATE": "Create",
		"StartTestDrive": "StartTestDrive", "Start Test Drive": "StartTestDrive",
		"Get it now": "INS", "Free trial": "INS", "Test drive": "StartTestDrive", "Contact me": "PLT",
		"contact me": "PLT", " Contact Me ": "PLT", "Unknown thing": "Unknown thing", "": "",
	} {
		if got := NormalizeAction(in); got != want {
			t.Errorf("NormalizeAction(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzParseLeadSource(f *testing.F) {
	for _, s := range []string{"AppSource (SPZA)-PLT|contoso.inventory-pro", "AzureMarketplace", "SPZA-INS|x.y",
		"a-b|c|d", "|", "-", " - | ", "\xff-\xfe|\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		src, act, offer := ParseLeadSource(s)
		for _, v := range []string{src, act, offer} {
			if v != strings.TrimSpace(v) {
				t.Fatalf("untrimmed %q from %q", v, s)
			}
			if utf8.ValidString(s) && !utf8.ValidString(v) {
				t.Fatalf("invalid UTF-8 %q from %q", v, s)
			}
		}
		if strings.Contains(offer, "|") {
			t.Fatalf("offer %q contains '|'", offer)
		}
		if strings.Contains(src, "-") {
			t.Fatalf("source %q contains '-'", src)
		}
		// Parsing is stable: the canonical form parses to itself.
		if src != "" && act != "" && !strings.Contains(src, "|") {
			s2, a2, o2 := ParseLeadSource(src + "-" + act + "|" + offer)
			if s2 != src || a2 != act || o2 != offer {
				t.Fatalf("not stable: %q -> %q %q %q -> %q %q %q", s, src, act, offer, s2, a2, o2)
			}
		}
	})
}
