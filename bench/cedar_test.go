package bench

// The hand translation of IAM identity policies to Cedar, and the Cedar side of the
// comparison.
//
// Entities and context (built once per request, outside any timed loop):
//
//	principal  User::"<principal ARN>"   attrs: name (the principal's aws:username)
//	action     Action::"<service:action>" lower-cased, because IAM action names are
//	                                     case-insensitive and Cedar UIDs are not;
//	                                     parents: the action groups it belongs to (rule 2)
//	resource   Resource::"<ARN>"         attrs: arn; owner, the first segment of an S3
//	                                     object key (rule 4)
//	context    secureTransport: Bool, sourceIp: ipaddr, username: String
//
// Rules, one IAM statement to one Cedar policy:
//
//  1. Effect Allow is permit, Deny is forbid. IAM's combination (an explicit deny
//     wins, else any allow, else implicit deny) is Cedar's (a satisfied forbid wins,
//     else any satisfied permit, else deny), so the decisions line up; "explicitDeny"
//     is a Cedar Deny with a satisfied forbid among its reasons. The Sid rides along
//     as a @sid annotation.
//  2. Action: an exact action name is its own UID, `action == Action::"s3:getobject"`.
//     A pattern with `*` or `?` becomes an action group of that name, `action in
//     Action::"s3:get*"`, whose members are the concrete actions it matches: Cedar's
//     own idiom for a set of actions (a schema's action groups are static data,
//     computed once when the entities are built). One action goes in the scope;
//     several are ORed in the when clause rather than written `action in [...]`,
//     because cedar-go builds a fresh set each time it evaluates a set literal (about
//     150 allocations and 3x the time per decision on this workload). Of the forms
//     tried, this is the one cedar-go runs fastest, which keeps the ratios on the
//     conservative side. `"*"` leaves the action unconstrained.
//  3. Resource: `"*"` leaves it unconstrained; a single exact ARN goes in the scope as
//     `resource == Resource::"<ARN>"`; otherwise a when clause ORs `resource.arn ==`
//     for exact ARNs and `resource.arn like` for globs (the "like translation"). IAM's
//     `*` is Cedar's `*`; IAM's `?` has no Cedar counterpart and is refused. IAM stops
//     a `*` at the colons inside an ARN's segments (all but the last), Cedar's `like`
//     does not: the two agree on these S3 ARNs, which have no colon after the fifth.
//  4. `${aws:username}` (2012-10-17 documents only): Cedar has no string
//     concatenation, so a variable cannot go inside a `like` pattern. The one form
//     translated is the home directory, a variable that is a whole S3 key segment
//     right after the bucket and followed by `/*`:
//     `arn:aws:s3:::B/${aws:username}/*...` becomes
//     `resource.arn like "arn:aws:s3:::B/*/*..." && resource has owner &&
//     principal has name && resource.owner == principal.name`. It is exact: with the
//     owner (the key's first segment) equal to the user name, the ARN starts with
//     `B/<name>/`, and because the rest begins with `*` any split `like` finds can be
//     moved to that one. The owner attribute is computed when the resource entity is
//     built, which again spares Cedar work at decision time. Other placements are
//     refused.
//  5. Conditions: operators AND, keys AND, values OR, as in IAM. A missing key makes a
//     positive operator false and a negated one true, written with `has`, so that a
//     missing key never turns into an evaluation error (which Cedar would report and
//     skip, silently disabling a forbid).
//     Bool k [v]:           context has k && context.k == v
//     IpAddress k [a, b]:   context has k && (context.k.isInRange(ip("a")) || ...)
//     NotIpAddress k [a, b]: (!(context has k) || !(context.k.isInRange(ip("a")) || ...))
//     The context keys known are listed in cedarContextKeys; other operators, keys,
//     NotAction, NotResource and Principal are refused rather than guessed at.

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"maps"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/cedar-policy/cedar-go"
	"github.com/cedar-policy/cedar-go/types"
)

