package store

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/invitehq/invite/invite"
)

// PruneMessages implements invite.Store, oldest first by
// outbox_created_idx (migration 0060). It reads the IDs first and
// deletes by them, as PruneEvents does; a message is kept while it is the
// latest of an invitation whose pending_email is set (pending as stored),
// since that invitation's Delivery is read from it.
func (db *DB) PruneMessages(ctx context.Context, before time.Time, limit int) (int, error) {
	return db.pruneIDs(ctx, func(tx bun.Tx) *bun.SelectQuery {
		return tx.NewSelect().TableExpr("outbox AS o").Column("o.id").
			Join("LEFT JOIN invitations AS i ON i.id = o.invitation_id").
			Where("o.state IN (?)", bun.List([]invite.DeliveryState{invite.DeliverySent, invite.DeliveryFailed})).
			Where("o.created_at < ?", before.UTC()).
			Where("(o.invitation_id IS NULL OR i.pending_email IS NULL OR o.id < (SELECT MAX(o2.id) FROM outbox AS o2 WHERE o2.invitation_id = o.invitation_id))").
			OrderExpr("o.created_at, o.id")
	}, limit, func(ctx context.Context, tx bun.Tx, ids []int64) (int, error) {
		res, err := tx.NewDelete().TableExpr("outbox").Where("id IN (?)", bun.List(ids)).Exec(ctx)
		if err != nil {
			return 0, err
		}
		n, err := res.RowsAffected()
		return int(n), err
	})
}

// PruneBatches implements invite.Store: the batch's record first, then
// the record of its rows, which the batch's names (rows_id).
func (db *DB) PruneBatches(ctx context.Context, before time.Time, limit int) (int, error) {
	return db.pruneIDs(ctx, func(tx bun.Tx) *bun.SelectQuery {
		return tx.NewSelect().Model((*batchRow)(nil)).Column("id").
			Where("state = ? AND created_at < ?", invite.BatchChecked, before.UTC()).
			OrderExpr("id")
	}, limit, func(ctx context.Context, tx bun.Tx, ids []int64) (int, error) {
		var rowsIDs []int64
		if err := tx.NewSelect().Model((*batchRow)(nil)).Column("rows_id").
			Where("id IN (?) AND rows_id IS NOT NULL", bun.List(ids)).Scan(ctx, &rowsIDs); err != nil {
			return 0, err
		}
		res, err := tx.NewDelete().Model((*batchRow)(nil)).Where("id IN (?)", bun.List(ids)).Exec(ctx)
		if err != nil {
			return 0, err
		}
		n, err := res.RowsAffected()
		if err != nil || len(rowsIDs) == 0 {
			return int(n), err
		}
		_, err = tx.NewDelete().Model((*batchRow)(nil)).Where("id IN (?) AND state = ?", bun.List(rowsIDs), batchRowsState).Exec(ctx)
		return int(n), err
	})
}

// pruneIDs reads at most limit IDs with sel and deletes them with del, in
// one transaction, and returns what del returns.
func (db *DB) pruneIDs(ctx context.Context, sel func(bun.Tx) *bun.SelectQuery, limit int, del func(context.Context, bun.Tx, []int64) (int, error)) (int, error) {
	var n int
	err := db.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		n = 0
		var ids []int64
		q := sel(tx)
		if limit > 0 {
			q.Limit(int64(limit))
		}
		if err := q.Scan(ctx, &ids); err != nil || len(ids) == 0 {
			return err
		}
		var err error
		n, err = del(ctx, tx, ids)
		return err
	})
	return n, err
}
