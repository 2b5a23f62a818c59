package iam

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/policy"
)

func TestServiceLinkedRoleName(t *testing.T) {
	tests := []struct {
		service, want string
		ok            bool
	}{
		// The catalog's services have AWS's names (TestCreateServiceLinkedRole_AsAWS);
		// this derives the others'.
		{"elasticbeanstalk.amazonaws.com", "AWSServiceRoleForElasticbeanstalk", true},
		{"foo-bar.amazonaws.com", "AWSServiceRoleForFooBar", true},
		{"a.b.amazonaws.com", "AWSServiceRoleForAB", true},
		{"example.com", "", false},
		{".amazonaws.com", "", false},
	}
	for _, tt := range tests {
		got, ok := serviceLinkedRoleName(tt.service)
		if got != tt.want || ok != tt.ok {
			t.Errorf("serviceLinkedRoleName(%q) = %q, %v, want %q, %v", tt.service, got, ok, tt.want, tt.ok)
		}
	}
}

func TestService_ServiceLinkedRole(t *testing.T) {
	s, root := newService(t)
	ctx := context.Background()
	out, err := s.CreateServiceLinkedRole(ctx, root, &CreateServiceLinkedRoleInput{AWSServiceName: "elasticbeanstalk.amazonaws.com"})
	if err != nil {
		t.Fatal(err)
	}
	r := out.Role
	if r.RoleName != "AWSServiceRoleForElasticBeanstalk" || r.Path != "/aws-service-role/elasticbeanstalk.amazonaws.com/" ||
		r.ARN != "arn:aws:iam::111122223333:role/aws-service-role/elasticbeanstalk.amazonaws.com/AWSServiceRoleForElasticBeanstalk" {
		t.Fatalf("CreateServiceLinkedRole = %+v", r)
	}
	doc, _ := url.QueryUnescape(r.AssumeRolePolicyDocument)
	if !strings.Contains(doc, `"Service":"elasticbeanstalk.amazonaws.com"`) || !strings.Contains(doc, "sts:AssumeRole") {
		t.Fatalf("service-linked trust policy = %s", doc)
	}
	if err := checkPolicyDocument(doc, policy.Trust); err != nil {
		t.Fatalf("service-linked trust policy does not parse: %v", err)
	}

	_, err = s.CreateServiceLinkedRole(ctx, root, &CreateServiceLinkedRoleInput{AWSServiceName: "elasticbeanstalk.amazonaws.com"})
	wantError(t, "CreateServiceLinkedRole again", err, keyward.ErrInvalidInput,
		"Service role name AWSServiceRoleForElasticBeanstalk has been taken in this account, please try a different suffix.")
	_, err = s.CreateServiceLinkedRole(ctx, root, &CreateServiceLinkedRoleInput{AWSServiceName: "elasticbeanstalk.amazonaws.com", CustomSuffix: ptr("two")})
	wantError(t, "CreateServiceLinkedRole(elasticbeanstalk, suffix)", err, keyward.ErrInvalidInput, "Custom suffix is not allowed for elasticbeanstalk.amazonaws.com")
	suffixed, err := s.CreateServiceLinkedRole(ctx, root, &CreateServiceLinkedRoleInput{AWSServiceName: "autoscaling.amazonaws.com", CustomSuffix: ptr("two")})
	if err != nil {
		t.Fatal(err)
	}
	if suffixed.Role.RoleName != "AWSServiceRoleForAutoScaling_two" {
		t.Fatalf("with suffix: %q", suffixed.Role.RoleName)
	}
	_, err = s.CreateServiceLinkedRole(ctx, root, &CreateServiceLinkedRoleInput{AWSServiceName: "example.com"})
	wantCode(t, "CreateServiceLinkedRole(example.com)", err, keyward.ErrInvalidInput)

	// Protected from everything but the service-linked role actions.
	name := r.RoleName
	protected := "Cannot perform the operation on the protected role '" + name + "' - this role is only modifiable by AWS"
	_, err = s.DeleteRole(ctx, root, &DeleteRoleInput{RoleName: name})
	wantError(t, "DeleteRole(service-linked)", err, keyward.ErrUnmodifiableEntity, protected)
	_, err = s.UpdateRole(ctx, root, &UpdateRoleInput{RoleName: name, MaxSessionDuration: ptr(int32(7200))})
	wantError(t, "UpdateRole(service-linked, MaxSessionDuration)", err, keyward.ErrUnmodifiableEntity, protected)
	_, err = s.UpdateRole(ctx, root, &UpdateRoleInput{RoleName: name, Description: ptr("d"), MaxSessionDuration: ptr(int32(7200))})
	wantError(t, "UpdateRole(service-linked, Description and MaxSessionDuration)", err, keyward.ErrUnmodifiableEntity, protected)
	// Its description alone may change ("Update a service-linked role").
	if _, err := s.UpdateRole(ctx, root, &UpdateRoleInput{RoleName: name, Description: ptr("by UpdateRole")}); err != nil {
		t.Fatalf("UpdateRole(service-linked, Description) = %v, want nil", err)
	}
	if got, err := s.GetRole(ctx, root, &GetRoleInput{RoleName: name}); err != nil || got.Role.Description != "by UpdateRole" {
		t.Fatalf("GetRole after UpdateRole(Description) = %+v, %v; want the new description", got, err)
	}
	_, err = s.UpdateAssumeRolePolicy(ctx, root, &UpdateAssumeRolePolicyInput{RoleName: name, PolicyDocument: ec2Trust})
	wantError(t, "UpdateAssumeRolePolicy(service-linked)", err, keyward.ErrUnmodifiableEntity, protected)
	if _, err := s.UpdateRoleDescription(ctx, root, &UpdateRoleDescriptionInput{RoleName: name, Description: "mine"}); err != nil {
		t.Fatalf("UpdateRoleDescription(service-linked): %v", err)
	}

	// DeleteServiceLinkedRole refuses ordinary roles.
	if _, err := s.CreateRole(ctx, root, &CreateRoleInput{RoleName: "plain", AssumeRolePolicyDocument: ec2Trust}); err != nil {
		t.Fatal(err)
	}
	_, err = s.DeleteServiceLinkedRole(ctx, root, &DeleteServiceLinkedRoleInput{RoleName: "plain"})
	wantCode(t, "DeleteServiceLinkedRole(plain)", err, keyward.ErrInvalidInput)

	del, err := s.DeleteServiceLinkedRole(ctx, root, &DeleteServiceLinkedRoleInput{RoleName: name})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(del.DeletionTaskID, "task/aws-service-role/elasticbeanstalk.amazonaws.com/AWSServiceRoleForElasticBeanstalk/") {
		t.Fatalf("DeletionTaskId = %q", del.DeletionTaskID)
	}
	_, err = s.GetRole(ctx, root, &GetRoleInput{RoleName: name})
	wantCode(t, "GetRole after DeleteServiceLinkedRole", err, keyward.ErrNoSuchEntity)
	st, err := s.GetServiceLinkedRoleDeletionStatus(ctx, root, &GetServiceLinkedRoleDeletionStatusInput{DeletionTaskID: del.DeletionTaskID})
	if err != nil {
		t.Fatal(err)
	}
	if x := marshal(t, "GetServiceLinkedRoleDeletionStatus", st); x != "<GetServiceLinkedRoleDeletionStatusResult><Status>SUCCEEDED</Status></GetServiceLinkedRoleDeletionStatusResult>" {
		t.Fatalf("GetServiceLinkedRoleDeletionStatus = %s", x)
	}
	_, err = s.GetServiceLinkedRoleDeletionStatus(ctx, rootOf(otherAccount), &GetServiceLinkedRoleDeletionStatusInput{DeletionTaskID: del.DeletionTaskID})
	wantCode(t, "GetServiceLinkedRoleDeletionStatus from another account", err, keyward.ErrNoSuchEntity)
	_, err = s.GetServiceLinkedRoleDeletionStatus(ctx, root, &GetServiceLinkedRoleDeletionStatusInput{DeletionTaskID: "bogus"})
	wantCode(t, "GetServiceLinkedRoleDeletionStatus(bogus)", err, keyward.ErrInvalidInput)
}