var update = flag.Bool("update", false, "rewrite testdata/role-10x47.cedar from the translation")

// iamDocument and iamStatement hold what the translator reads of a policy document.
type iamDocument struct {
	Version   string
	Statement statementList
}

type statementList []iamStatement

func (l *statementList) UnmarshalJSON(b []byte) error {
	if bytes.HasPrefix(bytes.TrimSpace(b), []byte("{")) {
		var one iamStatement
		if err := json.Unmarshal(b, &one); err != nil {
			return err
		}
		*l = statementList{one}
		return nil
	}
	return json.Unmarshal(b, (*[]iamStatement)(l))
}

type iamStatement struct {
	Sid          string
	Effect       string
	Action       stringOrList
	NotAction    stringOrList
	Resource     stringOrList
	NotResource  stringOrList
	Principal    json.RawMessage
	NotPrincipal json.RawMessage
	Condition    map[string]map[string]stringOrList
}

// contextKind is the Cedar type a context key is given.
type contextKind int

const (
	kindString contextKind = iota
	kindBool
	kindIP
)

// cedarContextKeys maps IAM context keys (lower-cased: IAM key names are
// case-insensitive) to Cedar context attributes.
var cedarContextKeys = map[string]struct {
	name string
	kind contextKind
}{
	"aws:securetransport": {"secureTransport", kindBool},
	"aws:sourceip":        {"sourceIp", kindIP},
	"aws:username":        {"username", kindString},
}

// cedarTranslation is the Cedar text of a set of IAM documents.
type cedarTranslation struct {
	text   []byte
	groups []string // the action groups the policies use (rule 2), lower-cased patterns
}

// translateToCedar translates every statement of docs, in order, to one Cedar policy.
func translateToCedar(docs []json.RawMessage) (cedarTranslation, error) {
	var b strings.Builder
	groups := map[string]bool{}
	for i, raw := range docs {
		var doc iamDocument
		if err := json.Unmarshal(raw, &doc); err != nil {
			return cedarTranslation{}, fmt.Errorf("document %d: %v", i, err)
		}
		for j, st := range doc.Statement {
			if b.Len() > 0 {
				b.WriteString("\n")
			}
			if err := translateStatement(&b, st, doc.Version == "2012-10-17", groups); err != nil {
				return cedarTranslation{}, fmt.Errorf("document %d, statement %d (%s): %v", i, j, st.Sid, err)
			}
		}
	}
	return cedarTranslation{text: []byte(b.String()), groups: slices.Sorted(maps.Keys(groups))}, nil
}

// translateStatement writes the Cedar policy of one statement to b. variables says
// whether policy variables are live (Version 2012-10-17) or literal text.
func translateStatement(b *strings.Builder, st iamStatement, variables bool, groups map[string]bool) error {
	switch {
	case st.NotAction != nil, st.NotResource != nil:
		return fmt.Errorf("NotAction and NotResource are not translated")
	case st.Principal != nil, st.NotPrincipal != nil:
		return fmt.Errorf("Principal belongs to resource policies, not translated")
	case len(st.Action) == 0 || len(st.Resource) == 0:
		return fmt.Errorf("want Action and Resource")
	}
	var effect string
	switch st.Effect {
	case "Allow":
		effect = "permit"
	case "Deny":
		effect = "forbid"
	default:
		return fmt.Errorf("Effect %q", st.Effect)
	}
	action, actionWhen, err := actionScope(st.Action, groups)
	if err != nil {
		return err
	}
	resource, when, err := resourceClause(st.Resource, variables)
	if err != nil {
		return err
	}
	var clauses []string
	if actionWhen != "" {
		clauses = append(clauses, actionWhen)
	}
	if when != "" {
		clauses = append(clauses, when)
	}
	conds, err := conditionClauses(st.Condition)
	if err != nil {
		return err
	}
	clauses = append(clauses, conds...)

	if st.Sid != "" {
		sid, err := cedarString(st.Sid)
		if err != nil {
			return err
		}
		fmt.Fprintf(b, "@sid(%s)\n", sid)
	}
	fmt.Fprintf(b, "%s (\n    principal,\n    %s,\n    %s\n)", effect, action, resource)
	if len(clauses) > 0 {
		fmt.Fprintf(b, "\nwhen {\n    %s\n}", strings.Join(clauses, " &&\n    "))
	}
	b.WriteString(";\n")
	return nil
}

