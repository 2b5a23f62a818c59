package lint

import (
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/keyward/keyward/catalog"
)

// keywardService is Keyward's own service, which AWS's catalog cannot know:
// the actions of its authorize API (authorize.ActionAuthorize and
// ActionGetSigningKey) on arn:aws:keyward:::service/NAME
// (authorize.ServiceARN). cmd/keyward's tests hold the two together.
var keywardService = func() *catalog.Service {
	s := &catalog.Service{Prefix: "keyward", Name: "Keyward"}
	rt := &catalog.ResourceType{Service: s, Name: "service", ARNFormat: "arn:${Partition}:keyward:::service/${ServiceName}"}
	s.ResourceTypes = []*catalog.ResourceType{rt}
	for _, name := range []string{"Authorize", "GetSigningKey"} {
		s.Actions = append(s.Actions, &catalog.Action{Service: s, Name: name, AccessLevel: "Read",
			Resources: []catalog.ActionResource{{Type: rt, Required: true}}})
	}
	return s
}()

// keywardResource is the ARN format of keywardService's resource type as a
// pattern for overlap.
const keywardResource = "arn:*:keyward:::service/*"

// findService returns the service with that prefix (any case): Keyward's
// own, or one of AWS's catalog.
func findService(prefix string) (*catalog.Service, bool) {
	if strings.EqualFold(prefix, keywardService.Prefix) {
		return keywardService, true
	}
	return catalog.FindService(prefix)
}

// serviceAction returns svc's action of that name (any case).
func serviceAction(svc *catalog.Service, name string) (*catalog.Action, bool) {
	if svc == keywardService {
		for _, a := range svc.Actions {
			if strings.EqualFold(a.Name, name) {
				return a, true
			}
		}
		return nil, false
	}
	return svc.Action(name)
}

// findAction returns the action "prefix:Name" (any case, no wildcards).
func findAction(name string) (*catalog.Action, bool) {
	prefix, act, ok := strings.Cut(name, ":")
	if !ok {
		return nil, false
	}
	svc, ok := findService(prefix)
	if !ok {
		return nil, false
	}
	return serviceAction(svc, act)
}

// keywardActions are keywardService's actions' full names, and in lower
// case for matching.
var keywardActions, keywardActionsLower = func() (names, lower []string) {
	for _, a := range keywardService.Actions {
		names = append(names, a.FullName())
		lower = append(lower, strings.ToLower(a.FullName()))
	}
	return names, lower
}()

// expandPattern is catalog.ExpandActionPattern with Keyward's own actions.
func expandPattern(pattern string) []string {
	out := catalog.ExpandActionPattern(pattern)
	if prefix, _, _ := strings.Cut(pattern, ":"); !strings.ContainsAny(prefix, "*?") && !strings.EqualFold(prefix, keywardService.Prefix) {
		return out // another service's pattern: no cost for Keyward's
	}
	lp := strings.ToLower(pattern)
	added := false
	for i, l := range keywardActionsLower {
		if globMatch(lp, l) {
			out = append(out, keywardActions[i])
			added = true
		}
	}
	if added {
		sort.Strings(out)
	}
	return out
}

// servicePrefixes lists every prefix lint knows, for "did you mean".
func servicePrefixes(declared []string) []string {
	var out []string
	for _, s := range catalog.Services() {
		out = append(out, s.Prefix)
	}
	return append(append(out, keywardService.Prefix), declared...)
}

// listedByPath are the List actions that AWS's Service Authorization
// Reference gives no resource type but that IAM, and Keyward, authorize on
// the path they list (arn:aws:iam::ACCOUNT:user/PATH/): the resource type
// whose ARNs each accepts besides "*".
var listedByPath = map[string]string{
	"ListUsers":            "user",
	"ListGroups":           "group",
	"ListRoles":            "role",
	"ListInstanceProfiles": "instance-profile",
}

// pathKind returns the resource type whose path a List action lists, if a
// is one of listedByPath.
func pathKind(a *catalog.Action) (string, bool) {
	if a.Service.Prefix != "iam" {
		return "", false
	}
	kind, ok := listedByPath[a.Name]
	return kind, ok
}

// accepts reports whether action a can act on resource (an ARN pattern).
func accepts(a *catalog.Action, resource string) bool {
	if kind, ok := pathKind(a); ok && arnOverlap("arn:*:iam::*:"+kind+"/*", resourceGlob(resource)) {
		return true
	}
	for _, r := range a.Resources {
		if r.Type.Service == keywardService {
			if arnOverlap(keywardResource, resourceGlob(resource)) {
				return true
			}
			continue
		}
		if r.Type.AcceptsResource(resource) {
			return true
		}
	}
	return false
}

var policyVariable = regexp.MustCompile(`\$\{[^}]*\}`)

// resourceGlob is a Resource value as a pattern: a policy variable can be
// anything.
func resourceGlob(resource string) string {
	return policyVariable.ReplaceAllString(resource, "*")
}

// arnOverlap reports whether some ARN matches both the format pattern (six
// colon-separated segments) and the resource pattern, as IAM matches: a *
// stays within its segment, except in the last segment the resource has,
// where it may run past colons (arn:aws:iam::* names every IAM ARN).
func arnOverlap(format, resource string) bool {
	f := strings.SplitN(format, ":", 6)
	r := strings.SplitN(resource, ":", 6)
	if len(f) != 6 || resource == "*" {
		return overlap(format, resource)
	}
	last := len(r) - 1
	if len(r) < 6 && !strings.HasSuffix(r[last], "*") {
		return false
	}
	for i := 0; i < last; i++ {
		if !overlap(f[i], r[i]) {
			return false
		}
	}
	return overlap(strings.Join(f[last:], ":"), r[last])
}

// overlap reports whether some string matches both patterns, in which *
// matches any run of characters and ? any one.
func overlap(a, b string) bool {
	memo := make(map[[2]int]bool)
	var match func(i, j int) bool
	match = func(i, j int) bool {
		if i == len(a) && j == len(b) {
			return true
		}
		key := [2]int{i, j}
		if v, ok := memo[key]; ok {
			return v
		}
		r := false
		switch {
		case i < len(a) && a[i] == '*':
			r = match(i+1, j) || j < len(b) && match(i, j+1)
		case j < len(b) && b[j] == '*':
			r = match(i, j+1) || i < len(a) && match(i+1, j)
		case i < len(a) && j < len(b) && (a[i] == '?' || b[j] == '?' || a[i] == b[j]):
			r = match(i+1, j+1)
		}
		memo[key] = r
		return r
	}
	return match(0, 0)
}

// declared reports whether prefix (any case) is one of the services the
// deployment declared.
func (c *checker) declared(prefix string) bool {
	return slices.ContainsFunc(c.services, func(s string) bool { return strings.EqualFold(s, prefix) })
}
