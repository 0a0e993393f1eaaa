package main

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/leads-inbox/leads/store/safetext"
)

// TestListCapsCombiningMarks: a name of one letter and 10,000 combining
// marks makes a 'leads list' line of ordinary length.
func TestListCapsCombiningMarks(t *testing.T) {
	db := tempDB(t)
	flood := "Z" + strings.Repeat("\u0301", 10000)
	in := "Email,First name,Last name,Company,Call to action\nz@x.example," + flood + "," + flood + "," + flood + ",Contact me\n"
	if r := runCLI(t, db, in, "import", "-"); r.code != 0 {
		t.Fatalf("import: %q", r.stderr)
	}
	for _, args := range [][]string{{"list"}, {"show", "z@x.example"}} {
		r := runCLI(t, db, "", args...)
		if r.code != 0 {
			t.Fatalf("%v: %q", args, r.stderr)
		}
		for _, line := range strings.Split(r.stdout, "\n") {
			if n := utf8.RuneCountInString(line); n > 200 {
				t.Fatalf("leads %s printed a line of %d characters", args[0], n)
			}
		}
	}
}

// TestJSONForTerminalStaysJSON: JSON cleaned for a terminal is still JSON,
// and each string in it is the sanitised string.
func TestJSONForTerminalStaysJSON(t *testing.T) {
	values := []string{
		"Bob\x1b]0;pwned\x07",
		"osc\u009d0;title\x07 after",
		"csi\u009b\",\"x",
		"quote \" and \\ backslash",
		"pay\u034fpal \u2764\ufe0f",
		"two\nlines\u2028three",
		"Z" + strings.Repeat("\u0301", 50),
		"<tag> & plain",
	}
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	for _, v := range values {
		if err := enc.Encode(map[string]string{"k\u200b": v, "plain": "x"}); err != nil {
			t.Fatal(err)
		}
	}
	var out strings.Builder
	jd := &jsonDisplay{w: &out}
	// Written in small pieces, as a buffered writer may pass it on.
	src := b.String()
	for i := 0; i < len(src); i += 7 {
		if _, err := jd.Write([]byte(src[i:min(i+7, len(src))])); err != nil {
			t.Fatal(err)
		}
	}
	if err := jd.Flush(); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != len(values) {
		t.Fatalf("%d lines for %d values: %q", len(lines), len(values), out.String())
	}
	for i, line := range lines {
		var m map[string]string
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("line %d is not JSON after cleaning: %v: %q", i, err, line)
		}
		if got, want := m["k"], safetext.CleanMultiline(values[i]); got != want || m["plain"] != "x" {
			t.Fatalf("line %d: %q, want %q", i, got, want)
		}
	}
}