// actionScope is rule 2: it returns the action scope and a when clause ("" for none).
func actionScope(actions []string, groups map[string]bool) (scope, when string, err error) {
	var alts []string
	for _, a := range actions {
		if a == "*" {
			return "action", "", nil
		}
		a = strings.ToLower(a)
		s, err := cedarString(a)
		if err != nil {
			return "", "", err
		}
		if strings.ContainsAny(a, "*?") {
			groups[a] = true
			alts = append(alts, "action in Action::"+s)
		} else {
			alts = append(alts, "action == Action::"+s)
		}
	}
	if len(alts) == 1 {
		return alts[0], "", nil
	}
	return "action", anyOf(alts), nil
}

// resourceClause is rules 3 and 4: it returns the resource scope and a when clause
// ("" for none).
func resourceClause(patterns []string, variables bool) (scope, when string, err error) {
	if slices.Contains(patterns, "*") {
		return "resource", "", nil
	}
	literal := func(p string) bool {
		return !strings.ContainsAny(p, "*?") && !(variables && strings.Contains(p, "${"))
	}
	if len(patterns) == 1 && literal(patterns[0]) {
		s, err := cedarString(patterns[0])
		return "resource == Resource::" + s, "", err
	}
	var alts []string
	for _, p := range patterns {
		var alt string
		switch {
		case variables && strings.Contains(p, "${"):
			alt, err = homeDirClause(p)
		case strings.Contains(p, "?"):
			err = fmt.Errorf("resource %q: Cedar's like has no single-character wildcard", p)
		case strings.Contains(p, "*"):
			alt, err = cedarString(p)
			alt = "resource.arn like " + alt
		default:
			alt, err = cedarString(p)
			alt = "resource.arn == " + alt
		}
		if err != nil {
			return "", "", err
		}
		alts = append(alts, alt)
	}
	return "resource", anyOf(alts), nil
}

const usernameVariable = "${aws:username}"

// homeDirClause is rule 4.
func homeDirClause(p string) (string, error) {
	i := strings.Index(p, usernameVariable)
	prefix, rest := p[:max(i, 0)], p[max(i, 0)+len(usernameVariable):]
	bucket, ok := strings.CutPrefix(prefix, "arn:aws:s3:::")
	ok = ok && i >= 0 && strings.Count(p, "${") == 1
	ok = ok && strings.HasSuffix(bucket, "/") && strings.Count(bucket, "/") == 1 && !strings.ContainsAny(bucket, "*?")
	ok = ok && strings.HasPrefix(rest, "/*") && !strings.Contains(rest, "?")
	if !ok {
		return "", fmt.Errorf("resource %q: only %s as the first key segment of an S3 object, followed by /*, is translated", p, usernameVariable)
	}
	pattern, err := cedarString(prefix + "*" + rest)
	if err != nil {
		return "", err
	}
	return "(resource.arn like " + pattern + " && resource has owner && principal has name && resource.owner == principal.name)", nil
}

// conditionClauses is rule 5: one clause per operator and key, in a stable order.
func conditionClauses(cond map[string]map[string]stringOrList) ([]string, error) {
	var clauses []string
	for _, op := range slices.Sorted(maps.Keys(cond)) {
		for _, key := range slices.Sorted(maps.Keys(cond[op])) {
			c, err := conditionClause(op, key, cond[op][key])
			if err != nil {
				return nil, fmt.Errorf("condition %s %s: %v", op, key, err)
			}
			clauses = append(clauses, c)
		}
	}
	return clauses, nil
}

