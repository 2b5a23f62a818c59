package authz_test

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/internal/authz"
)

// countingStore counts the transactions run through it.
type countingStore struct {
	keyward.Store
	txs atomic.Int64
}

func (c *countingStore) View(ctx context.Context, fn func(keyward.Tx) error) error {
	c.txs.Add(1)
	return c.Store.View(ctx, fn)
}

func (c *countingStore) Update(ctx context.Context, fn func(keyward.Tx) error) error {
	c.txs.Add(1)
	return c.Store.Update(ctx, fn)
}

// TestAuthorize_WarmCacheTouchesNoStore: once a principal's policies are
// compiled, deciding its requests reads nothing from the store until
// Invalidate.
func TestAuthorize_WarmCacheTouchesNoStore(t *testing.T) {
	e := newEnv(t)
	c := e.user("warm", allow("s3:GetObject", "*", ""))
	cs := &countingStore{Store: e.store}
	az := authz.New(cs)
	if err := az.Authorize(t.Context(), c, "s3:GetObject", "arn:aws:s3:::b/k", nil); err != nil {
		t.Fatalf("Authorize: %v", err)
	}
	cold := cs.txs.Load()
	if cold == 0 {
		t.Fatalf("the cold Authorize read nothing: the count proves nothing")
	}
	for range 100 {
		if err := az.Authorize(t.Context(), c, "s3:GetObject", "arn:aws:s3:::b/k", nil); err != nil {
			t.Fatalf("Authorize: %v", err)
		}
	}
	if n := cs.txs.Load() - cold; n != 0 {
		t.Errorf("100 warm Authorize calls ran %d store transactions, want 0", n)
	}
	az.Invalidate()
	if err := az.Authorize(t.Context(), c, "s3:GetObject", "arn:aws:s3:::b/k", nil); err != nil {
		t.Fatalf("Authorize: %v", err)
	}
	if n := cs.txs.Load() - cold; n == 0 {
		t.Errorf("Authorize after Invalidate read nothing, want a reload")
	}
}
