package policy

import (
	"fmt"
	"strings"
)

// Explanation says why one statement did or did not apply to a request.
type Explanation struct {
	Match            // the statement: policy, type, Sid, position, effect
	Applies bool     // action, resource, principal and conditions all matched
	Reasons []string // one sentence per element checked, in order
}

// Explain walks every statement of every policy in p, in the order AWS's
// logic considers them (SCP levels, resource, identity, boundary, session),
// and says for each why it did or did not apply to r. It is for people: it
// allocates freely, and its decision is Evaluate's.
func (p *Policies) Explain(r *Request) []Explanation {
	var out []Explanation
	var res Result
	e := evalState{req: r, ctx: r.Context.t, res: &res}
	e.resource = r.Resource
	if e.resource == "" {
		e.resource = "*"
	}
	e.token = resourceToken(e.resource)
	act := make([]byte, len(r.Action))
	lowerInto(act, r.Action)
	p.evaluate(&e, act, svcLen(r.Action)) // fills principal fields
	res.Missing = nil
	walk := func(s *Set, t Type) {
		if s == nil {
			return
		}
		for i := range s.stmts {
			st := &s.stmts[i]
			pol := &s.policies[st.policy]
			x := Explanation{Match: Match{PolicyID: pol.ID, Type: t, Sid: st.sid, Statement: int(st.index), Effect: st.effect, Start: st.stmt.Start, End: st.stmt.End}}
			x.Applies, x.Reasons = e.explainStatement(st)
			out = append(out, x)
		}
	}
	if scpApplies(r.Principal) {
		for _, l := range p.SCPs {
			walk(l, SCP)
		}
	}
	if p.Resource != nil {
		t := Resource
		if p.Resource.trust {
			t = Trust
		}
		walk(p.Resource, t)
	}
	walk(p.Identity, Identity)
	walk(p.Boundary, Boundary)
	walk(p.Session, Session)
	return out
}

func svcLen(action string) int {
	if i := strings.IndexByte(action, ':'); i >= 0 {
		return i
	}
	return len(action)
}

