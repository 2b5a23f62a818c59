package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/internal/sqlcore"
)

var (
	_ keyward.Store       = (*Store)(nil)
	_ keyward.Generations = (*Store)(nil) // two processes on one file are replicas too
	_ keyward.ActivityLog = (*Store)(nil)
)

// Memory is the DSN of a database kept in memory only.
const Memory = ":memory:"

// busyTimeout is how long a connection waits for another process's lock.
const busyTimeout = 10 * time.Second

// Store is a keyward.Store on one SQLite database.
type Store struct {
	batch  batcher
	writer *sql.DB // one connection, BEGIN IMMEDIATE
	reader *sql.DB // a pool of query_only connections; == writer in memory

	// The hot statements, prepared on each *sql.DB (database/sql prepares
	// them again on each further connection when first used there).
	writerStmts, readerStmts map[string]*sql.Stmt

	closeOnce sync.Once
	closeErr  error
}

// Open opens (creating when needed) the database dsn and brings its schema up
// to date. dsn is a file path, a "file:" URI, or ":memory:"; a "sqlite:"
// prefix, as in keyward serve's --store flag, is dropped.
//
// A file database uses WAL, synchronous=FULL, foreign keys and a busy
// timeout, with one writer connection and a pool of readers. ":memory:" uses
// a single connection for reads and writes (a private in-memory database
// lives and dies with its connection), so Views and Updates take turns.
func Open(ctx context.Context, dsn string) (*Store, error) {
	dsn = strings.TrimPrefix(dsn, "sqlite:")
	if dsn == "" {
		return nil, errors.New("sqlite: empty DSN")
	}
	if strings.ContainsRune(dsn, '?') && !strings.HasPrefix(dsn, "file:") {
		return nil, fmt.Errorf("sqlite: DSN %q: use a file: URI for query parameters", dsn)
	}
	common := url.Values{}
	common.Add("_pragma", "busy_timeout("+strconv.Itoa(int(busyTimeout/time.Millisecond))+")")
	common.Add("_pragma", "foreign_keys(1)")
	common.Add("_txlock", "immediate")

	s := &Store{}
	if dsn == Memory {
		db, err := sql.Open("sqlite", withParams(dsn, common))
		if err != nil {
			return nil, fmt.Errorf("sqlite: %w", err)
		}
		db.SetMaxOpenConns(1)
		db.SetMaxIdleConns(1)
		db.SetConnMaxLifetime(0)
		db.SetConnMaxIdleTime(0)
		s.writer, s.reader = db, db
	} else {
		if err := createPrivate(dsn); err != nil {
			return nil, err
		}
		w := cloneValues(common)
		w.Add("_pragma", "journal_mode(WAL)")
		w.Add("_pragma", "synchronous(FULL)")
		writer, err := sql.Open("sqlite", withParams(dsn, w))
		if err != nil {
			return nil, fmt.Errorf("sqlite: %w", err)
		}
		writer.SetMaxOpenConns(1)
		writer.SetMaxIdleConns(1)
		writer.SetConnMaxLifetime(0)
		r := cloneValues(common)
		r.Add("_pragma", "query_only(1)")
		reader, err := sql.Open("sqlite", withParams(dsn, r))
		if err != nil {
			writer.Close()
			return nil, fmt.Errorf("sqlite: %w", err)
		}
		n := max(4, runtime.GOMAXPROCS(0))
		reader.SetMaxOpenConns(n)
		reader.SetMaxIdleConns(n)
		s.writer, s.reader = writer, reader
	}
	if err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	var err error
	if s.writerStmts, err = prepareAll(ctx, s.writer); err == nil {
		s.readerStmts = s.writerStmts
		if s.reader != s.writer {
			s.readerStmts, err = prepareAll(ctx, s.reader)
		}
	}
	if err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func cloneValues(v url.Values) url.Values {
	c := url.Values{}
	for k, vs := range v {
		c[k] = append([]string(nil), vs...)
	}
	return c
}

func withParams(dsn string, v url.Values) string {
	sep := "?"
	if strings.ContainsRune(dsn, '?') {
		sep = "&"
	}
	return dsn + sep + v.Encode()
}

func prepareAll(ctx context.Context, db *sql.DB) (map[string]*sql.Stmt, error) {
	hot := sqlcore.Hot()
	m := make(map[string]*sql.Stmt, len(hot))
	for _, q := range hot {
		q = dialect{}.Rebind(q) // the text the core's calls will carry
		st, err := db.PrepareContext(ctx, q)
		if err != nil {
			return nil, fmt.Errorf("sqlite: prepare %q: %w", q, err)
		}
		m[q] = st
	}
	return m, nil
}

// Close closes the database. Closing again does nothing more and returns
// the first Close's result.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.stopBatcher()
		for _, m := range []map[string]*sql.Stmt{s.writerStmts, s.readerStmts} {
			for _, st := range m {
				st.Close()
			}
		}
		s.closeErr = s.writer.Close()
		if s.reader != s.writer {
			s.closeErr = errors.Join(s.closeErr, s.reader.Close())
		}
	})
	return s.closeErr
}

// View implements keyward.Store.
func (s *Store) View(ctx context.Context, fn func(keyward.Tx) error) error {
	return s.run(ctx, s.reader, s.readerStmts, true, fn)
}

// Update implements keyward.Store. SQLite has one writer at a time (BEGIN
// IMMEDIATE takes the write lock up front), so transactions never conflict
// and fn runs once.
func (s *Store) Update(ctx context.Context, fn func(keyward.Tx) error) error {
	return s.update(ctx, fn) // group commit: see batch.go
}

func (s *Store) run(ctx context.Context, db *sql.DB, stmts map[string]*sql.Stmt, readOnly bool, fn func(keyward.Tx) error) (err error) {
	stx, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: readOnly})
	if err != nil {
		return fmt.Errorf("sqlite: begin: %w", err)
	}
	done := false
	defer func() {
		if !done {
			stx.Rollback() // fn panicked; the panic goes on
		}
	}()
	ferr := fn(newTx(ctx, stx, stmts, readOnly))
	done = true
	if ferr != nil || readOnly {
		if rerr := stx.Rollback(); rerr != nil && ferr == nil {
			return fmt.Errorf("sqlite: end view: %w", rerr)
		}
		return ferr
	}
	if err := stx.Commit(); err != nil {
		return fmt.Errorf("sqlite: commit: %w", err)
	}
	return nil
}

// migrate applies the migrations (sqlcore's, rendered in SQLite's SQL) not
// yet recorded in schema_migrations, each in its own transaction, in
// version order.
func (s *Store) migrate(ctx context.Context) error {
	if _, err := s.writer.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		applied_at INTEGER NOT NULL
	)`); err != nil {
		return fmt.Errorf("sqlite: migrations table: %w", err)
	}
	ms, err := sqlcore.Migrations(dialect{})
	if err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	for _, m := range ms {
		if err := s.apply(ctx, m); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) apply(ctx context.Context, m sqlcore.Migration) error {
	tx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: migration %d: %w", m.Version, err)
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE version = ?`, m.Version).Scan(&n); err != nil {
		return fmt.Errorf("sqlite: migration %d: %w", m.Version, err)
	}
	if n > 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
		return fmt.Errorf("sqlite: migration %s: %w", m.Name, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`,
		m.Version, time.Now().UTC().UnixNano()); err != nil {
		return fmt.Errorf("sqlite: migration %d: %w", m.Version, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: migration %d: %w", m.Version, err)
	}
	return nil
}
