package iam

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/keyward/keyward"
)

func TestService_CreateUser(t *testing.T) {
	s, root := newService(t)
	ctx := context.Background()
	out, err := s.CreateUser(ctx, root, &CreateUserInput{
		UserName: "Alice",
		Path:     ptr("/division/"),
		Tags:     []keyward.Tag{{Key: "team", Value: "blue"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	u := out.User
	if u.ARN != "arn:aws:iam::111122223333:user/division/Alice" || u.Path != "/division/" || u.UserName != "Alice" || !strings.HasPrefix(u.UserID, "AIDA") {
		t.Fatalf("CreateUser = %+v", u)
	}
	got := marshal(t, "CreateUser", out)
	want := `<CreateUserResult><User><Path>/division/</Path><UserName>Alice</UserName><UserId>` + u.UserID +
		`</UserId><Arn>arn:aws:iam::111122223333:user/division/Alice</Arn><CreateDate>2026-11-26T23:52:02Z</CreateDate>` +
		`<Tags><member><Key>team</Key><Value>blue</Value></member></Tags></User></CreateUserResult>`
	if got != want {
		t.Fatalf("CreateUser XML =\n%s\nwant\n%s", got, want)
	}

	_, err = s.CreateUser(ctx, root, &CreateUserInput{UserName: "alice"})
	wantError(t, "CreateUser(alice) again", err, keyward.ErrEntityAlreadyExists, "User with name alice already exists.")

	_, err = s.CreateUser(ctx, root, &CreateUserInput{UserName: "bob", Tags: []keyward.Tag{{Key: "a", Value: "1"}, {Key: "A", Value: "2"}}})
	wantCode(t, "CreateUser(duplicate tag keys)", err, keyward.ErrInvalidInput)

	_, err = s.CreateUser(ctx, root, &CreateUserInput{UserName: "bob", PermissionsBoundary: ptr("arn:aws:iam::111122223333:policy/nope")})
	wantError(t, "CreateUser(missing boundary)", err, keyward.ErrNoSuchEntity, "Policy arn:aws:iam::111122223333:policy/nope does not exist or is not attachable.")

	// Nothing of a failed call is kept.
	_, err = s.GetUser(ctx, root, &GetUserInput{UserName: ptr("bob")})
	wantError(t, "GetUser(bob)", err, keyward.ErrNoSuchEntity, "The user with name bob cannot be found.")
}

func TestService_CreateUser_Boundary(t *testing.T) {
	s, root := newService(t)
	ctx := context.Background()
	arn := createPolicy(t, s, testAccount, "boundary")
	if _, err := s.CreateUser(ctx, root, &CreateUserInput{UserName: "alice", PermissionsBoundary: &arn}); err != nil {
		t.Fatal(err)
	}
	out, err := s.GetUser(ctx, root, &GetUserInput{UserName: ptr("alice")})
	if err != nil {
		t.Fatal(err)
	}
	want := &PermissionsBoundary{PermissionsBoundaryType: "PermissionsBoundaryPolicy", PermissionsBoundaryARN: arn}
	if diff := cmp.Diff(want, out.User.PermissionsBoundary); diff != "" {
		t.Fatalf("GetUser boundary (-want +got):\n%s", diff)
	}
	other := createPolicy(t, s, otherAccount, "theirs")
	_, err = s.CreateUser(ctx, root, &CreateUserInput{UserName: "bob", PermissionsBoundary: &other})
	wantCode(t, "CreateUser(other account's boundary)", err, keyward.ErrNoSuchEntity)
}

// createPolicy writes a customer-managed policy straight to the store.
func createPolicy(t *testing.T, s *Service, account, name string) string {
	t.Helper()
	arn := PolicyARN(account, "/", name)
	err := s.Store.Update(context.Background(), func(tx keyward.Tx) error {
		return tx.CreatePolicy(keyward.ManagedPolicy{
			AccountID: account, ID: RandomIDs{}.ID(PrefixPolicy), Name: name, Path: "/", ARN: arn,
			IsAttachable: true, CreateDate: testClock, UpdateDate: testClock,
		}, allow("*", "*"))
	})
	if err != nil {
		t.Fatal(err)
	}
	return arn
}

func TestService_GetUser_Caller(t *testing.T) {
	s, root := newService(t)
	ctx := context.Background()
	alice := userCaller(t, s, "alice", allow("iam:GetUser", "*"))

	out, err := s.GetUser(ctx, alice, &GetUserInput{})
	if err != nil {
		t.Fatal(err)
	}
	if out.User.UserName != "alice" {
		t.Fatalf("GetUser() as alice = %+v, want alice", out.User)
	}

	out, err = s.GetUser(ctx, root, &GetUserInput{})
	if err != nil {
		t.Fatal(err)
	}
	got := marshal(t, "GetUser", out)
	want := `<GetUserResult><User><UserId>111122223333</UserId><Arn>arn:aws:iam::111122223333:root</Arn><CreateDate>2026-11-26T23:52:02Z</CreateDate></User></GetUserResult>`
	if got != want {
		t.Fatalf("GetUser() as root =\n%s\nwant\n%s", got, want)
	}

	session := &keyward.Caller{Kind: keyward.CallerAssumedRole, AccountID: testAccount, ARN: "arn:aws:sts::111122223333:assumed-role/r/s", RoleName: "r"}
	_, err = s.GetUser(ctx, session, &GetUserInput{})
	wantError(t, "GetUser() as a role session", err, keyward.ErrValidationError, "Must specify userName when calling with non-User credentials")
}

func TestService_GetUser_Authorization(t *testing.T) {
	s, _ := newService(t)
	ctx := context.Background()
	userCaller(t, s, "bob")
	alice := userCaller(t, s, "alice", allow("iam:GetUser", "arn:aws:iam::111122223333:user/alice"))

	if _, err := s.GetUser(ctx, alice, &GetUserInput{UserName: ptr("alice")}); err != nil {
		t.Fatalf("GetUser(alice) as alice: %v", err)
	}
	_, err := s.GetUser(ctx, alice, &GetUserInput{UserName: ptr("bob")})
	wantError(t, "GetUser(bob) as alice", err, keyward.ErrAccessDenied,
		"User: arn:aws:iam::111122223333:user/alice is not authorized to perform: iam:GetUser on resource: arn:aws:iam::111122223333:user/bob because no identity-based policy allows the iam:GetUser action")
	_, err = s.ListUsers(ctx, alice, &ListUsersInput{})
	wantCode(t, "ListUsers as alice", err, keyward.ErrAccessDenied)
}

func TestService_ListUsers_Resource(t *testing.T) {
	s, _ := newService(t)
	ctx := context.Background()
	// Policies grant ListUsers on the user ARN space; the request's
	// resource is the kind's ARN up to the path prefix.
	alice := userCaller(t, s, "alice", allow("iam:ListUsers", "arn:aws:iam::111122223333:user/eng/*"))
	if _, err := s.ListUsers(ctx, alice, &ListUsersInput{PathPrefix: ptr("/eng/")}); err != nil {
		t.Fatalf("ListUsers(/eng/) as alice: %v", err)
	}
	_, err := s.ListUsers(ctx, alice, &ListUsersInput{})
	wantError(t, "ListUsers() as alice", err, keyward.ErrAccessDenied,
		"User: arn:aws:iam::111122223333:user/alice is not authorized to perform: iam:ListUsers on resource: arn:aws:iam::111122223333:user/ because no identity-based policy allows the iam:ListUsers action")
}

func TestService_ListUsers_Pages(t *testing.T) {
	s, root := newService(t)
	ctx := context.Background()
	names := []string{"erin", "Bob", "alice", "dave", "carol"}
	for _, n := range names {
		if _, err := s.CreateUser(ctx, root, &CreateUserInput{UserName: n}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.CreateUser(ctx, rootOf(otherAccount), &CreateUserInput{UserName: "zed"}); err != nil {
		t.Fatal(err)
	}
	var got []string
	in := &ListUsersInput{MaxItems: ptr(int32(2))}
	for pages := 1; ; pages++ {
		out, err := s.ListUsers(ctx, root, in)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range out.Users {
			got = append(got, u.UserName)
			if u.Tags != nil || u.PermissionsBoundary != nil {
				t.Errorf("ListUsers shows %s's tags or boundary", u.UserName)
			}
		}
		if !out.IsTruncated {
			if out.Marker != "" || pages != 3 {
				t.Fatalf("last page: marker %q after %d pages, want none after 3", out.Marker, pages)
			}
			break
		}
		in.Marker = ptr(out.Marker)
	}
	want := []string{"alice", "Bob", "carol", "dave", "erin"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("ListUsers pages (-want +got):\n%s", diff)
	}
}

func TestService_UpdateUser(t *testing.T) {
	s, root := newService(t)
	ctx := context.Background()
	for _, n := range []string{"alice", "bob"} {
		if _, err := s.CreateUser(ctx, root, &CreateUserInput{UserName: n}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.UpdateUser(ctx, root, &UpdateUserInput{UserName: "ALICE", NewUserName: ptr("alicia"), NewPath: ptr("/x/")}); err != nil {
		t.Fatal(err)
	}
	out, err := s.GetUser(ctx, root, &GetUserInput{UserName: ptr("alicia")})
	if err != nil {
		t.Fatal(err)
	}
	if out.User.ARN != "arn:aws:iam::111122223333:user/x/alicia" {
		t.Fatalf("after rename, ARN = %q", out.User.ARN)
	}
	_, err = s.UpdateUser(ctx, root, &UpdateUserInput{UserName: "bob", NewUserName: ptr("Alicia")})
	wantCode(t, "UpdateUser(bob -> Alicia)", err, keyward.ErrEntityAlreadyExists)
	_, err = s.UpdateUser(ctx, root, &UpdateUserInput{UserName: "nobody", NewPath: ptr("/")})
	wantCode(t, "UpdateUser(nobody)", err, keyward.ErrNoSuchEntity)
}

func TestService_UpdateUser_NeedsBothARNs(t *testing.T) {
	s, _ := newService(t)
	ctx := context.Background()
	userCaller(t, s, "bob")
	alice := userCaller(t, s, "alice", allow("iam:UpdateUser", "arn:aws:iam::111122223333:user/bob"))
	_, err := s.UpdateUser(ctx, alice, &UpdateUserInput{UserName: "bob", NewUserName: ptr("robert")})
	wantError(t, "UpdateUser(bob -> robert)", err, keyward.ErrAccessDenied,
		"User: arn:aws:iam::111122223333:user/alice is not authorized to perform: iam:UpdateUser on resource: arn:aws:iam::111122223333:user/robert because no identity-based policy allows the iam:UpdateUser action")
}

func TestService_DeleteUser_Conflicts(t *testing.T) {
	s, root := newService(t)
	ctx := context.Background()
	if _, err := s.CreateUser(ctx, root, &CreateUserInput{UserName: "alice"}); err != nil {
		t.Fatal(err)
	}
	ref := keyward.UserRef(testAccount, "alice")
	key, err := s.CreateAccessKey(ctx, root, &CreateAccessKeyInput{UserName: ptr("alice")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateGroup(ctx, root, &CreateGroupInput{GroupName: "devs"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddUserToGroup(ctx, root, &AddUserToGroupInput{GroupName: "devs", UserName: "alice"}); err != nil {
		t.Fatal(err)
	}
	policyARN := createPolicy(t, s, testAccount, "pol")
	err = s.Store.Update(ctx, func(tx keyward.Tx) error {
		if err := tx.PutInlinePolicy(keyward.InlinePolicy{Owner: ref, PolicyName: "inline", Document: allow("*", "*")}); err != nil {
			return err
		}
		return tx.AttachPolicy(ref, policyARN)
	})
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		msg    string
		remove func(tx keyward.Tx) error
	}{
		{msgDeleteKeysFirst, func(tx keyward.Tx) error { return tx.DeleteAccessKey(key.AccessKey.AccessKeyID) }},
		{msgDeletePolicies, func(tx keyward.Tx) error { return tx.DeleteInlinePolicy(ref, "inline") }},
		{msgDetachPolicies, func(tx keyward.Tx) error { return tx.DetachPolicy(ref, policyARN) }},
		{msgRemoveFromGroups, func(tx keyward.Tx) error { return tx.RemoveUserFromGroup(testAccount, "devs", "alice") }},
	}
	for _, st := range steps {
		_, err := s.DeleteUser(ctx, root, &DeleteUserInput{UserName: "alice"})
		wantError(t, "DeleteUser(alice)", err, keyward.ErrDeleteConflict, st.msg)
		if err := s.Store.Update(ctx, st.remove); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.DeleteUser(ctx, root, &DeleteUserInput{UserName: "alice"}); err != nil {
		t.Fatalf("DeleteUser(alice) with nothing left: %v", err)
	}
	_, err = s.DeleteUser(ctx, root, &DeleteUserInput{UserName: "alice"})
	wantCode(t, "DeleteUser(alice) again", err, keyward.ErrNoSuchEntity)
}

func TestService_Accounts_Isolated(t *testing.T) {
	s, root := newService(t)
	ctx := context.Background()
	if _, err := s.CreateUser(ctx, root, &CreateUserInput{UserName: "alice"}); err != nil {
		t.Fatal(err)
	}
	other := rootOf(otherAccount)
	_, err := s.GetUser(ctx, other, &GetUserInput{UserName: ptr("alice")})
	wantCode(t, "GetUser(alice) from another account", err, keyward.ErrNoSuchEntity)
	_, err = s.DeleteUser(ctx, other, &DeleteUserInput{UserName: "alice"})
	wantCode(t, "DeleteUser(alice) from another account", err, keyward.ErrNoSuchEntity)
	// The other account may have its own alice.
	if _, err := s.CreateUser(ctx, other, &CreateUserInput{UserName: "alice"}); err != nil {
		t.Fatalf("CreateUser(alice) in another account: %v", err)
	}
}

func TestService_ResourceTagConditions(t *testing.T) {
	s, root := newService(t)
	ctx := context.Background()
	for _, u := range []struct{ name, team string }{{"bob", "blue"}, {"carol", "red"}} {
		if _, err := s.CreateUser(ctx, root, &CreateUserInput{UserName: u.name, Tags: []keyward.Tag{{Key: "team", Value: u.team}}}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateRole(ctx, root, &CreateRoleInput{RoleName: u.name, AssumeRolePolicyDocument: ec2Trust, Tags: []keyward.Tag{{Key: "team", Value: u.team}}}); err != nil {
			t.Fatal(err)
		}
	}
	alice := userCaller(t, s, "alice", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"iam:GetUser","Resource":"*","Condition":{"StringEquals":{"iam:ResourceTag/team":"blue"}}},
		{"Effect":"Allow","Action":"iam:GetRole","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/team":"blue"}}}]}`)
	tests := []struct {
		call string
		err  error
		code string
	}{
		{"GetUser(bob)", second(s.GetUser(ctx, alice, &GetUserInput{UserName: ptr("bob")})), ""},
		{"GetUser(carol)", second(s.GetUser(ctx, alice, &GetUserInput{UserName: ptr("carol")})), keyward.ErrAccessDenied},
		{"GetRole(bob)", second(s.GetRole(ctx, alice, &GetRoleInput{RoleName: "bob"})), ""},
		{"GetRole(carol)", second(s.GetRole(ctx, alice, &GetRoleInput{RoleName: "carol"})), keyward.ErrAccessDenied},
	}
	for _, tt := range tests {
		wantCode(t, tt.call+" as alice", tt.err, tt.code)
	}
}

func second[T any](_ T, err error) error { return err }
