package authz

import (
	"context"
	"strings"

	"github.com/keyward/keyward"
)

// PrincipalTags returns the tags aws:PrincipalTag/KEY reads for c: its user's
// or role's tags, overridden by its session tags. Root has none. It uses the
// same cache as Evaluate, and reads the store in a transaction of its own
// when the cache has no current copy.
func (a *Authorizer) PrincipalTags(ctx context.Context, c *keyward.Caller) (map[string]string, error) {
	tags, err := a.PrincipalTagsIn(nil, c)
	if err == errNeedTx {
		err = a.store.View(ctx, func(tx keyward.Tx) error {
			tags, err = a.PrincipalTagsIn(tx, c)
			return err
		})
	}
	return tags, err
}

// Live returns nil when c's user or role still exists (root always does),
// and AWS's InvalidClientTokenId when it was deleted after c's credentials
// were issued: a session dies with its principal, even one made again
// under its name. Every authorized action checks it as it decides; an
// action that authorizes nothing (sts:GetCallerIdentity) asks here. It
// uses the same cache as Evaluate.
func (a *Authorizer) Live(ctx context.Context, c *keyward.Caller) error {
	if isRoot(c) {
		return nil
	}
	_, err := a.principal(nil, c)
	if err == errNeedTx {
		err = a.store.View(ctx, func(tx keyward.Tx) error {
			_, err := a.principal(tx, c)
			return err
		})
	}
	return err
}

// PrincipalTagsIn is PrincipalTags in the caller's transaction tx (nil:
// from the cache only, errNeedTx without a current copy), for an action
// that reads them as it acts. A session tag replaces the entity's tag of
// the same key in any letter case, as condition keys compare (the policy
// context folds them), and keeps its own spelling.
func (a *Authorizer) PrincipalTagsIn(tx keyward.Tx, c *keyward.Caller) (map[string]string, error) {
	tags := map[string]string{}
	var entity []keyward.Tag
	if !isRoot(c) {
		pp, err := a.principal(tx, c)
		if err != nil {
			return nil, err
		}
		entity = pp.tags
	}
	for _, t := range entity {
		if !hasTagKey(c.SessionTags, t.Key) {
			tags[t.Key] = t.Value
		}
	}
	for _, t := range c.SessionTags {
		tags[t.Key] = t.Value
	}
	return tags, nil
}

// hasTagKey reports whether tags hold key in any letter case.
func hasTagKey(tags []keyward.Tag, key string) bool {
	for _, t := range tags {
		if strings.EqualFold(t.Key, key) {
			return true
		}
	}
	return false
}

// RequestTags adds to extra the condition keys of a request that sets
// tags (an entity's, or a session's): aws:RequestTag/KEY for each tag and
// aws:TagKeys listing the keys. It returns extra, made when nil and
// needed; with no tags, extra as it was.
func RequestTags(extra map[string][]string, tags []keyward.Tag) map[string][]string {
	if len(tags) == 0 {
		return extra
	}
	if extra == nil {
		extra = make(map[string][]string, len(tags)+1)
	}
	keys := make([]string, len(tags))
	for i, t := range tags {
		keys[i] = t.Key
		extra["aws:RequestTag/"+t.Key] = []string{t.Value}
	}
	extra["aws:TagKeys"] = keys
	return extra
}
