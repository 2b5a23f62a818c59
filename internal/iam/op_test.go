package iam

import (
	"context"
	"errors"
	"testing"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/internal/authz"
)

// retryingStore runs each Update's fn twice, the first time rolled back:
// what PostgreSQL does when a transaction hits a serialization failure.
type retryingStore struct {
	keyward.Store
	retried int
	between func() // runs between the two attempts
}

var errRetry = errors.New("serialization failure (injected)")

func (s *retryingStore) Update(ctx context.Context, fn func(keyward.Tx) error) error {
	err := s.Store.Update(ctx, func(tx keyward.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		return errRetry // roll the first attempt back
	})
	if err != errRetry {
		return err
	}
	s.retried++
	if s.between != nil {
		s.between()
	}
	return s.Store.Update(ctx, fn)
}

// TestOp_RetryDecidesAgain: when the store retries an action's transaction,
// the action decides again on what the new attempt reads, and reports one
// decision, not one per attempt.
func TestOp_RetryDecidesAgain(t *testing.T) {
	s, root := newService(t)
	alice := userCaller(t, s, "alice", allow("iam:TagUser", "*"))
	if _, err := s.CreateUser(ctxb, root, &CreateUserInput{UserName: "bob"}); err != nil {
		t.Fatal(err)
	}
	rs := &retryingStore{Store: s.Store}
	s.Store = rs
	s.Authz = authz.New(rs)
	var reported []authz.Decision
	s.Authz.OnDecision = func(_ context.Context, _ *keyward.Caller, d authz.Decision) { reported = append(reported, d) }
	if _, err := s.TagUser(ctxb, alice, &TagUserInput{UserName: "bob", Tags: []keyward.Tag{{Key: "team", Value: "blue"}}}); err != nil {
		t.Fatal(err)
	}
	if rs.retried != 1 {
		t.Fatalf("the store retried %d times, want 1 (the test proves nothing)", rs.retried)
	}
	if len(reported) != 1 || reported[0].Action != "iam:TagUser" {
		t.Errorf("decisions reported = %+v, want one iam:TagUser", reported)
	}
}

// TestOp_RetryDecidesOnTheNewSnapshot: a change committed between two
// attempts (here: a Deny put on the caller) decides the retried one.
func TestOp_RetryDecidesOnTheNewSnapshot(t *testing.T) {
	s, root := newService(t)
	alice := userCaller(t, s, "alice", allow("iam:TagUser", "*"))
	if _, err := s.CreateUser(ctxb, root, &CreateUserInput{UserName: "bob"}); err != nil {
		t.Fatal(err)
	}
	rs := &retryingStore{Store: s.Store}
	s.Store = rs
	s.Authz = authz.New(rs)
	rs.between = func() {
		err := rs.Store.Update(ctxb, func(tx keyward.Tx) error {
			return tx.PutInlinePolicy(keyward.InlinePolicy{Owner: keyward.UserRef(testAccount, "alice"), PolicyName: "deny",
				Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:TagUser","Resource":"*"}]}`})
		})
		if err != nil {
			t.Fatal(err)
		}
		s.Authz.Invalidate()
	}
	_, err := s.TagUser(ctxb, alice, &TagUserInput{UserName: "bob", Tags: []keyward.Tag{{Key: "team", Value: "blue"}}})
	if rs.retried != 1 {
		t.Fatalf("the store retried %d times, want 1 (the test proves nothing)", rs.retried)
	}
	wantCode(t, "TagUser, denied between two attempts", err, keyward.ErrAccessDenied)
}
