package iam

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/keyward/keyward"
)

// tagOps drives the Tag/Untag/List actions of one kind of entity.
type tagOps struct {
	kind  string
	tag   func(tags []keyward.Tag) error
	untag func(keys []string) error
	list  func(marker *string, maxItems *int32) (*ListTagsOutput, error)
}

func tagOpsFor(t *testing.T, s *Service, c *keyward.Caller) []tagOps {
	t.Helper()
	ctx := context.Background()
	if _, err := s.CreateUser(ctx, c, &CreateUserInput{UserName: "alice"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateRole(ctx, c, &CreateRoleInput{RoleName: "app", AssumeRolePolicyDocument: ec2Trust}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateInstanceProfile(ctx, c, &CreateInstanceProfileInput{InstanceProfileName: "web"}); err != nil {
		t.Fatal(err)
	}
	policyARN := createPolicy(t, s, testAccount, "pol")
	oidcARN := "arn:aws:iam::111122223333:oidc-provider/token.example.com"
	if err := s.Store.Update(ctx, func(tx keyward.Tx) error {
		return tx.CreateOIDCProvider(keyward.OIDCProvider{AccountID: testAccount, ARN: oidcARN, URL: "https://token.example.com", ClientIDs: []string{"x"}, CreateDate: testClock})
	}); err != nil {
		t.Fatal(err)
	}
	none := func(_ *struct{}, err error) error { return err }
	return []tagOps{
		{
			kind: "user",
			tag: func(tags []keyward.Tag) error {
				return none(s.TagUser(ctx, c, &TagUserInput{UserName: "alice", Tags: tags}))
			},
			untag: func(keys []string) error {
				return none(s.UntagUser(ctx, c, &UntagUserInput{UserName: "alice", TagKeys: keys}))
			},
			list: func(m *string, n *int32) (*ListTagsOutput, error) {
				return s.ListUserTags(ctx, c, &ListUserTagsInput{UserName: "alice", Marker: m, MaxItems: n})
			},
		},
		{
			kind: "role",
			tag: func(tags []keyward.Tag) error {
				return none(s.TagRole(ctx, c, &TagRoleInput{RoleName: "app", Tags: tags}))
			},
			untag: func(keys []string) error {
				return none(s.UntagRole(ctx, c, &UntagRoleInput{RoleName: "app", TagKeys: keys}))
			},
			list: func(m *string, n *int32) (*ListTagsOutput, error) {
				return s.ListRoleTags(ctx, c, &ListRoleTagsInput{RoleName: "app", Marker: m, MaxItems: n})
			},
		},
		{
			kind: "instance profile",
			tag: func(tags []keyward.Tag) error {
				return none(s.TagInstanceProfile(ctx, c, &TagInstanceProfileInput{InstanceProfileName: "web", Tags: tags}))
			},
			untag: func(keys []string) error {
				return none(s.UntagInstanceProfile(ctx, c, &UntagInstanceProfileInput{InstanceProfileName: "web", TagKeys: keys}))
			},
			list: func(m *string, n *int32) (*ListTagsOutput, error) {
				return s.ListInstanceProfileTags(ctx, c, &ListInstanceProfileTagsInput{InstanceProfileName: "web", Marker: m, MaxItems: n})
			},
		},
		{
			kind: "policy",
			tag: func(tags []keyward.Tag) error {
				return none(s.TagPolicy(ctx, c, &TagPolicyInput{PolicyARN: policyARN, Tags: tags}))
			},
			untag: func(keys []string) error {
				return none(s.UntagPolicy(ctx, c, &UntagPolicyInput{PolicyARN: policyARN, TagKeys: keys}))
			},
			list: func(m *string, n *int32) (*ListTagsOutput, error) {
				return s.ListPolicyTags(ctx, c, &ListPolicyTagsInput{PolicyARN: policyARN, Marker: m, MaxItems: n})
			},
		},
		{
			kind: "OIDC provider",
			tag: func(tags []keyward.Tag) error {
				return none(s.TagOpenIDConnectProvider(ctx, c, &TagOpenIDConnectProviderInput{OpenIDConnectProviderARN: oidcARN, Tags: tags}))
			},
			untag: func(keys []string) error {
				return none(s.UntagOpenIDConnectProvider(ctx, c, &UntagOpenIDConnectProviderInput{OpenIDConnectProviderARN: oidcARN, TagKeys: keys}))
			},
			list: func(m *string, n *int32) (*ListTagsOutput, error) {
				return s.ListOpenIDConnectProviderTags(ctx, c, &ListOpenIDConnectProviderTagsInput{OpenIDConnectProviderARN: oidcARN, Marker: m, MaxItems: n})
			},
		},
	}
}

func TestService_Tags(t *testing.T) {
	s, root := newService(t)
	for _, ops := range tagOpsFor(t, s, root) {
		t.Run(ops.kind, func(t *testing.T) {
			if err := ops.tag([]keyward.Tag{{Key: "b", Value: "1"}, {Key: "A", Value: "2"}}); err != nil {
				t.Fatal(err)
			}
			// A key in another case replaces the value and the spelling.
			if err := ops.tag([]keyward.Tag{{Key: "B", Value: "3"}}); err != nil {
				t.Fatal(err)
			}
			out, err := ops.list(nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			want := Members[Tag]{{Key: "A", Value: "2"}, {Key: "B", Value: "3"}}
			if diff := cmp.Diff(want, out.Tags); diff != "" || out.IsTruncated {
				t.Fatalf("list tags (-want +got):\n%s", diff)
			}
			page, err := ops.list(nil, ptr(int32(1)))
			if err != nil {
				t.Fatal(err)
			}
			if len(page.Tags) != 1 || !page.IsTruncated {
				t.Fatalf("list tags, MaxItems 1 = %+v", page)
			}
			page, err = ops.list(ptr(page.Marker), nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(page.Tags) != 1 || page.Tags[0].Key != "B" || page.IsTruncated {
				t.Fatalf("list tags, second page = %+v", page)
			}

			err = ops.tag([]keyward.Tag{{Key: "x", Value: "1"}, {Key: "X", Value: "2"}})
			wantError(t, "tag with duplicate keys", err, keyward.ErrInvalidInput, "Duplicate tag keys found. Please note that Tag keys are case insensitive.")
			err = ops.tag([]keyward.Tag{{Key: "aws:x", Value: "1"}})
			wantCode(t, "tag aws:x", err, keyward.ErrInvalidInput)

			var many []keyward.Tag
			for i := range 48 {
				many = append(many, keyward.Tag{Key: fmt.Sprintf("k%02d", i), Value: "v"})
			}
			if err := ops.tag(many); err != nil {
				t.Fatalf("tag up to 50: %v", err)
			}
			err = ops.tag([]keyward.Tag{{Key: "a", Value: "replaced"}}) // existing key: still 50
			wantCode(t, "retag at 50", err, "")
			err = ops.tag([]keyward.Tag{{Key: "new", Value: "v"}})
			wantCode(t, "tag the 51st", err, keyward.ErrLimitExceeded)

			if err := ops.untag(append([]string{"a", "absent"}, "K00")); err != nil {
				t.Fatal(err)
			}
			out, err = ops.list(nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(out.Tags) != 48 || out.Tags[0].Key != "B" {
				t.Fatalf("after untag: %d tags starting %+v", len(out.Tags), out.Tags[0])
			}
		})
	}
}

func TestService_Tags_OtherAccount(t *testing.T) {
	s, root := newService(t)
	ctx := context.Background()
	tagOpsFor(t, s, root) // creates the entities in testAccount
	other := rootOf(otherAccount)
	tags := []keyward.Tag{{Key: "k", Value: "v"}}
	errs := map[string]error{}
	_, errs["TagUser"] = s.TagUser(ctx, other, &TagUserInput{UserName: "alice", Tags: tags})
	_, errs["TagRole"] = s.TagRole(ctx, other, &TagRoleInput{RoleName: "app", Tags: tags})
	_, errs["TagPolicy"] = s.TagPolicy(ctx, other, &TagPolicyInput{PolicyARN: PolicyARN(testAccount, "/", "pol"), Tags: tags})
	_, errs["ListOpenIDConnectProviderTags"] = s.ListOpenIDConnectProviderTags(ctx, other, &ListOpenIDConnectProviderTagsInput{OpenIDConnectProviderARN: "arn:aws:iam::111122223333:oidc-provider/token.example.com"})
	for call, err := range errs {
		wantCode(t, call+" from another account", err, keyward.ErrNoSuchEntity)
	}
}

func TestService_TagUser_Authorization(t *testing.T) {
	s, root := newService(t)
	ctx := context.Background()
	if _, err := s.CreateUser(ctx, root, &CreateUserInput{UserName: "bob"}); err != nil {
		t.Fatal(err)
	}
	// alice may set only the team tag, and only to blue.
	alice := userCaller(t, s, "alice", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:TagUser","iam:UntagUser"],"Resource":"arn:aws:iam::111122223333:user/bob",
		"Condition":{"ForAllValues:StringEquals":{"aws:TagKeys":["team"]}}},
		{"Effect":"Deny","Action":"iam:TagUser","Resource":"*","Condition":{"StringNotEquals":{"aws:RequestTag/team":"blue"}}}]}`)
	tests := []struct {
		name string
		tags []keyward.Tag
		code string
	}{
		{"team blue", []keyward.Tag{{Key: "team", Value: "blue"}}, ""},
		{"team red", []keyward.Tag{{Key: "team", Value: "red"}}, keyward.ErrAccessDenied},
		{"other key", []keyward.Tag{{Key: "team", Value: "blue"}, {Key: "cost", Value: "1"}}, keyward.ErrAccessDenied},
	}
	for _, tt := range tests {
		_, err := s.TagUser(ctx, alice, &TagUserInput{UserName: "bob", Tags: tt.tags})
		wantCode(t, "TagUser("+tt.name+") as alice", err, tt.code)
	}
	_, err := s.UntagUser(ctx, alice, &UntagUserInput{UserName: "bob", TagKeys: []string{"cost"}})
	wantCode(t, "UntagUser(cost) as alice", err, keyward.ErrAccessDenied)
	_, err = s.UntagUser(ctx, alice, &UntagUserInput{UserName: "bob", TagKeys: []string{"team"}})
	wantCode(t, "UntagUser(team) as alice", err, "")
}

func TestService_AddUserToGroup_GrantsGroupPolicies(t *testing.T) {
	s, root := newService(t)
	ctx := context.Background()
	if _, err := s.CreateGroup(ctx, root, &CreateGroupInput{GroupName: "readers"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Store.Update(ctx, func(tx keyward.Tx) error {
		return tx.PutInlinePolicy(keyward.InlinePolicy{Owner: keyward.GroupRef(testAccount, "readers"), PolicyName: "read", Document: allow("iam:ListUsers", "*")})
	}); err != nil {
		t.Fatal(err)
	}
	alice := userCaller(t, s, "alice")
	_, err := s.ListUsers(ctx, alice, &ListUsersInput{})
	wantCode(t, "ListUsers before joining", err, keyward.ErrAccessDenied)
	if _, err := s.AddUserToGroup(ctx, root, &AddUserToGroupInput{GroupName: "readers", UserName: "alice"}); err != nil {
		t.Fatal(err)
	}
	_, err = s.ListUsers(ctx, alice, &ListUsersInput{})
	wantCode(t, "ListUsers after joining", err, "")
	if _, err := s.RemoveUserFromGroup(ctx, root, &RemoveUserFromGroupInput{GroupName: "readers", UserName: "alice"}); err != nil {
		t.Fatal(err)
	}
	_, err = s.ListUsers(ctx, alice, &ListUsersInput{})
	wantCode(t, "ListUsers after leaving", err, keyward.ErrAccessDenied)
}
