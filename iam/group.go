package iam

import (
	"context"
	"strings"

	"github.com/keyward/keyward"
)

// CreateGroupInput is CreateGroup's request.
type CreateGroupInput struct {
	Path      *string `query:"Path"`
	GroupName string  `query:"GroupName,required"`
}

// CreateGroupOutput is CreateGroup's result.
type CreateGroupOutput struct {
	Group Group `xml:"Group"`
}

// CreateGroup creates a group.
func (s *Service) CreateGroup(ctx context.Context, c *keyward.Caller, in *CreateGroupInput) (*CreateGroupOutput, error) {
	var v validator
	v.path("path", in.Path)
	v.name("groupName", in.GroupName, 128)
	if err := v.err(); err != nil {
		return nil, err
	}
	path := deref(in.Path, "/")
	arn := GroupARN(c.AccountID, path, in.GroupName)
	if err := s.authorize(ctx, c, "iam:CreateGroup", arn, nil); err != nil {
		return nil, err
	}
	g := keyward.Group{
		AccountID:  c.AccountID,
		ID:         s.ids().ID(PrefixGroup),
		Name:       in.GroupName,
		Path:       path,
		ARN:        arn,
		CreateDate: s.now(),
	}
	if err := s.update(ctx, false, func(tx keyward.Tx) error { return tx.CreateGroup(g) }); err != nil {
		return nil, err
	}
	return &CreateGroupOutput{Group: groupOut(g)}, nil
}

// GetGroupInput is GetGroup's request.
type GetGroupInput struct {
	GroupName string  `query:"GroupName,required"`
	Marker    *string `query:"Marker"`
	MaxItems  *int32  `query:"MaxItems"`
}

// GetGroupOutput is GetGroup's result: the group and a page of its users.
type GetGroupOutput struct {
	Group       Group         `xml:"Group"`
	Users       Members[User] `xml:"Users"`
	IsTruncated bool          `xml:"IsTruncated"`
	Marker      string        `xml:"Marker,omitempty"`
}

