package authz_test

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/internal/authz"
	"github.com/keyward/keyward/internal/sqlite"
	"github.com/keyward/keyward/policy"
)

const acct = "111122223333"

type env struct {
	t     *testing.T
	store keyward.Store
	az    *authz.Authorizer
}

func newEnv(t *testing.T) *env {
	t.Helper()
	st, err := sqlite.Open(context.Background(), sqlite.Memory)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	e := &env{t: t, store: st, az: authz.New(st)}
	e.update(func(tx keyward.Tx) error { return tx.CreateAccount(keyward.Account{ID: acct}) })
	return e
}

func (e *env) update(fn func(tx keyward.Tx) error) {
	e.t.Helper()
	if err := e.store.Update(context.Background(), fn); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) user(name string, inline ...string) *keyward.Caller {
	e.t.Helper()
	arn := "arn:aws:iam::" + acct + ":user/" + name
	id := "AIDA" + strings.ToUpper(name) + "00000000000000000"
	e.update(func(tx keyward.Tx) error {
		if err := tx.CreateUser(keyward.User{AccountID: acct, ID: id[:21], Name: name, Path: "/", ARN: arn}); err != nil {
			return err
		}
		for i, doc := range inline {
			if err := tx.PutInlinePolicy(keyward.InlinePolicy{Owner: keyward.UserRef(acct, name), PolicyName: "p" + string(rune('0'+i)), Document: doc}); err != nil {
				return err
			}
		}
		return nil
	})
	return &keyward.Caller{Kind: keyward.CallerUser, AccountID: acct, ARN: arn, UserID: id[:21], PrincipalID: id[:21], UserName: name,
		SourceIP: "10.1.2.3", RequestTime: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
}

func allow(action, resource string, cond string) string {
	c := ""
	if cond != "" {
		c = `,"Condition":` + cond
	}
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"` + action + `","Resource":"` + resource + `"` + c + `}]}`
}

func TestAuthorize_IdentityPolicies(t *testing.T) {
	e := newEnv(t)
	alice := e.user("alice", allow("iam:GetUser", "arn:aws:iam::*:user/${aws:username}", ""))
	ctx := context.Background()
	if err := e.az.Authorize(ctx, alice, "iam:GetUser", "arn:aws:iam::"+acct+":user/alice", nil); err != nil {
		t.Errorf("Authorize(alice, GetUser alice) = %v, want nil", err)
	}
	err := e.az.Authorize(ctx, alice, "iam:GetUser", "arn:aws:iam::"+acct+":user/bob", nil)
	want := "User: arn:aws:iam::" + acct + ":user/alice is not authorized to perform: iam:GetUser on resource: arn:aws:iam::" + acct + ":user/bob because no identity-based policy allows the iam:GetUser action"
	if keyward.ErrorCode(err) != keyward.ErrAccessDenied || keyward.ErrorMessage(err) != want {
		t.Errorf("Authorize(alice, GetUser bob) = %v, want AccessDenied %q", err, want)
	}
}

func TestAuthorize_Root(t *testing.T) {
	e := newEnv(t)
	root := &keyward.Caller{Kind: keyward.CallerRoot, AccountID: acct, ARN: "arn:aws:iam::" + acct + ":root", UserID: acct}
	if err := e.az.Authorize(context.Background(), root, "iam:DeleteUser", "arn:aws:iam::"+acct+":user/anyone", nil); err != nil {
		t.Errorf("Authorize(root) = %v, want nil: the root user is allowed everything in its account", err)
	}
}

func TestAuthorize_GroupsBoundaryAndExplicitDeny(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	bob := e.user("bob")
	res := "arn:aws:iam::" + acct + ":user/bob"
	if err := e.az.Authorize(ctx, bob, "iam:GetUser", res, nil); keyward.ErrorCode(err) != keyward.ErrAccessDenied {
		t.Fatalf("Authorize before any policy = %v, want AccessDenied", err)
	}
	// A group's inline policy grants, once the cache is invalidated.
	e.update(func(tx keyward.Tx) error {
		if err := tx.CreateGroup(keyward.Group{AccountID: acct, ID: "AGPAREADERS0000000001", Name: "readers", Path: "/", ARN: "arn:aws:iam::" + acct + ":group/readers"}); err != nil {
			return err
		}
		if err := tx.AddUserToGroup(acct, "readers", "bob"); err != nil {
			return err
		}
		return tx.PutInlinePolicy(keyward.InlinePolicy{Owner: keyward.GroupRef(acct, "readers"), PolicyName: "read", Document: allow("iam:Get*", "*", "")})
	})
	if err := e.az.Authorize(ctx, bob, "iam:GetUser", res, nil); err == nil {
		t.Errorf("Authorize used a stale cache: allowed before Invalidate")
	}
	e.az.Invalidate()
	if err := e.az.Authorize(ctx, bob, "iam:GetUser", res, nil); err != nil {
		t.Errorf("Authorize with a group policy = %v, want nil", err)
	}
	// A permissions boundary that does not allow the action denies it.
	e.update(func(tx keyward.Tx) error {
		p := keyward.ManagedPolicy{AccountID: acct, ID: "ANPABOUNDARY000000001", Name: "boundary", Path: "/", ARN: "arn:aws:iam::" + acct + ":policy/boundary", IsAttachable: true}
		if err := tx.CreatePolicy(p, allow("iam:List*", "*", "")); err != nil {
			return err
		}
		u, _ := tx.GetUser(acct, "bob")
		u.PermissionsBoundaryARN = p.ARN
		return tx.UpdateUser(u)
	})
	e.az.Invalidate()
	err := e.az.Authorize(ctx, bob, "iam:GetUser", res, nil)
	if !strings.HasSuffix(keyward.ErrorMessage(err), "because no permissions boundary allows the iam:GetUser action") {
		t.Errorf("Authorize outside the boundary = %v, want AccessDenied naming the permissions boundary", err)
	}
	// An explicit deny says so.
	carol := e.user("carol", allow("iam:*", "*", ""), `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:DeleteUser","Resource":"*"}]}`)
	err = e.az.Authorize(ctx, carol, "iam:DeleteUser", res, nil)
	if !strings.HasSuffix(keyward.ErrorMessage(err), "with an explicit deny in an identity-based policy") {
		t.Errorf("Authorize with an explicit deny = %v", err)
	}
}

