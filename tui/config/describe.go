package config

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// Describe writes the effective values as TOML a rep could paste into the
// file, with where each came from when it was not the file. Secrets are
// never written: [azure] shows which keys are set.
func (c *Config) Describe(w io.Writer) error {
	var b strings.Builder
	q := strconv.Quote
	b.WriteString("[inbox]\n")
	fmt.Fprintf(&b, "theme = %s\n", q(string(c.Theme)))
	fmt.Fprintf(&b, "date_order = %s  # from %s\n", q(c.DateOrder.String()), c.DateOrderFrom)
	if len(c.Clipboard) > 0 {
		fmt.Fprintf(&b, "clipboard = %s\n", q(strings.Join(c.Clipboard, " ")))
	} else {
		b.WriteString("clipboard = \"\"  # OSC 52, and the first of wl-copy, xclip, xsel, pbcopy found\n")
	}
	cols := c.Columns
	note := ""
	if cols == nil {
		cols, note = OptionalColumns, "  # each when there is room; clock and name always show"
	}
	quoted := make([]string, len(cols))
	for i, n := range cols {
		quoted[i] = q(n)
	}
	fmt.Fprintf(&b, "columns = [%s]%s\n", strings.Join(quoted, ", "), note)
	dv := c.DefaultView
	if dv == "" {
		dv = LaneNames[0]
	}
	fmt.Fprintf(&b, "default_view = %s\n", q(dv))
	b.WriteString("\n[cadence]\n")
	days := make([]string, len(c.Cadence.Days))
	for i, d := range c.Cadence.Days {
		days[i] = strconv.Itoa(d)
	}
	fmt.Fprintf(&b, "days = [%s]\ntouches = %d\n", strings.Join(days, ", "), c.Cadence.Total())
	if len(c.ActionCadence) > 0 {
		b.WriteString("\n[cadence.actions]\n")
		for _, code := range sortedKeys(c.ActionCadence) {
			ds := make([]string, len(c.ActionCadence[code].Days))
			for i, d := range c.ActionCadence[code].Days {
				ds[i] = strconv.Itoa(d)
			}
			fmt.Fprintf(&b, "%s = [%s]\n", tomlKey(code), strings.Join(ds, ", "))
		}
	}
	b.WriteString("\n[sender]\n")
	for _, kv := range [][2]string{{"name", c.Sender.Name}, {"title", c.Sender.Title}, {"company", c.Sender.Company},
		{"email", c.Sender.Email}, {"signature", c.Sender.Signature}} {
		if kv[1] == "" {
			fmt.Fprintf(&b, "# %s not set\n", kv[0])
			continue
		}
		fmt.Fprintf(&b, "%s = %s\n", kv[0], q(kv[1]))
	}
	for _, v := range c.Views {
		fmt.Fprintf(&b, "\n[views.%s]\nlane = %s\n", tomlKey(v.Name), q(LaneNames[v.Lane]))
		for _, kv := range [][2]string{{"source", v.Source}, {"action", v.Action}, {"offer", v.Offer},
			{"country", v.Country}, {"status", v.Status}, {"q", v.Query}} {
			if kv[1] != "" {
				fmt.Fprintf(&b, "%s = %s\n", kv[0], q(kv[1]))
			}
		}
		if v.IncludeTest {
			b.WriteString("include_test = true\n")
		}
		fmt.Fprintf(&b, "sort = %s\n", q(v.Sort))
	}
	if len(c.Keys) > 0 {
		b.WriteString("\n[keys]\n")
		for _, k := range sortedKeys(c.Keys) {
			ks := make([]string, len(c.Keys[k]))
			for i, s := range c.Keys[k] {
				ks[i] = q(s)
			}
			fmt.Fprintf(&b, "%s = [%s]\n", tomlKey(k), strings.Join(ks, ", "))
		}
	}
	if len(c.AzureSet) > 0 {
		set := slices.Clone(c.AzureSet)
		fmt.Fprintf(&b, "\n[azure]\n# set: %s (values not shown)\n", strings.Join(set, ", "))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// tomlKey quotes a key that is not a bare TOML key.
func tomlKey(k string) string {
	for _, r := range k {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return strconv.Quote(clean(k))
		}
	}
	if k == "" {
		return `""`
	}
	return k
}
