package iam

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/keyward/keyward"
)

func TestHashPassword(t *testing.T) {
	h := HashPassword("Correct-Horse-1")
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") || strings.Contains(h, "Correct-Horse-1") {
		t.Fatalf("HashPassword = %q, want an argon2id encoding without the password", h)
	}
	if h2 := HashPassword("Correct-Horse-1"); h2 == h {
		t.Errorf("HashPassword twice = the same %q, want fresh salts", h)
	}
	for _, tt := range []struct {
		name, encoded, password string
		want                    bool
	}{
		{"right", h, "Correct-Horse-1", true},
		{"wrong", h, "Correct-Horse-2", false},
		{"empty", h, "", false},
		{"not argon2id", strings.Replace(h, "argon2id", "argon2i", 1), "Correct-Horse-1", false},
		{"truncated", h[:len(h)-10], "Correct-Horse-1", false},
		{"garbage", "$argon2id$v=19$m=x$$", "Correct-Horse-1", false},
	} {
		if got := CheckPasswordHash(tt.encoded, tt.password); got != tt.want {
			t.Errorf("%s: CheckPasswordHash(%q, %q) = %v, want %v", tt.name, tt.encoded, tt.password, got, tt.want)
		}
	}
}

func TestCheckPassword(t *testing.T) {
	strict := &keyward.PasswordPolicy{MinimumPasswordLength: 12, RequireSymbols: true, RequireNumbers: true,
		RequireUppercaseCharacters: true, RequireLowercaseCharacters: true}
	for _, tt := range []struct {
		name     string
		pol      *keyward.PasswordPolicy
		password string
		ok       bool
	}{
		{"default: three classes", nil, "Abcdefg1", true},
		{"default: too short", nil, "Abcdef1", false},
		{"default: two classes", nil, "abcdefgh1", false},
		{"default: symbols count", nil, "abcdefg1!", true},
		{"strict: all classes", strict, "Abcdefghij1!", true},
		{"strict: short", strict, "Abcdefghi1!", false},
		{"strict: no symbol", strict, "Abcdefghijk1", false},
		{"strict: no number", strict, "Abcdefghijk!", false},
		{"strict: no upper", strict, "abcdefghij1!", false},
		{"strict: no lower", strict, "ABCDEFGHIJ1!", false},
		{"not ASCII", strict, "Abcdefghij1!é", false},
		{"lenient policy", &keyward.PasswordPolicy{MinimumPasswordLength: 6}, "aaaaaa", true},
	} {
		err := checkPassword(tt.pol, tt.password)
		if (err == nil) != tt.ok {
			t.Errorf("%s: checkPassword(%q) = %v, want ok %v", tt.name, tt.password, err, tt.ok)
		}
		if err != nil && keyward.ErrorCode(err) != keyward.ErrPasswordPolicyViolation {
			t.Errorf("%s: checkPassword(%q) code = %q, want PasswordPolicyViolation", tt.name, tt.password, keyward.ErrorCode(err))
		}
	}
}

