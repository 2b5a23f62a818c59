package policy_test

import (
	"fmt"

	"github.com/keyward/keyward/policy"
)

func ExampleParse() {
	_, err := policy.Parse([]byte(`{
  "Version": "2012-10-17",
  "Statement": [{
    "Effect": "allow",
    "Action": "s3:GetObject",
    "Resource": "arn:aws:s3:::reports/*"
  }]
}`), policy.Identity)
	fmt.Println(err)
	// Output:
	// Statement[0].Effect: line 4, column 15: Effect must be "Allow" or "Deny" (case-sensitive), not "allow"
}

// An API answers a malformed document with IAM's own sentence; the
// explanation, with its place, is for the people fixing the policy.
func ExampleParseWith() {
	_, err := policy.ParseWith([]byte(`{
  "Statement": [{
    "Effect": "Allow",
    "Action": "iam:GetUser",
    "Resource": "arn:aws:iam:us-east-1::user/alice"
  }]
}`), policy.Identity, policy.Options{Managed: true})
	pe := err.(*policy.ParseError)
	fmt.Println(pe.AWSMessage)
	fmt.Println(pe)
	// Output:
	// Policy document must be version 2012-10-17 or greater.
	// Version: line 1, column 1: the policy has no Version: a managed policy must be version "2012-10-17" (inline policies may omit Version)
}

func ExamplePolicies_Evaluate() {
	doc, err := policy.Parse([]byte(`{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "Home", "Effect": "Allow", "Action": "s3:*",
     "Resource": "arn:aws:s3:::home/${aws:username}/*"},
    {"Sid": "Office", "Effect": "Deny", "Action": "s3:*", "Resource": "*",
     "Condition": {"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}
  ]
}`), policy.Identity)
	if err != nil {
		panic(err)
	}
	// Compile once, evaluate many times.
	ps := &policy.Policies{Identity: policy.NewSet(policy.Policy{ID: "alice-home", Document: doc})}

	req := policy.Request{
		Principal: "arn:aws:iam::111122223333:user/alice",
		Action:    "s3:PutObject",
		Resource:  "arn:aws:s3:::home/alice/notes.txt",
	}
	req.Context.Set("aws:username", "alice")
	req.Context.Set("aws:SourceIp", "10.1.2.3")

	var res policy.Result // reuse it: a warm Result makes Evaluate allocation-free
	ps.Evaluate(&req, &res)
	fmt.Println(res.Decision, res.Matched[0].Sid)

	req.Context.Set("aws:SourceIp", "203.0.113.9")
	ps.Evaluate(&req, &res)
	fmt.Println(res.Decision, res.Matched[0].Sid)

	req.Resource = "arn:aws:s3:::home/bob/notes.txt"
	req.Context.Set("aws:SourceIp", "10.1.2.3")
	ps.Evaluate(&req, &res)
	fmt.Println(res.Decision, policy.DenialReason(req.Action, &res))
	// Output:
	// allowed Home
	// explicitDeny Office
	// implicitDeny because no identity-based policy allows the s3:PutObject action
}
