package store

import (
	"context"
	"time"

	"github.com/invitehq/invite/invite"
)

// EndedAccess implements invite.Store.
func (db *DB) EndedAccess(ctx context.Context, now time.Time, after int64, limit int) ([]*invite.User, error) {
	sel := db.idb().NewSelect().Model((*userRow)(nil)).
		Where("access_until IS NOT NULL AND access_until <= ? AND disabled_at IS NULL AND id > ?", now, after).
		OrderExpr("id").Limit(int64(limit))
	return db.users(ctx, sel)
}
