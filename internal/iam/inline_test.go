package iam

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/keyward/keyward"
)

// inlineAPI drives the three families of inline policy actions alike.
type inlineAPI struct {
	kind   principalKind
	create func(s *Service, c *keyward.Caller, name string) error
	put    func(s *Service, c *keyward.Caller, owner, name, doc string) error
	get    func(s *Service, c *keyward.Caller, owner, name string) (gotOwner, gotName, doc string, err error)
	del    func(s *Service, c *keyward.Caller, owner, name string) error
	list   func(s *Service, c *keyward.Caller, owner string, marker *string, max *int32) (*ListPolicyNamesOutput, error)
}

var ctxb = context.Background()

var inlineAPIs = []inlineAPI{
	{
		kind: userKind,
		create: func(s *Service, c *keyward.Caller, name string) error {
			_, err := s.CreateUser(ctxb, c, &CreateUserInput{UserName: name})
			return err
		},
		put: func(s *Service, c *keyward.Caller, owner, name, doc string) error {
			_, err := s.PutUserPolicy(ctxb, c, &PutUserPolicyInput{UserName: owner, PolicyName: name, PolicyDocument: doc})
			return err
		},
		get: func(s *Service, c *keyward.Caller, owner, name string) (string, string, string, error) {
			out, err := s.GetUserPolicy(ctxb, c, &GetUserPolicyInput{UserName: owner, PolicyName: name})
			if err != nil {
				return "", "", "", err
			}
			return out.UserName, out.PolicyName, out.PolicyDocument, nil
		},
		del: func(s *Service, c *keyward.Caller, owner, name string) error {
			_, err := s.DeleteUserPolicy(ctxb, c, &DeleteUserPolicyInput{UserName: owner, PolicyName: name})
			return err
		},
		list: func(s *Service, c *keyward.Caller, owner string, marker *string, max *int32) (*ListPolicyNamesOutput, error) {
			return s.ListUserPolicies(ctxb, c, &ListUserPoliciesInput{UserName: owner, Marker: marker, MaxItems: max})
		},
	},
	{
		kind: groupKind,
		create: func(s *Service, c *keyward.Caller, name string) error {
			_, err := s.CreateGroup(ctxb, c, &CreateGroupInput{GroupName: name})
			return err
		},
		put: func(s *Service, c *keyward.Caller, owner, name, doc string) error {
			_, err := s.PutGroupPolicy(ctxb, c, &PutGroupPolicyInput{GroupName: owner, PolicyName: name, PolicyDocument: doc})
			return err
		},
		get: func(s *Service, c *keyward.Caller, owner, name string) (string, string, string, error) {
			out, err := s.GetGroupPolicy(ctxb, c, &GetGroupPolicyInput{GroupName: owner, PolicyName: name})
			if err != nil {
				return "", "", "", err
			}
			return out.GroupName, out.PolicyName, out.PolicyDocument, nil
		},
		del: func(s *Service, c *keyward.Caller, owner, name string) error {
			_, err := s.DeleteGroupPolicy(ctxb, c, &DeleteGroupPolicyInput{GroupName: owner, PolicyName: name})
			return err
		},
		list: func(s *Service, c *keyward.Caller, owner string, marker *string, max *int32) (*ListPolicyNamesOutput, error) {
			return s.ListGroupPolicies(ctxb, c, &ListGroupPoliciesInput{GroupName: owner, Marker: marker, MaxItems: max})
		},
	},
	{
		kind: roleKind,
		create: func(s *Service, c *keyward.Caller, name string) error {
			_, err := s.CreateRole(ctxb, c, &CreateRoleInput{RoleName: name, AssumeRolePolicyDocument: trustEC2})
			return err
		},
		put: func(s *Service, c *keyward.Caller, owner, name, doc string) error {
			_, err := s.PutRolePolicy(ctxb, c, &PutRolePolicyInput{RoleName: owner, PolicyName: name, PolicyDocument: doc})
			return err
		},
		get: func(s *Service, c *keyward.Caller, owner, name string) (string, string, string, error) {
			out, err := s.GetRolePolicy(ctxb, c, &GetRolePolicyInput{RoleName: owner, PolicyName: name})
			if err != nil {
				return "", "", "", err
			}
			return out.RoleName, out.PolicyName, out.PolicyDocument, nil
		},
		del: func(s *Service, c *keyward.Caller, owner, name string) error {
			_, err := s.DeleteRolePolicy(ctxb, c, &DeleteRolePolicyInput{RoleName: owner, PolicyName: name})
			return err
		},
		list: func(s *Service, c *keyward.Caller, owner string, marker *string, max *int32) (*ListPolicyNamesOutput, error) {
			return s.ListRolePolicies(ctxb, c, &ListRolePoliciesInput{RoleName: owner, Marker: marker, MaxItems: max})
		},
	},
}

