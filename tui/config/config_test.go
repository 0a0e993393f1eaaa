package config

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/leads-inbox/leads/store/view"
)

func env(kv ...string) func(string) string {
	return func(k string) string {
		for i := 0; i+1 < len(kv); i += 2 {
			if kv[i] == k {
				return kv[i+1]
			}
		}
		return ""
	}
}

func write(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), FileName)
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestConfigMissingFileGivesDefaults(t *testing.T) {
	c, err := Load(filepath.Join(t.TempDir(), "none.toml"), env("LANG", "de_DE.UTF-8"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Exists || len(c.Problems) != 0 || c.Cadence.Total() != 4 || c.Theme != ThemeAuto {
		t.Fatalf("defaults: %+v", c)
	}
	if c.DateOrder != DayMonth || c.DateOrderFrom != "LANG=de_DE.UTF-8" {
		t.Fatalf("date order from LANG: %v %q", c.DateOrder, c.DateOrderFrom)
	}
}

func TestConfigReadsEverySetting(t *testing.T) {
	p := write(t, `
[sender]
name = "Ana Ruiz"

[inbox]
theme = "light"
date_order = "dmy"
clipboard = "xclip -selection clipboard"
default_view = "hot"

[cadence]
days = [1, 3]
touches = 5

[views.hot]
lane = "action"
source = "AppSource"
action = "Contact me"
status = "new"
q = "jürgen"

[keys]
touch = "T"
note = ["n", "N"]
`)
	c, err := Load(p, env("LANG", "en_US.UTF-8"))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Problems) != 0 {
		t.Fatalf("problems: %v", c.Problems)
	}
	if c.Sender.Name != "Ana Ruiz" || c.Theme != ThemeLight || c.DateOrder != DayMonth || c.DateOrderFrom != "config" {
		t.Fatalf("values: %+v", c)
	}
	if !slices.Equal(c.Clipboard, []string{"xclip", "-selection", "clipboard"}) {
		t.Fatalf("clipboard %q", c.Clipboard)
	}
	if !slices.Equal(c.Cadence.Days, []int{1, 3, 3, 3}) || c.Cadence.Total() != 5 {
		t.Fatalf("cadence %v", c.Cadence.Days)
	}
	v, ok := c.View("HOT")
	if !ok || c.DefaultView != "hot" || v.Lane != view.LaneAction {
		t.Fatalf("view %+v %v", v, ok)
	}
	want := view.Filter{Source: []string{"AppSource"}, Action: []string{"Contact me"}, Status: []string{"new"}, Query: "jürgen"}
	if !reflect.DeepEqual(v.Filter(), want) || v.Order() != view.ByUrgency {
		t.Fatalf("filter %+v", v.Filter())
	}
	if !slices.Equal(c.Keys["note"], []string{"n", "N"}) || c.KeyLines["touch"] != 23 {
		t.Fatalf("keys %v lines %v", c.Keys, c.KeyLines)
	}
}

// Every problem is one line with the line number it is on, and a bad
// setting keeps its default while the good ones around it apply.
func TestConfigProblemsHaveLines(t *testing.T) {
	p := write(t, `[sender]
name = "Ana"
nmae = "typo"
[inbox]
theme = "blue"
date_order = 3
[cadence]
days = [2, 0]
[views.bad]
status = "neww"
colour = "red"
[views.ok]
country = "DE"
sort = "sideways"
[extra]
x = 1
`)
	c, err := Load(p, env())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, pr := range c.Problems {
		got = append(got, pr.String())
		if strings.Contains(pr.Msg, "\n") {
			t.Errorf("problem spans lines: %q", pr.Msg)
		}
	}
	for _, want := range []string{"line 3: unknown key \"nmae\"", "line 5: [inbox] theme \"blue\"", "line 6: [inbox] date_order must be a string",
		"line 8: [cadence] days", "line 10: [views.bad] status", "line 11: unknown key \"colour\"", "line 14: [views.ok] sort", "line 15: unknown table or key \"extra\""} {
		found := false
		for _, g := range got {
			found = found || strings.HasPrefix(g, want)
		}
		if !found {
			t.Errorf("no problem %q in\n%s", want, strings.Join(got, "\n"))
		}
	}
	if c.Sender.Name != "Ana" || c.Theme != ThemeAuto || c.Cadence.Total() != 4 || len(c.Views) != 0 {
		t.Fatalf("a bad value must keep the default, good ones apply: %+v", c)
	}
}

func TestConfigSyntaxErrorIsOneProblemWithItsLine(t *testing.T) {
	c, err := Load(write(t, "[inbox]\ntheme = \"dark\"\n[azure]\nconnection_string = AccountKey=secret\n"), env())
	if err != nil {
		t.Fatal(err)
	}
	if !c.Broken || len(c.Problems) != 1 || c.Problems[0].Line != 4 || c.Theme != ThemeAuto {
		t.Fatalf("%+v", c.Problems)
	}
	if strings.Contains(c.Problems[0].Msg, "secret") {
		t.Fatalf("the problem quotes the line: %q", c.Problems[0].Msg)
	}
}

func TestConfigDefaultViewMustExist(t *testing.T) {
	c, _ := Load(write(t, "[inbox]\ndefault_view = \"nope\"\n"), env())
	if c.DefaultView != "" || len(c.Problems) != 1 || c.Problems[0].Line != 2 {
		t.Fatalf("%q %v", c.DefaultView, c.Problems)
	}
	c, _ = Load(write(t, "[inbox]\ndefault_view = \"Scheduled\"\n"), env())
	if c.DefaultView != "Scheduled" || len(c.Problems) != 0 {
		t.Fatalf("%q %v", c.DefaultView, c.Problems)
	}
}

func TestLocaleDateOrder(t *testing.T) {
	for _, tc := range []struct {
		env  []string
		want DateOrder
	}{
		{nil, MonthDay},
		{[]string{"LANG", "C.UTF-8"}, MonthDay},
		{[]string{"LANG", "en_GB.UTF-8"}, DayMonth},
		{[]string{"LANG", "en_US.UTF-8"}, MonthDay},
		{[]string{"LANG", "en_US.UTF-8", "LC_TIME", "fr_FR.UTF-8"}, DayMonth},
		{[]string{"LANG", "de_DE.UTF-8", "LC_ALL", "en_US"}, MonthDay},
		{[]string{"LANG", "de_DE@euro"}, DayMonth},
		{[]string{"LANG", "ja_JP.UTF-8"}, MonthDay},
	} {
		if got, _ := LocaleDateOrder(env(tc.env...)); got != tc.want {
			t.Errorf("%v: %v, want %v", tc.env, got, tc.want)
		}
	}
}

func TestCadenceOf(t *testing.T) {
	if c := CadenceOf([]int{2, 5, 10}, 2); !slices.Equal(c.Days, []int{2}) {
		t.Fatal(c.Days)
	}
	if c := CadenceOf([]int{2, 5, 10}, 0); c.Total() != 4 {
		t.Fatal(c.Days)
	}
	if c := CadenceOf([]int{2, 5, 10}, 1); c.Total() != 1 {
		t.Fatal(c.Days)
	}
}

// [cadence.actions] gives contacts of an action their own plan, named as
// the inbox shows the action or by its code.
func TestConfigCadencePerAction(t *testing.T) {
	c, err := Load(write(t, "[cadence]\ndays = [2, 5]\n[cadence.actions]\n\"Test Drive\" = [1]\nINS = [3, 3, 3, 3]\nwebinar = [1]\n"), env())
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Problems) != 1 || c.Problems[0].Line != 6 || !strings.Contains(c.Problems[0].Msg, `"webinar" is not an action`) {
		t.Fatalf("problems %v", c.Problems)
	}
	if got := c.CadenceFor("StartTestDrive"); !slices.Equal(got.Days, []int{1}) {
		t.Fatalf("test drive %v", got.Days)
	}
	if got := c.CadenceFor("ins"); got.Total() != 5 {
		t.Fatalf("install %v", got.Days)
	}
	if got := c.CadenceFor("PLT"); !slices.Equal(got.Days, []int{2, 5}) {
		t.Fatalf("contact me falls back to [cadence] days: %v", got.Days)
	}
	if c.MaxTouches() != 5 {
		t.Fatalf("max touches %d", c.MaxTouches())
	}
}

