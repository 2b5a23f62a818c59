package sts

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/internal/authn"
	"github.com/keyward/keyward/sigv4"
)

// sessionRequest returns a GetCallerIdentity request signed at the env's
// time with session credentials.
func sessionRequest(t testing.TB, e *env, c Credentials) (*http.Request, []byte) {
	t.Helper()
	body := []byte("Action=GetCallerIdentity&Version=2011-06-15")
	r, err := http.NewRequest(http.MethodPost, "http://127.0.0.1:4599/", strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	creds := sigv4.Credentials{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken}
	if err := sigv4.Sign(r, body, creds, "us-east-1", "sts", e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	return r, body
}

func TestAuthenticator_SessionCredentials(t *testing.T) {
	e := newEnv(t)
	alice := e.user(acct, "alice", allowAssume)
	e.role(acct, "r", trustDoc(`{"AWS":"`+acct+`"}`), 0)
	out, err := e.svc.AssumeRole(context.Background(), alice, &AssumeRoleInput{RoleArn: "arn:aws:iam::" + acct + ":role/r", RoleSessionName: "signer"})
	if err != nil {
		t.Fatal(err)
	}
	a := &authn.Authenticator{Store: e.store, Key: e.kek, Clock: e.clock.Now, Sessions: e.svc.Tokens}
	r, body := sessionRequest(t, e, out.Credentials)
	c, err := a.Verify(r, body, "sts")
	if err != nil {
		t.Fatalf("Verify(session-signed request) = %v", err)
	}
	if c.ARN != out.AssumedRoleUser.Arn || !c.Temporary || c.AccessKeyID != out.Credentials.AccessKeyID {
		t.Errorf("Verify() = %s (session %v, key %s), want %s with its key", c.ARN, c.Temporary, c.AccessKeyID, out.AssumedRoleUser.Arn)
	}
	// Another session's token with this key id, and an expired session.
	other, err := e.svc.AssumeRole(context.Background(), alice, &AssumeRoleInput{RoleArn: "arn:aws:iam::" + acct + ":role/r", RoleSessionName: "other"})
	if err != nil {
		t.Fatal(err)
	}
	swapped := out.Credentials
	swapped.SessionToken = other.Credentials.SessionToken
	r, body = sessionRequest(t, e, swapped)
	if _, err := a.Verify(r, body, "sts"); code(err) != keyward.ErrInvalidClientTokenID {
		t.Errorf("Verify(another session's token) = %v, want InvalidClientTokenId", err)
	}
	e.clock.Advance(time.Hour)
	r, body = sessionRequest(t, e, out.Credentials)
	if _, err := a.Verify(r, body, "sts"); code(err) != keyward.ErrExpiredToken {
		t.Errorf("Verify(an hour later) = %v, want ExpiredToken", err)
	}
}

func BenchmarkVerifySessionRequest(b *testing.B) {
	e := newEnv(b)
	alice := e.user(acct, "alice", allowAssume)
	e.role(acct, "r", trustDoc(`{"AWS":"`+acct+`"}`), 0)
	out, err := e.svc.AssumeRole(context.Background(), alice, &AssumeRoleInput{RoleArn: "arn:aws:iam::" + acct + ":role/r", RoleSessionName: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	a := &authn.Authenticator{Store: e.store, Key: e.kek, Clock: e.clock.Now, Sessions: e.svc.Tokens}
	r, body := sessionRequest(b, e, out.Credentials)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := a.Verify(r, body, "sts"); err != nil {
			b.Fatal(err)
		}
	}
}
