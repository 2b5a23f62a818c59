package iam

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/policy"
)

// corpusRequest is the part of a policy corpus case that the simulator
// can be asked: `keyward policy eval`'s request format.
type corpusRequest struct {
	Action              string                     `json:"action"`
	Resource            string                     `json:"resource"`
	Principal           string                     `json:"principal"`
	Context             map[string]json.RawMessage `json:"context"`
	IdentityPolicies    []json.RawMessage          `json:"identityPolicies"`
	PermissionsBoundary json.RawMessage            `json:"permissionsBoundary"`
	SessionPolicies     []json.RawMessage          `json:"sessionPolicies"`
	ResourcePolicy      json.RawMessage            `json:"resourcePolicy"`
	ResourcePolicyType  string                     `json:"resourcePolicyType"`
	ResourceAccount     string                     `json:"resourceAccount"`
	SCPs                json.RawMessage            `json:"scps"`
}

// policyText returns a POLICY of the eval format as document text: a
// document object, a string holding one, or {"id", "document"}.
func policyText(raw json.RawMessage) string {
	var wrapped struct {
		ID       *string         `json:"id"`
		Document json.RawMessage `json:"document"`
	}
	if json.Unmarshal(raw, &wrapped) == nil && wrapped.ID != nil && wrapped.Document != nil {
		raw = wrapped.Document
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return string(raw)
}

// simulateCorpusCase maps one eval request to SimulateCustomPolicy's
// input; why is non-empty when the API cannot express the case.
func simulateCorpusCase(r *corpusRequest) (in *SimulateCustomPolicyInput, why string) {
	switch {
	case len(r.SessionPolicies) > 0:
		return nil, "session policies"
	case len(r.SCPs) > 0 && string(r.SCPs) != "null":
		return nil, "service control policies"
	case r.ResourcePolicy != nil && r.ResourcePolicyType != "resource" && (r.ResourcePolicyType != "" || policy.ResourcePolicyKind(r.Action, r.Resource) != "resource"):
		// policy eval reads a trust policy or a KMS key policy from the
		// request (or resourcePolicyType); the simulator's ResourcePolicy
		// is a plain resource policy.
		return nil, "a trust or key policy as the resource policy"
	case checkCaller(r.Principal) != nil:
		return nil, "a principal that is not an ARN (service principal or bare account)"
	case len(r.Action) < 3 || len(r.Action) > 128:
		return nil, "an action name outside 3..128 characters"
	}
	in = &SimulateCustomPolicyInput{ActionNames: []string{r.Action}, PolicyInputList: []string{}, CallerARN: &r.Principal}
	for _, p := range r.IdentityPolicies {
		in.PolicyInputList = append(in.PolicyInputList, policyText(p))
	}
	if r.PermissionsBoundary != nil {
		in.PermissionsBoundaryPolicyInputList = []string{policyText(r.PermissionsBoundary)}
	}
	if r.ResourcePolicy != nil {
		rp := policyText(r.ResourcePolicy)
		in.ResourcePolicy = &rp
	}
	if r.Resource != "" {
		in.ResourceARNs = []string{r.Resource}
	}
	if r.ResourceAccount != "" {
		owner := "arn:aws:iam::" + r.ResourceAccount + ":root"
		in.ResourceOwner = &owner
	}
	keys := make([]string, 0, len(r.Context))
	for k := range r.Context {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if len(k) < 5 {
			return nil, "a context key shorter than 5 characters"
		}
		var one string
		var list []string
		switch {
		case json.Unmarshal(r.Context[k], &one) == nil:
			in.ContextEntries = append(in.ContextEntries, ContextEntry{ContextKeyName: k, ContextKeyValues: []string{one}, ContextKeyType: "string"})
		case json.Unmarshal(r.Context[k], &list) == nil:
			in.ContextEntries = append(in.ContextEntries, ContextEntry{ContextKeyName: k, ContextKeyValues: list, ContextKeyType: "stringList"})
		default:
			return nil, "a context value that is neither a string nor a list of strings"
		}
	}
	return in, ""
}

// TestSimulateCustomPolicy_Corpus runs every evaluation case of the policy
// engine's corpus through SimulateCustomPolicy and checks that the
// simulator decides as the engine does, with the same matched statements
// (by type and position) and missing context values: the simulator and
// the enforcement path never disagree.
func TestSimulateCustomPolicy_Corpus(t *testing.T) {
	s, root := newService(t)
	ctx := context.Background()
	files, err := filepath.Glob(filepath.Join("..", "..", "policy", "testdata", "cases", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	ran, skipped := 0, map[string]int{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var c struct {
			Request json.RawMessage `json:"request"`
		}
		if err := json.Unmarshal(data, &c); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if c.Request == nil {
			continue // a parse case
		}
		name := strings.TrimSuffix(filepath.Base(f), ".json")
		var r corpusRequest
		if err := json.Unmarshal(c.Request, &r); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		in, why := simulateCorpusCase(&r)
		if why != "" {
			skipped[why]++
			continue
		}
		ran++
		want, err := policy.DecodeInput(c.Request)
		if err != nil {
			t.Fatalf("%s: DecodeInput: %v", name, err)
		}
		var res policy.Result
		want.Policies.Evaluate(&want.Request, &res)

		out, err := s.SimulateCustomPolicy(ctx, root, in)
		if err != nil {
			t.Errorf("%s: SimulateCustomPolicy: %v", name, err)
			continue
		}
		if len(out.EvaluationResults) != 1 {
			t.Errorf("%s: %d evaluation results, want 1", name, len(out.EvaluationResults))
			continue
		}
		er := out.EvaluationResults[0]
		if er.EvalDecision != res.Decision.String() {
			t.Errorf("%s: SimulateCustomPolicy decision = %s, engine = %s", name, er.EvalDecision, res.Decision)
		}
		missing := er.MissingContextValues
		matched := er.MatchedStatements
		if len(er.ResourceSpecificResults) == 1 {
			missing = er.ResourceSpecificResults[0].MissingContextValues
			matched = er.ResourceSpecificResults[0].MatchedStatements
		}
		gotMissing, wantMissing := slices.Sorted(slices.Values(missing)), slices.Sorted(slices.Values(res.Missing))
		if !slices.Equal(gotMissing, wantMissing) {
			t.Errorf("%s: MissingContextValues = %q, engine = %q", name, gotMissing, wantMissing)
		}
		var gotM, wantM []string
		for _, m := range matched {
			typ := map[string]string{"IAM Policy": "identity", "Resource Policy": "resource", "Permissions Boundary Policy": "boundary"}[m.SourcePolicyType]
			// The simulator's start is the end of the token before the
			// statement (TestSimulateCustomPolicy_Output): only the end is
			// the engine's.
			gotM = append(gotM, typ+"@"+posString(m.EndPosition))
		}
		for _, m := range res.Matched {
			wantM = append(wantM, m.Type.String()+"@"+m.End.String())
		}
		slices.Sort(gotM)
		slices.Sort(wantM)
		if !slices.Equal(gotM, wantM) {
			t.Errorf("%s: MatchedStatements = %q, engine = %q", name, gotM, wantM)
		}
	}
	total := ran
	for why, n := range skipped {
		total += n
		t.Logf("skipped %d case(s) with %s", n, why)
	}
	t.Logf("ran %d of %d evaluation cases through SimulateCustomPolicy", ran, total)
	if ran < 600 {
		t.Errorf("ran %d corpus cases, want at least 600", ran)
	}
}

func posString(p *Position) string {
	if p == nil {
		return "nil"
	}
	return policy.Position{Line: p.Line, Column: p.Column}.String()
}

// TestSimulatePrincipalPolicy_AgreesWithAuthorize gives a user inline,
// group, managed and boundary policies and checks that, for a spread of
// actions and resources, SimulatePrincipalPolicy and the authorizer that
// guards every action decide alike.
func TestSimulatePrincipalPolicy_AgreesWithAuthorize(t *testing.T) {
	s, root := newService(t)
	ctx := context.Background()
	alice := userCaller(t, s, "alice",
		`{"Version":"2012-10-17","Statement":[{"Sid":"Own","Effect":"Allow","Action":["iam:Get*","iam:List*"],"Resource":"arn:aws:iam::111122223333:user/${aws:username}"}]}`)
	mustDo(t, "CreateGroup", func() error { _, err := s.CreateGroup(ctx, root, &CreateGroupInput{GroupName: "devs"}); return err })
	mustDo(t, "AddUserToGroup", func() error {
		_, err := s.AddUserToGroup(ctx, root, &AddUserToGroupInput{GroupName: "devs", UserName: "alice"})
		return err
	})
	mustDo(t, "PutGroupPolicy", func() error {
		_, err := s.PutGroupPolicy(ctx, root, &PutGroupPolicyInput{GroupName: "devs", PolicyName: "roles",
			PolicyDocument: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:*Role*","Resource":"*"},{"Effect":"Deny","Action":"iam:DeleteRole","Resource":"*"}]}`})
		return err
	})
	boundary := createPolicy(t, s, testAccount, "bound") // allows *:*
	mustDo(t, "PutUserPermissionsBoundary", func() error {
		_, err := s.PutUserPermissionsBoundary(ctx, root, &PutUserPermissionsBoundaryInput{UserName: "alice", PermissionsBoundary: boundary})
		return err
	})
	actions := []string{"iam:GetUser", "iam:ListAccessKeys", "iam:CreateRole", "iam:DeleteRole", "iam:CreateUser", "s3:GetObject"}
	resources := []string{"arn:aws:iam::111122223333:user/alice", "arn:aws:iam::111122223333:user/bob", "arn:aws:iam::111122223333:role/r", "*"}
	out, err := s.SimulatePrincipalPolicy(ctx, root, &SimulatePrincipalPolicyInput{
		PolicySourceARN: alice.ARN, ActionNames: actions, ResourceARNs: resources, MaxItems: ptr(int32(1000)),
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.EvaluationResults) != len(actions)*len(resources) {
		t.Fatalf("SimulatePrincipalPolicy gave %d results, want %d", len(out.EvaluationResults), len(actions)*len(resources))
	}
	allowed := 0
	for _, er := range out.EvaluationResults {
		res, err := s.Authz.Evaluate(ctx, alice, er.EvalActionName, er.EvalResourceName, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if er.EvalDecision != res.Decision.String() {
			t.Errorf("SimulatePrincipalPolicy(%s on %s) = %s, Authorize decides %s", er.EvalActionName, er.EvalResourceName, er.EvalDecision, res.Decision)
		}
		if er.EvalDecision == "allowed" {
			allowed++
		}
		if er.PermissionsBoundaryDecisionDetail == nil || !er.PermissionsBoundaryDecisionDetail.AllowedByPermissionsBoundary {
			t.Errorf("%s on %s: PermissionsBoundaryDecisionDetail = %+v, want allowed", er.EvalActionName, er.EvalResourceName, er.PermissionsBoundaryDecisionDetail)
		}
	}
	if allowed == 0 || allowed == len(out.EvaluationResults) {
		t.Errorf("%d of %d allowed: the test needs both outcomes", allowed, len(out.EvaluationResults))
	}
}

func mustDo(t *testing.T, what string, fn func() error) {
	t.Helper()
	if err := fn(); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func TestSimulateCustomPolicy_Output(t *testing.T) {
	s, root := newService(t)
	ctx := context.Background()
	doc := "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n      \"Sid\": \"Tagged\",\n      \"Effect\": \"Allow\",\n      \"Action\": \"s3:GetObject\",\n      \"Resource\": \"*\",\n      \"Condition\": {\"StringEquals\": {\"aws:PrincipalTag/team\": \"blue\"}}\n    },\n    {\"Effect\": \"Deny\", \"Action\": \"s3:DeleteObject\", \"Resource\": \"*\"}\n  ]\n}"
	tests := []struct {
		name    string
		in      SimulateCustomPolicyInput
		want    string // decision
		matched []Statement
		missing []string
	}{
		{
			name:    "missing context",
			in:      SimulateCustomPolicyInput{PolicyInputList: []string{doc}, ActionNames: []string{"s3:GetObject"}},
			want:    "implicitDeny",
			matched: []Statement{},
			missing: []string{"aws:PrincipalTag/team"},
		},
		{
			name: "context given",
			in: SimulateCustomPolicyInput{PolicyInputList: []string{doc}, ActionNames: []string{"s3:GetObject"},
				ContextEntries: []ContextEntry{{ContextKeyName: "aws:PrincipalTag/team", ContextKeyValues: []string{"blue"}, ContextKeyType: "string"}}},
			want:    "allowed",
			matched: []Statement{{SourcePolicyID: "PolicyInputList.1", SourcePolicyType: "IAM Policy", StartPosition: &Position{3, 17}, EndPosition: &Position{10, 6}}},
			missing: []string{},
		},
		{
			name:    "explicit deny",
			in:      SimulateCustomPolicyInput{PolicyInputList: []string{doc}, ActionNames: []string{"s3:DeleteObject"}},
			want:    "explicitDeny",
			matched: []Statement{{SourcePolicyID: "PolicyInputList.1", SourcePolicyType: "IAM Policy", StartPosition: &Position{10, 6}, EndPosition: &Position{11, 69}}},
			missing: []string{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := s.SimulateCustomPolicy(ctx, root, &tt.in)
			if err != nil {
				t.Fatal(err)
			}
			er := out.EvaluationResults[0]
			if er.EvalDecision != tt.want {
				t.Errorf("EvalDecision = %s, want %s", er.EvalDecision, tt.want)
			}
			gotM, _ := json.Marshal(er.MatchedStatements)
			wantM, _ := json.Marshal(tt.matched)
			if string(gotM) != string(wantM) {
				t.Errorf("MatchedStatements = %s, want %s", gotM, wantM)
			}
			if !slices.Equal([]string(er.MissingContextValues), tt.missing) {
				t.Errorf("MissingContextValues = %q, want %q", er.MissingContextValues, tt.missing)
			}
		})
	}
}

func TestSimulateCustomPolicy_Errors(t *testing.T) {
	s, root := newService(t)
	ctx := context.Background()
	ok := allow("s3:*", "*")
	tests := []struct {
		name string
		in   SimulateCustomPolicyInput
		code string
	}{
		{"malformed policy", SimulateCustomPolicyInput{PolicyInputList: []string{`{"Statement":[{"Effect":"allow"}]}`}, ActionNames: []string{"s3:GetObject"}}, keyward.ErrInvalidInput},
		{"bad numeric", SimulateCustomPolicyInput{PolicyInputList: []string{ok}, ActionNames: []string{"s3:GetObject"},
			ContextEntries: []ContextEntry{{ContextKeyName: "s3:max-keys", ContextKeyValues: []string{"ten"}, ContextKeyType: "numeric"}}}, keyward.ErrInvalidInput},
		{"two values for a single type", SimulateCustomPolicyInput{PolicyInputList: []string{ok}, ActionNames: []string{"s3:GetObject"},
			ContextEntries: []ContextEntry{{ContextKeyName: "aws:SourceIp", ContextKeyValues: []string{"10.0.0.1", "10.0.0.2"}, ContextKeyType: "ip"}}}, keyward.ErrInvalidInput},
		{"resource policy without caller", SimulateCustomPolicyInput{PolicyInputList: []string{ok}, ActionNames: []string{"s3:GetObject"},
			ResourcePolicy: ptr(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}]}`)}, keyward.ErrInvalidInput},
		{"bad resource handling option", SimulateCustomPolicyInput{PolicyInputList: []string{ok}, ActionNames: []string{"s3:GetObject"}, ResourceHandlingOption: ptr("EC2-Classic")}, keyward.ErrInvalidInput},
		{"bad owner", SimulateCustomPolicyInput{PolicyInputList: []string{ok}, ActionNames: []string{"s3:GetObject"}, ResourceOwner: ptr("bob")}, keyward.ErrInvalidInput},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.SimulateCustomPolicy(ctx, root, &tt.in)
			wantCode(t, "SimulateCustomPolicy", err, tt.code)
		})
	}
}

func TestSimulate_PagingAndContextKeys(t *testing.T) {
	s, root := newService(t)
	ctx := context.Background()
	in := SimulateCustomPolicyInput{PolicyInputList: []string{allow("s3:*", "*")}, ActionNames: []string{"s3:GetObject", "s3:PutObject", "s3:DeleteObject"}, MaxItems: ptr(int32(2))}
	out, err := s.SimulateCustomPolicy(ctx, root, &in)
	if err != nil {
		t.Fatal(err)
	}
	if len(out.EvaluationResults) != 2 || !out.IsTruncated || out.Marker == "" {
		t.Fatalf("first page = %d results, truncated %v, marker %q; want 2, true, a marker", len(out.EvaluationResults), out.IsTruncated, out.Marker)
	}
	in.Marker = &out.Marker
	out, err = s.SimulateCustomPolicy(ctx, root, &in)
	if err != nil {
		t.Fatal(err)
	}
	if len(out.EvaluationResults) != 1 || out.IsTruncated || out.EvaluationResults[0].EvalActionName != "s3:DeleteObject" {
		t.Fatalf("second page = %+v", out)
	}

	keys, err := s.GetContextKeysForCustomPolicy(ctx, root, &GetContextKeysForCustomPolicyInput{PolicyInputList: []string{
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/${aws:username}/*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"},"StringEquals":{"s3:prefix":"${aws:PrincipalTag/team, 'none'}"}}}]}`,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"false"},"IpAddress":{"AWS:SourceIP":"10.0.0.1"}}}]}`,
	}})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"aws:MultiFactorAuthPresent", "aws:PrincipalTag/team", "aws:SourceIp", "aws:username", "s3:prefix"}
	if !slices.Equal([]string(keys.ContextKeyNames), want) {
		t.Errorf("GetContextKeysForCustomPolicy = %q, want %q", keys.ContextKeyNames, want)
	}

	alice := userCaller(t, s, "alice", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringLike":{"aws:PrincipalTag/dept":"x*"}}}]}`)
	pk, err := s.GetContextKeysForPrincipalPolicy(ctx, root, &GetContextKeysForPrincipalPolicyInput{PolicySourceARN: alice.ARN})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal([]string(pk.ContextKeyNames), []string{"aws:PrincipalTag/dept"}) {
		t.Errorf("GetContextKeysForPrincipalPolicy = %q", pk.ContextKeyNames)
	}
	_, err = s.GetContextKeysForPrincipalPolicy(ctx, root, &GetContextKeysForPrincipalPolicyInput{PolicySourceARN: "arn:aws:iam::111122223333:user/nobody"})
	wantCode(t, "GetContextKeysForPrincipalPolicy(nobody)", err, keyward.ErrNoSuchEntity)
	// A user may not simulate what it may not see.
	_, err = s.SimulatePrincipalPolicy(ctx, alice, &SimulatePrincipalPolicyInput{PolicySourceARN: alice.ARN, ActionNames: []string{"s3:GetObject"}})
	wantCode(t, "SimulatePrincipalPolicy as alice without a tag", err, keyward.ErrAccessDenied)
}

// A role's simulation acts as the role, with its tags; a group's has no
// caller of its own, so the principal's keys are reported missing.
func TestSimulatePrincipalPolicy_RoleAndGroup(t *testing.T) {
	s, root := newService(t)
	ctx := context.Background()
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	mustDo(t, "CreateRole", func() error {
		_, err := s.CreateRole(ctx, root, &CreateRoleInput{RoleName: "app", AssumeRolePolicyDocument: trust, Tags: []keyward.Tag{{Key: "team", Value: "blue"}}})
		return err
	})
	mustDo(t, "PutRolePolicy", func() error {
		_, err := s.PutRolePolicy(ctx, root, &PutRolePolicyInput{RoleName: "app", PolicyName: "team",
			PolicyDocument: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::${aws:PrincipalTag/team}/*"}]}`})
		return err
	})
	mustDo(t, "CreateGroup", func() error { _, err := s.CreateGroup(ctx, root, &CreateGroupInput{GroupName: "g"}); return err })
	mustDo(t, "PutGroupPolicy", func() error {
		_, err := s.PutGroupPolicy(ctx, root, &PutGroupPolicyInput{GroupName: "g", PolicyName: "own",
			PolicyDocument: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"arn:aws:iam::111122223333:user/${aws:username}"}]}`})
		return err
	})
	tests := []struct {
		name, source, action, resource, want, typ string
		missing                                   []string
	}{
		{"role, its tag", "arn:aws:iam::111122223333:role/app", "s3:GetObject", "arn:aws:s3:::blue/x", "allowed", "role_app_team", nil},
		{"role, another bucket", "arn:aws:iam::111122223333:role/app", "s3:GetObject", "arn:aws:s3:::red/x", "implicitDeny", "", nil},
		{"group, no caller", "arn:aws:iam::111122223333:group/g", "iam:GetUser", "arn:aws:iam::111122223333:user/x", "implicitDeny", "", []string{"aws:username"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := s.SimulatePrincipalPolicy(ctx, root, &SimulatePrincipalPolicyInput{PolicySourceARN: tt.source, ActionNames: []string{tt.action}, ResourceARNs: []string{tt.resource}})
			if err != nil {
				t.Fatal(err)
			}
			er := out.EvaluationResults[0]
			if er.EvalDecision != tt.want {
				t.Errorf("EvalDecision = %s, want %s", er.EvalDecision, tt.want)
			}
			if tt.typ != "" && (len(er.MatchedStatements) != 1 || er.MatchedStatements[0].SourcePolicyID != tt.typ || er.MatchedStatements[0].SourcePolicyType != "IAM Policy") {
				t.Errorf("MatchedStatements = %+v, want one from %s, type IAM Policy", er.MatchedStatements, tt.typ)
			}
			if got := []string(er.ResourceSpecificResults[0].MissingContextValues); !slices.Equal(got, tt.missing) && !(len(got) == 0 && tt.missing == nil) {
				t.Errorf("MissingContextValues = %q, want %q", got, tt.missing)
			}
		})
	}
}
