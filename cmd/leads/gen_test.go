package main

import (
	"slices"
	"strings"
	"testing"
)

// TestGenOrder: --order changes where rows are, not which rows; a table
// export imports like the generated one; an unknown order is a usage error.
func TestGenOrder(t *testing.T) {
	db := tempDB(t)
	args := []string{"gen", "--rows", "3000", "--seed", "4", "--now", "2026-11-24T09:00:00Z"}
	generated := runCLI(t, db, "", args...)
	if generated.code != exitOK {
		t.Fatalf("gen: exit %d, %s", generated.code, generated.stderr)
	}
	sorted := func(s string) []string {
		rows := strings.SplitAfter(s, "\r\n")
		slices.Sort(rows[1:])
		return rows
	}
	var imported []string
	for _, order := range []string{"generated", "table", "shuffled"} {
		r := runCLI(t, db, "", append(args, "--order", order)...)
		if r.code != exitOK || r.stderr != "" {
			t.Fatalf("--order %s: exit %d, %s", order, r.code, r.stderr)
		}
		if order == "generated" && r.stdout != generated.stdout {
			t.Error("--order generated differs from the default")
		}
		if order != "generated" && r.stdout == generated.stdout {
			t.Errorf("--order %s is the generated order", order)
		}
		if !slices.Equal(sorted(r.stdout), sorted(generated.stdout)) {
			t.Errorf("--order %s holds other rows", order)
		}
		imp := runCLI(t, tempDB(t), r.stdout, "import", "-")
		if imp.code != exitOK {
			t.Fatalf("import of --order %s: exit %d, %s", order, imp.code, imp.stderr)
		}
		imported = append(imported, imp.stdout)
	}
	if imported[1] != imported[0] || imported[2] != imported[0] {
		t.Errorf("imports differ by order:\n%s", strings.Join(imported, ""))
	}
	r := runCLI(t, db, "", "gen", "--rows", "3", "--order", "sorted")
	if r.code != exitUsage || !strings.Contains(r.stderr, "unknown --order") {
		t.Errorf("unknown order: exit %d, stderr %q", r.code, r.stderr)
	}
}

// TestGenShape: --shape compact is the default; a spread file in table
// order carries JSON descriptions and imports without a rejected row.
func TestGenShape(t *testing.T) {
	args := []string{"gen", "--rows", "3000", "--seed", "4", "--now", "2026-11-24T09:00:00Z"}
	def := runCLI(t, tempDB(t), "", args...)
	compact := runCLI(t, tempDB(t), "", append(args, "--shape", "compact")...)
	if def.code != exitOK || compact.stdout != def.stdout {
		t.Fatalf("--shape compact differs from the default (exit %d, %s)", compact.code, compact.stderr)
	}
	spread := runCLI(t, tempDB(t), "", append(args, "--shape", "spread", "--order", "table")...)
	if spread.code != exitOK || spread.stdout == def.stdout {
		t.Fatalf("--shape spread: exit %d, same as default %v, %s", spread.code, spread.stdout == def.stdout, spread.stderr)
	}
	if !strings.Contains(spread.stdout, `""message"":`) {
		t.Error("no JSON message in a spread file's descriptions")
	}
	db := tempDB(t)
	imp := runCLI(t, db, spread.stdout, "import", "-")
	if imp.code != exitOK || !strings.HasPrefix(imp.stdout, "3000 read, ") || !strings.Contains(imp.stdout, " 0 rejected") {
		t.Fatalf("import: exit %d, %q, %s", imp.code, imp.stdout, imp.stderr)
	}
	r := runCLI(t, db, "", "gen", "--rows", "3", "--shape", "messy")
	if r.code != exitUsage || !strings.Contains(r.stderr, "unknown --shape") {
		t.Errorf("unknown shape: exit %d, stderr %q", r.code, r.stderr)
	}
}
