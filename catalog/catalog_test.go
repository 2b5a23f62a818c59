package catalog

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

func TestManagedPolicy(t *testing.T) {
	tests := []struct {
		name, arn, path, defaultVersion string
		attachable                      bool
	}{
		{"ReadOnlyAccess", "arn:aws:iam::aws:policy/ReadOnlyAccess", "/", "", true},
		{"AdministratorAccess", "arn:aws:iam::aws:policy/AdministratorAccess", "/", "v1", true},
		{"lower case ARN", "arn:aws:iam::aws:policy/iamreadonlyaccess", "/", "", true},
		{"service role", "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole", "/service-role/", "", true},
		{"job function", "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess", "/job-function/", "", true},
		{"service-linked role", "arn:aws:iam::aws:policy/aws-service-role/AWSSupportServiceRolePolicy", "/aws-service-role/", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, ok := ManagedPolicy(tt.arn)
			if !ok {
				t.Fatalf("ManagedPolicy(%q) not found", tt.arn)
			}
			if !strings.EqualFold(p.ARN, tt.arn) || p.Path != tt.path || p.IsAttachable != tt.attachable {
				t.Errorf("ManagedPolicy(%q) = ARN %q, path %q, attachable %v; want %q, %q, %v", tt.arn, p.ARN, p.Path, p.IsAttachable, tt.arn, tt.path, tt.attachable)
			}
			if tt.defaultVersion != "" && p.DefaultVersionID != tt.defaultVersion {
				t.Errorf("ManagedPolicy(%q).DefaultVersionID = %q, want %q", tt.arn, p.DefaultVersionID, tt.defaultVersion)
			}
			def := p.Default()
			if def.ID != p.DefaultVersionID {
				t.Fatalf("ManagedPolicy(%q).Default().ID = %q, want %q", tt.arn, def.ID, p.DefaultVersionID)
			}
			var doc map[string]any
			if err := json.Unmarshal([]byte(def.Document()), &doc); err != nil || doc["Statement"] == nil {
				t.Errorf("ManagedPolicy(%q) default document %.80q: %v, no Statement", tt.arn, def.Document(), err)
			}
			if p.CreateDate.IsZero() || p.CreateDate.After(p.UpdateDate) {
				t.Errorf("ManagedPolicy(%q) dates %v, %v", tt.arn, p.CreateDate, p.UpdateDate)
			}
		})
	}
	if _, ok := ManagedPolicy("arn:aws:iam::aws:policy/NoSuchPolicyAnywhere"); ok {
		t.Errorf("ManagedPolicy(NoSuchPolicyAnywhere) found")
	}
}

func TestManagedPolicy_AdministratorAccess_Document(t *testing.T) {
	p, _ := ManagedPolicy("arn:aws:iam::aws:policy/AdministratorAccess")
	want := `{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": "*",
            "Resource": "*"
        }
    ]
}`
	if got := p.Default().Document(); got != want {
		t.Errorf("AdministratorAccess document = %s, want %s", got, want)
	}
}

func TestManagedPolicies(t *testing.T) {
	all := ManagedPolicies()
	if len(all) < 1000 {
		t.Fatalf("ManagedPolicies() has %d policies, want over 1000", len(all))
	}
	versions := 0
	for i, p := range all {
		if i > 0 && all[i-1].Name >= p.Name {
			t.Errorf("ManagedPolicies() not sorted: %q before %q", all[i-1].Name, p.Name)
		}
		if !json.Valid([]byte(p.Default().Document())) {
			t.Errorf("%s: default version %s is not JSON", p.Name, p.DefaultVersionID)
		}
		versions += len(p.Versions)
	}
	if versions < 2*len(all) {
		t.Errorf("ManagedPolicies() hold %d versions in all, want the history (over %d)", versions, 2*len(all))
	}
}

func TestFindAction(t *testing.T) {
	tests := []struct {
		name, action, want, access string
	}{
		{"exact", "iam:GetUser", "iam:GetUser", "Read"},
		{"any case", "S3:getobject", "s3:GetObject", "Read"},
		{"sts", "sts:AssumeRole", "sts:AssumeRole", "Write"},
		{"permissions management", "iam:PutRolePolicy", "iam:PutRolePolicy", "Permissions management"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, ok := FindAction(tt.action)
			if !ok {
				t.Fatalf("FindAction(%q) not found", tt.action)
			}
			if a.FullName() != tt.want || !strings.Contains(a.AccessLevel, tt.access) {
				t.Errorf("FindAction(%q) = %q (%s), want %q (%s...)", tt.action, a.FullName(), a.AccessLevel, tt.want, tt.access)
			}
		})
	}
	for _, bad := range []string{"iam:GetUsers", "s4:GetObject", "GetObject", "iam:Get*"} {
		if a, ok := FindAction(bad); ok {
			t.Errorf("FindAction(%q) = %q, want not found", bad, a.FullName())
		}
	}
}

