package store

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
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
// keys never wait for each other in a cycle. It takes three statements
// whatever the number of keys: create and lock, read, write.
func (db *DB) UpdateLimits(ctx context.Context, keys [][]byte, update func([]time.Time) ([]time.Time, error)) error {
	rows := make([]limitRow, len(keys))
	for i, k := range keys {
		rows[i] = limitRow{KeyHash: k, TAT: noTime}
	}
	slices.SortFunc(rows, func(a, b limitRow) int { return bytes.Compare(a.KeyHash, b.KeyHash) })
	return db.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		// Creating the rows, or finding them, locks them, in the order
		// given: on MySQL an upsert takes each row's exclusive lock at
		// once (INSERT IGNORE would take a shared one, and two of those
		// wanting more deadlock); SQLite's write transaction holds the
		// database.
		ins := tx.NewInsert().Model(&rows)
		if db.mysql {
			ins.On("DUPLICATE KEY UPDATE tat = tat")
		} else {
			ins.Ignore()
		}
		if _, err := ins.Exec(ctx); err != nil {
			return err
		}
		var stored []limitRow
		if err := tx.NewSelect().Model(&stored).Where("key_hash IN (?)", bun.List(keys)).Scan(ctx); err != nil {
			return err
		}
		tats := make([]time.Time, len(keys))
		for i, k := range keys {
			j := slices.IndexFunc(stored, func(r limitRow) bool { return bytes.Equal(r.KeyHash, k) })
			if j < 0 {
				return fmt.Errorf("limits: the row of a key was not found after it was made")
			}
			if tats[i] = stored[j].TAT.UTC(); tats[i].Equal(noTime) {
				tats[i] = time.Time{}
			}
		}
		next, err := update(tats)
		if err != nil {
			return fromCaller(err)
		}
		// One UPDATE sets every row that changes: tat = CASE key_hash
		// WHEN k1 THEN t1 ... END WHERE key_hash IN (k1, ...).
		var cases strings.Builder
		var args []any
		var changed [][]byte
		for i, k := range keys {
			if next[i].Equal(tats[i]) {
				continue
			}
			tat := next[i]
			if tat.IsZero() {
				tat = noTime
			}
			cases.WriteString(" WHEN ? THEN ?")
			args = append(args, k, tat)
			changed = append(changed, k)
		}
		if len(changed) == 0 {
			return nil
		}
		_, err = tx.NewUpdate().Model((*limitRow)(nil)).
			Set("tat = CASE key_hash"+cases.String()+" END", args...).
			Where("key_hash IN (?)", bun.List(changed)).
			Exec(ctx)
		return err
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
