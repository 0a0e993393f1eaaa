package draft

import (
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/leads-inbox/leads/store"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

func mustLoad(t testing.TB, dir string) *Set {
	t.Helper()
	s, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestGoldenBuiltins renders every built-in template for the three sample
// contacts at the touch it is written for, and for a contact with no data
// at all, which shows every fallback.
func TestGoldenBuiltins(t *testing.T) {
	set := mustLoad(t, "")
	for _, tp := range set.Templates() {
		t.Run(tp.Name, func(t *testing.T) {
			touch := 1
			if n, ok := strings.CutPrefix(tp.Name, "touch-"); ok {
				touch, _ = strconv.Atoi(n)
			}
			var b strings.Builder
			for _, c := range []struct {
				name   string
				sender Sender
				mk     func() *store.Contact
			}{
				{"Mei Lin", testSender, meiLin},
				{"José Álvarez", testSender, joseAlvarez},
				{"Kenji Sato", Sender{Signature: "Ana Ruiz\nPartner Sales, Contoso\n+1 555 0100"}, kenjiSato},
				{"(no data, no sender)", Sender{}, bare},
			} {
				d, err := Prepare(touched(c.mk(), touch), set, c.sender, Options{Template: tp.Name, Loc: time.UTC})
				if err != nil {
					t.Fatalf("%s: %v", c.name, err)
				}
				b.WriteString("=== " + c.name + " ===\n" + d.Text() + "\n")
			}
			checkGolden(t, filepath.Join("testdata", tp.Name+".golden"), b.String())
		})
	}
}

func checkGolden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./tui/draft -update)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs (go test ./tui/draft -update to accept):\n--- got\n%s", path, got)
	}
}
