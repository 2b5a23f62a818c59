package iam

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/keyward/keyward"
)

// equalTime compares output timestamps (Time has no Equal method).
var equalTime = cmp.Comparer(func(a, b Time) bool { return time.Time(a).Equal(time.Time(b)) })

// awsPolicy writes an AWS-managed policy (account "aws") to the store, as
// a seeded catalogue would, and returns its ARN.
func awsPolicy(t *testing.T, s *Service, name string, attachable bool) string {
	t.Helper()
	arn := PolicyARN(keyward.AWSAccountID, "/", name)
	err := s.Store.Update(context.Background(), func(tx keyward.Tx) error {
		return tx.CreatePolicy(keyward.ManagedPolicy{
			AccountID: keyward.AWSAccountID, ID: RandomIDs{}.ID(PrefixPolicy), Name: name, Path: "/", ARN: arn,
			IsAttachable: attachable, CreateDate: testClock, UpdateDate: testClock,
		}, allow("*", "*"))
	})
	if err != nil {
		t.Fatal(err)
	}
	return arn
}

// newPolicy creates a customer-managed policy through the API.
func newPolicy(t *testing.T, s *Service, c *keyward.Caller, name, path string) Policy {
	t.Helper()
	out, err := s.CreatePolicy(context.Background(), c, &CreatePolicyInput{PolicyName: name, Path: &path, PolicyDocument: allow("s3:*", "*")})
	if err != nil {
		t.Fatalf("CreatePolicy(%q): %v", name, err)
	}
	return out.Policy
}

