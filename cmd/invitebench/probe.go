package main

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// History lengths of MySQL's undo log: settled when at most settledHistory
// changes wait for purge, or once settleLimit has passed (other clients of
// the server may keep it long).
const (
	settledHistory = 100
	settleLimit    = 30 * time.Second
)

// settle waits, untimed, until MySQL has purged what the measurements
// before changed: the old versions of rows updated and deleted, which its
// indexes keep until then. One measurement then does not pay for the
// background work the one before left. SQLite does nothing of the kind.
func (b *bench) settle(ctx context.Context) error {
	if !b.dialect.mysql {
		return nil
	}
	start := time.Now()
	for {
		var n int64
		err := b.raw.QueryRowContext(ctx, "SELECT `COUNT` FROM information_schema.INNODB_METRICS WHERE NAME = 'trx_rseg_history_len'").Scan(&n)
		if err != nil {
			return fmt.Errorf("MySQL's history list length: %w", err)
		}
		waited := time.Since(start)
		if n <= settledHistory || waited > settleLimit {
			if waited > time.Second {
				fmt.Fprintf(b.log, "  (waited %v for MySQL to purge; %d changes wait)\n", waited.Round(100*time.Millisecond), n)
			}
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// statements counts the statements the server executes for one operation,
// on MySQL: its Questions counter over n operations run one at a time,
// less the query that reads it. Every client of the server counts, so the
// figure is rough on a busy one. SQLite counts nothing: 0.
func (b *bench) statements(ctx context.Context, n int, op func(ctx context.Context, client int) error) (float64, error) {
	if !b.dialect.mysql {
		return 0, nil
	}
	questions := func() (int64, error) {
		var name string
		var v int64
		err := b.raw.QueryRowContext(ctx, "SHOW GLOBAL STATUS LIKE 'Questions'").Scan(&name, &v)
		return v, err
	}
	before, err := questions()
	if err != nil {
		return 0, err
	}
	for range n {
		if err := op(ctx, 0); err != nil {
			return 0, err
		}
	}
	after, err := questions()
	return float64(after-before-1) / float64(n), err
}

// countStatements notes how many statements each of ops takes, on MySQL.
func (b *bench) countStatements(ctx context.Context, phase string, ops []namedOp) error {
	if !b.dialect.mysql {
		return nil
	}
	var counts []string
	for _, o := range ops {
		n, err := b.statements(ctx, 20, o.op)
		if err != nil {
			return fmt.Errorf("count the statements of %s: %w", o.name, err)
		}
		counts = append(counts, fmt.Sprintf("%s %s", o.name, num(n)))
	}
	b.note("%s statements per operation (the server's Questions, one client): %s", phase, strings.Join(counts, ", "))
	return nil
}

// namedOp is an operation of a measurement, with its name.
type namedOp struct {
	name string
	op   func(ctx context.Context, client int) error
}
