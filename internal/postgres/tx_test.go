package postgres

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/keyward/keyward"
	"github.com/keyward/keyward/internal/postgres/pgtest"
)

func openTest(t *testing.T) *Store {
	t.Helper()
	s, err := Open(t.Context(), pgtest.DSN(t))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestUpdate_Retries makes two Updates read the same row before either
// writes it: SERIALIZABLE lets one commit and fails the other, which runs
// its fn again and then sees the first one's write. No increment is lost.
func TestUpdate_Retries(t *testing.T) {
	s := openTest(t)
	role := keyward.Role{AccountID: "111122223333", ID: "AROACOUNTER", Name: "counter", Path: "/", MaxSessionDuration: 0}
	if err := s.Update(t.Context(), func(tx keyward.Tx) error { return tx.CreateRole(role) }); err != nil {
		t.Fatal(err)
	}
	var runs atomic.Int32
	var read sync.WaitGroup
	read.Add(2)
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			first := true
			err := s.Update(t.Context(), func(tx keyward.Tx) error {
				runs.Add(1)
				r, err := tx.GetRole(role.AccountID, role.Name)
				if err != nil {
					return err
				}
				if first {
					first = false
					read.Done()
					read.Wait() // both have read before either writes
				}
				r.MaxSessionDuration++
				return tx.UpdateRole(r)
			})
			if err != nil {
				t.Errorf("Update: %v", err)
			}
		})
	}
	wg.Wait()
	if n := runs.Load(); n < 3 {
		t.Errorf("fn ran %d times for 2 conflicting Updates, want at least 3 (one retry)", n)
	}
	err := s.View(t.Context(), func(tx keyward.Tx) error {
		r, err := tx.GetRole(role.AccountID, role.Name)
		if err == nil && r.MaxSessionDuration != 2 {
			t.Errorf("counter = %d after 2 increments, want 2", r.MaxSessionDuration)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestUpdate_IgnoredFailure: a statement that fails aborts the transaction;
// when fn goes on and returns nil, Update reports the failed commit instead
// of pretending, and the store keeps working.
func TestUpdate_IgnoredFailure(t *testing.T) {
	s := openTest(t)
	err := s.Update(t.Context(), func(ktx keyward.Tx) error {
		t := ktx.(*tx)
		t.Exec(`SELECT 1 / 0`)
		t.CreateUser(keyward.User{AccountID: "111122223333", ID: "AIDALOST", Name: "lost", Path: "/"})
		return nil
	})
	if !errors.Is(err, pgx.ErrTxCommitRollback) {
		t.Errorf("Update after an ignored failure = %v, want %v", err, pgx.ErrTxCommitRollback)
	}
	err = s.View(t.Context(), func(tx keyward.Tx) error {
		_, err := tx.GetUser("111122223333", "lost")
		return err
	})
	if keyward.ErrorCode(err) != keyward.ErrNoSuchEntity {
		t.Errorf("GetUser(lost) = %v, want NoSuchEntity", err)
	}
}

// TestView_NoStatements: a View or Update whose fn reads nothing opens no
// transaction and returns fn's result.
func TestView_NoStatements(t *testing.T) {
	s := openTest(t)
	boom := errors.New("boom")
	if err := s.View(t.Context(), func(keyward.Tx) error { return nil }); err != nil {
		t.Errorf("empty View = %v", err)
	}
	if err := s.Update(t.Context(), func(keyward.Tx) error { return boom }); err != boom {
		t.Errorf("empty Update = %v, want %v", err, boom)
	}
}

// TestText_NotStorable: text PostgreSQL cannot hold is refused before it
// reaches the database, and the transaction goes on.
func TestText_NotStorable(t *testing.T) {
	s := openTest(t)
	err := s.Update(t.Context(), func(tx keyward.Tx) error {
		for _, name := range []string{"nul\x00", "bad\xff"} {
			err := tx.CreateUser(keyward.User{AccountID: "111122223333", ID: "AIDA" + name, Name: name, Path: "/"})
			if keyward.ErrorCode(err) != keyward.ErrInvalidInput {
				t.Errorf("CreateUser(%q) = %v, want InvalidInput", name, err)
			}
			// Folding may have made the name storable: not found is
			// fine too, as long as the database never sees it.
			if _, err := tx.GetUser("111122223333", name); keyward.ErrorCode(err) != keyward.ErrInvalidInput &&
				keyward.ErrorCode(err) != keyward.ErrNoSuchEntity {
				t.Errorf("GetUser(%q) = %v, want InvalidInput or NoSuchEntity", name, err)
			}
		}
		return tx.CreateUser(keyward.User{AccountID: "111122223333", ID: "AIDAFINE", Name: "fine", Path: "/"})
	})
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
}
