package catalog

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestServiceLinkedRoles_PoliciesExist: every policy the table attaches is
// an AWS-managed policy of the catalog, under /aws-service-role/, which IAM
// does not let a customer attach; and every row is well formed and names
// its sources.
func TestServiceLinkedRoles_PoliciesExist(t *testing.T) {
	var f struct {
		Sources map[string]string `json:"sources"`
	}
	if err := json.Unmarshal(serviceLinkedData, &f); err != nil {
		t.Fatal(err)
	}
	roles := ServiceLinkedRoles()
	if len(roles) < 100 {
		t.Errorf("ServiceLinkedRoles() has %d rows, want at least 100", len(roles))
	}
	names := map[string]string{}
	for _, r := range roles {
		if !strings.HasSuffix(r.Service, ".amazonaws.com") || r.Service != strings.ToLower(r.Service) {
			t.Errorf("%s: not a lower-case service principal", r.Service)
		}
		if !strings.HasPrefix(r.Role, "AWSServiceRoleFor") || len(r.Role) > 64 {
			t.Errorf("%s: role %q is not AWSServiceRoleFor... of at most 64 characters", r.Service, r.Role)
		}
		if other, dup := names[strings.ToLower(r.Role)]; dup {
			t.Errorf("%s: role %q is also %s's", r.Service, r.Role, other)
		}
		names[strings.ToLower(r.Role)] = r.Service
		if len(r.Policies) == 0 {
			t.Errorf("%s: no policy", r.Service)
		}
		for _, arn := range r.PolicyARNs() {
			p, ok := ManagedPolicy(arn)
			if !ok {
				t.Errorf("%s: policy %s is not in the catalog", r.Service, arn)
				continue
			}
			if p.Path != "/aws-service-role/" || p.IsAttachable {
				t.Errorf("%s: policy %s has path %q, attachable %v; want /aws-service-role/, not attachable", r.Service, arn, p.Path, p.IsAttachable)
			}
		}
		if len(r.Sources) == 0 {
			t.Errorf("%s: no source", r.Service)
		}
		for _, s := range r.Sources {
			if f.Sources[s] == "" {
				t.Errorf("%s: source %q is not described in data/servicelinked.json", r.Service, s)
			}
		}
	}
}

func TestServiceLinkedRoleFor(t *testing.T) {
	tests := []struct {
		service, role, policy string
		suffix, ok            bool
	}{
		{"acm.amazonaws.com", "AWSServiceRoleForCertificateManager", "CertificateManagerServiceRolePolicy", false, true},
		{"ACM.amazonaws.com", "AWSServiceRoleForCertificateManager", "CertificateManagerServiceRolePolicy", false, true},
		{"custom-resource.application-autoscaling.amazonaws.com", "AWSServiceRoleForApplicationAutoScaling_CustomResource", "AWSApplicationAutoScalingCustomResourcePolicy", false, true},
		{"eks-fargate.amazonaws.com", "AWSServiceRoleForAmazonEKSForFargate", "AmazonEKSForFargateServiceRolePolicy", false, true},
		{"autoscaling.amazonaws.com", "AWSServiceRoleForAutoScaling", "AutoScalingServiceRolePolicy", true, true},
		{"example.amazonaws.com", "", "", false, false},
	}
	for _, tt := range tests {
		r, ok := ServiceLinkedRoleFor(tt.service)
		if ok != tt.ok {
			t.Errorf("ServiceLinkedRoleFor(%q) found = %v, want %v", tt.service, ok, tt.ok)
			continue
		}
		if !ok {
			continue
		}
		if r.Role != tt.role || r.Policies[0] != tt.policy || r.CustomSuffix != tt.suffix {
			t.Errorf("ServiceLinkedRoleFor(%q) = %s, %v, suffix %v; want %s, %s, suffix %v", tt.service, r.Role, r.Policies, r.CustomSuffix, tt.role, tt.policy, tt.suffix)
		}
	}
}
