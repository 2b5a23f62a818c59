package iam

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/catalog"
	"github.com/keyward/keyward/policy"
)

// GetHumanReadableSummary: AWS writes the summary of a delegation request
// with a large language model, asynchronously. Keyward writes it at once
// and deterministically, in English, from the request and its rendered
// policy read against the Service Authorization Reference (package
// catalog): who asks, for how long and why, then per service the access
// levels granted, the actions as written, the resources and the
// conditions, the denials, and the permissions boundaries roles must get.
// The same request always reads the same, so a reviewer can compare.

// GetHumanReadableSummaryInput is AWS's GetHumanReadableSummaryRequest.
type GetHumanReadableSummaryInput struct {
	EntityARN string  `query:"EntityArn,required"`
	Locale    *string `query:"Locale"`
}

// GetHumanReadableSummaryOutput is AWS's GetHumanReadableSummaryResponse.
type GetHumanReadableSummaryOutput struct {
	SummaryContent string `xml:"SummaryContent"`
	Locale         string `xml:"Locale"`
	SummaryState   string `xml:"SummaryState"`
}

var delegationARNRe = regexp.MustCompile(`^arn:aws:iam::(\d{12}):delegation-request/([\w-]+)$`)

// maxSummary is AWS's limit on SummaryContent.
const maxSummary = 10000

