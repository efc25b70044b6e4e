package store

import (
	"context"
	"database/sql"

	"github.com/uptrace/bun"

	"github.com/invitehq/invite/invite"
)

// CreateUser implements invite.Store.
func (db *DB) CreateUser(ctx context.Context, u *invite.User) error {
	return db.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		return insertUser(ctx, tx, u)
	})
}

// insertUser inserts u and its grants and sets u.ID.
func insertUser(ctx context.Context, idb bun.IDB, u *invite.User) error {
	row := userToRow(u)
	if _, err := idb.NewInsert().Model(row).Exec(ctx); err != nil {
		return err
	}
	u.ID = row.ID
	if len(u.Grants) == 0 {
		return nil
	}
	grants := make([]userGrantRow, len(u.Grants))
	for i, g := range u.Grants {
		grants[i] = userGrantRow{UserID: u.ID, CompanyID: u.CompanyID, SubscriptionID: g.SubscriptionID, Role: string(g.Role)}
	}
	_, err := idb.NewInsert().Model(&grants).Exec(ctx)
	return err
}

// User implements invite.Store.
func (db *DB) User(ctx context.Context, id int64) (*invite.User, error) {
	u, err := db.userWhere(ctx, db.idb(), "user_row.id = ?", id)
	return u, translate(err)
}

// UserByEmail implements invite.Store.
func (db *DB) UserByEmail(ctx context.Context, email string) (*invite.User, error) {
	u, err := db.userWhere(ctx, db.idb(), "user_row.email = ?", email)
	return u, translate(err)
}

// userIn loads a user through idb, inside a transaction.
func (db *DB) userIn(ctx context.Context, idb bun.IDB, id int64) (*invite.User, error) {
	return db.userWhere(ctx, idb, "user_row.id = ?", id)
}

// userGrantJoin is a row of a user joined with one of their grants, or
// with none: a user is read with their grants in one statement, which is
// one round trip and one consistent view of both.
type userGrantJoin struct {
	userRow        `bun:",extend"`
	SubscriptionID sql.NullInt64  `bun:"grant_subscription_id"`
	Role           sql.NullString `bun:"grant_role"`
}

// userWhere loads the one user where, a condition on user_row, selects.
func (db *DB) userWhere(ctx context.Context, idb bun.IDB, where string, args ...any) (*invite.User, error) {
	return db.userRead(ctx, idb, false, where, args...)
}

// HoldUser implements invite.Store: on MySQL the user's row and grants are
// read with shared locks, which UpdateUser's exclusive ones wait for (and
// wait behind); SQLite's write transaction holds the whole database.
func (db *DB) HoldUser(ctx context.Context, id int64) (*invite.User, error) {
	u, err := db.userRead(ctx, db.idb(), db.mysql && db.tx != nil, "user_row.id = ?", id)
	return u, translate(err)
}

// userRead loads the one user where selects, with shared locks if share.
func (db *DB) userRead(ctx context.Context, idb bun.IDB, share bool, where string, args ...any) (*invite.User, error) {
	var rows []userGrantJoin
	sel := idb.NewSelect().Model(&rows).
		ColumnExpr("user_row.*").
		ColumnExpr("g.subscription_id AS grant_subscription_id, g.role AS grant_role").
		Join("LEFT JOIN user_subscriptions AS g ON g.user_id = user_row.id").
		Where(where, args...).
		OrderExpr("g.subscription_id")
	var err error
	if share {
		// MariaDB knows no FOR SHARE, which is all bun writes.
		err = idb.NewRaw(sel.String()+" LOCK IN SHARE MODE").Scan(ctx, &rows)
	} else {
		err = sel.Scan(ctx)
	}
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, invite.ErrUserNotFound
	}
	gs := make([]invite.Grant, 0, len(rows))
	for _, r := range rows {
		if r.SubscriptionID.Valid {
			gs = append(gs, invite.Grant{SubscriptionID: r.SubscriptionID.Int64, Role: invite.Role(r.Role.String)})
		}
	}
	return userFromRow(&rows[0].userRow, gs), nil
}

// HasUsers implements invite.Store.
func (db *DB) HasUsers(ctx context.Context) (bool, error) {
	ok, err := db.idb().NewSelect().Model((*userRow)(nil)).Exists(ctx)
	return ok, translate(err)
}
