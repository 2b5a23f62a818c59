package e2e

import (
	"errors"
	"fmt"
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

	// Every Resource ARN form of issue 14, in Resource and NotResource.
	iamTypes := `user/, federated-user/, role/, group/, instance-profile/, mfa/, server-certificate/, policy/, sms-mfa/, saml-provider/, oidc-provider/, report/, access-report/`
	for _, tt := range []struct{ arn, message string }{
		{"arn:error:s3:::b", `Partition "error" is not valid for resource "arn:error:s3:::b".`},
		{"arn:aws:s3::b", "The policy failed legacy parsing"},
		{"arn:aws::::b", "The policy failed legacy parsing"},
		{"arn:aws::fdsasf", "The policy failed legacy parsing"},
		{"arn:aws", "Resource vendor must be fully qualified and cannot contain regexes."},
		{"arn:aws:iam:::b", `IAM resource path must either be "*" or start with ` + iamTypes + "."},
		{"arn:aws:iam:us-east-1::b", regionMsg},
		{"arn:aws:s3:us-east-1::b", "Resource arn:aws:s3:us-east-1::b can not contain region information."},
	} {
		for _, el := range []string{"Resource", "NotResource"} {
			doc := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","` + el + `":"` + tt.arn + `"}}`
			_, err := c.PutUserPolicy(cx, &iam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("arn"), PolicyDocument: aws.String(doc)})
			wantMalformed(t, "PutUserPolicy("+el+" "+tt.arn+")", err, tt.message)
		}
	}

	// Documents AWS accepts (issue 14; moto's CreatePolicy cases).
	for i, doc := range []string{
		`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"StringEquals":{"a":"b"}}}}`,
		`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"DateGreaterThan":{"a":"01T"},"DateLessThanEquals":{"b":"2016-12-13t2:00:00.593194+23"}}}}`,
		`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam: asdf safdsf af ","Resource":"*"}}`,
		`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3.s:ListBucket","Resource":"*"}}`,
		`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"x":{}}}}`,
	} {
		if _, err := c.CreatePolicy(cx, &iam.CreatePolicyInput{PolicyName: aws.String(fmt.Sprintf("Accepted%d", i)), PolicyDocument: aws.String(doc)}); err != nil {
			t.Errorf("CreatePolicy(%s): %v, want it accepted as AWS accepts it", doc, err)
		}
	}
	_, err = c.CreatePolicy(cx, &iam.CreatePolicyInput{PolicyName: aws.String("NotJSON"), PolicyDocument: aws.String("./policy.json")})
	wantMalformed(t, "CreatePolicy(not JSON)", err, "Syntax errors in policy.")
	_, err = c.PutUserPolicy(cx, &iam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("p"), PolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"s3:ListBucket","Resource":"*"}}`)})
	wantMalformed(t, "PutUserPolicy(Principal)", err, "Policy document should not specify a principal.")

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
