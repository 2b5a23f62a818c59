package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/internal/sqlcore"
	sqlite "modernc.org/sqlite"
)

// tx is one transaction: the core's Tx, running its statements on a
// *sql.Tx.
type tx struct {
	sqlcore.Tx
	conn
}

var _ keyward.Tx = (*tx)(nil)

func newTx(ctx context.Context, stx *sql.Tx, stmts map[string]*sql.Stmt, readOnly bool) *tx {
	t := &tx{conn: conn{ctx: ctx, q: stx, stx: stx, stmts: stmts}}
	t.Tx = sqlcore.MakeTx(&t.conn, dialect{}, readOnly)
	return t
}

// querier is what *sql.Tx and *sql.DB have in common.
type querier interface {
	ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

// conn implements sqlcore.Conn with database/sql: on a transaction, with
// the statements prepared at Open, or on a *sql.DB for the statements the
// store runs outside View and Update.
type conn struct {
	ctx   context.Context
	q     querier
	stx   *sql.Tx              // nil outside a transaction
	stmts map[string]*sql.Stmt // prepared statements of stx's *sql.DB
}

// stmt returns the transaction's copy of q's prepared statement, or nil.
func (c *conn) stmt(q string) *sql.Stmt {
	if st, ok := c.stmts[q]; ok && c.stx != nil {
		return c.stx.StmtContext(c.ctx, st)
	}
	return nil
}

func (c *conn) Exec(q string, args ...any) (int64, error) {
	r, err := c.q.ExecContext(c.ctx, q, args...)
	if err != nil {
		return 0, err
	}
	return r.RowsAffected()
}

func (c *conn) QueryRow(q string, args ...any) sqlcore.Row {
	if st := c.stmt(q); st != nil {
		return st.QueryRowContext(c.ctx, args...)
	}
	return c.q.QueryRowContext(c.ctx, q, args...)
}

func (c *conn) Query(q string, args ...any) (sqlcore.Rows, error) {
	var rows *sql.Rows
	var err error
	if st := c.stmt(q); st != nil {
		rows, err = st.QueryContext(c.ctx, args...)
	} else {
		rows, err = c.q.QueryContext(c.ctx, q, args...)
	}
	if err != nil {
		return nil, err
	}
	return rows, nil
}

// dialect is SQLite's sqlcore.Dialect: the core's SQL is SQLite's, but
// for the byte-order marks.
type dialect struct{}

func (dialect) Name() string           { return "sqlite" }
func (dialect) Rebind(q string) string { return rebind(q) }

// rebind drops the core's byte-order marks: SQLite's text columns compare
// in byte order (BINARY) already.
var rebind = sqlcore.Rebinder("", false)

// SQLite extended result codes of constraint violations.
const (
	codeConstraintPrimaryKey = 1555
	codeConstraintUnique     = 2067
)

func (dialect) IsUniqueViolation(err error) bool {
	var e *sqlite.Error
	if errors.As(err, &e) {
		return e.Code() == codeConstraintUnique || e.Code() == codeConstraintPrimaryKey
	}
	return false
}

func (dialect) Time(t *time.Time) any { return nullTime{t} }

// nullTime scans a time column (integer nanoseconds, NULL for the zero
// time) into a UTC time.Time.
type nullTime struct{ t *time.Time }

func (n nullTime) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*n.t = time.Time{}
	case int64:
		*n.t = time.Unix(0, v).UTC()
	default:
		return fmt.Errorf("sqlite: time column holds %T", src)
	}
	return nil
}
