package policy_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/keyward/keyward/policy"
)

// A deliberately simple reference evaluator: every statement of every policy,
// scanned in order, wildcards turned into regular expressions, no index, no
// compilation. Random policies and requests must get the same decision from it
// and from the engine.

type refStmt struct {
	Sid       string
	Effect    string
	Principal any                            `json:",omitempty"`
	NotPrinc  map[string][]string            `json:"NotPrincipal,omitempty"` // {"AWS": [...]}
	Action    []string                       `json:",omitempty"`
	NotAction []string                       `json:",omitempty"`
	Resource  []string                       `json:",omitempty"`
	NotRes    []string                       `json:"NotResource,omitempty"`
	Condition map[string]map[string][]string `json:",omitempty"`
}

type refDoc struct {
	Version   string
	Statement []refStmt
}

type refReq struct {
	principal, account, action, resource, resourceAccount string
	ctx                                                   map[string][]string
	hasBoundary                                           bool
}

func globRE(p string, fold bool, vars map[string][]string, useVars bool) *regexp.Regexp {
	var b strings.Builder
	if fold {
		b.WriteString("(?i)")
	}
	b.WriteString("^")
	for i := 0; i < len(p); i++ {
		switch {
		case p[i] == '*':
			b.WriteString(".*")
		case p[i] == '?':
			b.WriteString(".")
		case useVars && strings.HasPrefix(p[i:], "${"):
			j := strings.IndexByte(p[i:], '}')
			key := p[i+2 : i+j]
			if key == "*" || key == "?" || key == "$" {
				b.WriteString(regexp.QuoteMeta(key))
				i += j
				continue
			}
			v, ok := vars[strings.ToLower(key)]
			if !ok || len(v) != 1 {
				return regexp.MustCompile(`^\b\B$`) // matches nothing
			}
			b.WriteString(regexp.QuoteMeta(v[0]))
			i += j
		default:
			b.WriteString(regexp.QuoteMeta(p[i : i+1]))
		}
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String())
}

func refARNMatch(pat, s string, ctx map[string][]string, vars bool) bool {
	if pat == "*" {
		return true
	}
	ps := strings.SplitN(pat, ":", 6)
	ss := strings.SplitN(s, ":", len(ps))
	if len(ss) < len(ps) {
		return false
	}
	for i := range ps {
		if !globRE(ps[i], false, ctx, vars).MatchString(ss[i]) {
			return false
		}
	}
	return true
}

func refCondition(op, key string, vals []string, ctx map[string][]string, vars bool) bool {
	rv, present := ctx[strings.ToLower(key)]
	present = present && len(rv) > 0
	set := ""
	if q, rest, ok := strings.Cut(op, ":"); ok {
		set, op = q, rest
	}
	nullSet := true // only empty strings: a null data set for the set operators
	for _, v := range rv {
		nullSet = nullSet && v == ""
	}
	ifExists := strings.HasSuffix(op, "IfExists")
	op = strings.TrimSuffix(op, "IfExists")
	if op == "Null" {
		return (vals[0] == "true") == !present
	}
	neg := strings.Contains(op, "Not")
	if !present {
		return ifExists || set == "ForAllValues" || (set == "" && neg)
	}
	if set != "" && nullSet {
		return set == "ForAllValues"
	}
	one := func(v string) bool { // the positive form against one request value
		for _, pv := range vals {
			switch strings.Replace(op, "Not", "", 1) {
			case "StringEquals":
				if (vars && globRE(strings.NewReplacer("*", "${*}", "?", "${?}").Replace(pv), false, ctx, true).MatchString(v)) || (!vars && pv == v) {
					return true
				}
			case "StringLike":
				if globRE(pv, false, ctx, vars).MatchString(v) {
					return true
				}
			case "IpAddress":
				pfx := netip.MustParsePrefix(pv)
				if a, err := netip.ParseAddr(v); err == nil && pfx.Contains(a) {
					return true
				}
			case "Bool":
				if strings.EqualFold(pv, v) {
					return true
				}
			case "NumericLessThan":
				x, err1 := strconv.ParseFloat(v, 64)
				y, _ := strconv.ParseFloat(pv, 64)
				if err1 == nil && x < y {
					return true
				}
			}
		}
		return false
	}
	switch set {
	case "ForAnyValue":
		for _, v := range rv {
			if one(v) != neg {
				return true
			}
		}
		return false
	case "ForAllValues":
		for _, v := range rv {
			if one(v) == neg {
				return false
			}
		}
		return true
	}
	any := false
	for _, v := range rv {
		any = any || one(v)
	}
	return any != neg
}

