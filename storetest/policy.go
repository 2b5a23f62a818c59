package storetest

import (
	"strings"
	"testing"
	"time"

	"github.com/keyward/keyward"
)

func testPolicy(t *testing.T, s keyward.Store) {
	p := newPolicy(acct, "ReadS3")
	p.Description = "reads"
	p.Path = "/team/"
	p.ARN = "arn:aws:iam::" + acct + ":policy/team/ReadS3"
	aws := newPolicy(keyward.AWSAccountID, "ReadS3") // same name, AWS-managed: allowed
	aws.ARN = "arn:aws:iam::aws:policy/ReadS3"
	update(t, s, func(tx keyward.Tx) error {
		p.DefaultVersionID = "v7" // ignored
		wantOK(t, "CreatePolicy", tx.CreatePolicy(p, doc1))
		wantOK(t, "CreatePolicy(aws)", tx.CreatePolicy(aws, doc2))
		dup := newPolicy(acct, "reads3")
		wantCode(t, "CreatePolicy(reads3)", tx.CreatePolicy(dup, doc1), keyward.ErrEntityAlreadyExists)
		return nil
	})
	p.DefaultVersionID, aws.DefaultVersionID = "v1", "v1"
	view(t, s, func(tx keyward.Tx) error {
		got, err := tx.GetPolicy(p.ARN)
		wantOK(t, "GetPolicy", err)
		diff(t, "GetPolicy", p, got)
		got, err = tx.GetPolicy(strings.ToUpper(p.ARN))
		wantOK(t, "GetPolicy(upper-case ARN)", err)
		diff(t, "GetPolicy(upper-case ARN)", p, got)
		got, err = tx.GetPolicy(aws.ARN)
		wantOK(t, "GetPolicy(aws)", err)
		diff(t, "GetPolicy(aws)", aws, got)
		_, err = tx.GetPolicy("arn:aws:iam::" + acct + ":policy/nope")
		wantCode(t, "GetPolicy(missing)", err, keyward.ErrNoSuchEntity)
		v, err := tx.GetPolicyVersion(p.ARN, "v1")
		wantOK(t, "GetPolicyVersion(v1)", err)
		diff(t, "GetPolicyVersion(v1)", keyward.PolicyVersion{PolicyARN: p.ARN, VersionID: "v1", Document: doc1,
			IsDefault: true, CreateDate: t0}, v)
		return nil
	})
	update(t, s, func(tx keyward.Tx) error {
		p.Description = "changed"
		p.IsAttachable = false
		p.UpdateDate = t0.Add(time.Hour)
		p.AttachmentCount = 99 // computed: ignored
		wantOK(t, "UpdatePolicy", tx.UpdatePolicy(p))
		bad := p
		bad.DefaultVersionID = "v9"
		wantCode(t, "UpdatePolicy(missing version)", tx.UpdatePolicy(bad), keyward.ErrNoSuchEntity)
		wantCode(t, "UpdatePolicy(missing)", tx.UpdatePolicy(newPolicy(acct, "ghost")), keyward.ErrNoSuchEntity)
		return nil
	})
	p.AttachmentCount = 0
	view(t, s, func(tx keyward.Tx) error {
		got, err := tx.GetPolicy(p.ARN)
		wantOK(t, "GetPolicy", err)
		diff(t, "GetPolicy after update", p, got)
		return nil
	})
	update(t, s, func(tx keyward.Tx) error {
		_, err := tx.CreatePolicyVersion(keyward.PolicyVersion{PolicyARN: p.ARN, Document: doc2, CreateDate: t0})
		wantOK(t, "CreatePolicyVersion", err)
		wantOK(t, "DeletePolicy", tx.DeletePolicy(p.ARN))
		wantCode(t, "DeletePolicy(again)", tx.DeletePolicy(p.ARN), keyward.ErrNoSuchEntity)
		return nil
	})
	view(t, s, func(tx keyward.Tx) error {
		_, err := tx.GetPolicyVersion(p.ARN, "v2")
		wantCode(t, "GetPolicyVersion(deleted policy)", err, keyward.ErrNoSuchEntity)
		_, err = tx.ListPolicyVersions(p.ARN)
		wantCode(t, "ListPolicyVersions(deleted policy)", err, keyward.ErrNoSuchEntity)
		return nil
	})
	// The name is free again, with fresh versions.
	update(t, s, func(tx keyward.Tx) error {
		q := newPolicy(acct, "ReadS3")
		wantOK(t, "CreatePolicy(again)", tx.CreatePolicy(q, doc2))
		vs, err := tx.ListPolicyVersions(q.ARN)
		wantOK(t, "ListPolicyVersions", err)
		diff(t, "ListPolicyVersions(recreated)", []keyward.PolicyVersion{{PolicyARN: q.ARN, VersionID: "v1",
			Document: doc2, IsDefault: true, CreateDate: t0}}, vs)
		return nil
	})
}

