package sqlcore

import (
	"database/sql"
	"errors"
	"fmt"

	"github.com/keyward/keyward"
)

// Tx implements keyward.Tx over a Conn. A store embeds it in its own
// transaction type (one allocation per transaction) and sets it with
// MakeTx.
type Tx struct {
	c        Conn
	d        Dialect
	readOnly bool
	// ids remembers the unique IDs entityID and refID found, so that the
	// several reads about one entity (its tags, inline and attached
	// policies, ...) resolve its name once. Any write forgets them all.
	ids map[idKey]string
	// args holds the arguments of the statement being run, in buf while
	// they fit (every read on the request path does): passed on through
	// an interface, the caller's own slice would be allocated on the heap
	// at every call.
	args []any
	buf  [8]any
}

var _ keyward.Tx = (*Tx)(nil)

// MakeTx returns a Tx running its statements on c. Write methods of a
// readOnly Tx fail.
func MakeTx(c Conn, d Dialect, readOnly bool) Tx {
	return Tx{c: c, d: d, readOnly: readOnly}
}

// ErrReadOnly is returned by write methods called in a View. It is a
// programming error, so it is internal, not a *keyward.Error.
var ErrReadOnly = errors.New("write in a read-only transaction")

func (t *Tx) writable() error {
	if t.readOnly {
		return fmt.Errorf("%s: %w", t.d.Name(), ErrReadOnly)
	}
	return nil
}

// bind copies args into t.args, for the Conn.
func (t *Tx) bind(args []any) []any {
	if t.args == nil {
		t.args = t.buf[:0]
	}
	t.args = append(t.args[:0], args...)
	return t.args
}

// exec runs a statement and returns how many rows it changed.
func (t *Tx) exec(q string, args ...any) (int64, error) {
	clear(t.ids) // a write may rename, create or delete what was looked up
	return t.c.Exec(t.d.Rebind(q), t.bind(args)...)
}

func (t *Tx) queryRow(q string, args ...any) Row {
	return t.c.QueryRow(t.d.Rebind(q), t.bind(args)...)
}

// count runs a SELECT COUNT(*) query.
func (t *Tx) count(q string, args ...any) (int, error) {
	var n int
	err := t.queryRow(q, args...).Scan(&n)
	return n, err
}

// collect runs q and scans every row.
func collect[T any](t *Tx, op, q string, args []any, scan func(Row) (T, error)) ([]T, error) {
	rows, err := t.c.Query(t.d.Rebind(q), t.bind(args)...)
	if err != nil {
		return nil, t.internal(op, err)
	}
	defer rows.Close()
	var items []T
	for rows.Next() {
		it, err := scan(rows)
		if err != nil {
			return nil, t.internal(op, err)
		}
		items = append(items, it)
	}
	if err := rows.Err(); err != nil {
		return nil, t.internal(op, err)
	}
	if err := rows.Close(); err != nil {
		return nil, t.internal(op, err)
	}
	return items, nil
}

// internal wraps a database error for op.
func (t *Tx) internal(op string, err error) error { return wrap(t.d, op, err) }

// wrap wraps a database error for op, naming the database. A
// *keyward.Error (a Conn may refuse arguments with one before they reach
// the database) goes through as it is.
func wrap(d Dialect, op string, err error) error {
	var ke *keyward.Error
	if errors.As(err, &ke) {
		return err
	}
	return fmt.Errorf("%s: %s: %w", d.Name(), op, err)
}

// notFound returns nf when err says there was no row, and wraps any other
// error.
func (t *Tx) notFound(op string, err, nf error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return nf
	}
	return t.internal(op, err)
}