// refApplies returns whether st applies, and how its Principal names the caller
// (0 none, 1 account, 3 directly).
func refApplies(st refStmt, r refReq, vars bool) (bool, int) {
	acts, notA := st.Action, false
	if st.NotAction != nil {
		acts, notA = st.NotAction, true
	}
	m := false
	for _, a := range acts {
		m = m || globRE(a, true, nil, false).MatchString(r.action)
	}
	if m == notA {
		return false, 0
	}
	res, notR := st.Resource, false
	if st.NotRes != nil {
		res, notR = st.NotRes, true
	}
	m = false
	for _, p := range res {
		m = m || refARNMatch(p, r.resource, r.ctx, vars)
	}
	if m == notR {
		return false, 0
	}
	pm := 3
	if st.NotPrinc != nil {
		// NotPrincipal spares only the principals it lists by ARN (the
		// caller here is always a user), except that a Deny still reaches
		// a principal with a permissions boundary.
		listed := false
		for _, v := range st.NotPrinc["AWS"] {
			listed = listed || v == r.principal
		}
		if listed && !(st.Effect == "Deny" && r.hasBoundary) {
			return false, 0
		}
	}
	if st.Principal != nil {
		pm = 0
		switch p := st.Principal.(type) {
		case string:
			pm = 3
		case map[string]any:
			for _, v := range p["AWS"].([]string) {
				switch {
				case v == r.principal:
					pm = max(pm, 3)
				case v == r.account || v == "arn:aws:iam::"+r.account+":root":
					pm = max(pm, 1)
				}
			}
		}
		if pm == 0 {
			return false, 0
		}
	}
	for op, keys := range st.Condition {
		for k, vals := range keys {
			if !refCondition(op, k, vals, r.ctx, vars) {
				return false, 0
			}
		}
	}
	return true, pm
}

func refScan(docs []refDoc, r refReq) (allow, deny bool, pm int) {
	for _, d := range docs {
		for _, st := range d.Statement {
			ok, p := refApplies(st, r, d.Version == "2012-10-17")
			if !ok {
				continue
			}
			if st.Effect == "Deny" {
				deny = true
			} else {
				allow = true
				pm = max(pm, p)
			}
		}
	}
	return
}

func refDecide(id, boundary, session, resource []refDoc, scps [][]refDoc, r refReq) string {
	denied := false
	scpOK := true
	for _, l := range scps {
		a, d, _ := refScan(l, r)
		denied = denied || d
		scpOK = scpOK && a
	}
	ia, id2, _ := refScan(id, r)
	ba, bd, _ := refScan(boundary, r)
	sa, sd, _ := refScan(session, r)
	_, rd, rpm := refScan(resource, r)
	if denied || id2 || bd || sd || rd {
		return "explicitDeny"
	}
	if !scpOK {
		return "implicitDeny"
	}
	if boundary == nil {
		ba = true
	}
	if session == nil {
		sa = true
	}
	idOK := ia && ba && sa
	racct := r.resourceAccount
	if racct == "" {
		racct = r.account
	}
	if racct != r.account {
		if rpm > 0 && idOK {
			return "allowed"
		}
		return "implicitDeny"
	}
	if rpm == 3 || idOK {
		return "allowed"
	}
	return "implicitDeny"
}

