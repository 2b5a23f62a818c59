package iam

import (
	"context"
	"strings"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/internal/authz"
)

// The Tag*, Untag* and List*Tags actions of users, roles, managed
// policies, instance profiles and OIDC providers share one implementation:
// resolve the entity and its ARN, authorize with the tag condition keys,
// then check the 50-tag quota and write in one transaction.

// tagged names the entity a tag action works on: a user, role or instance
// profile by name, a managed policy or OIDC provider by ARN.
type tagged struct {
	kind keyward.EntityKind
	key  string // name or ARN
	// readOnly: AWS-managed policies are visible (ListPolicyTags).
	readOnly bool
}

// target finds the entity t names and authorizes action on it with its
// tags and extra. Policies and providers of another account (and
// AWS-managed policies, but to read their tags) are NoSuchEntity, as on
// AWS.
func (t tagged) target(o *op, action string, extra map[string][]string) (*entity, error) {
	var e *entity
	var err error
	switch t.kind {
	case keyward.KindPolicy:
		acct, _ := policyAccount(t.key)
		if acct != o.c.AccountID && !(t.readOnly && acct == keyward.AWSAccountID) {
			return nil, keyward.Errorf(keyward.ErrNoSuchEntity, "Policy %s was not found.", t.key)
		}
		e, err = o.findPolicy(t.key)
	case keyward.KindOIDCProvider:
		if acct, aerr := oidcAccount(t.key); aerr != nil || acct != o.c.AccountID {
			return nil, keyward.Errorf(keyward.ErrNoSuchEntity, "OpenIDConnect Provider not found for arn %s", t.key)
		}
		e, err = o.findProvider(t.key)
	case keyward.KindMFADevice:
		e, err = o.findDevice(t.key)
	case keyward.KindSAMLProvider:
		e, err = o.findSAMLProvider(t.key)
	case keyward.KindServerCertificate:
		e, err = o.findServerCertificate(t.key)
	default:
		e, err = o.find(t.kind, t.key)
	}
	if err != nil {
		return nil, err
	}
	if err := o.authorize(action, e.arn, e.keys(extra)); err != nil {
		return nil, err
	}
	if !e.found {
		return nil, e.missing()
	}
	return e, nil
}

func (s *Service) tag(ctx context.Context, c *keyward.Caller, action string, t tagged, tags []keyward.Tag) error {
	return s.update(ctx, c, true, func(o *op) error {
		e, err := t.target(o, action, authz.RequestTags(nil, tags))
		if err != nil {
			return err
		}
		if err := checkTagSet(tags); err != nil {
			return err
		}
		ref := e.ref(c.AccountID)
		n := len(e.tags)
		for _, nt := range tags {
			found := false
			for _, h := range e.tags {
				if strings.EqualFold(h.Key, nt.Key) {
					found = true
					break
				}
			}
			if !found {
				n++
			}
		}
		if n > maxTags {
			return keyward.Errorf(keyward.ErrLimitExceeded, "The number of tags has reached the maximum limit of %d.", maxTags)
		}
		return o.TagEntity(ref, tags)
	})
}

func (s *Service) untag(ctx context.Context, c *keyward.Caller, action string, t tagged, keys []string) error {
	return s.update(ctx, c, true, func(o *op) error {
		e, err := t.target(o, action, withKey(nil, "aws:TagKeys", keys...))
		if err != nil {
			return err
		}
		return o.UntagEntity(e.ref(c.AccountID), keys)
	})
}

func (s *Service) listTags(ctx context.Context, c *keyward.Caller, action string, t tagged, marker *string, maxItems *int32) (*ListTagsOutput, error) {
	var all []keyward.Tag
	err := s.view(ctx, c, func(o *op) error {
		e, err := t.target(o, action, nil)
		if err != nil {
			return err
		}
		all = e.tags
		return nil
	})
	if err != nil {
		return nil, err
	}
	page, next, err := pageOf(all, marker, maxItems)
	if err != nil {
		return nil, err
	}
	out := &ListTagsOutput{Tags: make(Members[Tag], len(page)), IsTruncated: next != "", Marker: next}
	for i, tg := range page {
		out.Tags[i] = Tag{Key: tg.Key, Value: tg.Value}
	}
	return out, nil
}

// ListTagsOutput is the result of every List*Tags action.
type ListTagsOutput struct {
	Tags        Members[Tag] `xml:"Tags"`
	IsTruncated bool         `xml:"IsTruncated"`
	Marker      string       `xml:"Marker,omitempty"`
}

// Users.

// TagUserInput is TagUser's request.
type TagUserInput struct {
	UserName string        `query:"UserName,required"`
	Tags     []keyward.Tag `query:"Tags,required"`
}

// TagUser adds tags to a user or replaces their values.
func (s *Service) TagUser(ctx context.Context, c *keyward.Caller, in *TagUserInput) (*struct{}, error) {
	if err := s.tag(ctx, c, "iam:TagUser", tagged{kind: keyward.KindUser, key: in.UserName}, in.Tags); err != nil {
		return nil, err
	}
	return &struct{}{}, nil
}

