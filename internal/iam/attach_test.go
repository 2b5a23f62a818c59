package iam

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/keyward/keyward"
)

// attachAPI drives the three families of attachment actions alike.
type attachAPI struct {
	kind   principalKind
	create func(s *Service, c *keyward.Caller, name string) error
	attach func(s *Service, c *keyward.Caller, owner, arn string) error
	detach func(s *Service, c *keyward.Caller, owner, arn string) error
	list   func(s *Service, c *keyward.Caller, owner string, prefix, marker *string, max *int32) (*ListAttachedPoliciesOutput, error)
}

var attachAPIs = []attachAPI{
	{
		kind:   userKind,
		create: inlineAPIs[0].create,
		attach: func(s *Service, c *keyward.Caller, owner, arn string) error {
			_, err := s.AttachUserPolicy(ctxb, c, &AttachUserPolicyInput{UserName: owner, PolicyARN: arn})
			return err
		},
		detach: func(s *Service, c *keyward.Caller, owner, arn string) error {
			_, err := s.DetachUserPolicy(ctxb, c, &DetachUserPolicyInput{UserName: owner, PolicyARN: arn})
			return err
		},
		list: func(s *Service, c *keyward.Caller, owner string, prefix, marker *string, max *int32) (*ListAttachedPoliciesOutput, error) {
			return s.ListAttachedUserPolicies(ctxb, c, &ListAttachedUserPoliciesInput{UserName: owner, PathPrefix: prefix, Marker: marker, MaxItems: max})
		},
	},
	{
		kind:   groupKind,
		create: inlineAPIs[1].create,
		attach: func(s *Service, c *keyward.Caller, owner, arn string) error {
			_, err := s.AttachGroupPolicy(ctxb, c, &AttachGroupPolicyInput{GroupName: owner, PolicyARN: arn})
			return err
		},
		detach: func(s *Service, c *keyward.Caller, owner, arn string) error {
			_, err := s.DetachGroupPolicy(ctxb, c, &DetachGroupPolicyInput{GroupName: owner, PolicyARN: arn})
			return err
		},
		list: func(s *Service, c *keyward.Caller, owner string, prefix, marker *string, max *int32) (*ListAttachedPoliciesOutput, error) {
			return s.ListAttachedGroupPolicies(ctxb, c, &ListAttachedGroupPoliciesInput{GroupName: owner, PathPrefix: prefix, Marker: marker, MaxItems: max})
		},
	},
	{
		kind:   roleKind,
		create: inlineAPIs[2].create,
		attach: func(s *Service, c *keyward.Caller, owner, arn string) error {
			_, err := s.AttachRolePolicy(ctxb, c, &AttachRolePolicyInput{RoleName: owner, PolicyARN: arn})
			return err
		},
		detach: func(s *Service, c *keyward.Caller, owner, arn string) error {
			_, err := s.DetachRolePolicy(ctxb, c, &DetachRolePolicyInput{RoleName: owner, PolicyARN: arn})
			return err
		},
		list: func(s *Service, c *keyward.Caller, owner string, prefix, marker *string, max *int32) (*ListAttachedPoliciesOutput, error) {
			return s.ListAttachedRolePolicies(ctxb, c, &ListAttachedRolePoliciesInput{RoleName: owner, PathPrefix: prefix, Marker: marker, MaxItems: max})
		},
	},
}

