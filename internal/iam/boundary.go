package iam

import (
	"context"

	"github.com/keyward/keyward"
)

// putBoundary is PutUserPermissionsBoundary and PutRolePermissionsBoundary.
// The condition key iam:PermissionsBoundary carries the new boundary, so
// that a policy can allow setting only a given one.
func (s *Service) putBoundary(ctx context.Context, c *keyward.Caller, k principalKind, owner, boundary string) error {
	return s.update(ctx, c, true, func(o *op) error {
		p, extra, err := o.boundaryKey(boundary, nil)
		if err != nil {
			return err
		}
		e, err := o.owner("iam:Put"+k.noun+"PermissionsBoundary", k, owner, false, extra)
		if err != nil {
			return err
		}
		if err := attachable(p); err != nil {
			return err
		}
		return setBoundary(o.Tx, e, p.arn)
	})
}

// setBoundary writes a user's or role's boundary ("" removes it).
// Service-linked roles are UnmodifiableEntity.
func setBoundary(tx keyward.Tx, e *entity, boundary string) error {
	if e.kind == keyward.KindUser {
		u := e.user
		if u.PermissionsBoundaryARN == boundary {
			return nil
		}
		u.PermissionsBoundaryARN = boundary
		return tx.UpdateUser(u)
	}
	r := e.role
	if isServiceLinked(r) {
		return errProtectedRole(r.Name)
	}
	if r.PermissionsBoundaryARN == boundary {
		return nil
	}
	r.PermissionsBoundaryARN = boundary
	return tx.UpdateRole(r)
}

// deleteBoundary is DeleteUserPermissionsBoundary and
// DeleteRolePermissionsBoundary. iam:PermissionsBoundary carries the
// boundary being removed. Removing a boundary that is not there succeeds.
func (s *Service) deleteBoundary(ctx context.Context, c *keyward.Caller, k principalKind, owner string) error {
	return s.update(ctx, c, true, func(o *op) error {
		e, err := o.find(k.kind, owner)
		if err != nil {
			return err
		}
		if err := o.authorize("iam:Delete"+k.noun+"PermissionsBoundary", e.arn, e.keys(e.withBoundary(nil))); err != nil {
			return err
		}
		if !e.found {
			return e.missing()
		}
		return setBoundary(o.Tx, e, "")
	})
}

// PutUserPermissionsBoundaryInput is PutUserPermissionsBoundary's request.
type PutUserPermissionsBoundaryInput struct {
	UserName            string `query:"UserName,required"`
	PermissionsBoundary string `query:"PermissionsBoundary,required"`
}

// PutUserPermissionsBoundary sets or replaces a user's permissions
// boundary: a managed policy of the account or of AWS.
func (s *Service) PutUserPermissionsBoundary(ctx context.Context, c *keyward.Caller, in *PutUserPermissionsBoundaryInput) (*struct{}, error) {
	if err := s.putBoundary(ctx, c, userKind, in.UserName, in.PermissionsBoundary); err != nil {
		return nil, err
	}
	return &struct{}{}, nil
}

// DeleteUserPermissionsBoundaryInput is DeleteUserPermissionsBoundary's
// request.
type DeleteUserPermissionsBoundaryInput struct {
	UserName string `query:"UserName,required"`
}

// DeleteUserPermissionsBoundary removes a user's permissions boundary.
func (s *Service) DeleteUserPermissionsBoundary(ctx context.Context, c *keyward.Caller, in *DeleteUserPermissionsBoundaryInput) (*struct{}, error) {
	if err := s.deleteBoundary(ctx, c, userKind, in.UserName); err != nil {
		return nil, err
	}
	return &struct{}{}, nil
}

// PutRolePermissionsBoundaryInput is PutRolePermissionsBoundary's request.
type PutRolePermissionsBoundaryInput struct {
	RoleName            string `query:"RoleName,required"`
	PermissionsBoundary string `query:"PermissionsBoundary,required"`
}

// PutRolePermissionsBoundary sets or replaces a role's permissions
// boundary. Service-linked roles are UnmodifiableEntity.
func (s *Service) PutRolePermissionsBoundary(ctx context.Context, c *keyward.Caller, in *PutRolePermissionsBoundaryInput) (*struct{}, error) {
	if err := s.putBoundary(ctx, c, roleKind, in.RoleName, in.PermissionsBoundary); err != nil {
		return nil, err
	}
	return &struct{}{}, nil
}

// DeleteRolePermissionsBoundaryInput is DeleteRolePermissionsBoundary's
// request.
type DeleteRolePermissionsBoundaryInput struct {
	RoleName string `query:"RoleName,required"`
}

// DeleteRolePermissionsBoundary removes a role's permissions boundary.
func (s *Service) DeleteRolePermissionsBoundary(ctx context.Context, c *keyward.Caller, in *DeleteRolePermissionsBoundaryInput) (*struct{}, error) {
	if err := s.deleteBoundary(ctx, c, roleKind, in.RoleName); err != nil {
		return nil, err
	}
	return &struct{}{}, nil
}
