package postgres

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/keyward/keyward"
	"github.com/keyward/keyward/internal/sqlcore"
)

// tx is one transaction: the core's Tx, running its statements on one
// connection of the pool.
type tx struct {
	sqlcore.Tx
	conn
}

var _ keyward.Tx = (*tx)(nil)

func newTx(ctx context.Context, c *pgx.Conn, begin string, readOnly bool) *tx {
	t := &tx{conn: conn{ctx: ctx, q: c, begin: begin}}
	t.Tx = sqlcore.MakeTx(&t.conn, dialect{}, readOnly)
	return t
}

// querier is what *pgx.Conn and *pgxpool.Pool have in common.
type querier interface {
	Exec(ctx context.Context, q string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, q string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, q string, args ...any) pgx.Row
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
}

// conn implements sqlcore.Conn with pgx: on a transaction's connection,
// whose BEGIN it sends with the first statement, or on the pool for the
// statements the store runs outside View and Update.
//
// A statement that fails aborts a PostgreSQL transaction: every later
// statement fails too. The core keeps the outcomes callers may carry on
// after (EntityAlreadyExists, NoSuchEntity) out of SQL; conn refuses text
// PostgreSQL cannot store before sending it, for the same reason.
type conn struct {
	ctx context.Context
	q   querier
	// begin is the BEGIN statement until it is sent, with the first
	// statement; "" once the transaction is open (or outside one).
	begin string
	// dead is the error BEGIN met, if it failed: every statement fails.
	dead error
	// retryErr is the first serialization failure or deadlock a statement
	// met: the transaction is lost, and Update runs it again whatever fn
	// returns.
	retryErr error
	// row and rows are what QueryRow and Query return, reused: the core
	// reads each to the end before its next call (see sqlcore.Conn).
	row  row
	rows rows
}

// note records err when it calls for running the transaction again.
func (c *conn) note(err error) error {
	if err != nil && c.retryErr == nil && isRetryable(err) {
		c.retryErr = err
	}
	return err
}

// checkArgs refuses text PostgreSQL cannot store (a NUL byte, invalid
// UTF-8) before it reaches the database, where it would fail the statement
// and with it the whole transaction.
func checkArgs(args []any) error {
	for _, a := range args {
		if s, ok := a.(string); ok && (strings.IndexByte(s, 0) >= 0 || !utf8.ValidString(s)) {
			return sqlcore.ErrUnstorableText()
		}
	}
	return nil
}

// send runs q, after the pending BEGIN when the transaction is not open
// yet (both in one round trip). It returns the batch to read q's result
// from and close, or nil when the transaction is open and q should be run
// on the connection.
func (c *conn) send(q string, args []any) (pgx.BatchResults, error) {
	if c.dead != nil {
		return nil, c.dead
	}
	if c.begin == "" {
		return nil, nil
	}
	b := &pgx.Batch{}
	b.Queue(c.begin)
	b.Queue(q, args...)
	c.begin = ""
	br := c.q.SendBatch(c.ctx, b)
	if _, err := br.Exec(); err != nil {
		br.Close()
		c.dead = err
		return nil, c.note(err)
	}
	return br, nil
}

func (c *conn) Exec(q string, args ...any) (int64, error) {
	if err := checkArgs(args); err != nil {
		return 0, err
	}
	br, err := c.send(q, args)
	if err != nil {
		return 0, err
	}
	var tag pgconn.CommandTag
	if br != nil {
		tag, err = br.Exec()
		if cerr := br.Close(); err == nil {
			err = cerr
		}
	} else {
		tag, err = c.q.Exec(c.ctx, q, args...)
	}
	if err != nil {
		return 0, c.note(err)
	}
	return tag.RowsAffected(), nil
}

// row is a pgx.Row whose error, if any, is noted.
type row struct {
	c   *conn
	r   pgx.Row
	br  pgx.BatchResults // closed after Scan, when r came in a batch
	err error            // from checkArgs or BEGIN
}

func (r *row) Scan(dest ...any) error {
	if r.err != nil {
		return r.err
	}
	err := r.r.Scan(dest...)
	if r.br != nil {
		if cerr := r.br.Close(); cerr != nil && (err == nil || errors.Is(err, pgx.ErrNoRows)) {
			err = cerr
		}
	}
	return r.c.note(err)
}

func (c *conn) QueryRow(q string, args ...any) sqlcore.Row {
	c.row = row{c: c}
	if err := checkArgs(args); err != nil {
		c.row.err = err
		return &c.row
	}
	br, err := c.send(q, args)
	switch {
	case err != nil:
		c.row.err = err
	case br != nil:
		c.row.r, c.row.br = br.QueryRow(), br
	default:
		c.row.r = c.q.QueryRow(c.ctx, q, args...)
	}
	return &c.row
}

// rows is pgx.Rows as sqlcore.Rows, its errors noted.
type rows struct {
	c      *conn
	r      pgx.Rows
	br     pgx.BatchResults // closed with r, when r came in a batch
	closed bool
	err    error // Close's
}

func (r *rows) Next() bool             { return r.r.Next() }
func (r *rows) Scan(dest ...any) error { return r.c.note(r.r.Scan(dest...)) }
func (r *rows) Err() error             { return r.c.note(r.r.Err()) }

func (r *rows) Close() error {
	if r.closed {
		return r.err
	}
	r.closed = true
	r.r.Close()
	err := r.r.Err()
	if r.br != nil {
		if cerr := r.br.Close(); err == nil {
			err = cerr
		}
	}
	r.err = r.c.note(err)
	return r.err
}

func (c *conn) Query(q string, args ...any) (sqlcore.Rows, error) {
	if err := checkArgs(args); err != nil {
		return nil, err
	}
	br, err := c.send(q, args)
	if err != nil {
		return nil, err
	}
	var pr pgx.Rows
	if br != nil {
		pr, err = br.Query()
	} else {
		pr, err = c.q.Query(c.ctx, q, args...)
	}
	if err != nil {
		if br != nil {
			br.Close()
		}
		return nil, c.note(err)
	}
	c.rows = rows{c: c, r: pr, br: br}
	return &c.rows, nil
}

// dialect is PostgreSQL's sqlcore.Dialect.
type dialect struct{}

func (dialect) Name() string                     { return "postgres" }
func (dialect) Rebind(q string) string           { return rebind(q) }
func (dialect) IsUniqueViolation(err error) bool { return sqlState(err) == codeUniqueViolation }
func (dialect) Time(t *time.Time) any            { return nullTime{t} }

// rebind numbers the core's placeholders and sorts and compares text in
// byte order (the SQLite store's, which markers encode) whatever the
// database's collation.
var rebind = sqlcore.Rebinder(` COLLATE "C"`, true)

// nullTime scans a time column (BIGINT nanoseconds, NULL for the zero
// time) into a UTC time.Time, through pgx's Int64Scanner: no boxing of the
// value, as database/sql's Scanner would need.
type nullTime struct{ t *time.Time }

func (n nullTime) ScanInt64(v pgtype.Int8) error {
	if !v.Valid {
		*n.t = time.Time{}
		return nil
	}
	*n.t = time.Unix(0, v.Int64).UTC()
	return nil
}