func TestService_AttachedPolicies(t *testing.T) {
	for _, api := range attachAPIs {
		t.Run(api.kind.noun, func(t *testing.T) {
			s, root := newService(t)
			if err := api.create(s, root, "owner"); err != nil {
				t.Fatal(err)
			}
			var arns []string
			for i := range maxAttachedPolicies {
				path := "/"
				if i%2 == 1 {
					path = "/odd/"
				}
				arns = append(arns, newPolicy(t, s, root, fmt.Sprintf("p%02d", i), path).ARN)
			}
			managed := awsPolicy(t, s, "ReadOnlyAccess", true)
			for _, arn := range arns {
				if err := api.attach(s, root, "OWNER", arn); err != nil {
					t.Fatalf("Attach%sPolicy(%s): %v", api.kind.noun, arn, err)
				}
			}
			// Attaching again changes nothing and does not count twice.
			if err := api.attach(s, root, "owner", arns[0]); err != nil {
				t.Fatalf("Attach again: %v", err)
			}
			err := api.attach(s, root, "owner", managed)
			wantError(t, "Attach the eleventh", err, keyward.ErrLimitExceeded,
				fmt.Sprintf("Cannot exceed quota for PoliciesPer%s: 10", api.kind.noun))

			var got []string
			var marker *string
			for {
				out, err := api.list(s, root, "owner", nil, marker, ptr(int32(4)))
				if err != nil {
					t.Fatal(err)
				}
				for _, p := range out.AttachedPolicies {
					got = append(got, p.PolicyARN)
				}
				if !out.IsTruncated {
					break
				}
				marker = &out.Marker
			}
			if diff := cmp.Diff(arns, got); diff != "" {
				t.Fatalf("ListAttached%sPolicies (-want +got):\n%s", api.kind.noun, diff)
			}
			odd, err := api.list(s, root, "owner", ptr("/odd/"), nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(odd.AttachedPolicies) != 5 || odd.AttachedPolicies[0].PolicyName != "p01" {
				t.Fatalf("ListAttached%sPolicies(/odd/) = %+v", api.kind.noun, odd.AttachedPolicies)
			}

			if err := api.detach(s, root, "owner", arns[0]); err != nil {
				t.Fatal(err)
			}
			err = api.detach(s, root, "owner", arns[0])
			wantError(t, "Detach again", err, keyward.ErrNoSuchEntity, "Policy "+arns[0]+" was not found.")
			if err := api.attach(s, root, "owner", managed); err != nil {
				t.Fatalf("Attach an AWS-managed policy: %v", err)
			}

			missing := PolicyARN(testAccount, "/", "missing")
			err = api.attach(s, root, "owner", missing)
			wantError(t, "Attach a missing policy", err, keyward.ErrNoSuchEntity, "Policy "+missing+" does not exist or is not attachable.")
			theirs := newPolicy(t, s, rootOf(otherAccount), "theirs", "/").ARN
			err = api.attach(s, root, "owner", theirs)
			wantCode(t, "Attach another account's policy", err, keyward.ErrNoSuchEntity)
			err = api.attach(s, root, "nobody", arns[1])
			wantCode(t, "Attach to a missing owner", err, keyward.ErrNoSuchEntity)
			err = api.attach(s, root, "owner", "arn:aws:iam::111122223333:role/notapolicy")
			wantCode(t, "Attach a role ARN", err, keyward.ErrInvalidInput)
			err = api.detach(s, root, "owner", "arn:aws:iam::111122223333:role/notapolicy")
			wantCode(t, "Detach a role ARN", err, keyward.ErrInvalidInput)
			_, err = api.list(s, root, "nobody", nil, nil, nil)
			wantCode(t, "List for a missing owner", err, keyward.ErrNoSuchEntity)
		})
	}
}

func TestService_Attach_NotAttachable(t *testing.T) {
	s, root := newService(t)
	if _, err := s.CreateUser(ctxb, root, &CreateUserInput{UserName: "alice"}); err != nil {
		t.Fatal(err)
	}
	service := awsPolicy(t, s, "AWSServiceRolePolicy", false)
	_, err := s.AttachUserPolicy(ctxb, root, &AttachUserPolicyInput{UserName: "alice", PolicyARN: service})
	wantCode(t, "AttachUserPolicy(service role policy)", err, keyward.ErrPolicyNotAttachable)
}

func TestService_Attach_Authorization(t *testing.T) {
	s, root := newService(t)
	readOnly := newPolicy(t, s, root, "ReadOnly", "/").ARN
	admin := newPolicy(t, s, root, "Admin", "/").ARN
	made, err := s.CreateUser(ctxb, root, &CreateUserInput{UserName: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	// May attach only ReadOnly, to anyone.
	ops := userCaller(t, s, "ops", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
		"Action":["iam:AttachUserPolicy","iam:DetachUserPolicy"],"Resource":"arn:aws:iam::111122223333:user/*",
		"Condition":{"ArnEquals":{"iam:PolicyARN":"`+readOnly+`"}}}]}`)
	if _, err := s.AttachUserPolicy(ctxb, ops, &AttachUserPolicyInput{UserName: "alice", PolicyARN: readOnly}); err != nil {
		t.Fatalf("AttachUserPolicy(ReadOnly): %v", err)
	}
	_, err = s.AttachUserPolicy(ctxb, ops, &AttachUserPolicyInput{UserName: "alice", PolicyARN: admin})
	wantError(t, "AttachUserPolicy(Admin)", err, keyward.ErrAccessDenied,
		"User: arn:aws:iam::111122223333:user/ops is not authorized to perform: iam:AttachUserPolicy on resource: arn:aws:iam::111122223333:user/alice because no identity-based policy allows the iam:AttachUserPolicy action")
	_, err = s.ListAttachedUserPolicies(ctxb, ops, &ListAttachedUserPoliciesInput{UserName: "alice"})
	wantCode(t, "ListAttachedUserPolicies(not allowed)", err, keyward.ErrAccessDenied)
	if _, err := s.DetachUserPolicy(ctxb, ops, &DetachUserPolicyInput{UserName: "alice", PolicyARN: readOnly}); err != nil {
		t.Fatalf("DetachUserPolicy(ReadOnly): %v", err)
	}

	// An attached policy takes effect at once, and stops at once.
	if _, err := s.CreatePolicyVersion(ctxb, root, &CreatePolicyVersionInput{PolicyARN: readOnly, PolicyDocument: allow("iam:GetPolicy", "*"), SetAsDefault: ptr(true)}); err != nil {
		t.Fatal(err)
	}
	alice := &keyward.Caller{Kind: keyward.CallerUser, AccountID: testAccount, ARN: "arn:aws:iam::111122223333:user/alice", UserName: "alice",
		UserID: made.User.UserID, PrincipalID: made.User.UserID}
	_, err = s.GetPolicy(ctxb, alice, &GetPolicyInput{PolicyARN: admin})
	wantCode(t, "GetPolicy before attaching", err, keyward.ErrAccessDenied)
	if _, err := s.AttachUserPolicy(ctxb, root, &AttachUserPolicyInput{UserName: "alice", PolicyARN: readOnly}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetPolicy(ctxb, alice, &GetPolicyInput{PolicyARN: admin}); err != nil {
		t.Fatalf("GetPolicy after attaching: %v", err)
	}
	if _, err := s.SetDefaultPolicyVersion(ctxb, root, &SetDefaultPolicyVersionInput{PolicyARN: readOnly, VersionID: "v1"}); err != nil {
		t.Fatal(err)
	}
	_, err = s.GetPolicy(ctxb, alice, &GetPolicyInput{PolicyARN: admin})
	wantCode(t, "GetPolicy after SetDefaultPolicyVersion(v1)", err, keyward.ErrAccessDenied)
}

func TestService_PermissionsBoundaries(t *testing.T) {
	s, root := newService(t)
	arn := newPolicy(t, s, root, "boundary", "/").ARN
	if _, err := s.CreateUser(ctxb, root, &CreateUserInput{UserName: "alice"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateRole(ctxb, root, &CreateRoleInput{RoleName: "worker", AssumeRolePolicyDocument: trustEC2}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutUserPermissionsBoundary(ctxb, root, &PutUserPermissionsBoundaryInput{UserName: "ALICE", PermissionsBoundary: arn}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutRolePermissionsBoundary(ctxb, root, &PutRolePermissionsBoundaryInput{RoleName: "worker", PermissionsBoundary: arn}); err != nil {
		t.Fatal(err)
	}
	u, err := s.GetUser(ctxb, root, &GetUserInput{UserName: ptr("alice")})
	if err != nil {
		t.Fatal(err)
	}
	r, err := s.GetRole(ctxb, root, &GetRoleInput{RoleName: "worker"})
	if err != nil {
		t.Fatal(err)
	}
	want := &PermissionsBoundary{PermissionsBoundaryType: "PermissionsBoundaryPolicy", PermissionsBoundaryARN: arn}
	if diff := cmp.Diff(want, u.User.PermissionsBoundary); diff != "" {
		t.Fatalf("GetUser boundary (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want, r.Role.PermissionsBoundary); diff != "" {
		t.Fatalf("GetRole boundary (-want +got):\n%s", diff)
	}
	p, err := s.GetPolicy(ctxb, root, &GetPolicyInput{PolicyARN: arn})
	if err != nil {
		t.Fatal(err)
	}
	if p.Policy.PermissionsBoundaryUsageCount != 2 || p.Policy.AttachmentCount != 0 {
		t.Fatalf("GetPolicy counts = %d attachments, %d boundaries; want 0, 2", p.Policy.AttachmentCount, p.Policy.PermissionsBoundaryUsageCount)
	}

	if _, err := s.DeleteUserPermissionsBoundary(ctxb, root, &DeleteUserPermissionsBoundaryInput{UserName: "alice"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DeleteRolePermissionsBoundary(ctxb, root, &DeleteRolePermissionsBoundaryInput{RoleName: "worker"}); err != nil {
		t.Fatal(err)
	}
	u, err = s.GetUser(ctxb, root, &GetUserInput{UserName: ptr("alice")})
	if err != nil || u.User.PermissionsBoundary != nil {
		t.Fatalf("GetUser after DeleteUserPermissionsBoundary = %+v, %v", u, err)
	}
	// Removing a boundary that is not there succeeds.
	if _, err := s.DeleteUserPermissionsBoundary(ctxb, root, &DeleteUserPermissionsBoundaryInput{UserName: "alice"}); err != nil {
		t.Fatal(err)
	}

	missing := PolicyARN(testAccount, "/", "missing")
	_, err = s.PutUserPermissionsBoundary(ctxb, root, &PutUserPermissionsBoundaryInput{UserName: "alice", PermissionsBoundary: missing})
	wantError(t, "PutUserPermissionsBoundary(missing policy)", err, keyward.ErrNoSuchEntity, "Policy "+missing+" does not exist or is not attachable.")
	_, err = s.PutUserPermissionsBoundary(ctxb, root, &PutUserPermissionsBoundaryInput{UserName: "nobody", PermissionsBoundary: arn})
	wantError(t, "PutUserPermissionsBoundary(missing user)", err, keyward.ErrNoSuchEntity, "The user with name nobody cannot be found.")
	_, err = s.PutRolePermissionsBoundary(ctxb, root, &PutRolePermissionsBoundaryInput{RoleName: "worker", PermissionsBoundary: "arn:aws:iam::111122223333:user/alice"})
	wantError(t, "PutRolePermissionsBoundary(user ARN)", err, keyward.ErrInvalidInput, "ARN arn:aws:iam::111122223333:user/alice is not valid.")
	_, err = s.DeleteRolePermissionsBoundary(ctxb, root, &DeleteRolePermissionsBoundaryInput{RoleName: "nobody"})
	wantCode(t, "DeleteRolePermissionsBoundary(missing role)", err, keyward.ErrNoSuchEntity)
	managed := awsPolicy(t, s, "PowerUserAccess", true)
	if _, err := s.PutUserPermissionsBoundary(ctxb, root, &PutUserPermissionsBoundaryInput{UserName: "alice", PermissionsBoundary: managed}); err != nil {
		t.Fatalf("PutUserPermissionsBoundary(AWS-managed): %v", err)
	}
}

func TestService_PermissionsBoundary_Authorization(t *testing.T) {
	s, root := newService(t)
	allowed := newPolicy(t, s, root, "DevBoundary", "/").ARN
	other := newPolicy(t, s, root, "Other", "/").ARN
	if _, err := s.CreateUser(ctxb, root, &CreateUserInput{UserName: "dev"}); err != nil {
		t.Fatal(err)
	}
	// May set only DevBoundary, and remove only DevBoundary.
	admin := userCaller(t, s, "admin", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
		"Action":["iam:PutUserPermissionsBoundary","iam:DeleteUserPermissionsBoundary"],"Resource":"*",
		"Condition":{"StringEquals":{"iam:PermissionsBoundary":"`+allowed+`"}}}]}`)
	_, err := s.PutUserPermissionsBoundary(ctxb, admin, &PutUserPermissionsBoundaryInput{UserName: "dev", PermissionsBoundary: other})
	wantCode(t, "PutUserPermissionsBoundary(Other)", err, keyward.ErrAccessDenied)
	if _, err := s.PutUserPermissionsBoundary(ctxb, admin, &PutUserPermissionsBoundaryInput{UserName: "dev", PermissionsBoundary: allowed}); err != nil {
		t.Fatalf("PutUserPermissionsBoundary(DevBoundary): %v", err)
	}
	if _, err := s.DeleteUserPermissionsBoundary(ctxb, admin, &DeleteUserPermissionsBoundaryInput{UserName: "dev"}); err != nil {
		t.Fatalf("DeleteUserPermissionsBoundary(DevBoundary): %v", err)
	}
	if _, err := s.PutUserPermissionsBoundary(ctxb, root, &PutUserPermissionsBoundaryInput{UserName: "dev", PermissionsBoundary: other}); err != nil {
		t.Fatal(err)
	}
	_, err = s.DeleteUserPermissionsBoundary(ctxb, admin, &DeleteUserPermissionsBoundaryInput{UserName: "dev"})
	wantCode(t, "DeleteUserPermissionsBoundary(Other)", err, keyward.ErrAccessDenied)

	// A boundary limits its user at once.
	if _, err := s.PutUserPolicy(ctxb, root, &PutUserPolicyInput{UserName: "admin", PolicyName: "more", PolicyDocument: allow("iam:ListPolicies", "*")}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ListPolicies(ctxb, admin, &ListPoliciesInput{}); err != nil {
		t.Fatalf("ListPolicies without boundary: %v", err)
	}
	if _, err := s.PutUserPermissionsBoundary(ctxb, root, &PutUserPermissionsBoundaryInput{UserName: "admin", PermissionsBoundary: other}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreatePolicyVersion(ctxb, root, &CreatePolicyVersionInput{PolicyARN: other, PolicyDocument: allow("iam:Get*", "*"), SetAsDefault: ptr(true)}); err != nil {
		t.Fatal(err)
	}
	_, err = s.ListPolicies(ctxb, admin, &ListPoliciesInput{})
	wantCode(t, "ListPolicies outside the boundary", err, keyward.ErrAccessDenied)
}