func quoteList(vals []string) string {
	q := make([]string, len(vals))
	for i, v := range vals {
		q[i] = fmt.Sprintf("%q", v)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

func (e *evalState) explainStatement(st *cstmt) (bool, []string) {
	var why []string
	ok := true
	// Action.
	hit := ""
	for i := range st.actions {
		if st.actions[i].match(e.req.Action, e, lowerASCII) {
			hit = st.stmt.Action[i]
			break
		}
	}
	switch {
	case st.notAction && hit != "":
		ok = false
		why = append(why, fmt.Sprintf("action %s is excluded by NotAction %q", e.req.Action, hit))
	case st.notAction:
		why = append(why, fmt.Sprintf("action %s is not in NotAction %s, so it is covered", e.req.Action, quoteList(st.stmt.Action)))
	case hit != "":
		why = append(why, fmt.Sprintf("action %s matches %q", e.req.Action, hit))
	default:
		ok = false
		why = append(why, fmt.Sprintf("action %s matches nothing in Action %s", e.req.Action, quoteList(st.stmt.Action)))
	}
	// Resource.
	if st.hasResource {
		hit = ""
		for i := range st.resources {
			if st.resources[i].match(e.resource, e) {
				hit = st.stmt.Resource[i]
				break
			}
		}
		vars := ""
		for _, r := range st.stmt.Resource {
			if strings.Contains(r, "${") {
				vars = " (after substituting policy variables from the request context)"
				break
			}
		}
		switch {
		case st.notResource && hit != "":
			ok = false
			why = append(why, fmt.Sprintf("resource %s is excluded by NotResource %q", e.resource, hit))
		case st.notResource:
			why = append(why, fmt.Sprintf("resource %s is not in NotResource %s, so it is covered", e.resource, quoteList(st.stmt.Resource)))
		case hit != "":
			why = append(why, fmt.Sprintf("resource %s matches %q%s", e.resource, hit, vars))
		default:
			ok = false
			why = append(why, fmt.Sprintf("resource %s matches nothing in Resource %s%s", e.resource, quoteList(st.stmt.Resource), vars))
		}
	}
	// Principal.
	if st.principal != nil {
		pm := st.principal.match(e)
		named := map[principalMatch]string{pmDirect: "names it", pmRole: "names its role", pmAccount: "names its account"}[pm]
		switch {
		case st.notPrinc && st.principal.excludes(e) && st.effect == Deny && e.hasBoundary:
			why = append(why, fmt.Sprintf("principal %s is listed in NotPrincipal, but a Deny with NotPrincipal still applies to a principal with a permissions boundary", e.req.Principal))
		case st.notPrinc && st.principal.excludes(e):
			ok = false
			why = append(why, fmt.Sprintf("principal %s is excluded by NotPrincipal", e.req.Principal))
		case st.notPrinc && pm != pmNone:
			why = append(why, fmt.Sprintf("principal %s is covered: NotPrincipal %s, but spares a principal only when it lists the principal itself (and, for a role session, its role)", e.req.Principal, named))
		case st.notPrinc:
			why = append(why, fmt.Sprintf("principal %s is not in NotPrincipal, so it is covered", e.req.Principal))
		case pm == pmNone:
			ok = false
			why = append(why, fmt.Sprintf("principal %s is not named by Principal", e.req.Principal))
		default:
			why = append(why, fmt.Sprintf("principal %s: Principal %s", e.req.Principal, named))
		}
	}
	// Conditions.
	for i := range st.conds {
		c := &st.conds[i]
		m := e.condition(c)
		vals, present := e.ctx.lookup(c.key, c.keyHash)
		var have string
		switch {
		case !present:
			have = "the request has no " + c.rawKey
		case len(vals) == 0:
			have = "the request has " + c.rawKey + " with no values"
		default:
			have = "the request has " + c.rawKey + " = " + quoteList(vals)
		}
		verdict := "holds"
		if !m {
			verdict, ok = "fails", false
		}
		why = append(why, fmt.Sprintf("condition %s %s %s %s: %s", c.opName, c.rawKey, quoteList(c.cond.Values), verdict, have))
	}
	return ok, why
}

// Summary says in one sentence why r got decision res, naming the policy
// type that decided, for people reading a denial.
func Summary(r *Request, res *Result) string {
	switch res.Decision {
	case Allowed:
		return fmt.Sprintf("allowed: %d statement(s) allow %s on %s and no statement denies it", len(res.Matched), r.Action, orStar(r.Resource))
	case ExplicitDeny:
		return fmt.Sprintf("explicitDeny: an explicit deny in %s denies %s", typePhrase(res.DeniedBy), r.Action)
	}
	return fmt.Sprintf("implicitDeny: no %s allows the %s action", typeNoun(res.DeniedBy), r.Action)
}

func orStar(s string) string {
	if s == "" {
		return "*"
	}
	return s
}

// typeNoun and typePhrase word policy types as AWS's denial messages do.
func typeNoun(t Type) string {
	switch t {
	case Resource, Trust:
		return "resource-based policy"
	case Boundary:
		return "permissions boundary"
	case Session:
		return "session policy"
	case SCP:
		return "service control policy"
	}
	return "identity-based policy"
}

func typePhrase(t Type) string {
	switch t {
	case Boundary:
		return "a permissions boundary"
	case Session:
		return "a session policy"
	case SCP:
		return "a service control policy"
	case Resource, Trust:
		return "a resource-based policy"
	}
	return "an identity-based policy"
}

// DenialReason returns the tail of AWS's AccessDenied message for a denied
// result: "because no identity-based policy allows the s3:GetObject action" or
// "with an explicit deny in a service control policy".
func DenialReason(action string, res *Result) string {
	if res.Decision == ExplicitDeny {
		return "with an explicit deny in " + typePhrase(res.DeniedBy)
	}
	return "because no " + typeNoun(res.DeniedBy) + " allows the " + action + " action"
}
