package storetest

import (
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/keyward/keyward"
)

// Run runs the whole suite against the stores open returns. open is called
// once per subtest and must return a new, empty store; it should register
// the store's Close with t.Cleanup.
func Run(t *testing.T, open func(t *testing.T) keyward.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s keyward.Store)
	}{
		{"Account", testAccount},
		{"User", testUser},
		{"Group", testGroup},
		{"GroupMembership", testGroupMembership},
		{"Role", testRole},
		{"Policy", testPolicy},
		{"PolicyVersion", testPolicyVersion},
		{"ListPolicies", testListPolicies},
		{"Attachment", testAttachment},
		{"AWSManagedPolicyAcrossAccounts", testAWSManagedPolicy},
		{"InlinePolicy", testInlinePolicy},
		{"Tag", testTag},
		{"InstanceProfile", testInstanceProfile},
		{"AccessKey", testAccessKey},
		{"OIDCProvider", testOIDCProvider},
		{"PasswordPolicy", testPasswordPolicy},
		{"LoginProfile", testLoginProfile},
		{"MFADevice", testMFADevice},
		{"UserCredential", testUserCredential},
		{"AccountWideReads", testAccountWideReads},
		{"GetUsers", testGetUsers},
		{"MFADevicePage", testMFADevicePage},
		{"ServerCertificate", testServerCertificate},
		{"SAMLProvider", testSAMLProvider},
		{"ServiceLinkedRoleDeletion", testServiceLinkedRoleDeletion},
		{"KeyRing", testKeyRing},
		{"Outbound", testOutbound},
		{"TrustAnchor", testTrustAnchor},
		{"RolesAnywhereProfile", testRolesAnywhereProfile},
		{"CRL", testCRL},
		{"RolesAnywhereSubject", testRolesAnywhereSubject},
		{"DelegationRequest", testDelegationRequest},
		{"DeleteConflict", testDeleteConflict},
		{"Pagination", testPagination},
		{"Rollback", testRollback},
		{"ViewIsReadOnly", testViewIsReadOnly},
		{"ConcurrentUpdates", testConcurrentUpdates},
		{"CountEntities", testCountEntities},
		{"ActivityLog", testActivityLog},
		{"Generations", testGenerations},
		{"ConsoleSessions", testConsoleSessions},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.fn(t, open(t))
		})
	}
}

const (
	acct  = "111122223333"
	acct2 = "444455556666"
)

// t0 has microsecond precision: the finest PostgreSQL keeps.
var t0 = time.Date(2026, 3, 4, 5, 6, 7, 123456000, time.UTC)

var idSeq atomic.Int64

// newID returns a unique ID with AWS's prefix.
func newID(prefix string) string { return fmt.Sprintf("%s%016X", prefix, idSeq.Add(1)) }

func newUser(account, name string) keyward.User {
	return keyward.User{AccountID: account, ID: newID("AIDA"), Name: name, Path: "/",
		ARN: "arn:aws:iam::" + account + ":user/" + name, CreateDate: t0}
}

func newGroup(account, name string) keyward.Group {
	return keyward.Group{AccountID: account, ID: newID("AGPA"), Name: name, Path: "/",
		ARN: "arn:aws:iam::" + account + ":group/" + name, CreateDate: t0}
}

func newRole(account, name string) keyward.Role {
	return keyward.Role{AccountID: account, ID: newID("AROA"), Name: name, Path: "/",
		ARN:                      "arn:aws:iam::" + account + ":role/" + name,
		AssumeRolePolicyDocument: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`,
		MaxSessionDuration:       3600, CreateDate: t0}
}

func newPolicy(account, name string) keyward.ManagedPolicy {
	return keyward.ManagedPolicy{AccountID: account, ID: newID("ANPA"), Name: name, Path: "/",
		ARN: "arn:aws:iam::" + account + ":policy/" + name, IsAttachable: true, CreateDate: t0, UpdateDate: t0}
}

func newProfile(account, name string) keyward.InstanceProfile {
	return keyward.InstanceProfile{AccountID: account, ID: newID("AIPA"), Name: name, Path: "/",
		ARN: "arn:aws:iam::" + account + ":instance-profile/" + name, CreateDate: t0}
}

func newKey(account, user string) keyward.AccessKey {
	return keyward.AccessKey{AccountID: account, UserName: user, AccessKeyID: newID("AKIA"),
		SecretCiphertext: []byte("sealed:" + user), Status: keyward.StatusActive, CreateDate: t0}
}

const doc1 = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`
const doc2 = `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}`

var cmpOpts = []cmp.Option{cmpopts.EquateEmpty()}

// update runs fn in s.Update and fails the test on error.
func update(t *testing.T, s keyward.Store, fn func(tx keyward.Tx) error) {
	t.Helper()
	if err := s.Update(t.Context(), fn); err != nil {
		t.Fatalf("Update: %v", err)
	}
}

// view runs fn in s.View and fails the test on error.
func view(t *testing.T, s keyward.Store, fn func(tx keyward.Tx) error) {
	t.Helper()
	if err := s.View(t.Context(), fn); err != nil {
		t.Fatalf("View: %v", err)
	}
}

// wantCode checks that err is a *keyward.Error with code and a message,
// whatever its words.
func wantCode(t *testing.T, call string, err error, code string) {
	t.Helper()
	var e *keyward.Error
	if !errors.As(err, &e) {
		t.Errorf("%s = %v, want a *keyward.Error with code %s", call, err, code)
		return
	}
	if e.Code != code {
		t.Errorf("%s code = %q (%s), want %q", call, e.Code, e.Message, code)
	}
	if e.Message == "" {
		t.Errorf("%s: error %s has no message", call, e.Code)
	}
}

func wantOK(t *testing.T, call string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s = %v, want nil", call, err)
	}
}

// wantTwoPages checks a listing of two items, first and second: whole with
// no marker, then one item a page, the second page ending the list.
func wantTwoPages[T any](t *testing.T, call string, list func(keyward.ListOptions) ([]T, string, error), first, second T) {
	t.Helper()
	all, next, err := list(keyward.ListOptions{})
	wantOK(t, call, err)
	diff(t, call, []T{first, second}, all)
	if next != "" {
		t.Errorf("%s next = %q, want \"\"", call, next)
	}
	page, next, err := list(keyward.ListOptions{MaxItems: 1})
	wantOK(t, call+"(MaxItems 1)", err)
	diff(t, call+"(MaxItems 1)", []T{first}, page)
	page, next, err = list(keyward.ListOptions{MaxItems: 1, Marker: next})
	wantOK(t, call+"(page 2)", err)
	diff(t, call+"(page 2)", []T{second}, page)
	if next != "" {
		t.Errorf("%s(page 2) next = %q, want \"\"", call, next)
	}
}

func diff(t *testing.T, call string, want, got any) {
	t.Helper()
	if d := cmp.Diff(want, got, cmpOpts...); d != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", call, d)
	}
}
