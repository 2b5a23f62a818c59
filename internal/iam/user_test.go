package iam

import (
	"context"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/keyward/keyward"
	"github.com/keyward/keyward/internal/totp"
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

// TestService_DeleteUser_Conflicts gives a user each thing AWS makes one
// delete before the user, in the order DeleteUser checks them, and checks
// each DeleteConflict's sentence; once all are gone the user goes.
func TestService_DeleteUser_Conflicts(t *testing.T) {
	s, root := newService(t)
	withSecrets(t, s)
	ctx := context.Background()
	userCaller(t, s, "alice")
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	must("CreateGroup", second(s.CreateGroup(ctx, root, &CreateGroupInput{GroupName: "devs"})))
	pol, err := s.CreatePolicy(ctx, root, &CreatePolicyInput{PolicyName: "p", PolicyDocument: allow("s3:GetObject", "*")})
	must("CreatePolicy", err)
	dev, err := s.CreateVirtualMFADevice(ctx, root, &CreateVirtualMFADeviceInput{VirtualMFADeviceName: "phone"})
	must("CreateVirtualMFADevice", err)
	serial := dev.VirtualMFADevice.SerialNumber
	b32, _ := base64.StdEncoding.DecodeString(dev.VirtualMFADevice.Base32StringSeed)
	seed, err := totp.Encoding.DecodeString(string(b32))
	must("decode seed", err)
	step := totp.Step(testClock)
	cert, _ := testCertificate(t, "alice", testClock.Add(-time.Hour), testClock.Add(24*time.Hour))

	// Each dependency, added in reverse so that every one but the first
	// is hidden by the ones DeleteUser checks before it.
	var keyID, sshID, certID, credID string
	deps := []struct {
		name, want  string
		add, remove func() error
	}{
		{"service-specific credential", "Cannot delete entity, must delete service specific credentials first.",
			func() error {
				out, err := s.CreateServiceSpecificCredential(ctx, root, &CreateServiceSpecificCredentialInput{UserName: "alice", ServiceName: "codecommit.amazonaws.com"})
				if err == nil {
					credID = out.ServiceSpecificCredential.ServiceSpecificCredentialID
				}
				return err
			},
			func() error {
				return second(s.DeleteServiceSpecificCredential(ctx, root, &DeleteServiceSpecificCredentialInput{UserName: ptr("alice"), ServiceSpecificCredentialID: credID}))
			}},
		{"signing certificate", "Cannot delete entity, must delete signing certificates first.",
			func() error {
				out, err := s.UploadSigningCertificate(ctx, root, &UploadSigningCertificateInput{UserName: ptr("alice"), CertificateBody: cert})
				if err == nil {
					certID = out.Certificate.CertificateID
				}
				return err
			},
			func() error {
				return second(s.DeleteSigningCertificate(ctx, root, &DeleteSigningCertificateInput{UserName: ptr("alice"), CertificateID: certID}))
			}},
		{"SSH public key", "Cannot delete entity, must delete SSH public keys first.",
			func() error {
				out, err := s.UploadSSHPublicKey(ctx, root, &UploadSSHPublicKeyInput{UserName: "alice", SSHPublicKeyBody: testSSHKey(t, 2048)})
				if err == nil {
					sshID = out.SSHPublicKey.SSHPublicKeyID
				}
				return err
			},
			func() error {
				return second(s.DeleteSSHPublicKey(ctx, root, &DeleteSSHPublicKeyInput{UserName: "alice", SSHPublicKeyID: sshID}))
			}},
		{"MFA device", "Cannot delete entity, must delete MFA device first.",
			func() error {
				return second(s.EnableMFADevice(ctx, root, &EnableMFADeviceInput{UserName: "alice", SerialNumber: serial,
					AuthenticationCode1: totp.Code(seed, step-1), AuthenticationCode2: totp.Code(seed, step)}))
			},
			func() error {
				return second(s.DeactivateMFADevice(ctx, root, &DeactivateMFADeviceInput{UserName: ptr("alice"), SerialNumber: serial}))
			}},
		{"login profile", "Cannot delete entity, must delete login profile first.",
			func() error {
				return second(s.CreateLoginProfile(ctx, root, &CreateLoginProfileInput{UserName: ptr("alice"), Password: ptr("First-pass-1")}))
			},
			func() error {
				return second(s.DeleteLoginProfile(ctx, root, &DeleteLoginProfileInput{UserName: ptr("alice")}))
			}},
		{"group", "Cannot delete entity, must remove users from group first.",
			func() error {
				return second(s.AddUserToGroup(ctx, root, &AddUserToGroupInput{GroupName: "devs", UserName: "alice"}))
			},
			func() error {
				return second(s.RemoveUserFromGroup(ctx, root, &RemoveUserFromGroupInput{GroupName: "devs", UserName: "alice"}))
			}},
		{"attached policy", "Cannot delete entity, must detach all policies first.",
			func() error {
				return second(s.AttachUserPolicy(ctx, root, &AttachUserPolicyInput{UserName: "alice", PolicyARN: pol.Policy.ARN}))
			},
			func() error {
				return second(s.DetachUserPolicy(ctx, root, &DetachUserPolicyInput{UserName: "alice", PolicyARN: pol.Policy.ARN}))
			}},
		{"inline policy", "Cannot delete entity, must delete policies first.",
			func() error {
				return second(s.PutUserPolicy(ctx, root, &PutUserPolicyInput{UserName: "alice", PolicyName: "p0", PolicyDocument: allow("s3:GetObject", "*")}))
			},
			func() error {
				return second(s.DeleteUserPolicy(ctx, root, &DeleteUserPolicyInput{UserName: "alice", PolicyName: "p0"}))
			}},
		{"access key", "Cannot delete entity, must delete access keys first.",
			func() error {
				out, err := s.CreateAccessKey(ctx, root, &CreateAccessKeyInput{UserName: ptr("alice")})
				if err == nil {
					keyID = out.AccessKey.AccessKeyID
				}
				return err
			},
			func() error {
				return second(s.DeleteAccessKey(ctx, root, &DeleteAccessKeyInput{UserName: ptr("alice"), AccessKeyID: keyID}))
			}},
	}
	deleteUser := func() error { return second(s.DeleteUser(ctx, root, &DeleteUserInput{UserName: "alice"})) }
	for _, d := range deps {
		must("add "+d.name, d.add())
		err := deleteUser()
		if code, msg := keyward.ErrorCode(err), keyward.ErrorMessage(err); code != keyward.ErrDeleteConflict || msg != d.want {
			t.Errorf("DeleteUser(alice with %s) = %s %q, want %s %q", d.name, code, msg, keyward.ErrDeleteConflict, d.want)
		}
	}
	for i := len(deps) - 1; i >= 0; i-- {
		must("remove "+deps[i].name, deps[i].remove())
		if i > 0 {
			err := deleteUser()
			if msg := keyward.ErrorMessage(err); msg != deps[i-1].want {
				t.Errorf("DeleteUser(alice without %s) = %q, want %q", deps[i].name, msg, deps[i-1].want)
			}
		}
	}
	if err := deleteUser(); err != nil {
		t.Errorf("DeleteUser(alice with nothing left) = %v, want nil", err)
	}
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
