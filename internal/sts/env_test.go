package sts

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/internal/authz"
	"github.com/keyward/keyward/internal/seal"
	"github.com/keyward/keyward/internal/sqlite"
)

// clock is a settable clock for tests.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

const (
	acct      = "111122223333"
	otherAcct = "444455556666"
)

// env is a Service over a real in-memory SQLite store and a real
// Authorizer, with an injected clock.
type env struct {
	t     testing.TB
	store keyward.Store
	clock *clock
	kek   *seal.Key
	ring  *KeyRing
	svc   *Service
	authz *authz.Authorizer
}

var start = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

func newEnv(t testing.TB) *env {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, sqlite.Memory)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	kek, err := seal.NewKey(seal.GenerateKey())
	if err != nil {
		t.Fatal(err)
	}
	ck := &clock{t: start}
	ring, err := NewKeyRing(ctx, KeyRingConfig{Store: st, KEK: kek, Clock: ck.Now})
	if err != nil {
		t.Fatal(err)
	}
	az := authz.New(st)
	e := &env{t: t, store: st, clock: ck, kek: kek, ring: ring, authz: az,
		svc: &Service{Store: st, Authz: az, Tokens: NewTokens(ring), Clock: ck.Now}}
	e.update(func(tx keyward.Tx) error {
		for _, a := range []string{acct, otherAcct} {
			if err := tx.CreateAccount(keyward.Account{ID: a, CreateDate: start}); err != nil {
				return err
			}
		}
		return nil
	})
	return e
}

func (e *env) update(fn func(tx keyward.Tx) error) {
	e.t.Helper()
	if err := e.store.Update(context.Background(), fn); err != nil {
		e.t.Fatal(err)
	}
	e.authz.Invalidate()
}

// user creates a user with inline policies and returns its caller.
func (e *env) user(account, name string, policies ...string) *keyward.Caller {
	e.t.Helper()
	u := keyward.User{AccountID: account, ID: keyward.NewUniqueID(keyward.PrefixUser), Name: name, Path: "/",
		ARN: "arn:aws:iam::" + account + ":user/" + name, CreateDate: start}
	e.update(func(tx keyward.Tx) error {
		if err := tx.CreateUser(u); err != nil {
			return err
		}
		for i, p := range policies {
			if err := tx.PutInlinePolicy(keyward.InlinePolicy{Owner: keyward.UserRef(account, name), PolicyName: "p" + string(rune('0'+i)), Document: p}); err != nil {
				return err
			}
		}
		return nil
	})
	return &keyward.Caller{Kind: keyward.CallerUser, AccountID: account, ARN: u.ARN, UserID: u.ID, PrincipalID: u.ID, UserName: name, RequestTime: e.clock.Now()}
}

// role creates a role with a trust policy, MaxSessionDuration (0: 3600)
// and inline policies.
func (e *env) role(account, name, trust string, maxDur int, policies ...string) keyward.Role {
	e.t.Helper()
	if maxDur == 0 {
		maxDur = 3600
	}
	r := keyward.Role{AccountID: account, ID: keyward.NewUniqueID(keyward.PrefixRole), Name: name, Path: "/",
		ARN: "arn:aws:iam::" + account + ":role/" + name, AssumeRolePolicyDocument: trust, MaxSessionDuration: maxDur, CreateDate: start}
	e.update(func(tx keyward.Tx) error {
		if err := tx.CreateRole(r); err != nil {
			return err
		}
		for i, p := range policies {
			if err := tx.PutInlinePolicy(keyward.InlinePolicy{Owner: keyward.RoleRef(account, name), PolicyName: "p" + string(rune('0'+i)), Document: p}); err != nil {
				return err
			}
		}
		return nil
	})
	return r
}

// open opens credentials as the server's authenticator would, at the
// clock's time.
func (e *env) open(c Credentials) *keyward.Caller {
	e.t.Helper()
	s, err := e.svc.Tokens.OpenSession(c.SessionToken, c.AccessKeyID, e.clock.Now())
	if err != nil {
		e.t.Fatalf("OpenSession(issued token) = %v", err)
	}
	caller := s.Caller
	caller.RequestTime = e.clock.Now()
	if s.Secret != c.SecretAccessKey {
		e.t.Fatalf("OpenSession().Secret = %q, want %q", s.Secret, c.SecretAccessKey)
	}
	return &caller
}

func trustDoc(principal string, extra ...string) string {
	cond := ""
	if len(extra) > 0 {
		cond = `,"Condition":` + extra[0]
	}
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":` + principal + `,"Action":["sts:AssumeRole","sts:TagSession","sts:SetSourceIdentity"]` + cond + `}]}`
}

const allowAll = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`
const allowAssume = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sts:AssumeRole","sts:TagSession","sts:SetSourceIdentity"],"Resource":"*"}]}`

func code(err error) string {
	if err == nil {
		return ""
	}
	return keyward.ErrorCode(err)
}
