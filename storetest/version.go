package storetest

import (
	"strings"
	"testing"
	"time"

	"github.com/keyward/keyward"
)

func testPolicyVersion(t *testing.T, s keyward.Store) {
	p := newPolicy(acct, "P")
	t1 := t0.Add(time.Second)
	update(t, s, func(tx keyward.Tx) error {
		wantOK(t, "CreatePolicy", tx.CreatePolicy(p, doc1))
		v2, err := tx.CreatePolicyVersion(keyward.PolicyVersion{PolicyARN: strings.ToUpper(p.ARN), Document: doc2,
			CreateDate: t1})
		wantOK(t, "CreatePolicyVersion(v2)", err)
		diff(t, "CreatePolicyVersion(v2)", keyward.PolicyVersion{PolicyARN: p.ARN, VersionID: "v2", Document: doc2,
			CreateDate: t1}, v2)
		v3, err := tx.CreatePolicyVersion(keyward.PolicyVersion{PolicyARN: p.ARN, Document: doc1, IsDefault: true,
			CreateDate: t1})
		wantOK(t, "CreatePolicyVersion(v3)", err)
		if v3.VersionID != "v3" || !v3.IsDefault {
			t.Errorf("CreatePolicyVersion(v3) = %+v, want v3, default", v3)
		}
		_, err = tx.CreatePolicyVersion(keyward.PolicyVersion{PolicyARN: p.ARN, VersionID: "v2", Document: doc1})
		wantCode(t, "CreatePolicyVersion(v2 again)", err, keyward.ErrEntityAlreadyExists)
		_, err = tx.CreatePolicyVersion(keyward.PolicyVersion{PolicyARN: "arn:aws:iam::" + acct + ":policy/nope",
			Document: doc1})
		wantCode(t, "CreatePolicyVersion(missing policy)", err, keyward.ErrNoSuchEntity)
		return nil
	})
	view(t, s, func(tx keyward.Tx) error {
		got, err := tx.GetPolicy(p.ARN)
		wantOK(t, "GetPolicy", err)
		if got.DefaultVersionID != "v3" {
			t.Errorf("GetPolicy().DefaultVersionID = %q, want v3", got.DefaultVersionID)
		}
		vs, err := tx.ListPolicyVersions(p.ARN)
		wantOK(t, "ListPolicyVersions", err)
		diff(t, "ListPolicyVersions", []keyward.PolicyVersion{
			{PolicyARN: p.ARN, VersionID: "v3", Document: doc1, IsDefault: true, CreateDate: t1},
			{PolicyARN: p.ARN, VersionID: "v2", Document: doc2, CreateDate: t1},
			{PolicyARN: p.ARN, VersionID: "v1", Document: doc1, CreateDate: t0},
		}, vs)
		_, err = tx.GetPolicyVersion(p.ARN, "v4")
		wantCode(t, "GetPolicyVersion(v4)", err, keyward.ErrNoSuchEntity)
		return nil
	})
	update(t, s, func(tx keyward.Tx) error {
		wantCode(t, "DeletePolicyVersion(default v3)", tx.DeletePolicyVersion(p.ARN, "v3"), keyward.ErrDeleteConflict)
		wantOK(t, "DeletePolicyVersion(v3 after default moves)", func() error {
			got, err := tx.GetPolicy(p.ARN)
			if err != nil {
				return err
			}
			got.DefaultVersionID = "v1"
			if err := tx.UpdatePolicy(got); err != nil {
				return err
			}
			return tx.DeletePolicyVersion(p.ARN, "v3")
		}())
		wantCode(t, "DeletePolicyVersion(v3 again)", tx.DeletePolicyVersion(p.ARN, "v3"), keyward.ErrNoSuchEntity)
		// Numbers are never reused: the next version is v4.
		v, err := tx.CreatePolicyVersion(keyward.PolicyVersion{PolicyARN: p.ARN, Document: doc2, CreateDate: t1})
		wantOK(t, "CreatePolicyVersion(after delete)", err)
		if v.VersionID != "v4" {
			t.Errorf("CreatePolicyVersion after deleting v3 = %q, want v4", v.VersionID)
		}
		return nil
	})
	view(t, s, func(tx keyward.Tx) error {
		vs, err := tx.ListPolicyVersions(p.ARN)
		wantOK(t, "ListPolicyVersions", err)
		var ids []string
		for _, v := range vs {
			ids = append(ids, v.VersionID)
			if v.IsDefault != (v.VersionID == "v1") {
				t.Errorf("ListPolicyVersions: %s IsDefault = %v", v.VersionID, v.IsDefault)
			}
		}
		diff(t, "ListPolicyVersions ids", []string{"v4", "v2", "v1"}, ids)
		return nil
	})
}
