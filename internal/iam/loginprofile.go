package iam

import (
	"context"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/arn"
	"github.com/keyward/keyward/internal/authz"
	"github.com/keyward/keyward/policy"
)

// LoginProfile is AWS's LoginProfile shape.
type LoginProfile struct {
	UserName              string `xml:"UserName"`
	CreateDate            Time   `xml:"CreateDate"`
	PasswordResetRequired bool   `xml:"PasswordResetRequired"`
}

func loginProfileOut(p keyward.LoginProfile) LoginProfile {
	return LoginProfile{UserName: p.UserName, CreateDate: Time(p.CreateDate), PasswordResetRequired: p.PasswordResetRequired}
}

// errRootPassword answers the login-profile actions called for the root
// user: its password is not an IAM login profile, and Keyward keeps none.
var errRootPassword = keyward.Errorf(keyward.ErrInvalidInput, "The root user's password is not a login profile; name a UserName.")

// profileOwner finds the user a login-profile action names (the caller
// without UserName) and authorizes action on it.
func (o *op) profileOwner(action string, userName *string) (*entity, error) {
	name := deref(userName, "")
	if userName == nil {
		n, root, err := callerUser(o.c)
		if err != nil {
			return nil, err
		}
		if root {
			if err := o.authorize(action, arn.RootARN(o.c.AccountID), nil); err != nil {
				return nil, err
			}
			return nil, errRootPassword
		}
		name = n
	}
	return o.target(action, keyward.KindUser, name, nil)
}

// CreateLoginProfileInput is CreateLoginProfile's request.
type CreateLoginProfileInput struct {
	UserName              *string `query:"UserName"`
	Password              *string `query:"Password"`
	PasswordResetRequired *bool   `query:"PasswordResetRequired"`
}

// CreateLoginProfileOutput is CreateLoginProfile's result.
type CreateLoginProfileOutput struct {
	LoginProfile LoginProfile `xml:"LoginProfile"`
}

// CreateLoginProfile gives a user a console password, which must satisfy
// the account's password policy (AWS's default one when none is set). The
// password is kept only as an argon2id hash.
func (s *Service) CreateLoginProfile(ctx context.Context, c *keyward.Caller, in *CreateLoginProfileInput) (*CreateLoginProfileOutput, error) {
	now := s.now()
	var p keyward.LoginProfile
	err := s.update(ctx, c, false, func(o *op) error {
		u, err := o.profileOwner("iam:CreateLoginProfile", in.UserName)
		if err != nil {
			return err
		}
		if in.Password == nil {
			return keyward.Errorf(keyward.ErrValidationError, "Password is required to create a login profile for an IAM user.")
		}
		pol, err := passwordPolicy(o.Tx, c.AccountID)
		if err != nil {
			return err
		}
		if err := checkPassword(pol, *in.Password); err != nil {
			return err
		}
		if _, err := o.GetLoginProfile(c.AccountID, u.name); err == nil {
			return alreadyExists(kindLoginProfile, u.name)
		} else if keyward.ErrorCode(err) != keyward.ErrNoSuchEntity {
			return err
		}
		p = keyward.LoginProfile{AccountID: c.AccountID, UserName: u.name, CreateDate: now,
			PasswordResetRequired: deref(in.PasswordResetRequired, false)}
		if err := setPassword(pol, &p, *in.Password, now, false); err != nil {
			return err
		}
		return said(o.CreateLoginProfile(p), kindLoginProfile, u.name)
	})
	if err != nil {
		return nil, err
	}
	return &CreateLoginProfileOutput{LoginProfile: loginProfileOut(p)}, nil
}

// GetLoginProfileInput is GetLoginProfile's request.
type GetLoginProfileInput struct {
	UserName *string `query:"UserName"`
}

// GetLoginProfileOutput is GetLoginProfile's result.
type GetLoginProfileOutput struct {
	LoginProfile LoginProfile `xml:"LoginProfile"`
}

