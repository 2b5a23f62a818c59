package lint

import (
	"regexp"
	"testing"

	"github.com/keyward/keyward/catalog"
	"github.com/keyward/keyward/policy"
)

// TestCatalog_AcceptedByPolicy: AWS's own documents are valid. Every AWS
// managed policy's default version parses as a managed policy, and every
// ARN format of the Service Authorization Reference passes the policy
// package's Resource checks, so the checks IAM makes (partition, region,
// IAM resource types) refuse nothing AWS itself writes.
func TestCatalog_AcceptedByPolicy(t *testing.T) {
	managed := catalog.ManagedPolicies()
	if len(managed) < 1000 {
		t.Fatalf("the catalog has %d managed policies, want over 1000", len(managed))
	}
	for _, p := range managed {
		if _, err := policy.ParseWith([]byte(p.Default().Document()), policy.Identity, policy.Options{Managed: true}); err != nil {
			t.Errorf("ParseWith(%s, managed) = %v, want no error: AWS publishes it", p.Name, err)
		}
	}
	placeholder := regexp.MustCompile(`\$\{[^}]*\}`)
	formats := 0
	for _, s := range catalog.Services() {
		for _, r := range s.ResourceTypes {
			arn := placeholder.ReplaceAllStringFunc(r.ARNFormat, func(m string) string {
				switch m {
				case "${Partition}":
					return "aws"
				case "${Region}":
					return "us-east-1"
				case "${Account}":
					return "123456789012"
				}
				return "x"
			})
			formats++
			for _, el := range []string{"Resource", "NotResource"} {
				doc := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","` + el + `":` + quote(arn) + `}}`
				if _, err := policy.Parse([]byte(doc), policy.Identity); err != nil {
					t.Errorf("%s %s: Parse(%s %s) = %v, want no error", s.Prefix, r.Name, el, arn, err)
				}
			}
		}
	}
	if formats < 1000 {
		t.Errorf("checked %d ARN formats, want over 1000", formats)
	}
}

func quote(s string) string {
	b := []byte{'"'}
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '\\' {
			b = append(b, '\\')
		}
		b = append(b, s[i])
	}
	return string(append(b, '"'))
}
