package iam

import "github.com/keyward/keyward"

// findServerCertificate reads the caller's account's server certificate of
// that name, with its tags.
func (o *op) findServerCertificate(name string) (*entity, error) {
	e := &entity{kind: keyward.KindServerCertificate, name: name,
		arn: entityARN(o.c.AccountID, "server-certificate", "/", name)}
	c, err := o.GetServerCertificate(o.c.AccountID, name)
	if keyward.ErrorCode(err) == keyward.ErrNoSuchEntity {
		return e, nil
	}
	if err != nil {
		return nil, err
	}
	e.found, e.cert, e.name, e.arn = true, c, c.Name, c.ARN
	if e.tags, err = o.ListTags(keyward.ServerCertificateRef(o.c.AccountID, c.Name)); err != nil {
		return nil, err
	}
	return e, nil
}
