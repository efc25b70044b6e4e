package store

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/invitehq/invite/invite"
)

// OutboxStats implements invite.Store. Each statement reads only the index
// on (state, next_attempt_at), the messages still to be sent, so a scrape
// costs little however long the outbox's history; the oldest due message
// is looked up per state, so that each lookup reads one index entry
// rather than sorting every due message of a stuck outbox.
func (db *DB) OutboxStats(ctx context.Context, now time.Time) (invite.OutboxStats, error) {
	states := []invite.DeliveryState{invite.DeliveryQueued, invite.DeliverySending}
	var st invite.OutboxStats
	n, err := db.idb().NewSelect().Model((*messageRow)(nil)).Where("state IN (?)", bun.List(states)).Count(ctx)
	if err != nil {
		return st, translate(err)
	}
	st.Depth = int(n)
	for _, state := range states {
		var due []messageRow
		err = db.idb().NewSelect().Model(&due).Column("next_attempt_at").
			Where("state = ? AND next_attempt_at <= ?", state, now.UTC()).
			OrderExpr("next_attempt_at").Limit(1).Scan(ctx)
		if err != nil {
			return st, translate(err)
		}
		if len(due) == 1 && (st.OldestDue.IsZero() || due[0].NextAttemptAt.Before(st.OldestDue)) {
			st.OldestDue = utc(due[0].NextAttemptAt)
		}
	}
	return st, nil
}
