package authz

import (
	"strings"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/arn"
	"github.com/keyward/keyward/policy"
)

// TrustPolicy returns role's trust policy as IAM shows it and as
// sts:AssumeRole decides on it. Its users and roles were bound to their
// unique IDs when it was saved (Role.TrustPrincipalIDs); each now appears
// under its entity's current ARN (a renamed user under its new name), or
// under its unique ID once deleted, which matches nobody: a user or role
// created again under the old name is not trusted, as in AWS.
func TrustPolicy(tx keyward.Tx, role keyward.Role) (string, error) {
	if len(role.TrustPrincipalIDs) == 0 {
		return role.AssumeRolePolicyDocument, nil
	}
	current := make(map[string]string, len(role.TrustPrincipalIDs))
	for written, id := range role.TrustPrincipalIDs {
		now, err := principalARN(tx, id)
		if err != nil {
			return "", err
		}
		current[written] = now
	}
	doc := policy.MapAWSPrincipals([]byte(role.AssumeRolePolicyDocument), func(v string) string {
		if now, ok := current[v]; ok {
			return now
		}
		return v
	})
	return string(doc), nil
}

// principalARN is the ARN of the user or role with unique ID id, or id
// itself when there is none.
func principalARN(tx keyward.Tx, id string) (string, error) {
	var a string
	var err error
	switch {
	case strings.HasPrefix(id, keyward.PrefixUser):
		var u keyward.User
		u, err = tx.GetUserByID(id)
		a = u.ARN
	case strings.HasPrefix(id, keyward.PrefixRole):
		var r keyward.Role
		r, err = tx.GetRoleByID(id)
		a = r.ARN
	default:
		return id, nil
	}
	if keyward.ErrorCode(err) == keyward.ErrNoSuchEntity {
		return id, nil
	}
	return a, err
}

// BindTrustPrincipals returns what Role.TrustPrincipalIDs records for a
// trust policy doc being saved: the unique ID of each user or role its
// statements name as AWS principals, in accounts of this store. Such a
// principal must exist, as AWS requires ("Invalid principal in policy",
// MalformedPolicyDocument); principals of accounts the store does not
// hold are kept as written. doc must parse as a trust policy.
func BindTrustPrincipals(tx keyward.Tx, doc string) (map[string]string, error) {
	d, err := policy.Parse([]byte(doc), policy.Trust)
	if err != nil {
		return nil, err
	}
	var ids map[string]string
	for _, st := range d.Statements {
		if st.Principal == nil {
			continue
		}
		for _, v := range st.Principal.AWS {
			if _, done := ids[v]; done {
				continue
			}
			p := arn.ParsePrincipal(v)
			if p.Kind != arn.User && p.Kind != arn.Role {
				continue
			}
			if _, err := tx.GetAccount(p.AccountID); keyward.ErrorCode(err) == keyward.ErrNoSuchEntity {
				continue
			} else if err != nil {
				return nil, err
			}
			var id, stored string
			if p.Kind == arn.User {
				u, err := tx.GetUser(p.AccountID, p.Name)
				if err != nil && keyward.ErrorCode(err) != keyward.ErrNoSuchEntity {
					return nil, err
				}
				id, stored = u.ID, u.ARN
			} else {
				r, err := tx.GetRole(p.AccountID, p.Name)
				if err != nil && keyward.ErrorCode(err) != keyward.ErrNoSuchEntity {
					return nil, err
				}
				id, stored = r.ID, r.ARN
			}
			if id == "" || !strings.EqualFold(stored, v) {
				return nil, keyward.Errorf(keyward.ErrMalformedPolicyDocument, "Invalid principal in policy: \"AWS\":\"%s\"", v)
			}
			if ids == nil {
				ids = make(map[string]string)
			}
			ids[v] = id
		}
	}
	return ids, nil
}
