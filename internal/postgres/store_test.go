package postgres_test

import (
	"testing"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/internal/postgres"
	"github.com/keyward/keyward/internal/postgres/pgtest"
	"github.com/keyward/keyward/storetest"
)

func open(t testing.TB, dsn string) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(t.Context(), dsn)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestStore(t *testing.T) {
	pgtest.DSN(t) // skips without a database
	storetest.Run(t, func(t *testing.T) keyward.Store {
		return open(t, pgtest.DSN(t))
	})
}

func TestStore_Replicas(t *testing.T) {
	pgtest.DSN(t) // skips without a database
	storetest.RunReplicas(t, func(t *testing.T) (keyward.Store, keyward.Store) {
		dsn := pgtest.DSN(t)
		return open(t, dsn), open(t, dsn)
	})
}
