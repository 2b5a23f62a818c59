package iam

import (
	"context"
	"strings"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/arn"
	"github.com/keyward/keyward/internal/authz"
)

// Deletion conflicts, in AWS's words. DeleteUser answers a user still in
// a group as DeleteGroup answers a group with members ("must remove users
// from group first."), as AWS's own logs show (mozilla-services/userplex
// issue 17, a DeleteUser); login profiles and MFA devices are worded as
// AWS's DeleteUser answers in cloud-custodian issue 1663 and rebuy-de
// aws-nuke issue 281. The other credentials' sentences follow the same
// pattern (no AWS log found for them).
const (
	msgDeleteKeysFirst    = "Cannot delete entity, must delete access keys first."
	msgDeletePolicies     = "Cannot delete entity, must delete policies first."
	msgDetachPolicies     = "Cannot delete entity, must detach all policies first."
	msgRemoveFromGroups   = "Cannot delete entity, must remove users from group first."
	msgRemoveFromProfiles = "Cannot delete entity, must remove roles from instance profile first."
	msgDeleteLoginProfile = "Cannot delete entity, must delete login profile first."
	msgDeleteMFADevice    = "Cannot delete entity, must delete MFA device first."
	msgDeleteSSHKeys      = "Cannot delete entity, must delete SSH public keys first."
	msgDeleteSigningCerts = "Cannot delete entity, must delete signing certificates first."
	msgDeleteServiceCreds = "Cannot delete entity, must delete service specific credentials first."
)

// errNonUserCaller is AWS's answer when an action that defaults to the
// calling user is called by a role session or federated user.
var errNonUserCaller = keyward.Errorf(keyward.ErrValidationError, "Must specify userName when calling with non-User credentials")

// callerUser returns the name of the IAM user making the call, or root
// true for the account's root user (and its GetSessionToken sessions).
func callerUser(c *keyward.Caller) (name string, root bool, err error) {
	switch c.Kind {
	case keyward.CallerRoot:
		return "", true, nil
	case keyward.CallerUser, keyward.CallerUserSession:
		if c.UserName == "" {
			return "", true, nil
		}
		return c.UserName, false, nil
	}
	return "", false, errNonUserCaller
}

// CreateUserInput is CreateUser's request.
type CreateUserInput struct {
	Path                *string       `query:"Path"`
	UserName            string        `query:"UserName,required"`
	PermissionsBoundary *string       `query:"PermissionsBoundary"`
	Tags                []keyward.Tag `query:"Tags"`
}

// CreateUserOutput is CreateUser's result.
type CreateUserOutput struct {
	User User `xml:"User"`
}

