package iam

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/keyward/keyward"
)

func TestService_AccessKeys(t *testing.T) {
	s, root := newService(t)
	ctx := context.Background()
	if _, err := s.CreateUser(ctx, root, &CreateUserInput{UserName: "alice"}); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for range 2 {
		out, err := s.CreateAccessKey(ctx, root, &CreateAccessKeyInput{UserName: ptr("ALICE")})
		if err != nil {
			t.Fatal(err)
		}
		k := out.AccessKey
		if !strings.HasPrefix(k.AccessKeyID, "AKIA") || len(k.AccessKeyID) != 20 || len(k.SecretAccessKey) != 40 || k.Status != "Active" || k.UserName != "alice" {
			t.Fatalf("CreateAccessKey = %+v", k)
		}
		ids = append(ids, k.AccessKeyID)
		// The store holds only the sealed secret.
		err = s.Store.View(ctx, func(tx keyward.Tx) error {
			stored, err := tx.GetAccessKey(k.AccessKeyID)
			if err == nil && string(stored.SecretCiphertext) != "sealed:"+k.AccessKeyID {
				t.Errorf("stored secret = %q, want the sealed form", stored.SecretCiphertext)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err := s.CreateAccessKey(ctx, root, &CreateAccessKeyInput{UserName: ptr("alice")})
	wantError(t, "CreateAccessKey(third)", err, keyward.ErrLimitExceeded, "Cannot exceed quota for AccessKeysPerUser: 2")
	_, err = s.CreateAccessKey(ctx, root, &CreateAccessKeyInput{UserName: ptr("nobody")})
	wantCode(t, "CreateAccessKey(nobody)", err, keyward.ErrNoSuchEntity)

	list, err := s.ListAccessKeys(ctx, root, &ListAccessKeysInput{UserName: ptr("alice"), MaxItems: ptr(int32(1))})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.AccessKeyMetadata) != 1 || !list.IsTruncated {
		t.Fatalf("ListAccessKeys(MaxItems 1) = %+v", list)
	}

	if _, err := s.UpdateAccessKey(ctx, root, &UpdateAccessKeyInput{UserName: ptr("alice"), AccessKeyID: ids[0], Status: "Inactive"}); err != nil {
		t.Fatal(err)
	}
	list, err = s.ListAccessKeys(ctx, root, &ListAccessKeysInput{UserName: ptr("alice")})
	if err != nil {
		t.Fatal(err)
	}
	statuses := map[string]string{}
	for _, m := range list.AccessKeyMetadata {
		statuses[m.AccessKeyID] = m.Status
	}
	if statuses[ids[0]] != "Inactive" || statuses[ids[1]] != "Active" {
		t.Fatalf("statuses after UpdateAccessKey = %v", statuses)
	}

	// Another user's key, or root's, is not found under alice.
	if _, err := s.CreateUser(ctx, root, &CreateUserInput{UserName: "bob"}); err != nil {
		t.Fatal(err)
	}
	_, err = s.DeleteAccessKey(ctx, root, &DeleteAccessKeyInput{UserName: ptr("bob"), AccessKeyID: ids[0]})
	wantError(t, "DeleteAccessKey(bob, alice's key)", err, keyward.ErrNoSuchEntity, "The Access Key with id "+ids[0]+" cannot be found.")
	_, err = s.DeleteAccessKey(ctx, rootOf(otherAccount), &DeleteAccessKeyInput{AccessKeyID: ids[0]})
	wantCode(t, "DeleteAccessKey from another account", err, keyward.ErrNoSuchEntity)

	for _, id := range ids {
		if _, err := s.DeleteAccessKey(ctx, root, &DeleteAccessKeyInput{UserName: ptr("alice"), AccessKeyID: id}); err != nil {
			t.Fatal(err)
		}
	}
	list, err = s.ListAccessKeys(ctx, root, &ListAccessKeysInput{UserName: ptr("alice")})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.AccessKeyMetadata) != 0 {
		t.Fatalf("ListAccessKeys after deletes = %+v", list)
	}
	if got := marshal(t, "ListAccessKeys", list); !strings.Contains(got, "<AccessKeyMetadata></AccessKeyMetadata>") {
		t.Fatalf("empty ListAccessKeys = %s", got)
	}
}

func TestService_AccessKeys_Caller(t *testing.T) {
	s, root := newService(t)
	ctx := context.Background()
	// Root without UserName manages root's keys.
	out, err := s.CreateAccessKey(ctx, root, &CreateAccessKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	if out.AccessKey.UserName != "" {
		t.Fatalf("root's key has UserName %q", out.AccessKey.UserName)
	}
	// A user without UserName manages its own, with a policy on itself.
	alice := userCaller(t, s, "alice", allow("iam:*AccessKey*", "arn:aws:iam::111122223333:user/${aws:username}"))
	mine, err := s.CreateAccessKey(ctx, alice, &CreateAccessKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	if mine.AccessKey.UserName != "alice" {
		t.Fatalf("CreateAccessKey() as alice: UserName %q", mine.AccessKey.UserName)
	}
	list, err := s.ListAccessKeys(ctx, alice, &ListAccessKeysInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.AccessKeyMetadata) != 1 || list.AccessKeyMetadata[0].AccessKeyID != mine.AccessKey.AccessKeyID {
		t.Fatalf("ListAccessKeys() as alice = %+v", list)
	}
	// Root's key is not alice's.
	_, err = s.UpdateAccessKey(ctx, alice, &UpdateAccessKeyInput{AccessKeyID: out.AccessKey.AccessKeyID, Status: "Inactive"})
	wantCode(t, "UpdateAccessKey(root's key) as alice", err, keyward.ErrNoSuchEntity)
	userCaller(t, s, "bob")
	_, err = s.CreateAccessKey(ctx, alice, &CreateAccessKeyInput{UserName: ptr("bob")})
	wantCode(t, "CreateAccessKey(bob) as alice", err, keyward.ErrAccessDenied)

	session := &keyward.Caller{Kind: keyward.CallerAssumedRole, AccountID: testAccount, ARN: "arn:aws:sts::111122223333:assumed-role/r/s", RoleName: "r"}
	_, err = s.ListAccessKeys(ctx, session, &ListAccessKeysInput{})
	wantCode(t, "ListAccessKeys() as a role session", err, keyward.ErrValidationError)
}

func TestService_GetAccessKeyLastUsed(t *testing.T) {
	s, root := newService(t)
	ctx := context.Background()
	if _, err := s.CreateUser(ctx, root, &CreateUserInput{UserName: "alice"}); err != nil {
		t.Fatal(err)
	}
	out, err := s.CreateAccessKey(ctx, root, &CreateAccessKeyInput{UserName: ptr("alice")})
	if err != nil {
		t.Fatal(err)
	}
	id := out.AccessKey.AccessKeyID
	got, err := s.GetAccessKeyLastUsed(ctx, root, &GetAccessKeyLastUsedInput{AccessKeyID: id})
	if err != nil {
		t.Fatal(err)
	}
	want := `<GetAccessKeyLastUsedResult><UserName>alice</UserName><AccessKeyLastUsed><ServiceName>N/A</ServiceName><Region>N/A</Region></AccessKeyLastUsed></GetAccessKeyLastUsedResult>`
	if x := marshal(t, "GetAccessKeyLastUsed", got); x != want {
		t.Fatalf("GetAccessKeyLastUsed(unused) =\n%s\nwant\n%s", x, want)
	}
	used := time.Date(2026, 11, 27, 1, 2, 3, 0, time.UTC)
	if err := s.Store.Update(ctx, func(tx keyward.Tx) error {
		return tx.SetAccessKeyLastUsed(id, keyward.AccessKeyLastUsed{Date: used, Service: "iam", Region: "us-east-1"})
	}); err != nil {
		t.Fatal(err)
	}
	got, err = s.GetAccessKeyLastUsed(ctx, root, &GetAccessKeyLastUsedInput{AccessKeyID: id})
	if err != nil {
		t.Fatal(err)
	}
	want = `<GetAccessKeyLastUsedResult><UserName>alice</UserName><AccessKeyLastUsed><LastUsedDate>2026-11-27T01:02:03Z</LastUsedDate><ServiceName>iam</ServiceName><Region>us-east-1</Region></AccessKeyLastUsed></GetAccessKeyLastUsedResult>`
	if x := marshal(t, "GetAccessKeyLastUsed", got); x != want {
		t.Fatalf("GetAccessKeyLastUsed(used) =\n%s\nwant\n%s", x, want)
	}
	_, err = s.GetAccessKeyLastUsed(ctx, rootOf(otherAccount), &GetAccessKeyLastUsedInput{AccessKeyID: id})
	wantCode(t, "GetAccessKeyLastUsed from another account", err, keyward.ErrNoSuchEntity)
	_, err = s.GetAccessKeyLastUsed(ctx, root, &GetAccessKeyLastUsedInput{AccessKeyID: "AKIA2222222222222222"})
	wantCode(t, "GetAccessKeyLastUsed(unknown)", err, keyward.ErrNoSuchEntity)
}
