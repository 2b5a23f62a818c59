package policy_test

import (
	"testing"

	"github.com/keyward/keyward/policy"
)

// BenchmarkEvaluate_DateCondition: a decision whose statement compares the
// request time, as an ISO date and as epoch seconds, the usual guard of a
// temporary grant. The role-10x47 workload has no Date conditions.
func BenchmarkEvaluate_DateCondition(b *testing.B) {
	in, err := policy.DecodeInput([]byte(`{
	  "action": "s3:GetObject", "resource": "arn:aws:s3:::bucket/key",
	  "principal": "arn:aws:iam::111122223333:user/alice",
	  "context": {"aws:CurrentTime": "2024-01-31T12:00:00Z", "aws:EpochTime": "1706702400"},
	  "identityPolicies": [{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
	    "Condition": {"DateLessThan": {"aws:CurrentTime": "2024-02-01T00:00:00Z"}, "DateGreaterThan": {"aws:EpochTime": "1700000000"}}}}]}`))
	if err != nil {
		b.Fatal(err)
	}
	var res policy.Result
	b.ReportAllocs()
	for b.Loop() {
		in.Policies.Evaluate(&in.Request, &res)
	}
	if res.Decision != policy.Allowed {
		b.Fatalf("decision = %s, want allowed", res.Decision)
	}
}
