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
