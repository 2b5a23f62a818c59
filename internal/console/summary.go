package console

import (
	"sort"
	"strconv"
	"strings"

	"github.com/keyward/keyward/catalog"
	"github.com/keyward/keyward/policy"
)

// summary is a policy summary as AWS's console shows it: for each effect,
// one row per service with its access level (full, or limited to some of
// the service's actions in each level), the resources and the request
// conditions, read against the Service Authorization Reference.
type summary struct {
	Allow, Deny []serviceSummary
	// Except lists the NotAction statements: their effect applies to every
	// action of every service but the ones named.
	Except []string
	// Unknown lists action patterns that name no service of the catalog.
	Unknown []string
	Error   string // the document does not parse: no summary
}

// serviceSummary is one row.
type serviceSummary struct {
	Name, Prefix string
	Access       string // "Full access", "Full: List, Read  Limited: Write"
	Levels       []levelSummary
	Resources    []string
	Conditions   []string
	Granted, Of  int
}

// levelSummary is one access level of a service: how many of its actions
// the policy names.
type levelSummary struct {
	Level       string
	Granted, Of int
}

// Full reports whether every action of the level is named.
func (l levelSummary) Full() bool { return l.Granted == l.Of }

// accessLevels are AWS's, in its console's order.
var accessLevels = []string{"List", "Read", "Write", "Permissions management", "Tagging"}

// level is an action's access level: the catalog's first one ("Tagging,
// Write" is Tagging).
func level(a *catalog.Action) string {
	l, _, _ := strings.Cut(a.AccessLevel, ",")
	return strings.TrimSpace(l)
}

// summarize builds the summary of a document of type t.
func summarize(doc string, t policy.Type) *summary {
	d, err := policy.ParseWith([]byte(doc), t, policy.Options{Stored: true})
	if err != nil {
		return &summary{Error: "The summary needs a valid document: " + firstLine(err.Error())}
	}
	type acc struct {
		actions    map[*catalog.Action]bool
		resources  map[string]bool
		conditions map[string]bool
	}
	byEffect := map[policy.Effect]map[*catalog.Service]*acc{}
	s := &summary{}
	for _, st := range d.Statements {
		if st.NotAction {
			s.Except = append(s.Except, st.Effect.String()+" every action except "+strings.Join(st.Action, ", "))
			continue
		}
		m := byEffect[st.Effect]
		if m == nil {
			m = map[*catalog.Service]*acc{}
			byEffect[st.Effect] = m
		}
		conds := conditionsText(st.Condition)
		for _, pattern := range st.Action {
			lp := strings.ToLower(pattern)
			svcPattern, _, _ := strings.Cut(lp, ":")
			found := false
			for _, svc := range catalog.Services() {
				if !glob(svcPattern, svc.Prefix) {
					continue
				}
				for _, a := range svc.Actions {
					if !glob(lp, strings.ToLower(a.FullName())) {
						continue
					}
					found = true
					x := m[svc]
					if x == nil {
						x = &acc{actions: map[*catalog.Action]bool{}, resources: map[string]bool{}, conditions: map[string]bool{}}
						m[svc] = x
					}
					x.actions[a] = true
					for _, r := range resourcesText(st, svc.Prefix) {
						x.resources[r] = true
					}
					for _, c := range conds {
						x.conditions[c] = true
					}
				}
			}
			if !found && !strings.HasPrefix(lp, "sts:") {
				s.Unknown = append(s.Unknown, pattern)
			}
		}
	}
	for effect, m := range byEffect {
		var rows []serviceSummary
		for svc, x := range m {
			rows = append(rows, serviceRow(svc, x.actions, keys(x.resources), keys(x.conditions)))
		}
		sort.Slice(rows, func(i, j int) bool { return rows[i].Name < rows[j].Name })
		if effect == policy.Allow {
			s.Allow = rows
		} else {
			s.Deny = rows
		}
	}
	return s
}

func serviceRow(svc *catalog.Service, granted map[*catalog.Action]bool, resources, conditions []string) serviceSummary {
	row := serviceSummary{Name: svc.Name, Prefix: svc.Prefix, Resources: resources, Conditions: conditions, Of: len(svc.Actions), Granted: len(granted)}
	var full, limited []string
	for _, lv := range accessLevels {
		ls := levelSummary{Level: lv}
		for _, a := range svc.Actions {
			if level(a) == lv {
				ls.Of++
				if granted[a] {
					ls.Granted++
				}
			}
		}
		if ls.Granted == 0 {
			continue
		}
		row.Levels = append(row.Levels, ls)
		if ls.Full() {
			full = append(full, lv)
		} else {
			limited = append(limited, lv)
		}
	}
	switch {
	case row.Granted == row.Of:
		row.Access = "Full access"
	case len(full) == 0:
		row.Access = "Limited: " + strings.Join(limited, ", ")
	case len(limited) == 0:
		row.Access = "Full: " + strings.Join(full, ", ")
	default:
		row.Access = "Full: " + strings.Join(full, ", ") + "  Limited: " + strings.Join(limited, ", ")
	}
	if len(row.Conditions) == 0 {
		row.Conditions = []string{"None"}
	}
	return row
}

// resourcesText is what the statement's resources say for one service:
// "All resources", the ARNs that can belong to it, or the exclusions of a
// NotResource.
func resourcesText(st policy.Statement, prefix string) []string {
	if st.Resource == nil {
		return []string{"All resources"}
	}
	var out []string
	for _, r := range st.Resource {
		if r == "*" {
			if st.NotResource {
				return []string{"None"}
			}
			return []string{"All resources"}
		}
		parts := strings.SplitN(r, ":", 4)
		if len(parts) < 3 || !glob(strings.ToLower(parts[2]), prefix) {
			continue
		}
		out = append(out, r)
	}
	if st.NotResource {
		return []string{"All resources except " + strings.Join(st.Resource, ", ")}
	}
	if len(out) == 0 {
		return []string{"None of this service's resources"}
	}
	return out
}

func conditionsText(cs []policy.Condition) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Key+" "+c.Operator+" "+strings.Join(quoted(c.Values), " or "))
	}
	return out
}

func quoted(vs []string) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = strconv.Quote(v)
	}
	return out
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// glob matches an IAM action pattern (lower case, * and ?) against s.
func glob(pattern, s string) bool {
	for len(pattern) > 0 {
		switch pattern[0] {
		case '*':
			for pattern = pattern[1:]; len(pattern) > 0 && pattern[0] == '*'; pattern = pattern[1:] {
			}
			if pattern == "" {
				return true
			}
			for i := 0; i <= len(s); i++ {
				if glob(pattern, s[i:]) {
					return true
				}
			}
			return false
		case '?':
			if s == "" {
				return false
			}
		default:
			if s == "" || s[0] != pattern[0] {
				return false
			}
		}
		pattern, s = pattern[1:], s[1:]
	}
	return s == ""
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
