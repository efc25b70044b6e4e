package store

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"time"
)

// The migration lock's lease: how long a holder keeps it without renewing
// (a process that dies while migrating holds it this long), how often the
// holder renews it, and how long another waits for it. The lease outlasts
// a migration's longest statement, which may hold up the renewal: on a
// Galera cluster a DDL statement holds up every commit while it runs.
const (
	migrationLease = 5 * time.Minute
	migrationRenew = 20 * time.Second
	migrationWait  = 15 * time.Minute
)

// lockMigrations takes the lock under which one process at a time
// migrates a MySQL database, and returns the function that releases it.
//
// It is a lease in a row, taken and renewed by committed UPDATEs, rather
// than GET_LOCK or SELECT ... FOR UPDATE: on a Galera cluster those hold
// on one node only, and two servers starting on two nodes ran the same
// migration at once (Error 1060, duplicate column). A committed write is
// certified against every node's, so of two holders on two nodes one
// fails (deadlock, tried again) or, tried again by the node itself, finds
// the row taken. The database's clock decides when a lease has run out.
func (db *DB) lockMigrations(ctx context.Context) (func(), error) {
	if _, err := db.bun.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS migration_lock (
  id INT NOT NULL PRIMARY KEY,
  holder VARCHAR(32) NOT NULL,
  expires_at DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`); err != nil {
		return nil, fmt.Errorf("migrate: lock table: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, migrationWait)
	defer cancel()
	for {
		_, err := db.bun.ExecContext(ctx, "INSERT IGNORE INTO migration_lock (id, holder, expires_at) VALUES (1, '', '1970-01-01')")
		if err == nil {
			var res sql.Result
			res, err = db.bun.ExecContext(ctx, "UPDATE migration_lock SET holder = ?, expires_at = NOW(6) + INTERVAL ? SECOND WHERE id = 1 AND expires_at < NOW(6)",
				db.instance, int(migrationLease.Seconds()))
			if err == nil {
				if n, _ := res.RowsAffected(); n == 1 {
					break
				}
			}
		}
		if err != nil && !retryable(err) {
			return nil, fmt.Errorf("migrate: lock: %w", err)
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("migrate: lock: waited for another process's migration: %w", ctx.Err())
		case <-time.After(100*time.Millisecond + rand.N(200*time.Millisecond)):
		}
	}
	// Renewed while held, released at the end.
	renewing, stop := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-renewing.Done():
				return
			case <-time.After(migrationRenew):
			}
			_, _ = db.bun.ExecContext(renewing, "UPDATE migration_lock SET expires_at = NOW(6) + INTERVAL ? SECOND WHERE id = 1 AND holder = ?",
				int(migrationLease.Seconds()), db.instance)
		}
	}()
	return func() {
		stop()
		<-done
		release, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		// Should this fail, the lease runs out by itself.
		_, _ = db.bun.ExecContext(release, "UPDATE migration_lock SET expires_at = '1970-01-01' WHERE id = 1 AND holder = ?", db.instance)
	}, nil
}
