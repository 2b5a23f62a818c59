package sqlite

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/keyward/keyward"
)

// TestOpen_FileModes: the database and the -wal and -shm files SQLite adds
// next to it are the owner's only, whichever way the DSN names the file;
// a file that exists keeps the mode its operator gave it.
func TestOpen_FileModes(t *testing.T) {
	tests := []struct {
		name     string
		dsn      func(path string) string
		existing fs.FileMode // 0: no file before Open
		want     fs.FileMode
	}{
		{"path", func(p string) string { return p }, 0, 0o600},
		{"sqlite: prefix", func(p string) string { return "sqlite:" + p }, 0, 0o600},
		{"file: URI", func(p string) string { return "file:" + p + "?cache=private" }, 0, 0o600},
		{"existing file", func(p string) string { return p }, 0o640, 0o640},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "keyward.db")
			if tt.existing != 0 {
				if err := os.WriteFile(path, nil, tt.existing); err != nil {
					t.Fatal(err)
				}
				if err := os.Chmod(path, tt.existing); err != nil { // whatever the umask
					t.Fatal(err)
				}
			}
			s, err := Open(t.Context(), tt.dsn(path))
			if err != nil {
				t.Fatalf("Open(%q): %v", tt.dsn(path), err)
			}
			defer s.Close()
			err = s.Update(t.Context(), func(tx keyward.Tx) error {
				return tx.CreateUser(keyward.User{AccountID: "111122223333", ID: "AIDAMODE", Name: "mode", Path: "/"})
			})
			if err != nil {
				t.Fatalf("Update: %v", err)
			}
			files := []string{path}
			if tt.existing == 0 { // SQLite gives its files the database's mode
				files = append(files, path+"-wal", path+"-shm")
			}
			for _, f := range files {
				fi, err := os.Stat(f)
				if err != nil {
					t.Fatalf("after Open and a write: %v", err)
				}
				if got := fi.Mode().Perm(); got != tt.want {
					t.Errorf("mode of %s = %v, want %v", filepath.Base(f), got, tt.want)
				}
			}
		})
	}
}

func TestDBFile(t *testing.T) {
	tests := []struct{ dsn, want string }{
		{"keyward.db", "keyward.db"},
		{"/var/lib/keyward/keyward.db", "/var/lib/keyward/keyward.db"},
		{Memory, ""},
		{"file:keyward.db", "keyward.db"},
		{"file:my%20data.db?cache=private", "my data.db"},
		{"file:/abs/keyward.db?_pragma=x", "/abs/keyward.db"},
		{"file:///abs/keyward.db", "/abs/keyward.db"},
		{"file:keyward.db?mode=rwc", "keyward.db"},
		{"file:keyward.db?mode=ro", ""},
		{"file:keyward.db?mode=rw", ""},
		{"file:keyward.db?mode=memory", ""},
		{"file::memory:", ""},
		{"file:/keyward.db?vfs=memdb", ""},
	}
	for _, tt := range tests {
		if got := dbFile(tt.dsn); got != tt.want {
			t.Errorf("dbFile(%q) = %q, want %q", tt.dsn, got, tt.want)
		}
	}
}
