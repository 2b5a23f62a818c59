// Package sqlcore is the one implementation of keyward.Tx over SQL: every
// Tx method, and the ActivityLog, Generations and entity counts, written
// once for the sqlite and postgres stores, and the schema both create. Each
// store keeps only what is its own (connections and pools, pragmas, group
// commit, retries, how it applies and records migrations) and hands the
// core a Conn, which runs statements on its driver, and a Dialect, which
// says how its database differs.
//
// # The SQL
//
// Statements are written as SQLite reads them: ? placeholders, and
// "COLLATE BINARY" after every text column that is ordered or compared for
// a list, because lists sort in byte order (what pagination markers
// encode). Dialect.Rebind turns them into the database's own: PostgreSQL
// numbers its placeholders ($1, $2, ...) and needs COLLATE "C" for byte
// order, whatever the database's default collation. Everything else is
// written in SQL both databases (and CockroachDB and YugabyteDB) run
// unchanged: INSERT ... ON CONFLICT DO NOTHING and ON CONFLICT (...) DO
// UPDATE, NULLs ordered with "x IS NOT NULL, x", Go bools and []byte as
// arguments.
//
// A failed statement aborts a PostgreSQL transaction, yet the Tx contract
// lets callers carry on after EntityAlreadyExists or NoSuchEntity. So such
// outcomes never come from failed SQL: inserts use ON CONFLICT DO NOTHING
// and read the row count, renames look for the name first. Unique
// violations are still classified (Dialect.IsUniqueViolation) for the race
// a look-first cannot see.
//
// Names, tag keys and policy ARNs are folded to lower case in Go and kept in
// *_fold columns, so no database's lower() or collation decides what is
// equal. Times are integer nanoseconds since the epoch (UTC), NULL for the
// zero time; scanning them is the Dialect's (Dialect.Time), so that each
// driver reads them without boxing.
//
// # The schema
//
// The tables are made by numbered migrations, migrations/NNNN_what.sql,
// one set for both databases. Where they spell a thing differently a file
// says {{int64}} (INTEGER in SQLite, BIGINT in PostgreSQL), {{int32}},
// {{bool}}, {{false}}, {{true}}, {{bytes}} or {{nobytes}}, and Migrations renders it
// for a Dialect; a line that starts with {{only sqlite}} or {{only
// postgres}} is one database's alone, and rare (two indexes, kept from
// before the sets were merged). Any other double braces are an error,
// which this package's tests catch. Each store's tests compare the schema
// it builds with the one its old files built (internal/sqlcore/legacy).
// Versions are never renumbered: databases record them.
//
// # Errors
//
// Methods return a *keyward.Error for the outcomes keyward.Tx documents
// (NoSuchEntity, EntityAlreadyExists, DeleteConflict, InvalidInput), each
// made once, in messages.go, with a neutral message that names what was
// missing or taken ("no such user alice"): clients read AWS's sentences,
// which iam and sts write. Anything else is internal, wrapped with %w and
// prefixed with the Dialect's name.
//
// This package imports only the standard library and the root package
// keyward: no driver. Only the stores import it.
package sqlcore
