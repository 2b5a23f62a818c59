package iam

import (
	"context"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/internal/authz"
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
	path := deref(in.Path, "/")
	p := keyward.InstanceProfile{
		AccountID:  c.AccountID,
		ID:         s.ids().ID(PrefixInstanceProfile),
		Name:       in.InstanceProfileName,
		Path:       path,
		ARN:        InstanceProfileARN(c.AccountID, path, in.InstanceProfileName),
		CreateDate: s.now(),
	}
	var tags []keyward.Tag
	err := s.update(ctx, c, false, func(o *op) error {
		if err := o.authorize("iam:CreateInstanceProfile", p.ARN, authz.RequestTags(nil, in.Tags)); err != nil {
			return err
		}
		if err := checkTagSet(in.Tags); err != nil {
			return err
		}
		if err := o.CreateInstanceProfile(p); err != nil {
			return said(err, keyward.KindInstanceProfile, p.Name)
		}
		tags = nil
		if len(in.Tags) > 0 {
			ref := keyward.InstanceProfileRef(c.AccountID, p.Name)
			if err := o.TagEntity(ref, in.Tags); err != nil {
				return err
			}
			var err error
			tags, err = o.ListTags(ref)
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
	var out GetInstanceProfileOutput
	err := s.view(ctx, c, func(o *op) error {
		p, err := o.target("iam:GetInstanceProfile", keyward.KindInstanceProfile, in.InstanceProfileName, nil)
		if err != nil {
			return err
		}
		shown, err := o.shownProfile(p.profile)
		if err != nil {
			return err
		}
		out.InstanceProfile = instanceProfileOut(shown, p.tags)
		// AWS's GetInstanceProfile shows Tags even when there are none
		// (LocalStack's AWS-recorded test_iam_instance_profiles snapshot).
		t := tagsOut(p.tags)
		out.InstanceProfile.Tags = &t
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
	err := s.update(ctx, c, false, func(o *op) error {
		p, err := o.target("iam:DeleteInstanceProfile", keyward.KindInstanceProfile, in.InstanceProfileName, nil)
		if err != nil {
			return err
		}
		if len(p.profile.Roles) > 0 {
			return keyward.Errorf(keyward.ErrDeleteConflict, msgRemoveFromProfiles)
		}
		return o.DeleteInstanceProfile(c.AccountID, p.name)
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
	var out ListInstanceProfilesOutput
	err := s.view(ctx, c, func(o *op) error {
		if err := o.authorize("iam:ListInstanceProfiles", listResource(c.AccountID, "instance-profile", in.PathPrefix), nil); err != nil {
			return err
		}
		page, next, err := o.ListInstanceProfiles(c.AccountID, listOptions(in.PathPrefix, in.Marker, in.MaxItems))
		if err != nil {
			return said(err, kindList)
		}
		if out.InstanceProfiles, err = o.profilesOut(page); err != nil {
			return err
		}
		out.IsTruncated, out.Marker = next != "", next
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// profilesOut converts profiles for a list, without their tags.
func (o *op) profilesOut(profiles []keyward.InstanceProfile) (Members[InstanceProfile], error) {
	out := make(Members[InstanceProfile], len(profiles))
	for i, p := range profiles {
		shown, err := o.shownProfile(p)
		if err != nil {
			return nil, err
		}
		out[i] = instanceProfileOut(shown, nil)
	}
	return out, nil
}

// ListInstanceProfilesForRoleInput is ListInstanceProfilesForRole's request.
type ListInstanceProfilesForRoleInput struct {
	RoleName string  `query:"RoleName,required"`
	Marker   *string `query:"Marker"`
	MaxItems *int32  `query:"MaxItems"`
}

// ListInstanceProfilesForRole lists the profiles that hold a role.
func (s *Service) ListInstanceProfilesForRole(ctx context.Context, c *keyward.Caller, in *ListInstanceProfilesForRoleInput) (*ListInstanceProfilesOutput, error) {
	var out ListInstanceProfilesOutput
	err := s.view(ctx, c, func(o *op) error {
		r, err := o.target("iam:ListInstanceProfilesForRole", keyward.KindRole, in.RoleName, nil)
		if err != nil {
			return err
		}
		profiles, next, err := o.ListInstanceProfilesForRole(c.AccountID, r.name, listOptions(nil, in.Marker, in.MaxItems))
		if err != nil {
			return said(err, kindList)
		}
		if out.InstanceProfiles, err = o.profilesOut(profiles); err != nil {
			return err
		}
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
	err := s.update(ctx, c, false, func(o *op) error {
		p, err := o.target("iam:AddRoleToInstanceProfile", keyward.KindInstanceProfile, in.InstanceProfileName, nil)
		if err != nil {
			return err
		}
		r, err := o.target("iam:PassRole", keyward.KindRole, in.RoleName, nil)
		if err != nil {
			return err
		}
		for _, have := range p.profile.Roles {
			if have.ID == r.role.ID {
				return keyward.Errorf(keyward.ErrEntityAlreadyExists, "Role %s is already in instance profile %s.", have.Name, p.name)
			}
		}
		if len(p.profile.Roles) >= maxRolesPerProfile {
			return keyward.Errorf(keyward.ErrLimitExceeded, "Cannot exceed quota for InstanceSessionsPerInstanceProfile: %d", maxRolesPerProfile)
		}
		return said(o.AddRoleToInstanceProfile(c.AccountID, p.name, r.name), kindProfileRole, r.name, p.name)
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
	err := s.update(ctx, c, false, func(o *op) error {
		p, err := o.target("iam:RemoveRoleFromInstanceProfile", keyward.KindInstanceProfile, in.InstanceProfileName, nil)
		if err != nil {
			return err
		}
		if _, err := o.GetRole(c.AccountID, in.RoleName); err != nil {
			return said(err, keyward.KindRole, in.RoleName)
		}
		return said(o.RemoveRoleFromInstanceProfile(c.AccountID, p.name, in.RoleName), kindProfileRole, in.RoleName, p.name)
	})
	if err != nil {
		return nil, err
	}
	return &struct{}{}, nil
}
