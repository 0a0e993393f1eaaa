package store

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

// synthLeads makes n leads for about n/1.6 people, like a real export.
func synthLeads(n, offset int) []Lead {
	out := make([]Lead, n)
	base := time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
	actions := []string{"PLT", "StartTestDrive", "INS", "Create", "INS"}
	for i := range out {
		k := i + offset
		person := k * 5 / 8
		out[i] = Lead{
			Origin:      Origin{File: "bench.csv", Line: k + 2, PartitionKey: fmt.Sprintf("%d:2F%d:2F2026", k%12+1, k%28+1), RowKey: fmt.Sprintf("%08x-bench-%d", k*2654435761, k)},
			LeadSource:  "AppSource (SPZA)-PLT|contoso.inventory-pro",
			Source:      "AppSource",
			Action:      actions[k%len(actions)],
			OfferID:     fmt.Sprintf("contoso.offer-%d", k%6),
			OfferName:   "Contoso Inventory Pro",
			Created:     base.Add(time.Duration(k*7919%(120*24*3600)) * time.Second),
			Timestamp:   base.Add(time.Duration(k) * time.Second),
			Description: "Please contact me about pricing for 200 seats",
			Customer: Customer{FirstName: "Mei", LastName: fmt.Sprintf("Lin%d", person), Email: fmt.Sprintf("person%d@northwind.example", person),
				Phone: "+886 2 5550 1234", Country: "TW", Company: "Northwind Traders", Title: "IT Director"},
			Raw: []Field{{"PartitionKey", "11:2F02:2F2026"}, {"RowKey", "a1f3c2d4-0001"}, {"Timestamp", "2026-11-02T08:14:09.1234567Z"},
				{"ActionCode", "PLT"}, {"CreatedTime", "11/2/2026 8:14:05 AM"},
				{"CustomerInfo", `{"FirstName":"Mei","LastName":"Lin","Email":"mei.lin@northwind.example","Phone":"+886 2 5550 1234","Country":"TW","Company":"Northwind Traders","Title":"IT Director"}`},
				{"Description", "Please contact me about pricing for 200 seats"}, {"LeadSource", "AppSource (SPZA)-PLT|contoso.inventory-pro"},
				{"OfferDisplayName", "Contoso Inventory Pro"}},
		}
	}
	return out
}

// BenchmarkUpsert measures storing leads in batches the way an import does.
// b.N is the number of leads.
func BenchmarkUpsert(b *testing.B) {
	const batch = 50000
	s, err := Open(filepath.Join(b.TempDir(), "b.db"), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	leads := synthLeads(b.N, 0)
	b.ResetTimer()
	for i := 0; i < len(leads); i += batch {
		if _, err := s.Upsert(leads[i:min(i+batch, len(leads))], UpsertOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDigests measures the inbox's start-up read.
func BenchmarkDigests(b *testing.B) {
	s, err := Open(filepath.Join(b.TempDir(), "b.db"), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	leads := synthLeads(200000, 0)
	for i := 0; i < len(leads); i += 50000 {
		if _, err := s.Upsert(leads[i:i+50000], UpsertOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for b.Loop() {
		if _, _, err := s.Digests(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCustomerJSON: rebuilding a CustomerInfo value runs for every
// lead imported, to see whether the raw value can be stored as a reference.
func BenchmarkCustomerJSON(b *testing.B) {
	c := Customer{FirstName: "Mei", LastName: "Lin", Email: "mei.lin@contoso.example", Phone: "+1 555 0100",
		Country: "US", Company: "Contoso Pharmaceuticals", Title: "Director of IT"}
	buf := make([]byte, 0, 256)
	for b.Loop() {
		buf = appendCustomerJSON(buf[:0], &c)
	}
}