func TestService_InlinePolicies(t *testing.T) {
	for _, api := range inlineAPIs {
		t.Run(api.kind.noun, func(t *testing.T) {
			s, root := newService(t)
			noun := strings.ToLower(api.kind.noun)
			if err := api.create(s, root, "Owner"); err != nil {
				t.Fatal(err)
			}
			for _, n := range []string{"c", "A", "b"} {
				if err := api.put(s, root, "owner", n, allow("s3:Get"+n, "*")); err != nil {
					t.Fatalf("Put%sPolicy(%s): %v", api.kind.noun, n, err)
				}
			}
			// Replacing keeps the name as first given.
			doc := allow("s3:*", "arn:aws:s3:::bucket/*")
			if err := api.put(s, root, "owner", "a", doc); err != nil {
				t.Fatal(err)
			}
			owner, name, enc, err := api.get(s, root, "OWNER", "a")
			if err != nil {
				t.Fatal(err)
			}
			got, _ := url.QueryUnescape(enc)
			if owner != "Owner" || name != "A" || got != doc || enc == doc {
				t.Fatalf("Get%sPolicy = %q, %q, %q; want Owner, A and the URL-encoded %s", api.kind.noun, owner, name, enc, doc)
			}

			var names []string
			var marker *string
			for {
				out, err := api.list(s, root, "owner", marker, ptr(int32(2)))
				if err != nil {
					t.Fatal(err)
				}
				names = append(names, out.PolicyNames...)
				if !out.IsTruncated {
					break
				}
				marker = &out.Marker
			}
			if diff := cmp.Diff([]string{"A", "b", "c"}, names); diff != "" {
				t.Fatalf("List%sPolicies (-want +got):\n%s", api.kind.noun, diff)
			}

			if err := api.del(s, root, "owner", "B"); err != nil {
				t.Fatal(err)
			}
			_, _, _, err = api.get(s, root, "owner", "b")
			wantError(t, "Get after delete", err, keyward.ErrNoSuchEntity, fmt.Sprintf("The %s policy with name b cannot be found.", noun))
			err = api.del(s, root, "owner", "b")
			wantCode(t, "Delete again", err, keyward.ErrNoSuchEntity)

			err = api.put(s, root, "nobody", "p", doc)
			wantError(t, "Put on a missing owner", err, keyward.ErrNoSuchEntity, fmt.Sprintf("The %s with name nobody cannot be found.", noun))
			_, err = api.list(s, root, "nobody", nil, nil)
			wantCode(t, "List on a missing owner", err, keyward.ErrNoSuchEntity)
			_, _, _, err = api.get(s, root, "nobody", "p")
			wantCode(t, "Get on a missing owner", err, keyward.ErrNoSuchEntity)

			err = api.put(s, root, "owner", "bad", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3","Resource":"*"}}`)
			wantCode(t, "Put(malformed)", err, keyward.ErrMalformedPolicyDocument)

			// The quota counts every inline policy of the owner, white
			// space aside, the one being replaced excepted.
			if err := api.del(s, root, "owner", "a"); err != nil {
				t.Fatal(err)
			}
			if err := api.del(s, root, "owner", "c"); err != nil {
				t.Fatal(err)
			}
			half := bigDocument(api.kind.inlineQuota / 2)
			if err := api.put(s, root, "owner", "one", half); err != nil {
				t.Fatal(err)
			}
			if err := api.put(s, root, "owner", "two", strings.ReplaceAll(half, ",", ", \n\t")); err != nil {
				t.Fatalf("Put up to the quota: %v", err)
			}
			if err := api.put(s, root, "owner", "two", half); err != nil {
				t.Fatalf("Put replacing at the quota: %v", err)
			}
			err = api.put(s, root, "owner", "three", allow("s3:*", "*"))
			wantError(t, "Put over the quota", err, keyward.ErrLimitExceeded,
				fmt.Sprintf("Maximum policy size of %d bytes exceeded for %s Owner", api.kind.inlineQuota, noun))
		})
	}
}

func TestService_InlinePolicies_ServiceLinkedRole(t *testing.T) {
	s, root := newService(t)
	out, err := s.CreateServiceLinkedRole(ctxb, root, &CreateServiceLinkedRoleInput{AWSServiceName: "elasticbeanstalk.amazonaws.com"})
	if err != nil {
		t.Fatal(err)
	}
	name := out.Role.RoleName
	msg := "Cannot perform the operation on the protected role '" + name + "' - this role is only modifiable by AWS"
	_, err = s.PutRolePolicy(ctxb, root, &PutRolePolicyInput{RoleName: name, PolicyName: "p", PolicyDocument: allow("s3:*", "*")})
	wantError(t, "PutRolePolicy(service-linked)", err, keyward.ErrUnmodifiableEntity, msg)
	_, err = s.DeleteRolePolicy(ctxb, root, &DeleteRolePolicyInput{RoleName: name, PolicyName: "p"})
	wantError(t, "DeleteRolePolicy(service-linked)", err, keyward.ErrUnmodifiableEntity, msg)
	arn := newPolicy(t, s, root, "p", "/").ARN
	_, err = s.AttachRolePolicy(ctxb, root, &AttachRolePolicyInput{RoleName: name, PolicyARN: arn})
	wantError(t, "AttachRolePolicy(service-linked)", err, keyward.ErrUnmodifiableEntity, msg)
	_, err = s.DetachRolePolicy(ctxb, root, &DetachRolePolicyInput{RoleName: name, PolicyARN: arn})
	wantError(t, "DetachRolePolicy(service-linked)", err, keyward.ErrUnmodifiableEntity, msg)
	_, err = s.PutRolePermissionsBoundary(ctxb, root, &PutRolePermissionsBoundaryInput{RoleName: name, PermissionsBoundary: arn})
	wantError(t, "PutRolePermissionsBoundary(service-linked)", err, keyward.ErrUnmodifiableEntity, msg)
	_, err = s.DeleteRolePermissionsBoundary(ctxb, root, &DeleteRolePermissionsBoundaryInput{RoleName: name})
	wantError(t, "DeleteRolePermissionsBoundary(service-linked)", err, keyward.ErrUnmodifiableEntity, msg)
	// Reading is fine.
	if _, err := s.ListRolePolicies(ctxb, root, &ListRolePoliciesInput{RoleName: name}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ListAttachedRolePolicies(ctxb, root, &ListAttachedRolePoliciesInput{RoleName: name}); err != nil {
		t.Fatal(err)
	}
}

func TestService_InlinePolicies_Authorization(t *testing.T) {
	s, root := newService(t)
	for _, n := range []string{"managed", "free"} {
		if _, err := s.CreateUser(ctxb, root, &CreateUserInput{UserName: n}); err != nil {
			t.Fatal(err)
		}
	}
	boundary := newPolicy(t, s, root, "boundary", "/").ARN
	if _, err := s.PutUserPermissionsBoundary(ctxb, root, &PutUserPermissionsBoundaryInput{UserName: "managed", PermissionsBoundary: boundary}); err != nil {
		t.Fatal(err)
	}
	// An administrator who may only change users that have the boundary.
	admin := userCaller(t, s, "admin", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":["iam:PutUserPolicy","iam:DeleteUserPolicy"],"Resource":"*",
		 "Condition":{"StringEquals":{"iam:PermissionsBoundary":"`+boundary+`"}}},
		{"Effect":"Allow","Action":"iam:GetUserPolicy","Resource":"arn:aws:iam::111122223333:user/managed"}]}`)
	doc := allow("s3:*", "*")
	if _, err := s.PutUserPolicy(ctxb, admin, &PutUserPolicyInput{UserName: "managed", PolicyName: "p", PolicyDocument: doc}); err != nil {
		t.Fatalf("PutUserPolicy(user with the boundary): %v", err)
	}
	_, err := s.PutUserPolicy(ctxb, admin, &PutUserPolicyInput{UserName: "free", PolicyName: "p", PolicyDocument: doc})
	wantError(t, "PutUserPolicy(user without boundary)", err, keyward.ErrAccessDenied,
		"User: arn:aws:iam::111122223333:user/admin is not authorized to perform: iam:PutUserPolicy on resource: arn:aws:iam::111122223333:user/free because no identity-based policy allows the iam:PutUserPolicy action")
	if _, err := s.GetUserPolicy(ctxb, admin, &GetUserPolicyInput{UserName: "managed", PolicyName: "p"}); err != nil {
		t.Fatalf("GetUserPolicy(managed): %v", err)
	}
	_, err = s.GetUserPolicy(ctxb, admin, &GetUserPolicyInput{UserName: "free", PolicyName: "p"})
	wantCode(t, "GetUserPolicy(free)", err, keyward.ErrAccessDenied)
	_, err = s.ListUserPolicies(ctxb, admin, &ListUserPoliciesInput{UserName: "managed"})
	wantCode(t, "ListUserPolicies(not allowed)", err, keyward.ErrAccessDenied)
	if _, err := s.DeleteUserPolicy(ctxb, admin, &DeleteUserPolicyInput{UserName: "managed", PolicyName: "p"}); err != nil {
		t.Fatalf("DeleteUserPolicy(managed): %v", err)
	}
}

// An inline policy put through the API takes effect at once: the
// authorizer's cache is invalidated.
func TestService_PutUserPolicy_TakesEffect(t *testing.T) {
	s, root := newService(t)
	bob := userCaller(t, s, "bob")
	_, err := s.ListPolicies(ctxb, bob, &ListPoliciesInput{})
	wantCode(t, "ListPolicies before", err, keyward.ErrAccessDenied)
	if _, err := s.PutUserPolicy(ctxb, root, &PutUserPolicyInput{UserName: "bob", PolicyName: "list", PolicyDocument: allow("iam:ListPolicies", "*")}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ListPolicies(ctxb, bob, &ListPoliciesInput{}); err != nil {
		t.Fatalf("ListPolicies after PutUserPolicy: %v", err)
	}
	if _, err := s.DeleteUserPolicy(ctxb, root, &DeleteUserPolicyInput{UserName: "bob", PolicyName: "list"}); err != nil {
		t.Fatal(err)
	}
	_, err = s.ListPolicies(ctxb, bob, &ListPoliciesInput{})
	wantCode(t, "ListPolicies after DeleteUserPolicy", err, keyward.ErrAccessDenied)
}