func conditionClause(op, key string, values []string) (string, error) {
	ck, ok := cedarContextKeys[strings.ToLower(key)]
	if !ok {
		return "", fmt.Errorf("context key not translated")
	}
	if len(values) == 0 {
		return "", fmt.Errorf("no values")
	}
	attr := "context." + ck.name
	has := "context has " + ck.name
	var alts []string
	switch op {
	case "Bool":
		if ck.kind != kindBool {
			return "", fmt.Errorf("Bool on a key that is not boolean")
		}
		for _, v := range values {
			switch strings.ToLower(v) {
			case "true", "false":
				alts = append(alts, attr+" == "+strings.ToLower(v))
			default:
				return "", fmt.Errorf("Bool value %q", v)
			}
		}
		return has + " && " + anyOf(alts), nil
	case "IpAddress", "NotIpAddress":
		if ck.kind != kindIP {
			return "", fmt.Errorf("%s on a key that is not an IP address", op)
		}
		for _, v := range values {
			if _, err := parseIP(v); err != nil {
				return "", err
			}
			s, err := cedarString(v)
			if err != nil {
				return "", err
			}
			alts = append(alts, attr+".isInRange(ip("+s+"))")
		}
		if op == "IpAddress" {
			return has + " && " + anyOf(alts), nil
		}
		return "(!(" + has + ") || !" + anyOf(alts) + ")", nil
	}
	return "", fmt.Errorf("operator not translated")
}

// anyOf joins alternatives with ||, in parentheses when there are several.
func anyOf(alts []string) string {
	if len(alts) == 1 {
		return alts[0]
	}
	return "(" + strings.Join(alts, " || ") + ")"
}

// cedarString quotes s as a Cedar string literal. It refuses the characters that would
// need escapes (none occur in ARNs, action names or Sids), so that the text the
// translator writes is the text a reader would write by hand.
func cedarString(s string) (string, error) {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			return "", fmt.Errorf("%q: character %q is not translated", s, c)
		}
	}
	return `"` + s + `"`, nil
}

// parseIP parses an IAM IP condition value: a CIDR block, or a bare address (/32 or
// /128).
func parseIP(v string) (netip.Prefix, error) {
	if p, err := netip.ParsePrefix(v); err == nil {
		return p, nil
	}
	a, err := netip.ParseAddr(v)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("IP value %q: %v", v, err)
	}
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// globMatch reports whether s matches the IAM pattern p, in which `*` matches any run
// of characters and `?` any one character. Callers lower-case both for action names.
func globMatch(p, s string) bool {
	px, sx := 0, 0
	starP, starS := 0, 0 // where to resume after a mismatch: past the last *, one character further in s
	for px < len(p) || sx < len(s) {
		if px < len(p) {
			switch c := p[px]; {
			case c == '*':
				starP, starS = px, sx+1
				px++
				continue
			case sx < len(s) && (c == '?' || c == s[sx]):
				px++
				sx++
				continue
			}
		}
		if 0 < starS && starS <= len(s) {
			px, sx = starP, starS
			continue
		}
		return false
	}
	return true
}

// cedarCase is one workload request in Cedar's terms.
type cedarCase struct {
	name     string
	want     string
	entities cedar.EntityMap
	request  cedar.Request
}

