package iam

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/keyward/keyward"
)

const ec2Trust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

func TestService_CreateRole(t *testing.T) {
	s, root := newService(t)
	ctx := context.Background()
	out, err := s.CreateRole(ctx, root, &CreateRoleInput{
		RoleName:                 "app",
		Path:                     ptr("/svc/"),
		AssumeRolePolicyDocument: ec2Trust,
		Description:              ptr("the app"),
		Tags:                     []keyward.Tag{{Key: "env", Value: "prod"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	r := out.Role
	if r.ARN != "arn:aws:iam::111122223333:role/svc/app" || !strings.HasPrefix(r.RoleID, "AROA") || r.MaxSessionDuration != 0 || len(r.Tags) != 1 {
		t.Fatalf("CreateRole = %+v", r)
	}
	if doc, _ := url.QueryUnescape(r.AssumeRolePolicyDocument); doc != ec2Trust {
		t.Fatalf("CreateRole document decodes to %q", doc)
	}

	got, err := s.GetRole(ctx, root, &GetRoleInput{RoleName: "APP"})
	if err != nil {
		t.Fatal(err)
	}
	x := marshal(t, "GetRole", got)
	want := `<GetRoleResult><Role><Path>/svc/</Path><RoleName>app</RoleName><RoleId>` + r.RoleID + `</RoleId>` +
		`<Arn>arn:aws:iam::111122223333:role/svc/app</Arn><CreateDate>2026-11-26T23:52:02Z</CreateDate>` +
		`<AssumeRolePolicyDocument>` + EncodeDocument(ec2Trust) + `</AssumeRolePolicyDocument>` +
		`<Description>the app</Description><MaxSessionDuration>3600</MaxSessionDuration>` +
		`<Tags><member><Key>env</Key><Value>prod</Value></member></Tags><RoleLastUsed></RoleLastUsed></Role></GetRoleResult>`
	if x != want {
		t.Fatalf("GetRole XML =\n%s\nwant\n%s", x, want)
	}

	tests := []struct {
		name string
		in   CreateRoleInput
		code string
	}{
		{"exists", CreateRoleInput{RoleName: "App", AssumeRolePolicyDocument: ec2Trust}, keyward.ErrEntityAlreadyExists},
		{"no principal", CreateRoleInput{RoleName: "x", AssumeRolePolicyDocument: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}`}, keyward.ErrMalformedPolicyDocument},
		{"not JSON", CreateRoleInput{RoleName: "x", AssumeRolePolicyDocument: `{`}, keyward.ErrMalformedPolicyDocument},
		{"too large", CreateRoleInput{RoleName: "x", AssumeRolePolicyDocument: `{"Sid":"` + strings.Repeat("a", 2048) + `"}`}, keyward.ErrLimitExceeded},
		{"reserved path", CreateRoleInput{RoleName: "x", AssumeRolePolicyDocument: ec2Trust, Path: ptr("/aws-service-role/x/")}, keyward.ErrInvalidInput},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.CreateRole(ctx, root, &tt.in)
			wantCode(t, "CreateRole", err, tt.code)
		})
	}
	_, err = s.CreateRole(ctx, root, &CreateRoleInput{RoleName: "x", AssumeRolePolicyDocument: `{"Sid":"` + strings.Repeat("a", 2048) + `"}`})
	wantError(t, "CreateRole(large trust policy)", err, keyward.ErrLimitExceeded, "Cannot exceed quota for ACLSizePerRole: 2048")
}

func TestService_UpdateRole(t *testing.T) {
	s, root := newService(t)
	ctx := context.Background()
	if _, err := s.CreateRole(ctx, root, &CreateRoleInput{RoleName: "app", AssumeRolePolicyDocument: ec2Trust}); err != nil {
		t.Fatal(err)
	}
	out, err := s.UpdateRole(ctx, root, &UpdateRoleInput{RoleName: "app", Description: ptr("new"), MaxSessionDuration: ptr(int32(7200))})
	if err != nil {
		t.Fatal(err)
	}
	if x := marshal(t, "UpdateRole", out); x != "<UpdateRoleResult></UpdateRoleResult>" {
		t.Fatalf("UpdateRole XML = %s", x)
	}
	desc, err := s.UpdateRoleDescription(ctx, root, &UpdateRoleDescriptionInput{RoleName: "app", Description: "newer"})
	if err != nil {
		t.Fatal(err)
	}
	if desc.Role.Description != "newer" || desc.Role.MaxSessionDuration != 7200 {
		t.Fatalf("UpdateRoleDescription = %+v", desc.Role)
	}
	lambda := strings.Replace(ec2Trust, "ec2", "lambda", 1)
	if _, err := s.UpdateAssumeRolePolicy(ctx, root, &UpdateAssumeRolePolicyInput{RoleName: "app", PolicyDocument: lambda}); err != nil {
		t.Fatal(err)
	}
	_, err = s.UpdateAssumeRolePolicy(ctx, root, &UpdateAssumeRolePolicyInput{RoleName: "app", PolicyDocument: `{"Statement":[]`})
	wantCode(t, "UpdateAssumeRolePolicy(broken)", err, keyward.ErrMalformedPolicyDocument)
	got, err := s.GetRole(ctx, root, &GetRoleInput{RoleName: "app"})
	if err != nil {
		t.Fatal(err)
	}
	if doc, _ := url.QueryUnescape(got.Role.AssumeRolePolicyDocument); doc != lambda {
		t.Fatalf("trust policy after update = %q", doc)
	}
	_, err = s.UpdateRole(ctx, root, &UpdateRoleInput{RoleName: "nope"})
	wantError(t, "UpdateRole(nope)", err, keyward.ErrNoSuchEntity, "The role with name nope cannot be found.")
}

func TestService_DeleteRole(t *testing.T) {
	s, root := newService(t)
	ctx := context.Background()
	if _, err := s.CreateRole(ctx, root, &CreateRoleInput{RoleName: "app", AssumeRolePolicyDocument: ec2Trust}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateInstanceProfile(ctx, root, &CreateInstanceProfileInput{InstanceProfileName: "web"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddRoleToInstanceProfile(ctx, root, &AddRoleToInstanceProfileInput{InstanceProfileName: "web", RoleName: "app"}); err != nil {
		t.Fatal(err)
	}
	_, err := s.DeleteRole(ctx, root, &DeleteRoleInput{RoleName: "app"})
	wantError(t, "DeleteRole(in a profile)", err, keyward.ErrDeleteConflict, msgRemoveFromProfiles)
	if _, err := s.RemoveRoleFromInstanceProfile(ctx, root, &RemoveRoleFromInstanceProfileInput{InstanceProfileName: "web", RoleName: "app"}); err != nil {
		t.Fatal(err)
	}
	ref := keyward.RoleRef(testAccount, "app")
	arn := createPolicy(t, s, testAccount, "pol")
	if err := s.Store.Update(ctx, func(tx keyward.Tx) error { return tx.AttachPolicy(ref, arn) }); err != nil {
		t.Fatal(err)
	}
	_, err = s.DeleteRole(ctx, root, &DeleteRoleInput{RoleName: "app"})
	wantError(t, "DeleteRole(attached policy)", err, keyward.ErrDeleteConflict, msgDetachPolicies)
	if err := s.Store.Update(ctx, func(tx keyward.Tx) error { return tx.DetachPolicy(ref, arn) }); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DeleteRole(ctx, root, &DeleteRoleInput{RoleName: "app"}); err != nil {
		t.Fatal(err)
	}
	list, err := s.ListRoles(ctx, root, &ListRolesInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Roles) != 0 {
		t.Fatalf("ListRoles after delete = %+v", list)
	}
}

func TestService_ListRoles(t *testing.T) {
	s, root := newService(t)
	ctx := context.Background()
	for _, r := range []struct{ name, path string }{{"b", "/x/"}, {"a", "/x/"}, {"c", "/"}} {
		_, err := s.CreateRole(ctx, root, &CreateRoleInput{RoleName: r.name, Path: &r.path, AssumeRolePolicyDocument: ec2Trust, Tags: []keyward.Tag{{Key: "k", Value: "v"}}})
		if err != nil {
			t.Fatal(err)
		}
	}
	out, err := s.ListRoles(ctx, root, &ListRolesInput{PathPrefix: ptr("/x/"), MaxItems: ptr(int32(1))})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Roles) != 1 || out.Roles[0].RoleName != "a" || !out.IsTruncated {
		t.Fatalf("ListRoles(/x/, 1) = %+v", out)
	}
	if out.Roles[0].Tags != nil || out.Roles[0].RoleLastUsed != nil {
		t.Fatalf("ListRoles shows tags or RoleLastUsed: %+v", out.Roles[0])
	}
	out, err = s.ListRoles(ctx, root, &ListRolesInput{PathPrefix: ptr("/x/"), Marker: ptr(out.Marker)})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Roles) != 1 || out.Roles[0].RoleName != "b" || out.IsTruncated {
		t.Fatalf("ListRoles(/x/, page 2) = %+v", out)
	}
}

func TestService_CreateRole_Authorization(t *testing.T) {
	s, _ := newService(t)
	ctx := context.Background()
	// Roles may be created only with the team tag set to blue.
	alice := userCaller(t, s, "alice", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:CreateRole","Resource":"*",
		"Condition":{"StringEquals":{"aws:RequestTag/team":"blue"}}}]}`)
	_, err := s.CreateRole(ctx, alice, &CreateRoleInput{RoleName: "r1", AssumeRolePolicyDocument: ec2Trust, Tags: []keyward.Tag{{Key: "team", Value: "blue"}}})
	wantCode(t, "CreateRole(team=blue)", err, "")
	_, err = s.CreateRole(ctx, alice, &CreateRoleInput{RoleName: "r2", AssumeRolePolicyDocument: ec2Trust, Tags: []keyward.Tag{{Key: "team", Value: "red"}}})
	wantCode(t, "CreateRole(team=red)", err, keyward.ErrAccessDenied)
	_, err = s.CreateRole(ctx, alice, &CreateRoleInput{RoleName: "r3", AssumeRolePolicyDocument: ec2Trust})
	wantCode(t, "CreateRole(no tags)", err, keyward.ErrAccessDenied)
}
