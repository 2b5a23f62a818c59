package iam

import (
	"context"

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
	path := deref(in.Path, "/")
	g := keyward.Group{
		AccountID:  c.AccountID,
		ID:         s.ids().ID(PrefixGroup),
		Name:       in.GroupName,
		Path:       path,
		ARN:        GroupARN(c.AccountID, path, in.GroupName),
		CreateDate: s.now(),
	}
	err := s.update(ctx, c, false, func(o *op) error {
		if err := o.authorize("iam:CreateGroup", g.ARN, nil); err != nil {
			return err
		}
		return said(o.CreateGroup(g), keyward.KindGroup, g.Name)
	})
	if err != nil {
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
	var out GetGroupOutput
	err := s.view(ctx, c, func(o *op) error {
		g, err := o.target("iam:GetGroup", keyward.KindGroup, in.GroupName, nil)
		if err != nil {
			return err
		}
		users, next, err := o.ListGroupMembers(c.AccountID, g.name, listOptions(nil, in.Marker, in.MaxItems))
		if err != nil {
			return said(err, kindList)
		}
		out.Group = groupOut(g.group)
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
	err := s.update(ctx, c, true, func(o *op) error {
		g, err := o.target("iam:UpdateGroup", keyward.KindGroup, in.GroupName, nil)
		if err != nil {
			return err
		}
		moved := g.group
		if in.NewPath != nil {
			moved.Path = *in.NewPath
		}
		if in.NewGroupName != nil {
			moved.Name = *in.NewGroupName
		}
		moved.ARN = GroupARN(c.AccountID, moved.Path, moved.Name)
		if moved.ARN != g.arn {
			if err := o.authorize("iam:UpdateGroup", moved.ARN, nil); err != nil {
				return err
			}
		}
		return said(o.UpdateGroup(moved), keyward.KindGroup, moved.Name)
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
	err := s.update(ctx, c, true, func(o *op) error {
		g, err := o.target("iam:DeleteGroup", keyward.KindGroup, in.GroupName, nil)
		if err != nil {
			return err
		}
		members, _, err := o.ListGroupMembers(c.AccountID, g.name, keyward.ListOptions{MaxItems: 1})
		if err != nil {
			return err
		}
		if len(members) > 0 {
			return keyward.Errorf(keyward.ErrDeleteConflict, msgRemoveFromGroups)
		}
		if err := checkNoPolicies(o.Tx, keyward.GroupRef(c.AccountID, g.name)); err != nil {
			return err
		}
		return o.DeleteGroup(c.AccountID, g.name)
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
	err := s.update(ctx, c, true, func(o *op) error {
		g, err := o.target("iam:AddUserToGroup", keyward.KindGroup, in.GroupName, nil)
		if err != nil {
			return err
		}
		groups, err := o.ListGroupsForUser(c.AccountID, in.UserName)
		if err != nil {
			return said(err, keyward.KindUser, in.UserName)
		}
		for _, have := range groups {
			if have.ID == g.group.ID {
				return nil
			}
		}
		if len(groups) >= maxGroupsPerUser {
			return keyward.Errorf(keyward.ErrLimitExceeded, "Cannot exceed quota for GroupsPerUser: %d", maxGroupsPerUser)
		}
		return o.AddUserToGroup(c.AccountID, g.name, in.UserName)
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
	err := s.update(ctx, c, true, func(o *op) error {
		g, err := o.target("iam:RemoveUserFromGroup", keyward.KindGroup, in.GroupName, nil)
		if err != nil {
			return err
		}
		if _, err := o.GetUser(c.AccountID, in.UserName); err != nil {
			return said(err, keyward.KindUser, in.UserName)
		}
		return said(o.RemoveUserFromGroup(c.AccountID, g.name, in.UserName), kindMember, in.UserName, g.name)
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
	var all []keyward.Group
	err := s.view(ctx, c, func(o *op) error {
		u, err := o.target("iam:ListGroupsForUser", keyward.KindUser, in.UserName, nil)
		if err != nil {
			return err
		}
		all, err = o.ListGroupsForUser(c.AccountID, u.name)
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
