package storetest

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
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
		{"ServiceLinkedRoleDeletion", testServiceLinkedRoleDeletion},
		{"KeyRing", testKeyRing},
		{"DeleteConflict", testDeleteConflict},
		{"Pagination", testPagination},
		{"Rollback", testRollback},
		{"ViewIsReadOnly", testViewIsReadOnly},
		{"ConcurrentUpdates", testConcurrentUpdates},
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

// wantCode checks that err is a *keyward.Error with code.
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

func diff(t *testing.T, call string, want, got any) {
	t.Helper()
	if d := cmp.Diff(want, got, cmpOpts...); d != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", call, d)
	}
}

func testAccount(t *testing.T, s keyward.Store) {
	a := keyward.Account{ID: acct, CreateDate: t0}
	b := keyward.Account{ID: acct2, Alias: "example-corp", CreateDate: t0}
	update(t, s, func(tx keyward.Tx) error {
		wantOK(t, "CreateAccount(a)", tx.CreateAccount(a))
		wantOK(t, "CreateAccount(b)", tx.CreateAccount(b))
		wantCode(t, "CreateAccount(a again)", tx.CreateAccount(a), keyward.ErrEntityAlreadyExists)
		wantCode(t, "CreateAccount(alias taken)",
			tx.CreateAccount(keyward.Account{ID: "999988887777", Alias: "example-corp"}), keyward.ErrEntityAlreadyExists)
		return nil
	})
	view(t, s, func(tx keyward.Tx) error {
		got, err := tx.GetAccount(acct)
		wantOK(t, "GetAccount", err)
		diff(t, "GetAccount", a, got)
		got, err = tx.GetAccountByAlias("example-corp")
		wantOK(t, "GetAccountByAlias", err)
		diff(t, "GetAccountByAlias", b, got)
		_, err = tx.GetAccount("000000000000")
		wantCode(t, "GetAccount(missing)", err, keyward.ErrNoSuchEntity)
		_, err = tx.GetAccountByAlias("nope")
		wantCode(t, "GetAccountByAlias(missing)", err, keyward.ErrNoSuchEntity)
		all, err := tx.ListAccounts()
		wantOK(t, "ListAccounts", err)
		diff(t, "ListAccounts", []keyward.Account{a, b}, all)
		return nil
	})
	update(t, s, func(tx keyward.Tx) error {
		wantCode(t, "UpdateAccount(alias of b)", tx.UpdateAccount(keyward.Account{ID: acct, Alias: "example-corp"}),
			keyward.ErrEntityAlreadyExists)
		wantCode(t, "UpdateAccount(missing)", tx.UpdateAccount(keyward.Account{ID: "000000000000"}),
			keyward.ErrNoSuchEntity)
		b.Alias = ""
		wantOK(t, "UpdateAccount(b no alias)", tx.UpdateAccount(b))
		a.Alias = "example-corp"
		wantOK(t, "UpdateAccount(a takes alias)", tx.UpdateAccount(a))
		return nil
	})
	view(t, s, func(tx keyward.Tx) error {
		got, err := tx.GetAccountByAlias("example-corp")
		wantOK(t, "GetAccountByAlias", err)
		diff(t, "GetAccountByAlias after move", a, got)
		got, err = tx.GetAccount(acct2)
		wantOK(t, "GetAccount(b)", err)
		diff(t, "GetAccount(b)", b, got)
		return nil
	})
}

func testUser(t *testing.T, s keyward.Store) {
	alice := newUser(acct, "Alice")
	alice.Path = "/eng/"
	alice.ARN = "arn:aws:iam::" + acct + ":user/eng/Alice"
	alice.PermissionsBoundaryARN = "arn:aws:iam::" + acct + ":policy/Boundary"
	alice.PasswordLastUsed = t0.Add(time.Hour)
	other := newUser(acct2, "alice") // same name, other account: allowed
	update(t, s, func(tx keyward.Tx) error {
		wantOK(t, "CreateUser(Alice)", tx.CreateUser(alice))
		wantOK(t, "CreateUser(other account)", tx.CreateUser(other))
		err := tx.CreateUser(newUser(acct, "ALICE"))
		wantCode(t, "CreateUser(ALICE)", err, keyward.ErrEntityAlreadyExists)
		dupID := newUser(acct, "bob")
		dupID.ID = alice.ID
		wantCode(t, "CreateUser(duplicate ID)", tx.CreateUser(dupID), keyward.ErrEntityAlreadyExists)
		return nil
	})
	view(t, s, func(tx keyward.Tx) error {
		for _, name := range []string{"Alice", "alice", "ALICE"} {
			got, err := tx.GetUser(acct, name)
			wantOK(t, fmt.Sprintf("GetUser(%q)", name), err)
			diff(t, fmt.Sprintf("GetUser(%q)", name), alice, got)
		}
		got, err := tx.GetUserByID(alice.ID)
		wantOK(t, "GetUserByID", err)
		diff(t, "GetUserByID", alice, got)
		got, err = tx.GetUser(acct2, "alice")
		wantOK(t, "GetUser(other account)", err)
		diff(t, "GetUser(other account)", other, got)
		_, err = tx.GetUser(acct, "bob")
		wantCode(t, "GetUser(bob)", err, keyward.ErrNoSuchEntity)
		if err != nil && !strings.Contains(keyward.ErrorMessage(err), "bob") {
			t.Errorf("GetUser(bob) message %q does not name the user", keyward.ErrorMessage(err))
		}
		_, err = tx.GetUserByID("AIDANOTHERE")
		wantCode(t, "GetUserByID(missing)", err, keyward.ErrNoSuchEntity)
		return nil
	})

	// Rename, and the old name is free again.
	bob := newUser(acct, "bob")
	update(t, s, func(tx keyward.Tx) error {
		wantOK(t, "CreateUser(bob)", tx.CreateUser(bob))
		renamed := alice
		renamed.Name = "BOB"
		wantCode(t, "UpdateUser(rename onto bob)", tx.UpdateUser(renamed), keyward.ErrEntityAlreadyExists)
		alice.Name, alice.Path, alice.ARN = "Alicia", "/", "arn:aws:iam::"+acct+":user/Alicia"
		alice.PermissionsBoundaryARN = ""
		alice.PasswordLastUsed = time.Time{}
		wantOK(t, "UpdateUser(rename)", tx.UpdateUser(alice))
		missing := newUser(acct, "ghost")
		wantCode(t, "UpdateUser(missing)", tx.UpdateUser(missing), keyward.ErrNoSuchEntity)
		return nil
	})
	view(t, s, func(tx keyward.Tx) error {
		got, err := tx.GetUser(acct, "alicia")
		wantOK(t, "GetUser(alicia)", err)
		diff(t, "GetUser after rename", alice, got)
		_, err = tx.GetUser(acct, "Alice")
		wantCode(t, "GetUser(old name)", err, keyward.ErrNoSuchEntity)
		users, next, err := tx.ListUsers(acct, keyward.ListOptions{})
		wantOK(t, "ListUsers", err)
		diff(t, "ListUsers", []keyward.User{alice, bob}, users)
		if next != "" {
			t.Errorf("ListUsers next = %q, want \"\"", next)
		}
		return nil
	})
	update(t, s, func(tx keyward.Tx) error {
		wantOK(t, "DeleteUser(ALICIA)", tx.DeleteUser(acct, "ALICIA"))
		wantCode(t, "DeleteUser(again)", tx.DeleteUser(acct, "alicia"), keyward.ErrNoSuchEntity)
		wantOK(t, "CreateUser(Alice again)", tx.CreateUser(newUser(acct, "Alice")))
		return nil
	})
	view(t, s, func(tx keyward.Tx) error {
		_, err := tx.GetUserByID(alice.ID)
		wantCode(t, "GetUserByID(deleted)", err, keyward.ErrNoSuchEntity)
		users, _, err := tx.ListUsers(acct, keyward.ListOptions{})
		wantOK(t, "ListUsers", err)
		if len(users) != 2 {
			t.Errorf("ListUsers after delete = %d users, want 2", len(users))
		}
		return nil
	})
}

