package keyward

import "context"

// Generations is an optional capability of a Store that several Keyward
// processes share (replicas behind one load balancer, or two processes on
// one SQLite file): a counter kept in the store, which a process bumps after
// a write that can change what a principal may do, and which every process
// polls to drop the caches (compiled policies, access-key secrets) it keeps
// in memory. Only changes matter: a value different from the last one read
// means "something changed"; it may go back to an earlier number when the
// store is reset.
type Generations interface {
	// BumpGeneration changes the shared generation. It runs in its own
	// transaction, after the write it announces has committed.
	BumpGeneration(ctx context.Context) error
	// Generation returns the shared generation.
	Generation(ctx context.Context) (uint64, error)
}
