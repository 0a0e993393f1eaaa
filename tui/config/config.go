// Package config reads the rep's settings file,
// $XDG_CONFIG_HOME/leads/config.toml (else ~/.config/leads/config.toml).
// One file holds every setting and this package is its one reader: the
// draft signature ([sender]), the follow-up cadence ([cadence]), the
// inbox's look and habits ([inbox]), saved views ([views.NAME]) and key
// bindings ([keys]), mail transport and mailbox ([mail]) and the
// follow-up calendar ([calendar]). The Azure credentials ([azure]) are known here so
// that they are not reported as unknown, but importer/azuretable reads
// them itself, because it also guards the file's mode.
//
// Load never fails on a bad setting: it keeps the default for that setting
// and records a Problem with the line it is on, so the inbox still opens
// and 'leads config' can list every problem at once.
package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/leads-inbox/leads/store"
	"github.com/leads-inbox/leads/store/safetext"
	"github.com/leads-inbox/leads/store/view"
)

// FileName is the config file's name inside Dir.
const FileName = "config.toml"

// Sender is who signs the drafts: the [sender] table. Every field is
// optional; templates give fallbacks for the ones they use.
type Sender struct {
	Name      string `toml:"name"`
	Title     string `toml:"title"`
	Company   string `toml:"company"`
	Email     string `toml:"email"`     // the From of an .eml draft
	Signature string `toml:"signature"` // may span several lines
}

// Theme is the inbox's colour scheme.
type Theme string

// The themes: auto asks the terminal for its background.
const (
	ThemeAuto  Theme = "auto"
	ThemeDark  Theme = "dark"
	ThemeLight Theme = "light"
)

// Problem is one thing wrong with the file: the line it is on (0 when
// unknown) and what is wrong, in one line.
type Problem struct {
	Line int
	Msg  string
}

func (p Problem) String() string {
	if p.Line > 0 {
		return fmt.Sprintf("line %d: %s", p.Line, p.Msg)
	}
	return p.Msg
}

// Config is the effective configuration: the file's values where they are
// good, the defaults elsewhere.
type Config struct {
	// Path is the file read (it may not exist); Exists says whether it did.
	Path   string
	Exists bool
	// Broken is set when the file is not valid TOML: nothing in it is used.
	Broken bool

	Sender Sender
	// AzureSet lists the [azure] keys the file sets (never their values).
	AzureSet []string

	// Cadence is the follow-up plan ([cadence] days, touches);
	// ActionCadence replaces it for contacts whose latest lead is of an
	// action ([cadence.actions]), keyed by the action's code (INS, PLT…).
	Cadence       store.Cadence
	ActionCadence map[string]store.Cadence
	// DateOrder reads ambiguous dates like 01/12; DateOrderFrom says where
	// it came from ("config", "LC_TIME=de_DE.UTF-8", "default").
	DateOrder     DateOrder
	DateOrderFrom string
	// Clipboard is the command that takes copied text on stdin; empty
	// means OSC 52 plus the first system tool found.
	Clipboard []string
	Theme     Theme
	// Columns are the inbox's optional columns to show, of
	// OptionalColumns; nil shows each one when there is room. The clock
	// and the name always show.
	Columns []string
	// Views are the saved views in file order; DefaultView names the view
	// the inbox opens on (a built-in lane name or a saved view).
	Views       []View
	DefaultView string
	// Keys maps action names to the keys that replace their defaults;
	// KeyLines gives each action's line, for problems found later (the
	// inbox knows the actions, this package does not).
	Keys     map[string][]string
	KeyLines map[string]int

	// Mail is how drafts are sent and replies read ([mail]); Calendar is
	// where follow-ups are written as iCalendar ([calendar]).
	Mail     Mail
	Calendar Calendar
	// Team is the shared team inbox ([team]).
	Team Team

	Problems []Problem
}

// Dir returns $XDG_CONFIG_HOME/leads, else ~/.config/leads. A relative
// XDG_CONFIG_HOME is ignored, as the XDG spec requires.
func Dir(getenv func(string) string) (string, error) {
	if d := getenv("XDG_CONFIG_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "leads"), nil
	}
	home := getenv("HOME")
	if home == "" {
		var err error
		if home, err = os.UserHomeDir(); err != nil {
			return "", errors.New("cannot find the configuration directory: set XDG_CONFIG_HOME or HOME")
		}
	}
	return filepath.Join(home, ".config", "leads"), nil
}

// Path returns the config file's path (Dir plus FileName).
func Path(getenv func(string) string) (string, error) {
	d, err := Dir(getenv)
	if err != nil {
		return "", err
	}
	return filepath.Join(d, FileName), nil
}

