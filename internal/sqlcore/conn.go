package sqlcore

import "time"

// Conn runs statements for the core, on one transaction the store opened
// (or, for Generation and the like, on the store's own connection). The
// statements it gets have been through Dialect.Rebind.
//
// Calls do not overlap: the core reads a Row or Rows to the end before its
// next call, so a Conn may reuse the Row and Rows it returns. The args of
// a call live in a buffer the core reuses at its next call: a Conn must
// not keep them.
type Conn interface {
	// Exec runs a statement and returns how many rows it changed.
	Exec(q string, args ...any) (int64, error)
	// QueryRow runs a query for at most one row. Its Scan returns an
	// error matching sql.ErrNoRows (errors.Is) when there is none.
	QueryRow(q string, args ...any) Row
	// Query runs a query for any number of rows.
	Query(q string, args ...any) (Rows, error)
}

// Row is one row of a result, or the promise of one (QueryRow).
type Row interface {
	Scan(dest ...any) error
}

// Rows is a result read row by row, as *sql.Rows reads one. Close may be
// called more than once.
type Rows interface {
	Row
	Next() bool
	Err() error
	Close() error
}

// Dialect is what the core must know of a database beyond its driver.
type Dialect interface {
	// Name prefixes internal errors: "sqlite", "postgres".
	Name() string
	// Rebind turns a statement written in the core's SQL (see the package
	// doc) into the database's. It is called for every statement, so a
	// database that rewrites must remember its rewrites.
	Rebind(q string) string
	// IsUniqueViolation reports whether err says a UNIQUE or PRIMARY KEY
	// constraint was violated.
	IsUniqueViolation(err error) bool
	// Time returns a Scan destination that reads a time column (integer
	// nanoseconds, NULL for the zero time) into *t, in UTC.
	Time(t *time.Time) any
}

// hot lists the statements on the request path (see Hot).
var hot []string

// prepared registers q as a hot statement and returns it.
func prepared(q string) string {
	hot = append(hot, q)
	return q
}

// Hot returns the statements on the request path (looking up a user, a
// role, an access key, a principal's policies), in the core's SQL. A store
// whose driver does not cache prepared statements by itself prepares these
// when it opens: parsing the SQL would otherwise cost about half of such a
// read.
func Hot() []string { return append([]string(nil), hot...) }
