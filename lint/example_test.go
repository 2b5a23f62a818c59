package lint_test

import (
	"fmt"

	"github.com/keyward/keyward/lint"
	"github.com/keyward/keyward/policy"
)

func ExampleCheck() {
	doc := `{
  "Version": "2012-10-17",
  "Statement": [{
    "Effect": "Allow",
    "Action": ["s3:GetObjekt", "iam:PassRole"],
    "Resource": "*"
  }]
}`
	for _, f := range lint.Check([]byte(doc), policy.Identity) {
		fmt.Println(f)
	}
	// Output:
	// 5:16: ERROR INVALID_ACTION: Statement[0].Action[0]: "s3:GetObjekt" is not an action of Amazon S3 (s3); did you mean "s3:GetObject"?
	// 6:5: SECURITY_WARNING PASS_ROLE_WITH_STAR_IN_RESOURCE: Statement[0].Resource: iam:PassRole with "Resource": "*" lets the principal pass any role, and so gain its permissions, to any service; name the roles (arn:aws:iam::ACCOUNT:role/NAME) and consider the iam:PassedToService condition key
}

// A deployment's own services (here the kvstore example's) are declared, so
// that their actions are not judged against AWS's catalog; Keyward's own
// actions are known without declaring.
func ExampleLinter() {
	doc := `{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Action": "kvstore:GetItem", "Resource": "arn:aws:kvstore:::item/*"},
    {"Effect": "Allow", "Action": "keyward:Authorise", "Resource": "arn:aws:keyward:::service/kvstore"}
  ]
}`
	l := lint.Linter{Services: []string{"kvstore"}}
	for _, f := range l.Check([]byte(doc), policy.Identity) {
		fmt.Println(f)
	}
	// Output:
	// 5:25: ERROR INVALID_ACTION: Statement[1].Action: "keyward:Authorise" is not an action of Keyward (keyward); did you mean "keyward:Authorize"?
}
