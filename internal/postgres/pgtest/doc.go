// Package pgtest gives tests a PostgreSQL database of their own: a fresh
// schema in the database named by KEYWARD_TEST_POSTGRES, dropped when the
// test ends. Tests that need PostgreSQL call DSN, which skips them (saying
// how to run them) when the variable is unset.
package pgtest