// GetGroup describes a group and lists its users.
func (s *Service) GetGroup(ctx context.Context, c *keyward.Caller, in *GetGroupInput) (*GetGroupOutput, error) {
	var v validator
	v.name("groupName", in.GroupName, 128)
	v.page(nil, in.Marker, in.MaxItems)
	if err := v.err(); err != nil {
		return nil, err
	}
	arn, rt := s.resolve(ctx, c, keyward.KindGroup, in.GroupName)
	if err := s.authorize(ctx, c, "iam:GetGroup", arn, rt); err != nil {
		return nil, err
	}
	var out GetGroupOutput
	err := s.Store.View(ctx, func(tx keyward.Tx) error {
		g, err := tx.GetGroup(c.AccountID, in.GroupName)
		if err != nil {
			return err
		}
		users, next, err := tx.ListGroupMembers(c.AccountID, in.GroupName, listOptions(nil, in.Marker, in.MaxItems))
		if err != nil {
			return err
		}
		out.Group = groupOut(g)
		out.Users = usersOut(users)
		out.IsTruncated, out.Marker = next != "", next
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// UpdateGroupInput is UpdateGroup's request.
type UpdateGroupInput struct {
	GroupName    string  `query:"GroupName,required"`
	NewPath      *string `query:"NewPath"`
	NewGroupName *string `query:"NewGroupName"`
}

// UpdateGroup renames a group or changes its path; the caller needs
// iam:UpdateGroup on both the current and the new ARN, as on AWS.
func (s *Service) UpdateGroup(ctx context.Context, c *keyward.Caller, in *UpdateGroupInput) (*struct{}, error) {
	var v validator
	v.name("groupName", in.GroupName, 128)
	v.path("newPath", in.NewPath)
	v.opt("newGroupName", in.NewGroupName, 1, 128, namePattern)
	if err := v.err(); err != nil {
		return nil, err
	}
	old, rt := s.resolve(ctx, c, keyward.KindGroup, in.GroupName)
	if err := s.authorize(ctx, c, "iam:UpdateGroup", old, rt); err != nil {
		return nil, err
	}
	if in.NewPath != nil || in.NewGroupName != nil {
		path, name := arnPathName(old, "group")
		target := GroupARN(c.AccountID, deref(in.NewPath, path), deref(in.NewGroupName, name))
		if target != old {
			if err := s.authorize(ctx, c, "iam:UpdateGroup", target, nil); err != nil {
				return nil, err
			}
		}
	}
	err := s.update(ctx, true, func(tx keyward.Tx) error {
		g, err := tx.GetGroup(c.AccountID, in.GroupName)
		if err != nil {
			return err
		}
		if in.NewPath != nil {
			g.Path = *in.NewPath
		}
		if in.NewGroupName != nil {
			g.Name = *in.NewGroupName
		}
		g.ARN = GroupARN(c.AccountID, g.Path, g.Name)
		return tx.UpdateGroup(g)
	})
	if err != nil {
		return nil, err
	}
	return &struct{}{}, nil
}

// DeleteGroupInput is DeleteGroup's request.
type DeleteGroupInput struct {
	GroupName string `query:"GroupName,required"`
}

// DeleteGroup deletes a group without members or policies.
func (s *Service) DeleteGroup(ctx context.Context, c *keyward.Caller, in *DeleteGroupInput) (*struct{}, error) {
	var v validator
	v.name("groupName", in.GroupName, 128)
	if err := v.err(); err != nil {
		return nil, err
	}
	arn, rt := s.resolve(ctx, c, keyward.KindGroup, in.GroupName)
	if err := s.authorize(ctx, c, "iam:DeleteGroup", arn, rt); err != nil {
		return nil, err
	}
	err := s.update(ctx, true, func(tx keyward.Tx) error {
		members, _, err := tx.ListGroupMembers(c.AccountID, in.GroupName, keyward.ListOptions{MaxItems: 1})
		if err != nil {
			return err
		}
		if len(members) > 0 {
			return keyward.Errorf(keyward.ErrDeleteConflict, msgRemoveFromGroups)
		}
		if err := checkNoPolicies(tx, keyward.GroupRef(c.AccountID, in.GroupName)); err != nil {
			return err
		}
		return tx.DeleteGroup(c.AccountID, in.GroupName)
	})
	if err != nil {
		return nil, err
	}
	return &struct{}{}, nil
}

// ListGroupsInput is ListGroups' request.
type ListGroupsInput struct {
	PathPrefix *string `query:"PathPrefix"`
	Marker     *string `query:"Marker"`
	MaxItems   *int32  `query:"MaxItems"`
}

// ListGroupsOutput is ListGroups' and ListGroupsForUser's result.
type ListGroupsOutput struct {
	Groups      Members[Group] `xml:"Groups"`
	IsTruncated bool           `xml:"IsTruncated"`
	Marker      string         `xml:"Marker,omitempty"`
}

// ListGroups lists the account's groups.
func (s *Service) ListGroups(ctx context.Context, c *keyward.Caller, in *ListGroupsInput) (*ListGroupsOutput, error) {
	items, truncated, marker, err := listByPath(ctx, s, c, "iam:ListGroups", "group", pageInput{in.PathPrefix, in.Marker, in.MaxItems},
		keyward.Tx.ListGroups, groupsOut)
	if err != nil {
		return nil, err
	}
	return &ListGroupsOutput{Groups: items, IsTruncated: truncated, Marker: marker}, nil
}

func groupsOut(groups []keyward.Group) Members[Group] {
	out := make(Members[Group], len(groups))
	for i, g := range groups {
		out[i] = groupOut(g)
	}
	return out
}

// AddUserToGroupInput is AddUserToGroup's request.
type AddUserToGroupInput struct {
	GroupName string `query:"GroupName,required"`
	UserName  string `query:"UserName,required"`
}

// AddUserToGroup adds a user to a group (again: nothing happens). A user
// belongs to at most 10 groups.
func (s *Service) AddUserToGroup(ctx context.Context, c *keyward.Caller, in *AddUserToGroupInput) (*struct{}, error) {
	var v validator
	v.name("groupName", in.GroupName, 128)
	v.name("userName", in.UserName, 128)
	if err := v.err(); err != nil {
		return nil, err
	}
	arn, rt := s.resolve(ctx, c, keyward.KindGroup, in.GroupName)
	if err := s.authorize(ctx, c, "iam:AddUserToGroup", arn, rt); err != nil {
		return nil, err
	}
	err := s.update(ctx, true, func(tx keyward.Tx) error {
		if _, err := tx.GetGroup(c.AccountID, in.GroupName); err != nil {
			return err
		}
		groups, err := tx.ListGroupsForUser(c.AccountID, in.UserName)
		if err != nil {
			return err
		}
		for _, g := range groups {
			if strings.EqualFold(g.Name, in.GroupName) {
				return nil
			}
		}
		if len(groups) >= maxGroupsPerUser {
			return keyward.Errorf(keyward.ErrLimitExceeded, "Cannot exceed quota for GroupsPerUser: %d", maxGroupsPerUser)
		}
		return tx.AddUserToGroup(c.AccountID, in.GroupName, in.UserName)
	})
	if err != nil {
		return nil, err
	}
	return &struct{}{}, nil
}

// RemoveUserFromGroupInput is RemoveUserFromGroup's request.
type RemoveUserFromGroupInput struct {
	GroupName string `query:"GroupName,required"`
	UserName  string `query:"UserName,required"`
}

// RemoveUserFromGroup ends a membership.
func (s *Service) RemoveUserFromGroup(ctx context.Context, c *keyward.Caller, in *RemoveUserFromGroupInput) (*struct{}, error) {
	var v validator
	v.name("groupName", in.GroupName, 128)
	v.name("userName", in.UserName, 128)
	if err := v.err(); err != nil {
		return nil, err
	}
	arn, rt := s.resolve(ctx, c, keyward.KindGroup, in.GroupName)
	if err := s.authorize(ctx, c, "iam:RemoveUserFromGroup", arn, rt); err != nil {
		return nil, err
	}
	err := s.update(ctx, true, func(tx keyward.Tx) error {
		return tx.RemoveUserFromGroup(c.AccountID, in.GroupName, in.UserName)
	})
	if err != nil {
		return nil, err
	}
	return &struct{}{}, nil
}

// ListGroupsForUserInput is ListGroupsForUser's request.
type ListGroupsForUserInput struct {
	UserName string  `query:"UserName,required"`
	Marker   *string `query:"Marker"`
	MaxItems *int32  `query:"MaxItems"`
}

// ListGroupsForUser lists the groups a user belongs to.
func (s *Service) ListGroupsForUser(ctx context.Context, c *keyward.Caller, in *ListGroupsForUserInput) (*ListGroupsOutput, error) {
	var v validator
	v.name("userName", in.UserName, 128)
	v.page(nil, in.Marker, in.MaxItems)
	if err := v.err(); err != nil {
		return nil, err
	}
	arn, rt := s.resolve(ctx, c, keyward.KindUser, in.UserName)
	if err := s.authorize(ctx, c, "iam:ListGroupsForUser", arn, rt); err != nil {
		return nil, err
	}
	var all []keyward.Group
	err := s.Store.View(ctx, func(tx keyward.Tx) error {
		var err error
		all, err = tx.ListGroupsForUser(c.AccountID, in.UserName)
		return err
	})
	if err != nil {
		return nil, err
	}
	page, next, err := pageOf(all, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &ListGroupsOutput{Groups: groupsOut(page), IsTruncated: next != "", Marker: next}, nil
}
