// Package sqlite implements keyward.Store on SQLite, with the pure-Go driver
// modernc.org/sqlite, so Keyward builds with CGO_ENABLED=0.
//
// # Basics
//
// Open takes a file path (or a "file:" URI) or ":memory:". A file database
// runs in WAL mode with synchronous=FULL (a committed Update is on disk),
// foreign keys and a busy timeout; it has one writer connection, whose
// transactions begin IMMEDIATE so writers queue instead of failing, and a
// pool of query_only reader connections for View, which read a snapshot
// while the writer works. The schema lives in numbered, embedded migrations
// shared with the PostgreSQL store (internal/sqlcore/migrations, rendered in
// SQLite's types), applied at Open, each in its own transaction, and
// recorded in schema_migrations.
//
// # Caveats
//
// ":memory:" keeps everything on one connection: a private in-memory
// database exists only on the connection that created it, and SQLite's
// shared cache reports lock conflicts as errors instead of waiting. So Views
// and Updates on a memory store run one at a time, and calling the store from
// inside fn deadlocks (as it may with a file store's writer).
//
// The Tx methods are internal/sqlcore's, shared with the PostgreSQL store:
// this package keeps what is SQLite's own (the connections and their
// pragmas, group commit, migrations, Reset) and the dialect (the core's SQL
// is SQLite's; times scan from INTEGER nanoseconds). Names are folded to
// lower case in Go and kept in *_fold columns; ordering is by those columns
// in byte order, which is what markers encode.
//
// The database file and its -wal and -shm files are created readable by
// their owner only (0600): they hold sealed secrets and every policy. A
// file that exists already keeps its mode.
//
// This package imports only the root package keyward, internal/sqlcore and
// the driver; rules (quotas, name validation, authorization) belong to the
// layers above.
package sqlite