func testGroup(t *testing.T, s keyward.Store) {
	admins := newGroup(acct, "Admins")
	update(t, s, func(tx keyward.Tx) error {
		wantOK(t, "CreateGroup", tx.CreateGroup(admins))
		wantCode(t, "CreateGroup(admins)", tx.CreateGroup(newGroup(acct, "admins")), keyward.ErrEntityAlreadyExists)
		wantOK(t, "CreateGroup(other account)", tx.CreateGroup(newGroup(acct2, "admins")))
		return nil
	})
	view(t, s, func(tx keyward.Tx) error {
		got, err := tx.GetGroup(acct, "ADMINS")
		wantOK(t, "GetGroup", err)
		diff(t, "GetGroup", admins, got)
		_, err = tx.GetGroup(acct, "ops")
		wantCode(t, "GetGroup(missing)", err, keyward.ErrNoSuchEntity)
		return nil
	})
	update(t, s, func(tx keyward.Tx) error {
		admins.Name, admins.Path, admins.ARN = "Root", "/x/", "arn:aws:iam::"+acct+":group/x/Root"
		wantOK(t, "UpdateGroup", tx.UpdateGroup(admins))
		wantCode(t, "UpdateGroup(missing)", tx.UpdateGroup(newGroup(acct, "ghost")), keyward.ErrNoSuchEntity)
		dup := newGroup(acct, "other")
		wantOK(t, "CreateGroup(other)", tx.CreateGroup(dup))
		dup.Name = "root"
		wantCode(t, "UpdateGroup(rename onto Root)", tx.UpdateGroup(dup), keyward.ErrEntityAlreadyExists)
		return nil
	})
	view(t, s, func(tx keyward.Tx) error {
		got, err := tx.GetGroup(acct, "root")
		wantOK(t, "GetGroup(root)", err)
		diff(t, "GetGroup after rename", admins, got)
		gs, _, err := tx.ListGroups(acct, keyward.ListOptions{PathPrefix: "/x/"})
		wantOK(t, "ListGroups(/x/)", err)
		diff(t, "ListGroups(/x/)", []keyward.Group{admins}, gs)
		return nil
	})
	update(t, s, func(tx keyward.Tx) error {
		wantOK(t, "DeleteGroup", tx.DeleteGroup(acct, "Root"))
		wantCode(t, "DeleteGroup(again)", tx.DeleteGroup(acct, "Root"), keyward.ErrNoSuchEntity)
		return nil
	})
}

func testGroupMembership(t *testing.T, s keyward.Store) {
	u1, u2 := newUser(acct, "u1"), newUser(acct, "u2")
	g1, g2 := newGroup(acct, "g1"), newGroup(acct, "G2")
	update(t, s, func(tx keyward.Tx) error {
		for _, u := range []keyward.User{u1, u2} {
			wantOK(t, "CreateUser", tx.CreateUser(u))
		}
		for _, g := range []keyward.Group{g2, g1} {
			wantOK(t, "CreateGroup", tx.CreateGroup(g))
		}
		wantOK(t, "AddUserToGroup(g1, u1)", tx.AddUserToGroup(acct, "g1", "u1"))
		wantOK(t, "AddUserToGroup(g1, u1) again", tx.AddUserToGroup(acct, "G1", "U1"))
		wantOK(t, "AddUserToGroup(g2, u1)", tx.AddUserToGroup(acct, "g2", "u1"))
		wantOK(t, "AddUserToGroup(g1, u2)", tx.AddUserToGroup(acct, "g1", "u2"))
		wantCode(t, "AddUserToGroup(missing group)", tx.AddUserToGroup(acct, "nope", "u1"), keyward.ErrNoSuchEntity)
		wantCode(t, "AddUserToGroup(missing user)", tx.AddUserToGroup(acct, "g1", "nope"), keyward.ErrNoSuchEntity)
		wantCode(t, "AddUserToGroup(other account)", tx.AddUserToGroup(acct2, "g1", "u1"), keyward.ErrNoSuchEntity)
		return nil
	})
	view(t, s, func(tx keyward.Tx) error {
		gs, err := tx.ListGroupsForUser(acct, "U1")
		wantOK(t, "ListGroupsForUser(u1)", err)
		diff(t, "ListGroupsForUser(u1)", []keyward.Group{g1, g2}, gs)
		us, next, err := tx.ListGroupMembers(acct, "g1", keyward.ListOptions{})
		wantOK(t, "ListGroupMembers(g1)", err)
		diff(t, "ListGroupMembers(g1)", []keyward.User{u1, u2}, us)
		if next != "" {
			t.Errorf("ListGroupMembers next = %q, want \"\"", next)
		}
		_, err = tx.ListGroupsForUser(acct, "nope")
		wantCode(t, "ListGroupsForUser(missing)", err, keyward.ErrNoSuchEntity)
		_, _, err = tx.ListGroupMembers(acct, "nope", keyward.ListOptions{})
		wantCode(t, "ListGroupMembers(missing)", err, keyward.ErrNoSuchEntity)
		return nil
	})
	update(t, s, func(tx keyward.Tx) error {
		wantOK(t, "RemoveUserFromGroup", tx.RemoveUserFromGroup(acct, "g1", "u1"))
		wantCode(t, "RemoveUserFromGroup(again)", tx.RemoveUserFromGroup(acct, "g1", "u1"), keyward.ErrNoSuchEntity)
		wantCode(t, "RemoveUserFromGroup(missing group)", tx.RemoveUserFromGroup(acct, "nope", "u1"), keyward.ErrNoSuchEntity)
		// Renaming a member keeps the membership.
		u2.Name = "u2-renamed"
		wantOK(t, "UpdateUser", tx.UpdateUser(u2))
		return nil
	})
	view(t, s, func(tx keyward.Tx) error {
		gs, err := tx.ListGroupsForUser(acct, "u1")
		wantOK(t, "ListGroupsForUser(u1)", err)
		diff(t, "ListGroupsForUser(u1) after remove", []keyward.Group{g2}, gs)
		us, _, err := tx.ListGroupMembers(acct, "g1", keyward.ListOptions{})
		wantOK(t, "ListGroupMembers(g1)", err)
		diff(t, "ListGroupMembers(g1) after rename", []keyward.User{u2}, us)
		return nil
	})
}

