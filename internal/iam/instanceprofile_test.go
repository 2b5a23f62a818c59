package iam

import (
	"context"
	"strings"
	"testing"

	"github.com/keyward/keyward"
)

func TestService_InstanceProfiles(t *testing.T) {
	s, root := newService(t)
	ctx := context.Background()
	out, err := s.CreateInstanceProfile(ctx, root, &CreateInstanceProfileInput{InstanceProfileName: "web", Path: ptr("/p/"), Tags: []keyward.Tag{{Key: "a", Value: "b"}}})
	if err != nil {
		t.Fatal(err)
	}
	p := out.InstanceProfile
	if p.ARN != "arn:aws:iam::111122223333:instance-profile/p/web" || !strings.HasPrefix(p.InstanceProfileID, "AIPA") || len(p.Roles) != 0 {
		t.Fatalf("CreateInstanceProfile = %+v", p)
	}
	if x := marshal(t, "CreateInstanceProfile", out); !strings.Contains(x, "<Roles></Roles>") {
		t.Fatalf("CreateInstanceProfile XML lacks an empty Roles: %s", x)
	}
	_, err = s.CreateInstanceProfile(ctx, root, &CreateInstanceProfileInput{InstanceProfileName: "WEB"})
	wantCode(t, "CreateInstanceProfile(WEB)", err, keyward.ErrEntityAlreadyExists)

	for _, r := range []string{"one", "two"} {
		if _, err := s.CreateRole(ctx, root, &CreateRoleInput{RoleName: r, AssumeRolePolicyDocument: ec2Trust}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.AddRoleToInstanceProfile(ctx, root, &AddRoleToInstanceProfileInput{InstanceProfileName: "web", RoleName: "one"}); err != nil {
		t.Fatal(err)
	}
	_, err = s.AddRoleToInstanceProfile(ctx, root, &AddRoleToInstanceProfileInput{InstanceProfileName: "web", RoleName: "two"})
	wantError(t, "AddRoleToInstanceProfile(second role)", err, keyward.ErrLimitExceeded, "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1")
	_, err = s.AddRoleToInstanceProfile(ctx, root, &AddRoleToInstanceProfileInput{InstanceProfileName: "web", RoleName: "one"})
	wantCode(t, "AddRoleToInstanceProfile(same role)", err, keyward.ErrEntityAlreadyExists)
	_, err = s.AddRoleToInstanceProfile(ctx, root, &AddRoleToInstanceProfileInput{InstanceProfileName: "web", RoleName: "none"})
	wantCode(t, "AddRoleToInstanceProfile(no role)", err, keyward.ErrNoSuchEntity)

	got, err := s.GetInstanceProfile(ctx, root, &GetInstanceProfileInput{InstanceProfileName: "web"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.InstanceProfile.Roles) != 1 || got.InstanceProfile.Roles[0].RoleName != "one" || got.InstanceProfile.Tags == nil || len(*got.InstanceProfile.Tags) != 1 {
		t.Fatalf("GetInstanceProfile = %+v", got.InstanceProfile)
	}
	forRole, err := s.ListInstanceProfilesForRole(ctx, root, &ListInstanceProfilesForRoleInput{RoleName: "one"})
	if err != nil {
		t.Fatal(err)
	}
	if len(forRole.InstanceProfiles) != 1 || forRole.InstanceProfiles[0].InstanceProfileName != "web" {
		t.Fatalf("ListInstanceProfilesForRole(one) = %+v", forRole)
	}

	_, err = s.DeleteInstanceProfile(ctx, root, &DeleteInstanceProfileInput{InstanceProfileName: "web"})
	wantError(t, "DeleteInstanceProfile(with a role)", err, keyward.ErrDeleteConflict, msgRemoveFromProfiles)
	if _, err := s.RemoveRoleFromInstanceProfile(ctx, root, &RemoveRoleFromInstanceProfileInput{InstanceProfileName: "web", RoleName: "one"}); err != nil {
		t.Fatal(err)
	}
	_, err = s.RemoveRoleFromInstanceProfile(ctx, root, &RemoveRoleFromInstanceProfileInput{InstanceProfileName: "web", RoleName: "one"})
	wantCode(t, "RemoveRoleFromInstanceProfile again", err, keyward.ErrNoSuchEntity)

	api, err := s.CreateInstanceProfile(ctx, root, &CreateInstanceProfileInput{InstanceProfileName: "api"})
	if err != nil {
		t.Fatal(err)
	}
	// AWS shows Tags in GetInstanceProfile always, empty when there are
	// none, and in CreateInstanceProfile only when given (LocalStack's
	// AWS-recorded tests/aws/services/iam/test_iam_instance_profiles.snapshot.json).
	if x := marshal(t, "CreateInstanceProfile", api); strings.Contains(x, "<Tags") {
		t.Errorf("CreateInstanceProfile(no tags) XML has Tags: %s", x)
	}
	gotAPI, err := s.GetInstanceProfile(ctx, root, &GetInstanceProfileInput{InstanceProfileName: "api"})
	if err != nil {
		t.Fatal(err)
	}
	if x := marshal(t, "GetInstanceProfile", gotAPI); !strings.Contains(x, "<Tags></Tags>") {
		t.Errorf("GetInstanceProfile(no tags) XML lacks an empty Tags: %s", x)
	}
	list, err := s.ListInstanceProfiles(ctx, root, &ListInstanceProfilesInput{MaxItems: ptr(int32(1))})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.InstanceProfiles) != 1 || list.InstanceProfiles[0].InstanceProfileName != "api" || !list.IsTruncated {
		t.Fatalf("ListInstanceProfiles(1) = %+v", list)
	}
	if _, err := s.DeleteInstanceProfile(ctx, root, &DeleteInstanceProfileInput{InstanceProfileName: "web"}); err != nil {
		t.Fatal(err)
	}
	_, err = s.GetInstanceProfile(ctx, root, &GetInstanceProfileInput{InstanceProfileName: "web"})
	wantError(t, "GetInstanceProfile(deleted)", err, keyward.ErrNoSuchEntity, "Instance Profile web cannot be found.")
}

func TestService_AddRoleToInstanceProfile_PassRole(t *testing.T) {
	s, root := newService(t)
	ctx := context.Background()
	if _, err := s.CreateRole(ctx, root, &CreateRoleInput{RoleName: "app", AssumeRolePolicyDocument: ec2Trust}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateInstanceProfile(ctx, root, &CreateInstanceProfileInput{InstanceProfileName: "web"}); err != nil {
		t.Fatal(err)
	}
	alice := userCaller(t, s, "alice", allow("iam:AddRoleToInstanceProfile", "*"))
	_, err := s.AddRoleToInstanceProfile(ctx, alice, &AddRoleToInstanceProfileInput{InstanceProfileName: "web", RoleName: "app"})
	wantError(t, "AddRoleToInstanceProfile without PassRole", err, keyward.ErrAccessDenied,
		"User: arn:aws:iam::111122223333:user/alice is not authorized to perform: iam:PassRole on resource: arn:aws:iam::111122223333:role/app because no identity-based policy allows the iam:PassRole action")
	bob := userCaller(t, s, "bob", allow("iam:AddRoleToInstanceProfile", "*"), allow("iam:PassRole", "arn:aws:iam::111122223333:role/app"))
	if _, err := s.AddRoleToInstanceProfile(ctx, bob, &AddRoleToInstanceProfileInput{InstanceProfileName: "web", RoleName: "app"}); err != nil {
		t.Fatalf("AddRoleToInstanceProfile with PassRole: %v", err)
	}
}
