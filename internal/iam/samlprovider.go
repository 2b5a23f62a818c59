package iam

import (
	"strings"

	"github.com/keyward/keyward"
)

// findSAMLProvider reads the caller's account's SAML provider arn names,
// with its tags; another account's providers are invisible.
func (o *op) findSAMLProvider(arn string) (*entity, error) {
	e := &entity{kind: keyward.KindSAMLProvider, arn: arn}
	if !strings.HasPrefix(arn, "arn:aws:iam::"+o.c.AccountID+":saml-provider/") {
		return e, nil
	}
	p, err := o.GetSAMLProvider(arn)
	if keyward.ErrorCode(err) == keyward.ErrNoSuchEntity {
		return e, nil
	}
	if err != nil {
		return nil, err
	}
	e.found, e.saml, e.name, e.arn = true, p, p.Name, p.ARN
	if e.tags, err = o.ListTags(keyward.SAMLProviderRef(p.ARN)); err != nil {
		return nil, err
	}
	return e, nil
}
