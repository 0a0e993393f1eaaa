package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/leads-inbox/leads/store/view"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/leads-inbox/leads/store/search"
)

// rawLead is a lead whose raw record carries the given CustomerInfo,
// Timestamp and CreatedTime text beside its parsed fields.
func rawLead(cu Customer, customerInfo, timestamp, created string) Lead {
	l := Lead{
		ID:         "0123456789abcdef",
		Origin:     Origin{File: "x.csv", Line: 2, PartitionKey: "9:2F25:2F2026", RowKey: "3673c4e6"},
		LeadSource: "AppSource (SPZA)-PLT|contoso.app", Source: "AppSource", Action: "PLT", OfferID: "contoso.app",
		Created:   time.Date(2026, 9, 25, 9, 42, 20, 0, time.UTC),
		Timestamp: time.Date(2026, 9, 25, 9, 42, 23, 317740800, time.UTC),
		Received:  time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC),
		Customer:  cu,
	}
	l.Raw = []Field{{"PartitionKey", l.Origin.PartitionKey}, {"RowKey", l.Origin.RowKey}, {"Timestamp", timestamp},
		{"CreatedTime", created}, {"CustomerInfo", customerInfo}, {"Unusual Column", "x"}, {"", "empty name"}}
	return l
}

// TestRawRecordRebuiltExactly: raw values the record rebuilds from parsed
// fields (the CustomerInfo JSON, the two time formats) come back byte for
// byte, and anything that differs in the least (escapes, key order,
// precision, zone) is stored as received.
func TestRawRecordRebuiltExactly(t *testing.T) {
	cu := Customer{FirstName: "欣怡", LastName: "陈", Email: "xinyi_chen@relecloud.example", Phone: "+86 42 3273 0194",
		Country: "CN", Company: "Relecloud \"R\" \\ Co", Title: "采购经理\t"}
	canon := `{"FirstName":"欣怡","LastName":"陈","Email":"xinyi_chen@relecloud.example","Phone":"+86 42 3273 0194","Country":"CN","Company":"Relecloud \"R\" \\ Co","Title":"采购经理\u0009"}`
	cases := []struct {
		name                        string
		info, ts, created           string
		wantInfo, wantTS, wantCreat bool // rebuilt rather than stored
	}{
		{"as Partner Center writes it", canon, "2026-09-25T09:42:23.3177408Z", "9/25/2026 9:42:20 AM", true, true, true},
		{"escaped non-ASCII", `{"FirstName":"\u6b23\u6021","LastName":"陈","Email":"xinyi_chen@relecloud.example","Phone":"+86 42 3273 0194","Country":"CN","Company":"Relecloud \"R\" \\ Co","Title":"采购经理\u0009"}`,
			"2026-09-25T09:42:23.317740800Z", "9/25/2026 09:42:20 AM", false, false, false},
		{"spaces and key order", `{ "LastName":"陈", "FirstName":"欣怡" }`, "2026-09-25T09:42:23.3177408+00:00", "25/9/2026 9:42:20", false, false, false},
		{"empty values", "", "", "", false, false, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			l := rawLead(cu, tc.info, tc.ts, tc.created)
			rec := encodeLead(nil, &l, nil)
			got, err := decodeLead(rec)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got.Raw, l.Raw) {
				t.Fatalf("raw record changed:\n got %q\nwant %q", got.Raw, l.Raw)
			}
			// A value stored as received appears in the record; a rebuilt
			// one does not.
			for _, v := range []struct {
				text    string
				rebuilt bool
			}{{tc.info, tc.wantInfo}, {tc.ts, tc.wantTS}, {tc.created, tc.wantCreat}} {
				if v.text == "" {
					continue
				}
				if stored := bytes.Contains(rec, []byte(v.text)); stored == v.rebuilt {
					t.Errorf("%q: stored %v, want rebuilt %v", v.text, stored, v.rebuilt)
				}
			}
		})
	}
}

