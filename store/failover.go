package store

import (
	"cmp"
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync/atomic"
)

// hostList parses the host part of a mysql:// URL, one or more
// HOST[:PORT] separated by commas, into addresses with their ports (3306
// when none is given).
func hostList(host string) ([]string, error) {
	if host == "" {
		return nil, errors.New("it names no host")
	}
	var addrs []string
	for h := range strings.SplitSeq(host, ",") {
		name, port, err := net.SplitHostPort(h)
		if err != nil {
			name, port = strings.TrimSuffix(strings.TrimPrefix(h, "["), "]"), "3306"
		}
		if name == "" || strings.ContainsAny(name, "[]/ ") || port == "" {
			return nil, fmt.Errorf("%q is not a host name with an optional port", h)
		}
		addrs = append(addrs, net.JoinHostPort(name, port))
	}
	return addrs, nil
}

// connector opens MySQL connections to the first of its servers that
// connects (the nodes of a Galera cluster, or one server), starting with
// the one that connected last: the pool stays on one node while it
// answers, and moves as a whole when it does not.
//
// Each connection's transactions read committed: they see what has been
// committed when each statement starts, with no gap locks between the
// checks and inserts of concurrent invitations. It is set once per
// connection, with the statement MySQL and MariaDB of every version know,
// rather than by the driver before every transaction, which costs a round
// trip each.
type connector struct {
	servers []driver.Connector
	last    atomic.Int64 // index of the server that connected last
}

func (c *connector) Connect(ctx context.Context) (driver.Conn, error) {
	first := int(c.last.Load())
	var errs []error
	for i := range c.servers {
		n := (first + i) % len(c.servers)
		conn, err := connect(ctx, c.servers[n])
		if err == nil {
			c.last.Store(int64(n))
			return conn, nil
		}
		errs = append(errs, err)
		if ctx.Err() != nil {
			break
		}
	}
	if len(errs) == 1 {
		return nil, errs[0]
	}
	return nil, errors.Join(errs...)
}

func (c *connector) Driver() driver.Driver { return c.servers[0].Driver() }

// dialedKey is the context key under which connect learns the network
// connection the driver dialed for it.
type dialedKey struct{}

// dial connects as the driver would, and tells connect what it dialed.
func dial(ctx context.Context, network, addr string) (net.Conn, error) {
	c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
	if dialed, ok := ctx.Value(dialedKey{}).(*net.Conn); ok && err == nil {
		*dialed = c
	}
	return c, err
}

// connect opens a connection to server that reads committed. On a Galera
// node it also refuses a node that is not ready (not in the primary
// component: it would refuse every statement), so that Connect moves on to
// the next, and makes each read wait until the node has applied what the
// cluster committed before it (wsrep_sync_wait=1): a link mailed through
// one node and followed through another finds its invitation.
func connect(ctx context.Context, server driver.Connector) (driver.Conn, error) {
	var dialed net.Conn
	c, err := server.Connect(context.WithValue(ctx, dialedKey{}, &dialed))
	if err != nil {
		return nil, err
	}
	if err := setUp(ctx, c); err != nil {
		c.Close()
		return nil, err
	}
	if dialed == nil {
		return c, nil
	}
	return &conn{Conn: c, net: dialed}, nil
}

func setUp(ctx context.Context, conn driver.Conn) error {
	exec, ok := conn.(driver.ExecerContext)
	query, ok2 := conn.(driver.QueryerContext)
	if !ok || !ok2 {
		return errors.New("mysql: the driver's connection cannot execute statements")
	}
	if _, err := exec.ExecContext(ctx, "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED", nil); err != nil {
		return fmt.Errorf("mysql: set the isolation level: %w", err)
	}
	on, err := value(ctx, query, "SELECT @@wsrep_on", 0)
	if err != nil || on != "1" {
		return nil // MySQL, which has no such variable, or MariaDB without Galera
	}
	if ready, err := value(ctx, query, "SHOW STATUS LIKE 'wsrep_ready'", 1); err != nil || ready != "ON" {
		return fmt.Errorf("mysql: a Galera node that is not ready (wsrep_ready %q): %w", ready, cmp.Or(err, driver.ErrBadConn))
	}
	if _, err := exec.ExecContext(ctx, "SET SESSION wsrep_sync_wait = 1", nil); err != nil {
		return fmt.Errorf("mysql: set wsrep_sync_wait: %w", err)
	}
	return nil
}

// value returns column col of the first row of q's answer, as text.
func value(ctx context.Context, conn driver.QueryerContext, q string, col int) (string, error) {
	rows, err := conn.QueryContext(ctx, q, nil)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	row := make([]driver.Value, len(rows.Columns()))
	if err := rows.Next(row); err != nil || col >= len(row) {
		return "", cmp.Or(err, errors.New("no such column"))
	}
	switch v := row[col].(type) {
	case []byte:
		return string(v), nil
	case nil:
		return "", nil
	default:
		return fmt.Sprint(v), nil
	}
}
