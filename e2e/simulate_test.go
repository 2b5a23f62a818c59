package e2e

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// The simulator's test policy: its second statement starts on line 9,
// column 5, and ends on line 15, column 6 (just past its closing brace).
const simPolicy = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "iam:GetUser",
      "Resource": "*"
    },
    {
      "Sid": "Office",
      "Effect": "Allow",
      "Action": "s3:GetObject",
      "Resource": "arn:aws:s3:::reports/*",
      "Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}, "NumericLessThan": {"s3:max-keys": "10"}}
    }
  ]
}`

// newUserWithKey creates a user with an inline policy and an access key.
func newUserWithKey(t *testing.T, s *Server, name, doc string) Creds {
	t.Helper()
	c := s.IAM(s.Root)
	if _, err := c.CreateUser(ctx(t), &iam.CreateUserInput{UserName: aws.String(name)}); err != nil {
		t.Fatal(err)
	}
	if doc != "" {
		if _, err := c.PutUserPolicy(ctx(t), &iam.PutUserPolicyInput{UserName: aws.String(name), PolicyName: aws.String("p"), PolicyDocument: aws.String(doc)}); err != nil {
			t.Fatal(err)
		}
	}
	k, err := c.CreateAccessKey(ctx(t), &iam.CreateAccessKeyInput{UserName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	return Creds{ID: aws.ToString(k.AccessKey.AccessKeyId), Secret: aws.ToString(k.AccessKey.SecretAccessKey)}
}

func TestSimulatePrincipalPolicy_SDK(t *testing.T) {
	s := startServer(t)
	c := s.IAM(s.Root)
	newUserWithKey(t, s, "alice", simPolicy)
	alice := "arn:aws:iam::" + testAccount + ":user/alice"

	// Without context: the condition's keys are reported missing, under
	// ResourceSpecificResults since resources are given.
	out, err := c.SimulatePrincipalPolicy(ctx(t), &iam.SimulatePrincipalPolicyInput{
		PolicySourceArn: aws.String(alice),
		ActionNames:     []string{"s3:GetObject", "iam:GetUser", "iam:DeleteUser"},
		ResourceArns:    []string{"arn:aws:s3:::reports/q3.csv"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.EvaluationResults) != 3 {
		t.Fatalf("%d evaluation results, want 3", len(out.EvaluationResults))
	}
	get := out.EvaluationResults[0]
	if get.EvalDecision != types.PolicyEvaluationDecisionTypeImplicitDeny || len(get.ResourceSpecificResults) != 1 ||
		strings.Join(get.ResourceSpecificResults[0].MissingContextValues, ",") != "aws:SourceIp,s3:max-keys" {
		t.Errorf("s3:GetObject without context = %s, resource results %+v; want implicitDeny missing aws:SourceIp and s3:max-keys",
			get.EvalDecision, get.ResourceSpecificResults)
	}
	if d := out.EvaluationResults[1].EvalDecision; d != types.PolicyEvaluationDecisionTypeAllowed {
		t.Errorf("iam:GetUser = %s, want allowed", d)
	}
	if d := out.EvaluationResults[2].EvalDecision; d != types.PolicyEvaluationDecisionTypeImplicitDeny {
		t.Errorf("iam:DeleteUser = %s, want implicitDeny", d)
	}

	// With typed context: allowed, and the matched statement's position.
	out, err = c.SimulatePrincipalPolicy(ctx(t), &iam.SimulatePrincipalPolicyInput{
		PolicySourceArn: aws.String(alice),
		ActionNames:     []string{"s3:GetObject"},
		ResourceArns:    []string{"arn:aws:s3:::reports/q4.csv"},
		ContextEntries: []types.ContextEntry{
			{ContextKeyName: aws.String("aws:SourceIp"), ContextKeyValues: []string{"203.0.113.9"}, ContextKeyType: types.ContextKeyTypeEnumIp},
			{ContextKeyName: aws.String("s3:max-keys"), ContextKeyValues: []string{"5"}, ContextKeyType: types.ContextKeyTypeEnumNumeric},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	r := out.EvaluationResults[0]
	if r.EvalDecision != types.PolicyEvaluationDecisionTypeAllowed || len(r.MatchedStatements) != 1 {
		t.Fatalf("s3:GetObject with context = %s, %+v; want allowed by one statement", r.EvalDecision, r.MatchedStatements)
	}
	m := r.MatchedStatements[0]
	// As IAM's simulator says it: the inline policy as KIND_ENTITY_POLICY,
	// "IAM Policy", from just after the previous statement's '}'.
	if aws.ToString(m.SourcePolicyId) != "user_alice_p" || m.SourcePolicyType != "IAM Policy" ||
		m.StartPosition.Line != 8 || m.StartPosition.Column != 6 || m.EndPosition.Line != 15 || m.EndPosition.Column != 6 {
		t.Errorf("matched statement = %s %s %d:%d-%d:%d, want user_alice_p IAM Policy 8:6-15:6", aws.ToString(m.SourcePolicyId), m.SourcePolicyType,
			m.StartPosition.Line, m.StartPosition.Column, m.EndPosition.Line, m.EndPosition.Column)
	}
	if aws.ToString(r.EvalResourceName) != "arn:aws:s3:::reports/q4.csv" || len(r.ResourceSpecificResults) != 1 || len(r.ResourceSpecificResults[0].MissingContextValues) != 0 {
		t.Errorf("EvalResourceName = %v, ResourceSpecificResults = %+v; want the object, nothing missing", r.EvalResourceName, r.ResourceSpecificResults)
	}

	// A bad value for its type.
	_, err = c.SimulatePrincipalPolicy(ctx(t), &iam.SimulatePrincipalPolicyInput{
		PolicySourceArn: aws.String(alice), ActionNames: []string{"s3:GetObject"},
		ContextEntries: []types.ContextEntry{{ContextKeyName: aws.String("aws:CurrentTime"), ContextKeyValues: []string{"yesterday"}, ContextKeyType: types.ContextKeyTypeEnumDate}},
	})
	wantErrorCode(t, "SimulatePrincipalPolicy(bad date)", err, "InvalidInput")
	_, err = c.SimulatePrincipalPolicy(ctx(t), &iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String("arn:aws:iam::" + testAccount + ":user/nobody"), ActionNames: []string{"s3:GetObject"}})
	wantErrorCode(t, "SimulatePrincipalPolicy(nobody)", err, "NoSuchEntity")

	// Pagination over action x resource pairs.
	p := iam.NewSimulatePrincipalPolicyPaginator(c, &iam.SimulatePrincipalPolicyInput{
		PolicySourceArn: aws.String(alice), ActionNames: []string{"iam:GetUser", "iam:CreateUser", "iam:DeleteUser"},
		ResourceArns: []string{"arn:aws:iam::" + testAccount + ":user/a", "arn:aws:iam::" + testAccount + ":user/b"}, MaxItems: aws.Int32(4),
	})
	pages, total := 0, 0
	for p.HasMorePages() {
		page, err := p.NextPage(ctx(t))
		if err != nil {
			t.Fatal(err)
		}
		pages++
		total += len(page.EvaluationResults)
	}
	if pages != 2 || total != 6 {
		t.Errorf("paginated simulation: %d pages, %d results; want 2, 6", pages, total)
	}

	keys, err := c.GetContextKeysForPrincipalPolicy(ctx(t), &iam.GetContextKeysForPrincipalPolicyInput{PolicySourceArn: aws.String(alice)})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(keys.ContextKeyNames, ","); got != "aws:SourceIp,s3:max-keys" {
		t.Errorf("GetContextKeysForPrincipalPolicy = %s", got)
	}
}

func TestSimulateCustomPolicy_SDK(t *testing.T) {
	s := startServer(t)
	c := s.IAM(s.Root)
	boundary := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`
	bucketPolicy := `{"Version":"2012-10-17","Statement":[{"Sid":"Partner","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:user/partner"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::reports/*"}]}`
	tests := []struct {
		name     string
		in       iam.SimulateCustomPolicyInput
		decision types.PolicyEvaluationDecisionType
		boundary *bool
		types    string // matched statements' source types
	}{
		{"allowed within the boundary", iam.SimulateCustomPolicyInput{PolicyInputList: []string{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`},
			PermissionsBoundaryPolicyInputList: []string{boundary}, ActionNames: []string{"s3:PutObject"}}, types.PolicyEvaluationDecisionTypeAllowed, aws.Bool(true), "IAM Policy,Permissions Boundary Policy"}, // the policy's and the boundary's, as IAM names them
		{"outside the boundary", iam.SimulateCustomPolicyInput{PolicyInputList: []string{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`},
			PermissionsBoundaryPolicyInputList: []string{boundary}, ActionNames: []string{"iam:CreateUser"}}, types.PolicyEvaluationDecisionTypeImplicitDeny, aws.Bool(false), ""},
		{"cross-account: the bucket allows, the caller's own policy too", iam.SimulateCustomPolicyInput{
			PolicyInputList: []string{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`},
			ActionNames:     []string{"s3:GetObject"}, ResourceArns: []string{"arn:aws:s3:::reports/q3.csv"}, ResourcePolicy: aws.String(bucketPolicy),
			CallerArn: aws.String("arn:aws:iam::444455556666:user/partner"), ResourceOwner: aws.String("arn:aws:iam::" + testAccount + ":root")},
			types.PolicyEvaluationDecisionTypeAllowed, nil, "IAM Policy,Resource Policy"},
		{"cross-account: the caller's own policy does not allow", iam.SimulateCustomPolicyInput{
			PolicyInputList: []string{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:PutObject","Resource":"*"}]}`},
			ActionNames:     []string{"s3:GetObject"}, ResourceArns: []string{"arn:aws:s3:::reports/q3.csv"}, ResourcePolicy: aws.String(bucketPolicy),
			CallerArn: aws.String("arn:aws:iam::444455556666:user/partner"), ResourceOwner: aws.String("arn:aws:iam::" + testAccount + ":root")},
			types.PolicyEvaluationDecisionTypeImplicitDeny, nil, ""},
		{"explicit deny with a boolean key", iam.SimulateCustomPolicyInput{
			PolicyInputList: []string{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"false"}}}]}`},
			ActionNames:     []string{"iam:DeleteUser"},
			ContextEntries:  []types.ContextEntry{{ContextKeyName: aws.String("aws:MultiFactorAuthPresent"), ContextKeyValues: []string{"false"}, ContextKeyType: types.ContextKeyTypeEnumBoolean}}},
			types.PolicyEvaluationDecisionTypeExplicitDeny, nil, "IAM Policy"},
		{"a string list", iam.SimulateCustomPolicyInput{
			PolicyInputList: []string{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:TagUser","Resource":"*","Condition":{"ForAllValues:StringEquals":{"aws:TagKeys":["team","env"]}}}]}`},
			ActionNames:     []string{"iam:TagUser"},
			ContextEntries:  []types.ContextEntry{{ContextKeyName: aws.String("aws:TagKeys"), ContextKeyValues: []string{"team", "env"}, ContextKeyType: types.ContextKeyTypeEnumStringList}}},
			types.PolicyEvaluationDecisionTypeAllowed, nil, "IAM Policy"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := c.SimulateCustomPolicy(ctx(t), &tt.in)
			if err != nil {
				t.Fatal(err)
			}
			r := out.EvaluationResults[0]
			if r.EvalDecision != tt.decision {
				t.Errorf("EvalDecision = %s, want %s", r.EvalDecision, tt.decision)
			}
			var got []string
			for _, m := range r.MatchedStatements {
				got = append(got, string(m.SourcePolicyType))
			}
			slices.Sort(got)
			if strings.Join(got, ",") != tt.types {
				t.Errorf("matched statement types = %q, want %q", got, tt.types)
			}
			if tt.boundary != nil && (r.PermissionsBoundaryDecisionDetail == nil || r.PermissionsBoundaryDecisionDetail.AllowedByPermissionsBoundary != *tt.boundary) {
				t.Errorf("PermissionsBoundaryDecisionDetail = %+v, want AllowedByPermissionsBoundary %v", r.PermissionsBoundaryDecisionDetail, *tt.boundary)
			}
		})
	}
	_, err := c.SimulateCustomPolicy(ctx(t), &iam.SimulateCustomPolicyInput{PolicyInputList: []string{`{"Statement":`}, ActionNames: []string{"s3:GetObject"}})
	wantErrorCode(t, "SimulateCustomPolicy(malformed)", err, "InvalidInput")

	keys, err := c.GetContextKeysForCustomPolicy(ctx(t), &iam.GetContextKeysForCustomPolicyInput{PolicyInputList: []string{simPolicy,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::home/${aws:username}/*"}]}`}})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(keys.ContextKeyNames, ","); got != "aws:SourceIp,aws:username,s3:max-keys" {
		t.Errorf("GetContextKeysForCustomPolicy = %s", got)
	}
}

// TestSimulateCustomPolicy_AWSCLI: the CLI's shorthand for context entries,
// and the positions it prints.
func TestSimulateCustomPolicy_AWSCLI(t *testing.T) {
	if _, err := exec.LookPath("aws"); err != nil {
		t.Skip("the AWS CLI (aws) is not installed")
	}
	s := startServer(t)
	cmd := exec.Command("aws", "iam", "simulate-custom-policy", "--output", "json",
		"--policy-input-list", simPolicy, "--action-names", "s3:GetObject",
		"--context-entries", "ContextKeyName=aws:SourceIp,ContextKeyValues=203.0.113.9,ContextKeyType=ip",
		"ContextKeyName=s3:max-keys,ContextKeyValues=20,ContextKeyType=numeric")
	cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID="+s.Root.ID, "AWS_SECRET_ACCESS_KEY="+s.Root.Secret,
		"AWS_DEFAULT_REGION=us-east-1", "AWS_ENDPOINT_URL="+s.URL, "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_MAX_ATTEMPTS=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("aws iam simulate-custom-policy: %v\n%s", err, out)
	}
	var res struct {
		EvaluationResults []struct {
			EvalDecision         string
			MissingContextValues []string
		}
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(res.EvaluationResults) != 1 || res.EvaluationResults[0].EvalDecision != "implicitDeny" || len(res.EvaluationResults[0].MissingContextValues) != 0 {
		t.Errorf("simulate-custom-policy with s3:max-keys 20 = %s, want implicitDeny with nothing missing", out)
	}
}

// TestLastAccessed_SDK: what a user and a role session did shows in the
// last-accessed reports, RoleLastUsed, GetAccessKeyLastUsed and the
// credential report.
func TestLastAccessed_SDK(t *testing.T) {
	s := startServer(t)
	c := s.IAM(s.Root)
	bob := newUserWithKey(t, s, "bob", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:GetUser","sts:AssumeRole"],"Resource":"*"}]}`)
	if _, err := s.IAM(bob).GetUser(ctx(t), &iam.GetUserInput{}); err != nil {
		t.Fatal(err)
	}
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + testAccount + `:user/bob"},"Action":"sts:AssumeRole"}]}`
	if _, err := c.CreateRole(ctx(t), &iam.CreateRoleInput{RoleName: aws.String("app"), AssumeRolePolicyDocument: aws.String(trust)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutRolePolicy(ctx(t), &iam.PutRolePolicyInput{RoleName: aws.String("app"), PolicyName: aws.String("read"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:List*","Resource":"*"}]}`)}); err != nil {
		t.Fatal(err)
	}
	as, err := s.STS(bob).AssumeRole(ctx(t), &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + testAccount + ":role/app"), RoleSessionName: aws.String("job")})
	if err != nil {
		t.Fatal(err)
	}
	session := Creds{ID: aws.ToString(as.Credentials.AccessKeyId), Secret: aws.ToString(as.Credentials.SecretAccessKey), Token: aws.ToString(as.Credentials.SessionToken)}
	if _, err := s.IAM(session).ListUsers(ctx(t), &iam.ListUsersInput{}); err != nil {
		t.Fatal(err)
	}

	role, err := c.GetRole(ctx(t), &iam.GetRoleInput{RoleName: aws.String("app")})
	if err != nil {
		t.Fatal(err)
	}
	if lu := role.Role.RoleLastUsed; lu == nil || lu.LastUsedDate == nil || time.Since(*lu.LastUsedDate) > time.Minute || aws.ToString(lu.Region) != "us-east-1" {
		t.Errorf("RoleLastUsed = %+v, want just now in us-east-1", role.Role.RoleLastUsed)
	}
	key, err := c.GetAccessKeyLastUsed(ctx(t), &iam.GetAccessKeyLastUsedInput{AccessKeyId: aws.String(bob.ID)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(key.AccessKeyLastUsed.ServiceName) == "N/A" || key.AccessKeyLastUsed.LastUsedDate == nil {
		t.Errorf("GetAccessKeyLastUsed(bob) = %+v, want a use", key.AccessKeyLastUsed)
	}

	gen, err := c.GenerateServiceLastAccessedDetails(ctx(t), &iam.GenerateServiceLastAccessedDetailsInput{
		Arn: aws.String("arn:aws:iam::" + testAccount + ":role/app"), Granularity: types.AccessAdvisorUsageGranularityTypeActionLevel})
	if err != nil {
		t.Fatal(err)
	}
	det, err := c.GetServiceLastAccessedDetails(ctx(t), &iam.GetServiceLastAccessedDetailsInput{JobId: gen.JobId})
	if err != nil {
		t.Fatal(err)
	}
	if det.JobStatus != types.JobStatusTypeCompleted || len(det.ServicesLastAccessed) != 1 {
		t.Fatalf("GetServiceLastAccessedDetails = %s, %+v; want COMPLETED, iam only", det.JobStatus, det.ServicesLastAccessed)
	}
	svc := det.ServicesLastAccessed[0]
	if aws.ToString(svc.ServiceNamespace) != "iam" || svc.LastAuthenticated == nil || aws.ToString(svc.LastAuthenticatedEntity) != "arn:aws:iam::"+testAccount+":role/app" ||
		aws.ToInt32(svc.TotalAuthenticatedEntities) != 1 || len(svc.TrackedActionsLastAccessed) != 1 || aws.ToString(svc.TrackedActionsLastAccessed[0].ActionName) != "ListUsers" {
		t.Errorf("iam's entry = %+v", svc)
	}
	ents, err := c.GetServiceLastAccessedDetailsWithEntities(ctx(t), &iam.GetServiceLastAccessedDetailsWithEntitiesInput{JobId: gen.JobId, ServiceNamespace: aws.String("iam")})
	if err != nil {
		t.Fatal(err)
	}
	if len(ents.EntityDetailsList) != 1 || aws.ToString(ents.EntityDetailsList[0].EntityInfo.Name) != "app" || ents.EntityDetailsList[0].EntityInfo.Type != types.PolicyOwnerEntityTypeRole {
		t.Errorf("EntityDetailsList = %+v", ents.EntityDetailsList)
	}
	grants, err := c.ListPoliciesGrantingServiceAccess(ctx(t), &iam.ListPoliciesGrantingServiceAccessInput{
		Arn: aws.String("arn:aws:iam::" + testAccount + ":user/bob"), ServiceNamespaces: []string{"sts", "s3"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(grants.PoliciesGrantingServiceAccess) != 2 || len(grants.PoliciesGrantingServiceAccess[0].Policies) != 1 ||
		grants.PoliciesGrantingServiceAccess[0].Policies[0].PolicyType != types.PolicyTypeInline || len(grants.PoliciesGrantingServiceAccess[1].Policies) != 0 {
		t.Errorf("ListPoliciesGrantingServiceAccess = %+v", grants.PoliciesGrantingServiceAccess)
	}

	if _, err := c.GetCredentialReport(ctx(t), &iam.GetCredentialReportInput{}); errorCode(err) != "ReportNotPresent" {
		t.Errorf("GetCredentialReport before generating: %v, want ReportNotPresent", err)
	}
	if _, err := c.GenerateCredentialReport(ctx(t), &iam.GenerateCredentialReportInput{}); err != nil {
		t.Fatal(err)
	}
	rep, err := c.GetCredentialReport(ctx(t), &iam.GetCredentialReportInput{})
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(string(rep.Content))).ReadAll()
	if err != nil {
		t.Fatalf("credential report is not CSV: %v\n%s", err, rep.Content)
	}
	if len(rows) != 3 || rows[0][0] != "user" || rows[1][0] != "<root_account>" || rows[2][0] != "bob" || rows[2][8] != "true" || rows[2][12] == "N/A" {
		t.Errorf("credential report rows = %q", rows)
	}
}

// TestAudit_Binary: keyward serve --audit writes a line per request and
// keyward audit reads them back.
func TestAudit_Binary(t *testing.T) {
	trail := filepath.Join(t.TempDir(), "audit.log")
	s := startServer(t, "--audit", trail, "--audit-sync")
	if _, err := s.IAM(s.Root).CreateUser(ctx(t), &iam.CreateUserInput{UserName: aws.String("carol")}); err != nil {
		t.Fatal(err)
	}
	carol := newUserWithKey(t, s, "dave", "")
	_, err := s.IAM(carol).ListUsers(ctx(t), &iam.ListUsersInput{})
	wantErrorCode(t, "ListUsers as dave", err, "AccessDenied")
	out, err := exec.Command(binary, "audit", "--file", trail, "--decision", "implicitDeny").CombinedOutput()
	if err != nil {
		t.Fatalf("keyward audit: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != 1 || !strings.Contains(lines[0], "arn:aws:iam::"+testAccount+":user/dave iam:ListUsers arn:aws:iam::"+testAccount+":user/ implicitDeny AccessDenied") {
		t.Errorf("keyward audit --decision implicitDeny =\n%s", out)
	}

	// Rotation: move the file away and send SIGHUP; the next line goes to
	// a new file at the path.
	if err := os.Rename(trail, trail+".1"); err != nil {
		t.Fatal(err)
	}
	if err := s.cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := s.IAM(s.Root).GetUser(ctx(t), &iam.GetUserInput{UserName: aws.String("carol")}); err != nil {
			t.Fatal(err)
		}
		if data, err := os.ReadFile(trail); err == nil && strings.Contains(string(data), `"action":"iam:GetUser"`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no line in a new %s after SIGHUP", trail)
		}
		time.Sleep(50 * time.Millisecond)
	}
	old, err := os.ReadFile(trail + ".1")
	if err != nil || !strings.Contains(string(old), `"action":"iam:CreateUser"`) {
		t.Errorf("the rotated file lost its lines: %v", err)
	}
}

// TestEnforcementLog_Binary: keyward serve --enforcement=log lets through
// what IAM policies deny, logging and auditing it, but keeps
// authentication and sts:AssumeRole's trust policy enforced.
func TestEnforcementLog_Binary(t *testing.T) {
	trail := filepath.Join(t.TempDir(), "audit.log")
	s := startServer(t, "--audit", trail, "--enforcement", "log")
	erin := newUserWithKey(t, s, "erin", "")
	out, err := s.IAM(erin).ListUsers(ctx(t), &iam.ListUsersInput{})
	if err != nil || len(out.Users) != 1 {
		t.Fatalf("ListUsers as erin (no policies) under --enforcement=log = %v, %v; want it let through", out, err)
	}
	// The trust policy must name a user that exists (AWS refuses others).
	if _, err := s.IAM(s.Root).CreateUser(ctx(t), &iam.CreateUserInput{UserName: aws.String("somebody-else")}); err != nil {
		t.Fatal(err)
	}
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + testAccount + `:user/somebody-else"},"Action":"sts:AssumeRole"}]}`
	if _, err := s.IAM(s.Root).CreateRole(ctx(t), &iam.CreateRoleInput{RoleName: aws.String("locked"), AssumeRolePolicyDocument: aws.String(trust)}); err != nil {
		t.Fatal(err)
	}
	_, err = s.STS(erin).AssumeRole(ctx(t), &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + testAccount + ":role/locked"), RoleSessionName: aws.String("job")})
	wantErrorCode(t, "AssumeRole against a trust policy that does not name erin", err, "AccessDenied")
	_, err = s.IAM(Creds{ID: erin.ID, Secret: "wrong"}).ListUsers(ctx(t), &iam.ListUsersInput{})
	wantErrorCode(t, "ListUsers with a wrong secret", err, "SignatureDoesNotMatch")

	data, err := os.ReadFile(trail)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), `"action":"iam:ListUsers","caller":"arn:aws:iam::`+testAccount+`:user/erin"`) ||
		!strings.Contains(string(data), `"decision":"implicitDeny","enforcement":"log"`) {
		t.Errorf("the trail lacks erin's ListUsers let through:\n%s", data)
	}
}
