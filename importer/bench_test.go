package importer

import (
	"bytes"
	"fmt"
	"io"
	"testing"
	"time"

	"golang.org/x/text/encoding/japanese"

	"github.com/leads-inbox/leads/store"
)

// genStorageExplorer writes n rows shaped like a Storage Explorer export of
// MarketplaceLeads (comma, CRLF, Edm.String type columns, CustomerInfo as
// quoted JSON with doubled quotes).
func genStorageExplorer(w io.Writer, n int) {
	fmt.Fprint(w, "PartitionKey,RowKey,Timestamp,ActionCode,ActionCode@type,CreatedTime,CreatedTime@type,CustomerInfo,CustomerInfo@type,Description,Description@type,LeadSource,LeadSource@type,OfferDisplayName,OfferDisplayName@type\r\n")
	actions := []string{"INS", "PLT", "StartTestDrive", "DNC", "Create"}
	sources := []string{"AzureMarketplace", "AppSource (SPZA)", "AzurePortal", "SPZA"}
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < n; i++ {
		t := base.Add(time.Duration(i) * 37 * time.Second)
		act := actions[i%len(actions)]
		fmt.Fprintf(w, "%d:2F%d:2F%d,%08x-%04x,%s,%s,Edm.String,%s,Edm.String,\"{\"\"FirstName\"\":\"\"First%d\"\",\"\"LastName\"\":\"\"Last%d\"\",\"\"Email\"\":\"\"user%d@company%d.example\"\",\"\"Phone\"\":\"\"+1 555 %07d\"\",\"\"Country\"\":\"\"US\"\",\"\"Company\"\":\"\"Company %d Inc.\"\",\"\"Title\"\":\"\"IT Director\"\"}\",Edm.String,Campaigns: ,Edm.String,%s-%s|publisher%d.offer-%d,Edm.String,Offer %d,Edm.String\r\n",
			int(t.Month()), t.Day(), t.Year(), i, i%65536, t.Format("2006-01-02T15:04:05.0000000Z"), act,
			t.Format("1/2/2006 3:04:05 PM"), i, i, i, i%5000, i, i%5000, sources[i%len(sources)], act, i%50, i%20, i%20)
	}
}

func BenchmarkReadCSV(b *testing.B) {
	const rows = 100_000
	var buf bytes.Buffer
	genStorageExplorer(&buf, rows)
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		n := 0
		st, err := ReadCSV(bytes.NewReader(data), "bench.csv", func(l store.Lead) error { n++; return nil }, nil)
		if err != nil || n != rows || st.Rejected != 0 {
			b.Fatalf("n=%d stats=%+v err=%v", n, st, err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*rows), "ns/row")
}

// BenchmarkReadCSVText reads 100,000 rows whose names are not ASCII: all
// UTF-8 (Latin and CJK), every row with one Windows-1252 name (each read
// on its own), and the same rows in Shift_JIS (detected and decoded).
func BenchmarkReadCSVText(b *testing.B) {
	const rows = 100_000
	names := []string{"José", "Müller", "美咲", "Zoë", "佐藤"}
	gen := func(first func(i int) string, last []string) []byte {
		var buf bytes.Buffer
		buf.WriteString("First name,Last name,Company,Email,Action\n")
		for i := range rows {
			fmt.Fprintf(&buf, "%s,%s,Company %d,user%d@x.example,Contact me\n", first(i), last[i%len(last)], i%5000, i)
		}
		return buf.Bytes()
	}
	utf8File := gen(func(i int) string { return names[(i+1)%len(names)] }, names)
	cp1252File := gen(func(i int) string { return "Caf\xe9" }, names)
	sjisFile, err := japanese.ShiftJIS.NewEncoder().Bytes(gen(func(i int) string { return "山田" }, []string{"美咲", "佐藤", "株式会社"}))
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name string
		data []byte
	}{{"utf-8", utf8File}, {"windows-1252-rows", cp1252File}, {"shift_jis", sjisFile}} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(c.data)))
			for i := 0; i < b.N; i++ {
				n := 0
				st, err := ReadCSV(bytes.NewReader(c.data), "bench.csv", func(l store.Lead) error { n++; return nil }, nil)
				if err != nil || n != rows || st.Rejected != 0 {
					b.Fatalf("n=%d stats=%+v err=%v", n, st, err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*rows), "ns/row")
		})
	}
}