var (
	refActions   = []string{"s3:GetObject", "s3:PutObject", "s3:ListBucket", "iam:GetUser", "ec2:RunInstances", "S3:getobject"}
	refActionPat = []string{"*", "s3:*", "s3:Get*", "s3:?utObject", "iam:Get*", "s3:GetObject", "s3:ListBucket", "ec2:*", "*:GetUser", "S3:PUTOBJECT"}
	refResources = []string{"arn:aws:s3:::bkt/a/b", "arn:aws:s3:::bkt/alice/x", "arn:aws:s3:::bkt/c", "arn:aws:s3:::other/x", "arn:aws:iam::111122223333:user/alice", "arn:aws:s3:::bkt", "arn:aws:s3:::a*b/x"}
	refResPat    = []string{"*", "arn:aws:s3:::bkt/*", "arn:aws:s3:::*/x", "arn:aws:s3:::bkt/a/?", "arn:aws:iam::*:user/*", "arn:aws:s3:::bkt/${aws:username}/*", "arn:aws:s3:::bkt", "arn:aws:s3:::other/x", "arn:aws:s3:*", "arn:aws:s3:::b*", "arn:aws:s3:::${aws:username}/x"}
	refConds     = []func(*rand.Rand) (string, string, []string){
		func(r *rand.Rand) (string, string, []string) {
			return pick(r, "StringEquals", "StringNotEquals", "StringLike", "StringNotLike", "StringEqualsIfExists", "ForAnyValue:StringEquals", "ForAllValues:StringLike"), "aws:username", []string{pick(r, "alice", "bob", "a*", "${aws:PrincipalTag/team}")}
		},
		func(r *rand.Rand) (string, string, []string) {
			return pick(r, "IpAddress", "NotIpAddress", "IpAddressIfExists"), "aws:SourceIp", []string{pick(r, "10.0.0.0/8", "192.168.1.1/32", "2001:db8::/32")}
		},
		func(r *rand.Rand) (string, string, []string) {
			return pick(r, "Bool", "BoolIfExists"), "aws:SecureTransport", []string{pick(r, "true", "false")}
		},
		func(r *rand.Rand) (string, string, []string) {
			return pick(r, "NumericLessThan", "NumericLessThanIfExists"), "s3:max-keys", []string{pick(r, "10", "2.5")}
		},
		func(r *rand.Rand) (string, string, []string) {
			return pick(r, "ForAnyValue:StringEquals", "ForAllValues:StringEquals", "ForAnyValue:StringNotEquals", "ForAllValues:StringNotLike"), "aws:TagKeys", []string{"team", pick(r, "env", "cost")}
		},
		func(r *rand.Rand) (string, string, []string) {
			return "Null", pick(r, "aws:TagKeys", "aws:SourceIp"), []string{pick(r, "true", "false")}
		},
	}
)

func pick[T any](r *rand.Rand, xs ...T) T { return xs[r.IntN(len(xs))] }

func some(r *rand.Rand, xs []string, max int) []string {
	n := 1 + r.IntN(max)
	out := make([]string, n)
	for i := range out {
		out[i] = pick(r, xs...)
	}
	return out
}

func randDoc(r *rand.Rand, withPrincipal bool) refDoc {
	d := refDoc{Version: pick(r, "2012-10-17", "2012-10-17", "2008-10-17")}
	for i := 0; i < 1+r.IntN(4); i++ {
		st := refStmt{Sid: fmt.Sprintf("S%d", i), Effect: pick(r, "Allow", "Allow", "Deny")}
		if r.IntN(6) == 0 {
			st.NotAction = some(r, refActionPat, 2)
		} else {
			st.Action = some(r, refActionPat, 3)
		}
		if r.IntN(8) == 0 {
			st.NotRes = some(r, refResPat, 2)
		} else {
			st.Resource = some(r, refResPat, 2)
		}
		if withPrincipal {
			if r.IntN(6) == 0 {
				st.NotPrinc = map[string][]string{"AWS": some(r, []string{"arn:aws:iam::111122223333:user/alice", "111122223333", "arn:aws:iam::111122223333:root", "arn:aws:iam::111122223333:user/bob"}, 2)}
			} else if r.IntN(4) == 0 {
				st.Principal = "*"
			} else {
				st.Principal = map[string]any{"AWS": some(r, []string{"arn:aws:iam::111122223333:user/alice", "111122223333", "arn:aws:iam::444455556666:root", "arn:aws:iam::111122223333:user/bob"}, 2)}
			}
		}
		if r.IntN(2) == 0 {
			st.Condition = map[string]map[string][]string{}
			for j := 0; j < 1+r.IntN(2); j++ {
				op, k, v := pick(r, refConds...)(r)
				if st.Condition[op] == nil {
					st.Condition[op] = map[string][]string{}
				}
				st.Condition[op][k] = v
			}
		}
		d.Statement = append(d.Statement, st)
	}
	return d
}

