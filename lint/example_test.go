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