func testRole(t *testing.T, s keyward.Store) {
	r := newRole(acct, "Deployer")
	r.Description = "deploys things"
	r.MaxSessionDuration = 7200
	r.PermissionsBoundaryARN = "arn:aws:iam::" + acct + ":policy/B"
	update(t, s, func(tx keyward.Tx) error {
		wantOK(t, "CreateRole", tx.CreateRole(r))
		wantCode(t, "CreateRole(deployer)", tx.CreateRole(newRole(acct, "deployer")), keyward.ErrEntityAlreadyExists)
		return nil
	})
	view(t, s, func(tx keyward.Tx) error {
		got, err := tx.GetRole(acct, "DEPLOYER")
		wantOK(t, "GetRole", err)
		diff(t, "GetRole", r, got)
		got, err = tx.GetRoleByID(r.ID)
		wantOK(t, "GetRoleByID", err)
		diff(t, "GetRoleByID", r, got)
		_, err = tx.GetRole(acct, "nope")
		wantCode(t, "GetRole(missing)", err, keyward.ErrNoSuchEntity)
		_, err = tx.GetRole(acct2, "Deployer")
		wantCode(t, "GetRole(other account)", err, keyward.ErrNoSuchEntity)
		_, err = tx.GetRoleByID("AROANOPE")
		wantCode(t, "GetRoleByID(missing)", err, keyward.ErrNoSuchEntity)
		return nil
	})
	update(t, s, func(tx keyward.Tx) error {
		r.AssumeRolePolicyDocument = doc2
		r.Description = ""
		r.MaxSessionDuration = 43200
		r.PermissionsBoundaryARN = ""
		r.LastUsedDate = t0.Add(time.Minute)
		r.LastUsedRegion = "eu-west-1"
		r.TrustPrincipalIDs = map[string]string{"arn:aws:iam::" + acct + ":user/alice": "AIDAALICEALICEALICE12"}
		wantOK(t, "UpdateRole", tx.UpdateRole(r))
		wantCode(t, "UpdateRole(missing)", tx.UpdateRole(newRole(acct, "ghost")), keyward.ErrNoSuchEntity)
		return nil
	})
	view(t, s, func(tx keyward.Tx) error {
		got, err := tx.GetRole(acct, "deployer")
		wantOK(t, "GetRole", err)
		diff(t, "GetRole after update", r, got)
		rs, next, err := tx.ListRoles(acct, keyward.ListOptions{})
		wantOK(t, "ListRoles", err)
		diff(t, "ListRoles", []keyward.Role{r}, rs)
		if next != "" {
			t.Errorf("ListRoles next = %q, want \"\"", next)
		}
		return nil
	})
	update(t, s, func(tx keyward.Tx) error {
		wantOK(t, "DeleteRole", tx.DeleteRole(acct, "Deployer"))
		wantCode(t, "DeleteRole(again)", tx.DeleteRole(acct, "Deployer"), keyward.ErrNoSuchEntity)
		return nil
	})
}

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

func testInlinePolicy(t *testing.T, s keyward.Store) {
	owners := []keyward.EntityRef{keyward.UserRef(acct, "u"), keyward.GroupRef(acct, "g"), keyward.RoleRef(acct, "r")}
	update(t, s, func(tx keyward.Tx) error {
		wantOK(t, "CreateUser", tx.CreateUser(newUser(acct, "u")))
		wantOK(t, "CreateGroup", tx.CreateGroup(newGroup(acct, "g")))
		wantOK(t, "CreateRole", tx.CreateRole(newRole(acct, "r")))
		return nil
	})
	for _, owner := range owners {
		t.Run(string(owner.Kind), func(t *testing.T) {
			update(t, s, func(tx keyward.Tx) error {
				wantOK(t, "PutInlinePolicy(Beta)", tx.PutInlinePolicy(keyward.InlinePolicy{Owner: owner, PolicyName: "Beta", Document: doc1}))
				wantOK(t, "PutInlinePolicy(alpha)", tx.PutInlinePolicy(keyward.InlinePolicy{Owner: owner, PolicyName: "alpha", Document: doc1}))
				wantOK(t, "PutInlinePolicy(BETA replaces)", tx.PutInlinePolicy(keyward.InlinePolicy{Owner: owner, PolicyName: "BETA", Document: doc2}))
				missing := owner
				missing.Name = "nope"
				wantCode(t, "PutInlinePolicy(missing owner)", tx.PutInlinePolicy(keyward.InlinePolicy{Owner: missing, PolicyName: "x", Document: doc1}), keyward.ErrNoSuchEntity)
				return nil
			})
			view(t, s, func(tx keyward.Tx) error {
				got, err := tx.GetInlinePolicy(owner, "beta")
				wantOK(t, "GetInlinePolicy(beta)", err)
				diff(t, "GetInlinePolicy(beta)", keyward.InlinePolicy{Owner: owner, PolicyName: "Beta", Document: doc2}, got)
				_, err = tx.GetInlinePolicy(owner, "gamma")
				wantCode(t, "GetInlinePolicy(gamma)", err, keyward.ErrNoSuchEntity)
				all, err := tx.ListInlinePolicies(owner)
				wantOK(t, "ListInlinePolicies", err)
				diff(t, "ListInlinePolicies", []keyward.InlinePolicy{
					{Owner: owner, PolicyName: "alpha", Document: doc1},
					{Owner: owner, PolicyName: "Beta", Document: doc2},
				}, all)
				return nil
			})
			update(t, s, func(tx keyward.Tx) error {
				wantOK(t, "DeleteInlinePolicy(ALPHA)", tx.DeleteInlinePolicy(owner, "ALPHA"))
				wantCode(t, "DeleteInlinePolicy(alpha again)", tx.DeleteInlinePolicy(owner, "alpha"), keyward.ErrNoSuchEntity)
				all, err := tx.ListInlinePolicies(owner)
				wantOK(t, "ListInlinePolicies", err)
				if len(all) != 1 {
					t.Errorf("ListInlinePolicies after delete = %d policies, want 1", len(all))
				}
				return nil
			})
		})
	}
	view(t, s, func(tx keyward.Tx) error {
		_, err := tx.ListInlinePolicies(keyward.UserRef(acct, "nope"))
		wantCode(t, "ListInlinePolicies(missing user)", err, keyward.ErrNoSuchEntity)
		return nil
	})
}

func testTag(t *testing.T, s keyward.Store) {
	p := newPolicy(acct, "p")
	oidc := keyward.OIDCProvider{AccountID: acct, ARN: "arn:aws:iam::" + acct + ":oidc-provider/token.example.com",
		URL: "https://token.example.com", ClientIDs: []string{"sts.amazonaws.com"}, CreateDate: t0}
	refs := []keyward.EntityRef{
		keyward.UserRef(acct, "u"), keyward.GroupRef(acct, "g"), keyward.RoleRef(acct, "r"),
		keyward.InstanceProfileRef(acct, "ip"), keyward.PolicyRef(p.ARN), keyward.OIDCProviderRef(oidc.ARN),
	}
	update(t, s, func(tx keyward.Tx) error {
		wantOK(t, "CreateUser", tx.CreateUser(newUser(acct, "u")))
		wantOK(t, "CreateGroup", tx.CreateGroup(newGroup(acct, "g")))
		wantOK(t, "CreateRole", tx.CreateRole(newRole(acct, "r")))
		wantOK(t, "CreateInstanceProfile", tx.CreateInstanceProfile(newProfile(acct, "ip")))
		wantOK(t, "CreatePolicy", tx.CreatePolicy(p, doc1))
		wantOK(t, "CreateOIDCProvider", tx.CreateOIDCProvider(oidc))
		return nil
	})
	for _, ref := range refs {
		t.Run(string(ref.Kind), func(t *testing.T) {
			update(t, s, func(tx keyward.Tx) error {
				wantOK(t, "TagEntity", tx.TagEntity(ref, []keyward.Tag{{Key: "team", Value: "a"}, {Key: "Env", Value: "prod"}, {Key: "empty", Value: ""}}))
				wantOK(t, "TagEntity(TEAM)", tx.TagEntity(ref, []keyward.Tag{{Key: "TEAM", Value: "b"}}))
				return nil
			})
			view(t, s, func(tx keyward.Tx) error {
				got, err := tx.ListTags(ref)
				wantOK(t, "ListTags", err)
				diff(t, "ListTags", []keyward.Tag{{Key: "empty", Value: ""}, {Key: "Env", Value: "prod"}, {Key: "TEAM", Value: "b"}}, got)
				return nil
			})
			update(t, s, func(tx keyward.Tx) error {
				wantOK(t, "UntagEntity", tx.UntagEntity(ref, []string{"env", "absent"}))
				got, err := tx.ListTags(ref)
				wantOK(t, "ListTags", err)
				diff(t, "ListTags after untag", []keyward.Tag{{Key: "empty", Value: ""}, {Key: "TEAM", Value: "b"}}, got)
				return nil
			})
		})
	}
	// Tags are per entity: another user has none.
	update(t, s, func(tx keyward.Tx) error {
		wantOK(t, "CreateUser(v)", tx.CreateUser(newUser(acct, "v")))
		got, err := tx.ListTags(keyward.UserRef(acct, "v"))
		wantOK(t, "ListTags(v)", err)
		diff(t, "ListTags(v)", []keyward.Tag(nil), got)
		for _, ref := range []keyward.EntityRef{keyward.UserRef(acct, "nope"), keyward.PolicyRef("arn:aws:iam::" + acct + ":policy/nope"),
			keyward.OIDCProviderRef("arn:aws:iam::" + acct + ":oidc-provider/nope"), keyward.InstanceProfileRef(acct, "nope")} {
			wantCode(t, fmt.Sprintf("TagEntity(missing %s)", ref.Kind), tx.TagEntity(ref, []keyward.Tag{{Key: "k", Value: "v"}}), keyward.ErrNoSuchEntity)
			_, err := tx.ListTags(ref)
			wantCode(t, fmt.Sprintf("ListTags(missing %s)", ref.Kind), err, keyward.ErrNoSuchEntity)
			wantCode(t, fmt.Sprintf("UntagEntity(missing %s)", ref.Kind), tx.UntagEntity(ref, []string{"k"}), keyward.ErrNoSuchEntity)
		}
		return nil
	})
	// Deleting an entity deletes its tags: a new entity of the same name starts bare.
	update(t, s, func(tx keyward.Tx) error {
		wantOK(t, "DeleteUser", tx.DeleteUser(acct, "u"))
		wantOK(t, "CreateUser(u again)", tx.CreateUser(newUser(acct, "u")))
		got, err := tx.ListTags(keyward.UserRef(acct, "u"))
		wantOK(t, "ListTags(new u)", err)
		diff(t, "ListTags(new u)", []keyward.Tag(nil), got)
		wantOK(t, "DeletePolicy", tx.DeletePolicy(p.ARN))
		wantOK(t, "DeleteOIDCProvider", tx.DeleteOIDCProvider(oidc.ARN))
		wantOK(t, "CreateOIDCProvider(again)", tx.CreateOIDCProvider(oidc))
		got, err = tx.ListTags(keyward.OIDCProviderRef(oidc.ARN))
		wantOK(t, "ListTags(new oidc)", err)
		diff(t, "ListTags(new oidc)", []keyward.Tag(nil), got)
		return nil
	})
}

