package console

import (
	"strconv"
	"strings"

	"github.com/keyward/keyward/internal/iam"
)

// simulatorData is the policy simulator's form and results.
type simulatorData struct {
	Mode       string // principal, custom
	Principal  string
	Principals []string // users' and roles' ARNs to choose from
	Policies   string   // custom: identity policies, separated by a line "---"
	Boundary   string
	Actions    string
	Resources  string
	Context    string // KEY=VALUE[,VALUE] a line
	Results    []simResult
	Ran        bool
}

// simResult is one evaluation, with the statements that decided it and an
// explanation in words.
type simResult struct {
	iam.EvaluationResult
	Explanation string
	Statements  []simStatement
	Allowed     bool
}

// simStatement is a statement that decided, with its text when the
// console could read the policy.
type simStatement struct {
	iam.Statement
	Lines []editorLine
}

func (c *Console) simulator(p *page) error {
	p.Nav = "simulator"
	d := &simulatorData{Mode: "principal", Resources: "*"}
	src := p.r.URL.Query()
	if p.r.Method == "POST" {
		src = p.r.PostForm
	}
	for k, dst := range map[string]*string{"mode": &d.Mode, "principal": &d.Principal, "policies": &d.Policies, "boundary": &d.Boundary,
		"actions": &d.Actions, "resources": &d.Resources, "context": &d.Context} {
		if v := src.Get(k); v != "" {
			*dst = v
		}
	}
	if d.Principal == "" && d.Mode == "principal" {
		d.Principal = p.caller.ARN
		if p.caller.RoleARN != "" {
			d.Principal = p.caller.RoleARN
		}
	}
	if det, err := callValues[iam.GetAccountAuthorizationDetailsOutput](p, "iam", "GetAccountAuthorizationDetails", pairs("Filter.member.1", "User", "Filter.member.2", "Role", "MaxItems", "1000")); err == nil {
		for _, u := range det.UserDetailList {
			d.Principals = append(d.Principals, u.ARN)
		}
		for _, r := range det.RoleDetailList {
			d.Principals = append(d.Principals, r.ARN)
		}
	}
	if strings.TrimSpace(d.Actions) != "" && (p.r.Method == "POST" || src.Get("run") == "1") {
		d.Ran = true
		if err := simulate(p, d); err != nil {
			if !p.soft(err) {
				p.status = 400
			}
		}
	}
	return p.render("simulator", d)
}

// simulate runs SimulatePrincipalPolicy or SimulateCustomPolicy as the
// caller and explains each result.
func simulate(p *page, d *simulatorData) error {
	v := pairs()
	action := "SimulateCustomPolicy"
	var custom []string
	if d.Mode == "principal" {
		action = "SimulatePrincipalPolicy"
		v.Set("PolicySourceArn", d.Principal)
	} else {
		for _, doc := range strings.Split(d.Policies, "\n---") {
			if doc = strings.TrimSpace(doc); doc != "" {
				custom = append(custom, doc)
			}
		}
		for i, doc := range custom {
			v.Set("PolicyInputList.member."+strconv.Itoa(i+1), doc)
		}
	}
	if b := strings.TrimSpace(d.Boundary); b != "" {
		v.Set("PermissionsBoundaryPolicyInputList.member.1", b)
	}
	addList(v, "ActionNames", lines(d.Actions))
	if rs := lines(d.Resources); !(len(rs) == 1 && rs[0] == "*") {
		addList(v, "ResourceArns", rs)
	}
	n := 0
	for _, l := range strings.Split(d.Context, "\n") {
		k, val, ok := strings.Cut(strings.TrimSpace(l), "=")
		if !ok || strings.TrimSpace(k) == "" {
			continue
		}
		n++
		pre := "ContextEntries.member." + strconv.Itoa(n) + "."
		v.Set(pre+"ContextKeyName", strings.TrimSpace(k))
		v.Set(pre+"ContextKeyType", contextType(strings.TrimSpace(k)))
		for i, x := range strings.Split(val, ",") {
			v.Set(pre+"ContextKeyValues.member."+strconv.Itoa(i+1), strings.TrimSpace(x))
		}
	}
	out, err := callValues[iam.SimulatePolicyOutput](p, "iam", action, v)
	if err != nil {
		return err
	}
	docs := map[string]string{} // policy id -> text, read once
	for i, doc := range custom {
		docs["PolicyInputList."+strconv.Itoa(i+1)] = doc
	}
	if b := strings.TrimSpace(d.Boundary); b != "" {
		docs["PermissionsBoundaryPolicyInputList.1"] = b
	}
	for _, r := range out.EvaluationResults {
		sr := simResult{EvaluationResult: r, Allowed: r.EvalDecision == "allowed"}
		sr.Explanation = explain(r)
		for _, st := range r.MatchedStatements {
			ss := simStatement{Statement: st}
			doc, ok := docs[st.SourcePolicyID]
			if !ok {
				doc = policyText(p, d.Principal, st)
				docs[st.SourcePolicyID] = doc
			}
			if doc != "" && st.StartPosition != nil && st.EndPosition != nil {
				ss.Lines = statementLines(doc, st.StartPosition.Line, st.EndPosition.Line)
			}
			sr.Statements = append(sr.Statements, ss)
		}
		d.Results = append(d.Results, sr)
	}
	return nil
}

