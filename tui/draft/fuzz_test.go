package draft

import (
	"mime"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/leads-inbox/leads/store"
)

// FuzzRenderEML fills every merge field with fuzzed text and checks that
// the rendered .eml never gains a header, a recipient, or a changed
// subject, and that the mailto: URL keeps one recipient.
func FuzzRenderEML(f *testing.F) {
	for _, h := range hostile {
		f.Add(h, h, h, "Subject: Hi {{or .FirstName \"x\"}}\n\n{{or .Description \"\"}}\n")
	}
	f.Add("Mei", "Northwind", "pricing", "Subject: {{.OfferName}}\n\n{{.Company}}")
	set, err := Load("")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, name, company, desc, tmpl string) {
		c := contactOf(store.Lead{Action: store.ActionContactMe, OfferName: company, OfferID: name,
			Created: time.Unix(1_800_000_000, 0), Description: desc,
			Customer: store.Customer{FirstName: name, LastName: desc, Email: "victim@example.com", Company: company, Title: name}})
		var drafts []Draft
		for _, tp := range set.Templates() {
			d, err := Render(tp, NewData(c, Sender{Name: name, Signature: desc}, time.UTC))
			if err != nil {
				t.Fatalf("built-in %s: %v", tp.Name, err)
			}
			drafts = append(drafts, d)
		}
		// A range over a fuzzed number could run for ever; user templates
		// are the rep's own code, so only lead data is adversarial here.
		if strings.Contains(tmpl, "range") {
			tmpl = ""
		}
		if tp, err := Parse("fuzz", "fuzz.tmpl", tmpl); err == nil {
			if d, err := Render(tp, NewData(c, Sender{}, time.UTC)); err == nil {
				drafts = append(drafts, d)
			}
		}
		for _, d := range drafts {
			eml, err := EML(d, Sender{Name: name, Email: "ana@contoso.example"}, time.Unix(1_800_000_000, 0))
			if err != nil {
				t.Fatal(err)
			}
			m, err := mail.ReadMessage(strings.NewReader(string(eml)))
			if err != nil {
				t.Fatalf("%v\n%q", err, eml)
			}
			if len(m.Header) != len(wantHeaders) {
				t.Fatalf("headers %v", m.Header)
			}
			for _, k := range wantHeaders {
				if len(m.Header[k]) != 1 {
					t.Fatalf("header %s: %v", k, m.Header[k])
				}
			}
			to, err := m.Header.AddressList("To")
			if err != nil || len(to) != 1 || to[0].Address != "victim@example.com" {
				t.Fatalf("To %v %v", to, err)
			}
			if s, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject")); err != nil || s != d.Subject {
				t.Fatalf("subject %q %v, want %q", s, err, d.Subject)
			}
			if u, err := Mailto(d); err == nil && strings.Count(u, "?") != 1 {
				t.Fatalf("mailto %q", u)
			}
		}
	})
}
