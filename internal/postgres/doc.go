// Package postgres implements keyward.Store on PostgreSQL, through the pgx
// driver and its connection pool, for Keyward running as several replicas
// over one database. It keeps to SQL that CockroachDB and YugabyteDB (the
// PostgreSQL-wire engines that spread writes over many machines) also run.
//
// # Transactions
//
// Update runs fn in a SERIALIZABLE transaction; View in a REPEATABLE READ
// READ ONLY one (a single snapshot). When the database reports a
// serialization failure (SQLSTATE 40001, also CockroachDB's "restart
// transaction") or a deadlock (40P01), at any statement or at COMMIT, the
// transaction is rolled back and fn runs again, after a random wait that
// grows with each attempt (full jitter, 1 ms doubling up to 100 ms), up to
// MaxAttempts times. That is what makes quotas hold across replicas: IAM
// counts and inserts in one Update, and of two replicas racing past a quota
// one is sent back to count again.
//
// BEGIN is not sent on its own: it goes with fn's first statement in one
// pipelined batch (extended protocol, one Sync), so a View of one read costs
// two round trips (BEGIN+read, ROLLBACK) instead of three.
//
// The Tx methods are internal/sqlcore's, shared with the SQLite store; this
// package keeps what is PostgreSQL's own (the pool, transactions and their
// retries, migrations under a lock) and the dialect: placeholders numbered
// $1, $2, ..., COLLATE "C" for byte order, times scanned without boxing.
// A failed statement aborts a PostgreSQL transaction, yet the Tx contract
// lets callers carry on after an EntityAlreadyExists or a NoSuchEntity. So
// such outcomes never come from failed SQL: the core's inserts use INSERT
// ... ON CONFLICT DO NOTHING and read the row count, its renames look for
// the name first, and text PostgreSQL cannot store (NUL, invalid UTF-8) is
// refused here before it is sent.
//
// # Schema and migrations
//
// The tables are the SQLite store's: one set of numbered, embedded
// migrations (internal/sqlcore/migrations) serves both, rendered here in
// PostgreSQL's types (BIGINT, BOOLEAN, BYTEA), and recorded in
// keyward_schema_migrations. Times
// are BIGINT nanoseconds (exact, unlike TIMESTAMPTZ's microseconds, so an
// export from SQLite imports unchanged). Names are folded to lower case in
// Go into *_fold columns; lists sort them with COLLATE "C" in the query, so
// the order is byte order (the SQLite store's, which its markers encode)
// whatever the database's collation.
//
// Open applies missing migrations under a lock: a row of
// keyward_migrations_lock, inserted with ON CONFLICT DO NOTHING and locked
// with SELECT ... FOR UPDATE by a transaction held open on its own
// connection while the migrations run. A second replica starting at the same
// time waits on that row, then finds every migration recorded. A replica
// that dies while holding it releases it with its connection.
//
// # What was checked for CockroachDB and YugabyteDB
//
// Neither can be installed on the machine this was written on; the tests run
// on PostgreSQL 15. The SQL was kept, by reading their documentation and
// issue trackers, to what both accept:
//
//   - No advisory locks (pg_advisory_lock is PostgreSQL's alone): the
//     migration lock is a row lock, SELECT ... FOR UPDATE, which both have.
//     A lock refused with a retryable error (YugabyteDB's fail-on-conflict
//     mode) is asked for again.
//   - No sequences, SERIAL or identity columns, and nothing relies on
//     insertion order: every key is given by the store (IAM's unique IDs,
//     ARNs), policy version numbers come from a counter column in the
//     policy's row, and lists order by explicit columns.
//   - INSERT ... ON CONFLICT DO NOTHING (with no conflict target) and ON
//     CONFLICT (columns) DO UPDATE SET ... = excluded....: both support them.
//   - COLLATE "C" appears only in expressions (ORDER BY, comparisons), never
//     on a column: CockroachDB accepts "C" in expressions since 22.2 (it is
//     its default byte order) but not in column definitions. NULLs are
//     ordered with "x IS NOT NULL, x" rather than NULLS FIRST.
//   - No LISTEN/NOTIFY (CockroachDB lacks it): replicas learn of changes by
//     polling keyward_generation (keyward.Generations), one small row.
//   - DDL runs in explicit transactions, one migration each. PostgreSQL
//     makes that atomic; CockroachDB and YugabyteDB run schema changes in
//     transactions with caveats, which is why each migration is small and
//     recorded in the same transaction, and why a failed migration can be
//     run again.
//   - Multi-statement migrations are sent with the simple query protocol,
//     which all three accept. BEGIN pipelined with the next statement is
//     what JDBC drivers send on every transaction, which CockroachDB and
//     YugabyteDB serve.
//   - Retries: 40001 is what CockroachDB returns for every transaction it
//     must restart, and what YugabyteDB returns for its conflicts.
//
// pgx caches prepared statements per connection. Behind a pooler in
// transaction mode (PgBouncer), add default_query_exec_mode=exec (or
// simple_protocol) to the DSN.
//
// This package imports only the root package keyward, internal/sqlcore and
// pgx; rules (quotas, name validation, authorization) belong to the layers
// above.
package postgres