// FuzzLeadRecord: any lead survives the record encoding unchanged.
func FuzzLeadRecord(f *testing.F) {
	f.Add("Mei", "Lin", "mei@x.example", "CN", `{"FirstName":"Mei"}`, "2026-09-25T09:42:23.3177408Z", "9/25/2026 9:42:20 AM", "PLT", int64(1))
	f.Add("", "", "", "", "", "", "", "", int64(0))
	f.Fuzz(func(t *testing.T, first, last, email, country, info, ts, created, action string, when int64) {
		l := rawLead(Customer{FirstName: first, LastName: last, Email: email, Country: country}, info, ts, created)
		l.Action, l.ActionCode = action, action
		l.Raw = append(l.Raw, Field{first, last}, Field{"ActionCode", action})
		if when != 0 {
			l.Created = time.Unix(when%(1<<40), 0).UTC()
		}
		l.Raw[4].Value = customerJSON(&l.Customer) // rebuilt exactly
		if l.Created.Year() > 0 {
			l.Raw[3].Value = l.Created.Format(layoutCreatedUS)
		}
		got, err := decodeLead(encodeLead(nil, &l, nil))
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, l) {
			t.Fatalf("round trip:\n got %+v\nwant %+v", got, l)
		}
	})
}

// FuzzFinishSearch: the one-allocation text of a new contact is the text
// the general path (search.Rebuild from nothing) gives, cap included.
func FuzzFinishSearch(f *testing.F) {
	f.Add("Mei", "Lin", "mei@x.example", "Contoso", "CTO", "please call", true)
	f.Add("", "", "", "", "", "", false)
	f.Add("Ünal", "", "", strings.Repeat("é", 300), "x", "d", false)
	f.Fuzz(func(t *testing.T, first, last, email, company, title, desc string, newest bool) {
		c := Contact{Email: email, Customer: Customer{FirstName: first, LastName: last, Company: company, Title: title}}
		c.descs = []pendingDesc{{desc, newest}}
		c.finishSearch()
		want := search.Rebuild("", search.Head(first, last, email, company, title), desc, newest)
		if c.Search != want {
			t.Fatalf("finishSearch = %q, search.Rebuild gives %q", c.Search, want)
		}
	})
}

// FuzzCustomerJSON: the rebuilt CustomerInfo escapes byte by byte as
// Partner Center does (quote and backslash with a backslash, control bytes
// as \u00XX, everything else verbatim), and valid text reads back through
// encoding/json unchanged.
func FuzzCustomerJSON(f *testing.F) {
	f.Add("Mei", "Lin", "mei@x.example", "+1 555", "US", "Contoso \"Ltd\"", "CTO\\VP")
	f.Add("", "", "", "", "", "", "")
	f.Add("a\x00b", "\n", "\x1f\"", "\\", "Ünal", "\xff\xfe", "\"")
	f.Fuzz(func(t *testing.T, first, last, email, phone, country, company, title string) {
		c := Customer{FirstName: first, LastName: last, Email: email, Phone: phone, Country: country, Company: company, Title: title}
		vals := []string{first, last, email, phone, country, company, title}
		keys := []string{"FirstName", "LastName", "Email", "Phone", "Country", "Company", "Title"}
		var want strings.Builder
		for i, v := range vals {
			want.WriteString([]string{"{", ","}[min(i, 1)] + `"` + keys[i] + `":"`)
			for j := 0; j < len(v); j++ {
				switch ch := v[j]; {
				case ch == '"' || ch == '\\':
					want.WriteByte('\\')
					want.WriteByte(ch)
				case ch < 0x20:
					fmt.Fprintf(&want, `\u%04x`, ch)
				default:
					want.WriteByte(ch)
				}
			}
			want.WriteString(`"`)
		}
		want.WriteString("}")
		got := customerJSON(&c)
		if got != want.String() {
			t.Fatalf("customerJSON = %q, want %q", got, want.String())
		}
		if !utf8.ValidString(got) {
			return
		}
		var back map[string]string
		if err := json.Unmarshal([]byte(got), &back); err != nil {
			t.Fatalf("customerJSON gave invalid JSON %q: %v", got, err)
		}
		for i, k := range keys {
			if back[k] != vals[i] {
				t.Fatalf("%s reads back as %q, want %q", k, back[k], vals[i])
			}
		}
	})
}

