package iam

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/keyward/keyward"
)

func TestService_Groups(t *testing.T) {
	s, root := newService(t)
	ctx := context.Background()
	out, err := s.CreateGroup(ctx, root, &CreateGroupInput{GroupName: "Devs", Path: ptr("/eng/")})
	if err != nil {
		t.Fatal(err)
	}
	g := out.Group
	if g.ARN != "arn:aws:iam::111122223333:group/eng/Devs" || !strings.HasPrefix(g.GroupID, "AGPA") {
		t.Fatalf("CreateGroup = %+v", g)
	}
	_, err = s.CreateGroup(ctx, root, &CreateGroupInput{GroupName: "devs"})
	wantError(t, "CreateGroup(devs) again", err, keyward.ErrEntityAlreadyExists, "Group with name devs already exists.")

	for _, n := range []string{"carol", "alice", "bob"} {
		if _, err := s.CreateUser(ctx, root, &CreateUserInput{UserName: n}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AddUserToGroup(ctx, root, &AddUserToGroupInput{GroupName: "devs", UserName: n}); err != nil {
			t.Fatal(err)
		}
	}
	// Adding a member again does nothing.
	if _, err := s.AddUserToGroup(ctx, root, &AddUserToGroupInput{GroupName: "DEVS", UserName: "alice"}); err != nil {
		t.Fatalf("AddUserToGroup again: %v", err)
	}
	_, err = s.AddUserToGroup(ctx, root, &AddUserToGroupInput{GroupName: "devs", UserName: "nobody"})
	wantError(t, "AddUserToGroup(nobody)", err, keyward.ErrNoSuchEntity, "The user with name nobody cannot be found.")
	_, err = s.AddUserToGroup(ctx, root, &AddUserToGroupInput{GroupName: "nogroup", UserName: "alice"})
	wantError(t, "AddUserToGroup(nogroup)", err, keyward.ErrNoSuchEntity, "The group with name nogroup cannot be found.")

	got, err := s.GetGroup(ctx, root, &GetGroupInput{GroupName: "devs", MaxItems: ptr(int32(2))})
	if err != nil {
		t.Fatal(err)
	}
	if got.Group.GroupName != "Devs" || len(got.Users) != 2 || !got.IsTruncated || got.Marker == "" {
		t.Fatalf("GetGroup(devs, MaxItems 2) = %+v", got)
	}
	rest, err := s.GetGroup(ctx, root, &GetGroupInput{GroupName: "devs", Marker: ptr(got.Marker)})
	if err != nil {
		t.Fatal(err)
	}
	names := []string{got.Users[0].UserName, got.Users[1].UserName}
	for _, u := range rest.Users {
		names = append(names, u.UserName)
	}
	if diff := cmp.Diff([]string{"alice", "bob", "carol"}, names); diff != "" || rest.IsTruncated {
		t.Fatalf("GetGroup pages (-want +got):\n%s", diff)
	}

	_, err = s.DeleteGroup(ctx, root, &DeleteGroupInput{GroupName: "devs"})
	wantError(t, "DeleteGroup(devs) with members", err, keyward.ErrDeleteConflict, msgRemoveFromGroups)

	if _, err := s.UpdateGroup(ctx, root, &UpdateGroupInput{GroupName: "devs", NewGroupName: ptr("engineers"), NewPath: ptr("/")}); err != nil {
		t.Fatal(err)
	}
	list, err := s.ListGroupsForUser(ctx, root, &ListGroupsForUserInput{UserName: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Groups) != 1 || list.Groups[0].ARN != "arn:aws:iam::111122223333:group/engineers" {
		t.Fatalf("ListGroupsForUser(alice) after rename = %+v", list.Groups)
	}

	for _, n := range []string{"alice", "bob", "carol"} {
		if _, err := s.RemoveUserFromGroup(ctx, root, &RemoveUserFromGroupInput{GroupName: "engineers", UserName: n}); err != nil {
			t.Fatal(err)
		}
	}
	_, err = s.RemoveUserFromGroup(ctx, root, &RemoveUserFromGroupInput{GroupName: "engineers", UserName: "alice"})
	wantCode(t, "RemoveUserFromGroup(not a member)", err, keyward.ErrNoSuchEntity)

	ref := keyward.GroupRef(testAccount, "engineers")
	if err := s.Store.Update(ctx, func(tx keyward.Tx) error {
		return tx.PutInlinePolicy(keyward.InlinePolicy{Owner: ref, PolicyName: "p", Document: allow("*", "*")})
	}); err != nil {
		t.Fatal(err)
	}
	_, err = s.DeleteGroup(ctx, root, &DeleteGroupInput{GroupName: "engineers"})
	wantError(t, "DeleteGroup with an inline policy", err, keyward.ErrDeleteConflict, msgDeletePolicies)
	if err := s.Store.Update(ctx, func(tx keyward.Tx) error { return tx.DeleteInlinePolicy(ref, "p") }); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DeleteGroup(ctx, root, &DeleteGroupInput{GroupName: "engineers"}); err != nil {
		t.Fatal(err)
	}
	lg, err := s.ListGroups(ctx, root, &ListGroupsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(lg.Groups) != 0 || lg.IsTruncated {
		t.Fatalf("ListGroups after delete = %+v", lg)
	}
}

func TestService_AddUserToGroup_Quota(t *testing.T) {
	s, root := newService(t)
	ctx := context.Background()
	if _, err := s.CreateUser(ctx, root, &CreateUserInput{UserName: "alice"}); err != nil {
		t.Fatal(err)
	}
	for i := range 11 {
		name := fmt.Sprintf("g%02d", i)
		if _, err := s.CreateGroup(ctx, root, &CreateGroupInput{GroupName: name}); err != nil {
			t.Fatal(err)
		}
		_, err := s.AddUserToGroup(ctx, root, &AddUserToGroupInput{GroupName: name, UserName: "alice"})
		if i < 10 {
			wantCode(t, "AddUserToGroup("+name+")", err, "")
			continue
		}
		wantError(t, "AddUserToGroup(11th)", err, keyward.ErrLimitExceeded, "Cannot exceed quota for GroupsPerUser: 10")
	}
	out, err := s.ListGroupsForUser(ctx, root, &ListGroupsForUserInput{UserName: "alice", MaxItems: ptr(int32(4)), Marker: ptr("8")})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Groups) != 2 || out.IsTruncated || out.Groups[0].GroupName != "g08" {
		t.Fatalf("ListGroupsForUser(marker 8) = %+v", out)
	}
}

func TestService_Group_Authorization(t *testing.T) {
	s, root := newService(t)
	ctx := context.Background()
	for _, n := range []string{"ops", "devs"} {
		if _, err := s.CreateGroup(ctx, root, &CreateGroupInput{GroupName: n, Path: ptr("/teams/")}); err != nil {
			t.Fatal(err)
		}
	}
	// Resources carry the group's path, which the caller does not give.
	alice := userCaller(t, s, "alice", allow("iam:AddUserToGroup", "arn:aws:iam::111122223333:group/teams/devs"))
	if _, err := s.AddUserToGroup(ctx, alice, &AddUserToGroupInput{GroupName: "devs", UserName: "alice"}); err != nil {
		t.Fatalf("AddUserToGroup(devs) as alice: %v", err)
	}
	_, err := s.AddUserToGroup(ctx, alice, &AddUserToGroupInput{GroupName: "ops", UserName: "alice"})
	wantError(t, "AddUserToGroup(ops) as alice", err, keyward.ErrAccessDenied,
		"User: arn:aws:iam::111122223333:user/alice is not authorized to perform: iam:AddUserToGroup on resource: arn:aws:iam::111122223333:group/teams/ops because no identity-based policy allows the iam:AddUserToGroup action")
}