func TestService_DeleteServiceLinkedRole_InProfile(t *testing.T) {
	s, root := newService(t)
	ctx := context.Background()
	out, err := s.CreateServiceLinkedRole(ctx, root, &CreateServiceLinkedRoleInput{AWSServiceName: "ecs.amazonaws.com"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateInstanceProfile(ctx, root, &CreateInstanceProfileInput{InstanceProfileName: "p"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddRoleToInstanceProfile(ctx, root, &AddRoleToInstanceProfileInput{InstanceProfileName: "p", RoleName: out.Role.RoleName}); err != nil {
		t.Fatal(err)
	}
	del, err := s.DeleteServiceLinkedRole(ctx, root, &DeleteServiceLinkedRoleInput{RoleName: out.Role.RoleName})
	if err != nil {
		t.Fatal(err)
	}
	st, err := s.GetServiceLinkedRoleDeletionStatus(ctx, root, &GetServiceLinkedRoleDeletionStatusInput{DeletionTaskID: del.DeletionTaskID})
	if err != nil {
		t.Fatal(err)
	}
	if st.Status != "FAILED" || st.Reason == nil || st.Reason.Reason == "" {
		t.Fatalf("status of a deletion blocked by a profile = %+v", st)
	}
	if _, err := s.GetRole(ctx, root, &GetRoleInput{RoleName: out.Role.RoleName}); err != nil {
		t.Fatalf("role gone after a failed deletion: %v", err)
	}
}
