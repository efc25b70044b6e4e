package store

import (
	"context"
	"database/sql/driver"
	"net"
)

// conn is a MySQL connection whose transactions end with their context,
// their COMMIT and ROLLBACK included. The driver watches a context while
// a statement runs, not while it commits: found from outside, a request
// whose COMMIT went into a partition waited for the network to heal (or
// for the read timeout, two minutes), past its own deadline and past the
// server's write timeout, and its client got no answer at all. Cut off,
// the COMMIT fails at once; whether it took effect is not known, as after
// any connection lost while committing.
//
// conn forwards every interface of the driver's connection, so that
// database/sql uses it as it would the driver's own.
type conn struct {
	driver.Conn
	net net.Conn
}

func (c *conn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	t, err := c.Conn.(driver.ConnBeginTx).BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	return &tx{Tx: t, ctx: ctx, net: c.net}, nil
}

func (c *conn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	return c.Conn.(driver.ConnPrepareContext).PrepareContext(ctx, query)
}

func (c *conn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	return c.Conn.(driver.ExecerContext).ExecContext(ctx, query, args)
}

func (c *conn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	return c.Conn.(driver.QueryerContext).QueryContext(ctx, query, args)
}

func (c *conn) Ping(ctx context.Context) error { return c.Conn.(driver.Pinger).Ping(ctx) }

func (c *conn) ResetSession(ctx context.Context) error {
	return c.Conn.(driver.SessionResetter).ResetSession(ctx)
}

func (c *conn) IsValid() bool { return c.Conn.(driver.Validator).IsValid() }

func (c *conn) CheckNamedValue(v *driver.NamedValue) error {
	return c.Conn.(driver.NamedValueChecker).CheckNamedValue(v)
}

// tx is a transaction whose end is cut off with its context.
type tx struct {
	driver.Tx
	ctx context.Context
	net net.Conn
}

func (t *tx) Commit() error {
	defer context.AfterFunc(t.ctx, t.cut)()
	return t.Tx.Commit()
}

func (t *tx) Rollback() error {
	defer context.AfterFunc(t.ctx, t.cut)()
	return t.Tx.Rollback()
}

// cut closes the network connection, so that what waits on it fails at
// once and the pool drops it; the server rolls back what it had not
// committed.
func (t *tx) cut() { t.net.Close() }
