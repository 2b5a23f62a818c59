package authz

import (
	"context"
	"time"
)

// DefaultFollowInterval is how often Follow reads the shared generation by
// default: a write through one replica reaches the others' caches within
// about this long (plus one round trip to the store).
const DefaultFollowInterval = 250 * time.Millisecond

// sharedTimeout bounds a bump of the shared generation, which Invalidate
// makes on the request path.
const sharedTimeout = 5 * time.Second

func (a *Authorizer) bumpShared() {
	if a.Shared == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), sharedTimeout)
	defer cancel()
	if err := a.Shared.BumpGeneration(ctx); err != nil {
		a.sharedError(err)
	}
}

func (a *Authorizer) sharedError(err error) {
	if a.OnSharedError != nil {
		a.OnSharedError(err)
	}
}

// Follow reads the shared generation every interval (DefaultFollowInterval
// when interval <= 0) until ctx is done, and invalidates this process's
// caches (compiled policies, and what follows Generation, such as authn's
// access-key secrets) whenever it changed: how a write made through another
// replica reaches this one. A failed read is reported to OnSharedError once
// until a read succeeds again. It returns at once when Shared is nil. Run
// it in its own goroutine.
func (a *Authorizer) Follow(ctx context.Context, interval time.Duration) {
	if a.Shared == nil {
		return
	}
	if interval <= 0 {
		interval = DefaultFollowInterval
	}
	tick := time.NewTicker(interval)
	defer tick.Stop()
	var last uint64
	seen, failing := false, false
	for {
		v, err := a.Shared.Generation(ctx)
		if err == nil {
			failing = false
		}
		switch {
		case err != nil:
			if ctx.Err() != nil {
				return
			}
			// Once per outage, not once a tick. Whatever changed
			// meanwhile shows as a new value when the store answers.
			if !failing {
				a.sharedError(err)
			}
			failing = true
		case !seen || v != last:
			// The first read invalidates too: whatever was cached before
			// Follow started may be older than v.
			a.gen.Add(1)
			last, seen = v, true
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
