package audit_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/keyward/keyward/internal/audit"
	"github.com/keyward/keyward/lint"
	"github.com/keyward/keyward/policy"
)

// TestGenerate_PassesLint: what Generate writes, lint passes without a
// finding (the deployment's own service declared), however Generate had to
// generalize. cmd/keyward's TestGenerate_PassesLint does the same from a
// real server's trail.
func TestGenerate_PassesLint(t *testing.T) {
	const acct = "arn:aws:iam::111122223333:"
	allowed := func(action, resource string) *audit.Record { return record(action, resource, policy.Allowed, false) }
	tests := []struct {
		name     string
		workload func() []*audit.Record
		contains string // in the generated policy: the case is what it says
	}{
		{"generalized within paths", func() (w []*audit.Record) {
			for i := range 25 {
				w = append(w, allowed("iam:GetUser", fmt.Sprintf("%suser/team%c/u%d", acct, 'a'+i%3, i)))
			}
			return w
		}, `"arn:aws:iam::111122223333:user/teama/*"`},
		{"generalized past the paths", func() (w []*audit.Record) {
			for i := range 30 {
				w = append(w, allowed("iam:GetRole", fmt.Sprintf("%srole/p%d/r%d", acct, i, i)),
					allowed("iam:GetUser", fmt.Sprintf("%suser/p%d/u%d", acct, i, i)))
			}
			return w
		}, `"arn:aws:iam::111122223333:role/*"`},
		{"List actions by path", func() []*audit.Record {
			return []*audit.Record{allowed("iam:ListUsers", acct+"user/"), allowed("iam:ListUsers", acct+"user/team/"),
				allowed("iam:ListRoles", acct+"role/"), allowed("iam:ListGroups", acct+"group/team/"),
				allowed("iam:ListInstanceProfiles", acct+"instance-profile/"), allowed("iam:ListPolicies", "*")}
		}, `"arn:aws:iam::111122223333:user/"`},
		{"Keyward's actions and a service of one's own", func() []*audit.Record {
			return []*audit.Record{allowed("keyward:Authorize", "arn:aws:keyward:::service/kvstore"),
				allowed("keyward:GetSigningKey", "arn:aws:keyward:::service/kvstore"),
				allowed("kvstore:GetItem", "arn:aws:kvstore:us-east-1:111122223333:item/notes"),
				allowed("kvstore:PutItem", "arn:aws:kvstore:us-east-1:111122223333:item/notes"),
				allowed("sts:GetCallerIdentity", "*"), allowed("sts:AssumeRole", acct+"role/deployer")}
		}, `"keyward:GetSigningKey"`},
		{"IAM's size quota forces wildcards", func() (w []*audit.Record) {
			// Twenty object actions, each on ten objects of its own: over
			// 6,144 characters until Generate generalizes.
			for _, a := range []string{"GetObject", "PutObject", "DeleteObject", "GetObjectAcl", "PutObjectAcl", "GetObjectTagging",
				"PutObjectTagging", "DeleteObjectTagging", "GetObjectVersion", "DeleteObjectVersion", "GetObjectAttributes",
				"GetObjectRetention", "PutObjectRetention", "GetObjectLegalHold", "PutObjectLegalHold", "RestoreObject",
				"AbortMultipartUpload", "ListMultipartUploadParts", "GetObjectVersionAcl", "PutObjectVersionAcl"} {
				for i := range 10 {
					w = append(w, allowed("s3:"+a, fmt.Sprintf("arn:aws:s3:::bucket-%s/reports/2026/%s-%d.csv", strings.ToLower(a), strings.Repeat("q", 30), i)))
				}
			}
			return w
		}, `"arn:aws:s3:::bucket-getobject/reports/2026/*"`},
	}
	l := lint.Linter{Services: []string{"kvstore"}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := audit.Generate(tt.workload())
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(doc), tt.contains) {
				t.Fatalf("Generate(%s) lacks %s:\n%s", tt.name, tt.contains, doc)
			}
			if findings := l.Check(doc, policy.Identity); len(findings) > 0 {
				var lines []string
				for _, f := range findings {
					lines = append(lines, f.String())
				}
				t.Errorf("lint.Check(Generate(%s)) =\n  %s\nwant no finding; policy:\n%s", tt.name, strings.Join(lines, "\n  "), doc)
			}
		})
	}
}
