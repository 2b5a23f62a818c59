package e2e

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// TestLoginProfile_SDK: console passwords through the SDK, with the
// account's password policy enforced and ChangePassword by the user.
func TestLoginProfile_SDK(t *testing.T) {
	s := startServer(t)
	root := s.IAM(s.Root)
	alice := newUserWithKey(t, s, "alice", "")
	_, err := root.CreateLoginProfile(ctx(t), &iam.CreateLoginProfileInput{UserName: aws.String("alice"), Password: aws.String("weak")})
	wantErrorCode(t, "CreateLoginProfile(weak, default policy)", err, "PasswordPolicyViolation")
	before := time.Now().Add(-time.Second)
	out, err := root.CreateLoginProfile(ctx(t), &iam.CreateLoginProfileInput{UserName: aws.String("alice"), Password: aws.String("Initial-pass-1"), PasswordResetRequired: true})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.LoginProfile.UserName) != "alice" || !out.LoginProfile.PasswordResetRequired || out.LoginProfile.CreateDate.Before(before) {
		t.Errorf("CreateLoginProfile = %+v", out.LoginProfile)
	}
	_, err = root.CreateLoginProfile(ctx(t), &iam.CreateLoginProfileInput{UserName: aws.String("alice"), Password: aws.String("Initial-pass-1")})
	wantErrorCode(t, "CreateLoginProfile(again)", err, "EntityAlreadyExists")
	got, err := root.GetLoginProfile(ctx(t), &iam.GetLoginProfileInput{UserName: aws.String("alice")})
	if err != nil || !got.LoginProfile.CreateDate.Equal(*out.LoginProfile.CreateDate) {
		t.Errorf("GetLoginProfile = %+v, %v", got, err)
	}

	if _, err := root.UpdateAccountPasswordPolicy(ctx(t), &iam.UpdateAccountPasswordPolicyInput{MinimumPasswordLength: aws.Int32(14),
		RequireSymbols: true, AllowUsersToChangePassword: true, PasswordReusePrevention: aws.Int32(3)}); err != nil {
		t.Fatal(err)
	}
	_, err = s.IAM(alice).ChangePassword(ctx(t), &iam.ChangePasswordInput{OldPassword: aws.String("Initial-pass-1"), NewPassword: aws.String("Short-pass-2")})
	wantErrorCode(t, "ChangePassword(too short for the policy)", err, "PasswordPolicyViolation")
	_, err = s.IAM(alice).ChangePassword(ctx(t), &iam.ChangePasswordInput{OldPassword: aws.String("Not-the-password"), NewPassword: aws.String("A-much-longer-pass-2")})
	wantErrorCode(t, "ChangePassword(wrong old password)", err, "AccessDenied")
	if _, err := s.IAM(alice).ChangePassword(ctx(t), &iam.ChangePasswordInput{OldPassword: aws.String("Initial-pass-1"), NewPassword: aws.String("A-much-longer-pass-2")}); err != nil {
		t.Fatalf("ChangePassword (allowed by AllowUsersToChangePassword): %v", err)
	}
	_, err = s.IAM(alice).ChangePassword(ctx(t), &iam.ChangePasswordInput{OldPassword: aws.String("A-much-longer-pass-2"), NewPassword: aws.String("A-much-longer-pass-2")})
	wantErrorCode(t, "ChangePassword(reuse)", err, "PasswordPolicyViolation")
	got, err = root.GetLoginProfile(ctx(t), &iam.GetLoginProfileInput{UserName: aws.String("alice")})
	if err != nil || got.LoginProfile.PasswordResetRequired {
		t.Errorf("GetLoginProfile after ChangePassword = %+v, %v; want the reset no longer required", got, err)
	}
	_, err = s.IAM(s.Root).ChangePassword(ctx(t), &iam.ChangePasswordInput{OldPassword: aws.String("x"), NewPassword: aws.String("y")})
	wantErrorCode(t, "ChangePassword(root)", err, "InvalidUserType")
	if _, err := root.UpdateLoginProfile(ctx(t), &iam.UpdateLoginProfileInput{UserName: aws.String("alice"), PasswordResetRequired: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	_, err = root.DeleteUser(ctx(t), &iam.DeleteUserInput{UserName: aws.String("alice")})
	wantErrorCode(t, "DeleteUser(with a login profile)", err, "DeleteConflict")
	if _, err := root.DeleteLoginProfile(ctx(t), &iam.DeleteLoginProfileInput{UserName: aws.String("alice")}); err != nil {
		t.Fatal(err)
	}
	_, err = root.GetLoginProfile(ctx(t), &iam.GetLoginProfileInput{UserName: aws.String("alice")})
	wantErrorCode(t, "GetLoginProfile(deleted)", err, "NoSuchEntity")
}