// Defaults returns the configuration without a file, with the date order
// taken from the locale in getenv.
func Defaults(getenv func(string) string) *Config {
	c := &Config{Cadence: store.DefaultCadence, Theme: ThemeAuto}
	c.DateOrder, c.DateOrderFrom = LocaleDateOrder(getenv)
	return c
}

// LoadDefault reads the config file at its usual place.
func LoadDefault(getenv func(string) string) (*Config, error) {
	p, err := Path(getenv)
	if err != nil {
		return nil, err
	}
	return Load(p, getenv)
}

// Load reads the file at path. A missing file gives the defaults; a file
// that cannot be read is an error. Everything wrong inside the file is a
// Problem, and the setting keeps its default.
func Load(path string, getenv func(string) string) (*Config, error) {
	c := Defaults(getenv)
	c.Path = path
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return c, nil
	}
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, fmt.Errorf("cannot read %s: %v: fix its permissions or move it away", path, err)
	}
	c.Exists = true
	var doc map[string]any
	if _, err := toml.Decode(string(b), &doc); err != nil {
		// The parser's message may quote the line, and on [azure] the
		// line may hold a secret: give the position and a cleaned reason.
		c.Broken = true
		var pe toml.ParseError
		if errors.As(err, &pe) {
			c.problem(pe.Position.Line, "not valid TOML: "+safetext.Clean(pe.Message)+"; nothing in the file is used until it is fixed")
		} else {
			c.problem(0, "not valid TOML; nothing in the file is used until it is fixed")
		}
		return c, nil
	}
	lines := newLocator(string(b))
	r := reader{c: c, at: lines}
	for _, k := range sortedKeys(doc) {
		switch k {
		case "sender":
			r.sender(doc[k])
		case "azure":
			r.azure(doc[k])
		case "cadence":
			r.cadence(doc[k])
		case "inbox":
			r.inbox(doc[k], getenv)
		case "views":
			r.views(doc[k])
		case "keys":
			r.keys(doc[k])
		case "mail":
			r.mail(doc[k], getenv)
		case "calendar":
			r.calendar(doc[k], getenv)
		case "team":
			r.team(doc[k])
		default:
			c.problem(lines.table(k), fmt.Sprintf("unknown table or key %q (known: sender, inbox, cadence, views, keys, mail, calendar, azure, team)", clean(k)))
		}
	}
	// Sync refuses such a file (importer/azuretable); say it here too, as
	// one more thing wrong with the file.
	if fi, err := os.Stat(path); err == nil && len(c.AzureSet) > 0 && fi.Mode().Perm()&0o077 != 0 {
		c.problem(lines.table("azure"), fmt.Sprintf("the file holds [azure] secrets and is open to group or others (mode %04o), so sync does not use it: run chmod 600 %s", fi.Mode().Perm(), path))
	}
	if c.DefaultView != "" && !c.knownView(c.DefaultView) {
		c.problem(lines.key("inbox", "default_view"), fmt.Sprintf("default_view %q is neither a built-in view (%s) nor a [views] table", clean(c.DefaultView), strings.Join(LaneNames, ", ")))
		c.DefaultView = ""
	}
	slices.SortStableFunc(c.Problems, func(a, b Problem) int { return a.Line - b.Line })
	return c, nil
}

func (c *Config) problem(line int, msg string) { c.Problems = append(c.Problems, Problem{line, msg}) }

func (c *Config) knownView(name string) bool {
	if _, ok := ParseLane(name); ok {
		return true
	}
	_, ok := c.View(name)
	return ok
}

// View returns the saved view called name (case does not matter).
func (c *Config) View(name string) (View, bool) {
	for _, v := range c.Views {
		if strings.EqualFold(v.Name, strings.TrimSpace(name)) {
			return v, true
		}
	}
	return View{}, false
}

// reader walks the decoded document, one table at a time, recording a
// problem for each bad key and keeping the default for it.
type reader struct {
	c  *Config
	at *locator
}

// table returns v as a table, or records that it is not one.
func (r reader) table(v any, line int, name string) (map[string]any, bool) {
	t, ok := v.(map[string]any)
	if !ok {
		r.c.problem(line, fmt.Sprintf("%s must be a table ([%s])", name, name))
	}
	return t, ok
}

func (r reader) unknown(line int, table, k string, known []string) {
	r.c.problem(line, fmt.Sprintf("unknown key %q in [%s] (known: %s)", clean(k), table, strings.Join(known, ", ")))
}

func (r reader) str(v any, line int, name string) (string, bool) {
	s, ok := v.(string)
	if !ok {
		r.c.problem(line, fmt.Sprintf("%s must be a string in quotes", name))
	}
	return s, ok
}

