package audit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"unicode"

	"github.com/keyward/keyward/policy"
)

// MaxResources is how many resources one statement of a generated policy
// names before Generate generalizes them.
const MaxResources = 10

// maxPolicyChars is IAM's quota for a managed policy, white space not
// counted.
const maxPolicyChars = 6144

// Generate returns the smallest identity policy that allows every
// authorization in records that was allowed, or denied and let through by
// soft enforcement: one statement per service and set of resources, the
// actions of a service that touched the same resources sharing one. A
// statement names its resources exactly unless it would name more than
// MaxResources; then resources are generalized one path level at a time
// (arn:aws:iam::1:user/team/a and .../team/b become .../team/*) until few
// enough remain. The result is checked with policy.Parse and against IAM's
// size quota for managed policies. It returns an error when there is
// nothing to allow.
func Generate(records []*Record) ([]byte, error) {
	used := map[string]map[string]map[string]bool{} // service -> action -> resources
	for _, r := range records {
		for _, d := range r.All() {
			if d.Decision != "allowed" && d.Enforcement != "log" {
				continue
			}
			svc, name, ok := strings.Cut(d.Action, ":")
			if !ok || svc == "" || name == "" {
				continue
			}
			svc = strings.ToLower(svc)
			if used[svc] == nil {
				used[svc] = map[string]map[string]bool{}
			}
			action := svc + ":" + name
			if used[svc][action] == nil {
				used[svc][action] = map[string]bool{}
			}
			res := d.Resource
			if res == "" {
				res = "*"
			}
			used[svc][action][res] = true
		}
	}
	if len(used) == 0 {
		return nil, fmt.Errorf("audit: no allowed request to generate a policy from")
	}
	for max := MaxResources; ; max /= 2 {
		doc := build(used, max)
		if _, err := policy.Parse(doc, policy.Identity); err != nil {
			return nil, fmt.Errorf("audit: the generated policy does not parse: %w", err)
		}
		if chars(doc) <= maxPolicyChars {
			return doc, nil
		}
		if max == 0 {
			return nil, fmt.Errorf("audit: the generated policy has %d characters, more than IAM's %d", chars(doc), maxPolicyChars)
		}
	}
}

type genStatement struct {
	Sid      string   `json:"Sid"`
	Effect   string   `json:"Effect"`
	Action   []string `json:"Action"`
	Resource []string `json:"Resource"`
}

func build(used map[string]map[string]map[string]bool, max int) []byte {
	var stmts []genStatement
	services := sortedKeys(used)
	for _, svc := range services {
		groups := map[string][]string{} // resource list key -> actions
		lists := map[string][]string{}
		for action, rs := range used[svc] {
			res := generalize(sortedKeys(rs), max)
			key := strings.Join(res, "\x00")
			groups[key] = append(groups[key], action)
			lists[key] = res
		}
		keys := sortedKeys(groups)
		// Statements in a stable order: by their first action.
		sort.Slice(keys, func(i, j int) bool { return minString(groups[keys[i]]) < minString(groups[keys[j]]) })
		for i, k := range keys {
			acts := groups[k]
			sort.Strings(acts)
			stmts = append(stmts, genStatement{Sid: sid(svc, i+1), Effect: "Allow", Action: acts, Resource: lists[k]})
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	enc.Encode(struct {
		Version   string         `json:"Version"`
		Statement []genStatement `json:"Statement"`
	}{policy.Version2012, stmts})
	out := buf.Bytes()
	if len(out) > 0 && out[len(out)-1] != '\n' {
		out = append(out, '\n')
	}
	return out
}

// generalize returns rs (sorted), or, when there are more than max, rs
// generalized one level at a time: resources under one parent become
// PARENT* where two or more share it; when none share a parent, every
// resource moves up a level. "*" covers all.
func generalize(rs []string, max int) []string {
	for len(rs) > max && max > 0 {
		if len(rs) == 1 || contains(rs, "*") {
			return []string{"*"}
		}
		byParent := map[string][]string{}
		for _, r := range rs {
			p := parent(r)
			byParent[p] = append(byParent[p], r)
		}
		shared := false
		for _, g := range byParent {
			shared = shared || len(g) > 1
		}
		next := map[string]bool{}
		for p, g := range byParent {
			if len(g) > 1 || !shared {
				next[p+"*"] = true
			} else {
				next[g[0]] = true
			}
		}
		rs = covered(sortedKeys(next))
	}
	if max == 0 {
		return []string{"*"}
	}
	return rs
}

// parent returns r without its last path or ARN level, ending in its
// separator: arn:aws:iam::1:user/a/b -> arn:aws:iam::1:user/a/. A pattern
// (ending in *) loses the level it stands for. The top is "".
func parent(r string) string {
	r = strings.TrimSuffix(r, "*")
	r = strings.TrimRight(r, "/:")
	i := strings.LastIndexAny(r, "/:")
	if i < 0 {
		return ""
	}
	return r[:i+1]
}

// covered drops resources that a PREFIX* pattern in rs already covers.
func covered(rs []string) []string {
	var out []string
	for _, r := range rs {
		hit := false
		for _, p := range rs {
			if pre, ok := strings.CutSuffix(p, "*"); ok && p != r && strings.HasPrefix(r, pre) {
				hit = true
				break
			}
		}
		if !hit {
			out = append(out, r)
		}
	}
	return out
}

func sid(service string, n int) string {
	var b strings.Builder
	up := true
	for _, c := range service {
		if !unicode.IsLetter(c) && !unicode.IsDigit(c) {
			up = true
			continue
		}
		if up {
			c = unicode.ToUpper(c)
			up = false
		}
		b.WriteRune(c)
	}
	return fmt.Sprintf("%s%d", b.String(), n)
}

func chars(doc []byte) int {
	n := 0
	for _, r := range string(doc) {
		if !unicode.IsSpace(r) {
			n++
		}
	}
	return n
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

func minString(xs []string) string {
	m := xs[0]
	for _, x := range xs[1:] {
		if x < m {
			m = x
		}
	}
	return m
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
