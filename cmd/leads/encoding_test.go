package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// TestImportEncodingCLI runs the built binary on files in other encodings:
// a Shift_JIS file is detected and said to be; a GB18030 file too short
// to tell from Big5 is refused in one line naming --encoding, with nothing
// stored, and imports with --encoding gb18030; a UTF-8 file with one
// Windows-1252 row keeps its UTF-8 names and says which row was read
// otherwise; an unknown name is a usage error.
func TestImportEncodingCLI(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "leads.db")
	write := func(name string, e encoding.Encoding, text string) string {
		b := []byte(text)
		if e != nil {
			var err error
			if b, err = e.NewEncoder().Bytes(b); err != nil {
				t.Fatal(err)
			}
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	names := func() []string {
		r := runBin(t, time.Minute, nil, "--db", db, "list", "--json")
		var out []string
		for _, ln := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
			if ln == "" {
				continue
			}
			var c contactOut
			if err := json.Unmarshal([]byte(ln), &c); err != nil {
				t.Fatalf("%v: %q", err, ln)
			}
			out = append(out, c.FirstName+" "+c.LastName+" / "+c.Company)
		}
		sort.Strings(out)
		return out
	}
	const header = "First name,Last name,Company,Email\n"

	sjis := write("sjis.csv", japanese.ShiftJIS, header+"山田,太郎,株式会社山田,taro@x.example\n田中,花子,東京商事株式会社,hanako@x.example\n")
	r := runBin(t, time.Minute, nil, "--db", db, "import", sjis)
	if r.code != 0 || !strings.Contains(r.stdout, "2 new") || !strings.Contains(r.stderr, "sjis.csv: read as Shift_JIS (detected") {
		t.Fatalf("Shift_JIS: %d %q %q", r.code, r.stdout, r.stderr)
	}
	want := []string{"山田 太郎 / 株式会社山田", "田中 花子 / 東京商事株式会社"}
	if got := names(); !reflect.DeepEqual(got, want) {
		t.Fatalf("Shift_JIS: stored %q, want %q", got, want)
	}

	gb := write("gb.csv", simplifiedchinese.GB18030, header+"张,伟,北京,wei@x.example\n")
	r = runBin(t, time.Minute, nil, "--db", db, "import", gb)
	if r.code != 1 || !strings.Contains(r.stderr, "--encoding") || strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stdout, "0 new") {
		t.Fatalf("short GB18030 file: want one line naming --encoding, got %d %q %q", r.code, r.stdout, r.stderr)
	}
	if got := names(); !reflect.DeepEqual(got, want) {
		t.Fatalf("a refused file stored leads: %q", got)
	}
	r = runBin(t, time.Minute, nil, "--db", db, "import", "--encoding", "gb18030", gb)
	if r.code != 0 || !strings.Contains(r.stdout, "1 new") || r.stderr != "" {
		t.Fatalf("--encoding gb18030: %d %q %q", r.code, r.stdout, r.stderr)
	}
	want = append(want, "张 伟 / 北京")
	sort.Strings(want)
	if got := names(); !reflect.DeepEqual(got, want) {
		t.Fatalf("--encoding gb18030: stored %q, want %q", got, want)
	}

	mixed := write("mixed.csv", nil, header+"Caf\xe9,Owner,Bistro,cafe@x.example\nJosé,García,Acme,jose@x.example\nAnna,Müller,GmbH,anna@x.example\n美咲,佐藤,株式会社,misaki@x.example\n")
	r = runBin(t, time.Minute, nil, "--db", db, "import", mixed)
	if r.code != 0 || !strings.Contains(r.stdout, "4 new") || !strings.Contains(r.stderr, "1 row was not UTF-8 and read as Windows-1252 (the first at line 2)") {
		t.Fatalf("mixed file: %d %q %q", r.code, r.stdout, r.stderr)
	}
	want = append(want, "Anna Müller / GmbH", "Café Owner / Bistro", "José García / Acme", "美咲 佐藤 / 株式会社")
	sort.Strings(want)
	if got := names(); !reflect.DeepEqual(got, want) {
		t.Fatalf("mixed file: stored %q, want %q", got, want)
	}

	r = runBin(t, time.Minute, nil, "--db", db, "import", "--encoding", "klingon", mixed)
	if r.code != 2 || !strings.Contains(r.stderr, "unknown encoding") || strings.Count(r.stderr, "\n") != 1 {
		t.Fatalf("unknown encoding: %d %q", r.code, r.stderr)
	}
}