// CreateUser creates an IAM user, with its permissions boundary and tags.
func (s *Service) CreateUser(ctx context.Context, c *keyward.Caller, in *CreateUserInput) (*CreateUserOutput, error) {
	path := deref(in.Path, "/")
	u := keyward.User{
		AccountID:  c.AccountID,
		ID:         s.ids().ID(PrefixUser),
		Name:       in.UserName,
		Path:       path,
		ARN:        UserARN(c.AccountID, path, in.UserName),
		CreateDate: s.now(),
	}
	var tags []keyward.Tag
	err := s.update(ctx, c, false, func(o *op) error {
		extra := authz.RequestTags(nil, in.Tags)
		var boundary *entity
		if in.PermissionsBoundary != nil {
			var err error
			if boundary, extra, err = o.boundaryKey(*in.PermissionsBoundary, extra); err != nil {
				return err
			}
		}
		if err := o.authorize("iam:CreateUser", u.ARN, extra); err != nil {
			return err
		}
		if err := checkTagSet(in.Tags); err != nil {
			return err
		}
		if boundary != nil {
			if err := o.usableBoundary(boundary); err != nil {
				return err
			}
			u.PermissionsBoundaryARN = boundary.arn
		}
		if err := o.CreateUser(u); err != nil {
			return said(err, keyward.KindUser, u.Name)
		}
		tags = nil
		if len(in.Tags) > 0 {
			if err := o.TagEntity(keyward.UserRef(c.AccountID, u.Name), in.Tags); err != nil {
				return err
			}
			var err error
			tags, err = o.ListTags(keyward.UserRef(c.AccountID, u.Name))
			return err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &CreateUserOutput{User: userOut(u, tags)}, nil
}

// boundaryKey finds the managed policy a request names as a permissions
// boundary and adds it to extra as iam:PermissionsBoundary: the ARN as
// stored when the policy exists, so that a condition on the key sees the
// policy's own spelling, not the caller's. InvalidInput when arn is not a
// policy ARN.
func (o *op) boundaryKey(arn string, extra map[string][]string) (*entity, map[string][]string, error) {
	if _, err := checkPolicyARN(arn); err != nil {
		return nil, nil, err
	}
	p, err := o.findPolicy(arn)
	if err != nil {
		return nil, nil, err
	}
	return p, withKey(extra, "iam:PermissionsBoundary", p.arn), nil
}

// usableBoundary checks that p, a policy found by boundaryKey, may be used
// as a permissions boundary: a managed policy of the account or of AWS.
func (o *op) usableBoundary(p *entity) error {
	if !p.found || !p.policy.IsAttachable {
		return keyward.Errorf(keyward.ErrNoSuchEntity, "Policy %s does not exist or is not attachable.", p.arn)
	}
	return nil
}

// policyAccount returns the account of a managed policy's ARN
// (arn:aws:iam::ACCOUNT:policy/...), "aws" for AWS-managed ones.
func policyAccount(arn string) (string, bool) {
	rest, ok := strings.CutPrefix(arn, "arn:aws:iam::")
	if !ok {
		return "", false
	}
	acct, res, ok := strings.Cut(rest, ":")
	if !ok || !strings.HasPrefix(res, "policy/") || len(res) == len("policy/") {
		return "", false
	}
	return acct, true
}

// GetUserInput is GetUser's request. Without UserName it describes the
// calling user.
type GetUserInput struct {
	UserName *string `query:"UserName"`
}

// GetUserOutput is GetUser's result.
type GetUserOutput struct {
	User User `xml:"User"`
}

// GetUser describes a user, with its boundary and tags. Without UserName
// it describes the caller; for the root user that is the account (UserId
// the account ID, Arn the root ARN).
func (s *Service) GetUser(ctx context.Context, c *keyward.Caller, in *GetUserInput) (*GetUserOutput, error) {
	name := deref(in.UserName, "")
	if in.UserName == nil {
		n, root, err := callerUser(c)
		if err != nil {
			return nil, err
		}
		if root {
			return s.getRootUser(ctx, c)
		}
		name = n
	}
	var out GetUserOutput
	err := s.view(ctx, c, func(o *op) error {
		u, err := o.target("iam:GetUser", keyward.KindUser, name, nil)
		if err != nil {
			return err
		}
		out.User = userOut(u.user, u.tags)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

func (s *Service) getRootUser(ctx context.Context, c *keyward.Caller) (*GetUserOutput, error) {
	arn := arn.RootARN(c.AccountID)
	var a keyward.Account
	err := s.view(ctx, c, func(o *op) error {
		if err := o.authorize("iam:GetUser", arn, nil); err != nil {
			return err
		}
		var err error
		a, err = o.GetAccount(c.AccountID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &GetUserOutput{User: User{UserID: a.ID, ARN: arn, CreateDate: Time(a.CreateDate)}}, nil
}

// UpdateUserInput is UpdateUser's request.
type UpdateUserInput struct {
	UserName    string  `query:"UserName,required"`
	NewPath     *string `query:"NewPath"`
	NewUserName *string `query:"NewUserName"`
}

// UpdateUser renames a user or changes its path. As on AWS the caller needs
// iam:UpdateUser on both the user's current and its new ARN.
func (s *Service) UpdateUser(ctx context.Context, c *keyward.Caller, in *UpdateUserInput) (*struct{}, error) {
	err := s.update(ctx, c, true, func(o *op) error {
		u, err := o.target("iam:UpdateUser", keyward.KindUser, in.UserName, nil)
		if err != nil {
			return err
		}
		moved := u.user
		if in.NewPath != nil {
			moved.Path = *in.NewPath
		}
		if in.NewUserName != nil {
			moved.Name = *in.NewUserName
		}
		moved.ARN = UserARN(c.AccountID, moved.Path, moved.Name)
		if moved.ARN != u.arn {
			if err := o.authorize("iam:UpdateUser", moved.ARN, nil); err != nil {
				return err
			}
		}
		return said(o.UpdateUser(moved), keyward.KindUser, moved.Name)
	})
	if err != nil {
		return nil, err
	}
	return &struct{}{}, nil
}

// DeleteUserInput is DeleteUser's request.
type DeleteUserInput struct {
	UserName string `query:"UserName,required"`
}

// DeleteUser deletes a user that has nothing left that AWS makes one
// delete first: access keys, policies, group memberships, a login
// profile, an MFA device, SSH keys, signing certificates, service-specific
// credentials (DeleteConflict otherwise, as on AWS). A permissions
// boundary does not block deletion.
func (s *Service) DeleteUser(ctx context.Context, c *keyward.Caller, in *DeleteUserInput) (*struct{}, error) {
	err := s.update(ctx, c, true, func(o *op) error {
		u, err := o.target("iam:DeleteUser", keyward.KindUser, in.UserName, nil)
		if err != nil {
			return err
		}
		if err := o.checkUserDeletable(u.name); err != nil {
			return err
		}
		return o.DeleteUser(c.AccountID, u.name)
	})
	if err != nil {
		return nil, err
	}
	return &struct{}{}, nil
}

// checkUserDeletable is DeleteUser's DeleteConflict: the first of what
// the user must lose before it can be deleted, in AWS's words. (The store
// refuses such a deletion too, but says it neutrally.)
func (o *op) checkUserDeletable(name string) error {
	acct := o.c.AccountID
	conflict := func(msg string) error { return keyward.Errorf(keyward.ErrDeleteConflict, "%s", msg) }
	keys, err := o.ListAccessKeys(acct, name)
	if err != nil {
		return err
	}
	if len(keys) > 0 {
		return conflict(msgDeleteKeysFirst)
	}
	if err := checkNoPolicies(o.Tx, keyward.UserRef(acct, name)); err != nil {
		return err
	}
	groups, err := o.ListGroupsForUser(acct, name)
	if err != nil {
		return err
	}
	if len(groups) > 0 {
		return conflict(msgRemoveFromGroups)
	}
	if _, err := o.GetLoginProfile(acct, name); err == nil {
		return conflict(msgDeleteLoginProfile)
	} else if keyward.ErrorCode(err) != keyward.ErrNoSuchEntity {
		return err
	}
	devices, err := o.ListMFADevices(acct)
	if err != nil {
		return err
	}
	for _, d := range devices {
		if !d.Root && strings.EqualFold(d.UserName, name) {
			return conflict(msgDeleteMFADevice)
		}
	}
	for _, k := range []struct {
		kind keyward.CredentialKind
		msg  string
	}{
		{keyward.CredentialSSHPublicKey, msgDeleteSSHKeys},
		{keyward.CredentialSigningCertificate, msgDeleteSigningCerts},
		{keyward.CredentialServiceSpecific, msgDeleteServiceCreds},
	} {
		creds, err := o.ListUserCredentials(k.kind, acct, name)
		if err != nil {
			return err
		}
		if len(creds) > 0 {
			return conflict(k.msg)
		}
	}
	return nil
}

// checkNoPolicies is the DeleteConflict of an entity that still has inline
// or attached policies.
func checkNoPolicies(tx keyward.Tx, ref keyward.EntityRef) error {
	inline, err := tx.ListInlinePolicies(ref)
	if err != nil {
		return err
	}
	if len(inline) > 0 {
		return keyward.Errorf(keyward.ErrDeleteConflict, msgDeletePolicies)
	}
	attached, err := tx.ListAttachedPolicies(ref)
	if err != nil {
		return err
	}
	if len(attached) > 0 {
		return keyward.Errorf(keyward.ErrDeleteConflict, msgDetachPolicies)
	}
	return nil
}

// ListUsersInput is ListUsers' request.
type ListUsersInput struct {
	PathPrefix *string `query:"PathPrefix"`
	Marker     *string `query:"Marker"`
	MaxItems   *int32  `query:"MaxItems"`
}

// ListUsersOutput is ListUsers' result.
type ListUsersOutput struct {
	Users       Members[User] `xml:"Users"`
	IsTruncated bool          `xml:"IsTruncated"`
	Marker      string        `xml:"Marker,omitempty"`
}

// ListUsers lists the account's users, sorted by name. Like AWS's, the
// list leaves out tags and boundaries.
func (s *Service) ListUsers(ctx context.Context, c *keyward.Caller, in *ListUsersInput) (*ListUsersOutput, error) {
	items, truncated, marker, err := listByPath(ctx, s, c, "iam:ListUsers", "user", pageInput{in.PathPrefix, in.Marker, in.MaxItems},
		keyward.Tx.ListUsers, usersOut)
	if err != nil {
		return nil, err
	}
	return &ListUsersOutput{Users: items, IsTruncated: truncated, Marker: marker}, nil
}

// usersOut converts users for a list: no tags, no boundary.
func usersOut(users []keyward.User) Members[User] {
	out := make(Members[User], len(users))
	for i, u := range users {
		u.PermissionsBoundaryARN = ""
		out[i] = userOut(u, nil)
	}
	return out
}