// newCedarCase builds the entities and request of r (see the top of this file).
// groups are the action groups the policies use.
func newCedarCase(r evalRequest, groups []string) (cedar.EntityMap, cedar.Request, error) {
	ctx := cedar.RecordMap{}
	username := ""
	for key, values := range r.Context {
		ck, ok := cedarContextKeys[strings.ToLower(key)]
		if !ok {
			continue // no translated condition reads it
		}
		if len(values) != 1 {
			return nil, cedar.Request{}, fmt.Errorf("context key %s: want one value, got %d", key, len(values))
		}
		v := values[0]
		switch ck.kind {
		case kindString:
			ctx[cedar.String(ck.name)] = cedar.String(v)
		case kindBool:
			ctx[cedar.String(ck.name)] = cedar.Boolean(strings.EqualFold(v, "true"))
		case kindIP:
			ip, err := types.ParseIPAddr(v)
			if err != nil {
				return nil, cedar.Request{}, fmt.Errorf("context key %s: %v", key, err)
			}
			ctx[cedar.String(ck.name)] = ip
		}
		if strings.EqualFold(key, "aws:username") {
			username = v
		}
	}
	if _, user, ok := strings.Cut(r.Principal, ":user/"); ok && username == "" {
		username = user[strings.LastIndexByte(user, '/')+1:]
	}

	principal := cedar.NewEntityUID("User", cedar.String(r.Principal))
	principalAttrs := cedar.RecordMap{}
	if username != "" {
		principalAttrs["name"] = cedar.String(username)
	}

	action := strings.ToLower(r.Action)
	var parents []cedar.EntityUID
	for _, g := range groups {
		if globMatch(g, action) {
			parents = append(parents, cedar.NewEntityUID("Action", cedar.String(g)))
		}
	}
	actionUID := cedar.NewEntityUID("Action", cedar.String(action))

	resource := r.Resource
	if resource == "" {
		resource = "*"
	}
	resourceUID := cedar.NewEntityUID("Resource", cedar.String(resource))
	resourceAttrs := cedar.RecordMap{"arn": cedar.String(resource)}
	if obj, ok := strings.CutPrefix(resource, "arn:aws:s3:::"); ok {
		if _, key, ok := strings.Cut(obj, "/"); ok {
			owner, _, _ := strings.Cut(key, "/")
			resourceAttrs["owner"] = cedar.String(owner)
		}
	}

	entities := cedar.EntityMap{
		principal:   {UID: principal, Attributes: cedar.NewRecord(principalAttrs)},
		actionUID:   {UID: actionUID, Parents: cedar.NewEntityUIDSet(parents...)},
		resourceUID: {UID: resourceUID, Attributes: cedar.NewRecord(resourceAttrs)},
	}
	req := cedar.Request{Context: cedar.NewRecord(ctx), Principal: principal, Action: actionUID, Resource: resourceUID}
	return entities, req, nil
}

// cedarDecision names Cedar's outcome as IAM does.
func cedarDecision(d cedar.Decision, diag cedar.Diagnostic) string {
	switch {
	case d == cedar.Allow:
		return "allowed"
	case len(diag.Reasons) > 0:
		return "explicitDeny" // a satisfied forbid
	default:
		return "implicitDeny"
	}
}

// cedarFixture is the workload in Cedar's terms, ready to authorize.
type cedarFixture struct {
	translation cedarTranslation
	policies    *cedar.PolicySet
	cases       []cedarCase
}

func newCedarFixture(tb testing.TB, w *workload) *cedarFixture {
	tb.Helper()
	tr, err := translateToCedar(w.documents)
	if err != nil {
		tb.Fatalf("translateToCedar: %v", err)
	}
	ps, err := cedar.NewPolicySetFromBytes("role-10x47.cedar", tr.text)
	if err != nil {
		tb.Fatalf("cedar.NewPolicySetFromBytes: %v\n%s", err, tr.text)
	}
	f := &cedarFixture{translation: tr, policies: ps}
	for _, c := range w.cases {
		r, err := c.evalRequest()
		if err != nil {
			tb.Fatalf("request %s: %v", c.Name, err)
		}
		entities, req, err := newCedarCase(r, tr.groups)
		if err != nil {
			tb.Fatalf("request %s: %v", c.Name, err)
		}
		f.cases = append(f.cases, cedarCase{name: c.Name, want: c.Want, entities: entities, request: req})
	}
	return f
}

// wantSids are the statements each request's decision rests on: the allow that grants
// it, the deny that refuses it, or none. Both engines must name these.
var wantSids = map[string][]string{
	"allow_late":    {"Analytics1"},
	"explicit_deny": {"Guardrails3"},
	"implicit_deny": nil,
	"allow_var":     {"HomeDir0"},
}