func testInstanceProfile(t *testing.T, s keyward.Store) {
	ip := newProfile(acct, "Web")
	r := newRole(acct, "r")
	update(t, s, func(tx keyward.Tx) error {
		wantOK(t, "CreateRole", tx.CreateRole(r))
		ip.Roles = []keyward.Role{r} // ignored
		wantOK(t, "CreateInstanceProfile", tx.CreateInstanceProfile(ip))
		ip.Roles = nil
		wantCode(t, "CreateInstanceProfile(web)", tx.CreateInstanceProfile(newProfile(acct, "web")), keyward.ErrEntityAlreadyExists)
		return nil
	})
	view(t, s, func(tx keyward.Tx) error {
		got, err := tx.GetInstanceProfile(acct, "WEB")
		wantOK(t, "GetInstanceProfile", err)
		diff(t, "GetInstanceProfile", ip, got)
		_, err = tx.GetInstanceProfile(acct, "nope")
		wantCode(t, "GetInstanceProfile(missing)", err, keyward.ErrNoSuchEntity)
		return nil
	})
	update(t, s, func(tx keyward.Tx) error {
		wantOK(t, "AddRoleToInstanceProfile", tx.AddRoleToInstanceProfile(acct, "web", "R"))
		wantCode(t, "AddRoleToInstanceProfile(again)", tx.AddRoleToInstanceProfile(acct, "web", "r"), keyward.ErrEntityAlreadyExists)
		wantCode(t, "AddRoleToInstanceProfile(missing role)", tx.AddRoleToInstanceProfile(acct, "web", "nope"), keyward.ErrNoSuchEntity)
		wantCode(t, "AddRoleToInstanceProfile(missing profile)", tx.AddRoleToInstanceProfile(acct, "nope", "r"), keyward.ErrNoSuchEntity)
		return nil
	})
	ip.Roles = []keyward.Role{r}
	view(t, s, func(tx keyward.Tx) error {
		got, err := tx.GetInstanceProfile(acct, "web")
		wantOK(t, "GetInstanceProfile", err)
		diff(t, "GetInstanceProfile with role", ip, got)
		all, next, err := tx.ListInstanceProfiles(acct, keyward.ListOptions{})
		wantOK(t, "ListInstanceProfiles", err)
		diff(t, "ListInstanceProfiles", []keyward.InstanceProfile{ip}, all)
		if next != "" {
			t.Errorf("ListInstanceProfiles next = %q, want \"\"", next)
		}
		forRole, _, err := tx.ListInstanceProfilesForRole(acct, "r", keyward.ListOptions{})
		wantOK(t, "ListInstanceProfilesForRole", err)
		diff(t, "ListInstanceProfilesForRole", []keyward.InstanceProfile{ip}, forRole)
		_, _, err = tx.ListInstanceProfilesForRole(acct, "nope", keyward.ListOptions{})
		wantCode(t, "ListInstanceProfilesForRole(missing)", err, keyward.ErrNoSuchEntity)
		return nil
	})
	update(t, s, func(tx keyward.Tx) error {
		wantCode(t, "DeleteInstanceProfile(with role)", tx.DeleteInstanceProfile(acct, "web"), keyward.ErrDeleteConflict)
		wantOK(t, "RemoveRoleFromInstanceProfile", tx.RemoveRoleFromInstanceProfile(acct, "web", "r"))
		wantCode(t, "RemoveRoleFromInstanceProfile(again)", tx.RemoveRoleFromInstanceProfile(acct, "web", "r"), keyward.ErrNoSuchEntity)
		wantOK(t, "DeleteInstanceProfile", tx.DeleteInstanceProfile(acct, "web"))
		wantCode(t, "DeleteInstanceProfile(again)", tx.DeleteInstanceProfile(acct, "web"), keyward.ErrNoSuchEntity)
		return nil
	})
}

