package store

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/invitehq/invite/invite"
)

// OutboxStats implements invite.Store. Both statements read the index on
// (state, next_attempt_at), so a scrape costs little however long the
// outbox's history.
func (db *DB) OutboxStats(ctx context.Context, now time.Time) (invite.OutboxStats, error) {
	waiting := bun.List([]invite.DeliveryState{invite.DeliveryQueued, invite.DeliverySending})
	var st invite.OutboxStats
	n, err := db.idb().NewSelect().Model((*messageRow)(nil)).Where("state IN (?)", waiting).Count(ctx)
	if err != nil {
		return st, translate(err)
	}
	st.Depth = int(n)
	var due []messageRow
	err = db.idb().NewSelect().Model(&due).Column("next_attempt_at").
		Where("state IN (?) AND next_attempt_at <= ?", waiting, now.UTC()).
		OrderExpr("next_attempt_at").Limit(1).Scan(ctx)
	if err != nil {
		return st, translate(err)
	}
	if len(due) == 1 {
		st.OldestDue = utc(due[0].NextAttemptAt)
	}
	return st, nil
}
