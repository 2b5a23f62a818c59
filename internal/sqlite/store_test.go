package sqlite_test

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/internal/sqlite"
	"github.com/keyward/keyward/storetest"
)

func openFile(t testing.TB, path string) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(t.Context(), path)
	if err != nil {
		t.Fatalf("Open(%q) = %v", path, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestStore_File(t *testing.T) {
	storetest.Run(t, func(t *testing.T) keyward.Store {
		return openFile(t, filepath.Join(t.TempDir(), "keyward.db"))
	})
}

func TestStore_Memory(t *testing.T) {
	storetest.Run(t, func(t *testing.T) keyward.Store {
		return openFile(t, sqlite.Memory)
	})
}

func TestStore_Replicas(t *testing.T) {
	storetest.RunReplicas(t, func(t *testing.T) (keyward.Store, keyward.Store) {
		path := filepath.Join(t.TempDir(), "keyward.db")
		return openFile(t, path), openFile(t, path)
	})
}

func TestStore_Reset(t *testing.T) {
	storetest.RunReset(t, func(t *testing.T) keyward.Store { return openFile(t, sqlite.Memory) })
}

// TestReset_File: a database in a file is never reset.
func TestReset_File(t *testing.T) {
	s := openFile(t, filepath.Join(t.TempDir(), "keyward.db"))
	if err := s.Reset(t.Context()); err != sqlite.ErrNotMemory {
		t.Errorf("Reset of a file database = %v, want ErrNotMemory", err)
	}
}

func TestStore_MemoryIsPrivate(t *testing.T) {
	a, b := openFile(t, "sqlite::memory:"), openFile(t, sqlite.Memory)
	u := keyward.User{AccountID: "111122223333", ID: "AIDAPRIVATE", Name: "u", Path: "/"}
	if err := a.Update(t.Context(), func(tx keyward.Tx) error { return tx.CreateUser(u) }); err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	err := b.View(t.Context(), func(tx keyward.Tx) error {
		_, err := tx.GetUser(u.AccountID, u.Name)
		return err
	})
	if code := keyward.ErrorCode(err); code != keyward.ErrNoSuchEntity {
		t.Errorf("GetUser in another memory store = %v, want %s", err, keyward.ErrNoSuchEntity)
	}
}

// TestOpen_Reopen checks that committed data survives closing and reopening
// the file, and that migrations run once.
func TestOpen_Reopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keyward.db")
	s, err := sqlite.Open(t.Context(), path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	created := time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)
	u := keyward.User{AccountID: "111122223333", ID: "AIDADURABLE", Name: "durable", Path: "/",
		ARN: "arn:aws:iam::111122223333:user/durable", CreateDate: created}
	k := keyward.AccessKey{AccountID: "111122223333", UserName: "durable", AccessKeyID: "AKIADURABLE",
		SecretCiphertext: []byte{0, 1, 2, 0xff}, Status: keyward.StatusActive, CreateDate: created}
	err = s.Update(t.Context(), func(tx keyward.Tx) error {
		if err := tx.CreateUser(u); err != nil {
			return err
		}
		return tx.CreateAccessKey(k)
	})
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	for i := range 2 {
		s := openFile(t, path)
		err := s.View(t.Context(), func(tx keyward.Tx) error {
			got, err := tx.GetUser("111122223333", "DURABLE")
			if err != nil {
				return err
			}
			if got != u {
				t.Errorf("reopen %d: GetUser = %+v, want %+v", i, got, u)
			}
			key, err := tx.GetAccessKey("AKIADURABLE")
			if err != nil {
				return err
			}
			if string(key.SecretCiphertext) != string(k.SecretCiphertext) {
				t.Errorf("reopen %d: SecretCiphertext = %x, want %x", i, key.SecretCiphertext, k.SecretCiphertext)
			}
			return nil
		})
		if err != nil {
			t.Fatalf("reopen %d: View: %v", i, err)
		}
		s.Close()
	}
}

func TestOpen_BadDSN(t *testing.T) {
	for _, dsn := range []string{"", "sqlite:", "a.db?mode=ro"} {
		if s, err := sqlite.Open(t.Context(), dsn); err == nil {
			s.Close()
			t.Errorf("Open(%q) = nil error, want one", dsn)
		}
	}
}

func BenchmarkCreateUser(b *testing.B) {
	s := openFile(b, filepath.Join(b.TempDir(), "keyward.db"))
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		name := fmt.Sprintf("user-%d", i)
		err := s.Update(b.Context(), func(tx keyward.Tx) error {
			return tx.CreateUser(keyward.User{AccountID: "111122223333", ID: fmt.Sprintf("AIDA%016d", i),
				Name: name, Path: "/", ARN: "arn:aws:iam::111122223333:user/" + name, CreateDate: time.Now().UTC()})
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGetUser(b *testing.B) {
	s := openFile(b, filepath.Join(b.TempDir(), "keyward.db"))
	err := s.Update(b.Context(), func(tx keyward.Tx) error {
		for i := range 1000 {
			name := fmt.Sprintf("user-%d", i)
			if err := tx.CreateUser(keyward.User{AccountID: "111122223333", ID: fmt.Sprintf("AIDA%016d", i),
				Name: name, Path: "/", ARN: "arn:aws:iam::111122223333:user/" + name}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		err := s.View(b.Context(), func(tx keyward.Tx) error {
			_, err := tx.GetUser("111122223333", "USER-500")
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// TestClose_Twice: a second Close after writes (which start the group
// commit's writer) returns the first one's result instead of panicking on
// the writer's closed stop channel.
func TestClose_Twice(t *testing.T) {
	s, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "keyward.db"))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Update(t.Context(), func(tx keyward.Tx) error {
		return tx.CreateAccount(keyward.Account{ID: "111122223333", CreateDate: time.Now()})
	}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("first Close = %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close = %v; want the first's nil", err)
	}
}
