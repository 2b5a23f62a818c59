package postgres

import (
	"sync"
	"testing"
	"time"

	"github.com/keyward/keyward/internal/postgres/pgtest"
	"github.com/keyward/keyward/internal/sqlcore"
)

// TestOpen_RacingReplicas starts two replicas on one empty database at the
// same moment, with the migration lock held long enough for them to
// overlap: both open, and each migration is applied exactly once between
// them.
func TestOpen_RacingReplicas(t *testing.T) {
	dsn := pgtest.DSN(t)
	ms, err := sqlcore.Migrations(dialect{})
	if err != nil {
		t.Fatal(err)
	}
	var holders sync.WaitGroup
	var mu sync.Mutex
	inside, most := 0, 0
	afterLock = func() {
		mu.Lock()
		inside++
		most = max(most, inside)
		mu.Unlock()
		time.Sleep(300 * time.Millisecond)
		mu.Lock()
		inside--
		mu.Unlock()
	}
	t.Cleanup(func() { afterLock = nil })

	stores := make([]*Store, 2)
	errs := make([]error, 2)
	start := make(chan struct{})
	for i := range stores {
		holders.Go(func() {
			<-start
			stores[i], errs[i] = Open(t.Context(), dsn)
		})
	}
	close(start)
	holders.Wait()
	applied := 0
	for i, s := range stores {
		if errs[i] != nil {
			t.Fatalf("Open %d: %v", i, errs[i])
		}
		defer s.Close()
		applied += s.applied
	}
	if applied != len(ms) {
		t.Errorf("two racing Opens applied %d migrations between them, want %d (each once)", applied, len(ms))
	}
	if most != 1 {
		t.Errorf("%d Opens held the migration lock at once, want 1", most)
	}
	var n int
	if err := stores[0].pool.QueryRow(t.Context(), `SELECT COUNT(*) FROM keyward_schema_migrations`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != len(ms) {
		t.Errorf("keyward_schema_migrations has %d rows, want %d", n, len(ms))
	}

	// A third replica, later, applies nothing.
	afterLock = nil
	s, err := Open(t.Context(), dsn)
	if err != nil {
		t.Fatalf("Open again: %v", err)
	}
	defer s.Close()
	if s.applied != 0 {
		t.Errorf("Open of an up-to-date database applied %d migrations, want 0", s.applied)
	}
}

func TestBackoff(t *testing.T) {
	for n := 1; n < 40; n++ {
		for range 100 {
			if d := backoff(n); d <= 0 || d > backoffMax+1 {
				t.Fatalf("backoff(%d) = %v, want in (0, %v]", n, d, backoffMax+1)
			}
		}
	}
}
