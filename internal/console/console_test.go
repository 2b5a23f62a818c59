package console

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/keyward/keyward/internal/iam"
	"github.com/keyward/keyward/lint"
	"github.com/keyward/keyward/policy"
)

// The console's pages run against the real server in cmd/keyward's and
// e2e's tests; these are its pure parts.

func TestNew_TemplatesParse(t *testing.T) {
	c := New(Config{})
	for _, name := range []string{"signin", "dashboard", "users", "user", "groups", "group", "roles", "role", "wizard", "editor",
		"policies", "policy", "providers", "account", "simulator", "audit", "graph", "switchrole", "password", "error", "accesskey",
		"mfa", "secret", "samlprovider", "rolesanywhere", "rasubject"} {
		if c.pages.byName[name] == nil {
			t.Errorf("New: no template %q", name)
		}
	}
}

func TestSummarize(t *testing.T) {
	tests := []struct {
		name   string
		doc    string
		effect string // "Allow" or "Deny": the rows compared
		want   []string
	}{
		{"full service", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sqs:*","Resource":"*"}]}`,
			"Allow", []string{"sqs|Full access|All resources|None"}},
		{"limited levels", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:List*"],"Resource":"arn:aws:s3:::b/*"}]}`,
			"Allow", []string{"s3|Full: List  Limited: Read|arn:aws:s3:::b/*|None"}},
		{"conditions", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sqs:SendMessage","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"}}}]}`,
			"Allow", []string{`sqs|Limited: Write|All resources|aws:SecureTransport Bool "true"`}},
		{"resources of another service left out", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sqs:SendMessage","s3:GetObject"],"Resource":"arn:aws:s3:::b/k"}]}`,
			"Allow", []string{"s3|Limited: Read|arn:aws:s3:::b/k|None", "sqs|Limited: Write|None of this service's resources|None"}},
		{"deny", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:DeleteRole","Resource":"*"}]}`,
			"Deny", []string{"iam|Limited: Write|All resources|None"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := summarize(tt.doc, policy.Identity)
			if s.Error != "" {
				t.Fatalf("summarize: %s", s.Error)
			}
			rows := s.Allow
			if tt.effect == "Deny" {
				rows = s.Deny
			}
			var got []string
			for _, r := range rows {
				got = append(got, r.Prefix+"|"+r.Access+"|"+strings.Join(r.Resources, ",")+"|"+strings.Join(r.Conditions, ","))
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("summarize(%s) rows (-want +got):\n%s", tt.name, diff)
			}
		})
	}
}

func TestSummarize_Unknown(t *testing.T) {
	s := summarize(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":"iam:*","Resource":"*"},{"Effect":"Allow","Action":"nosuch:Thing","Resource":"*"}]}`, policy.Identity)
	if diff := cmp.Diff([]string{"nosuch:Thing"}, s.Unknown); diff != "" {
		t.Errorf("summarize Unknown (-want +got):\n%s", diff)
	}
	if len(s.Except) != 1 || !strings.Contains(s.Except[0], "every action except iam:*") {
		t.Errorf("summarize Except = %q, want the NotAction statement", s.Except)
	}
	if bad := summarize(`{"Statement":`, policy.Identity); bad.Error == "" {
		t.Errorf("summarize of a broken document has no Error")
	}
}

func TestTrustDocument(t *testing.T) {
	tests := []struct {
		name string
		s    wizardState
		want []string // fragments of the compact document
	}{
		{"service", wizardState{Entity: "service", Service: "lambda.amazonaws.com"},
			[]string{`"Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"`}},
		{"this account with MFA", wizardState{Entity: "account", AccountKind: "this", RequireMFA: true},
			[]string{`"AWS":"arn:aws:iam::111122223333:root"`, `"Bool":{"aws:MultiFactorAuthPresent":"true"}`}},
		{"another account, external ID", wizardState{Entity: "account", AccountKind: "other", AccountID: "444455556666", ExternalID: "x-123"},
			[]string{`"AWS":"arn:aws:iam::444455556666:root"`, `"StringEquals":{"sts:ExternalId":"x-123"}`}},
		{"web identity", wizardState{Entity: "web", WebProvider: "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com", WebAudience: "sts.amazonaws.com"},
			[]string{`"Action":"sts:AssumeRoleWithWebIdentity"`, `"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"`}},
		{"saml", wizardState{Entity: "saml", SAMLARN: "arn:aws:iam::111122223333:saml-provider/corp"},
			[]string{`"Federated":"arn:aws:iam::111122223333:saml-provider/corp"`, `"Action":"sts:AssumeRoleWithSAML"`, `"SAML:aud":"https://signin.aws.amazon.com/saml"`}},
		{"saml, regional endpoint", wizardState{Entity: "saml", SAMLARN: "arn:aws:iam::111122223333:saml-provider/corp", SAMLAccess: "console", SAMLRegion: "ap-southeast-2"},
			[]string{`"StringEquals":{"SAML:aud":"https://ap-southeast-2.signin.aws.amazon.com/saml"}`}},
		{"saml, API access only", wizardState{Entity: "saml", SAMLARN: "arn:aws:iam::111122223333:saml-provider/corp", SAMLAccess: "api", SAMLAttr: "SAML:iss", SAMLValue: "https://idp.example.com/"},
			[]string{`"Condition":{"StringEquals":{"SAML:iss":"https://idp.example.com/"}}`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := tt.s.trustDocument("111122223333")
			if err != nil {
				t.Fatalf("trustDocument: %v\n%s", err, doc)
			}
			if _, err := policy.Parse([]byte(doc), policy.Trust); err != nil {
				t.Errorf("trustDocument made a document Parse refuses: %v", err)
			}
			compact := strings.Join(strings.Fields(doc), "")
			for _, w := range tt.want {
				if !strings.Contains(compact, w) {
					t.Errorf("trustDocument(%s) = %s, want it to contain %s", tt.name, compact, w)
				}
			}
		})
	}
	refused := []struct {
		name string
		s    wizardState
	}{
		{"broken custom policy", wizardState{Entity: "custom", Custom: `{"Statement":[]`}},
		{"saml without a provider", wizardState{Entity: "saml"}},
		{"saml API access without a value", wizardState{Entity: "saml", SAMLARN: "arn:aws:iam::111122223333:saml-provider/corp", SAMLAccess: "api", SAMLAttr: "SAML:sub"}},
		{"saml endpoint of no region", wizardState{Entity: "saml", SAMLARN: "arn:aws:iam::111122223333:saml-provider/corp", SAMLRegion: "evil.example/#"}},
		{"web identity without a provider", wizardState{Entity: "web"}},
	}
	for _, tt := range refused {
		if doc, err := tt.s.trustDocument("111122223333"); err == nil {
			t.Errorf("trustDocument(%s) = %s, want an error", tt.name, doc)
		}
	}
}

func TestGeneratePassword(t *testing.T) {
	tests := []struct {
		name      string
		minLength int
		want      int
	}{
		{"no policy", 0, 20},
		{"short minimum", 8, 20},
		{"long minimum", 64, 64},
		{"past IAM's maximum", 200, 128},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			seen := map[string]bool{}
			for range 50 {
				pw := generatePassword(tt.minLength)
				if len(pw) != tt.want {
					t.Fatalf("generatePassword(%d) = %q, %d characters, want %d", tt.minLength, pw, len(pw), tt.want)
				}
				for _, class := range passwordClasses {
					if !strings.ContainsAny(pw, class) {
						t.Errorf("generatePassword(%d) = %q, no character of %q", tt.minLength, pw, class)
					}
				}
				seen[pw] = true
			}
			if len(seen) != 50 {
				t.Errorf("generatePassword(%d) made %d different passwords in 50, want 50", tt.minLength, len(seen))
			}
		})
	}
}

func TestMetadataIssuer(t *testing.T) {
	tests := []struct{ name, doc, want string }{
		{"entity descriptor", `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.example.com/saml"></md:EntityDescriptor>`, "https://idp.example.com/saml"},
		{"no entityID", `<EntityDescriptor></EntityDescriptor>`, ""},
		{"not XML", `{"entityID": "x"}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := metadataIssuer(tt.doc); got != tt.want {
				t.Errorf("metadataIssuer(%q) = %q, want %q", tt.doc, got, tt.want)
			}
		})
	}
}

func TestFormatDate(t *testing.T) {
	type wire time.Time // another package's wire time, as rolesanywhere's
	at := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	tests := []struct {
		name string
		in   any
		want string
	}{
		{"time", at, "2026-03-04 05:06 UTC"},
		{"iam time", iam.Time(at), "2026-03-04 05:06 UTC"},
		{"convertible", wire(at), "2026-03-04 05:06 UTC"},
		{"zero", time.Time{}, "Never"},
		{"nil", nil, "Never"},
		{"not a time", "x", "Never"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := formatDate(tt.in); got != tt.want {
				t.Errorf("formatDate(%v) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestBuildGraph(t *testing.T) {
	enc := iam.EncodeDocument
	roles := []iam.RoleDetail{
		{RoleName: "ci", ARN: "arn:aws:iam::111122223333:role/ci", AssumeRolePolicyDocument: enc(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"}}}]}`)},
		{RoleName: "admin", ARN: "arn:aws:iam::111122223333:role/admin", AssumeRolePolicyDocument: enc(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111122223333:user/alice","444455556666","arn:aws:iam::111122223333:role/ci"]},"Action":"sts:AssumeRole"},{"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::111122223333:user/bob"},"Action":"sts:AssumeRole"}]}`)},
	}
	g := buildGraph(roles, "111122223333")
	var got []string
	for _, e := range g.Edges {
		got = append(got, e.From.Kind+":"+e.From.Label+" -> "+e.To.Label+" "+e.Action+map[bool]string{true: " (conditional)"}[e.Conditional])
	}
	want := []string{
		"user:user alice -> admin AssumeRole",
		"account:Account 444455556666 -> admin AssumeRole",
		"role:role ci -> admin AssumeRole",
		"provider:OIDC token.actions.githubusercontent.com -> ci AssumeRoleWithWebIdentity (conditional)",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("buildGraph edges (-want +got):\n%s", diff)
	}
	if len(g.Principals) != 4 || len(g.Roles) != 2 {
		t.Errorf("buildGraph: %d principals, %d roles; want 4 and 2 (a Deny draws no edge)", len(g.Principals), len(g.Roles))
	}
}

func TestSafeNext(t *testing.T) {
	tests := []struct{ in, want string }{
		{"/console/users?q=a", "/console/users?q=a"},
		{"", Prefix},
		{"https://evil.example/console/", Prefix},
		{"//evil.example/", Prefix},
		{"/console/\\evil", Prefix},
		{"/other", Prefix},
	}
	for _, tt := range tests {
		if got := safeNext(tt.in); got != tt.want {
			t.Errorf("safeNext(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestGlob(t *testing.T) {
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"s3:get*", "s3:getobject", true},
		{"s3:get*", "s3:putobject", false},
		{"*", "anything", true},
		{"s3:?etobject", "s3:getobject", true},
		{"iam:*user*", "iam:listusers", true},
		{"iam:*user", "iam:listusers", false},
	}
	for _, tt := range tests {
		if got := glob(tt.pattern, tt.s); got != tt.want {
			t.Errorf("glob(%q, %q) = %v, want %v", tt.pattern, tt.s, got, tt.want)
		}
	}
}

func TestNumbered(t *testing.T) {
	doc := "{\n  \"a\": 1,\n  \"b\": 2\n}"
	ls := numbered(doc, []lint.Finding{{Kind: lint.Error, Line: 2, Column: 3}, {Kind: lint.Warning, Line: 3, Column: 1}})
	if len(ls) != 4 || !ls[1].Bad || ls[2].Bad || len(ls[2].Findings) != 1 {
		t.Errorf("numbered: %+v; want 4 lines, line 2 bad, line 3 with a warning", ls)
	}
	st := statementLines(strings.Repeat("x\n", 100), 10, 80)
	if len(st) != maxStatementLines+1 || st[0].N != 9 || st[len(st)-1].Text != "…" {
		t.Errorf("statementLines(10..80) = %d lines from %d; want %d from 9, cut with …", len(st), st[0].N, maxStatementLines+1)
	}
}

func TestBuildGraph_Delegation(t *testing.T) {
	roles := []iam.RoleDetail{{RoleName: "breakglass", ARN: "arn:aws:iam::111122223333:role/breakglass",
		AssumeRolePolicyDocument: iam.EncodeDocument(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"sts:AssumeRole"}]}`)}}
	g := buildGraph(roles, "111122223333")
	if diff := cmp.Diff([]string{"arn:aws:iam::111122223333:role/breakglass"}, g.Delegating); diff != "" {
		t.Fatalf("buildGraph Delegating (-want +got):\n%s", diff)
	}
	g.delegate("arn:aws:iam::111122223333:user/dana", "111122223333", "arn:aws:iam::111122223333:role/breakglass")
	g.delegate("arn:aws:iam::111122223333:user/dana", "111122223333", "arn:aws:iam::111122223333:role/none") // no such role: nothing drawn
	g.layout()
	if len(g.Edges) != 2 || !g.Edges[1].Delegated || g.Edges[1].From.Label != "user dana" || g.Edges[1].Path == "" {
		t.Errorf("after delegate: edges %+v, want the account's and dana's delegated edge, laid out", g.Edges)
	}
	if len(g.Principals) != 2 {
		t.Errorf("after delegate: %d principals, want the account and dana", len(g.Principals))
	}
}