func testListPolicies(t *testing.T, s keyward.Store) {
	local := newPolicy(acct, "b-local")
	otherAcct := newPolicy(acct2, "c-other")
	awsA := newPolicy(keyward.AWSAccountID, "a-aws")
	awsA.ARN = "arn:aws:iam::aws:policy/a-aws"
	awsB := newPolicy(keyward.AWSAccountID, "B-local") // same folded name as local, other ARN
	awsB.ARN = "arn:aws:iam::aws:policy/B-local"
	bound := newPolicy(acct, "d-boundary")
	bound.Path = "/b/"
	bound.ARN = "arn:aws:iam::" + acct + ":policy/b/d-boundary"
	update(t, s, func(tx keyward.Tx) error {
		for _, p := range []keyward.ManagedPolicy{local, otherAcct, awsA, awsB, bound} {
			wantOK(t, "CreatePolicy("+p.Name+")", tx.CreatePolicy(p, doc1))
		}
		u := newUser(acct, "u")
		u.PermissionsBoundaryARN = bound.ARN
		wantOK(t, "CreateUser", tx.CreateUser(u))
		wantOK(t, "CreateRole", tx.CreateRole(newRole(acct, "r")))
		wantOK(t, "AttachPolicy", tx.AttachPolicy(keyward.RoleRef(acct, "r"), awsA.ARN))
		return nil
	})
	for _, p := range []*keyward.ManagedPolicy{&local, &otherAcct, &awsA, &awsB, &bound} {
		p.DefaultVersionID = "v1"
	}
	awsA.AttachmentCount = 1
	bound.PermissionsBoundaryUsageCount = 1
	tests := []struct {
		name string
		opts keyward.PolicyListOptions
		want []keyward.ManagedPolicy
	}{
		// Same folded names sort by ARN: account IDs (digits) before "aws".
		{"all", keyward.PolicyListOptions{}, []keyward.ManagedPolicy{awsA, local, awsB, bound}},
		{"scope All", keyward.PolicyListOptions{Scope: keyward.ScopeAll}, []keyward.ManagedPolicy{awsA, local, awsB, bound}},
		{"scope Local", keyward.PolicyListOptions{Scope: keyward.ScopeLocal}, []keyward.ManagedPolicy{local, bound}},
		{"scope AWS", keyward.PolicyListOptions{Scope: keyward.ScopeAWS}, []keyward.ManagedPolicy{awsA, awsB}},
		{"only attached", keyward.PolicyListOptions{OnlyAttached: true}, []keyward.ManagedPolicy{awsA}},
		{"boundaries", keyward.PolicyListOptions{Usage: keyward.UsagePermissionsBoundary}, []keyward.ManagedPolicy{bound}},
		{"permissions policies", keyward.PolicyListOptions{Usage: keyward.UsagePermissionsPolicy}, []keyward.ManagedPolicy{awsA, local, awsB, bound}},
		{"path", keyward.PolicyListOptions{ListOptions: keyward.ListOptions{PathPrefix: "/b"}}, []keyward.ManagedPolicy{bound}},
	}
	view(t, s, func(tx keyward.Tx) error {
		for _, tt := range tests {
			got, next, err := tx.ListPolicies(acct, tt.opts)
			wantOK(t, "ListPolicies("+tt.name+")", err)
			diff(t, "ListPolicies("+tt.name+")", tt.want, got)
			if next != "" {
				t.Errorf("ListPolicies(%s) next = %q, want \"\"", tt.name, next)
			}
		}
		return nil
	})
	for _, tt := range tests {
		checkPages(t, s, "ListPolicies("+tt.name+")", func(tx keyward.Tx, o keyward.ListOptions) ([]keyward.ManagedPolicy, string, error) {
			opts := tt.opts
			opts.Marker, opts.MaxItems = o.Marker, o.MaxItems
			return tx.ListPolicies(acct, opts)
		}, tt.want)
	}
}