// explain says in words why a simulated request was decided as it was.
func explain(r iam.EvaluationResult) string {
	switch r.EvalDecision {
	case "allowed":
		return "Allowed: a statement allows " + r.EvalActionName + " and none denies it."
	case "explicitDeny":
		return "Denied explicitly: a Deny statement matches " + r.EvalActionName + " (an explicit deny wins over every allow)."
	}
	if b := r.PermissionsBoundaryDecisionDetail; b != nil && !b.AllowedByPermissionsBoundary {
		return "Denied: the permissions boundary does not allow " + r.EvalActionName + ", so it is denied whatever the identity policies grant. A boundary caps them: an action must be allowed by both."
	}
	msg := "Denied implicitly: no identity-based policy allows " + r.EvalActionName + "."
	if len(r.MissingContextValues) > 0 {
		msg += " The policies ask for context keys the simulation did not give: " + strings.Join(r.MissingContextValues, ", ") + "."
	}
	return msg
}

// policyText reads a matched statement's policy as the caller, for the
// highlight: a managed policy's default version, or an inline policy of
// the simulated user or role; "" when it cannot.
func policyText(p *page, principal string, st iam.Statement) string {
	switch st.SourcePolicyType {
	case "aws-managed", "user-managed":
		pol, err := call[iam.GetPolicyOutput](p, "GetPolicy", "PolicyArn", st.SourcePolicyID)
		if err != nil {
			return ""
		}
		v, err := call[iam.GetPolicyVersionOutput](p, "GetPolicyVersion", "PolicyArn", pol.Policy.ARN, "VersionId", pol.Policy.DefaultVersionID)
		if err != nil {
			return ""
		}
		return decodeDocument(v.PolicyVersion.Document)
	case "user", "role":
		name := principal[strings.LastIndex(principal, "/")+1:]
		if st.SourcePolicyType == "user" {
			if out, err := call[iam.GetUserPolicyOutput](p, "GetUserPolicy", "UserName", name, "PolicyName", st.SourcePolicyID); err == nil {
				return decodeDocument(out.PolicyDocument)
			}
			return ""
		}
		if out, err := call[iam.GetRolePolicyOutput](p, "GetRolePolicy", "RoleName", name, "PolicyName", st.SourcePolicyID); err == nil {
			return decodeDocument(out.PolicyDocument)
		}
	}
	return ""
}

// contextType guesses a context key's type for the simulator from its
// name: AWS's own keys have known types.
func contextType(key string) string {
	k := strings.ToLower(key)
	switch {
	case k == "aws:sourceip":
		return "ip"
	case k == "aws:currenttime" || k == "aws:tokenissuetime":
		return "date"
	case k == "aws:multifactorauthpresent" || k == "aws:securetransport" || k == "aws:viaawsservice":
		return "boolean"
	case k == "aws:multifactorauthage" || k == "aws:epochtime":
		return "numeric"
	case k == "aws:tagkeys":
		return "stringList"
	}
	return "string"
}

// maxStatementLines bounds the lines of a statement the simulator shows
// (AWS's managed policies hold statements of thousands of lines).
const maxStatementLines = 30

// statementLines is the statement that spans lines start to end of doc,
// highlighted, with a line of context either side, cut at
// maxStatementLines.
func statementLines(doc string, start, end int) []editorLine {
	all := numbered(doc, nil)
	from, to := max(start-2, 0), min(end+1, len(all))
	if to-from > maxStatementLines {
		to = from + maxStatementLines
	}
	out := all[from:to]
	for i := range out {
		out[i].Bad = out[i].N >= start && out[i].N <= end // highlighted: the statement's lines
	}
	if to < min(end+1, len(all)) {
		out = append(out, editorLine{N: to + 1, Text: "…"})
	}
	return out
}
