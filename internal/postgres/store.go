package postgres

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/keyward/keyward"
	"github.com/keyward/keyward/internal/sqlcore"
)

var (
	_ keyward.Store       = (*Store)(nil)
	_ keyward.Generations = (*Store)(nil)
	_ keyward.ActivityLog = (*Store)(nil)
)

// MaxAttempts is how many times View and Update run a transaction that
// keeps failing with a serialization failure or a deadlock before they give
// up and return the error.
const MaxAttempts = 100

// Backoff bounds between attempts: the n-th retry waits a random time up to
// min(backoffBase<<n, backoffMax) (full jitter), so that writers that
// collided spread out instead of colliding again.
const (
	backoffBase = time.Millisecond
	backoffMax  = 100 * time.Millisecond
)

// Store is a keyward.Store on a PostgreSQL (or CockroachDB, YugabyteDB)
// database, through a pgx connection pool.
type Store struct {
	pool *pgxpool.Pool

	// applied is how many migrations this Open applied (for tests: two
	// replicas opening at once apply each migration once between them).
	applied int
}

// Open connects to the database dsn (a postgres:// or postgresql:// URL, or
// a "key=value ..." connection string, as pgx reads them) and brings its
// schema up to date. Pool settings (pool_max_conns, ...) and run-time
// parameters (search_path, application_name, ...) may be given in the DSN.
func Open(ctx context.Context, dsn string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	// Migrations hold a lock on one connection while they run on another.
	cfg.MaxConns = max(cfg.MaxConns, 2)
	if _, ok := cfg.ConnConfig.RuntimeParams["application_name"]; !ok {
		cfg.ConnConfig.RuntimeParams["application_name"] = "keyward"
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	s := &Store{pool: pool}
	if err := s.migrate(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	return s, nil
}

// Close closes the pool; it waits for connections in use to be returned.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// View implements keyward.Store: a REPEATABLE READ READ ONLY transaction,
// one snapshot for all of fn's reads.
func (s *Store) View(ctx context.Context, fn func(keyward.Tx) error) error {
	return s.run(ctx, true, fn)
}

// Update implements keyward.Store: a SERIALIZABLE transaction, run again
// (fn included) when the database reports a serialization failure or a
// deadlock, up to MaxAttempts times with jittered backoff.
func (s *Store) Update(ctx context.Context, fn func(keyward.Tx) error) error {
	return s.run(ctx, false, fn)
}

func (s *Store) run(ctx context.Context, readOnly bool, fn func(keyward.Tx) error) error {
	for attempt := 1; ; attempt++ {
		retry, err := s.attempt(ctx, readOnly, fn)
		if !retry {
			return err
		}
		if attempt >= MaxAttempts {
			return fmt.Errorf("postgres: gave up after %d attempts: %w", attempt, err)
		}
		if err := sleep(ctx, backoff(attempt)); err != nil {
			return err
		}
	}
}

// backoff returns the wait before retry n (1, 2, ...).
func backoff(n int) time.Duration {
	d := backoffMax
	if n < 10 {
		d = min(backoffBase<<n, backoffMax)
	}
	return rand.N(d) + 1
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// The statements that open transactions. They are not sent on their own:
// the first statement fn runs goes in the same round trip (a pipeline of
// two), which saves a round trip on every View and Update.
const (
	beginUpdate = "BEGIN ISOLATION LEVEL SERIALIZABLE"
	beginView   = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
)

// attempt runs fn once. retry reports that the transaction failed for a
// reason that running it again may cure; err is then that failure.
func (s *Store) attempt(ctx context.Context, readOnly bool, fn func(keyward.Tx) error) (retry bool, err error) {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return false, fmt.Errorf("postgres: begin: %w", err)
	}
	// The pool closes a connection released in the middle of a
	// transaction (after a panic, a failed ROLLBACK, a lost connection).
	defer conn.Release()
	begin := beginUpdate
	if readOnly {
		begin = beginView
	}
	t := newTx(ctx, conn.Conn(), begin, readOnly)
	done := false
	defer func() {
		if !done && t.begin == "" {
			// fn panicked; the panic goes on. A fresh context: the
			// rollback must happen even when ctx is done.
			rctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			t.q.Exec(rctx, "ROLLBACK")
			cancel()
		}
	}()
	ferr := fn(t)
	done = true
	if t.begin != "" {
		// fn ran no statement: no transaction was opened.
		return false, ferr
	}
	if t.retryErr != nil || ferr != nil || readOnly || t.dead != nil {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		_, rerr := t.q.Exec(rctx, "ROLLBACK")
		cancel()
		switch {
		case t.retryErr != nil:
			// Whatever fn made of it, the transaction was doomed.
			return true, t.retryErr
		case ferr != nil:
			return false, ferr
		case t.dead != nil:
			return false, fmt.Errorf("postgres: begin: %w", t.dead)
		case rerr != nil:
			return false, fmt.Errorf("postgres: end view: %w", rerr)
		}
		return false, nil
	}
	tag, err := t.q.Exec(ctx, "COMMIT")
	if err != nil {
		return isRetryable(err), fmt.Errorf("postgres: commit: %w", err)
	}
	if tag.String() == "ROLLBACK" {
		// A statement failed and fn went on regardless: PostgreSQL
		// refuses to commit the aborted transaction.
		return false, fmt.Errorf("postgres: commit: %w", pgx.ErrTxCommitRollback)
	}
	return false, nil
}

// SQLSTATEs the store acts on.
const (
	codeSerializationFailure = "40001"
	codeDeadlockDetected     = "40P01"
	codeUniqueViolation      = "23505"
	codeDuplicateTable       = "42P07"
	codeDuplicateObject      = "42710"
)

func sqlState(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

// isRetryable reports whether err says the transaction lost a race and may
// succeed when run again: PostgreSQL's and YugabyteDB's serialization
// failures and deadlocks, and CockroachDB's "restart transaction" errors,
// which are 40001 too.
func isRetryable(err error) bool {
	switch sqlState(err) {
	case codeSerializationFailure, codeDeadlockDetected:
		return true
	}
	return false
}

// Generation implements keyward.Generations.
func (s *Store) Generation(ctx context.Context) (uint64, error) {
	return sqlcore.Generation(&conn{ctx: ctx, q: s.pool}, dialect{})
}

// BumpGeneration implements keyward.Generations with one upsert in its own
// (implicit) transaction: concurrent bumps queue on the row's lock instead
// of failing, and each one changes the value.
func (s *Store) BumpGeneration(ctx context.Context) error {
	err := s.retry(ctx, func(ctx context.Context) error {
		_, err := s.pool.Exec(ctx, rebind(sqlcore.BumpGeneration))
		return err
	})
	if err != nil {
		return fmt.Errorf("postgres: bump generation: %w", err)
	}
	return nil
}

// retry runs op, a write outside View and Update, again when it fails with
// a serialization failure or a deadlock (on CockroachDB even a single
// statement may be asked to restart), as Update does. It returns op's last
// error as it is.
func (s *Store) retry(ctx context.Context, op func(context.Context) error) error {
	for attempt := 1; ; attempt++ {
		err := op(ctx)
		if err == nil {
			return nil
		}
		if !isRetryable(err) || attempt >= MaxAttempts {
			return err
		}
		if err := sleep(ctx, backoff(attempt)); err != nil {
			return err
		}
	}
}

// Migrations.
//
// Two replicas may start at once. Each creates the bookkeeping tables if
// they are missing, then takes the migration lock: a row of
// keyward_migrations_lock, inserted if absent and locked with SELECT ... FOR
// UPDATE in a transaction on a connection of its own, held while the
// migrations run on another connection. The second replica waits on that
// row lock, then finds every migration recorded and applies none. The lock
// is a plain row lock, which PostgreSQL, CockroachDB and YugabyteDB all
// have (advisory locks are PostgreSQL's only), and it is released when the
// holder commits, rolls back or dies (its connection closes). Each migration
// runs in its own transaction with the row recording it.

// afterLock, when set (by tests), runs once the migration lock is held.
var afterLock func()

func (s *Store) migrate(ctx context.Context) error {
	ms, err := sqlcore.Migrations(dialect{})
	if err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	if err := s.bookkeeping(ctx); err != nil {
		return err
	}
	lockConn, err := s.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("postgres: migrations: %w", err)
	}
	defer lockConn.Release()
	lock, err := takeMigrationLock(ctx, lockConn.Conn())
	if err != nil {
		return err
	}
	defer func() {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		lock.Rollback(rctx)
		cancel()
	}()
	if afterLock != nil {
		afterLock()
	}
	for _, m := range ms {
		applied, err := s.apply(ctx, m)
		if err != nil {
			return err
		}
		if applied {
			s.applied++
		}
	}
	return nil
}

// bookkeeping creates the migration tables when missing. CREATE TABLE IF NOT
// EXISTS is not atomic on PostgreSQL (two sessions can both find the table
// missing, and one fails on the catalog's unique index), so a failure is
// retried: the next round finds the table.
func (s *Store) bookkeeping(ctx context.Context) error {
	const ddl = `CREATE TABLE IF NOT EXISTS keyward_schema_migrations (
		version    BIGINT PRIMARY KEY,
		applied_at BIGINT NOT NULL
	);
	CREATE TABLE IF NOT EXISTS keyward_migrations_lock (
		id     INT PRIMARY KEY,
		holder TEXT NOT NULL
	)`
	for attempt := 1; ; attempt++ {
		_, err := s.pool.Exec(ctx, ddl)
		if err == nil {
			return nil
		}
		switch sqlState(err) {
		case codeUniqueViolation, codeDuplicateTable, codeDuplicateObject, codeSerializationFailure:
			if attempt < 10 {
				if err := sleep(ctx, backoff(attempt)); err != nil {
					return err
				}
				continue
			}
		}
		return fmt.Errorf("postgres: migration tables: %w", err)
	}
}

// takeMigrationLock begins a transaction on conn holding the lock row.
func takeMigrationLock(ctx context.Context, conn *pgx.Conn) (pgx.Tx, error) {
	for attempt := 1; ; attempt++ {
		lock, err := conn.Begin(ctx)
		if err != nil {
			return nil, fmt.Errorf("postgres: migration lock: %w", err)
		}
		_, err = lock.Exec(ctx, `INSERT INTO keyward_migrations_lock (id, holder) VALUES (1, 'keyward') ON CONFLICT DO NOTHING`)
		if err == nil {
			var id int
			err = lock.QueryRow(ctx, `SELECT id FROM keyward_migrations_lock WHERE id = 1 FOR UPDATE`).Scan(&id)
		}
		if err == nil {
			return lock, nil
		}
		lock.Rollback(ctx)
		// YugabyteDB (fail-on-conflict mode) and CockroachDB may refuse a
		// contended lock with a retryable error instead of waiting.
		if !isRetryable(err) || attempt >= MaxAttempts {
			return nil, fmt.Errorf("postgres: migration lock: %w", err)
		}
		if err := sleep(ctx, backoff(attempt)); err != nil {
			return nil, err
		}
	}
}

// apply runs one migration unless it is recorded, and reports whether it
// ran.
func (s *Store) apply(ctx context.Context, m sqlcore.Migration) (bool, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return false, fmt.Errorf("postgres: migration %d: %w", m.Version, err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	var n int
	if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM keyward_schema_migrations WHERE version = $1`, m.Version).Scan(&n); err != nil {
		return false, fmt.Errorf("postgres: migration %d: %w", m.Version, err)
	}
	if n > 0 {
		return false, nil
	}
	if _, err := tx.Exec(ctx, m.SQL); err != nil {
		return false, fmt.Errorf("postgres: migration %s: %w", m.Name, err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO keyward_schema_migrations (version, applied_at) VALUES ($1, $2)`,
		m.Version, time.Now().UTC().UnixNano()); err != nil {
		return false, fmt.Errorf("postgres: migration %d: %w", m.Version, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return false, fmt.Errorf("postgres: migration %d: %w", m.Version, err)
	}
	return true, nil
}