func (r reader) sender(v any) {
	t, ok := r.table(v, r.at.table("sender"), "sender")
	if !ok {
		return
	}
	known := []string{"name", "title", "company", "email", "signature"}
	s := &r.c.Sender
	for _, k := range sortedKeys(t) {
		line := r.at.key("sender", k)
		var dst *string
		switch k {
		case "name":
			dst = &s.Name
		case "title":
			dst = &s.Title
		case "company":
			dst = &s.Company
		case "email":
			dst = &s.Email
		case "signature":
			dst = &s.Signature
		default:
			r.unknown(line, "sender", k, known)
			continue
		}
		if str, ok := r.str(t[k], line, "[sender] "+k); ok {
			*dst = str
		}
	}
}

func (r reader) azure(v any) {
	t, ok := r.table(v, r.at.table("azure"), "azure")
	if !ok {
		return
	}
	known := []string{"connection_string", "sas_url", "table"}
	for _, k := range sortedKeys(t) {
		line := r.at.key("azure", k)
		if !slices.Contains(known, k) {
			r.unknown(line, "azure", k, known)
			continue
		}
		// Never the value: it is a secret.
		if _, ok := r.str(t[k], line, "[azure] "+k); ok {
			r.c.AzureSet = append(r.c.AzureSet, k)
		}
	}
}

// maxGapDays bounds a cadence gap: a follow-up years away is a typo.
const maxGapDays = 365

func (r reader) cadence(v any) {
	t, ok := r.table(v, r.at.table("cadence"), "cadence")
	if !ok {
		return
	}
	days := slices.Clone(store.DefaultCadence.Days)
	touches := 0
	good := true
	for _, k := range sortedKeys(t) {
		line := r.at.key("cadence", k)
		switch k {
		case "days":
			if ds, ok := r.gaps(t[k], line, "[cadence] days"); ok {
				days = ds
			} else {
				good = false
			}
		case "actions":
			r.actionCadences(t[k])
		case "touches":
			n, ok := t[k].(int64)
			if !ok || n < 1 || n > 20 {
				r.c.problem(line, "[cadence] touches must be a whole number from 1 to 20")
				good = false
				continue
			}
			touches = int(n)
		default:
			r.unknown(line, "cadence", k, []string{"days", "touches", "actions"})
		}
	}
	if !good {
		return
	}
	r.c.Cadence = CadenceOf(days, touches)
}

// gaps reads a list of days between touches.
func (r reader) gaps(v any, line int, name string) ([]int, bool) {
	arr, ok := v.([]any)
	if !ok || len(arr) == 0 {
		r.c.problem(line, name+" must be a list of whole days between touches, e.g. [2, 5, 10]")
		return nil, false
	}
	var ds []int
	for _, e := range arr {
		n, ok := e.(int64)
		if !ok || n < 1 || n > maxGapDays {
			r.c.problem(line, fmt.Sprintf("%s: each gap is a whole number of days from 1 to %d", name, maxGapDays))
			return nil, false
		}
		ds = append(ds, int(n))
	}
	return ds, true
}

// actionNames are the actions a [cadence.actions] key may name, as the
// inbox shows them and as Microsoft codes them.
var actionNames = map[string]string{
	"contact me": view.ActionContactMe, "plt": view.ActionContactMe,
	"test drive": view.ActionStartTestDrive, "starttestdrive": view.ActionStartTestDrive,
	"install": view.ActionInstall, "ins": view.ActionInstall,
	"create": view.ActionCreate,
}

func (r reader) actionCadences(v any) {
	t, ok := r.table(v, r.at.table("cadence.actions"), "cadence.actions")
	if !ok {
		return
	}
	for _, k := range sortedKeys(t) {
		line := r.at.key("cadence.actions", k)
		code, ok := actionNames[strings.ToLower(strings.TrimSpace(k))]
		if !ok {
			r.c.problem(line, fmt.Sprintf("[cadence.actions] %q is not an action: use Contact me, Test Drive, Install or Create", clean(k)))
			continue
		}
		if ds, ok := r.gaps(t[k], line, "[cadence.actions] "+clean(k)); ok {
			if r.c.ActionCadence == nil {
				r.c.ActionCadence = map[string]store.Cadence{}
			}
			r.c.ActionCadence[code] = store.Cadence{Days: ds}
		}
	}
}

// CadenceFor is the cadence of a contact whose latest lead is of action
// (a code as leads carry it, in any case).
func (c *Config) CadenceFor(action string) store.Cadence {
	for code, cad := range c.ActionCadence {
		if strings.EqualFold(code, action) {
			return cad
		}
	}
	return c.Cadence
}

// MaxTouches is the most touches any cadence plans: the stats screen's
// rows of touches go that far.
func (c *Config) MaxTouches() int {
	n := c.Cadence.Total()
	for _, cad := range c.ActionCadence {
		n = max(n, cad.Total())
	}
	return n
}