// TestAuthorize_Context: the global condition keys AWS supplies.
func TestAuthorize_Context(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	conds := map[string]string{
		"aws:SourceIp":         `{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`,
		"aws:username":         `{"StringEquals":{"aws:username":"dan"}}`,
		"aws:userid":           `{"StringLike":{"aws:userid":"AIDA*"}}`,
		"aws:PrincipalArn":     `{"ArnEquals":{"aws:PrincipalArn":"arn:aws:iam::111122223333:user/dan"}}`,
		"aws:PrincipalAccount": `{"StringEquals":{"aws:PrincipalAccount":"111122223333"}}`,
		"aws:PrincipalType":    `{"StringEquals":{"aws:PrincipalType":"User"}}`,
		"aws:CurrentTime":      `{"DateGreaterThan":{"aws:CurrentTime":"2026-01-01T00:00:00Z"}}`,
		"aws:EpochTime":        `{"NumericGreaterThan":{"aws:EpochTime":"1767225600"}}`,
		"aws:SecureTransport":  `{"Bool":{"aws:SecureTransport":"false"}}`,
		"aws:PrincipalTag":     `{"StringEquals":{"aws:PrincipalTag/team":"blue"}}`,
		"extra":                `{"StringEquals":{"iam:PolicyARN":"arn:aws:iam::aws:policy/ReadOnlyAccess"}}`,
	}
	var docs []string
	i := 0
	for _, c := range conds {
		docs = append(docs, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:Action`+string(rune('A'+i))+`","Resource":"*","Condition":`+c+`}]}`)
		i++
	}
	dan := e.user("dan", docs...)
	e.update(func(tx keyward.Tx) error {
		return tx.TagEntity(keyward.UserRef(acct, "dan"), []keyward.Tag{{Key: "team", Value: "blue"}})
	})
	e.az.Invalidate()
	extra := map[string][]string{"iam:PolicyARN": {"arn:aws:iam::aws:policy/ReadOnlyAccess"}}
	for j := range docs {
		action := "iam:Action" + string(rune('A'+j))
		if err := e.az.Authorize(ctx, dan, action, "*", extra); err != nil {
			t.Errorf("Authorize(%s) with condition %s = %v, want nil: the key must be in the request context", action, docs[j], err)
		}
	}
}

// TestEvaluate_CrossAccount: a resource in another account needs its policy
// and the caller's own policies to allow.
func TestEvaluate_CrossAccount(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	erin := e.user("erin", allow("sts:AssumeRole", "*", ""))
	frank := e.user("frank")
	trustDoc, err := policy.Parse([]byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::`+acct+`:user/erin","arn:aws:iam::`+acct+`:user/frank"]},"Action":"sts:AssumeRole"}]}`), policy.Trust)
	if err != nil {
		t.Fatal(err)
	}
	trust := policy.NewSet(policy.Policy{ID: "trust", Document: trustDoc})
	role := "arn:aws:iam::444455556666:role/shared"
	for _, tt := range []struct {
		c    *keyward.Caller
		want policy.Decision
	}{{erin, policy.Allowed}, {frank, policy.ImplicitDeny}} {
		res, err := e.az.Evaluate(ctx, tt.c, "sts:AssumeRole", role, nil, trust)
		if err != nil || res.Decision != tt.want {
			t.Errorf("Evaluate(%s, AssumeRole on another account's role) = %v, %v; want %v", tt.c.UserName, res.Decision, err, tt.want)
		}
	}
}

// TestAuthorize_SessionTokenWithoutMFA: GetSessionToken credentials without
// MFA cannot call IAM, whatever the user's policies say.
func TestAuthorize_SessionTokenWithoutMFA(t *testing.T) {
	e := newEnv(t)
	gina := e.user("gina", allow("iam:*", "*", ""))
	sess := *gina
	sess.Kind, sess.Temporary = keyward.CallerUserSession, true
	res := "arn:aws:iam::" + acct + ":user/gina"
	if err := e.az.Authorize(context.Background(), &sess, "iam:GetUser", res, nil); keyward.ErrorCode(err) != keyward.ErrAccessDenied {
		t.Errorf("Authorize(session without MFA, iam:GetUser) = %v, want AccessDenied", err)
	}
	sess.MFAPresent = true
	if err := e.az.Authorize(context.Background(), &sess, "iam:GetUser", res, nil); err != nil {
		t.Errorf("Authorize(session with MFA, iam:GetUser) = %v, want nil", err)
	}
}

// TestAuthorize_SessionPolicies: a role session's permissions are the role's
// intersected with its session policies, each session with its own (the
// compiled session policies are cached by their text).
func TestAuthorize_SessionPolicies(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.update(func(tx keyward.Tx) error {
		if err := tx.CreateRole(keyward.Role{AccountID: acct, ID: "AROAAPP00000000000001", Name: "app", Path: "/", ARN: "arn:aws:iam::" + acct + ":role/app",
			AssumeRolePolicyDocument: `{"Version":"2012-10-17","Statement":[]}`}); err != nil {
			return err
		}
		return tx.PutInlinePolicy(keyward.InlinePolicy{Owner: keyward.RoleRef(acct, "app"), PolicyName: "all", Document: allow("s3:*", "*", "")})
	})
	session := func(name string, policies ...string) *keyward.Caller {
		return &keyward.Caller{Kind: keyward.CallerAssumedRole, AccountID: acct, ARN: "arn:aws:sts::" + acct + ":assumed-role/app/" + name,
			UserID: "AROAAPP00000000000001:" + name, PrincipalID: "AROAAPP00000000000001", RoleName: "app", RoleARN: "arn:aws:iam::" + acct + ":role/app", SessionName: name,
			Temporary: true, SessionPolicies: policies}
	}
	reader := session("reader", allow("s3:GetObject", "*", ""))
	writer := session("writer", allow("s3:PutObject", "*", ""))
	full := session("full")
	for i := 0; i < 2; i++ { // the second round is served from the cache
		for _, tt := range []struct {
			c      *keyward.Caller
			action string
			ok     bool
		}{
			{reader, "s3:GetObject", true}, {reader, "s3:PutObject", false},
			{writer, "s3:GetObject", false}, {writer, "s3:PutObject", true},
			{full, "s3:GetObject", true}, {full, "s3:PutObject", true},
		} {
			err := e.az.Authorize(ctx, tt.c, tt.action, "arn:aws:s3:::bucket/key", nil)
			if (err == nil) != tt.ok {
				t.Errorf("round %d: Authorize(%s, %s) = %v, want allowed=%v", i, tt.c.SessionName, tt.action, err, tt.ok)
			}
			if !tt.ok && !strings.HasSuffix(keyward.ErrorMessage(err), "because no session policy allows the "+tt.action+" action") {
				t.Errorf("round %d: Authorize(%s, %s) message = %q, want it to name the session policy", i, tt.c.SessionName, tt.action, keyward.ErrorMessage(err))
			}
		}
	}
}

// TestPrincipalTags: the entity's tags with its session tags over them,
// a session tag replacing the entity's of the same key in any letter case
// (as the policy context, which folds condition keys, sees them), read in
// the caller's transaction or on its own.
func TestPrincipalTags(t *testing.T) {
	e := newEnv(t)
	c := e.user("alice")
	e.update(func(tx keyward.Tx) error {
		return tx.TagEntity(keyward.UserRef(acct, "alice"), []keyward.Tag{{Key: "Team", Value: "red"}, {Key: "env", Value: "prod"}})
	})
	c.SessionTags = []keyward.Tag{{Key: "team", Value: "blue"}}
	want := map[string]string{"env": "prod", "team": "blue"}
	got, err := e.az.PrincipalTags(context.Background(), c)
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("PrincipalTags = %v, %v; want %v", got, err, want)
	}
	err = e.store.View(context.Background(), func(tx keyward.Tx) error {
		got, err = e.az.PrincipalTagsIn(tx, c)
		return err
	})
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("PrincipalTagsIn = %v, %v; want %v", got, err, want)
	}
}
