package storetest

import (
	"fmt"
	"testing"

	"github.com/keyward/keyward"
)

func testAttachment(t *testing.T, s keyward.Store) {
	p1, p2 := newPolicy(acct, "p1"), newPolicy(acct, "P2")
	var u keyward.User
	update(t, s, func(tx keyward.Tx) error {
		wantOK(t, "CreatePolicy(p1)", tx.CreatePolicy(p1, doc1))
		wantOK(t, "CreatePolicy(p2)", tx.CreatePolicy(p2, doc2))
		u = newUser(acct, "u")
		u.PermissionsBoundaryARN = p2.ARN
		wantOK(t, "CreateUser", tx.CreateUser(u))
		wantOK(t, "CreateGroup", tx.CreateGroup(newGroup(acct, "g")))
		r := newRole(acct, "r")
		r.PermissionsBoundaryARN = p2.ARN
		wantOK(t, "CreateRole", tx.CreateRole(r))
		for _, ref := range []keyward.EntityRef{keyward.UserRef(acct, "U"), keyward.GroupRef(acct, "g"), keyward.RoleRef(acct, "r")} {
			wantOK(t, fmt.Sprintf("AttachPolicy(%s, p1)", ref.Kind), tx.AttachPolicy(ref, p1.ARN))
			wantOK(t, fmt.Sprintf("AttachPolicy(%s, p1) again", ref.Kind), tx.AttachPolicy(ref, p1.ARN))
		}
		wantOK(t, "AttachPolicy(user, p2)", tx.AttachPolicy(keyward.UserRef(acct, "u"), p2.ARN))
		wantCode(t, "AttachPolicy(missing user)", tx.AttachPolicy(keyward.UserRef(acct, "nope"), p1.ARN), keyward.ErrNoSuchEntity)
		wantCode(t, "AttachPolicy(missing policy)", tx.AttachPolicy(keyward.UserRef(acct, "u"), "arn:aws:iam::"+acct+":policy/nope"), keyward.ErrNoSuchEntity)
		return nil
	})
	p1.DefaultVersionID, p2.DefaultVersionID = "v1", "v1"
	p1.AttachmentCount = 3
	p2.AttachmentCount, p2.PermissionsBoundaryUsageCount = 1, 2
	view(t, s, func(tx keyward.Tx) error {
		got, err := tx.ListAttachedPolicies(keyward.UserRef(acct, "u"))
		wantOK(t, "ListAttachedPolicies(user)", err)
		diff(t, "ListAttachedPolicies(user)", []keyward.ManagedPolicy{p1, p2}, got)
		got, err = tx.ListAttachedPolicies(keyward.GroupRef(acct, "G"))
		wantOK(t, "ListAttachedPolicies(group)", err)
		diff(t, "ListAttachedPolicies(group)", []keyward.ManagedPolicy{p1}, got)
		_, err = tx.ListAttachedPolicies(keyward.RoleRef(acct, "nope"))
		wantCode(t, "ListAttachedPolicies(missing role)", err, keyward.ErrNoSuchEntity)

		all, next, err := tx.ListEntitiesForPolicy(p1.ARN, keyward.EntityListOptions{})
		wantOK(t, "ListEntitiesForPolicy(p1)", err)
		if next != "" {
			t.Errorf("ListEntitiesForPolicy next = %q, want \"\"", next)
		}
		var kinds []keyward.EntityKind
		for _, e := range all {
			kinds = append(kinds, e.Kind)
		}
		diff(t, "ListEntitiesForPolicy(p1) kinds", []keyward.EntityKind{keyward.KindGroup, keyward.KindRole, keyward.KindUser}, kinds)
		users, _, err := tx.ListEntitiesForPolicy(p1.ARN, keyward.EntityListOptions{Kind: keyward.KindUser})
		wantOK(t, "ListEntitiesForPolicy(p1, users)", err)
		diff(t, "ListEntitiesForPolicy(p1, users)", []keyward.PolicyEntity{{Kind: keyward.KindUser, Name: "u", ID: u.ID}}, users)
		bs, _, err := tx.ListEntitiesForPolicy(p2.ARN, keyward.EntityListOptions{Usage: keyward.UsagePermissionsBoundary})
		wantOK(t, "ListEntitiesForPolicy(p2, boundary)", err)
		if len(bs) != 2 || bs[0].Kind != keyward.KindRole || bs[1].Kind != keyward.KindUser {
			t.Errorf("ListEntitiesForPolicy(p2, boundary) = %+v, want role r and user u", bs)
		}
		none, _, err := tx.ListEntitiesForPolicy(p1.ARN, keyward.EntityListOptions{ListOptions: keyward.ListOptions{PathPrefix: "/x/"}})
		wantOK(t, "ListEntitiesForPolicy(path /x/)", err)
		diff(t, "ListEntitiesForPolicy(path /x/)", []keyward.PolicyEntity(nil), none)
		_, _, err = tx.ListEntitiesForPolicy("arn:aws:iam::"+acct+":policy/nope", keyward.EntityListOptions{})
		wantCode(t, "ListEntitiesForPolicy(missing)", err, keyward.ErrNoSuchEntity)
		return nil
	})
	checkPages(t, s, "ListEntitiesForPolicy", func(tx keyward.Tx, o keyward.ListOptions) ([]keyward.PolicyEntity, string, error) {
		return tx.ListEntitiesForPolicy(p1.ARN, keyward.EntityListOptions{ListOptions: o})
	}, nil)
	update(t, s, func(tx keyward.Tx) error {
		wantOK(t, "DetachPolicy", tx.DetachPolicy(keyward.UserRef(acct, "u"), p1.ARN))
		wantCode(t, "DetachPolicy(again)", tx.DetachPolicy(keyward.UserRef(acct, "u"), p1.ARN), keyward.ErrNoSuchEntity)
		wantCode(t, "DetachPolicy(missing policy)", tx.DetachPolicy(keyward.UserRef(acct, "u"), "arn:aws:iam::"+acct+":policy/nope"), keyward.ErrNoSuchEntity)
		return nil
	})
	view(t, s, func(tx keyward.Tx) error {
		got, err := tx.GetPolicy(p1.ARN)
		wantOK(t, "GetPolicy", err)
		if got.AttachmentCount != 2 {
			t.Errorf("GetPolicy(p1).AttachmentCount after detach = %d, want 2", got.AttachmentCount)
		}
		return nil
	})
}
