package iam

import (
	"context"
	"strings"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/catalog"
)

// serviceLinkedRoleName derives a role name for a service principal the
// catalog does not list (catalog.ServiceLinkedRoleFor has AWS's own names):
// AWSServiceRoleFor followed by the principal's labels before
// .amazonaws.com, each split at '.' and '-' and capitalized
// (foo-bar.amazonaws.com gives AWSServiceRoleForFooBar). ok is false when
// the principal is not a service principal.
func serviceLinkedRoleName(service string) (name string, ok bool) {
	prefix, found := strings.CutSuffix(strings.ToLower(service), ".amazonaws.com")
	if !found || prefix == "" {
		return "", false
	}
	var b strings.Builder
	b.WriteString("AWSServiceRoleFor")
	for _, part := range strings.FieldsFunc(prefix, func(r rune) bool { return r == '.' || r == '-' }) {
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String(), true
}

// serviceTrustPolicy lets the service principal assume the role.
func serviceTrustPolicy(service string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"` + service + `"},"Action":"sts:AssumeRole"}]}`
}

// CreateServiceLinkedRoleInput is CreateServiceLinkedRole's request.
type CreateServiceLinkedRoleInput struct {
	AWSServiceName string  `query:"AWSServiceName,required"`
	Description    *string `query:"Description"`
	CustomSuffix   *string `query:"CustomSuffix"`
}

// CreateServiceLinkedRoleOutput is CreateServiceLinkedRole's result.
type CreateServiceLinkedRoleOutput struct {
	Role Role `xml:"Role"`
}

// CreateServiceLinkedRole creates the role a service uses on the account's
// behalf, under /aws-service-role/SERVICE/, trusting the service, and
// protected from changes by anything but the service-linked role actions
// (and a new description). For the services of the catalog's table it is
// made as AWS makes it: AWS's name for the role, AWS's description when the
// request has none, the service's AWS-managed policies attached, and a
// CustomSuffix only where the service takes one. Another service principal
// gets a name derived from it (serviceLinkedRoleName), takes a suffix, and
// has no policy attached.
func (s *Service) CreateServiceLinkedRole(ctx context.Context, c *keyward.Caller, in *CreateServiceLinkedRoleInput) (*CreateServiceLinkedRoleOutput, error) {
	service := strings.ToLower(in.AWSServiceName)
	known, listed := catalog.ServiceLinkedRoleFor(service)
	var name, description string
	var policies []string
	if listed {
		name, description, policies = known.Role, known.Description, known.PolicyARNs()
	} else {
		var ok bool
		if name, ok = serviceLinkedRoleName(service); !ok {
			return nil, keyward.Errorf(keyward.ErrInvalidInput, "Invalid service name: %s. A service-linked role is for a service principal such as elasticbeanstalk.amazonaws.com.", in.AWSServiceName)
		}
	}
	if in.Description != nil {
		description = *in.Description
	}
	suffix := in.CustomSuffix != nil
	if suffix {
		name += "_" + *in.CustomSuffix
	}
	path := serviceRolePath + service + "/"
	arn := RoleARN(c.AccountID, path, name)
	r := keyward.Role{
		AccountID:                c.AccountID,
		ID:                       s.ids().ID(PrefixRole),
		Name:                     name,
		Path:                     path,
		ARN:                      arn,
		AssumeRolePolicyDocument: serviceTrustPolicy(service),
		Description:              description,
		MaxSessionDuration:       defaultMaxSessionDuration,
		CreateDate:               s.now(),
	}
	err := s.update(ctx, c, false, func(o *op) error {
		if err := o.authorize("iam:CreateServiceLinkedRole", arn, map[string][]string{"iam:AWSServiceName": {service}}); err != nil {
			return err
		}
		if suffix && listed && !known.CustomSuffix {
			return keyward.Errorf(keyward.ErrInvalidInput, "Custom suffix is not allowed for %s", service)
		}
		if len(name) > 64 {
			return keyward.Errorf(keyward.ErrInvalidInput, "The role name %s is longer than 64 characters; use a shorter suffix.", name)
		}
		err := o.CreateRole(r)
		if keyward.ErrorCode(err) == keyward.ErrEntityAlreadyExists {
			return keyward.Errorf(keyward.ErrInvalidInput, "Service role name %s has been taken in this account, please try a different suffix.", name)
		}
		if err != nil {
			return err
		}
		if !listed {
			return nil
		}
		return attachServiceLinkedPolicies(o.Tx, r, policies) // managed.go
	})
	if err != nil {
		return nil, err
	}
	out := &CreateServiceLinkedRoleOutput{Role: roleOut(r, nil, false)}
	out.Role.MaxSessionDuration = 0 // as CreateRole's
	return out, nil
}

// DeleteServiceLinkedRoleInput is DeleteServiceLinkedRole's request.
type DeleteServiceLinkedRoleInput struct {
	RoleName string `query:"RoleName,required"`
}

// DeleteServiceLinkedRoleOutput is DeleteServiceLinkedRole's result.
type DeleteServiceLinkedRoleOutput struct {
	DeletionTaskID string `xml:"DeletionTaskId"`
}

// DeleteServiceLinkedRole deletes a service-linked role at once (with the
// policies the service put on it) and records a deletion task that
// GetServiceLinkedRoleDeletionStatus reports SUCCEEDED. A role still in an
// instance profile is kept and its task reports FAILED with the reason.
func (s *Service) DeleteServiceLinkedRole(ctx context.Context, c *keyward.Caller, in *DeleteServiceLinkedRoleInput) (*DeleteServiceLinkedRoleOutput, error) {
	var task keyward.ServiceLinkedRoleDeletion
	err := s.update(ctx, c, true, func(o *op) error {
		e, err := o.target("iam:DeleteServiceLinkedRole", keyward.KindRole, in.RoleName, nil)
		if err != nil {
			return err
		}
		tx, r := o.Tx, e.role
		if !isServiceLinked(r) {
			return keyward.Errorf(keyward.ErrInvalidInput, "Role %s is not a service-linked role.", r.Name)
		}
		task = keyward.ServiceLinkedRoleDeletion{
			TaskID:     "task" + r.Path + r.Name + "/" + keyward.NewUUID(),
			AccountID:  c.AccountID,
			RoleName:   r.Name,
			Status:     keyward.DeletionSucceeded,
			CreateDate: s.now(),
		}
		profiles, _, err := tx.ListInstanceProfilesForRole(c.AccountID, r.Name, keyward.ListOptions{MaxItems: 1})
		if err != nil {
			return err
		}
		if len(profiles) > 0 {
			task.Status = keyward.DeletionFailed
			task.Reason = "The role is in use by instance profile " + profiles[0].Name + "."
			return tx.CreateServiceLinkedRoleDeletion(task)
		}
		ref := keyward.RoleRef(c.AccountID, r.Name)
		attached, err := tx.ListAttachedPolicies(ref)
		if err != nil {
			return err
		}
		for _, p := range attached {
			if err := tx.DetachPolicy(ref, p.ARN); err != nil {
				return err
			}
		}
		inline, err := tx.ListInlinePolicies(ref)
		if err != nil {
			return err
		}
		for _, p := range inline {
			if err := tx.DeleteInlinePolicy(ref, p.PolicyName); err != nil {
				return err
			}
		}
		if err := tx.DeleteRole(c.AccountID, r.Name); err != nil {
			return err
		}
		return tx.CreateServiceLinkedRoleDeletion(task)
	})
	if err != nil {
		return nil, err
	}
	return &DeleteServiceLinkedRoleOutput{DeletionTaskID: task.TaskID}, nil
}

// GetServiceLinkedRoleDeletionStatusInput is its action's request.
type GetServiceLinkedRoleDeletionStatusInput struct {
	DeletionTaskID string `query:"DeletionTaskId,required"`
}

// DeletionReason is AWS's DeletionTaskFailureReasonType.
type DeletionReason struct {
	Reason string `xml:"Reason,omitempty"`
}

// GetServiceLinkedRoleDeletionStatusOutput is its action's result.
type GetServiceLinkedRoleDeletionStatusOutput struct {
	Status string          `xml:"Status"`
	Reason *DeletionReason `xml:"Reason,omitempty"`
}

// GetServiceLinkedRoleDeletionStatus reports a deletion task. It is
// authorized on the role the task deletes (or deleted).
func (s *Service) GetServiceLinkedRoleDeletionStatus(ctx context.Context, c *keyward.Caller, in *GetServiceLinkedRoleDeletionStatusInput) (*GetServiceLinkedRoleDeletionStatusOutput, error) {
	// task/aws-service-role/SERVICE/ROLE/UUID
	rest, ok := strings.CutPrefix(in.DeletionTaskID, "task"+serviceRolePath)
	parts := strings.Split(rest, "/")
	if !ok || len(parts) != 3 || parts[0] == "" || parts[1] == "" || parts[2] == "" {
		return nil, keyward.Errorf(keyward.ErrInvalidInput, "Invalid deletion task id: %s", in.DeletionTaskID)
	}
	arn := RoleARN(c.AccountID, serviceRolePath+parts[0]+"/", parts[1])
	var d keyward.ServiceLinkedRoleDeletion
	err := s.view(ctx, c, func(o *op) error {
		if err := o.authorize("iam:GetServiceLinkedRoleDeletionStatus", arn, nil); err != nil {
			return err
		}
		var err error
		d, err = o.GetServiceLinkedRoleDeletion(in.DeletionTaskID)
		if err == nil && d.AccountID != c.AccountID {
			return notFound(kindDeletionTask, in.DeletionTaskID)
		}
		return said(err, kindDeletionTask, in.DeletionTaskID)
	})
	if err != nil {
		return nil, err
	}
	out := &GetServiceLinkedRoleDeletionStatusOutput{Status: string(d.Status)}
	if d.Reason != "" {
		out.Reason = &DeletionReason{Reason: d.Reason}
	}
	return out, nil
}
