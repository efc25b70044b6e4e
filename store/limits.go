package store

import (
	"bytes"
	"context"
	"slices"
	"time"

	"github.com/uptrace/bun"
)

// limitRow is the state of one rate limit.
type limitRow struct {
	bun.BaseModel `bun:"table:limits"`

	KeyHash []byte    `bun:"key_hash,pk"`
	TAT     time.Time `bun:"tat"`
}

// noTime stands for the zero time in a limit's row: MySQL keeps no time
// before the year 1000.
var noTime = time.Unix(0, 0).UTC()

// UpdateLimits implements invite.Store. The rows are created if missing and
// locked in the order of their keys, so that two calls naming the same
// keys never wait for each other in a cycle.
func (db *DB) UpdateLimits(ctx context.Context, keys [][]byte, update func([]time.Time) ([]time.Time, error)) error {
	order := make([]int, len(keys))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return bytes.Compare(keys[a], keys[b]) })
	return db.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		tats := make([]time.Time, len(keys))
		for _, i := range order {
			// Creating the row, or finding it, locks it: on MySQL an
			// upsert takes the row's exclusive lock at once (INSERT IGNORE
			// would take a shared one, and two of those wanting more
			// deadlock); SQLite's write transaction holds the database.
			row := &limitRow{KeyHash: keys[i], TAT: noTime}
			ins := tx.NewInsert().Model(row)
			if db.mysql {
				ins.On("DUPLICATE KEY UPDATE tat = tat")
			} else {
				ins.Ignore()
			}
			if _, err := ins.Exec(ctx); err != nil {
				return err
			}
			if err := tx.NewSelect().Model(row).WherePK().Scan(ctx); err != nil {
				return err
			}
			if tats[i] = row.TAT.UTC(); tats[i].Equal(noTime) {
				tats[i] = time.Time{}
			}
		}
		next, err := update(tats)
		if err != nil {
			return fromCaller(err)
		}
		for _, i := range order {
			if next[i].Equal(tats[i]) {
				continue
			}
			row := &limitRow{KeyHash: keys[i], TAT: next[i]}
			if next[i].IsZero() {
				row.TAT = noTime
			}
			if _, err := tx.NewUpdate().Model(row).Column("tat").WherePK().Exec(ctx); err != nil {
				return err
			}
		}
		return nil
	})
}

// PruneLimits implements invite.Store.
func (db *DB) PruneLimits(ctx context.Context, now time.Time) (int, error) {
	res, err := db.idb().NewDelete().Model((*limitRow)(nil)).Where("tat <= ?", now).Exec(ctx)
	if err != nil {
		return 0, translate(err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}
