package config

import (
	"fmt"
	"slices"
	"strings"

	"github.com/leads-inbox/leads/store/safetext"
	"github.com/leads-inbox/leads/store/view"
)

// LaneNames name the built-in views as the config file and --view do, in
// the inbox's tab order (view.Lane).
var LaneNames = []string{"action", "scheduled", "all", "closed", "noinfo", "dnc", "test", "replied", "mine", "unassigned", "team"}

// ParseLane reads a built-in view's name; "needs action" and "no info",
// as the inbox's help calls them, are accepted too.
func ParseLane(s string) (view.Lane, bool) {
	s = strings.ToLower(strings.Join(strings.Fields(s), ""))
	switch s {
	case "needsaction":
		s = "action"
	case "noinfo", "nocontactinfo":
		s = "noinfo"
	}
	i := slices.Index(LaneNames, s)
	if i < 0 || i >= int(view.NumLanes) {
		return 0, false
	}
	return view.Lane(i), true
}

// View is a saved view: a [views.NAME] table. Its values are as a rep
// types them in the filter flags of 'leads list'.
type View struct {
	Name string
	// Lane is the built-in view it narrows (default: all).
	Lane view.Lane
	// Source … Query: see view.Filter. Empty means any.
	Source, Action, Offer, Country, Status, Query string
	IncludeTest                                   bool
	// Sort is an order as 'leads list --sort' takes it: "urgency" (the
	// inbox's order, the default), "recent", or a column ("name",
	// "-company"); the inbox lists the view in it.
	Sort string
}

// viewKeys are the keys of a [views.NAME] table.
var viewKeys = []string{"lane", "source", "action", "offer", "country", "status", "q", "include_test", "sort"}

// Filter maps a saved view to the read model's filter. It is the one place
// that does, so that a richer Filter (several values per dimension) is
// taken up here alone.
func (v View) Filter() view.Filter {
	return view.Filter{Source: one(v.Source), Action: one(v.Action), Offer: one(v.Offer), Country: one(v.Country),
		Status: one(v.Status), Query: v.Query, IncludeTest: v.IncludeTest || v.Lane == view.LaneTest}
}

// one is a saved view's single value as a filter's list of values: none
// when it is empty, which means any.
func one(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

// Order is the view's sort as the read model names it.
func (v View) Order() view.Order {
	o, err := view.ParseOrder(v.Sort)
	if err != nil {
		return view.ByUrgency
	}
	return o
}

func (r reader) views(v any) {
	t, ok := r.table(v, r.at.table("views"), "views")
	if !ok {
		return
	}
	for _, name := range sortedKeys(t) {
		line := r.at.table("views." + name)
		vt, ok := t[name].(map[string]any)
		if !ok {
			r.c.problem(line, fmt.Sprintf("views.%s must be a table: [views.%s] with keys %s", clean(name), clean(name), strings.Join(viewKeys, ", ")))
			continue
		}
		if _, ok := ParseLane(name); ok {
			r.c.problem(line, fmt.Sprintf("[views.%s] has the name of a built-in view: choose another name", clean(name)))
			continue
		}
		sv := View{Name: name, Lane: view.LaneAll, Sort: "urgency"}
		good := true
		for _, k := range sortedKeys(vt) {
			kl := r.at.key("views."+name, k)
			if k == "include_test" {
				b, ok := vt[k].(bool)
				if !ok {
					r.c.problem(kl, fmt.Sprintf("[views.%s] include_test must be true or false", clean(name)))
					good = false
				}
				sv.IncludeTest = b
				continue
			}
			if !slices.Contains(viewKeys, k) {
				r.unknown(kl, "views."+clean(name), k, viewKeys)
				continue
			}
			s, ok := r.str(vt[k], kl, "[views."+clean(name)+"] "+k)
			if !ok {
				good = false
				continue
			}
			s = strings.TrimSpace(s)
			switch k {
			case "lane":
				l, ok := ParseLane(s)
				if !ok {
					r.c.problem(kl, fmt.Sprintf("[views.%s] lane %q: use one of %s", clean(name), clean(s), strings.Join(LaneNames, ", ")))
					good = false
				}
				sv.Lane = l
			case "source":
				sv.Source = s
			case "action":
				sv.Action = s
			case "offer":
				sv.Offer = s
			case "country":
				sv.Country = s
			case "status":
				if _, err := view.ParseStatus(s); s != "" && err != nil {
					r.c.problem(kl, fmt.Sprintf("[views.%s] status: %s", clean(name), safetext.Clean(err.Error())))
					good = false
				}
				sv.Status = s
			case "q":
				sv.Query = s
			case "sort":
				if _, err := view.ParseOrder(s); err != nil {
					r.c.problem(kl, fmt.Sprintf("[views.%s] sort: %s", clean(name), safetext.Clean(err.Error())))
					good = false
				}
				sv.Sort = strings.ToLower(s)
			}
		}
		// A view with a bad value is left out rather than shown with a
		// wider filter than the rep wrote.
		if good {
			r.c.Views = append(r.c.Views, sv)
		}
	}
}