// UntagUserInput is UntagUser's request.
type UntagUserInput struct {
	UserName string   `query:"UserName,required"`
	TagKeys  []string `query:"TagKeys,required"`
}

// UntagUser removes tags from a user; absent keys are ignored.
func (s *Service) UntagUser(ctx context.Context, c *keyward.Caller, in *UntagUserInput) (*struct{}, error) {
	if err := s.untag(ctx, c, "iam:UntagUser", tagged{kind: keyward.KindUser, key: in.UserName}, in.TagKeys); err != nil {
		return nil, err
	}
	return &struct{}{}, nil
}

// ListUserTagsInput is ListUserTags' request.
type ListUserTagsInput struct {
	UserName string  `query:"UserName,required"`
	Marker   *string `query:"Marker"`
	MaxItems *int32  `query:"MaxItems"`
}

// ListUserTags lists a user's tags, sorted by key.
func (s *Service) ListUserTags(ctx context.Context, c *keyward.Caller, in *ListUserTagsInput) (*ListTagsOutput, error) {
	return s.listTags(ctx, c, "iam:ListUserTags", tagged{kind: keyward.KindUser, key: in.UserName}, in.Marker, in.MaxItems)
}

// Roles.

// TagRoleInput is TagRole's request.
type TagRoleInput struct {
	RoleName string        `query:"RoleName,required"`
	Tags     []keyward.Tag `query:"Tags,required"`
}

// TagRole adds tags to a role or replaces their values.
func (s *Service) TagRole(ctx context.Context, c *keyward.Caller, in *TagRoleInput) (*struct{}, error) {
	if err := s.tag(ctx, c, "iam:TagRole", tagged{kind: keyward.KindRole, key: in.RoleName}, in.Tags); err != nil {
		return nil, err
	}
	return &struct{}{}, nil
}

// UntagRoleInput is UntagRole's request.
type UntagRoleInput struct {
	RoleName string   `query:"RoleName,required"`
	TagKeys  []string `query:"TagKeys,required"`
}

// UntagRole removes tags from a role.
func (s *Service) UntagRole(ctx context.Context, c *keyward.Caller, in *UntagRoleInput) (*struct{}, error) {
	if err := s.untag(ctx, c, "iam:UntagRole", tagged{kind: keyward.KindRole, key: in.RoleName}, in.TagKeys); err != nil {
		return nil, err
	}
	return &struct{}{}, nil
}

// ListRoleTagsInput is ListRoleTags' request.
type ListRoleTagsInput struct {
	RoleName string  `query:"RoleName,required"`
	Marker   *string `query:"Marker"`
	MaxItems *int32  `query:"MaxItems"`
}

// ListRoleTags lists a role's tags.
func (s *Service) ListRoleTags(ctx context.Context, c *keyward.Caller, in *ListRoleTagsInput) (*ListTagsOutput, error) {
	return s.listTags(ctx, c, "iam:ListRoleTags", tagged{kind: keyward.KindRole, key: in.RoleName}, in.Marker, in.MaxItems)
}

// Instance profiles.

// TagInstanceProfileInput is TagInstanceProfile's request.
type TagInstanceProfileInput struct {
	InstanceProfileName string        `query:"InstanceProfileName,required"`
	Tags                []keyward.Tag `query:"Tags,required"`
}

// TagInstanceProfile adds tags to an instance profile.
func (s *Service) TagInstanceProfile(ctx context.Context, c *keyward.Caller, in *TagInstanceProfileInput) (*struct{}, error) {
	if err := s.tag(ctx, c, "iam:TagInstanceProfile", tagged{kind: keyward.KindInstanceProfile, key: in.InstanceProfileName}, in.Tags); err != nil {
		return nil, err
	}
	return &struct{}{}, nil
}

// UntagInstanceProfileInput is UntagInstanceProfile's request.
type UntagInstanceProfileInput struct {
	InstanceProfileName string   `query:"InstanceProfileName,required"`
	TagKeys             []string `query:"TagKeys,required"`
}

// UntagInstanceProfile removes tags from an instance profile.
func (s *Service) UntagInstanceProfile(ctx context.Context, c *keyward.Caller, in *UntagInstanceProfileInput) (*struct{}, error) {
	if err := s.untag(ctx, c, "iam:UntagInstanceProfile", tagged{kind: keyward.KindInstanceProfile, key: in.InstanceProfileName}, in.TagKeys); err != nil {
		return nil, err
	}
	return &struct{}{}, nil
}

// ListInstanceProfileTagsInput is ListInstanceProfileTags' request.
type ListInstanceProfileTagsInput struct {
	InstanceProfileName string  `query:"InstanceProfileName,required"`
	Marker              *string `query:"Marker"`
	MaxItems            *int32  `query:"MaxItems"`
}

