package authz

import (
	"context"

	"github.com/keyward/keyward"
)

// PrincipalTags returns the tags aws:PrincipalTag/KEY reads for c: its user's
// or role's tags, overridden by its session tags. Root has none. It uses the
// same cache as Evaluate.
func (a *Authorizer) PrincipalTags(ctx context.Context, c *keyward.Caller) (map[string]string, error) {
	tags := map[string]string{}
	if !isRoot(c) {
		pp, err := a.principal(nil, c)
		if err == errNeedTx {
			err = a.store.View(ctx, func(tx keyward.Tx) error {
				pp, err = a.principal(tx, c)
				return err
			})
		}
		if err != nil {
			return nil, err
		}
		for _, t := range pp.tags {
			tags[t.Key] = t.Value
		}
	}
	for _, t := range c.SessionTags {
		tags[t.Key] = t.Value
	}
	return tags, nil
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