// GetLoginProfile tells whether a user has a console password (never the
// password): NoSuchEntity when it has none.
func (s *Service) GetLoginProfile(ctx context.Context, c *keyward.Caller, in *GetLoginProfileInput) (*GetLoginProfileOutput, error) {
	var p keyward.LoginProfile
	err := s.view(ctx, c, func(o *op) error {
		u, err := o.profileOwner("iam:GetLoginProfile", in.UserName)
		if err != nil {
			return err
		}
		p, err = o.GetLoginProfile(c.AccountID, u.name)
		return said(err, kindLoginProfile, u.name)
	})
	if err != nil {
		return nil, err
	}
	return &GetLoginProfileOutput{LoginProfile: loginProfileOut(p)}, nil
}

// UpdateLoginProfileInput is UpdateLoginProfile's request.
type UpdateLoginProfileInput struct {
	UserName              string  `query:"UserName,required"`
	Password              *string `query:"Password"`
	PasswordResetRequired *bool   `query:"PasswordResetRequired"`
}

// UpdateLoginProfile sets a user's password (checked against the policy)
// or whether it must be reset at the next sign-in, or both.
func (s *Service) UpdateLoginProfile(ctx context.Context, c *keyward.Caller, in *UpdateLoginProfileInput) (*struct{}, error) {
	now := s.now()
	err := s.update(ctx, c, false, func(o *op) error {
		u, err := o.target("iam:UpdateLoginProfile", keyward.KindUser, in.UserName, nil)
		if err != nil {
			return err
		}
		p, err := o.GetLoginProfile(c.AccountID, u.name)
		if err != nil {
			return said(err, kindLoginProfile, u.name)
		}
		if in.Password != nil {
			pol, err := passwordPolicy(o.Tx, c.AccountID)
			if err != nil {
				return err
			}
			if err := checkPassword(pol, *in.Password); err != nil {
				return err
			}
			if err := setPassword(pol, &p, *in.Password, now, false); err != nil {
				return err
			}
		}
		if in.PasswordResetRequired != nil {
			p.PasswordResetRequired = *in.PasswordResetRequired
		}
		return o.UpdateLoginProfile(p)
	})
	if err != nil {
		return nil, err
	}
	return &struct{}{}, nil
}

// DeleteLoginProfileInput is DeleteLoginProfile's request.
type DeleteLoginProfileInput struct {
	UserName *string `query:"UserName"`
}

// DeleteLoginProfile removes a user's console password; its access keys
// keep working.
func (s *Service) DeleteLoginProfile(ctx context.Context, c *keyward.Caller, in *DeleteLoginProfileInput) (*struct{}, error) {
	err := s.update(ctx, c, false, func(o *op) error {
		u, err := o.profileOwner("iam:DeleteLoginProfile", in.UserName)
		if err != nil {
			return err
		}
		return said(o.DeleteLoginProfile(c.AccountID, u.name), kindLoginProfile, u.name)
	})
	if err != nil {
		return nil, err
	}
	return &struct{}{}, nil
}

// ChangePasswordInput is ChangePassword's request.
type ChangePasswordInput struct {
	OldPassword string `query:"OldPassword,required"`
	NewPassword string `query:"NewPassword,required"`
}