// testAWSManagedPolicy checks that an AWS-managed policy used in several
// accounts shows each account only its own entities.
func testAWSManagedPolicy(t *testing.T, s keyward.Store) {
	p := newPolicy(keyward.AWSAccountID, "ReadOnlyAccess")
	p.ARN = "arn:aws:iam::aws:policy/ReadOnlyAccess"
	update(t, s, func(tx keyward.Tx) error {
		wantOK(t, "CreatePolicy", tx.CreatePolicy(p, doc1))
		for _, a := range []string{acct, acct2} {
			for _, name := range []string{"same", "other"} {
				u := newUser(a, name)
				u.PermissionsBoundaryARN = p.ARN
				wantOK(t, "CreateUser", tx.CreateUser(u))
				wantOK(t, "AttachPolicy(user)", tx.AttachPolicy(keyward.UserRef(a, name), p.ARN))
			}
			wantOK(t, "CreateRole", tx.CreateRole(newRole(a, "same")))
			wantOK(t, "AttachPolicy(role)", tx.AttachPolicy(keyward.RoleRef(a, "same"), p.ARN))
		}
		return nil
	})
	view(t, s, func(tx keyward.Tx) error {
		got, err := tx.GetPolicy(p.ARN)
		wantOK(t, "GetPolicy", err)
		if got.AttachmentCount != 6 || got.PermissionsBoundaryUsageCount != 4 {
			t.Errorf("GetPolicy counts = %d, %d, want 6, 4 (all accounts)", got.AttachmentCount, got.PermissionsBoundaryUsageCount)
		}
		got, err = tx.GetPolicyInAccount(acct, p.ARN)
		wantOK(t, "GetPolicyInAccount", err)
		if got.AttachmentCount != 3 || got.PermissionsBoundaryUsageCount != 2 {
			t.Errorf("GetPolicyInAccount counts = %d, %d, want 3, 2", got.AttachmentCount, got.PermissionsBoundaryUsageCount)
		}
		_, err = tx.GetPolicyInAccount(acct, "arn:aws:iam::aws:policy/nope")
		wantCode(t, "GetPolicyInAccount(missing)", err, keyward.ErrNoSuchEntity)
		list, _, err := tx.ListPolicies(acct, keyward.PolicyListOptions{Scope: keyward.ScopeAWS, OnlyAttached: true})
		wantOK(t, "ListPolicies", err)
		if len(list) != 1 || list[0].AttachmentCount != 3 {
			t.Errorf("ListPolicies(AWS, OnlyAttached) = %+v, want ReadOnlyAccess with 3 attachments", list)
		}
		list, _, err = tx.ListPolicies("999999999999", keyward.PolicyListOptions{Scope: keyward.ScopeAWS, OnlyAttached: true})
		wantOK(t, "ListPolicies(unused account)", err)
		if len(list) != 0 {
			t.Errorf("ListPolicies(unused account, OnlyAttached) = %+v, want none", list)
		}
		att, err := tx.ListAttachedPolicies(keyward.UserRef(acct2, "same"))
		wantOK(t, "ListAttachedPolicies", err)
		if len(att) != 1 || att[0].AttachmentCount != 3 {
			t.Errorf("ListAttachedPolicies = %+v, want ReadOnlyAccess with 3 attachments", att)
		}
		es, _, err := tx.ListEntitiesForPolicy(p.ARN, keyward.EntityListOptions{AccountID: acct})
		wantOK(t, "ListEntitiesForPolicy(acct)", err)
		var names []string
		for _, e := range es {
			names = append(names, string(e.Kind)+"/"+e.Name)
		}
		diff(t, "ListEntitiesForPolicy(acct)", []string{"role/same", "user/other", "user/same"}, names)
		bs, _, err := tx.ListEntitiesForPolicy(p.ARN, keyward.EntityListOptions{AccountID: acct2, Usage: keyward.UsagePermissionsBoundary})
		wantOK(t, "ListEntitiesForPolicy(acct2, boundary)", err)
		if len(bs) != 2 {
			t.Errorf("ListEntitiesForPolicy(acct2, boundary) = %+v, want 2 users", bs)
		}
		all, _, err := tx.ListEntitiesForPolicy(p.ARN, keyward.EntityListOptions{})
		wantOK(t, "ListEntitiesForPolicy(all accounts)", err)
		if len(all) != 6 {
			t.Errorf("ListEntitiesForPolicy(all accounts) = %d entities, want 6", len(all))
		}
		return nil
	})
	// Same names in two accounts still page without loss.
	checkPages(t, s, "ListEntitiesForPolicy(all accounts)", func(tx keyward.Tx, o keyward.ListOptions) ([]keyward.PolicyEntity, string, error) {
		return tx.ListEntitiesForPolicy(p.ARN, keyward.EntityListOptions{ListOptions: o})
	}, nil)
}
