package e2e

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/keyward/keyward/sigv4"
)

// Issue 14's response shapes, errors and service-linked roles, through the
// binary with the AWS SDK for Go v2 (and raw signed requests where the SDK
// cannot tell an absent element from an empty one).

// wantAPIError fails unless err is code with HTTP status and message.
func wantAPIError(t *testing.T, call string, err error, code string, status int, message string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("%s: error %v, want %s %d %q", call, err, code, status, message)
	}
	got := 0
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) {
		got = re.HTTPStatusCode()
	}
	if ae.ErrorCode() != code || got != status || ae.ErrorMessage() != message {
		t.Errorf("%s = %s %d %q, want %s %d %q", call, ae.ErrorCode(), got, ae.ErrorMessage(), code, status, message)
	}
}

// rawIAM sends one IAM Query request signed by creds and returns the body.
func rawIAM(t *testing.T, s *Server, creds Creds, form url.Values) string {
	t.Helper()
	form.Set("Version", "2010-05-08")
	body := form.Encode()
	req, err := http.NewRequest(http.MethodPost, s.URL+"/", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	if err := sigv4.Sign(req, []byte(body), sigv4.Credentials{AccessKeyID: creds.ID, SecretAccessKey: creds.Secret}, "us-east-1", "iam", time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: %d %s", form.Get("Action"), resp.StatusCode, b)
	}
	return string(b)
}

// emptyElement reports whether body has <name></name>, the response
// indented or not.
func emptyElement(body, name string) bool {
	_, rest, ok := strings.Cut(body, "<"+name+">")
	return ok && strings.HasPrefix(strings.TrimSpace(rest), "</"+name+">")
}

const allowS3 = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`

// TestFidelity_ResponseShapes: what each action leaves out, as AWS does
// (moto's test_iam_response_attributes, checked against AWS).
func TestFidelity_ResponseShapes(t *testing.T) {
	s := startServer(t)
	c := s.IAM(s.Root)
	cx := ctx(t)

	role, err := c.CreateRole(cx, &iam.CreateRoleInput{RoleName: aws.String("app"), AssumeRolePolicyDocument: aws.String(ec2TrustDoc)})
	if err != nil {
		t.Fatal(err)
	}
	if role.Role.MaxSessionDuration != nil {
		t.Errorf("CreateRole().Role.MaxSessionDuration = %d, want absent", *role.Role.MaxSessionDuration)
	}
	got, err := c.GetRole(cx, &iam.GetRoleInput{RoleName: aws.String("app")})
	if err != nil || aws.ToInt32(got.Role.MaxSessionDuration) != 3600 {
		t.Errorf("GetRole().Role.MaxSessionDuration = %v, %v; want 3600", got, err)
	}

	// CreatePolicy: no Description, no Tags element without tags.
	created := rawIAM(t, s, s.Root, url.Values{"Action": {"CreatePolicy"}, "PolicyName": {"plain"}, "PolicyDocument": {allowS3}, "Description": {"d"}})
	if strings.Contains(created, "<Description>") || strings.Contains(created, "<Tags") {
		t.Errorf("CreatePolicy without tags, with a description =\n%s\nwant neither Description nor Tags", created)
	}
	tagged := rawIAM(t, s, s.Root, url.Values{"Action": {"CreatePolicy"}, "PolicyName": {"tagged"}, "PolicyDocument": {allowS3},
		"Tags.member.1.Key": {"team"}, "Tags.member.1.Value": {"blue"}})
	if !strings.Contains(tagged, "<Tags>") || !strings.Contains(tagged, "<Key>team</Key>") {
		t.Errorf("CreatePolicy with a tag =\n%s\nwant its Tags", tagged)
	}
	// GetPolicy: the description, and Tags even when empty.
	gotPolicy := rawIAM(t, s, s.Root, url.Values{"Action": {"GetPolicy"}, "PolicyArn": {"arn:aws:iam::" + testAccount + ":policy/plain"}})
	if !strings.Contains(gotPolicy, "<Description>d</Description>") || !emptyElement(gotPolicy, "Tags") {
		t.Errorf("GetPolicy =\n%s\nwant the Description and an empty Tags", gotPolicy)
	}
	// ListPolicies: neither.
	listed := rawIAM(t, s, s.Root, url.Values{"Action": {"ListPolicies"}, "Scope": {"Local"}})
	if strings.Contains(listed, "<Description>") || strings.Contains(listed, "<Tags") {
		t.Errorf("ListPolicies =\n%s\nwant neither Description nor Tags", listed)
	}

	// The boundary's type is the model's one value (the Go SDK's
	// PermissionsBoundaryAttachmentTypePolicy).
	if _, err := c.PutRolePermissionsBoundary(cx, &iam.PutRolePermissionsBoundaryInput{RoleName: aws.String("app"),
		PermissionsBoundary: aws.String("arn:aws:iam::" + testAccount + ":policy/plain")}); err != nil {
		t.Fatal(err)
	}
	if raw := rawIAM(t, s, s.Root, url.Values{"Action": {"GetRole"}, "RoleName": {"app"}}); !strings.Contains(raw, "<PermissionsBoundaryType>PermissionsBoundaryPolicy</PermissionsBoundaryType>") {
		t.Errorf("GetRole with a boundary =\n%s\nwant PermissionsBoundaryType PermissionsBoundaryPolicy", raw)
	}
}

const ec2TrustDoc = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

// TestFidelity_AttachNotAnARN: AttachUserPolicy and AttachRolePolicy answer
// a PolicyArn that is no ARN as AWS does.
func TestFidelity_AttachNotAnARN(t *testing.T) {
	s := startServer(t)
	c := s.IAM(s.Root)
	cx := ctx(t)
	if _, err := c.CreateUser(cx, &iam.CreateUserInput{UserName: aws.String("alice")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateRole(cx, &iam.CreateRoleInput{RoleName: aws.String("app"), AssumeRolePolicyDocument: aws.String(ec2TrustDoc)}); err != nil {
		t.Fatal(err)
	}
	const msg = "Invalid ARN:  Could not be parsed!"
	_, err := c.AttachUserPolicy(cx, &iam.AttachUserPolicyInput{UserName: aws.String("alice"), PolicyArn: aws.String("this-is-not-an-arn-of-any-kind")})
	wantAPIError(t, "AttachUserPolicy(not an ARN)", err, "ValidationError", 400, msg)
	_, err = c.AttachRolePolicy(cx, &iam.AttachRolePolicyInput{RoleName: aws.String("app"), PolicyArn: aws.String("this-is-not-an-arn-of-any-kind")})
	wantAPIError(t, "AttachRolePolicy(not an ARN)", err, "ValidationError", 400, msg)
}

// TestFidelity_IAMSentences: IAM refuses a name or path that breaks its
// pattern in its own words (kubecost/docs#36, cfn-lint#996 and #722,
// serverless#3802, aws-cli#5860, moto's
// test_create_virtual_mfa_device_errors), not the model's pattern failure;
// one too long is still the model's length failure.
func TestFidelity_IAMSentences(t *testing.T) {
	s := startServer(t)
	c := s.IAM(s.Root)
	cx := ctx(t)
	const pathMsg = "The specified value for path is invalid. It must begin and end with / and contain only alphanumeric characters and/or / characters."
	_, err := c.CreateRole(cx, &iam.CreateRoleInput{RoleName: aws.String("app"), Path: aws.String("test/"), AssumeRolePolicyDocument: aws.String(ec2TrustDoc)})
	wantAPIError(t, "CreateRole(Path test/)", err, "ValidationError", 400, pathMsg)
	_, err = c.CreateVirtualMFADevice(cx, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("d"), Path: aws.String("test")})
	wantAPIError(t, "CreateVirtualMFADevice(Path test)", err, "ValidationError", 400, pathMsg)
	_, err = c.ListPolicies(cx, &iam.ListPoliciesInput{PathPrefix: aws.String("/foo")})
	wantAPIError(t, "ListPolicies(PathPrefix /foo)", err, "ValidationError", 400,
		"The specified value for pathPrefix is invalid. It must begin with the / character and contain only alphanumeric characters and/or / characters.")
	_, err = c.CreateRole(cx, &iam.CreateRoleInput{RoleName: aws.String("my role"), AssumeRolePolicyDocument: aws.String(ec2TrustDoc)})
	wantAPIError(t, "CreateRole(RoleName my role)", err, "ValidationError", 400,
		"The specified value for roleName is invalid. It must contain only alphanumeric characters and/or the following: +=,.@_-")
	_, err = c.PutUserPolicy(cx, &iam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("Deny unless VPC"), PolicyDocument: aws.String(ec2TrustDoc)})
	wantAPIError(t, "PutUserPolicy(PolicyName with spaces)", err, "ValidationError", 400,
		"The specified value for policyName is invalid. It must contain only alphanumeric characters and/or the following: +=,.@_-")
	longName := strings.Repeat("r", 66)
	_, err = c.CreateRole(cx, &iam.CreateRoleInput{RoleName: aws.String(longName), AssumeRolePolicyDocument: aws.String(ec2TrustDoc)})
	wantAPIError(t, "CreateRole(RoleName of 66)", err, "ValidationError", 400,
		"1 validation error detected: Value '"+longName+"' at 'roleName' failed to satisfy constraint: Member must have length less than or equal to 64")
	// UpdateAccountPasswordPolicy's numbers, as AWS recorded them (LocalStack's
	// AWS-validated snapshot): values left out, reuse before age.
	_, err = c.UpdateAccountPasswordPolicy(cx, &iam.UpdateAccountPasswordPolicyInput{
		MinimumPasswordLength: aws.Int32(129), MaxPasswordAge: aws.Int32(1096), PasswordReusePrevention: aws.Int32(25)})
	wantAPIError(t, "UpdateAccountPasswordPolicy(129, 1096, 25)", err, "ValidationError", 400,
		"3 validation errors detected: Value at 'minimumPasswordLength' failed to satisfy constraint: Member must have value less than or equal to 128; "+
			"Value at 'passwordReusePrevention' failed to satisfy constraint: Member must have value less than or equal to 24; "+
			"Value at 'maxPasswordAge' failed to satisfy constraint: Member must have value less than or equal to 1095")
	long := "/" + strings.Repeat("b", 511) + "/"
	_, err = c.CreateVirtualMFADevice(cx, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("d"), Path: aws.String(long)})
	wantAPIError(t, "CreateVirtualMFADevice(Path of 513)", err, "ValidationError", 400,
		"1 validation error detected: Value '"+long+"' at 'path' failed to satisfy constraint: Member must have length less than or equal to 512")
}

// TestFidelity_Simulation: matched statements as IAM's simulator names
// them, with its positions, EvalDecisionDetails and
// OrganizationsDecisionDetail.
func TestFidelity_Simulation(t *testing.T) {
	s := startServer(t)
	c := s.IAM(s.Root)
	cx := ctx(t)
	// Two-space indentation, as AWS stores AdministratorAccess: AWS's
	// simulator reports its statement at 3:17-8:6.
	const admin = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n      \"Effect\": \"Allow\",\n      \"Action\": \"*\",\n      \"Resource\": \"*\"\n    }\n  ]\n}"
	if _, err := c.CreateUser(cx, &iam.CreateUserInput{UserName: aws.String("bob")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutUserPolicy(cx, &iam.PutUserPolicyInput{UserName: aws.String("bob"), PolicyName: aws.String("all"), PolicyDocument: aws.String(admin)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AttachUserPolicy(cx, &iam.AttachUserPolicyInput{UserName: aws.String("bob"), PolicyArn: aws.String("arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess")}); err != nil {
		t.Fatal(err)
	}
	out, err := c.SimulatePrincipalPolicy(cx, &iam.SimulatePrincipalPolicyInput{
		PolicySourceArn: aws.String("arn:aws:iam::" + testAccount + ":user/bob"),
		ActionNames:     []string{"iam:GetUser", "s3:GetObject"},
	})
	if err != nil {
		t.Fatal(err)
	}
	r := out.EvaluationResults[0]
	if len(r.MatchedStatements) != 1 {
		t.Fatalf("iam:GetUser matched %+v, want the inline policy's statement", r.MatchedStatements)
	}
	m := r.MatchedStatements[0]
	if aws.ToString(m.SourcePolicyId) != "user_bob_all" || string(m.SourcePolicyType) != "IAM Policy" ||
		m.StartPosition.Line != 3 || m.StartPosition.Column != 17 || m.EndPosition.Line != 8 || m.EndPosition.Column != 6 {
		t.Errorf("matched statement = %s %q %d:%d-%d:%d, want user_bob_all \"IAM Policy\" 3:17-8:6", aws.ToString(m.SourcePolicyId), m.SourcePolicyType,
			m.StartPosition.Line, m.StartPosition.Column, m.EndPosition.Line, m.EndPosition.Column)
	}
	if r.OrganizationsDecisionDetail == nil || !r.OrganizationsDecisionDetail.AllowedByOrganizations {
		t.Errorf("OrganizationsDecisionDetail = %+v, want AllowedByOrganizations", r.OrganizationsDecisionDetail)
	}
	if r.EvalDecisionDetails != nil {
		t.Errorf("EvalDecisionDetails = %v for resource *, want absent", r.EvalDecisionDetails)
	}
	var byName bool
	for _, m := range out.EvaluationResults[1].MatchedStatements {
		byName = byName || aws.ToString(m.SourcePolicyId) == "AmazonS3ReadOnlyAccess"
	}
	if !byName {
		t.Errorf("s3:GetObject matched %+v, want AmazonS3ReadOnlyAccess by its name", out.EvaluationResults[1].MatchedStatements)
	}

	// A named resource: EvalDecisionDetails present and empty (one account).
	raw := rawIAM(t, s, s.Root, url.Values{"Action": {"SimulateCustomPolicy"}, "PolicyInputList.member.1": {allowS3},
		"ActionNames.member.1": {"s3:GetObject"}, "ResourceArns.member.1": {"arn:aws:s3:::b/k"}})
	if !emptyElement(raw, "EvalDecisionDetails") || !strings.Contains(raw, "<SourcePolicyType>IAM Policy</SourcePolicyType>") ||
		strings.Contains(raw, "OrganizationsDecisionDetail") {
		t.Errorf("SimulateCustomPolicy with a resource =\n%s\nwant an empty EvalDecisionDetails, IAM Policy, no OrganizationsDecisionDetail", raw)
	}
}

// TestFidelity_FederationTokenPackedSize: GetFederationToken reports the
// packed size of its session policy.
func TestFidelity_FederationTokenPackedSize(t *testing.T) {
	s := startServer(t)
	fed := newUserWithKey(t, s, "fed", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:GetFederationToken","Resource":"*"}]}`)
	out, err := s.STS(fed).GetFederationToken(ctx(t), &sts.GetFederationTokenInput{Name: aws.String("Bob"), Policy: aws.String(allowS3)})
	if err != nil {
		t.Fatal(err)
	}
	//lint:ignore SA1019 AWS still sends PackedPolicySize, and it is what this checks
	if size := out.PackedPolicySize; size == nil || *size <= 0 || *size > 100 {
		t.Errorf("GetFederationToken(Policy).PackedPolicySize = %v, want a percentage", size)
	}
}

