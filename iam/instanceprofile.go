package iam

import (
	"context"
	"strings"

	"github.com/keyward/keyward"
)

// CreateInstanceProfileInput is CreateInstanceProfile's request.
type CreateInstanceProfileInput struct {
	InstanceProfileName string        `query:"InstanceProfileName,required"`
	Path                *string       `query:"Path"`
	Tags                []keyward.Tag `query:"Tags"`
}

// CreateInstanceProfileOutput is CreateInstanceProfile's result.
type CreateInstanceProfileOutput struct {
	InstanceProfile InstanceProfile `xml:"InstanceProfile"`
}

// CreateInstanceProfile creates an empty instance profile.
func (s *Service) CreateInstanceProfile(ctx context.Context, c *keyward.Caller, in *CreateInstanceProfileInput) (*CreateInstanceProfileOutput, error) {
	var v validator
	v.name("instanceProfileName", in.InstanceProfileName, 128)
	v.path("path", in.Path)
	v.tags(in.Tags)
	if err := v.err(); err != nil {
		return nil, err
	}
	path := deref(in.Path, "/")
	arn := InstanceProfileARN(c.AccountID, path, in.InstanceProfileName)
	if err := s.authorize(ctx, c, "iam:CreateInstanceProfile", arn, tagConditions(nil, in.Tags)); err != nil {
		return nil, err
	}
	if err := checkTagSet(in.Tags); err != nil {
		return nil, err
	}
	p := keyward.InstanceProfile{
		AccountID:  c.AccountID,
		ID:         s.ids().ID(PrefixInstanceProfile),
		Name:       in.InstanceProfileName,
		Path:       path,
		ARN:        arn,
		CreateDate: s.now(),
	}
	var tags []keyward.Tag
	err := s.update(ctx, false, func(tx keyward.Tx) error {
		if err := tx.CreateInstanceProfile(p); err != nil {
			return err
		}
		if len(in.Tags) > 0 {
			ref := keyward.InstanceProfileRef(c.AccountID, p.Name)
			if err := tx.TagEntity(ref, in.Tags); err != nil {
				return err
			}
			var err error
			tags, err = tx.ListTags(ref)
			return err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &CreateInstanceProfileOutput{InstanceProfile: instanceProfileOut(p, tags)}, nil
}

// GetInstanceProfileInput is GetInstanceProfile's request.
type GetInstanceProfileInput struct {
	InstanceProfileName string `query:"InstanceProfileName,required"`
}

// GetInstanceProfileOutput is GetInstanceProfile's result.
type GetInstanceProfileOutput struct {
	InstanceProfile InstanceProfile `xml:"InstanceProfile"`
}

// GetInstanceProfile describes a profile, its role and its tags.
func (s *Service) GetInstanceProfile(ctx context.Context, c *keyward.Caller, in *GetInstanceProfileInput) (*GetInstanceProfileOutput, error) {
	var v validator
	v.name("instanceProfileName", in.InstanceProfileName, 128)
	if err := v.err(); err != nil {
		return nil, err
	}
	arn, rt := s.resolve(ctx, c, keyward.KindInstanceProfile, in.InstanceProfileName)
	if err := s.authorize(ctx, c, "iam:GetInstanceProfile", arn, rt); err != nil {
		return nil, err
	}
	var out GetInstanceProfileOutput
	err := s.Store.View(ctx, func(tx keyward.Tx) error {
		p, err := tx.GetInstanceProfile(c.AccountID, in.InstanceProfileName)
		if err != nil {
			return err
		}
		tags, err := tx.ListTags(keyward.InstanceProfileRef(c.AccountID, p.Name))
		if err != nil {
			return err
		}
		out.InstanceProfile = instanceProfileOut(p, tags)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// DeleteInstanceProfileInput is DeleteInstanceProfile's request.
type DeleteInstanceProfileInput struct {
	InstanceProfileName string `query:"InstanceProfileName,required"`
}

// DeleteInstanceProfile deletes a profile that holds no role.
func (s *Service) DeleteInstanceProfile(ctx context.Context, c *keyward.Caller, in *DeleteInstanceProfileInput) (*struct{}, error) {
	var v validator
	v.name("instanceProfileName", in.InstanceProfileName, 128)
	if err := v.err(); err != nil {
		return nil, err
	}
	arn, rt := s.resolve(ctx, c, keyward.KindInstanceProfile, in.InstanceProfileName)
	if err := s.authorize(ctx, c, "iam:DeleteInstanceProfile", arn, rt); err != nil {
		return nil, err
	}
	err := s.update(ctx, false, func(tx keyward.Tx) error {
		p, err := tx.GetInstanceProfile(c.AccountID, in.InstanceProfileName)
		if err != nil {
			return err
		}
		if len(p.Roles) > 0 {
			return keyward.Errorf(keyward.ErrDeleteConflict, msgRemoveFromProfiles)
		}
		return tx.DeleteInstanceProfile(c.AccountID, p.Name)
	})
	if err != nil {
		return nil, err
	}
	return &struct{}{}, nil
}

// ListInstanceProfilesInput is ListInstanceProfiles' request.
type ListInstanceProfilesInput struct {
	PathPrefix *string `query:"PathPrefix"`
	Marker     *string `query:"Marker"`
	MaxItems   *int32  `query:"MaxItems"`
}

// ListInstanceProfilesOutput is ListInstanceProfiles' and
// ListInstanceProfilesForRole's result.
type ListInstanceProfilesOutput struct {
	InstanceProfiles Members[InstanceProfile] `xml:"InstanceProfiles"`
	IsTruncated      bool                     `xml:"IsTruncated"`
	Marker           string                   `xml:"Marker,omitempty"`
}

// ListInstanceProfiles lists the account's profiles with their roles.
func (s *Service) ListInstanceProfiles(ctx context.Context, c *keyward.Caller, in *ListInstanceProfilesInput) (*ListInstanceProfilesOutput, error) {
	items, truncated, marker, err := listByPath(ctx, s, c, "iam:ListInstanceProfiles", "instance-profile", pageInput{in.PathPrefix, in.Marker, in.MaxItems},
		keyward.Tx.ListInstanceProfiles, profilesOut)
	if err != nil {
		return nil, err
	}
	return &ListInstanceProfilesOutput{InstanceProfiles: items, IsTruncated: truncated, Marker: marker}, nil
}

func profilesOut(profiles []keyward.InstanceProfile) Members[InstanceProfile] {
	out := make(Members[InstanceProfile], len(profiles))
	for i, p := range profiles {
		out[i] = instanceProfileOut(p, nil)
	}
	return out
}

// ListInstanceProfilesForRoleInput is ListInstanceProfilesForRole's request.
type ListInstanceProfilesForRoleInput struct {
	RoleName string  `query:"RoleName,required"`
	Marker   *string `query:"Marker"`
	MaxItems *int32  `query:"MaxItems"`
}

// ListInstanceProfilesForRole lists the profiles that hold a role.
func (s *Service) ListInstanceProfilesForRole(ctx context.Context, c *keyward.Caller, in *ListInstanceProfilesForRoleInput) (*ListInstanceProfilesOutput, error) {
	var v validator
	v.name("roleName", in.RoleName, 64)
	v.page(nil, in.Marker, in.MaxItems)
	if err := v.err(); err != nil {
		return nil, err
	}
	arn, rt := s.resolve(ctx, c, keyward.KindRole, in.RoleName)
	if err := s.authorize(ctx, c, "iam:ListInstanceProfilesForRole", arn, rt); err != nil {
		return nil, err
	}
	var out ListInstanceProfilesOutput
	err := s.Store.View(ctx, func(tx keyward.Tx) error {
		profiles, next, err := tx.ListInstanceProfilesForRole(c.AccountID, in.RoleName, listOptions(nil, in.Marker, in.MaxItems))
		if err != nil {
			return err
		}
		out.InstanceProfiles = profilesOut(profiles)
		out.IsTruncated, out.Marker = next != "", next
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// AddRoleToInstanceProfileInput is AddRoleToInstanceProfile's request.
type AddRoleToInstanceProfileInput struct {
	InstanceProfileName string `query:"InstanceProfileName,required"`
	RoleName            string `query:"RoleName,required"`
}

// AddRoleToInstanceProfile puts a role in a profile, which holds at most
// one. As AWS documents, the caller also needs iam:PassRole on the role.
func (s *Service) AddRoleToInstanceProfile(ctx context.Context, c *keyward.Caller, in *AddRoleToInstanceProfileInput) (*struct{}, error) {
	var v validator
	v.name("instanceProfileName", in.InstanceProfileName, 128)
	v.name("roleName", in.RoleName, 64)
	if err := v.err(); err != nil {
		return nil, err
	}
	arn, rt := s.resolve(ctx, c, keyward.KindInstanceProfile, in.InstanceProfileName)
	if err := s.authorize(ctx, c, "iam:AddRoleToInstanceProfile", arn, rt); err != nil {
		return nil, err
	}
	roleARN, rt := s.resolve(ctx, c, keyward.KindRole, in.RoleName)
	if err := s.authorize(ctx, c, "iam:PassRole", roleARN, rt); err != nil {
		return nil, err
	}
	err := s.update(ctx, false, func(tx keyward.Tx) error {
		p, err := tx.GetInstanceProfile(c.AccountID, in.InstanceProfileName)
		if err != nil {
			return err
		}
		if _, err := tx.GetRole(c.AccountID, in.RoleName); err != nil {
			return err
		}
		for _, r := range p.Roles {
			if strings.EqualFold(r.Name, in.RoleName) {
				return keyward.Errorf(keyward.ErrEntityAlreadyExists, "Role %s is already in instance profile %s.", r.Name, p.Name)
			}
		}
		if len(p.Roles) >= maxRolesPerProfile {
			return keyward.Errorf(keyward.ErrLimitExceeded, "Cannot exceed quota for InstanceSessionsPerInstanceProfile: %d", maxRolesPerProfile)
		}
		return tx.AddRoleToInstanceProfile(c.AccountID, p.Name, in.RoleName)
	})
	if err != nil {
		return nil, err
	}
	return &struct{}{}, nil
}

// RemoveRoleFromInstanceProfileInput is RemoveRoleFromInstanceProfile's
// request.
type RemoveRoleFromInstanceProfileInput struct {
	InstanceProfileName string `query:"InstanceProfileName,required"`
	RoleName            string `query:"RoleName,required"`
}

// RemoveRoleFromInstanceProfile takes a role out of a profile.
func (s *Service) RemoveRoleFromInstanceProfile(ctx context.Context, c *keyward.Caller, in *RemoveRoleFromInstanceProfileInput) (*struct{}, error) {
	var v validator
	v.name("instanceProfileName", in.InstanceProfileName, 128)
	v.name("roleName", in.RoleName, 64)
	if err := v.err(); err != nil {
		return nil, err
	}
	arn, rt := s.resolve(ctx, c, keyward.KindInstanceProfile, in.InstanceProfileName)
	if err := s.authorize(ctx, c, "iam:RemoveRoleFromInstanceProfile", arn, rt); err != nil {
		return nil, err
	}
	err := s.update(ctx, false, func(tx keyward.Tx) error {
		return tx.RemoveRoleFromInstanceProfile(c.AccountID, in.InstanceProfileName, in.RoleName)
	})
	if err != nil {
		return nil, err
	}
	return &struct{}{}, nil
}