func TestCedarDecisions(t *testing.T) {
	f := newCedarFixture(t, loadWorkload(t))
	if got := bytes.Count(f.translation.text, []byte(";\n")); got != 47 {
		t.Fatalf("translation has %d policies, want 47", got)
	}
	for _, c := range f.cases {
		t.Run(c.name, func(t *testing.T) {
			d, diag := cedar.Authorize(f.policies, c.entities, c.request)
			if len(diag.Errors) > 0 {
				t.Errorf("cedar.Authorize(%s) errors: %v", c.name, diag.Errors)
			}
			if got := cedarDecision(d, diag); got != c.want {
				t.Errorf("cedar.Authorize(%s) = %s, want %s", c.name, got, c.want)
			}
			var sids []string
			for _, r := range diag.Reasons {
				sids = append(sids, string(f.policies.Get(r.PolicyID).Annotations()["sid"]))
			}
			slices.Sort(sids)
			if !slices.Equal(sids, wantSids[c.name]) {
				t.Errorf("cedar.Authorize(%s) reasons = %q, want %q", c.name, sids, wantSids[c.name])
			}
		})
	}
}

// TestCedarGolden keeps the translated policies in testdata/role-10x47.cedar, where a
// reader can check the translation by eye (go test -run TestCedarGolden -update).
func TestCedarGolden(t *testing.T) {
	tr, err := translateToCedar(loadWorkload(t).documents)
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "role-10x47.cedar")
	if *update {
		if err := os.WriteFile(golden, tr.text, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(tr.text, want) {
		t.Errorf("translateToCedar(policies.jsonl) differs from %s; run go test -run TestCedarGolden -update and review the diff", golden)
	}
}

func TestTranslateStatement(t *testing.T) {
	tests := []struct {
		name string
		stmt string
		want string // "" when an error is wanted
	}{{
		name: "exact action and resource",
		stmt: `{"Sid":"A","Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::b"}`,
		want: `@sid("A")
permit (
    principal,
    action == Action::"s3:listbucket",
    resource == Resource::"arn:aws:s3:::b"
);
`,
	}, {
		name: "action group and globs",
		stmt: `{"Effect":"Allow","Action":["s3:Get*","s3:ListBucket"],"Resource":["arn:aws:s3:::b-*","arn:aws:s3:::c"]}`,
		want: `permit (
    principal,
    action,
    resource
)
when {
    (action in Action::"s3:get*" || action == Action::"s3:listbucket") &&
    (resource.arn like "arn:aws:s3:::b-*" || resource.arn == "arn:aws:s3:::c")
};
`,
	}, {
		name: "deny with conditions",
		stmt: `{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"},"NotIpAddress":{"aws:SourceIp":["10.0.0.0/8","192.168.0.1"]}}}`,
		want: `forbid (
    principal,
    action,
    resource
)
when {
    context has secureTransport && context.secureTransport == false &&
    (!(context has sourceIp) || !(context.sourceIp.isInRange(ip("10.0.0.0/8")) || context.sourceIp.isInRange(ip("192.168.0.1"))))
};
`,
	}, {
		name: "one action group",
		stmt: `{"Effect":"Deny","Action":"s3:*","Resource":"arn:aws:s3:::*-prod"}`,
		want: `forbid (
    principal,
    action in Action::"s3:*",
    resource
)
when {
    resource.arn like "arn:aws:s3:::*-prod"
};
`,
	}, {
		name: "home directory",
		stmt: `{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::home/${aws:username}/*"}`,
		want: `permit (
    principal,
    action == Action::"s3:getobject",
    resource
)
when {
    (resource.arn like "arn:aws:s3:::home/*/*" && resource has owner && principal has name && resource.owner == principal.name)
};
`,
	}, {
		name: "variable deeper in the key",
		stmt: `{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::home/u/${aws:username}/*"}`,
	}, {
		name: "variable not followed by /*",
		stmt: `{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::home/${aws:username}/x"}`,
	}, {
		name: "single-character wildcard",
		stmt: `{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b?"}`,
	}, {
		name: "NotAction",
		stmt: `{"Effect":"Allow","NotAction":"s3:GetObject","Resource":"*"}`,
	}, {
		name: "unknown operator",
		stmt: `{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"aws:username":"bob"}}}`,
	}, {
		name: "unknown key",
		stmt: `{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}`,
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var st iamStatement
			if err := json.Unmarshal([]byte(tt.stmt), &st); err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			err := translateStatement(&b, st, true, map[string]bool{})
			switch {
			case tt.want == "" && err == nil:
				t.Errorf("translateStatement(%s) = %q, want an error", tt.stmt, b.String())
			case tt.want != "" && err != nil:
				t.Errorf("translateStatement(%s): %v", tt.stmt, err)
			case b.String() != tt.want && err == nil:
				t.Errorf("translateStatement(%s) = %q, want %q", tt.stmt, b.String(), tt.want)
			}
			if err == nil {
				if _, err := cedar.NewPolicySetFromBytes("t.cedar", []byte(b.String())); err != nil {
					t.Errorf("cedar.NewPolicySetFromBytes(translation of %s): %v", tt.stmt, err)
				}
			}
		})
	}
}

