package config

import "strings"

// locator finds the line of a table header or key in the file's text. The
// TOML library reports lines for syntax errors only, and a problem without
// a line makes the rep hunt for it; a line-based scan is enough for the
// hand-written files this is for (a key it cannot place gets line 0).
type locator struct {
	tables map[string]int // "views.hot" → line of [views.hot]
	keys   map[string]int // "views.hot\x00source" → line
}

func newLocator(text string) *locator {
	l := &locator{tables: map[string]int{}, keys: map[string]int{}}
	cur := ""
	for i, line := range strings.Split(text, "\n") {
		s := strings.TrimSpace(line)
		if s == "" || s[0] == '#' {
			continue
		}
		if s[0] == '[' {
			end := strings.IndexByte(s, ']')
			if end < 0 {
				continue
			}
			cur = normKey(strings.Trim(s[1:end], "[] \t"))
			if _, ok := l.tables[cur]; !ok {
				l.tables[cur] = i + 1
			}
			continue
		}
		eq := strings.IndexByte(s, '=')
		if eq <= 0 {
			continue
		}
		k := normKey(s[:eq])
		full := k
		if cur != "" {
			full = cur + "." + k
		}
		// A dotted key (a.b = 1) sits in table a; record it under both.
		if dot := strings.LastIndexByte(full, '.'); dot >= 0 {
			if _, ok := l.keys[full[:dot]+"\x00"+full[dot+1:]]; !ok {
				l.keys[full[:dot]+"\x00"+full[dot+1:]] = i + 1
			}
		}
		if _, ok := l.keys[cur+"\x00"+k]; !ok {
			l.keys[cur+"\x00"+k] = i + 1
		}
		if _, ok := l.tables[full]; !ok {
			l.tables[full] = i + 1 // a key whose value is an inline table
		}
	}
	return l
}

// normKey drops spaces around dots and the quotes of quoted parts.
func normKey(k string) string {
	parts := strings.Split(strings.TrimSpace(k), ".")
	for i, p := range parts {
		parts[i] = strings.Trim(strings.TrimSpace(p), `"'`)
	}
	return strings.Join(parts, ".")
}

func (l *locator) table(name string) int { return l.tables[name] }

func (l *locator) key(table, k string) int { return l.keys[table+"\x00"+k] }
