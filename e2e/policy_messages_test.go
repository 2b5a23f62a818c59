package e2e

import (
	"errors"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// wantMalformed fails unless err is MalformedPolicyDocument, HTTP 400, with
// exactly AWS's message.
func wantMalformed(t *testing.T, call string, err error, message string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("%s: error %v, want MalformedPolicyDocument %q", call, err, message)
	}
	var re *smithyhttp.ResponseError
	status := 0
	if errors.As(err, &re) {
		status = re.HTTPStatusCode()
	}
	if ae.ErrorCode() != "MalformedPolicyDocument" || status != http.StatusBadRequest || ae.ErrorMessage() != message {
		t.Errorf("%s = %s %d %q, want MalformedPolicyDocument 400 %q", call, ae.ErrorCode(), status, ae.ErrorMessage(), message)
	}
}

// TestIAM_PolicyDocumentMessages: IAM's answers to malformed documents, word
// for word, through the real server and the AWS SDK; and documents AWS
// accepts are accepted (issue 14).
func TestIAM_PolicyDocumentMessages(t *testing.T) {
	s := startServer(t)
	c := s.IAM(s.Root)
	cx := ctx(t)
	if _, err := c.CreateUser(cx, &iam.CreateUserInput{UserName: aws.String("alice")}); err != nil {
		t.Fatal(err)
	}
	const (
		noVersion = `{"Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket"}}`
		v2008     = `{"Version":"2008-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket"}}`
		region    = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:GetUser","Resource":"arn:aws:iam:us-east-1::b"}}`
		withID    = `{"Version":"2012-10-17","Id":"ReadOnly","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket"}}`
		s3Trust   = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"s3:GetObject"}]}`
		typoTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":["sts:AssumeRole","sts:TagSessions"]}]}`
		goodTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":["sts:AssumeRole","sts:TagSession"]}]}`

		versionMsg = "Policy document must be version 2012-10-17 or greater."
		trustMsg   = "Trust Policy statement actions can only be sts:AssumeRole, sts:AssumeRoleWithSAML,  and sts:AssumeRoleWithWebIdentity"
		regionMsg  = "IAM resource arn:aws:iam:us-east-1::b cannot contain region information."
	)

	// Managed policies must be version 2012-10-17.
	_, err := c.CreatePolicy(cx, &iam.CreatePolicyInput{PolicyName: aws.String("NoVersion"), PolicyDocument: aws.String(noVersion)})
	wantMalformed(t, "CreatePolicy(no Version)", err, versionMsg)
	_, err = c.CreatePolicy(cx, &iam.CreatePolicyInput{PolicyName: aws.String("Old"), PolicyDocument: aws.String(v2008)})
	wantMalformed(t, "CreatePolicy(2008-10-17)", err, versionMsg)
	out, err := c.CreatePolicy(cx, &iam.CreatePolicyInput{PolicyName: aws.String("WithID"), PolicyDocument: aws.String(withID)})
	if err != nil {
		t.Fatalf("CreatePolicy(identity policy with Id): %v, want it accepted as AWS accepts it", err)
	}
	_, err = c.CreatePolicyVersion(cx, &iam.CreatePolicyVersionInput{PolicyArn: out.Policy.Arn, PolicyDocument: aws.String(noVersion)})
	wantMalformed(t, "CreatePolicyVersion(no Version)", err, versionMsg)

	// Inline policies may omit Version; a region in an IAM ARN is refused.
	if _, err := c.PutUserPolicy(cx, &iam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("inline"), PolicyDocument: aws.String(noVersion)}); err != nil {
		t.Errorf("PutUserPolicy(no Version): %v, want it accepted", err)
	}
	if _, err := c.PutUserPolicy(cx, &iam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("withid"), PolicyDocument: aws.String(withID)}); err != nil {
		t.Errorf("PutUserPolicy(Id): %v, want it accepted", err)
	}
	_, err = c.PutUserPolicy(cx, &iam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("region"), PolicyDocument: aws.String(region)})
	wantMalformed(t, "PutUserPolicy(IAM ARN with a region)", err, regionMsg)
	_, err = c.CreatePolicy(cx, &iam.CreatePolicyInput{PolicyName: aws.String("Region"), PolicyDocument: aws.String(region)})
	wantMalformed(t, "CreatePolicy(IAM ARN with a region)", err, regionMsg)

	// Trust policies name only the actions a principal performs on the role.
	_, err = c.CreateRole(cx, &iam.CreateRoleInput{RoleName: aws.String("s3trust"), AssumeRolePolicyDocument: aws.String(s3Trust)})
	wantMalformed(t, "CreateRole(s3:GetObject)", err, trustMsg)
	_, err = c.CreateRole(cx, &iam.CreateRoleInput{RoleName: aws.String("typo"), AssumeRolePolicyDocument: aws.String(typoTrust)})
	wantMalformed(t, "CreateRole(sts:TagSessions)", err, trustMsg)
	_, err = c.CreateRole(cx, &iam.CreateRoleInput{RoleName: aws.String("notjson"), AssumeRolePolicyDocument: aws.String("assume-role-policy.json")})
	wantMalformed(t, "CreateRole(not JSON)", err, "This policy contains invalid Json")
	if _, err := c.CreateRole(cx, &iam.CreateRoleInput{RoleName: aws.String("good"), AssumeRolePolicyDocument: aws.String(goodTrust)}); err != nil {
		t.Fatalf("CreateRole(sts:AssumeRole, sts:TagSession): %v", err)
	}
	_, err = c.UpdateAssumeRolePolicy(cx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("good"), PolicyDocument: aws.String(s3Trust)})
	wantMalformed(t, "UpdateAssumeRolePolicy(s3:GetObject)", err, trustMsg)
}
