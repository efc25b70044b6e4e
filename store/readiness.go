package store

import (
	"context"
	"time"

	"github.com/uptrace/bun"
)

type readinessRow struct {
	bun.BaseModel `bun:"table:readiness"`

	ID        string    `bun:"id,pk"`
	CheckedAt time.Time `bun:"checked_at"`
}

// readinessKept is how long the row of a DB that no longer checks (its
// process ended) is kept.
const readinessKept = time.Hour

// Ready reports whether the database takes a write, not only whether it
// answers: it commits a write to a row of this DB's own. A database that
// is read-only, full, or locked for longer than ctx allows is not ready.
// Each DB writes its own row, so that the checks of several processes
// never wait for one another (nor conflict, on a Galera cluster).
func (db *DB) Ready(ctx context.Context) error {
	now := time.Now().UTC()
	return db.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		ins := tx.NewInsert().Model(&readinessRow{ID: db.instance, CheckedAt: now})
		if db.mysql {
			ins.On("DUPLICATE KEY UPDATE checked_at = VALUES(checked_at)")
		} else {
			ins.On("CONFLICT (id) DO UPDATE").Set("checked_at = EXCLUDED.checked_at")
		}
		if _, err := ins.Exec(ctx); err != nil {
			return err
		}
		_, err := tx.NewDelete().Model((*readinessRow)(nil)).
			Where("checked_at < ? AND id <> ?", now.Add(-readinessKept), db.instance).Exec(ctx)
		return err
	})
}
