package store

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/invitehq/invite/invite"
)

// CreateSession implements invite.Store.
func (db *DB) CreateSession(ctx context.Context, sess *invite.Session) error {
	row := &sessionRow{TokenHash: sess.TokenHash, UserID: sess.UserID, CreatedAt: sess.CreatedAt, ExpiresAt: sess.ExpiresAt}
	_, err := db.idb().NewInsert().Model(row).Exec(ctx)
	if foreignKeyViolation(err) { // the user was deleted meanwhile
		return invite.ErrUserNotFound
	}
	return translate(err)
}

// SessionUser implements invite.Store.
func (db *DB) SessionUser(ctx context.Context, hash []byte, now time.Time) (*invite.User, error) {
	u, err := db.userWhere(ctx, db.idb(), "user_row.id = (SELECT user_id FROM sessions WHERE token_hash = ? AND expires_at > ?)", hash, now)
	return u, translate(err)
}

// DeleteSession implements invite.Store.
func (db *DB) DeleteSession(ctx context.Context, hash []byte) error {
	_, err := db.idb().NewDelete().Model((*sessionRow)(nil)).Where("token_hash = ?", hash).Exec(ctx)
	return translate(err)
}

// PruneSessions implements invite.Store.
func (db *DB) PruneSessions(ctx context.Context, now time.Time) (int, error) {
	res, err := db.idb().NewDelete().Model((*sessionRow)(nil)).Where("expires_at < ?", now).Exec(ctx)
	if err != nil {
		return 0, translate(err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// Users implements invite.Store.
func (db *DB) Users(ctx context.Context, q invite.UserQuery) ([]*invite.User, error) {
	sel := db.idb().NewSelect().Model((*userRow)(nil))
	if q.CompanyID != 0 {
		sel.Where("company_id = ?", q.CompanyID)
		db.forceIndex(sel, "users", "user_row", "users_company_idx") // as for invitations
	}
	if q.Search != "" {
		like := "%" + escapeLike(q.Search) + "%"
		sel.Where("(email LIKE ? ESCAPE '!' OR LOWER(first_name) LIKE ? ESCAPE '!' OR LOWER(last_name) LIKE ? ESCAPE '!')", like, like, like)
	}
	if q.After != 0 {
		sel.Where("id > ?", q.After)
	}
	return db.users(ctx, sel.OrderExpr("id").Limit(int64(q.Limit)))
}

// UsersByID implements invite.Store: one statement.
func (db *DB) UsersByID(ctx context.Context, ids []int64) ([]*invite.User, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var rows []*userRow
	if err := db.idb().NewSelect().Model(&rows).Where("id IN (?)", bun.List(ids)).OrderExpr("id").Scan(ctx); err != nil {
		return nil, translate(err)
	}
	users := make([]*invite.User, len(rows))
	for i, r := range rows {
		users[i] = userFromRow(r, nil)
	}
	return users, nil
}

// CompanyAdmins implements invite.Store.
func (db *DB) CompanyAdmins(ctx context.Context, companyID int64) ([]*invite.User, error) {
	sel := db.idb().NewSelect().Model((*userRow)(nil)).
		Where("company_id = ? AND admin_level = ?", companyID, invite.AdminCompany).OrderExpr("id")
	return db.users(ctx, sel)
}

// GlobalAdmins implements invite.Store.
func (db *DB) GlobalAdmins(ctx context.Context) ([]*invite.User, error) {
	sel := db.idb().NewSelect().Model((*userRow)(nil)).Where("admin_level = ?", invite.AdminGlobal).OrderExpr("id")
	return db.users(ctx, sel)
}

// users runs sel, a select of users, and loads their grants.
func (db *DB) users(ctx context.Context, sel *bun.SelectQuery) ([]*invite.User, error) {
	var rows []*userRow
	if err := sel.Scan(ctx, &rows); err != nil {
		return nil, translate(err)
	}
	if len(rows) == 0 {
		return nil, nil
	}
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	var grants []userGrantRow
	if err := db.idb().NewSelect().Model(&grants).Where("user_id IN (?)", bun.List(ids)).OrderExpr("user_id, subscription_id").Scan(ctx); err != nil {
		return nil, translate(err)
	}
	byUser := map[int64][]invite.Grant{}
	for _, g := range grants {
		byUser[g.UserID] = append(byUser[g.UserID], invite.Grant{SubscriptionID: g.SubscriptionID, Role: invite.Role(g.Role)})
	}
	users := make([]*invite.User, len(rows))
	for i, r := range rows {
		users[i] = userFromRow(r, byUser[r.ID])
	}
	return users, nil
}

// Enqueue implements invite.Store.
func (db *DB) Enqueue(ctx context.Context, msgs []*invite.Message) error {
	return db.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		for _, m := range msgs {
			row := messageToRow(m)
			if _, err := tx.NewInsert().Model(row).Exec(ctx); err != nil {
				return err
			}
			m.ID = row.ID
		}
		return nil
	})
}