func TestExpandActionPattern(t *testing.T) {
	tests := []struct {
		name, pattern string
		want          []string // all of these, and only actions matching
		max           int
	}{
		{"one action", "iam:GetUser", []string{"iam:GetUser"}, 1},
		{"case", "IAM:getuser", []string{"iam:GetUser"}, 1},
		{"prefix", "iam:GetUser*", []string{"iam:GetUser", "iam:GetUserPolicy"}, 2},
		{"question mark", "sts:GetCallerIdentit?", []string{"sts:GetCallerIdentity"}, 1},
		{"service wildcard", "s?s:AssumeRole", []string{"sts:AssumeRole"}, 5},
		{"no match", "iam:GetUsers", nil, 0},
		{"unknown service", "nosuch:Get*", nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ExpandActionPattern(tt.pattern)
			for _, w := range tt.want {
				if !slices.Contains(got, w) {
					t.Errorf("ExpandActionPattern(%q) = %q, want it to hold %q", tt.pattern, got, w)
				}
			}
			if len(got) > tt.max {
				t.Errorf("ExpandActionPattern(%q) = %d actions %q, want at most %d", tt.pattern, len(got), got, tt.max)
			}
		})
	}
	if all := ExpandActionPattern("*"); len(all) < 10000 {
		t.Errorf("ExpandActionPattern(*) = %d actions, want over 10000", len(all))
	}
}

func TestResourceType_AcceptsResource(t *testing.T) {
	tests := []struct {
		name, action, resource string
		want                   bool
	}{
		{"user ARN", "iam:GetUser", "arn:aws:iam::123456789012:user/alice", true},
		{"user with path", "iam:GetUser", "arn:aws:iam::123456789012:user/division/alice", true},
		{"user wildcard", "iam:GetUser", "arn:aws:iam::*:user/*", true},
		{"variable", "iam:GetUser", "arn:aws:iam::123456789012:user/${aws:username}", true},
		{"star", "iam:GetUser", "*", true},
		{"role for a user action", "iam:GetUser", "arn:aws:iam::123456789012:role/admin", false},
		{"other service", "iam:GetUser", "arn:aws:s3:::bucket/key", false},
		{"object", "s3:GetObject", "arn:aws:s3:::bucket/key:with:colons", true},
		{"bucket for an object action", "s3:GetObject", "arn:aws:s3:::bucket", false},
		{"bucket pattern", "s3:ListBucket", "arn:aws:s3:::my-*", true},
		{"region wildcard", "logs:PutLogEvents", "arn:aws:logs:*:123456789012:log-group:g:log-stream:s", true},
		{"colon in account", "iam:GetUser", "arn:aws:iam::12:34:user/x", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, ok := FindAction(tt.action)
			if !ok {
				t.Fatalf("FindAction(%q) not found", tt.action)
			}
			got := false
			for _, r := range a.Resources {
				got = got || r.Type.AcceptsResource(tt.resource)
			}
			if got != tt.want {
				t.Errorf("%s resource types accept %q = %v, want %v", tt.action, tt.resource, got, tt.want)
			}
		})
	}
}

func TestConditionKeys(t *testing.T) {
	tests := []struct {
		name, action, key, typ string
		ok                     bool
	}{
		{"global", "iam:GetUser", "aws:SourceIp", "IPAddress", true},
		{"global any case", "iam:GetUser", "AWS:sourceip", "IPAddress", true},
		{"global template", "s3:GetObject", "aws:PrincipalTag/team", "String", true},
		{"action key", "iam:PassRole", "iam:PassedToService", "String", true},
		{"action template", "iam:CreateRole", "aws:RequestTag/env", "String", true},
		{"array key", "iam:CreateRole", "aws:TagKeys", "ArrayOfString", true},
		{"resource type key", "iam:GetRole", "aws:ResourceTag/env", "String", true},
		{"service template", "s3:GetObject", "s3:ExistingObjectTag/owner", "String", true},
		{"other action's key", "iam:GetUser", "iam:PassedToService", "", false},
		{"unknown", "iam:GetUser", "iam:NoSuchKey", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, _ := FindAction(tt.action)
			k, ok := a.ConditionKey(tt.key)
			if ok != tt.ok || ok && k.Type != tt.typ {
				t.Errorf("%s.ConditionKey(%q) = %v, %v; want type %q, %v", tt.action, tt.key, k, ok, tt.typ, tt.ok)
			}
		})
	}
	if k, ok := FindConditionKey("aws:MultiFactorAuthPresent"); !ok || k.Type != "Bool" {
		t.Errorf("FindConditionKey(aws:MultiFactorAuthPresent) = %v, %v; want Bool", k, ok)
	}
	if _, ok := FindConditionKey("aws:NoSuchKey"); ok {
		t.Errorf("FindConditionKey(aws:NoSuchKey) found")
	}
}

func TestGlobMatch(t *testing.T) {
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"", "", true},
		{"*", "", true},
		{"a*c", "abbbc", true},
		{"a*c", "abbbd", false},
		{"a?c", "abc", true},
		{"a?c", "ac", false},
		{"*b*", "aaabaaa", true},
		{"**", "x", true},
	}
	for _, tt := range tests {
		if got := globMatch(tt.pattern, tt.s); got != tt.want {
			t.Errorf("globMatch(%q, %q) = %v, want %v", tt.pattern, tt.s, got, tt.want)
		}
	}
}

func BenchmarkExpandActionPattern(b *testing.B) {
	b.ReportAllocs()
	Services()
	for b.Loop() {
		ExpandActionPattern("ec2:Describe*")
	}
}
