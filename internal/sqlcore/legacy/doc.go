// Package legacy holds the schema migrations as the sqlite and postgres
// stores shipped them before the two sets were merged into one source,
// internal/sqlcore/migrations: frozen copies, never to be edited, kept so
// that tests can prove the merged ones build each store's schema exactly
// as before, and that a database migrated by the old files opens with the
// new code unchanged.
//
// Each store's files are one txtar archive ("-- NNNN_what.sql --" starts a
// file). Only tests import this package, and it imports nothing of the
// project, so no binary carries the old schema.
package legacy