func testAccessKey(t *testing.T, s keyward.Store) {
	root := newKey(acct, "")
	k1 := newKey(acct, "alice")
	k2 := newKey(acct, "alice")
	k2.CreateDate = t0.Add(time.Second)
	k2.Status = keyward.StatusInactive
	update(t, s, func(tx keyward.Tx) error {
		wantOK(t, "CreateUser", tx.CreateUser(newUser(acct, "Alice")))
		wantOK(t, "CreateAccessKey(root)", tx.CreateAccessKey(root))
		wantOK(t, "CreateAccessKey(k2)", tx.CreateAccessKey(k2))
		wantOK(t, "CreateAccessKey(k1)", tx.CreateAccessKey(k1))
		wantCode(t, "CreateAccessKey(k1 again)", tx.CreateAccessKey(k1), keyward.ErrEntityAlreadyExists)
		other := k1
		other.AccountID = acct2
		other.UserName = ""
		wantCode(t, "CreateAccessKey(k1's ID in another account)", tx.CreateAccessKey(other), keyward.ErrEntityAlreadyExists)
		wantCode(t, "CreateAccessKey(missing user)", tx.CreateAccessKey(newKey(acct, "nope")), keyward.ErrNoSuchEntity)
		return nil
	})
	k1.UserName, k2.UserName = "Alice", "Alice" // the user's name as created
	view(t, s, func(tx keyward.Tx) error {
		got, err := tx.GetAccessKey(k1.AccessKeyID)
		wantOK(t, "GetAccessKey(k1)", err)
		diff(t, "GetAccessKey(k1)", k1, got)
		got, err = tx.GetAccessKey(root.AccessKeyID)
		wantOK(t, "GetAccessKey(root)", err)
		diff(t, "GetAccessKey(root)", root, got)
		_, err = tx.GetAccessKey(strings.ToLower(k1.AccessKeyID))
		wantCode(t, "GetAccessKey(lower-case ID)", err, keyward.ErrNoSuchEntity)
		keys, err := tx.ListAccessKeys(acct, "alice")
		wantOK(t, "ListAccessKeys(alice)", err)
		diff(t, "ListAccessKeys(alice)", []keyward.AccessKey{k1, k2}, keys)
		keys, err = tx.ListAccessKeys(acct, "")
		wantOK(t, "ListAccessKeys(root)", err)
		diff(t, "ListAccessKeys(root)", []keyward.AccessKey{root}, keys)
		keys, err = tx.ListAccessKeys(acct2, "")
		wantOK(t, "ListAccessKeys(other root)", err)
		diff(t, "ListAccessKeys(other root)", []keyward.AccessKey(nil), keys)
		_, err = tx.ListAccessKeys(acct, "nope")
		wantCode(t, "ListAccessKeys(missing user)", err, keyward.ErrNoSuchEntity)
		return nil
	})
	used := keyward.AccessKeyLastUsed{Date: t0.Add(time.Hour), Service: "sts", Region: "us-east-1"}
	update(t, s, func(tx keyward.Tx) error {
		wantOK(t, "SetAccessKeyStatus", tx.SetAccessKeyStatus(k1.AccessKeyID, keyward.StatusInactive))
		wantOK(t, "SetAccessKeyLastUsed", tx.SetAccessKeyLastUsed(k1.AccessKeyID, used))
		wantCode(t, "SetAccessKeyStatus(missing)", tx.SetAccessKeyStatus("AKIANOPE", keyward.StatusActive), keyward.ErrNoSuchEntity)
		wantCode(t, "SetAccessKeyLastUsed(missing)", tx.SetAccessKeyLastUsed("AKIANOPE", used), keyward.ErrNoSuchEntity)
		// Renaming the user carries the keys along.
		u, err := tx.GetUser(acct, "alice")
		wantOK(t, "GetUser", err)
		u.Name = "Alicia"
		wantOK(t, "UpdateUser", tx.UpdateUser(u))
		return nil
	})
	k1.Status = keyward.StatusInactive
	k1.LastUsedDate, k1.LastUsedService, k1.LastUsedRegion = used.Date, used.Service, used.Region
	k1.UserName, k2.UserName = "Alicia", "Alicia"
	view(t, s, func(tx keyward.Tx) error {
		got, err := tx.GetAccessKey(k1.AccessKeyID)
		wantOK(t, "GetAccessKey", err)
		diff(t, "GetAccessKey after update", k1, got)
		keys, err := tx.ListAccessKeys(acct, "alicia")
		wantOK(t, "ListAccessKeys(alicia)", err)
		diff(t, "ListAccessKeys(alicia)", []keyward.AccessKey{k1, k2}, keys)
		return nil
	})
	update(t, s, func(tx keyward.Tx) error {
		wantOK(t, "DeleteAccessKey", tx.DeleteAccessKey(k1.AccessKeyID))
		wantCode(t, "DeleteAccessKey(again)", tx.DeleteAccessKey(k1.AccessKeyID), keyward.ErrNoSuchEntity)
		_, err := tx.GetAccessKey(k1.AccessKeyID)
		wantCode(t, "GetAccessKey(deleted)", err, keyward.ErrNoSuchEntity)
		return nil
	})
}

func testOIDCProvider(t *testing.T, s keyward.Store) {
	p := keyward.OIDCProvider{AccountID: acct, ARN: "arn:aws:iam::" + acct + ":oidc-provider/token.example.com/x",
		URL: "https://token.example.com/x", ClientIDs: []string{"a", "b"},
		Thumbprints: []string{"9e99a48a9960b14926bb7f3b02e22da2b0ab7280"}, CreateDate: t0}
	q := keyward.OIDCProvider{AccountID: acct, ARN: "arn:aws:iam::" + acct + ":oidc-provider/a.example.com",
		URL: "https://a.example.com", CreateDate: t0}
	update(t, s, func(tx keyward.Tx) error {
		wantOK(t, "CreateOIDCProvider(p)", tx.CreateOIDCProvider(p))
		wantOK(t, "CreateOIDCProvider(q)", tx.CreateOIDCProvider(q))
		wantCode(t, "CreateOIDCProvider(p again)", tx.CreateOIDCProvider(p), keyward.ErrEntityAlreadyExists)
		return nil
	})
	view(t, s, func(tx keyward.Tx) error {
		got, err := tx.GetOIDCProvider(p.ARN)
		wantOK(t, "GetOIDCProvider", err)
		diff(t, "GetOIDCProvider", p, got)
		_, err = tx.GetOIDCProvider("arn:aws:iam::" + acct + ":oidc-provider/nope")
		wantCode(t, "GetOIDCProvider(missing)", err, keyward.ErrNoSuchEntity)
		all, err := tx.ListOIDCProviders(acct)
		wantOK(t, "ListOIDCProviders", err)
		diff(t, "ListOIDCProviders", []keyward.OIDCProvider{q, p}, all)
		all, err = tx.ListOIDCProviders(acct2)
		wantOK(t, "ListOIDCProviders(other)", err)
		diff(t, "ListOIDCProviders(other)", []keyward.OIDCProvider(nil), all)
		return nil
	})
	update(t, s, func(tx keyward.Tx) error {
		p.ClientIDs = []string{"c"}
		p.Thumbprints = nil
		wantOK(t, "UpdateOIDCProvider", tx.UpdateOIDCProvider(p))
		wantCode(t, "UpdateOIDCProvider(missing)", tx.UpdateOIDCProvider(keyward.OIDCProvider{ARN: "arn:aws:iam::" + acct + ":oidc-provider/nope"}), keyward.ErrNoSuchEntity)
		return nil
	})
	view(t, s, func(tx keyward.Tx) error {
		got, err := tx.GetOIDCProvider(p.ARN)
		wantOK(t, "GetOIDCProvider", err)
		diff(t, "GetOIDCProvider after update", p, got)
		return nil
	})
	update(t, s, func(tx keyward.Tx) error {
		wantOK(t, "DeleteOIDCProvider", tx.DeleteOIDCProvider(p.ARN))
		wantCode(t, "DeleteOIDCProvider(again)", tx.DeleteOIDCProvider(p.ARN), keyward.ErrNoSuchEntity)
		return nil
	})
}

func testPasswordPolicy(t *testing.T, s keyward.Store) {
	p := keyward.PasswordPolicy{AccountID: acct, MinimumPasswordLength: 14, RequireSymbols: true,
		RequireNumbers: true, RequireUppercaseCharacters: true, RequireLowercaseCharacters: true,
		AllowUsersToChangePassword: true, ExpirePasswords: true, MaxPasswordAge: 90, PasswordReusePrevention: 5,
		HardExpiry: true}
	update(t, s, func(tx keyward.Tx) error {
		_, err := tx.GetPasswordPolicy(acct)
		wantCode(t, "GetPasswordPolicy(unset)", err, keyward.ErrNoSuchEntity)
		wantCode(t, "DeletePasswordPolicy(unset)", tx.DeletePasswordPolicy(acct), keyward.ErrNoSuchEntity)
		wantOK(t, "PutPasswordPolicy", tx.PutPasswordPolicy(p))
		got, err := tx.GetPasswordPolicy(acct)
		wantOK(t, "GetPasswordPolicy", err)
		diff(t, "GetPasswordPolicy", p, got)
		p = keyward.PasswordPolicy{AccountID: acct, MinimumPasswordLength: 8}
		wantOK(t, "PutPasswordPolicy(replace)", tx.PutPasswordPolicy(p))
		got, err = tx.GetPasswordPolicy(acct)
		wantOK(t, "GetPasswordPolicy", err)
		diff(t, "GetPasswordPolicy after replace", p, got)
		_, err = tx.GetPasswordPolicy(acct2)
		wantCode(t, "GetPasswordPolicy(other account)", err, keyward.ErrNoSuchEntity)
		wantOK(t, "DeletePasswordPolicy", tx.DeletePasswordPolicy(acct))
		_, err = tx.GetPasswordPolicy(acct)
		wantCode(t, "GetPasswordPolicy(deleted)", err, keyward.ErrNoSuchEntity)
		return nil
	})
}