func randDocs(r *rand.Rand, n int, withPrincipal bool) []refDoc {
	var out []refDoc
	for i := 0; i < n; i++ {
		out = append(out, randDoc(r, withPrincipal))
	}
	return out
}

func TestEvaluate_AgreesWithReference(t *testing.T) {
	runs := 5000
	if testing.Short() {
		runs = 500
	}
	r := rand.New(rand.NewPCG(1, 2))
	mismatches := 0
	for i := 0; i < runs && mismatches < 5; i++ {
		identity := randDocs(r, 1+r.IntN(3), false)
		var boundary, session, resource []refDoc
		var scps [][]refDoc
		if r.IntN(3) == 0 {
			boundary = randDocs(r, 1, false)
		}
		if r.IntN(4) == 0 {
			session = randDocs(r, 1, false)
		}
		if r.IntN(3) == 0 {
			resource = randDocs(r, 1, true)
		}
		if r.IntN(4) == 0 {
			scps = [][]refDoc{randDocs(r, 1, false), randDocs(r, 1, false)}
		}
		req := refReq{principal: "arn:aws:iam::111122223333:user/alice", account: "111122223333", action: pick(r, refActions...), resource: pick(r, refResources...), ctx: map[string][]string{}, hasBoundary: boundary != nil}
		if r.IntN(4) == 0 {
			req.resourceAccount = "444455556666"
		}
		ctx := map[string]any{}
		if r.IntN(5) > 0 {
			ctx["aws:username"] = pick(r, "alice", "a*", "bob")
		}
		if r.IntN(3) > 0 {
			ctx["aws:SourceIp"] = pick(r, "10.1.2.3", "192.168.1.1", "2001:db8::1", "8.8.8.8")
		}
		if r.IntN(2) > 0 {
			ctx["aws:SecureTransport"] = pick(r, "true", "false")
		}
		if r.IntN(2) > 0 {
			ctx["s3:max-keys"] = pick(r, "5", "10", "2")
		}
		if r.IntN(2) > 0 {
			ctx["aws:TagKeys"] = some(r, []string{"team", "env", "cost", ""}, 3)
		}
		if r.IntN(2) > 0 {
			ctx["aws:PrincipalTag/team"] = pick(r, "alice", "x")
		}
		for k, v := range ctx {
			switch v := v.(type) {
			case string:
				req.ctx[strings.ToLower(k)] = []string{v}
			case []string:
				req.ctx[strings.ToLower(k)] = v
			}
		}
		in := map[string]any{"action": req.action, "resource": req.resource, "principal": req.principal, "context": ctx, "identityPolicies": identity}
		if boundary != nil {
			in["permissionsBoundary"] = boundary[0]
		}
		if session != nil {
			in["sessionPolicies"] = session
		}
		if resource != nil {
			in["resourcePolicy"] = resource[0]
		}
		if scps != nil {
			in["scps"] = scps
		}
		if req.resourceAccount != "" {
			in["resourceAccount"] = req.resourceAccount
		}
		data, _ := json.Marshal(in)
		input, err := policy.DecodeInput(data)
		if err != nil {
			t.Fatalf("DecodeInput: %v\n%s", err, data)
		}
		// The engine fills principal keys; the reference sees the same context.
		for _, k := range input.Request.Context.Keys() {
			v, _ := input.Request.Context.Get(k)
			req.ctx[strings.ToLower(k)] = v
		}
		want := refDecide(identity, boundary, session, resource, scps, req)
		got := input.Policies.Decide(&input.Request).String()
		if got != want {
			mismatches++
			t.Errorf("run %d: engine = %s, reference = %s for\n%s", i, got, want, data)
		}
	}
}
