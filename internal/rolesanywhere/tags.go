package rolesanywhere

import (
	"context"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/internal/authz"
)

// Tags of trust anchors, profiles and CRLs.

// taggable is an entity a tag request names by ARN, as stored.
type taggable struct {
	ref  keyward.EntityRef
	arn  string
	tags []keyward.Tag
}

// taggable finds the entity an ARN names in the caller's account, and
// authorizes action on it (on the ARN as given when it is absent), with
// its tags as aws:ResourceTag/KEY; onAll authorizes on "*" with no
// resource keys instead, for ListTagsForResource, to which AWS's Service
// Authorization Reference gives no resource type.
func (o *op) taggable(action, resourceARN string, extra map[string][]string, onAll bool) (*taggable, error) {
	_, account, kind, id, ok := parseARN(resourceARN)
	var found bool
	t := &taggable{arn: resourceARN}
	if ok && account == o.c.AccountID {
		switch kind {
		case "trust-anchor":
			a, err := o.findTrustAnchor(id)
			if err != nil {
				return nil, err
			}
			found, t.arn, t.tags, t.ref = a.found, a.arn, a.tags, keyward.TrustAnchorRef(a.arn)
		case "profile":
			p, err := o.findProfile(id)
			if err != nil {
				return nil, err
			}
			found, t.arn, t.tags, t.ref = p.found, p.arn, p.tags, keyward.RolesAnywhereProfileRef(p.arn)
		case "crl":
			c, err := o.findCRL(id)
			if err != nil {
				return nil, err
			}
			found, t.arn, t.tags, t.ref = c.found, c.arn, c.tags, keyward.CRLRef(c.arn)
		}
	}
	// An ARN of another region names nothing.
	found = found && t.arn == resourceARN
	resource := resourceARN
	if onAll {
		resource = "*"
	} else {
		extra = resourceTags(extra, t.tags)
	}
	if err := o.authorize(action, resource, extra); err != nil {
		return nil, err
	}
	if !found {
		return nil, keyward.Errorf(ErrResourceNotFound, "The resource %s was not found.", resourceARN)
	}
	return t, nil
}

// TagResourceInput is the model's TagResourceRequest.
type TagResourceInput struct {
	ResourceArn string `json:"resourceArn"`
	Tags        []tag  `json:"tags"`
}

// TagResourceOutput is the model's TagResourceResponse.
type TagResourceOutput struct{}

// TagResource adds tags to a trust anchor, profile or CRL (a key present
// gets the new value). It needs rolesanywhere:TagResource on it, with the
// tags as aws:RequestTag/KEY and aws:TagKeys.
func (s *Service) TagResource(ctx context.Context, r *Request, in *TagResourceInput) (*TagResourceOutput, error) {
	tags := toTags(in.Tags)
	err := s.update(ctx, r, func(o *op) error {
		t, err := o.taggable("rolesanywhere:TagResource", in.ResourceArn, authz.RequestTags(nil, tags), false)
		if err != nil {
			return err
		}
		if err := checkTags(t.tags, tags); err != nil {
			return err
		}
		return o.tx.TagEntity(t.ref, tags)
	})
	if err != nil {
		return nil, err
	}
	return &TagResourceOutput{}, nil
}

// UntagResourceInput is the model's UntagResourceRequest.
type UntagResourceInput struct {
	ResourceArn string   `json:"resourceArn"`
	TagKeys     []string `json:"tagKeys"`
}

// UntagResourceOutput is the model's UntagResourceResponse.
type UntagResourceOutput struct{}

// UntagResource removes tags. It needs rolesanywhere:UntagResource on the
// resource, with the keys as aws:TagKeys.
func (s *Service) UntagResource(ctx context.Context, r *Request, in *UntagResourceInput) (*UntagResourceOutput, error) {
	err := s.update(ctx, r, func(o *op) error {
		var extra map[string][]string
		if len(in.TagKeys) > 0 {
			extra = map[string][]string{"aws:TagKeys": in.TagKeys}
		}
		t, err := o.taggable("rolesanywhere:UntagResource", in.ResourceArn, extra, false)
		if err != nil {
			return err
		}
		return o.tx.UntagEntity(t.ref, in.TagKeys)
	})
	if err != nil {
		return nil, err
	}
	return &UntagResourceOutput{}, nil
}

// ListTagsForResourceInput is the model's ListTagsForResourceRequest.
type ListTagsForResourceInput struct {
	ResourceArn string `json:"resourceArn"`
}

// ListTagsForResourceOutput is the model's ListTagsForResourceResponse.
type ListTagsForResourceOutput struct {
	Tags []tag `json:"tags"`
}

// ListTagsForResource lists a resource's tags. It needs
// rolesanywhere:ListTagsForResource (on "*", as AWS's Service
// Authorization Reference gives the action no resource type).
func (s *Service) ListTagsForResource(ctx context.Context, r *Request, in *ListTagsForResourceInput) (*ListTagsForResourceOutput, error) {
	var out ListTagsForResourceOutput
	err := s.view(ctx, r, func(o *op) error {
		t, err := o.taggable("rolesanywhere:ListTagsForResource", in.ResourceArn, nil, true)
		if err != nil {
			return err
		}
		out.Tags = fromTags(t.tags)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}
