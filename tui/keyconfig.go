package tui

import (
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
)

// keyAction names a binding as the [keys] table of the config file does.
type keyAction struct {
	name  string
	b     *key.Binding
	draft bool // answers on the draft screen only
}

// actions lists every rebindable action of km, in help order.
func (km *KeyMap) actions() []keyAction {
	return []keyAction{
		{"up", &km.Up, false}, {"down", &km.Down, false}, {"top", &km.Top, false}, {"bottom", &km.Bottom, false},
		{"half_down", &km.HalfDown, false}, {"half_up", &km.HalfUp, false}, {"page_down", &km.PageDown, false}, {"page_up", &km.PageUp, false},
		{"open", &km.Open, false}, {"back", &km.Back, false}, {"quit", &km.Quit, false}, {"help", &km.Help, false}, {"stats", &km.Stats, false},
		{"next_view", &km.NextView, false}, {"prev_view", &km.PrevView, false},
		{"view_action", &km.ViewAction, false}, {"view_scheduled", &km.ViewScheduled, false}, {"view_all", &km.ViewAll, false},
		{"view_closed", &km.ViewClosed, false}, {"view_noinfo", &km.ViewNoPII, false}, {"view_dnc", &km.ViewDNC, false}, {"view_test", &km.ViewTest, false}, {"view_replied", &km.ViewReplied, false},
		{"view_mine", &km.ViewMine, false}, {"view_unassigned", &km.ViewUnassigned, false}, {"view_team", &km.ViewTeam, false},
		{"search", &km.Search, false}, {"filter", &km.Filter, false}, {"clear_all", &km.ClearAll, false},
		{"touch", &km.Touch, false}, {"follow_up", &km.FollowUp, false}, {"snooze1", &km.Snooze1, false}, {"snooze3", &km.Snooze3, false},
		{"status", &km.Status, false}, {"note", &km.Note, false}, {"undo", &km.Undo, false}, {"sync", &km.Sync, false}, {"draft", &km.Draft, false},
		{"clear_bounce", &km.ClearBounce, false}, {"claim", &km.Claim, false},
		{"draft_edit", &km.DraftEdit, true}, {"draft_mailto", &km.DraftMailto, true}, {"draft_eml", &km.DraftEML, true},
		{"draft_copy", &km.DraftCopy, true}, {"draft_template", &km.DraftTemplate, true}, {"draft_send", &km.DraftSend, true},
		{"session", &km.Session, false}, {"session_send", &km.SessionSend, false}, {"session_skip", &km.SessionSkip, false},
	}
}

// sharedOnDraft are the actions that also answer on the draft screen.
var sharedOnDraft = []string{"up", "down", "top", "bottom", "half_down", "half_up", "page_down", "page_up", "back", "quit", "help", "undo", "sync"}

// KeyActions returns the action names the [keys] table accepts.
func KeyActions() []string {
	km := DefaultKeyMap()
	var out []string
	for _, a := range km.actions() {
		out = append(out, a.name)
	}
	return out
}

// KeyProblem is one thing wrong in the [keys] table.
type KeyProblem struct {
	Action string
	Msg    string
}

// ApplyKeys rebinds the actions named in keys (action name → its keys,
// which replace the defaults) and returns what is wrong: an unknown
// action, a key the inbox cannot tell apart, or a key that another action
// of the same screen already answers to. A binding with a problem keeps its
// default, so a typo never leaves an action without a key.
func ApplyKeys(km *KeyMap, keys map[string][]string) []KeyProblem {
	var probs []KeyProblem
	acts := km.actions()
	byName := map[string]keyAction{}
	for _, a := range acts {
		byName[a.name] = a
	}
	names := make([]string, 0, len(keys))
	for n := range keys {
		names = append(names, n)
	}
	slices.Sort(names)
	orig := map[string]key.Binding{}
	for _, n := range names {
		a, ok := byName[n]
		if !ok {
			probs = append(probs, KeyProblem{n, fmt.Sprintf("unknown action %q in [keys]: run 'leads config' for the list", n)})
			continue
		}
		bad := ""
		for _, k := range keys[n] {
			if k == "ctrl+c" {
				bad = "ctrl+c always quits and cannot be bound"
			} else if !validKey(k) {
				bad = fmt.Sprintf("%q is not a key: write it as the inbox names it, e.g. \"t\", \"T\", \"ctrl+t\", \"enter\", \"f2\"", k)
			}
		}
		if bad != "" {
			probs = append(probs, KeyProblem{n, "[keys] " + n + ": " + bad})
			continue
		}
		orig[n] = *a.b
		a.b.SetKeys(keys[n]...)
		a.b.SetHelp(strings.Join(keys[n], "/"), a.b.Help().Desc)
	}
	// Clashes: a configured key that another action of the same screen
	// answers to. The earlier action would always win, silently; so both
	// keep their defaults and the rep is told.
	clashed := map[string]bool{}
	for _, n := range names {
		a, ok := byName[n]
		if _, applied := orig[n]; !ok || !applied {
			continue
		}
		for _, k := range keys[n] {
			for _, o := range acts {
				if o.name == n || !sameScreen(a, o) || !slices.Contains(o.b.Keys(), k) {
					continue
				}
				if _, conf := keys[o.name]; conf && o.name < n {
					continue // reported once, under the first name
				}
				probs = append(probs, KeyProblem{n, fmt.Sprintf("[keys] %s: %q is also the key of %s: give one of them another key", n, k, o.name)})
				clashed[n] = true
			}
		}
	}
	for n := range clashed {
		*byName[n].b = orig[n]
	}
	return probs
}

func sameScreen(a, b keyAction) bool {
	if a.draft == b.draft {
		return true
	}
	other := a
	if a.draft {
		other = b
	}
	return slices.Contains(sharedOnDraft, other.name)
}

// namedKeys are the non-printing keys as Bubble Tea names them.
var namedKeys = []string{"enter", "esc", "tab", "space", "backspace", "delete", "insert", "up", "down", "left", "right",
	"home", "end", "pgup", "pgdown", "f1", "f2", "f3", "f4", "f5", "f6", "f7", "f8", "f9", "f10", "f11", "f12"}

// validKey accepts one printable character, a named key, or either behind
// ctrl+, alt+ or shift+ (as tea.KeyPressMsg.String spells them).
func validKey(k string) bool {
	for {
		rest, ok := "", false
		for _, m := range []string{"ctrl+", "alt+", "shift+"} {
			if r, cut := strings.CutPrefix(k, m); cut && r != "" {
				rest, ok = r, true
				break
			}
		}
		if !ok {
			break
		}
		k = rest
	}
	if slices.Contains(namedKeys, k) {
		return true
	}
	r := []rune(k)
	return len(r) == 1 && r[0] > ' ' && r[0] != 0x7f
}