// ListInstanceProfileTags lists an instance profile's tags.
func (s *Service) ListInstanceProfileTags(ctx context.Context, c *keyward.Caller, in *ListInstanceProfileTagsInput) (*ListTagsOutput, error) {
	return s.listTags(ctx, c, "iam:ListInstanceProfileTags", tagged{kind: keyward.KindInstanceProfile, key: in.InstanceProfileName}, in.Marker, in.MaxItems)
}

// Managed policies.

// TagPolicyInput is TagPolicy's request.
type TagPolicyInput struct {
	PolicyARN string        `query:"PolicyArn,required"`
	Tags      []keyward.Tag `query:"Tags,required"`
}

// TagPolicy adds tags to a customer-managed policy.
func (s *Service) TagPolicy(ctx context.Context, c *keyward.Caller, in *TagPolicyInput) (*struct{}, error) {
	if err := s.tag(ctx, c, "iam:TagPolicy", tagged{kind: keyward.KindPolicy, key: in.PolicyARN}, in.Tags); err != nil {
		return nil, err
	}
	return &struct{}{}, nil
}

// UntagPolicyInput is UntagPolicy's request.
type UntagPolicyInput struct {
	PolicyARN string   `query:"PolicyArn,required"`
	TagKeys   []string `query:"TagKeys,required"`
}

// UntagPolicy removes tags from a customer-managed policy.
func (s *Service) UntagPolicy(ctx context.Context, c *keyward.Caller, in *UntagPolicyInput) (*struct{}, error) {
	if err := s.untag(ctx, c, "iam:UntagPolicy", tagged{kind: keyward.KindPolicy, key: in.PolicyARN}, in.TagKeys); err != nil {
		return nil, err
	}
	return &struct{}{}, nil
}

// ListPolicyTagsInput is ListPolicyTags' request.
type ListPolicyTagsInput struct {
	PolicyARN string  `query:"PolicyArn,required"`
	Marker    *string `query:"Marker"`
	MaxItems  *int32  `query:"MaxItems"`
}

// ListPolicyTags lists a managed policy's tags.
func (s *Service) ListPolicyTags(ctx context.Context, c *keyward.Caller, in *ListPolicyTagsInput) (*ListTagsOutput, error) {
	return s.listTags(ctx, c, "iam:ListPolicyTags", tagged{kind: keyward.KindPolicy, key: in.PolicyARN, readOnly: true}, in.Marker, in.MaxItems)
}

// OpenID Connect providers.

// TagOpenIDConnectProviderInput is TagOpenIDConnectProvider's request.
type TagOpenIDConnectProviderInput struct {
	OpenIDConnectProviderARN string        `query:"OpenIDConnectProviderArn,required"`
	Tags                     []keyward.Tag `query:"Tags,required"`
}

// TagOpenIDConnectProvider adds tags to an OIDC provider.
func (s *Service) TagOpenIDConnectProvider(ctx context.Context, c *keyward.Caller, in *TagOpenIDConnectProviderInput) (*struct{}, error) {
	if err := s.tag(ctx, c, "iam:TagOpenIDConnectProvider", tagged{kind: keyward.KindOIDCProvider, key: in.OpenIDConnectProviderARN}, in.Tags); err != nil {
		return nil, err
	}
	return &struct{}{}, nil
}

// UntagOpenIDConnectProviderInput is UntagOpenIDConnectProvider's request.
type UntagOpenIDConnectProviderInput struct {
	OpenIDConnectProviderARN string   `query:"OpenIDConnectProviderArn,required"`
	TagKeys                  []string `query:"TagKeys,required"`
}

// UntagOpenIDConnectProvider removes tags from an OIDC provider.
func (s *Service) UntagOpenIDConnectProvider(ctx context.Context, c *keyward.Caller, in *UntagOpenIDConnectProviderInput) (*struct{}, error) {
	if err := s.untag(ctx, c, "iam:UntagOpenIDConnectProvider", tagged{kind: keyward.KindOIDCProvider, key: in.OpenIDConnectProviderARN}, in.TagKeys); err != nil {
		return nil, err
	}
	return &struct{}{}, nil
}

// ListOpenIDConnectProviderTagsInput is ListOpenIDConnectProviderTags'
// request.
type ListOpenIDConnectProviderTagsInput struct {
	OpenIDConnectProviderARN string  `query:"OpenIDConnectProviderArn,required"`
	Marker                   *string `query:"Marker"`
	MaxItems                 *int32  `query:"MaxItems"`
}

// ListOpenIDConnectProviderTags lists an OIDC provider's tags.
func (s *Service) ListOpenIDConnectProviderTags(ctx context.Context, c *keyward.Caller, in *ListOpenIDConnectProviderTagsInput) (*ListTagsOutput, error) {
	return s.listTags(ctx, c, "iam:ListOpenIDConnectProviderTags", tagged{kind: keyward.KindOIDCProvider, key: in.OpenIDConnectProviderARN}, in.Marker, in.MaxItems)
}
