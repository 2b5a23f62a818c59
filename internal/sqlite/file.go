package sqlite

import (
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"strings"
)

// createPrivate creates the database file dsn names, empty and readable by
// its owner only, when it does not exist yet: it will hold sealed secrets
// and every policy. SQLite gives the -wal and -shm files it creates next
// to it the database file's mode. An existing file keeps its mode (the
// operator's choice), and a DSN that names no file to create (read-only or
// read-write modes, memory databases) is left to SQLite.
func createPrivate(dsn string) error {
	path := dbFile(dsn)
	if path == "" {
		return nil
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("sqlite: create %s: %w", path, err)
	}
	return f.Close()
}

// dbFile returns the path of the file a DSN asks SQLite to create if
// missing, or "".
func dbFile(dsn string) string {
	if dsn == Memory {
		return ""
	}
	if !strings.HasPrefix(dsn, "file:") {
		return dsn
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return ""
	}
	q := u.Query()
	if m := q.Get("mode"); (m != "" && m != "rwc") || q.Get("vfs") != "" {
		return ""
	}
	path := u.Path
	if u.Opaque != "" {
		if path, err = url.PathUnescape(u.Opaque); err != nil {
			return ""
		}
	}
	if path == "" || path == Memory {
		return ""
	}
	return path
}