func testServiceLinkedRoleDeletion(t *testing.T, s keyward.Store) {
	d := keyward.ServiceLinkedRoleDeletion{TaskID: "task/aws-service-role/elasticbeanstalk.amazonaws.com/AWSServiceRoleForElasticBeanstalk/1f8f5b0e",
		AccountID: acct, RoleName: "AWSServiceRoleForElasticBeanstalk", Status: keyward.DeletionInProgress, CreateDate: t0}
	update(t, s, func(tx keyward.Tx) error {
		wantOK(t, "CreateServiceLinkedRoleDeletion", tx.CreateServiceLinkedRoleDeletion(d))
		wantCode(t, "CreateServiceLinkedRoleDeletion(again)", tx.CreateServiceLinkedRoleDeletion(d), keyward.ErrEntityAlreadyExists)
		got, err := tx.GetServiceLinkedRoleDeletion(d.TaskID)
		wantOK(t, "GetServiceLinkedRoleDeletion", err)
		diff(t, "GetServiceLinkedRoleDeletion", d, got)
		d.Status, d.Reason = keyward.DeletionFailed, "in use"
		wantOK(t, "UpdateServiceLinkedRoleDeletion", tx.UpdateServiceLinkedRoleDeletion(d))
		got, err = tx.GetServiceLinkedRoleDeletion(d.TaskID)
		wantOK(t, "GetServiceLinkedRoleDeletion", err)
		diff(t, "GetServiceLinkedRoleDeletion after update", d, got)
		_, err = tx.GetServiceLinkedRoleDeletion("task/nope")
		wantCode(t, "GetServiceLinkedRoleDeletion(missing)", err, keyward.ErrNoSuchEntity)
		wantCode(t, "UpdateServiceLinkedRoleDeletion(missing)", tx.UpdateServiceLinkedRoleDeletion(keyward.ServiceLinkedRoleDeletion{TaskID: "task/nope"}), keyward.ErrNoSuchEntity)
		return nil
	})
}

func testKeyRing(t *testing.T, s keyward.Store) {
	old := keyward.KeyRingEntry{ID: "k-old", Material: []byte{1, 2, 3}, CreateDate: t0, NotAfter: t0.Add(48 * time.Hour)}
	cur := keyward.KeyRingEntry{ID: "k-cur", Material: []byte{4, 5, 6, 0, 255}, CreateDate: t0.Add(time.Hour)}
	update(t, s, func(tx keyward.Tx) error {
		wantOK(t, "CreateKeyRingEntry(cur)", tx.CreateKeyRingEntry(cur))
		wantOK(t, "CreateKeyRingEntry(old)", tx.CreateKeyRingEntry(old))
		wantCode(t, "CreateKeyRingEntry(old again)", tx.CreateKeyRingEntry(old), keyward.ErrEntityAlreadyExists)
		return nil
	})
	view(t, s, func(tx keyward.Tx) error {
		got, err := tx.ListKeyRingEntries()
		wantOK(t, "ListKeyRingEntries", err)
		diff(t, "ListKeyRingEntries", []keyward.KeyRingEntry{old, cur}, got)
		return nil
	})
	update(t, s, func(tx keyward.Tx) error {
		wantOK(t, "DeleteKeyRingEntry", tx.DeleteKeyRingEntry(old.ID))
		wantCode(t, "DeleteKeyRingEntry(again)", tx.DeleteKeyRingEntry(old.ID), keyward.ErrNoSuchEntity)
		got, err := tx.ListKeyRingEntries()
		wantOK(t, "ListKeyRingEntries", err)
		diff(t, "ListKeyRingEntries after delete", []keyward.KeyRingEntry{cur}, got)
		return nil
	})
}

// testDeleteConflict checks that the store refuses to delete entities that
// others still depend on, and that each dependency, once gone, unblocks.
func testDeleteConflict(t *testing.T, s keyward.Store) {
	p := newPolicy(acct, "p")
	key := newKey(acct, "u")
	update(t, s, func(tx keyward.Tx) error {
		wantOK(t, "CreatePolicy", tx.CreatePolicy(p, doc1))
		wantOK(t, "CreateUser", tx.CreateUser(newUser(acct, "u")))
		wantOK(t, "CreateGroup", tx.CreateGroup(newGroup(acct, "g")))
		wantOK(t, "CreateRole", tx.CreateRole(newRole(acct, "r")))
		wantOK(t, "CreateInstanceProfile", tx.CreateInstanceProfile(newProfile(acct, "ip")))
		return nil
	})
	type step struct {
		name   string
		add    func(tx keyward.Tx) error
		remove func(tx keyward.Tx) error
	}
	tests := []struct {
		name   string
		delete func(tx keyward.Tx) error
		deps   []step
	}{
		{"user", func(tx keyward.Tx) error { return tx.DeleteUser(acct, "u") }, []step{
			{"access key", func(tx keyward.Tx) error { return tx.CreateAccessKey(key) },
				func(tx keyward.Tx) error { return tx.DeleteAccessKey(key.AccessKeyID) }},
			{"group", func(tx keyward.Tx) error { return tx.AddUserToGroup(acct, "g", "u") },
				func(tx keyward.Tx) error { return tx.RemoveUserFromGroup(acct, "g", "u") }},
			{"attached", func(tx keyward.Tx) error { return tx.AttachPolicy(keyward.UserRef(acct, "u"), p.ARN) },
				func(tx keyward.Tx) error { return tx.DetachPolicy(keyward.UserRef(acct, "u"), p.ARN) }},
			{"inline", func(tx keyward.Tx) error {
				return tx.PutInlinePolicy(keyward.InlinePolicy{Owner: keyward.UserRef(acct, "u"), PolicyName: "i", Document: doc1})
			}, func(tx keyward.Tx) error { return tx.DeleteInlinePolicy(keyward.UserRef(acct, "u"), "i") }},
		}},
		{"group", func(tx keyward.Tx) error { return tx.DeleteGroup(acct, "g") }, []step{
			{"member", func(tx keyward.Tx) error { return tx.AddUserToGroup(acct, "g", "u") },
				func(tx keyward.Tx) error { return tx.RemoveUserFromGroup(acct, "g", "u") }},
			{"attached", func(tx keyward.Tx) error { return tx.AttachPolicy(keyward.GroupRef(acct, "g"), p.ARN) },
				func(tx keyward.Tx) error { return tx.DetachPolicy(keyward.GroupRef(acct, "g"), p.ARN) }},
			{"inline", func(tx keyward.Tx) error {
				return tx.PutInlinePolicy(keyward.InlinePolicy{Owner: keyward.GroupRef(acct, "g"), PolicyName: "i", Document: doc1})
			}, func(tx keyward.Tx) error { return tx.DeleteInlinePolicy(keyward.GroupRef(acct, "g"), "i") }},
		}},
		{"role", func(tx keyward.Tx) error { return tx.DeleteRole(acct, "r") }, []step{
			{"instance profile", func(tx keyward.Tx) error { return tx.AddRoleToInstanceProfile(acct, "ip", "r") },
				func(tx keyward.Tx) error { return tx.RemoveRoleFromInstanceProfile(acct, "ip", "r") }},
			{"attached", func(tx keyward.Tx) error { return tx.AttachPolicy(keyward.RoleRef(acct, "r"), p.ARN) },
				func(tx keyward.Tx) error { return tx.DetachPolicy(keyward.RoleRef(acct, "r"), p.ARN) }},
			{"inline", func(tx keyward.Tx) error {
				return tx.PutInlinePolicy(keyward.InlinePolicy{Owner: keyward.RoleRef(acct, "r"), PolicyName: "i", Document: doc1})
			}, func(tx keyward.Tx) error { return tx.DeleteInlinePolicy(keyward.RoleRef(acct, "r"), "i") }},
		}},
		{"policy", func(tx keyward.Tx) error { return tx.DeletePolicy(p.ARN) }, []step{
			{"attached to a group", func(tx keyward.Tx) error { return tx.AttachPolicy(keyward.GroupRef(acct, "g"), p.ARN) },
				func(tx keyward.Tx) error { return tx.DetachPolicy(keyward.GroupRef(acct, "g"), p.ARN) }},
		}},
	}
	errRollback := errors.New("roll back")
	for _, tt := range tests {
		for _, dep := range tt.deps {
			t.Run(tt.name+"/"+dep.name, func(t *testing.T) {
				err := s.Update(t.Context(), func(tx keyward.Tx) error {
					wantOK(t, "add "+dep.name, dep.add(tx))
					wantCode(t, "delete "+tt.name+" with "+dep.name, tt.delete(tx), keyward.ErrDeleteConflict)
					wantOK(t, "remove "+dep.name, dep.remove(tx))
					wantOK(t, "delete "+tt.name+" without "+dep.name, tt.delete(tx))
					return errRollback // keep the entity for the next case
				})
				if !errors.Is(err, errRollback) {
					t.Fatalf("Update = %v, want %v", err, errRollback)
				}
			})
		}
	}
}

