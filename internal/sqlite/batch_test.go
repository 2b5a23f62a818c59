package sqlite_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/internal/sqlite"
)

// TestUpdate_GroupCommit: many concurrent Updates, some failing, some
// panicking: each one's outcome is its own, and what succeeded is kept.
func TestUpdate_GroupCommit(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "k.db")
	s, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Update(ctx, func(tx keyward.Tx) error { return tx.CreateAccount(keyward.Account{ID: "111122223333"}) }); err != nil {
		t.Fatal(err)
	}
	errBoom := errors.New("boom")
	const n = 200
	var wg sync.WaitGroup
	var panics atomic.Int32
	results := make([]error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() {
				if recover() != nil {
					panics.Add(1)
				}
			}()
			results[i] = s.Update(ctx, func(tx keyward.Tx) error {
				name := fmt.Sprintf("user%03d", i)
				if err := tx.CreateUser(keyward.User{AccountID: "111122223333", ID: fmt.Sprintf("AIDA%017d", i), Name: name, Path: "/", ARN: "arn:aws:iam::111122223333:user/" + name}); err != nil {
					return err
				}
				switch i % 10 {
				case 3:
					return errBoom // written, then refused: must not be kept
				case 7:
					panic("fn panics") // likewise, and the panic reaches the caller
				}
				return nil
			})
		}()
	}
	wg.Wait()
	if got := panics.Load(); got != n/10 {
		t.Errorf("%d Updates panicked in their callers, want %d", got, n/10)
	}
	s.Close()
	// Reopen: what was acknowledged is on disk, nothing else.
	s, err = sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	err = s.View(ctx, func(tx keyward.Tx) error {
		for i := 0; i < n; i++ {
			_, err := tx.GetUser("111122223333", fmt.Sprintf("user%03d", i))
			switch i % 10 {
			case 3, 7:
				if keyward.ErrorCode(err) != keyward.ErrNoSuchEntity {
					t.Errorf("user%03d, whose Update failed, = %v; want NoSuchEntity", i, err)
				}
				if i%10 == 3 && results[i] != errBoom {
					t.Errorf("Update %d = %v, want its own error", i, results[i])
				}
			default:
				if err != nil || results[i] != nil {
					t.Errorf("user%03d: Update = %v, GetUser = %v; want both nil", i, results[i], err)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// BenchmarkCreateUser_Concurrent: writers in parallel share commits, so
// throughput is not bounded by one sync per write.
func BenchmarkCreateUser_Concurrent(b *testing.B) {
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "k.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	s.Update(ctx, func(tx keyward.Tx) error { return tx.CreateAccount(keyward.Account{ID: "111122223333"}) })
	var next atomic.Int64
	b.ReportAllocs()
	b.SetParallelism(16)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := next.Add(1)
			name := fmt.Sprintf("u%d", i)
			err := s.Update(ctx, func(tx keyward.Tx) error {
				return tx.CreateUser(keyward.User{AccountID: "111122223333", ID: fmt.Sprintf("AIDA%017d", i), Name: name, Path: "/", ARN: "arn:aws:iam::111122223333:user/" + name})
			})
			if err != nil {
				b.Error(err)
				return
			}
		}
	})
}
