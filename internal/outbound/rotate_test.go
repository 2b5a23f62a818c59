package outbound_test

import (
	"context"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/internal/outbound"
	"github.com/keyward/keyward/internal/postgres"
	"github.com/keyward/keyward/internal/postgres/pgtest"
	"github.com/keyward/keyward/internal/seal"
	"github.com/keyward/keyward/internal/sqlite"
)

// TestPublished: the JWKS lists the newest key of each algorithm always,
// and a retired key until Retention after its successor (the next key of
// its algorithm, not of the other) was made.
func TestPublished(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	t1 := t0.Add(outbound.RotationPeriod)
	keys := []keyward.OutboundKey{
		{KeyID: "rsa-1", Algorithm: outbound.RS256, CreateDate: t0},
		{KeyID: "ec-1", Algorithm: outbound.ES384, CreateDate: t0},
		{KeyID: "rsa-2", Algorithm: outbound.RS256, CreateDate: t1},
	}
	tests := []struct {
		name string
		now  time.Time
		want []string
	}{
		{"before the successor", t1.Add(-time.Second), []string{"rsa-1", "ec-1", "rsa-2"}},
		{"successor made", t1, []string{"rsa-1", "ec-1", "rsa-2"}},
		{"a second before Retention", t1.Add(outbound.Retention - time.Second), []string{"rsa-1", "ec-1", "rsa-2"}},
		{"Retention passed", t1.Add(outbound.Retention), []string{"ec-1", "rsa-2"}},
		{"years later", t1.Add(5 * 365 * 24 * time.Hour), []string{"ec-1", "rsa-2"}},
	}
	for _, tt := range tests {
		var got []string
		for _, k := range outbound.Published(keys, tt.now) {
			got = append(got, k.KeyID)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: Published(keys, %v) = %v, want %v", tt.name, tt.now, got, tt.want)
		}
	}
}

// TestEnsureKeys_Race: two replicas whose GetWebIdentityToken both find
// the account's keys past RotationPeriod, on one database, rotate at once.
// Each transaction reads the keys, then waits (up to a second) for the
// other to have read them too before it writes its new key. The store's
// serialization leaves one new key per algorithm, and both replicas sign
// with it. On PostgreSQL both transactions really overlap (the wait ends
// because both arrived) and one of them is run again; SQLite's one writer
// makes the second wait for the first's commit (the wait times out).
func TestEnsureKeys_Race(t *testing.T) {
	t.Run("SQLite", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "keyward.db")
		raceRotation(t, openStore(t, sqlite.Open, path), openStore(t, sqlite.Open, path), false)
	})
	t.Run("PostgreSQL", func(t *testing.T) {
		dsn := pgtest.DSN(t)
		raceRotation(t, openStore(t, postgres.Open, dsn), openStore(t, postgres.Open, dsn), true)
	})
}

func openStore[S keyward.Store](t *testing.T, open func(context.Context, string) (S, error), dsn string) keyward.Store {
	t.Helper()
	s, err := open(t.Context(), dsn)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// pausingTx is the store's own transaction, whose first new key waits at
// the barrier before it is written.
type pausingTx struct {
	keyward.Tx
	wait func()
}

func (p pausingTx) CreateOutboundKey(k keyward.OutboundKey) error {
	p.wait()
	return p.Tx.CreateOutboundKey(k)
}

func raceRotation(t *testing.T, a, b keyward.Store, overlap bool) {
	const acct = "111122223333"
	sl, err := seal.NewKey(seal.GenerateKey())
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var old []keyward.OutboundKey
	if err := a.Update(t.Context(), func(tx keyward.Tx) error {
		if err := tx.CreateAccount(keyward.Account{ID: acct, CreateDate: t0, OutboundIssuer: outbound.StoredIssuer(keyward.NewUUID()), OutboundEnabled: true}); err != nil {
			return err
		}
		old, err = outbound.EnsureKeys(tx, sl, acct, t0)
		return err
	}); err != nil {
		t.Fatal(err)
	}

	now := t0.Add(outbound.RotationPeriod)
	var (
		arrived  sync.WaitGroup
		together atomic.Bool
		runs     atomic.Int32
	)
	arrived.Add(2)
	rotate := func(s keyward.Store) (keyward.OutboundKey, error) {
		var signing keyward.OutboundKey
		first := true
		err := s.Update(t.Context(), func(tx keyward.Tx) error {
			runs.Add(1)
			wait := func() {}
			if first {
				first = false
				wait = sync.OnceFunc(func() {
					arrived.Done()
					done := make(chan struct{})
					go func() { arrived.Wait(); close(done) }()
					select {
					case <-done:
						together.Store(true)
					case <-time.After(time.Second):
					}
				})
			}
			keys, err := outbound.EnsureKeys(pausingTx{tx, wait}, sl, acct, now)
			if err != nil {
				return err
			}
			signing, _ = outbound.Find(keys, outbound.RS256)
			return nil
		})
		return signing, err
	}
	var (
		wg     sync.WaitGroup
		got    [2]keyward.OutboundKey
		errs   [2]error
		stores = [2]keyward.Store{a, b}
	)
	for i := range 2 {
		wg.Go(func() { got[i], errs[i] = rotate(stores[i]) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("replica %d: EnsureKeys = %v, want both to succeed", i, err)
		}
	}
	if got[0].KeyID != got[1].KeyID {
		t.Errorf("the replicas sign with %s and %s, want one key", got[0].KeyID, got[1].KeyID)
	}
	var keys []keyward.OutboundKey
	if err := b.View(t.Context(), func(tx keyward.Tx) (err error) {
		keys, err = tx.ListOutboundKeys(acct)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	for _, alg := range outbound.Algorithms {
		var kids []string
		for _, k := range keys {
			if k.Algorithm == alg && !slices.ContainsFunc(old, func(o keyward.OutboundKey) bool { return o.KeyID == k.KeyID }) {
				kids = append(kids, k.KeyID)
			}
		}
		if len(kids) != 1 {
			t.Errorf("%s keys made by the two rotations = %v, want exactly one", alg, kids)
		}
	}
	if got[0].KeyID == old[0].KeyID || got[0].KeyID == old[1].KeyID {
		t.Errorf("the replicas sign with the old key %s", got[0].KeyID)
	}
	t.Logf("transactions overlapped: %v; fn ran %d times", together.Load(), runs.Load())
	if overlap && (!together.Load() || runs.Load() < 3) {
		t.Errorf("overlapped = %v, fn ran %d times: want both transactions past their read before either wrote, and one run again", together.Load(), runs.Load())
	}
}