func TestService_CreatePolicy(t *testing.T) {
	s, root := newService(t)
	ctx := context.Background()
	out, err := s.CreatePolicy(ctx, root, &CreatePolicyInput{
		PolicyName:     "ReadS3",
		Path:           ptr("/team/"),
		PolicyDocument: allow("s3:Get*", "*"),
		Description:    ptr("read buckets"),
		Tags:           []keyward.Tag{{Key: "owner", Value: "data"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	p := out.Policy
	if !strings.HasPrefix(p.PolicyID, PrefixPolicy) || len(p.PolicyID) != 21 {
		t.Fatalf("CreatePolicy PolicyId = %q, want ANPA + 17", p.PolicyID)
	}
	got := marshal(t, "CreatePolicy", out)
	want := `<CreatePolicyResult><Policy><PolicyName>ReadS3</PolicyName><PolicyId>` + p.PolicyID + `</PolicyId>` +
		`<Arn>arn:aws:iam::111122223333:policy/team/ReadS3</Arn><Path>/team/</Path><DefaultVersionId>v1</DefaultVersionId>` +
		`<AttachmentCount>0</AttachmentCount><PermissionsBoundaryUsageCount>0</PermissionsBoundaryUsageCount>` +
		`<IsAttachable>true</IsAttachable>` + // CreatePolicy shows no Description, GetPolicy does
		`<CreateDate>2026-11-26T23:52:02Z</CreateDate><UpdateDate>2026-11-26T23:52:02Z</UpdateDate>` +
		`<Tags><member><Key>owner</Key><Value>data</Value></member></Tags></Policy></CreatePolicyResult>`
	if got != want {
		t.Fatalf("CreatePolicy XML =\n%s\nwant\n%s", got, want)
	}

	get, err := s.GetPolicy(ctx, root, &GetPolicyInput{PolicyARN: "arn:aws:iam::111122223333:policy/team/ReadS3"})
	if err != nil {
		t.Fatal(err)
	}
	p.Description = "read buckets" // GetPolicy shows it, CreatePolicy does not
	if diff := cmp.Diff(p, get.Policy, equalTime); diff != "" {
		t.Fatalf("GetPolicy differs from CreatePolicy (-create +get):\n%s", diff)
	}

	tests := []struct {
		name string
		in   *CreatePolicyInput
		code string
		msg  string
	}{
		{
			name: "same name in another case",
			in:   &CreatePolicyInput{PolicyName: "reads3", PolicyDocument: allow("s3:*", "*")},
			code: keyward.ErrEntityAlreadyExists,
			msg:  "A policy called reads3 already exists. Duplicate names are not allowed.",
		},
		{
			name: "malformed document",
			in:   &CreatePolicyInput{PolicyName: "bad", PolicyDocument: `{"Version":"2012-10-17","Statement":[{"Effect":"allow","Action":"s3:*","Resource":"*"}]}`},
			code: keyward.ErrMalformedPolicyDocument,
		},
		{
			name: "principal in an identity policy",
			in:   &CreatePolicyInput{PolicyName: "bad", PolicyDocument: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}]}`},
			code: keyward.ErrMalformedPolicyDocument,
		},
		{
			name: "too large",
			in:   &CreatePolicyInput{PolicyName: "big", PolicyDocument: bigDocument(maxManagedPolicySize + 1)},
			code: keyward.ErrLimitExceeded,
			msg:  "Cannot exceed quota for PolicySize: 6144",
		},
		{
			name: "reserved tag key",
			in:   &CreatePolicyInput{PolicyName: "p", PolicyDocument: allow("s3:*", "*"), Tags: []keyward.Tag{{Key: "aws:x", Value: "1"}}},
			code: keyward.ErrInvalidInput,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.CreatePolicy(ctx, root, tt.in)
			wantCode(t, "CreatePolicy", err, tt.code)
			if tt.msg != "" {
				wantError(t, "CreatePolicy", err, tt.code, tt.msg)
			}
		})
	}
	// White space does not count against the size quota.
	padded := bigDocument(maxManagedPolicySize)
	padded = strings.Replace(padded, "{", "{"+strings.Repeat(" \n", 500), 1)
	if _, err := s.CreatePolicy(ctx, root, &CreatePolicyInput{PolicyName: "padded", PolicyDocument: padded}); err != nil {
		t.Fatalf("CreatePolicy(%d characters and white space): %v", maxManagedPolicySize, err)
	}
}

// bigDocument returns an identity policy of exactly n characters, none of
// them white space.
func bigDocument(n int) string {
	head := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::`
	tail := `"}]}`
	return head + strings.Repeat("a", n-len(head)-len(tail)) + tail
}

func TestService_PolicyVersions(t *testing.T) {
	s, root := newService(t)
	ctx := context.Background()
	arn := newPolicy(t, s, root, "versioned", "/").ARN
	docs := []string{allow("s3:*", "*")}
	for i := 2; i <= maxPolicyVersions; i++ {
		doc := allow(fmt.Sprintf("ec2:Action%d", i), "*")
		docs = append(docs, doc)
		out, err := s.CreatePolicyVersion(ctx, root, &CreatePolicyVersionInput{PolicyARN: arn, PolicyDocument: doc, SetAsDefault: ptr(i == 3)})
		if err != nil {
			t.Fatal(err)
		}
		want := PolicyVersion{VersionID: fmt.Sprintf("v%d", i), IsDefaultVersion: i == 3, CreateDate: Time(testClock.Truncate(1e9))}
		if diff := cmp.Diff(want, out.PolicyVersion, equalTime); diff != "" {
			t.Fatalf("CreatePolicyVersion #%d (-want +got):\n%s", i, diff)
		}
	}
	_, err := s.CreatePolicyVersion(ctx, root, &CreatePolicyVersionInput{PolicyARN: arn, PolicyDocument: allow("s3:*", "*")})
	wantError(t, "CreatePolicyVersion(sixth)", err, keyward.ErrLimitExceeded,
		"A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.")

	p, err := s.GetPolicy(ctx, root, &GetPolicyInput{PolicyARN: arn})
	if err != nil {
		t.Fatal(err)
	}
	if p.Policy.DefaultVersionID != "v3" {
		t.Fatalf("GetPolicy DefaultVersionId = %q after SetAsDefault on v3", p.Policy.DefaultVersionID)
	}

	// Documents come back URL-encoded, as IAM sends them.
	gv, err := s.GetPolicyVersion(ctx, root, &GetPolicyVersionInput{PolicyARN: arn, VersionID: "v2"})
	if err != nil {
		t.Fatal(err)
	}
	if doc, _ := url.QueryUnescape(gv.PolicyVersion.Document); doc != docs[1] || gv.PolicyVersion.IsDefaultVersion {
		t.Fatalf("GetPolicyVersion(v2) = %+v, want document %s", gv.PolicyVersion, docs[1])
	}

	// Newest first, in pages.
	var ids []string
	var marker *string
	for pages := 0; ; pages++ {
		lv, err := s.ListPolicyVersions(ctx, root, &ListPolicyVersionsInput{PolicyARN: arn, MaxItems: ptr(int32(2)), Marker: marker})
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range lv.Versions {
			if v.Document != "" {
				t.Fatalf("ListPolicyVersions shows a document: %+v", v)
			}
			ids = append(ids, v.VersionID)
		}
		if !lv.IsTruncated {
			if pages != 2 || lv.Marker != "" {
				t.Fatalf("ListPolicyVersions ended after %d pages with marker %q", pages+1, lv.Marker)
			}
			break
		}
		marker = &lv.Marker
	}
	if diff := cmp.Diff([]string{"v5", "v4", "v3", "v2", "v1"}, ids); diff != "" {
		t.Fatalf("ListPolicyVersions (-want +got):\n%s", diff)
	}

	_, err = s.DeletePolicyVersion(ctx, root, &DeletePolicyVersionInput{PolicyARN: arn, VersionID: "v3"})
	wantError(t, "DeletePolicyVersion(default)", err, keyward.ErrDeleteConflict, "Cannot delete the default version of a policy.")
	if _, err := s.DeletePolicyVersion(ctx, root, &DeletePolicyVersionInput{PolicyARN: arn, VersionID: "v5"}); err != nil {
		t.Fatal(err)
	}
	_, err = s.GetPolicyVersion(ctx, root, &GetPolicyVersionInput{PolicyARN: arn, VersionID: "v5"})
	wantError(t, "GetPolicyVersion(deleted v5)", err, keyward.ErrNoSuchEntity,
		"Policy "+arn+" version v5 does not exist or is not attachable.")
	// Version numbers are never reused.
	nv, err := s.CreatePolicyVersion(ctx, root, &CreatePolicyVersionInput{PolicyARN: arn, PolicyDocument: allow("s3:*", "*")})
	if err != nil {
		t.Fatal(err)
	}
	if nv.PolicyVersion.VersionID != "v6" {
		t.Fatalf("CreatePolicyVersion after deleting v5 = %q, want v6", nv.PolicyVersion.VersionID)
	}

	if _, err := s.SetDefaultPolicyVersion(ctx, root, &SetDefaultPolicyVersionInput{PolicyARN: arn, VersionID: "v1"}); err != nil {
		t.Fatal(err)
	}
	gv, err = s.GetPolicyVersion(ctx, root, &GetPolicyVersionInput{PolicyARN: arn, VersionID: "v1"})
	if err != nil || !gv.PolicyVersion.IsDefaultVersion {
		t.Fatalf("GetPolicyVersion(v1) after SetDefaultPolicyVersion = %+v, %v", gv, err)
	}
	_, err = s.SetDefaultPolicyVersion(ctx, root, &SetDefaultPolicyVersionInput{PolicyARN: arn, VersionID: "v9"})
	wantCode(t, "SetDefaultPolicyVersion(v9)", err, keyward.ErrNoSuchEntity)
	_, err = s.CreatePolicyVersion(ctx, root, &CreatePolicyVersionInput{PolicyARN: arn, PolicyDocument: `{"Statement":[]`})
	wantCode(t, "CreatePolicyVersion(broken JSON)", err, keyward.ErrMalformedPolicyDocument)
	_, err = s.CreatePolicyVersion(ctx, root, &CreatePolicyVersionInput{PolicyARN: arn + "x", PolicyDocument: allow("s3:*", "*")})
	wantCode(t, "CreatePolicyVersion(missing policy)", err, keyward.ErrNoSuchEntity)
}

func TestService_DeletePolicy(t *testing.T) {
	s, root := newService(t)
	ctx := context.Background()
	arn := newPolicy(t, s, root, "p", "/").ARN
	if _, err := s.CreateUser(ctx, root, &CreateUserInput{UserName: "alice"}); err != nil {
		t.Fatal(err)
	}

	if _, err := s.AttachUserPolicy(ctx, root, &AttachUserPolicyInput{UserName: "alice", PolicyARN: arn}); err != nil {
		t.Fatal(err)
	}
	_, err := s.DeletePolicy(ctx, root, &DeletePolicyInput{PolicyARN: arn})
	wantError(t, "DeletePolicy(attached)", err, keyward.ErrDeleteConflict, "Cannot delete a policy attached to entities.")
	if _, err := s.DetachUserPolicy(ctx, root, &DetachUserPolicyInput{UserName: "alice", PolicyARN: arn}); err != nil {
		t.Fatal(err)
	}

	if _, err := s.PutUserPermissionsBoundary(ctx, root, &PutUserPermissionsBoundaryInput{UserName: "alice", PermissionsBoundary: arn}); err != nil {
		t.Fatal(err)
	}
	_, err = s.DeletePolicy(ctx, root, &DeletePolicyInput{PolicyARN: arn})
	wantError(t, "DeletePolicy(boundary)", err, keyward.ErrDeleteConflict, "Cannot delete a policy attached to entities.")
	if _, err := s.DeleteUserPermissionsBoundary(ctx, root, &DeleteUserPermissionsBoundaryInput{UserName: "alice"}); err != nil {
		t.Fatal(err)
	}

	if _, err := s.CreatePolicyVersion(ctx, root, &CreatePolicyVersionInput{PolicyARN: arn, PolicyDocument: allow("s3:*", "*")}); err != nil {
		t.Fatal(err)
	}
	_, err = s.DeletePolicy(ctx, root, &DeletePolicyInput{PolicyARN: arn})
	wantCode(t, "DeletePolicy(two versions)", err, keyward.ErrDeleteConflict)
	if _, err := s.DeletePolicyVersion(ctx, root, &DeletePolicyVersionInput{PolicyARN: arn, VersionID: "v2"}); err != nil {
		t.Fatal(err)
	}

	if _, err := s.DeletePolicy(ctx, root, &DeletePolicyInput{PolicyARN: arn}); err != nil {
		t.Fatal(err)
	}
	_, err = s.GetPolicy(ctx, root, &GetPolicyInput{PolicyARN: arn})
	wantError(t, "GetPolicy(deleted)", err, keyward.ErrNoSuchEntity, "Policy "+arn+" was not found.")
	_, err = s.DeletePolicy(ctx, root, &DeletePolicyInput{PolicyARN: arn})
	wantCode(t, "DeletePolicy(deleted)", err, keyward.ErrNoSuchEntity)

	_, err = s.DeletePolicy(ctx, root, &DeletePolicyInput{PolicyARN: "not-an-arn-but-long-enough"})
	wantError(t, "DeletePolicy(bad ARN)", err, keyward.ErrInvalidInput, "ARN not-an-arn-but-long-enough is not valid.")
	_, err = s.GetPolicy(ctx, root, &GetPolicyInput{PolicyARN: "arn:aws:iam::111122223333:user/alice"})
	wantCode(t, "GetPolicy(user ARN)", err, keyward.ErrInvalidInput)

	managed := awsPolicy(t, s, "ReadOnlyAccess", true)
	_, err = s.DeletePolicy(ctx, root, &DeletePolicyInput{PolicyARN: managed})
	wantCode(t, "DeletePolicy(AWS-managed)", err, keyward.ErrAccessDenied)
	_, err = s.CreatePolicyVersion(ctx, root, &CreatePolicyVersionInput{PolicyARN: managed, PolicyDocument: allow("s3:*", "*")})
	wantCode(t, "CreatePolicyVersion(AWS-managed)", err, keyward.ErrAccessDenied)
	if _, err := s.GetPolicy(ctx, root, &GetPolicyInput{PolicyARN: managed}); err != nil {
		t.Fatalf("GetPolicy(AWS-managed): %v", err)
	}
	if _, err := s.GetPolicyVersion(ctx, root, &GetPolicyVersionInput{PolicyARN: managed, VersionID: "v1"}); err != nil {
		t.Fatalf("GetPolicyVersion(AWS-managed): %v", err)
	}
}

func TestService_Policies_OtherAccount(t *testing.T) {
	s, root := newService(t)
	ctx := context.Background()
	theirs := newPolicy(t, s, rootOf(otherAccount), "theirs", "/").ARN
	for name, call := range map[string]func() error{
		"GetPolicy": func() error { _, err := s.GetPolicy(ctx, root, &GetPolicyInput{PolicyARN: theirs}); return err },
		"GetPolicyVersion": func() error {
			_, err := s.GetPolicyVersion(ctx, root, &GetPolicyVersionInput{PolicyARN: theirs, VersionID: "v1"})
			return err
		},
		"ListPolicyVersions": func() error {
			_, err := s.ListPolicyVersions(ctx, root, &ListPolicyVersionsInput{PolicyARN: theirs})
			return err
		},
		"DeletePolicy": func() error { _, err := s.DeletePolicy(ctx, root, &DeletePolicyInput{PolicyARN: theirs}); return err },
		"SetDefaultPolicyVersion": func() error {
			_, err := s.SetDefaultPolicyVersion(ctx, root, &SetDefaultPolicyVersionInput{PolicyARN: theirs, VersionID: "v1"})
			return err
		},
		"ListEntitiesForPolicy": func() error {
			_, err := s.ListEntitiesForPolicy(ctx, root, &ListEntitiesForPolicyInput{PolicyARN: theirs})
			return err
		},
	} {
		wantCode(t, name+"(other account's policy)", call(), keyward.ErrAccessDenied)
	}
	list, err := s.ListPolicies(ctx, root, &ListPoliciesInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Policies) != 0 {
		t.Fatalf("ListPolicies shows another account's policies: %+v", list.Policies)
	}
	// Still there for its owner.
	if _, err := s.GetPolicy(ctx, rootOf(otherAccount), &GetPolicyInput{PolicyARN: theirs}); err != nil {
		t.Fatal(err)
	}
}

func TestService_ListPolicies(t *testing.T) {
	s, root := newService(t)
	ctx := context.Background()
	for _, p := range []struct{ name, path string }{{"b-local", "/"}, {"A-local", "/team/"}, {"c-local", "/team/sub/"}} {
		newPolicy(t, s, root, p.name, p.path)
	}
	awsPolicy(t, s, "AdministratorAccess", true)
	awsPolicy(t, s, "ZetaAccess", true)
	if _, err := s.CreateUser(ctx, root, &CreateUserInput{UserName: "alice"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AttachUserPolicy(ctx, root, &AttachUserPolicyInput{UserName: "alice", PolicyARN: PolicyARN(testAccount, "/", "b-local")}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutUserPermissionsBoundary(ctx, root, &PutUserPermissionsBoundaryInput{UserName: "alice", PermissionsBoundary: PolicyARN(testAccount, "/team/sub/", "c-local")}); err != nil {
		t.Fatal(err)
	}

	names := func(in *ListPoliciesInput) []string {
		t.Helper()
		out, err := s.ListPolicies(ctx, root, in)
		if err != nil {
			t.Fatalf("ListPolicies(%+v): %v", in, err)
		}
		var n []string
		for _, p := range out.Policies {
			if p.Description != "" || p.Tags != nil {
				t.Fatalf("ListPolicies shows description or tags: %+v", p)
			}
			n = append(n, p.PolicyName)
		}
		return n
	}
	tests := []struct {
		name string
		in   *ListPoliciesInput
		want []string
	}{
		{"all", &ListPoliciesInput{}, []string{"A-local", "AdministratorAccess", "b-local", "c-local", "ZetaAccess"}},
		{"local", &ListPoliciesInput{Scope: ptr("Local")}, []string{"A-local", "b-local", "c-local"}},
		{"aws", &ListPoliciesInput{Scope: ptr("AWS")}, []string{"AdministratorAccess", "ZetaAccess"}},
		{"path prefix", &ListPoliciesInput{PathPrefix: ptr("/team/")}, []string{"A-local", "c-local"}},
		{"only attached", &ListPoliciesInput{OnlyAttached: ptr(true)}, []string{"b-local"}},
		{"boundaries", &ListPoliciesInput{PolicyUsageFilter: ptr("PermissionsBoundary")}, []string{"c-local"}},
		{"permissions policies", &ListPoliciesInput{PolicyUsageFilter: ptr("PermissionsPolicy"), Scope: ptr("Local")}, []string{"A-local", "b-local", "c-local"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, names(tt.in)); diff != "" {
				t.Fatalf("ListPolicies(%s) (-want +got):\n%s", tt.name, diff)
			}
		})
	}

	var all []string
	var marker *string
	for {
		out, err := s.ListPolicies(ctx, root, &ListPoliciesInput{MaxItems: ptr(int32(2)), Marker: marker})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Policies) > 2 {
			t.Fatalf("ListPolicies(MaxItems 2) returned %d", len(out.Policies))
		}
		for _, p := range out.Policies {
			all = append(all, p.PolicyName)
		}
		if !out.IsTruncated {
			break
		}
		marker = &out.Marker
	}
	if diff := cmp.Diff(tests[0].want, all); diff != "" {
		t.Fatalf("ListPolicies pages (-want +got):\n%s", diff)
	}
}

func TestService_ListEntitiesForPolicy(t *testing.T) {
	s, root := newService(t)
	ctx := context.Background()
	arn := newPolicy(t, s, root, "shared", "/").ARN
	for _, u := range []string{"carol", "alice", "bob"} {
		if _, err := s.CreateUser(ctx, root, &CreateUserInput{UserName: u, Path: ptr("/people/")}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AttachUserPolicy(ctx, root, &AttachUserPolicyInput{UserName: u, PolicyARN: arn}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.CreateGroup(ctx, root, &CreateGroupInput{GroupName: "devs"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AttachGroupPolicy(ctx, root, &AttachGroupPolicyInput{GroupName: "devs", PolicyARN: arn}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateRole(ctx, root, &CreateRoleInput{RoleName: "worker", AssumeRolePolicyDocument: trustEC2}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AttachRolePolicy(ctx, root, &AttachRolePolicyInput{RoleName: "worker", PolicyARN: arn}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutRolePermissionsBoundary(ctx, root, &PutRolePermissionsBoundaryInput{RoleName: "worker", PermissionsBoundary: arn}); err != nil {
		t.Fatal(err)
	}

	out, err := s.ListEntitiesForPolicy(ctx, root, &ListEntitiesForPolicyInput{PolicyARN: arn})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.PolicyGroups) != 1 || out.PolicyGroups[0].GroupName != "devs" || len(out.PolicyUsers) != 3 ||
		len(out.PolicyRoles) != 1 || out.PolicyRoles[0].RoleName != "worker" || out.IsTruncated {
		t.Fatalf("ListEntitiesForPolicy = %+v", out)
	}

	// Two per page: the group and the role, then the users.
	var pages [][]string
	var marker *string
	for {
		out, err := s.ListEntitiesForPolicy(ctx, root, &ListEntitiesForPolicyInput{PolicyARN: arn, MaxItems: ptr(int32(2)), Marker: marker})
		if err != nil {
			t.Fatal(err)
		}
		var page []string
		for _, g := range out.PolicyGroups {
			page = append(page, "group:"+g.GroupName)
		}
		for _, r := range out.PolicyRoles {
			page = append(page, "role:"+r.RoleName)
		}
		for _, u := range out.PolicyUsers {
			page = append(page, "user:"+u.UserName)
		}
		pages = append(pages, page)
		if !out.IsTruncated {
			break
		}
		marker = &out.Marker
	}
	want := [][]string{{"group:devs", "role:worker"}, {"user:alice", "user:bob"}, {"user:carol"}}
	if diff := cmp.Diff(want, pages); diff != "" {
		t.Fatalf("ListEntitiesForPolicy pages (-want +got):\n%s", diff)
	}

	tests := []struct {
		name string
		in   ListEntitiesForPolicyInput
		want string
	}{
		{"users", ListEntitiesForPolicyInput{EntityFilter: ptr("User")}, "users=3 groups=0 roles=0"},
		{"roles", ListEntitiesForPolicyInput{EntityFilter: ptr("Role")}, "users=0 groups=0 roles=1"},
		{"path", ListEntitiesForPolicyInput{PathPrefix: ptr("/people/")}, "users=3 groups=0 roles=0"},
		{"boundary", ListEntitiesForPolicyInput{PolicyUsageFilter: ptr("PermissionsBoundary")}, "users=0 groups=0 roles=1"},
		{"policies", ListEntitiesForPolicyInput{EntityFilter: ptr("LocalManagedPolicy")}, "users=0 groups=0 roles=0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			in.PolicyARN = arn
			out, err := s.ListEntitiesForPolicy(ctx, root, &in)
			if err != nil {
				t.Fatal(err)
			}
			got := fmt.Sprintf("users=%d groups=%d roles=%d", len(out.PolicyUsers), len(out.PolicyGroups), len(out.PolicyRoles))
			if got != tt.want {
				t.Fatalf("ListEntitiesForPolicy(%s) = %s, want %s", tt.name, got, tt.want)
			}
		})
	}

	// Empty lists are written as empty elements.
	empty := newPolicy(t, s, root, "unused", "/").ARN
	eo, err := s.ListEntitiesForPolicy(ctx, root, &ListEntitiesForPolicyInput{PolicyARN: empty})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := marshal(t, "ListEntitiesForPolicy", eo), `<ListEntitiesForPolicyResult><PolicyGroups></PolicyGroups><PolicyUsers></PolicyUsers><PolicyRoles></PolicyRoles><IsTruncated>false</IsTruncated></ListEntitiesForPolicyResult>`; got != want {
		t.Fatalf("ListEntitiesForPolicy XML =\n%s\nwant\n%s", got, want)
	}
}

// trustEC2 is a trust policy letting EC2 assume a role.
const trustEC2 = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

func TestService_ListEntitiesForPolicy_AWSManaged(t *testing.T) {
	s, root := newService(t)
	ctx := context.Background()
	managed := awsPolicy(t, s, "ReadOnlyAccess", true)
	other := rootOf(otherAccount)
	for _, c := range []*keyward.Caller{root, other} {
		for _, u := range []string{"alice", "bob"} {
			if _, err := s.CreateUser(ctx, c, &CreateUserInput{UserName: u}); err != nil {
				t.Fatal(err)
			}
			if _, err := s.AttachUserPolicy(ctx, c, &AttachUserPolicyInput{UserName: u, PolicyARN: managed}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.CreateGroup(ctx, c, &CreateGroupInput{GroupName: "g"}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AttachGroupPolicy(ctx, c, &AttachGroupPolicyInput{GroupName: "g", PolicyARN: managed}); err != nil {
			t.Fatal(err)
		}
	}
	var ids []string
	var marker *string
	for {
		out, err := s.ListEntitiesForPolicy(ctx, root, &ListEntitiesForPolicyInput{PolicyARN: managed, MaxItems: ptr(int32(2)), Marker: marker})
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range out.PolicyGroups {
			ids = append(ids, g.GroupID)
		}
		for _, u := range out.PolicyUsers {
			ids = append(ids, u.UserID)
		}
		if !out.IsTruncated {
			break
		}
		marker = &out.Marker
	}
	var want []string
	err := s.Store.View(ctx, func(tx keyward.Tx) error {
		g, err := tx.GetGroup(testAccount, "g")
		if err != nil {
			return err
		}
		want = append(want, g.ID)
		for _, n := range []string{"alice", "bob"} {
			u, err := tx.GetUser(testAccount, n)
			if err != nil {
				return err
			}
			want = append(want, u.ID)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, ids); diff != "" {
		t.Fatalf("ListEntitiesForPolicy(AWS-managed) lists other accounts' entities (-want +got):\n%s", diff)
	}
}

func TestService_Policy_Authorization(t *testing.T) {
	s, root := newService(t)
	ctx := context.Background()
	mine := newPolicy(t, s, root, "mine", "/").ARN
	secret := newPolicy(t, s, root, "secret", "/").ARN
	alice := userCaller(t, s, "alice",
		allow("iam:GetPolicy", mine),
		allow("iam:CreatePolicy", "arn:aws:iam::111122223333:policy/dev/*"),
		allow("iam:ListPolicies", "*"),
	)
	if _, err := s.GetPolicy(ctx, alice, &GetPolicyInput{PolicyARN: mine}); err != nil {
		t.Fatalf("GetPolicy(allowed policy): %v", err)
	}
	_, err := s.GetPolicy(ctx, alice, &GetPolicyInput{PolicyARN: secret})
	wantError(t, "GetPolicy(other policy)", err, keyward.ErrAccessDenied,
		"User: arn:aws:iam::111122223333:user/alice is not authorized to perform: iam:GetPolicy on resource: "+secret+
			" because no identity-based policy allows the iam:GetPolicy action")
	_, err = s.GetPolicyVersion(ctx, alice, &GetPolicyVersionInput{PolicyARN: mine, VersionID: "v1"})
	wantCode(t, "GetPolicyVersion(not allowed)", err, keyward.ErrAccessDenied)

	if _, err := s.CreatePolicy(ctx, alice, &CreatePolicyInput{PolicyName: "x", Path: ptr("/dev/"), PolicyDocument: allow("s3:*", "*")}); err != nil {
		t.Fatalf("CreatePolicy(/dev/x): %v", err)
	}
	_, err = s.CreatePolicy(ctx, alice, &CreatePolicyInput{PolicyName: "x", PolicyDocument: allow("s3:*", "*")})
	wantCode(t, "CreatePolicy(/x)", err, keyward.ErrAccessDenied)
	if _, err := s.ListPolicies(ctx, alice, &ListPoliciesInput{}); err != nil {
		t.Fatalf("ListPolicies: %v", err)
	}
	_, err = s.DeletePolicy(ctx, alice, &DeletePolicyInput{PolicyARN: mine})
	wantCode(t, "DeletePolicy(not allowed)", err, keyward.ErrAccessDenied)
	// Refused before the store is touched: the policy is still there.
	if _, err := s.GetPolicy(ctx, root, &GetPolicyInput{PolicyARN: mine}); err != nil {
		t.Fatal(err)
	}
}

func TestService_CreatePolicy_TagConditions(t *testing.T) {
	s, _ := newService(t)
	ctx := context.Background()
	bob := userCaller(t, s, "bob", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:CreatePolicy","Resource":"*",
		"Condition":{"StringEquals":{"aws:RequestTag/team":"blue"},"ForAllValues:StringEquals":{"aws:TagKeys":["team"]}}}]}`)
	_, err := s.CreatePolicy(ctx, bob, &CreatePolicyInput{PolicyName: "untagged", PolicyDocument: allow("s3:*", "*")})
	wantCode(t, "CreatePolicy(no tags)", err, keyward.ErrAccessDenied)
	_, err = s.CreatePolicy(ctx, bob, &CreatePolicyInput{PolicyName: "red", PolicyDocument: allow("s3:*", "*"), Tags: []keyward.Tag{{Key: "team", Value: "red"}}})
	wantCode(t, "CreatePolicy(team=red)", err, keyward.ErrAccessDenied)
	if _, err := s.CreatePolicy(ctx, bob, &CreatePolicyInput{PolicyName: "blue", PolicyDocument: allow("s3:*", "*"), Tags: []keyward.Tag{{Key: "team", Value: "blue"}}}); err != nil {
		t.Fatalf("CreatePolicy(team=blue): %v", err)
	}
}