// ChangePassword changes the calling IAM user's own password, given the
// old one. The user needs iam:ChangePassword on itself, or the account's
// password policy must set AllowUsersToChangePassword (which grants it to
// every user, as on AWS; an explicit deny still wins). The new password
// must satisfy the policy, including PasswordReusePrevention; once a
// password has expired under a policy with HardExpiry, only an
// administrator can set a new one.
func (s *Service) ChangePassword(ctx context.Context, c *keyward.Caller, in *ChangePasswordInput) (*struct{}, error) {
	if c.Kind != keyward.CallerUser && c.Kind != keyward.CallerUserSession || c.UserName == "" {
		return nil, keyward.Errorf(keyward.ErrInvalidUserType, "Only IAM users can change their own password with ChangePassword.")
	}
	now := s.now()
	err := s.update(ctx, c, false, func(o *op) error {
		u, err := o.find(keyward.KindUser, c.UserName)
		if err != nil {
			return err
		}
		pol, err := passwordPolicy(o.Tx, c.AccountID)
		if err != nil {
			return err
		}
		d, err := o.s.Authz.Decide(o.ctx, o.Tx, o.c, authz.Query{Action: "iam:ChangePassword", Resource: u.arn, Extra: u.keys(nil)})
		if err != nil {
			return err
		}
		if d.Result.Decision == policy.ImplicitDeny && pol != nil && pol.AllowUsersToChangePassword {
			d.Result.Decision = policy.Allowed
		}
		err = o.s.Authz.Enforce(o.c, &d)
		o.decisions = append(o.decisions, d)
		if err != nil {
			return err
		}
		if !u.found {
			return u.missing()
		}
		p, err := o.GetLoginProfile(c.AccountID, u.name)
		if err != nil {
			return said(err, kindLoginProfile, u.name)
		}
		if !CheckPasswordHash(p.PasswordHash, in.OldPassword) {
			return keyward.Errorf(keyward.ErrAccessDenied, "The old password is incorrect.")
		}
		if pol != nil && pol.HardExpiry && passwordExpired(pol, &p, now) {
			return keyward.Errorf(keyward.ErrEntityTemporarilyUnmodifiable,
				"The password has expired and the account's password policy sets HardExpiry: an administrator must reset it.")
		}
		if err := checkPassword(pol, in.NewPassword); err != nil {
			return err
		}
		if err := setPassword(pol, &p, in.NewPassword, now, true); err != nil {
			return err
		}
		p.PasswordResetRequired = false
		return o.UpdateLoginProfile(p)
	})
	if err != nil {
		return nil, err
	}
	return &struct{}{}, nil
}

// SignInResult is what SignIn found.
type SignInResult struct {
	User keyward.User
	// MustChangePassword: the password must be changed (ChangePassword)
	// before anything else, because an administrator required it or it
	// expired under a policy without HardExpiry.
	MustChangePassword bool
	// MFA: a code of the user's device was checked.
	MFA bool
}

// errSignIn is the one answer to every failed sign-in, so that it does not
// tell which of the user, the password or the code was wrong.
// ErrSignIn is exported for sign-in pages that must answer the same way.
var ErrSignIn = errSignIn

var errSignIn = keyward.Errorf(keyward.ErrAccessDenied, "Your authentication information is incorrect. Please try again.")

// dummyHash is checked when there is no profile, so that a sign-in for an
// unknown user costs what one for a known user does.
var dummyHash = HashPassword("keyward: no such user")

// SignIn checks an IAM user's console password (and, when the user has an
// MFA device, a current code of it, accepted once), for a sign-in page:
// it records the user's PasswordLastUsed, which GetUser and the
// credential report show. It needs no credentials and so no permission;
// every failure is the same AccessDenied. A password expired under a
// policy with HardExpiry is refused; one that must change is accepted with
// MustChangePassword set.
func (s *Service) SignIn(ctx context.Context, accountID, userName, password, mfaCode string) (*SignInResult, error) {
	now := s.now()
	var res SignInResult
	// Nobody is signed in yet: the op's caller only names the account.
	anonymous := &keyward.Caller{AccountID: accountID, ARN: "anonymous"}
	err := s.update(ctx, anonymous, false, func(o *op) error {
		tx := o.Tx
		u, err := tx.GetUser(accountID, userName)
		if keyward.ErrorCode(err) == keyward.ErrNoSuchEntity {
			CheckPasswordHash(dummyHash, password)
			return errSignIn
		}
		if err != nil {
			return err
		}
		p, err := tx.GetLoginProfile(accountID, u.Name)
		if keyward.ErrorCode(err) == keyward.ErrNoSuchEntity {
			CheckPasswordHash(dummyHash, password)
			return errSignIn
		}
		if err != nil {
			return err
		}
		if !CheckPasswordHash(p.PasswordHash, password) {
			return errSignIn
		}
		if err := s.checkSignInMFA(tx, u, mfaCode, now); err != nil {
			return err
		}
		pol, err := passwordPolicy(tx, accountID)
		if err != nil {
			return err
		}
		expired := passwordExpired(pol, &p, now)
		if expired && pol.HardExpiry {
			return keyward.Errorf(keyward.ErrAccessDenied, "Your password has expired; ask an administrator to reset it.")
		}
		u.PasswordLastUsed = now
		if err := tx.UpdateUser(u); err != nil {
			return err
		}
		res = SignInResult{User: u, MustChangePassword: expired || p.PasswordResetRequired, MFA: mfaCode != ""}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &res, nil
}