// checkPages reads a list page by page with every MaxItems from 1 to
// len(all)+1 and checks the pages join up to the whole list. When want is
// nil, the whole list as returned with no MaxItems is the reference.
func checkPages[T any](t *testing.T, s keyward.Store, name string,
	list func(tx keyward.Tx, o keyward.ListOptions) ([]T, string, error), want []T) {
	t.Helper()
	view(t, s, func(tx keyward.Tx) error {
		all, next, err := list(tx, keyward.ListOptions{})
		wantOK(t, name, err)
		if next != "" {
			t.Errorf("%s with no MaxItems: next = %q, want \"\"", name, next)
		}
		if want != nil {
			diff(t, name+" (all)", want, all)
		}
		for max := 1; max <= len(all)+1; max++ {
			var got []T
			marker := ""
			for n := 0; ; n++ {
				if n > len(all)+1 {
					t.Fatalf("%s MaxItems=%d: more pages than items", name, max)
				}
				pg, next, err := list(tx, keyward.ListOptions{Marker: marker, MaxItems: max})
				wantOK(t, fmt.Sprintf("%s(MaxItems=%d, page %d)", name, max, n), err)
				if len(pg) > max {
					t.Errorf("%s(MaxItems=%d) page %d has %d items", name, max, n, len(pg))
				}
				got = append(got, pg...)
				if next == "" {
					break
				}
				if len(pg) != max {
					t.Errorf("%s(MaxItems=%d) page %d is truncated with %d items, want %d", name, max, n, len(pg), max)
				}
				marker = next
			}
			// IsTruncated is false exactly when the rest fits.
			_, next, err := list(tx, keyward.ListOptions{MaxItems: max})
			wantOK(t, name, err)
			if truncated := next != ""; truncated != (len(all) > max) {
				t.Errorf("%s(MaxItems=%d) truncated = %v with %d items", name, max, truncated, len(all))
			}
			diff(t, fmt.Sprintf("%s joined pages (MaxItems=%d)", name, max), all, got)
		}
		_, _, err = list(tx, keyward.ListOptions{Marker: "not a marker!", MaxItems: 1})
		wantCode(t, name+"(bad marker)", err, keyward.ErrInvalidInput)
		return nil
	})
}

func testPagination(t *testing.T, s keyward.Store) {
	// Mixed case, so that sorting by name ignores case; and two paths.
	names := []string{"delta", "Alpha", "charlie", "Bravo", "echo", "a-1", "ALPHA2"}
	var users []keyward.User
	var groups []keyward.Group
	var roles []keyward.Role
	var profiles []keyward.InstanceProfile
	var policies []keyward.ManagedPolicy
	update(t, s, func(tx keyward.Tx) error {
		wantOK(t, "CreateGroup(all)", tx.CreateGroup(newGroup(acct2, "all")))
		wantOK(t, "CreateRole(holder)", tx.CreateRole(newRole(acct2, "holder")))
		wantOK(t, "CreatePolicy(shared)", tx.CreatePolicy(newPolicy(acct2, "shared"), doc1))
		for i, name := range names {
			path := "/"
			if i%2 == 1 {
				path = "/odd/"
			}
			u := newUser(acct, name)
			u.Path = path
			g := newGroup(acct, name)
			g.Path = path
			r := newRole(acct, name)
			r.Path = path
			ip := newProfile(acct, name)
			ip.Path = path
			p := newPolicy(acct, name)
			p.Path = path
			wantOK(t, "CreateUser", tx.CreateUser(u))
			wantOK(t, "CreateGroup", tx.CreateGroup(g))
			wantOK(t, "CreateRole", tx.CreateRole(r))
			wantOK(t, "CreateInstanceProfile", tx.CreateInstanceProfile(ip))
			wantOK(t, "CreatePolicy", tx.CreatePolicy(p, doc1))
			p.DefaultVersionID = "v1"
			users, groups, roles, profiles, policies = append(users, u), append(groups, g), append(roles, r), append(profiles, ip), append(policies, p)

			// In the other account: members of one group, profiles of one role, entities of one policy.
			u2, ip2 := newUser(acct2, name), newProfile(acct2, name)
			wantOK(t, "CreateUser", tx.CreateUser(u2))
			wantOK(t, "CreateInstanceProfile", tx.CreateInstanceProfile(ip2))
			wantOK(t, "AddUserToGroup", tx.AddUserToGroup(acct2, "all", name))
			wantOK(t, "AddRoleToInstanceProfile", tx.AddRoleToInstanceProfile(acct2, name, "holder"))
			wantOK(t, "AttachPolicy", tx.AttachPolicy(keyward.UserRef(acct2, name), "arn:aws:iam::"+acct2+":policy/shared"))
		}
		return nil
	})
	byName := func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) }
	slices.SortFunc(users, func(a, b keyward.User) int { return byName(a.Name, b.Name) })
	slices.SortFunc(groups, func(a, b keyward.Group) int { return byName(a.Name, b.Name) })
	slices.SortFunc(roles, func(a, b keyward.Role) int { return byName(a.Name, b.Name) })
	slices.SortFunc(profiles, func(a, b keyward.InstanceProfile) int { return byName(a.Name, b.Name) })
	slices.SortFunc(policies, func(a, b keyward.ManagedPolicy) int { return byName(a.Name, b.Name) })
	odd := func(path string) bool { return path == "/odd/" }

	checkPages(t, s, "ListUsers", func(tx keyward.Tx, o keyward.ListOptions) ([]keyward.User, string, error) {
		return tx.ListUsers(acct, o)
	}, users)
	checkPages(t, s, "ListUsers(/odd/)", func(tx keyward.Tx, o keyward.ListOptions) ([]keyward.User, string, error) {
		o.PathPrefix = "/odd/"
		return tx.ListUsers(acct, o)
	}, filter(users, func(u keyward.User) bool { return odd(u.Path) }))
	checkPages(t, s, "ListGroups", func(tx keyward.Tx, o keyward.ListOptions) ([]keyward.Group, string, error) {
		return tx.ListGroups(acct, o)
	}, groups)
	checkPages(t, s, "ListGroups(/od)", func(tx keyward.Tx, o keyward.ListOptions) ([]keyward.Group, string, error) {
		o.PathPrefix = "/od"
		return tx.ListGroups(acct, o)
	}, filter(groups, func(g keyward.Group) bool { return odd(g.Path) }))
	checkPages(t, s, "ListRoles", func(tx keyward.Tx, o keyward.ListOptions) ([]keyward.Role, string, error) {
		return tx.ListRoles(acct, o)
	}, roles)
	checkPages(t, s, "ListRoles(/odd/)", func(tx keyward.Tx, o keyward.ListOptions) ([]keyward.Role, string, error) {
		o.PathPrefix = "/odd/"
		return tx.ListRoles(acct, o)
	}, filter(roles, func(r keyward.Role) bool { return odd(r.Path) }))
	checkPages(t, s, "ListInstanceProfiles", func(tx keyward.Tx, o keyward.ListOptions) ([]keyward.InstanceProfile, string, error) {
		return tx.ListInstanceProfiles(acct, o)
	}, profiles)
	checkPages(t, s, "ListPolicies(Local)", func(tx keyward.Tx, o keyward.ListOptions) ([]keyward.ManagedPolicy, string, error) {
		return tx.ListPolicies(acct, keyward.PolicyListOptions{ListOptions: o, Scope: keyward.ScopeLocal})
	}, policies)
	checkPages(t, s, "ListPolicies(Local, /odd/)", func(tx keyward.Tx, o keyward.ListOptions) ([]keyward.ManagedPolicy, string, error) {
		o.PathPrefix = "/odd/"
		return tx.ListPolicies(acct, keyward.PolicyListOptions{ListOptions: o, Scope: keyward.ScopeLocal})
	}, filter(policies, func(p keyward.ManagedPolicy) bool { return odd(p.Path) }))
	checkPages(t, s, "ListGroupMembers", func(tx keyward.Tx, o keyward.ListOptions) ([]keyward.User, string, error) {
		return tx.ListGroupMembers(acct2, "all", o)
	}, nil)
	checkPages(t, s, "ListInstanceProfilesForRole", func(tx keyward.Tx, o keyward.ListOptions) ([]keyward.InstanceProfile, string, error) {
		return tx.ListInstanceProfilesForRole(acct2, "holder", o)
	}, nil)
	checkPages(t, s, "ListEntitiesForPolicy", func(tx keyward.Tx, o keyward.ListOptions) ([]keyward.PolicyEntity, string, error) {
		return tx.ListEntitiesForPolicy("arn:aws:iam::"+acct2+":policy/shared", keyward.EntityListOptions{ListOptions: o})
	}, nil)
	view(t, s, func(tx keyward.Tx) error {
		members, _, err := tx.ListGroupMembers(acct2, "all", keyward.ListOptions{})
		wantOK(t, "ListGroupMembers", err)
		if len(members) != len(names) {
			t.Errorf("ListGroupMembers = %d users, want %d", len(members), len(names))
		}
		var got []string
		for _, u := range members {
			got = append(got, u.Name)
		}
		want := slices.Clone(names)
		slices.SortFunc(want, byName)
		diff(t, "ListGroupMembers names", want, got)
		return nil
	})
}

