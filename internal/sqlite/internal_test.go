package sqlite

import (
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/internal/sqlcore"
)

// TestOpen_Pragmas checks the settings the durability and concurrency
// design rests on, per connection kind.
func TestOpen_Pragmas(t *testing.T) {
	s, err := Open(t.Context(), filepath.Join(t.TempDir(), "k.db"))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer s.Close()
	tests := []struct {
		db     *sql.DB
		name   string
		pragma string
		want   string
	}{
		{s.writer, "writer", "journal_mode", "wal"},
		{s.writer, "writer", "synchronous", "2"}, // FULL
		{s.writer, "writer", "foreign_keys", "1"},
		{s.writer, "writer", "busy_timeout", "10000"},
		{s.writer, "writer", "query_only", "0"},
		{s.reader, "reader", "journal_mode", "wal"},
		{s.reader, "reader", "query_only", "1"},
		{s.reader, "reader", "busy_timeout", "10000"},
	}
	for _, tt := range tests {
		var got string
		if err := tt.db.QueryRowContext(t.Context(), "PRAGMA "+tt.pragma).Scan(&got); err != nil {
			t.Fatalf("%s PRAGMA %s: %v", tt.name, tt.pragma, err)
		}
		if got != tt.want {
			t.Errorf("%s PRAGMA %s = %q, want %q", tt.name, tt.pragma, got, tt.want)
		}
	}
	var n int
	if err := s.writer.QueryRowContext(t.Context(), "SELECT COUNT(*) FROM schema_migrations").Scan(&n); err != nil {
		t.Fatalf("schema_migrations: %v", err)
	}
	ms, err := sqlcore.Migrations(dialect{})
	if err != nil {
		t.Fatal(err)
	}
	if n != len(ms) {
		t.Errorf("schema_migrations has %d rows, want %d", n, len(ms))
	}
}

// TestView_DuringUpdate checks that, on a file, a View runs while an Update
// is open and does not see its uncommitted writes.
func TestView_DuringUpdate(t *testing.T) {
	s, err := Open(t.Context(), filepath.Join(t.TempDir(), "k.db"))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer s.Close()
	written, release := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- s.Update(t.Context(), func(tx keyward.Tx) error {
			if err := tx.CreateUser(keyward.User{AccountID: "111122223333", ID: "AIDAOPEN", Name: "open", Path: "/"}); err != nil {
				return err
			}
			close(written)
			<-release
			return nil
		})
	}()
	<-written
	viewDone := make(chan error, 1)
	go func() {
		viewDone <- s.View(t.Context(), func(tx keyward.Tx) error {
			_, err := tx.GetUser("111122223333", "open")
			return err
		})
	}()
	select {
	case err := <-viewDone:
		if code := keyward.ErrorCode(err); code != keyward.ErrNoSuchEntity {
			t.Errorf("GetUser during the Update = %v, want %s", err, keyward.ErrNoSuchEntity)
		}
	case <-time.After(5 * time.Second):
		t.Errorf("View blocked behind an open Update")
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatalf("Update: %v", err)
	}
	err = s.View(t.Context(), func(tx keyward.Tx) error {
		_, err := tx.GetUser("111122223333", "open")
		return err
	})
	if err != nil {
		t.Errorf("GetUser after commit = %v, want nil", err)
	}
}