// CadenceOf builds the cadence of days between touches, for touches in
// all when touches > 0: fewer touches drop the last gaps, more repeat the
// last gap, so "touches = 6" alone stretches the default plan.
func CadenceOf(days []int, touches int) store.Cadence {
	days = slices.Clone(days)
	if touches > 0 {
		switch {
		case touches-1 < len(days):
			days = days[:touches-1]
		case len(days) > 0:
			for len(days) < touches-1 {
				days = append(days, days[len(days)-1])
			}
		}
	}
	return store.Cadence{Days: days}
}

// OptionalColumns are the inbox columns [inbox] columns may choose.
var OptionalColumns = []string{"company", "latest", "offer", "email", "country", "status", "touches", "owner"}

// columns reads [inbox] columns: a list of OptionalColumns (or one string
// of them, separated by spaces or commas).
func (r reader) columns(v any, line int) {
	var names []string
	switch val := v.(type) {
	case string:
		names = strings.FieldsFunc(val, func(c rune) bool { return c == ',' || c == ' ' })
	case []any:
		for _, e := range val {
			s, ok := e.(string)
			if !ok {
				r.c.problem(line, "[inbox] columns must be a list of names: "+strings.Join(OptionalColumns, ", "))
				return
			}
			names = append(names, s)
		}
	default:
		r.c.problem(line, "[inbox] columns must be a list of names: "+strings.Join(OptionalColumns, ", "))
		return
	}
	cols := []string{}
	for _, n := range names {
		n = strings.ToLower(strings.TrimSpace(n))
		switch {
		case n == "clock" || n == "name":
			// Always shown; naming them is harmless.
		case slices.Contains(OptionalColumns, n):
			if !slices.Contains(cols, n) {
				cols = append(cols, n)
			}
		default:
			r.c.problem(line, fmt.Sprintf("[inbox] columns: no column %q; the columns are %s (clock and name always show)", clean(n), strings.Join(OptionalColumns, ", ")))
			return
		}
	}
	r.c.Columns = cols
}

func (r reader) inbox(v any, getenv func(string) string) {
	t, ok := r.table(v, r.at.table("inbox"), "inbox")
	if !ok {
		return
	}
	known := []string{"theme", "date_order", "clipboard", "default_view", "columns"}
	for _, k := range sortedKeys(t) {
		line := r.at.key("inbox", k)
		if !slices.Contains(known, k) {
			r.unknown(line, "inbox", k, known)
			continue
		}
		if k == "columns" {
			r.columns(t[k], line)
			continue
		}
		s, ok := r.str(t[k], line, "[inbox] "+k)
		if !ok {
			continue
		}
		s = strings.TrimSpace(s)
		switch k {
		case "theme":
			switch th := Theme(strings.ToLower(s)); th {
			case ThemeAuto, ThemeDark, ThemeLight:
				r.c.Theme = th
			default:
				r.c.problem(line, fmt.Sprintf("[inbox] theme %q: use auto, dark or light", clean(s)))
			}
		case "date_order":
			switch strings.ToLower(s) {
			case "auto", "":
			case "dmy", "day-month", "day/month":
				r.c.DateOrder, r.c.DateOrderFrom = DayMonth, "config"
			case "mdy", "month-day", "month/day":
				r.c.DateOrder, r.c.DateOrderFrom = MonthDay, "config"
			default:
				r.c.problem(line, fmt.Sprintf("[inbox] date_order %q: use auto, dmy (01/12 is 1 December) or mdy (01/12 is January 12)", clean(s)))
			}
		case "clipboard":
			f := strings.Fields(s)
			if len(f) == 0 {
				continue
			}
			r.c.Clipboard = f
		case "default_view":
			r.c.DefaultView = s
		}
	}
}

func (r reader) keys(v any) {
	t, ok := r.table(v, r.at.table("keys"), "keys")
	if !ok {
		return
	}
	r.c.Keys, r.c.KeyLines = map[string][]string{}, map[string]int{}
	for _, k := range sortedKeys(t) {
		line := r.at.key("keys", k)
		var ks []string
		switch val := t[k].(type) {
		case string:
			ks = []string{val}
		case []any:
			for _, e := range val {
				s, ok := e.(string)
				if !ok {
					ks = nil
					break
				}
				ks = append(ks, s)
			}
		}
		for i := range ks {
			ks[i] = strings.TrimSpace(ks[i])
		}
		if len(ks) == 0 || slices.Contains(ks, "") {
			r.c.problem(line, fmt.Sprintf("[keys] %s must be a key in quotes (\"t\", \"ctrl+t\") or a list of them", clean(k)))
			continue
		}
		r.c.Keys[k], r.c.KeyLines[k] = ks, line
	}
}

// clean makes a name from the file safe to print on one line.
func clean(s string) string {
	s = safetext.Clean(s)
	if len(s) > 60 {
		s = s[:60] + "…"
	}
	return s
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}