// FuzzTimeLayouts: the hand-written formatters of the two raw time layouts
// agree with time.Format for any instant.
func FuzzTimeLayouts(f *testing.F) {
	f.Add(int64(1790000000), int64(317740800))
	f.Add(int64(-62135596800), int64(0))
	f.Add(int64(253402300799), int64(999999999))
	f.Fuzz(func(t *testing.T, sec, nsec int64) {
		tm := time.Unix(sec, nsec%1e9).UTC()
		if got, want := string(appendTimestamp(nil, tm)), tm.Format(layoutTimestamp); got != want {
			t.Fatalf("appendTimestamp(%v) = %q, want %q", tm, got, want)
		}
		if got, want := string(appendCreatedUS(nil, tm)), tm.Format(layoutCreatedUS); got != want {
			t.Fatalf("appendCreatedUS(%v) = %q, want %q", tm, got, want)
		}
	})
}

// FuzzRowKey: any RowKey survives the record, GUIDs in 16 bytes.
func FuzzRowKey(f *testing.F) {
	f.Add("3673c4e6-432c-0ab2-52af-203c43c12c61")
	f.Add("3673C4E6-432C-0AB2-52AF-203C43C12C61")
	f.Add("3673c4e6-432c-0ab2-52af-203c43c12c6g")
	f.Add("")
	f.Fuzz(func(t *testing.T, k string) {
		var e enc
		e.rowKey(k)
		d := dec{b: e.b}
		if got := d.rowKey(); got != k || d.err != nil || len(d.b) != 0 {
			t.Fatalf("rowKey(%q) came back %q (%v)", k, got, d.err)
		}
		if _, ok := parseGUID(k); ok && len(e.b) != 17 {
			t.Fatalf("GUID %q took %d bytes", k, len(e.b))
		}
	})
}