func filter[T any](items []T, keep func(T) bool) []T {
	var out []T
	for _, it := range items {
		if keep(it) {
			out = append(out, it)
		}
	}
	return out
}

func testRollback(t *testing.T, s keyward.Store) {
	update(t, s, func(tx keyward.Tx) error { return tx.CreateUser(newUser(acct, "existing")) })
	boom := errors.New("boom")
	tests := []struct {
		name string
		fn   func(tx keyward.Tx) error
		want error // nil: any error
	}{
		{"fn returns an error", func(tx keyward.Tx) error {
			if err := tx.CreateUser(newUser(acct, "half")); err != nil {
				return err
			}
			if err := tx.CreateGroup(newGroup(acct, "half")); err != nil {
				return err
			}
			if err := tx.AddUserToGroup(acct, "half", "half"); err != nil {
				return err
			}
			return boom
		}, boom},
		{"a write fails midway", func(tx keyward.Tx) error {
			if err := tx.CreateGroup(newGroup(acct, "half")); err != nil {
				return err
			}
			if err := tx.CreateUser(newUser(acct, "half")); err != nil {
				return err
			}
			return tx.CreateUser(newUser(acct, "EXISTING"))
		}, nil},
		{"fn changes then fails", func(tx keyward.Tx) error {
			if err := tx.DeleteUser(acct, "existing"); err != nil {
				return err
			}
			return boom
		}, boom},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := s.Update(t.Context(), tt.fn)
			if err == nil || (tt.want != nil && !errors.Is(err, tt.want)) {
				t.Fatalf("Update = %v, want %v", err, tt.want)
			}
			checkUntouched(t, s)
		})
	}
	t.Run("fn panics", func(t *testing.T) {
		func() {
			defer func() {
				if r := recover(); r != boom {
					t.Errorf("recover() = %v, want the panic value %v", r, boom)
				}
			}()
			s.Update(t.Context(), func(tx keyward.Tx) error {
				if err := tx.CreateUser(newUser(acct, "half")); err != nil {
					return err
				}
				panic(boom)
			})
		}()
		checkUntouched(t, s)
		// The store still works.
		update(t, s, func(tx keyward.Tx) error { return tx.CreateUser(newUser(acct, "after-panic")) })
		update(t, s, func(tx keyward.Tx) error { return tx.DeleteUser(acct, "after-panic") })
	})
}

// checkUntouched checks that the only user is "existing" and that there are
// no groups.
func checkUntouched(t *testing.T, s keyward.Store) {
	t.Helper()
	view(t, s, func(tx keyward.Tx) error {
		users, _, err := tx.ListUsers(acct, keyward.ListOptions{})
		wantOK(t, "ListUsers", err)
		if len(users) != 1 || users[0].Name != "existing" {
			t.Errorf("ListUsers after rolled-back Update = %+v, want only existing", users)
		}
		groups, _, err := tx.ListGroups(acct, keyward.ListOptions{})
		wantOK(t, "ListGroups", err)
		if len(groups) != 0 {
			t.Errorf("ListGroups after rolled-back Update = %+v, want none", groups)
		}
		return nil
	})
}

func testViewIsReadOnly(t *testing.T, s keyward.Store) {
	err := s.View(t.Context(), func(tx keyward.Tx) error {
		return tx.CreateUser(newUser(acct, "sneaky"))
	})
	if err == nil {
		t.Errorf("CreateUser in View = nil, want an error")
	}
	view(t, s, func(tx keyward.Tx) error {
		_, err := tx.GetUser(acct, "sneaky")
		wantCode(t, "GetUser(sneaky)", err, keyward.ErrNoSuchEntity)
		return nil
	})
}

// testConcurrentUpdates runs read-modify-write Updates from several
// goroutines and checks that none is lost.
func testConcurrentUpdates(t *testing.T, s keyward.Store) {
	const workers, each = 6, 15
	r := newRole(acct, "counter")
	update(t, s, func(tx keyward.Tx) error { return tx.CreateRole(r) })
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				err := s.Update(t.Context(), func(tx keyward.Tx) error {
					cur, err := tx.GetRole(acct, "counter")
					if err != nil {
						return err
					}
					cur.MaxSessionDuration++
					if err := tx.UpdateRole(cur); err != nil {
						return err
					}
					return tx.CreateUser(newUser(acct, fmt.Sprintf("w%d-%d", w, i)))
				})
				if err != nil {
					errs <- err
				}
				// Readers run alongside the writers.
				if err := s.View(t.Context(), func(tx keyward.Tx) error {
					_, err := tx.GetRole(acct, "counter")
					return err
				}); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("concurrent Update: %v", err)
	}
	view(t, s, func(tx keyward.Tx) error {
		got, err := tx.GetRole(acct, "counter")
		wantOK(t, "GetRole", err)
		if want := r.MaxSessionDuration + workers*each; got.MaxSessionDuration != want {
			t.Errorf("counter = %d after %d increments, want %d", got.MaxSessionDuration, workers*each, want)
		}
		users, _, err := tx.ListUsers(acct, keyward.ListOptions{})
		wantOK(t, "ListUsers", err)
		if len(users) != workers*each {
			t.Errorf("ListUsers = %d users, want %d", len(users), workers*each)
		}
		return nil
	})
}