// A file with [azure] secrets that others can read is a problem (sync
// refuses it); the same file without secrets is not.
func TestConfigAzureSecretsFileMode(t *testing.T) {
	p := write(t, "[inbox]\ntheme = \"dark\"\n[azure]\nsas_url = \"https://x.example/?sig=s3cr3t\"\n")
	if err := os.Chmod(p, 0o644); err != nil {
		t.Fatal(err)
	}
	c, _ := Load(p, env())
	if len(c.Problems) != 1 || c.Problems[0].Line != 3 || !strings.Contains(c.Problems[0].Msg, "chmod 600") || strings.Contains(c.Problems[0].Msg, "s3cr3t") {
		t.Fatalf("%v", c.Problems)
	}
	p = write(t, "[inbox]\ntheme = \"dark\"\n")
	os.Chmod(p, 0o644)
	if c, _ := Load(p, env()); len(c.Problems) != 0 {
		t.Fatalf("no secrets, no problem: %v", c.Problems)
	}
}

// [inbox] columns takes a list or a string of the optional columns, and
// names an unknown one as a problem with its line.
func TestColumnsSetting(t *testing.T) {
	for _, tc := range []struct {
		text    string
		want    []string
		problem string
	}{
		{"[inbox]\ncolumns = [\"offer\", \"Email\", \"name\"]\n", []string{"offer", "email"}, ""},
		{"[inbox]\ncolumns = \"company, offer country\"\n", []string{"company", "offer", "country"}, ""},
		{"[inbox]\ncolumns = []\n", []string{}, ""},
		{"[inbox]\ncolumns = [\"offer\", \"phone\"]\n", nil, "no column \"phone\""},
		{"[inbox]\ncolumns = 3\n", nil, "must be a list"},
	} {
		c, err := Load(write(t, tc.text), env())
		if err != nil {
			t.Fatal(err)
		}
		if tc.problem != "" {
			if len(c.Problems) != 1 || !strings.Contains(c.Problems[0].Msg, tc.problem) || c.Problems[0].Line != 2 {
				t.Errorf("%q: problems %+v, want one on line 2 with %q", tc.text, c.Problems, tc.problem)
			}
			continue
		}
		if len(c.Problems) != 0 || !slices.Equal(c.Columns, tc.want) {
			t.Errorf("%q: columns %q (problems %+v), want %q", tc.text, c.Columns, c.Problems, tc.want)
		}
	}
}
