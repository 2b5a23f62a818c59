package iam

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/catalog"
)

// seededService is newService with the AWS-managed policies seeded.
func seededService(t *testing.T) (*Service, *keyward.Caller) {
	t.Helper()
	s, root := newService(t)
	start := time.Now()
	n, err := SeedManagedPolicies(context.Background(), s.Store)
	if err != nil {
		t.Fatalf("SeedManagedPolicies: %v", err)
	}
	if want := len(catalog.ManagedPolicies()); n != want {
		t.Fatalf("SeedManagedPolicies = %d, want %d", n, want)
	}
	t.Logf("seeded %d AWS-managed policies in %v", n, time.Since(start))
	return s, root
}

func TestSeedManagedPolicies_Idempotent(t *testing.T) {
	s, root := seededService(t)
	ctx := context.Background()
	if n, err := SeedManagedPolicies(ctx, s.Store); n != 0 || err != nil {
		t.Errorf("SeedManagedPolicies again = %d, %v; want 0, nil", n, err)
	}
	// A store seeded from an older catalog: PowerUserAccess at v1 only.
	const arn = "arn:aws:iam::aws:policy/PowerUserAccess"
	cp, _ := catalog.ManagedPolicy(arn)
	err := s.Store.Update(ctx, func(tx keyward.Tx) error {
		old := cp.Versions[0]
		if _, err := tx.CreatePolicyVersion(keyward.PolicyVersion{PolicyARN: arn, VersionID: old.ID, Document: old.Document(), IsDefault: true, CreateDate: old.CreateDate}); err != nil {
			return err
		}
		return tx.DeletePolicyVersion(arn, cp.DefaultVersionID)
	})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := SeedManagedPolicies(ctx, s.Store); n != 1 || err != nil {
		t.Fatalf("SeedManagedPolicies over an old PowerUserAccess = %d, %v; want 1, nil", n, err)
	}
	out, err := s.GetPolicy(ctx, root, &GetPolicyInput{PolicyARN: arn})
	if err != nil || out.Policy.DefaultVersionID != cp.DefaultVersionID {
		t.Fatalf("GetPolicy(PowerUserAccess) = %+v, %v; want default %s", out, err, cp.DefaultVersionID)
	}
	err = s.Store.View(ctx, func(tx keyward.Tx) error {
		vs, err := tx.ListPolicyVersions(arn)
		if len(vs) != 1 || vs[0].VersionID != cp.DefaultVersionID {
			t.Errorf("stored versions of PowerUserAccess = %+v, want only %s", vs, cp.DefaultVersionID)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestManagedPolicies_Read(t *testing.T) {
	s, root := seededService(t)
	ctx := context.Background()
	const arn = "arn:aws:iam::aws:policy/PowerUserAccess"
	cp, _ := catalog.ManagedPolicy(arn)

	got, err := s.GetPolicy(ctx, root, &GetPolicyInput{PolicyARN: arn})
	if err != nil {
		t.Fatalf("GetPolicy(%q): %v", arn, err)
	}
	p := got.Policy
	if p.PolicyName != "PowerUserAccess" || p.Path != "/" || !p.IsAttachable || p.DefaultVersionID != cp.DefaultVersionID ||
		!strings.HasPrefix(p.PolicyID, "ANPA") || len(p.PolicyID) != 21 || time.Time(p.CreateDate).Year() != 2015 {
		t.Errorf("GetPolicy(%q) = %+v", arn, p)
	}

	versions, err := s.ListPolicyVersions(ctx, root, &ListPolicyVersionsInput{PolicyARN: arn})
	if err != nil {
		t.Fatalf("ListPolicyVersions(%q): %v", arn, err)
	}
	if len(versions.Versions) != len(cp.Versions) || versions.Versions[0].VersionID != cp.DefaultVersionID || !versions.Versions[0].IsDefaultVersion {
		t.Errorf("ListPolicyVersions(%q) = %d versions, first %+v; want %d, newest (default %s) first", arn, len(versions.Versions), versions.Versions[0], len(cp.Versions), cp.DefaultVersionID)
	}
	for _, v := range versions.Versions[1:] {
		if v.IsDefaultVersion {
			t.Errorf("ListPolicyVersions(%q): %s is also default", arn, v.VersionID)
		}
	}

	v1, err := s.GetPolicyVersion(ctx, root, &GetPolicyVersionInput{PolicyARN: arn, VersionID: "v1"})
	if err != nil {
		t.Fatalf("GetPolicyVersion(%q, v1): %v", arn, err)
	}
	if doc, _ := url.QueryUnescape(v1.PolicyVersion.Document); !strings.Contains(doc, `"NotAction": "iam:*"`) || v1.PolicyVersion.IsDefaultVersion {
		t.Errorf("GetPolicyVersion(%q, v1) = %+v, want the 2015 NotAction iam:* document, not default", arn, v1.PolicyVersion)
	}
	_, err = s.GetPolicyVersion(ctx, root, &GetPolicyVersionInput{PolicyARN: arn, VersionID: "v9"})
	wantCode(t, "GetPolicyVersion(PowerUserAccess, v9)", err, keyward.ErrNoSuchEntity) // AWS deleted v9

	for _, tc := range []struct {
		scope string
		want  int
	}{{"AWS", len(catalog.ManagedPolicies())}, {"Local", 0}, {"All", len(catalog.ManagedPolicies())}} {
		n, pages := 0, 0
		var marker *string
		for {
			out, err := s.ListPolicies(ctx, root, &ListPoliciesInput{Scope: ptr(tc.scope), Marker: marker, MaxItems: ptr(int32(1000))})
			if err != nil {
				t.Fatalf("ListPolicies(Scope %s): %v", tc.scope, err)
			}
			n, pages = n+len(out.Policies), pages+1
			if !out.IsTruncated || pages > 10 {
				break
			}
			marker = &out.Marker
		}
		if n != tc.want {
			t.Errorf("ListPolicies(Scope %s) = %d policies, want %d", tc.scope, n, tc.want)
		}
	}
}

func TestManagedPolicies_Unchangeable(t *testing.T) {
	s, root := seededService(t)
	ctx := context.Background()
	const arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
	_, err := s.DeletePolicy(ctx, root, &DeletePolicyInput{PolicyARN: arn})
	wantCode(t, "DeletePolicy(ReadOnlyAccess)", err, keyward.ErrAccessDenied)
	_, err = s.CreatePolicyVersion(ctx, root, &CreatePolicyVersionInput{PolicyARN: arn, PolicyDocument: allow("*", "*"), SetAsDefault: ptr(true)})
	wantCode(t, "CreatePolicyVersion(ReadOnlyAccess)", err, keyward.ErrAccessDenied)
	_, err = s.SetDefaultPolicyVersion(ctx, root, &SetDefaultPolicyVersionInput{PolicyARN: arn, VersionID: "v1"})
	wantCode(t, "SetDefaultPolicyVersion(ReadOnlyAccess)", err, keyward.ErrAccessDenied)
	_, err = s.DeletePolicyVersion(ctx, root, &DeletePolicyVersionInput{PolicyARN: arn, VersionID: "v1"})
	wantCode(t, "DeletePolicyVersion(ReadOnlyAccess)", err, keyward.ErrAccessDenied)

	_, err = s.CreateUser(ctx, root, &CreateUserInput{UserName: "svc"})
	wantCode(t, "CreateUser(svc)", err, "")
	_, err = s.AttachUserPolicy(ctx, root, &AttachUserPolicyInput{UserName: "svc", PolicyARN: "arn:aws:iam::aws:policy/aws-service-role/AWSSupportServiceRolePolicy"})
	wantCode(t, "AttachUserPolicy(AWSSupportServiceRolePolicy)", err, keyward.ErrPolicyNotAttachable)
}

// Attaching an AWS-managed policy grants what its real document grants.
func TestManagedPolicies_AttachGrants(t *testing.T) {
	s, root := seededService(t)
	ctx := context.Background()
	const arn = "arn:aws:iam::aws:policy/IAMReadOnlyAccess"
	alice := userCaller(t, s, "alice")
	_, err := s.GetUser(ctx, alice, &GetUserInput{UserName: ptr("alice")})
	wantCode(t, "GetUser before attaching", err, keyward.ErrAccessDenied)

	_, err = s.AttachUserPolicy(ctx, root, &AttachUserPolicyInput{UserName: "alice", PolicyARN: arn})
	wantCode(t, "AttachUserPolicy(IAMReadOnlyAccess)", err, "")
	_, err = s.GetUser(ctx, alice, &GetUserInput{UserName: ptr("alice")})
	wantCode(t, "GetUser with IAMReadOnlyAccess", err, "")
	_, err = s.ListPolicies(ctx, alice, &ListPoliciesInput{})
	wantCode(t, "ListPolicies with IAMReadOnlyAccess", err, "")
	_, err = s.CreateUser(ctx, alice, &CreateUserInput{UserName: "mallory"})
	wantCode(t, "CreateUser with IAMReadOnlyAccess", err, keyward.ErrAccessDenied)

	ents, err := s.ListEntitiesForPolicy(ctx, root, &ListEntitiesForPolicyInput{PolicyARN: arn})
	if err != nil || len(ents.PolicyUsers) != 1 || ents.PolicyUsers[0].UserName != "alice" {
		t.Errorf("ListEntitiesForPolicy(IAMReadOnlyAccess) = %+v, %v; want alice", ents, err)
	}
	// Another account sees the policy, attached nowhere.
	other, err := s.GetPolicy(ctx, rootOf(otherAccount), &GetPolicyInput{PolicyARN: arn})
	if err != nil || other.Policy.AttachmentCount != 0 {
		t.Errorf("GetPolicy(IAMReadOnlyAccess) from another account = %+v, %v; want AttachmentCount 0", other, err)
	}
	mine, err := s.GetPolicy(ctx, root, &GetPolicyInput{PolicyARN: arn})
	if err != nil || mine.Policy.AttachmentCount != 1 {
		t.Errorf("GetPolicy(IAMReadOnlyAccess) = %+v, %v; want AttachmentCount 1", mine, err)
	}

	_, err = s.DetachUserPolicy(ctx, root, &DetachUserPolicyInput{UserName: "alice", PolicyARN: arn})
	wantCode(t, "DetachUserPolicy(IAMReadOnlyAccess)", err, "")
	_, err = s.GetUser(ctx, alice, &GetUserInput{UserName: ptr("alice")})
	wantCode(t, "GetUser after detaching", err, keyward.ErrAccessDenied)
}

// TestCreateServiceLinkedRole_AsAWS: the roles of the catalog's services
// are named, described and given policies as AWS does, and a custom suffix
// is refused where the service takes none.
func TestCreateServiceLinkedRole_AsAWS(t *testing.T) {
	tests := []struct {
		name              string
		in                CreateServiceLinkedRoleInput
		role, description string
		policy            string // "" for none
		code, msg         string
	}{
		{name: "acm", in: CreateServiceLinkedRoleInput{AWSServiceName: "acm.amazonaws.com"},
			role: "AWSServiceRoleForCertificateManager", policy: "CertificateManagerServiceRolePolicy"},
		{name: "acm refuses a suffix", in: CreateServiceLinkedRoleInput{AWSServiceName: "acm.amazonaws.com", CustomSuffix: ptr("x")},
			code: keyward.ErrInvalidInput, msg: "Custom suffix is not allowed for acm.amazonaws.com"},
		{name: "application auto scaling's custom resources", in: CreateServiceLinkedRoleInput{AWSServiceName: "custom-resource.application-autoscaling.amazonaws.com"},
			role: "AWSServiceRoleForApplicationAutoScaling_CustomResource", policy: "AWSApplicationAutoScalingCustomResourcePolicy"},
		{name: "EKS on Fargate", in: CreateServiceLinkedRoleInput{AWSServiceName: "eks-fargate.amazonaws.com"},
			role: "AWSServiceRoleForAmazonEKSForFargate", policy: "AmazonEKSForFargateServiceRolePolicy"},
		{name: "auto scaling, AWS's description", in: CreateServiceLinkedRoleInput{AWSServiceName: "autoscaling.amazonaws.com"},
			role: "AWSServiceRoleForAutoScaling", policy: "AutoScalingServiceRolePolicy",
			description: "Default Service-Linked Role enables access to AWS Services and Resources used or managed by Auto Scaling"},
		{name: "auto scaling takes a suffix and a description", in: CreateServiceLinkedRoleInput{AWSServiceName: "autoscaling.amazonaws.com", CustomSuffix: ptr("fleet"), Description: ptr("mine")},
			role: "AWSServiceRoleForAutoScaling_fleet", policy: "AutoScalingServiceRolePolicy", description: "mine"},
		{name: "a service the catalog does not list", in: CreateServiceLinkedRoleInput{AWSServiceName: "foo-bar.amazonaws.com", CustomSuffix: ptr("x")},
			role: "AWSServiceRoleForFooBar_x"},
	}
	s, root := seededService(t)
	ctx := context.Background()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := s.CreateServiceLinkedRole(ctx, root, &tt.in)
			if tt.code != "" {
				wantError(t, "CreateServiceLinkedRole", err, tt.code, tt.msg)
				return
			}
			if err != nil {
				t.Fatalf("CreateServiceLinkedRole(%s) = %v", tt.in.AWSServiceName, err)
			}
			if out.Role.RoleName != tt.role || out.Role.Description != tt.description || out.Role.Path != "/aws-service-role/"+tt.in.AWSServiceName+"/" {
				t.Errorf("CreateServiceLinkedRole(%s) = %s %s %q, want %s under /aws-service-role/%s/, description %q",
					tt.in.AWSServiceName, out.Role.Path, out.Role.RoleName, out.Role.Description, tt.role, tt.in.AWSServiceName, tt.description)
			}
			attached, err := s.ListAttachedRolePolicies(ctx, root, &ListAttachedRolePoliciesInput{RoleName: tt.role})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, a := range attached.AttachedPolicies {
				got = append(got, a.PolicyARN)
			}
			var want []string
			if tt.policy != "" {
				want = []string{"arn:aws:iam::aws:policy/aws-service-role/" + tt.policy}
			}
			if !slices.Equal(got, want) {
				t.Errorf("ListAttachedRolePolicies(%s) = %q, want %q", tt.role, got, want)
			}
		})
	}
}

// A service-linked role gets its service's permissions policy, and loses
// it with the role.
func TestCreateServiceLinkedRole_Policy(t *testing.T) {
	s, root := seededService(t)
	ctx := context.Background()
	out, err := s.CreateServiceLinkedRole(ctx, root, &CreateServiceLinkedRoleInput{AWSServiceName: "support.amazonaws.com"})
	if err != nil {
		t.Fatalf("CreateServiceLinkedRole(support): %v", err)
	}
	attached, err := s.ListAttachedRolePolicies(ctx, root, &ListAttachedRolePoliciesInput{RoleName: out.Role.RoleName})
	const want = "arn:aws:iam::aws:policy/aws-service-role/AWSSupportServiceRolePolicy"
	if err != nil || len(attached.AttachedPolicies) != 1 || attached.AttachedPolicies[0].PolicyARN != want {
		t.Fatalf("ListAttachedRolePolicies(%s) = %+v, %v; want %s", out.Role.RoleName, attached, err, want)
	}
	if _, err := s.DeleteServiceLinkedRole(ctx, root, &DeleteServiceLinkedRoleInput{RoleName: out.Role.RoleName}); err != nil {
		t.Fatalf("DeleteServiceLinkedRole: %v", err)
	}
	p, err := s.GetPolicy(ctx, root, &GetPolicyInput{PolicyARN: want})
	if err != nil || p.Policy.AttachmentCount != 0 {
		t.Errorf("GetPolicy(AWSSupportServiceRolePolicy) after the role's deletion = %+v, %v; want AttachmentCount 0", p, err)
	}
}