func TestService_LoginProfile(t *testing.T) {
	s, root := newService(t)
	ctx := context.Background()
	now := testClock
	s.Clock = func() time.Time { return now }
	alice := userCaller(t, s, "alice")

	_, err := s.CreateLoginProfile(ctx, root, &CreateLoginProfileInput{UserName: ptr("alice"), Password: ptr("short")})
	wantCode(t, "CreateLoginProfile(weak password)", err, keyward.ErrPasswordPolicyViolation)
	out, err := s.CreateLoginProfile(ctx, root, &CreateLoginProfileInput{UserName: ptr("ALICE"), Password: ptr("First-pass-1"), PasswordResetRequired: ptr(true)})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := marshal(t, "CreateLoginProfile", out), `<CreateLoginProfileResult><LoginProfile><UserName>alice</UserName><CreateDate>2026-11-26T23:52:02Z</CreateDate><PasswordResetRequired>true</PasswordResetRequired></LoginProfile></CreateLoginProfileResult>`; got != want {
		t.Errorf("CreateLoginProfile XML =\n%s\nwant\n%s", got, want)
	}
	_, err = s.CreateLoginProfile(ctx, root, &CreateLoginProfileInput{UserName: ptr("alice"), Password: ptr("First-pass-1")})
	wantError(t, "CreateLoginProfile(again)", err, keyward.ErrEntityAlreadyExists, "Login Profile for user alice already exists.")
	_, err = s.GetLoginProfile(ctx, root, &GetLoginProfileInput{UserName: ptr("nobody")})
	wantError(t, "GetLoginProfile(missing user)", err, keyward.ErrNoSuchEntity, "The user with name nobody cannot be found.")
	userCaller(t, s, "bob")
	_, err = s.GetLoginProfile(ctx, root, &GetLoginProfileInput{UserName: ptr("bob")})
	wantError(t, "GetLoginProfile(no profile)", err, keyward.ErrNoSuchEntity, "Login Profile for User bob cannot be found.")

	// The store holds a hash, never the password.
	s.Store.View(ctx, func(tx keyward.Tx) error {
		p, err := tx.GetLoginProfile(testAccount, "alice")
		if err != nil || strings.Contains(p.PasswordHash, "First-pass-1") || !CheckPasswordHash(p.PasswordHash, "First-pass-1") {
			t.Errorf("stored profile = %+v, %v; want a hash of the password", p, err)
		}
		return nil
	})

	// Signing in: the wrong password and an unknown user read the same.
	_, err = s.SignIn(ctx, testAccount, "alice", "wrong", "")
	wantError(t, "SignIn(wrong password)", err, keyward.ErrAccessDenied, "Your authentication information is incorrect. Please try again.")
	_, err = s.SignIn(ctx, testAccount, "nobody", "First-pass-1", "")
	wantError(t, "SignIn(unknown user)", err, keyward.ErrAccessDenied, "Your authentication information is incorrect. Please try again.")
	now = testClock.Add(time.Hour)
	res, err := s.SignIn(ctx, testAccount, "Alice", "First-pass-1", "")
	if err != nil || !res.MustChangePassword {
		t.Fatalf("SignIn = %+v, %v; want a sign-in that must change its password", res, err)
	}
	u, err := s.GetUser(ctx, root, &GetUserInput{UserName: ptr("alice")})
	if err != nil || time.Time(u.User.PasswordLastUsed) != now.Truncate(time.Second) {
		t.Errorf("GetUser after SignIn: PasswordLastUsed = %v, %v; want %v", time.Time(u.User.PasswordLastUsed), err, now)
	}

	// ChangePassword needs permission, or the policy's
	// AllowUsersToChangePassword.
	_, err = s.ChangePassword(ctx, alice, &ChangePasswordInput{OldPassword: "First-pass-1", NewPassword: "Second-pass-2"})
	wantCode(t, "ChangePassword(no permission)", err, keyward.ErrAccessDenied)
	if _, err := s.UpdateAccountPasswordPolicy(ctx, root, &UpdateAccountPasswordPolicyInput{
		MinimumPasswordLength: ptr(int32(10)), AllowUsersToChangePassword: ptr(true), PasswordReusePrevention: ptr(int32(2)),
		MaxPasswordAge: ptr(int32(30)), HardExpiry: ptr(true)}); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name, old, new, code string
	}{
		{"wrong old password", "nope", "Second-pass-2", keyward.ErrAccessDenied},
		{"too short for the policy", "First-pass-1", "Short-1", keyward.ErrPasswordPolicyViolation},
		{"reuse of the current password", "First-pass-1", "First-pass-1", keyward.ErrPasswordPolicyViolation},
		{"allowed", "First-pass-1", "Second-pass-2", ""},
		{"reuse of the previous password", "Second-pass-2", "First-pass-1", keyward.ErrPasswordPolicyViolation},
		{"a third password", "Second-pass-2", "Third-pass-3", ""},
		{"the first again, remembered no longer", "Third-pass-3", "First-pass-1", ""},
	} {
		_, err := s.ChangePassword(ctx, alice, &ChangePasswordInput{OldPassword: tt.old, NewPassword: tt.new})
		if tt.code == "" && err != nil || tt.code != "" && keyward.ErrorCode(err) != tt.code {
			t.Errorf("%s: ChangePassword(%q, %q) = %v, want %q", tt.name, tt.old, tt.new, err, tt.code)
		}
	}
	if res, err := s.SignIn(ctx, testAccount, "alice", "First-pass-1", ""); err != nil || res.MustChangePassword {
		t.Errorf("SignIn after ChangePassword = %+v, %v; want a plain sign-in", res, err)
	}
	_, err = s.ChangePassword(ctx, root, &ChangePasswordInput{OldPassword: "x", NewPassword: "y"})
	wantCode(t, "ChangePassword(root)", err, keyward.ErrInvalidUserType)

	// Past MaxPasswordAge with HardExpiry: no sign-in, no change.
	now = now.Add(31 * 24 * time.Hour)
	_, err = s.SignIn(ctx, testAccount, "alice", "First-pass-1", "")
	wantCode(t, "SignIn(expired, hard)", err, keyward.ErrAccessDenied)
	_, err = s.ChangePassword(ctx, alice, &ChangePasswordInput{OldPassword: "First-pass-1", NewPassword: "Fourth-pass-4"})
	wantCode(t, "ChangePassword(expired, hard)", err, keyward.ErrEntityTemporarilyUnmodifiable)
	// An administrator resets it.
	if _, err := s.UpdateLoginProfile(ctx, root, &UpdateLoginProfileInput{UserName: "alice", Password: ptr("Admin-set-5"), PasswordResetRequired: ptr(true)}); err != nil {
		t.Fatal(err)
	}
	if res, err := s.SignIn(ctx, testAccount, "alice", "Admin-set-5", ""); err != nil || !res.MustChangePassword {
		t.Errorf("SignIn after the reset = %+v, %v; want one that must change its password", res, err)
	}
	// Without HardExpiry an expired password signs in, and must change.
	if _, err := s.UpdateAccountPasswordPolicy(ctx, root, &UpdateAccountPasswordPolicyInput{MaxPasswordAge: ptr(int32(1))}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpdateLoginProfile(ctx, root, &UpdateLoginProfileInput{UserName: "alice", PasswordResetRequired: ptr(false)}); err != nil {
		t.Fatal(err)
	}
	now = now.Add(48 * time.Hour)
	if res, err := s.SignIn(ctx, testAccount, "alice", "Admin-set-5", ""); err != nil || !res.MustChangePassword {
		t.Errorf("SignIn(expired, soft) = %+v, %v; want one that must change its password", res, err)
	}

	_, err = s.DeleteUser(ctx, root, &DeleteUserInput{UserName: "alice"})
	wantCode(t, "DeleteUser(with a login profile)", err, keyward.ErrDeleteConflict)
	if _, err := s.DeleteLoginProfile(ctx, root, &DeleteLoginProfileInput{UserName: ptr("alice")}); err != nil {
		t.Fatal(err)
	}
	_, err = s.DeleteLoginProfile(ctx, root, &DeleteLoginProfileInput{UserName: ptr("alice")})
	wantCode(t, "DeleteLoginProfile(again)", err, keyward.ErrNoSuchEntity)
}

// BenchmarkHashPassword measures argon2id with Keyward's parameters: the
// cost of every CreateLoginProfile, ChangePassword and sign-in.
func BenchmarkHashPassword(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		HashPassword("Correct-Horse-Battery-1")
	}
}

// BenchmarkCheckPasswordHash measures checking a password against a hash.
func BenchmarkCheckPasswordHash(b *testing.B) {
	h := HashPassword("Correct-Horse-Battery-1")
	b.ReportAllocs()
	for b.Loop() {
		CheckPasswordHash(h, "Correct-Horse-Battery-1")
	}
}