// GetHumanReadableSummary summarizes a delegation request, named by its
// ARN (arn:aws:iam::ACCOUNT:delegation-request/ID, the account the
// caller's), for whoever may get it (GetDelegationRequest's rules, with
// iam:GetHumanReadableSummary). Locale defaults to en-US; Keyward writes
// English only, so another language's locale answers NOT_SUPPORTED with
// no content.
func (s *Service) GetHumanReadableSummary(ctx context.Context, c *keyward.Caller, in *GetHumanReadableSummaryInput) (*GetHumanReadableSummaryOutput, error) {
	m := delegationARNRe.FindStringSubmatch(in.EntityARN)
	if m == nil {
		return nil, keyward.Errorf(keyward.ErrInvalidInput,
			"EntityArn %s is not a delegation request's ARN (arn:aws:iam::ACCOUNT:delegation-request/ID): delegation requests are the only entities summarized.", in.EntityARN)
	}
	locale := "en-US"
	if in.Locale != nil {
		locale = *in.Locale
	}
	out := &GetHumanReadableSummaryOutput{Locale: locale, SummaryState: "NOT_SUPPORTED"}
	err := s.view(ctx, c, func(o *op) error {
		r, err := o.delegationTargetARN("iam:GetHumanReadableSummary", in.EntityARN, m[2], true, ownerGrant)
		if err != nil {
			return err
		}
		if english(locale) {
			out.SummaryContent, out.SummaryState = summarizeDelegation(r), "AVAILABLE"
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// english reports whether a locale (en, en-US, en_GB, ...) is English.
func english(locale string) bool {
	l := strings.ToLower(locale)
	return l == "en" || strings.HasPrefix(l, "en-") || strings.HasPrefix(l, "en_")
}

// summarizeDelegation writes a request's summary.
func summarizeDelegation(r *keyward.DelegationRequest) string {
	var b strings.Builder
	who := "Account " + r.RequestorAccountID
	if r.RequestorName != "" {
		who += " (" + r.RequestorName + ")"
	}
	target := "your account"
	if r.OwnerAccountID != "" {
		target = "account " + r.OwnerAccountID
	}
	fmt.Fprintf(&b, "%s asks for temporary access to %s for %s, starting when the access is released.", who, target, humanDuration(r.SessionDuration))
	if r.Description != "" {
		fmt.Fprintf(&b, "\nDescription: %s", r.Description)
	}
	if r.RequestMessage != "" {
		fmt.Fprintf(&b, "\nMessage: %s", r.RequestMessage)
	}
	b.WriteString("\n\n")
	b.WriteString(policySummary(r.PermissionPolicy))
	if len(r.RolePermissionRestrictionARNs) > 0 {
		fmt.Fprintf(&b, "\nRoles created with this access must have one of these permissions boundaries, which limit what they can do after the access ends: %s.",
			strings.Join(r.RolePermissionRestrictionARNs, ", "))
	}
	b.WriteString("\nThe partner acts as the identity that approves the request, and only within both that identity's permissions and the permissions above.")
	if r.OnlySendByOwner {
		b.WriteString(" Once approved, the access starts only when the request's owner releases it.")
	}
	s := b.String()
	if len(s) > maxSummary {
		const more = "\n(The summary is cut here: it is longer than 10,000 characters.)"
		s = s[:maxSummary-len(more)] + more
	}
	return s
}

// humanDuration writes seconds as hours and minutes: "2 hours 30 minutes".
func humanDuration(sec int) string {
	h, m := sec/3600, sec%3600/60
	unit := func(n int, one string) string {
		if n == 1 {
			return "1 " + one
		}
		return strconv.Itoa(n) + " " + one + "s"
	}
	switch {
	case h > 0 && m > 0:
		return unit(h, "hour") + " " + unit(m, "minute")
	case h > 0:
		return unit(h, "hour")
	case m > 0:
		return unit(m, "minute")
	}
	return unit(sec, "second")
}

// accessLevels are AWS's, in the order its console lists them.
var accessLevels = []string{"List", "Read", "Write", "Permissions management", "Tagging"}

// serviceLine accumulates one service's part of one effect's summary.
type serviceLine struct {
	svc        *catalog.Service
	patterns   []string
	actions    map[*catalog.Action]bool
	resources  []string
	conditions []string
}

// policySummary summarizes a policy: one line per effect and service.
func policySummary(doc string) string {
	d, err := policy.ParseWith([]byte(doc), policy.Session, policy.Options{Stored: true})
	if err != nil {
		return "The requested permissions could not be read."
	}
	byEffect := map[policy.Effect]map[string]*serviceLine{}
	var unknown, except []string
	for _, st := range d.Statements {
		if st.NotAction {
			except = append(except, fmt.Sprintf("%s every action except %s", verb(st.Effect), strings.Join(st.Action, ", ")))
			continue
		}
		lines := byEffect[st.Effect]
		if lines == nil {
			lines = map[string]*serviceLine{}
			byEffect[st.Effect] = lines
		}
		for _, pattern := range st.Action {
			names := catalog.ExpandActionPattern(pattern)
			if len(names) == 0 {
				unknown = append(unknown, pattern)
				continue
			}
			for _, name := range names {
				a, _ := catalog.FindAction(name)
				l := lines[a.Service.Prefix]
				if l == nil {
					l = &serviceLine{svc: a.Service, actions: map[*catalog.Action]bool{}}
					lines[a.Service.Prefix] = l
				}
				l.actions[a] = true
				l.patterns = addOnce(l.patterns, pattern)
				for _, r := range resourcesOf(st) {
					l.resources = addOnce(l.resources, r)
				}
				for _, c := range st.Condition {
					l.conditions = addOnce(l.conditions, c.Key+" "+c.Operator+" "+strings.Join(quoteAll(c.Values), " or "))
				}
			}
		}
	}
	var b strings.Builder
	for _, effect := range []policy.Effect{policy.Allow, policy.Deny} {
		lines := byEffect[effect]
		if len(lines) == 0 {
			continue
		}
		if effect == policy.Allow {
			b.WriteString("Permissions requested:")
		} else {
			b.WriteString("\nPermissions denied, whatever else allows them:")
		}
		prefixes := make([]string, 0, len(lines))
		for p := range lines {
			prefixes = append(prefixes, p)
		}
		sort.Slice(prefixes, func(i, j int) bool {
			return strings.ToLower(lines[prefixes[i]].svc.Name) < strings.ToLower(lines[prefixes[j]].svc.Name)
		})
		for _, p := range prefixes {
			l := lines[p]
			fmt.Fprintf(&b, "\n- %s (%s): %s. Actions: %s. Resources: %s. Conditions: %s.", l.svc.Name, l.svc.Prefix,
				accessOf(l.svc, l.actions), strings.Join(l.patterns, ", "), strings.Join(l.resources, ", "), conditionsOf(l.conditions))
		}
	}
	for _, e := range except {
		fmt.Fprintf(&b, "\n- %s.", e)
	}
	if len(unknown) > 0 {
		fmt.Fprintf(&b, "\nActions that name no action of AWS's Service Authorization Reference: %s.", strings.Join(unknown, ", "))
	}
	if b.Len() == 0 {
		return "No permissions are requested."
	}
	return b.String()
}

func verb(e policy.Effect) string {
	if e == policy.Deny {
		return "Denies"
	}
	return "Allows"
}

// accessOf says which access levels of a service the actions grant, in
// full or in part: "Full access", "Full: List; Limited: Read, Write".
func accessOf(svc *catalog.Service, granted map[*catalog.Action]bool) string {
	if len(granted) == len(svc.Actions) {
		return "Full access"
	}
	var full, limited []string
	for _, lv := range accessLevels {
		of, n := 0, 0
		for _, a := range svc.Actions {
			if level, _, _ := strings.Cut(a.AccessLevel, ","); strings.TrimSpace(level) == lv {
				of++
				if granted[a] {
					n++
				}
			}
		}
		switch {
		case n == 0:
		case n == of:
			full = append(full, lv)
		default:
			limited = append(limited, lv)
		}
	}
	var parts []string
	if len(full) > 0 {
		parts = append(parts, "Full: "+strings.Join(full, ", "))
	}
	if len(limited) > 0 {
		parts = append(parts, "Limited: "+strings.Join(limited, ", "))
	}
	return strings.Join(parts, "; ")
}

func resourcesOf(st policy.Statement) []string {
	if st.NotResource {
		return []string{"all resources except " + strings.Join(st.Resource, ", ")}
	}
	for _, r := range st.Resource {
		if r == "*" {
			return []string{"all resources"}
		}
	}
	return st.Resource
}

func conditionsOf(cs []string) string {
	if len(cs) == 0 {
		return "none"
	}
	return strings.Join(cs, "; ")
}

func quoteAll(vs []string) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = strconv.Quote(v)
	}
	return out
}

func addOnce(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}