func TestGlobMatch(t *testing.T) {
	tests := []struct {
		p, s string
		want bool
	}{
		{"s3:get*", "s3:getobject", true},
		{"s3:get*", "s3:putobject", false},
		{"s3:*object*", "s3:putobjectacl", true},
		{"s3:*object*", "s3:listbucket", false},
		{"s3:*", "s3:", true},
		{"*", "", true},
		{"s3:?etobject", "s3:getobject", true},
		{"s3:?etobject", "s3:etobject", false},
		{"a*b*c", "aXbYbZc", true},
		{"a*b*c", "aXbYbZ", false},
		{"abc", "abcd", false},
		{"", "", true},
	}
	for _, tt := range tests {
		if got := globMatch(tt.p, tt.s); got != tt.want {
			t.Errorf("globMatch(%q, %q) = %v, want %v", tt.p, tt.s, got, tt.want)
		}
	}
}

// benchCedarDecision times one decision: the policy set is parsed and the entities
// built once, outside the loop, as a service using cedar-go would.
func benchCedarDecision(f *cedarFixture, c cedarCase) func(*testing.B) {
	return func(b *testing.B) {
		d, diag := cedar.Authorize(f.policies, c.entities, c.request)
		if got := cedarDecision(d, diag); got != c.want {
			b.Fatalf("cedar.Authorize(%s) = %s, want %s", c.name, got, c.want)
		}
		b.ReportAllocs()
		for b.Loop() {
			d, _ = cedar.Authorize(f.policies, c.entities, c.request)
		}
		_ = d
	}
}

// benchCedarParse times parsing the translated policies into a policy set.
func benchCedarParse(text []byte) func(*testing.B) {
	return func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := cedar.NewPolicySetFromBytes("role-10x47.cedar", text); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// TestCedarVariants checks the translation on requests beyond the four timed ones.
func TestCedarVariants(t *testing.T) {
	w := loadWorkload(t)
	f := newCedarFixture(t, w)
	for _, c := range variantCases(t, w) {
		t.Run(c.Name, func(t *testing.T) {
			r, err := c.evalRequest()
			if err != nil {
				t.Fatal(err)
			}
			entities, req, err := newCedarCase(r, f.translation.groups)
			if err != nil {
				t.Fatal(err)
			}
			d, diag := cedar.Authorize(f.policies, entities, req)
			if len(diag.Errors) > 0 {
				t.Errorf("cedar.Authorize(%s) errors: %v", c.Name, diag.Errors)
			}
			if got := cedarDecision(d, diag); got != c.Want {
				t.Errorf("cedar.Authorize(%s) = %s, want %s", c.Name, got, c.Want)
			}
		})
	}
}