// TestFidelity_TransitiveTagErrors: STS's transitive-tag errors in AWS's
// words.
func TestFidelity_TransitiveTagErrors(t *testing.T) {
	s := startServer(t)
	c := s.IAM(s.Root)
	cx := ctx(t)
	caller := newUserWithKey(t, s, "caller", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sts:AssumeRole","sts:TagSession"],"Resource":"*"}]}`)
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + testAccount + `:root"},"Action":["sts:AssumeRole","sts:TagSession"]}]}`
	role, err := c.CreateRole(cx, &iam.CreateRoleInput{RoleName: aws.String("first"), AssumeRolePolicyDocument: aws.String(trust)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutRolePolicy(cx, &iam.PutRolePolicyInput{RoleName: aws.String("first"), PolicyName: aws.String("chain"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sts:AssumeRole","sts:TagSession"],"Resource":"*"}]}`)}); err != nil {
		t.Fatal(err)
	}
	const invalid = "InvalidParameterValue"
	_, err = s.STS(caller).AssumeRole(cx, &sts.AssumeRoleInput{RoleArn: role.Role.Arn, RoleSessionName: aws.String("s1"),
		Tags: []ststypes.Tag{{Key: aws.String("team"), Value: aws.String("blue")}}, TransitiveTagKeys: []string{"project"}})
	wantAPIError(t, "AssumeRole(transitive key not among the tags)", err, invalid, 400, "The specified transitive tag key must be included in the requested tags.")

	out, err := s.STS(caller).AssumeRole(cx, &sts.AssumeRoleInput{RoleArn: role.Role.Arn, RoleSessionName: aws.String("s1"),
		Tags: []ststypes.Tag{{Key: aws.String("project"), Value: aws.String("apollo")}}, TransitiveTagKeys: []string{"project"}})
	if err != nil {
		t.Fatal(err)
	}
	sess := Creds{ID: aws.ToString(out.Credentials.AccessKeyId), Secret: aws.ToString(out.Credentials.SecretAccessKey), Token: aws.ToString(out.Credentials.SessionToken)}
	_, err = s.STS(sess).AssumeRole(cx, &sts.AssumeRoleInput{RoleArn: role.Role.Arn, RoleSessionName: aws.String("s2"),
		Tags: []ststypes.Tag{{Key: aws.String("Project"), Value: aws.String("gemini")}}})
	wantAPIError(t, "AssumeRole(override a transitive tag)", err, invalid, 400,
		"One of the specified transitive tag keys can't be set because it conflicts with a transitive tag key from the calling session.")
}

// TestFidelity_ServiceLinkedRoles: roles named, described and given
// policies as AWS does; a custom suffix refused where the service takes
// none; the description changed by UpdateRole, nothing else.
func TestFidelity_ServiceLinkedRoles(t *testing.T) {
	s := startServer(t)
	c := s.IAM(s.Root)
	cx := ctx(t)
	tests := []struct {
		service, role, policy string
	}{
		{"acm.amazonaws.com", "AWSServiceRoleForCertificateManager", "CertificateManagerServiceRolePolicy"},
		{"custom-resource.application-autoscaling.amazonaws.com", "AWSServiceRoleForApplicationAutoScaling_CustomResource", "AWSApplicationAutoScalingCustomResourcePolicy"},
		{"eks-fargate.amazonaws.com", "AWSServiceRoleForAmazonEKSForFargate", "AmazonEKSForFargateServiceRolePolicy"},
	}
	for _, tt := range tests {
		out, err := c.CreateServiceLinkedRole(cx, &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String(tt.service)})
		if err != nil {
			t.Fatalf("CreateServiceLinkedRole(%s): %v", tt.service, err)
		}
		if got := aws.ToString(out.Role.RoleName); got != tt.role || aws.ToString(out.Role.Path) != "/aws-service-role/"+tt.service+"/" {
			t.Errorf("CreateServiceLinkedRole(%s) = %s%s, want /aws-service-role/%s/%s", tt.service, aws.ToString(out.Role.Path), got, tt.service, tt.role)
		}
		att, err := c.ListAttachedRolePolicies(cx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(tt.role)})
		if err != nil || len(att.AttachedPolicies) != 1 || aws.ToString(att.AttachedPolicies[0].PolicyArn) != "arn:aws:iam::aws:policy/aws-service-role/"+tt.policy {
			t.Errorf("ListAttachedRolePolicies(%s) = %+v, %v; want %s", tt.role, att, err, tt.policy)
		}
	}
	_, err := c.CreateServiceLinkedRole(cx, &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("acm.amazonaws.com"), CustomSuffix: aws.String("x")})
	wantAPIError(t, "CreateServiceLinkedRole(acm, CustomSuffix)", err, "InvalidInput", 400, "Custom suffix is not allowed for acm.amazonaws.com")

	as, err := c.CreateServiceLinkedRole(cx, &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("autoscaling.amazonaws.com")})
	if err != nil {
		t.Fatal(err)
	}
	if want := "Default Service-Linked Role enables access to AWS Services and Resources used or managed by Auto Scaling"; aws.ToString(as.Role.Description) != want {
		t.Errorf("CreateServiceLinkedRole(autoscaling).Description = %q, want AWS's %q", aws.ToString(as.Role.Description), want)
	}
	// Terraform's aws_iam_service_linked_role changes its description with
	// UpdateRole.
	if _, err := c.UpdateRole(cx, &iam.UpdateRoleInput{RoleName: as.Role.RoleName, Description: aws.String("fleet scaling")}); err != nil {
		t.Fatalf("UpdateRole(service-linked, Description) = %v, want nil", err)
	}
	got, err := c.GetRole(cx, &iam.GetRoleInput{RoleName: as.Role.RoleName})
	if err != nil || aws.ToString(got.Role.Description) != "fleet scaling" {
		t.Errorf("GetRole after UpdateRole = %v, %v; want description %q", got, err, "fleet scaling")
	}
	_, err = c.UpdateRole(cx, &iam.UpdateRoleInput{RoleName: as.Role.RoleName, MaxSessionDuration: aws.Int32(7200)})
	wantAPIError(t, "UpdateRole(service-linked, MaxSessionDuration)", err, "UnmodifiableEntity", 400,
		"Cannot perform the operation on the protected role 'AWSServiceRoleForAutoScaling' - this role is only modifiable by AWS")
}
