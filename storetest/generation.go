package storetest

import (
	"sync"
	"testing"

	"github.com/keyward/keyward"
)

// bumps is how many BumpGeneration calls the tests make at once.
const bumps = 10

// testGenerations checks keyward.Generations on one store: every bump
// changes the generation, concurrent bumps included.
func testGenerations(t *testing.T, s keyward.Store) {
	g, ok := s.(keyward.Generations)
	if !ok {
		t.Skipf("%T does not implement keyward.Generations: nothing to test", s)
	}
	before := generation(t, g)
	bumpConcurrently(t, g, bumps)
	if got := generation(t, g); got != before+bumps {
		t.Errorf("Generation after %d concurrent bumps = %d, want %d", bumps, got, before+bumps)
	}
}

// RunReplicas runs the tests of what stores sharing one database see of
// each other, as replicas of a service do. open must return two stores on
// one new, empty database (two Opens of one file or DSN), each registering
// its Close with t.Cleanup.
func RunReplicas(t *testing.T, open func(t *testing.T) (a, b keyward.Store)) {
	t.Run("Generations", func(t *testing.T) {
		a, b := open(t)
		ga, okA := a.(keyward.Generations)
		gb, okB := b.(keyward.Generations)
		if !okA || !okB {
			t.Fatalf("%T does not implement keyward.Generations, which replicas need to drop stale caches", a)
		}
		before := generation(t, gb)
		bumpConcurrently(t, ga, bumps)
		if got := generation(t, gb); got != before+bumps {
			t.Errorf("Generation on b after %d bumps through a = %d, want %d", bumps, got, before+bumps)
		}
		var wg sync.WaitGroup // both at once
		for _, g := range []keyward.Generations{ga, gb} {
			wg.Go(func() { bumpConcurrently(t, g, bumps) })
		}
		wg.Wait()
		for name, g := range map[string]keyward.Generations{"a": ga, "b": gb} {
			if got, want := generation(t, g), before+3*bumps; got != want {
				t.Errorf("Generation on %s after %d more bumps through each = %d, want %d", name, bumps, got, want)
			}
		}
	})
	t.Run("Writes", func(t *testing.T) {
		a, b := open(t)
		u := newUser(acct, "shared")
		update(t, a, func(tx keyward.Tx) error { return tx.CreateUser(u) })
		view(t, b, func(tx keyward.Tx) error {
			got, err := tx.GetUser(acct, u.Name)
			wantOK(t, "GetUser on b after CreateUser on a", err)
			diff(t, "GetUser on b", u, got)
			return nil
		})
	})
}

func generation(t *testing.T, g keyward.Generations) uint64 {
	t.Helper()
	v, err := g.Generation(t.Context())
	if err != nil {
		t.Fatalf("Generation: %v", err)
	}
	return v
}

func bumpConcurrently(t *testing.T, g keyward.Generations, n int) {
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			if err := g.BumpGeneration(t.Context()); err != nil {
				t.Errorf("BumpGeneration: %v", err)
			}
		})
	}
	wg.Wait()
}
