package e2e

import (
	"encoding/json"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// AWS-managed policies exist in every account with their real documents
// and versions, cannot be changed, and grant what they grant on AWS.
func TestAWSManagedPolicies_SDK(t *testing.T) {
	s := startServer(t)
	c := s.IAM(s.Root)
	cx := ctx(t)
	const readOnly = "arn:aws:iam::aws:policy/IAMReadOnlyAccess"

	got, err := c.GetPolicy(cx, &iam.GetPolicyInput{PolicyArn: aws.String(readOnly)})
	if err != nil {
		t.Fatalf("GetPolicy(IAMReadOnlyAccess): %v", err)
	}
	p := got.Policy
	if aws.ToString(p.PolicyName) != "IAMReadOnlyAccess" || aws.ToString(p.Path) != "/" || !p.IsAttachable ||
		!strings.HasPrefix(aws.ToString(p.PolicyId), "ANPA") || aws.ToInt32(p.AttachmentCount) != 0 {
		t.Errorf("GetPolicy(IAMReadOnlyAccess) = %+v", p)
	}
	v, err := c.GetPolicyVersion(cx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(readOnly), VersionId: p.DefaultVersionId})
	if err != nil {
		t.Fatalf("GetPolicyVersion(IAMReadOnlyAccess, %s): %v", aws.ToString(p.DefaultVersionId), err)
	}
	doc, _ := url.QueryUnescape(aws.ToString(v.PolicyVersion.Document))
	if !strings.Contains(doc, `"iam:Get*"`) || !strings.Contains(doc, `"iam:List*"`) || !v.PolicyVersion.IsDefaultVersion {
		t.Errorf("IAMReadOnlyAccess's default document = %s, want iam:Get* and iam:List*", doc)
	}
	versions, err := c.ListPolicyVersions(cx, &iam.ListPolicyVersionsInput{PolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")})
	if err != nil || len(versions.Versions) < 10 {
		t.Fatalf("ListPolicyVersions(ReadOnlyAccess) = %d versions, %v; want its history", len(versions.Versions), err)
	}

	count := 0
	pages := iam.NewListPoliciesPaginator(c, &iam.ListPoliciesInput{Scope: types.PolicyScopeTypeAws, MaxItems: aws.Int32(1000)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(cx)
		if err != nil {
			t.Fatalf("ListPolicies(Scope AWS): %v", err)
		}
		count += len(page.Policies)
	}
	if count < 1000 {
		t.Errorf("ListPolicies(Scope AWS) = %d policies, want over 1000", count)
	}
	local, err := c.ListPolicies(cx, &iam.ListPoliciesInput{Scope: types.PolicyScopeTypeLocal})
	if err != nil || len(local.Policies) != 0 {
		t.Errorf("ListPolicies(Scope Local) = %d policies, %v; want none", len(local.Policies), err)
	}

	_, err = c.DeletePolicy(cx, &iam.DeletePolicyInput{PolicyArn: aws.String(readOnly)})
	wantErrorCode(t, "DeletePolicy(IAMReadOnlyAccess)", err, "AccessDenied")
	_, err = c.CreatePolicyVersion(cx, &iam.CreatePolicyVersionInput{PolicyArn: aws.String(readOnly), PolicyDocument: aws.String(allowDoc("*", "*")), SetAsDefault: true})
	wantErrorCode(t, "CreatePolicyVersion(IAMReadOnlyAccess)", err, "AccessDenied")

	if _, err := c.CreateUser(cx, &iam.CreateUserInput{UserName: aws.String("auditor")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.AttachUserPolicy(cx, &iam.AttachUserPolicyInput{UserName: aws.String("auditor"), PolicyArn: aws.String("arn:aws:iam::aws:policy/aws-service-role/AWSSupportServiceRolePolicy")})
	wantErrorCode(t, "AttachUserPolicy(AWSSupportServiceRolePolicy)", err, "PolicyNotAttachable")
	if _, err := c.AttachUserPolicy(cx, &iam.AttachUserPolicyInput{UserName: aws.String("auditor"), PolicyArn: aws.String(readOnly)}); err != nil {
		t.Fatalf("AttachUserPolicy(IAMReadOnlyAccess): %v", err)
	}
	key, err := c.CreateAccessKey(cx, &iam.CreateAccessKeyInput{UserName: aws.String("auditor")})
	if err != nil {
		t.Fatal(err)
	}
	auditor := s.IAM(Creds{ID: aws.ToString(key.AccessKey.AccessKeyId), Secret: aws.ToString(key.AccessKey.SecretAccessKey)})
	if _, err := auditor.GetUser(cx, &iam.GetUserInput{UserName: aws.String("auditor")}); err != nil {
		t.Errorf("GetUser with IAMReadOnlyAccess: %v", err)
	}
	if _, err := auditor.ListRoles(cx, &iam.ListRolesInput{}); err != nil {
		t.Errorf("ListRoles with IAMReadOnlyAccess: %v", err)
	}
	_, err = auditor.CreateUser(cx, &iam.CreateUserInput{UserName: aws.String("mallory")})
	wantErrorCode(t, "CreateUser with IAMReadOnlyAccess", err, "AccessDenied")

	ents, err := c.ListEntitiesForPolicy(cx, &iam.ListEntitiesForPolicyInput{PolicyArn: aws.String(readOnly)})
	if err != nil || len(ents.PolicyUsers) != 1 || aws.ToString(ents.PolicyUsers[0].UserName) != "auditor" {
		t.Errorf("ListEntitiesForPolicy(IAMReadOnlyAccess) = %+v, %v; want auditor", ents, err)
	}
	attached, err := c.ListPolicies(cx, &iam.ListPoliciesInput{Scope: types.PolicyScopeTypeAws, OnlyAttached: true})
	if err != nil || len(attached.Policies) != 1 || aws.ToInt32(attached.Policies[0].AttachmentCount) != 1 {
		t.Errorf("ListPolicies(AWS, OnlyAttached) = %+v, %v; want IAMReadOnlyAccess", attached, err)
	}
	if _, err := c.DetachUserPolicy(cx, &iam.DetachUserPolicyInput{UserName: aws.String("auditor"), PolicyArn: aws.String(readOnly)}); err != nil {
		t.Fatalf("DetachUserPolicy(IAMReadOnlyAccess): %v", err)
	}
	_, err = auditor.GetUser(cx, &iam.GetUserInput{UserName: aws.String("auditor")})
	wantErrorCode(t, "GetUser after detaching IAMReadOnlyAccess", err, "AccessDenied")
}

// The same through the AWS CLI, with ReadOnlyAccess on a user, as
// tutorials do.
func TestAWSManagedPolicies_AWSCLI(t *testing.T) {
	if _, err := exec.LookPath("aws"); err != nil {
		t.Skip("the AWS CLI (aws) is not installed")
	}
	s := startServer(t)
	run := func(c Creds, args ...string) (string, error) {
		cmd := exec.Command("aws", args...)
		cmd.Env = append(os.Environ(),
			"AWS_ACCESS_KEY_ID="+c.ID, "AWS_SECRET_ACCESS_KEY="+c.Secret, "AWS_SESSION_TOKEN="+c.Token,
			"AWS_DEFAULT_REGION=us-east-1", "AWS_ENDPOINT_URL="+s.URL,
			"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_MAX_ATTEMPTS=1")
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	must := func(c Creds, args ...string) string {
		t.Helper()
		out, err := run(c, args...)
		if err != nil {
			t.Fatalf("aws %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return out
	}
	const readOnly = "arn:aws:iam::aws:policy/ReadOnlyAccess"
	var got struct {
		Policy struct{ DefaultVersionId, Path string }
	}
	json.Unmarshal([]byte(must(s.Root, "iam", "get-policy", "--policy-arn", readOnly)), &got)
	if got.Policy.Path != "/" || got.Policy.DefaultVersionId == "" {
		t.Errorf("get-policy ReadOnlyAccess = %+v", got)
	}
	var ver struct {
		PolicyVersion struct {
			Document struct{ Statement []json.RawMessage }
		}
	}
	// The CLI decodes the URL-encoded document into JSON.
	if err := json.Unmarshal([]byte(must(s.Root, "iam", "get-policy-version", "--policy-arn", readOnly, "--version-id", got.Policy.DefaultVersionId)), &ver); err != nil || len(ver.PolicyVersion.Document.Statement) == 0 {
		t.Errorf("get-policy-version ReadOnlyAccess: %v, %+v", err, ver)
	}

	must(s.Root, "iam", "create-user", "--user-name", "viewer")
	must(s.Root, "iam", "attach-user-policy", "--user-name", "viewer", "--policy-arn", readOnly)
	var key struct {
		AccessKey struct{ AccessKeyId, SecretAccessKey string }
	}
	if err := json.Unmarshal([]byte(must(s.Root, "iam", "create-access-key", "--user-name", "viewer")), &key); err != nil {
		t.Fatal(err)
	}
	viewer := Creds{ID: key.AccessKey.AccessKeyId, Secret: key.AccessKey.SecretAccessKey}
	if out := must(viewer, "iam", "get-user", "--user-name", "viewer"); !strings.Contains(out, `"UserName": "viewer"`) {
		t.Errorf("viewer's get-user = %s", out)
	}
	must(viewer, "iam", "list-attached-user-policies", "--user-name", "viewer")
	if out, err := run(viewer, "iam", "create-user", "--user-name", "mallory"); err == nil || !strings.Contains(out, "AccessDenied") ||
		!strings.Contains(out, "is not authorized to perform: iam:CreateUser") {
		t.Errorf("viewer's create-user = %v\n%s\nwant AccessDenied", err, out)
	}
	if out, err := run(s.Root, "iam", "delete-policy", "--policy-arn", readOnly); err == nil || !strings.Contains(out, "AccessDenied") {
		t.Errorf("delete-policy ReadOnlyAccess = %v\n%s\nwant AccessDenied", err, out)
	}
	out := must(s.Root, "iam", "list-entities-for-policy", "--policy-arn", readOnly)
	if !strings.Contains(out, `"UserName": "viewer"`) {
		t.Errorf("list-entities-for-policy ReadOnlyAccess = %s, want viewer", out)
	}
}
