package authz_test

import (
	"context"
	"path/filepath"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/internal/authz"
	"github.com/keyward/keyward/internal/sqlite"
)

// TestFollow: two processes' worth of stores and authorizers on one SQLite
// file. A policy written through A and announced by A's Invalidate reaches
// B's cache through B's Follow loop; without Follow, B keeps its cached
// denial.
func TestFollow(t *testing.T) {
	path := filepath.Join(t.TempDir(), "k.db")
	open := func() *sqlite.Store {
		st, err := sqlite.Open(t.Context(), path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	}
	sa, sb := open(), open()
	a, b, lone := authz.New(sa), authz.New(sb), authz.New(sb)
	a.Shared, b.Shared = sa, sb
	var mu sync.Mutex
	var errs []error
	b.OnSharedError = func(err error) { mu.Lock(); errs = append(errs, err); mu.Unlock() }

	caller := &keyward.Caller{Kind: keyward.CallerUser, AccountID: acct, ARN: "arn:aws:iam::" + acct + ":user/u",
		UserID: "AIDAUUUUUUUUUUUUUUUU", PrincipalID: "AIDAUUUUUUUUUUUUUUUU", UserName: "u"}
	err := sa.Update(t.Context(), func(tx keyward.Tx) error {
		return tx.CreateUser(keyward.User{AccountID: acct, ID: caller.UserID, Name: "u", Path: "/", ARN: caller.ARN})
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	go b.Follow(ctx, 10*time.Millisecond)
	for _, az := range []*authz.Authorizer{b, lone} {
		if err := az.Authorize(t.Context(), caller, "s3:GetObject", "*", nil); keyward.ErrorCode(err) != keyward.ErrAccessDenied {
			t.Fatalf("Authorize before the grant = %v, want AccessDenied", err)
		}
	}

	err = sa.Update(t.Context(), func(tx keyward.Tx) error {
		return tx.PutInlinePolicy(keyward.InlinePolicy{Owner: keyward.UserRef(acct, "u"), PolicyName: "p",
			Document: allow("s3:GetObject", "*", "")})
	})
	if err != nil {
		t.Fatal(err)
	}
	a.Invalidate()
	start := time.Now()
	for {
		err := b.Authorize(t.Context(), caller, "s3:GetObject", "*", nil)
		if err == nil {
			break
		}
		if time.Since(start) > 5*time.Second {
			t.Fatalf("B still denies 5s after A's write: %v", err)
		}
		time.Sleep(2 * time.Millisecond)
	}
	t.Logf("the grant reached B's cache after %v", time.Since(start))
	if err := lone.Authorize(t.Context(), caller, "s3:GetObject", "*", nil); err == nil {
		t.Errorf("an authorizer without Follow saw the grant: the test proves nothing")
	}
	mu.Lock()
	defer mu.Unlock()
	if len(errs) > 0 {
		t.Errorf("OnSharedError: %v", errs)
	}
}

// TestFollow_ReportsOutageOnce: while the store does not answer, Follow
// reports the failure once, not at every tick.
func TestFollow_ReportsOutageOnce(t *testing.T) {
	st, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "k.db"))
	if err != nil {
		t.Fatal(err)
	}
	az := authz.New(st)
	az.Shared = st
	var reports atomic.Int32
	az.OnSharedError = func(error) { reports.Add(1) }
	st.Close() // every read fails from now on
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	az.Follow(ctx, time.Millisecond) // returns when ctx is done
	if n := reports.Load(); n != 1 {
		t.Errorf("OnSharedError called %d times during one outage, want 1", n)
	}
}

func TestRequestTags(t *testing.T) {
	if got := authz.RequestTags(nil, nil); got != nil {
		t.Errorf("RequestTags(nil, nil) = %v; want nil (no keys to add)", got)
	}
	extra := map[string][]string{"iam:PolicyARN": {"arn:aws:iam::aws:policy/ReadOnlyAccess"}}
	got := authz.RequestTags(extra, []keyward.Tag{{Key: "team", Value: "blue"}, {Key: "Env", Value: ""}})
	want := map[string][]string{
		"iam:PolicyARN":       {"arn:aws:iam::aws:policy/ReadOnlyAccess"},
		"aws:RequestTag/team": {"blue"},
		"aws:RequestTag/Env":  {""},
		"aws:TagKeys":         {"team", "Env"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("RequestTags = %v; want %v", got, want)
	}
}
