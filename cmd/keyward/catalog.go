package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/catalog"
	"github.com/keyward/keyward/iam"
)

// seedManagedPolicies puts AWS's managed policies (arn:aws:iam::aws:policy/...)
// into the store at start and after a reset: every account can then read,
// attach and be authorized by them. Seeding is idempotent and only writes
// what the store lacks, so a restart on a kept store costs one read.
func seedManagedPolicies(ctx context.Context, store keyward.Store, log *slog.Logger) error {
	start := time.Now()
	n, err := iam.SeedManagedPolicies(ctx, store)
	if err != nil {
		return err
	}
	if n > 0 && log != nil {
		log.Info("AWS-managed policies seeded", "policies", n, "source", catalog.ManagedSource(),
			"duration_ms", time.Since(start).Milliseconds())
	}
	return nil
}
