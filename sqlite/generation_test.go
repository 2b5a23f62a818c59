package sqlite_test

import (
	"path/filepath"
	"testing"

	"github.com/keyward/keyward"
)

// TestGeneration: two stores on one file are two replicas; a bump through
// one is seen by the other, and Reset does not break the counter.
func TestGeneration(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keyward.db")
	a, b := openFile(t, path), openFile(t, path)
	var g keyward.Generations = b
	before, err := g.Generation(t.Context())
	if err != nil {
		t.Fatalf("Generation: %v", err)
	}
	for range 3 {
		if err := a.BumpGeneration(t.Context()); err != nil {
			t.Fatalf("BumpGeneration: %v", err)
		}
	}
	after, err := g.Generation(t.Context())
	if err != nil {
		t.Fatalf("Generation: %v", err)
	}
	if after != before+3 {
		t.Errorf("Generation after 3 bumps = %d, want %d", after, before+3)
	}

	m := openFile(t, "sqlite::memory:")
	if err := m.Reset(t.Context()); err != nil {
		t.Fatalf("Reset: %v", err)
	}
	if v, err := m.Generation(t.Context()); err != nil || v != 0 {
		t.Errorf("Generation after Reset = %d, %v; want 0, nil", v, err)
	}
	if err := m.BumpGeneration(t.Context()); err != nil {
		t.Fatalf("BumpGeneration after Reset: %v", err)
	}
	if v, err := m.Generation(t.Context()); err != nil || v != 1 {
		t.Errorf("Generation after Reset and a bump = %d, %v; want 1, nil", v, err)
	}
}