// TestContactRecordRoundTrip: the display part comes back whole, with an
// address that differs from its normalised form only in case, and with an
// offer name written inline once the dictionary is full.
func TestContactRecordRoundTrip(t *testing.T) {
	s, _ := openTemp(t)
	defer s.Close()
	for _, full := range []bool{false, true} {
		err := s.db.Update(func(tx *boltTx) error {
			dt := s.newDictTx(tx)
			if full {
				if err := dt.b.SetSequence(maxCode); err != nil {
					return err
				}
			}
			c := Contact{ID: "0123456789abcdef", Seq: 7, Email: "mei@northwind.example", LeadCount: 1,
				Customer:        Customer{FirstName: "Mei", Email: "Mei@Northwind.example", Company: "Northwind"},
				LatestOfferName: "Contoso Inventory Pro, Enterprise Edition", LatestOfferID: "contoso.inv",
				First: time.Unix(100, 0).UTC(), Last: time.Unix(200, 0).UTC()}
			rec := encodeContact(&c, dt, nil)
			dt.commit()
			got, err := decodeContact(7, rec, s.names())
			if err != nil {
				return err
			}
			if got.Customer != c.Customer || got.Email != c.Email || got.LatestOfferName != c.LatestOfferName ||
				!got.First.Equal(c.First) || !got.Last.Equal(c.Last) {
				t.Fatalf("dictionary full %v: got %+v", full, got)
			}
			same := c
			same.Customer.Email = c.Email
			got, err = decodeContact(7, encodeContact(&same, dt, nil), s.names())
			if err != nil || got.Customer.Email != c.Email {
				t.Fatalf("normalised address came back %q (%v)", got.Customer.Email, err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// FuzzContactRecord: any contact, however long or strange its fields,
// comes back from its record as it went in, through the dictionary of
// codes (names of any length, codes past 16 bits); and any bytes given to
// the digest and contact decoders give an error or a value, never a panic.
func FuzzContactRecord(f *testing.F) {
	f.Add("AppSource", "PLT", "contoso.inventory-pro", "Contoso Inventory Pro", "PT", "Ana", "ana@x.example", "please call", uint32(1), []byte{3, 1, 2})
	f.Add(strings.Repeat("S", 40_000), "國", "", "", strings.Repeat("c", 33_000), "\u200b", "", "", uint32(70_000), []byte{})
	s, err := Open(filepath.Join(f.TempDir(), "leads.db"), Options{NoSync: true})
	if err != nil {
		f.Fatal(err)
	}
	defer s.Close()
	errRollBack := errors.New("roll back")
	f.Fuzz(func(t *testing.T, source, action, offer, offerName, country, first, email, desc string, seqStart uint32, junk []byte) {
		// Each input in a transaction that is rolled back, so inputs do
		// not see each other's names.
		err := s.db.Update(func(tx *boltTx) error {
			dt := s.newDictTx(tx)
			if err := dt.b.SetSequence(uint64(seqStart % (1 << 20))); err != nil {
				return err
			}
			l := Lead{ID: "0123456789abcdef", Source: source, Action: action, OfferID: offer, OfferName: offerName,
				Created: time.Unix(1_700_000_000, 0).UTC(), Description: desc,
				Customer: Customer{FirstName: first, Email: email, Country: country}}
			c := Contact{ID: "fedcba9876543210", Seq: 9}
			c.merge(&l)
			c.addRef(leadRef{when: l.When().UnixNano(), seq: 4})
			// A second lead from another source with the same action:
			// the digest must keep which source went with which offer.
			l2 := l
			l2.ID, l2.Source, l2.OfferID = "0123456789abcdee", "AzureMarketplace", offer+".2"
			l2.Created = l.Created.Add(time.Hour)
			c.merge(&l2)
			c.addRef(leadRef{when: l2.When().UnixNano(), seq: 5})
			rec := encodeContact(&c, dt, nil)
			if dt.err != nil {
				return dt.err
			}
			names := append([]string(nil), s.names()...)
			for k, code := range dt.pending {
				for uint64(code) >= uint64(len(names)) {
					names = append(names, "")
				}
				names[code] = k
			}
			got, err := decodeContact(9, rec, names)
			if err != nil {
				return err
			}
			if got.LatestSource != c.LatestSource || got.LatestAction != c.LatestAction || got.LatestOfferID != c.LatestOfferID ||
				got.LatestOfferName != c.LatestOfferName || got.Customer != c.Customer || got.Email != c.Email ||
				!reflect.DeepEqual(got.Countries, c.Countries) || !reflect.DeepEqual(got.Sources, c.Sources) ||
				!reflect.DeepEqual(got.Actions, c.Actions) || !reflect.DeepEqual(got.Offers, c.Offers) ||
				got.Search != c.Search || !reflect.DeepEqual(got.refs, c.refs) || !reflect.DeepEqual(got.Combos, c.Combos) {
				t.Fatalf("round trip:\n got %+v\nwant %+v", got, c)
			}
			// A listing finds the contact's leads without decoding it:
			// the same leads, in the same order.
			if seqs, err := contactLeadSeqs(rec, nil); err != nil || len(seqs) != len(got.refs) {
				t.Fatalf("lead seqs %v (%v), want those of %v", seqs, err, got.refs)
			} else {
				for i := range seqs {
					if seqs[i] != got.refs[i].seq {
						t.Fatalf("lead seqs %v, want those of %v", seqs, got.refs)
					}
				}
			}
			// The digest says which lead had which source and offer.
			var d Digest
			if _, err := decodeDigestPart(9, rec, &d); err != nil {
				return err
			}
			src, _ := s.dictLookup(names, view.KindSource, "AzureMarketplace")
			off2, _ := s.dictLookup(names, view.KindOffer, offer+".2")
			off1, _ := s.dictLookup(names, view.KindOffer, offer)
			if src != 0 && off2 != 0 && !d.AnyLead(&[3][]Code{{src}, nil, {off2}}) {
				t.Fatalf("digest %v: no lead from AzureMarketplace for %q", d.Codes, offer+".2")
			}
			if source != "AzureMarketplace" && off1 != 0 && off1 != off2 && src != 0 && d.AnyLead(&[3][]Code{{src}, nil, {off1}}) {
				t.Fatalf("digest %v: a lead from AzureMarketplace for %q, which came from %q", d.Codes, offer, source)
			}
			// Damaged records: any prefix or mutation is an error or a
			// value, not a panic.
			for _, b := range [][]byte{junk, rec[:len(rec)/2], append(append([]byte{}, rec[:min(len(rec), 12)]...), junk...)} {
				decodeDigestPart(1, b, &d)
				d.AnyLead(&[3][]Code{{1}, {2}, {3}})
				decodeContact(1, b, names)
				contactLeadSeqs(b, nil)
			}
			return errRollBack
		})
		if err != errRollBack {
			t.Fatal(err)
		}
	})
}

// dictLookup finds the code of a name in a decoding table (test helper).
func (s *Store) dictLookup(names view.Names, kind, name string) (Code, bool) {
	for c, e := range names {
		if c > 0 && e == view.Entry(kind, name) {
			return Code(c), true
		}
	}
	return 0, false
}
