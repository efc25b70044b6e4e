package store

import (
	"context"

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
	u, err := db.user(ctx, "id = ?", id)
	return u, translate(err)
}

// UserByEmail implements invite.Store.
func (db *DB) UserByEmail(ctx context.Context, email string) (*invite.User, error) {
	u, err := db.user(ctx, "email = ?", email)
	return u, translate(err)
}

func (db *DB) user(ctx context.Context, where string, arg any) (*invite.User, error) {
	return db.userWhere(ctx, db.idb(), where, arg)
}

// userIn loads a user through idb, inside a transaction.
func (db *DB) userIn(ctx context.Context, idb bun.IDB, id int64) (*invite.User, error) {
	return db.userWhere(ctx, idb, "id = ?", id)
}

func (db *DB) userWhere(ctx context.Context, idb bun.IDB, where string, arg any) (*invite.User, error) {
	row := new(userRow)
	if err := idb.NewSelect().Model(row).Where(where, arg).Scan(ctx); err != nil {
		return nil, notFound(err, invite.ErrUserNotFound)
	}
	var grants []userGrantRow
	if err := idb.NewSelect().Model(&grants).Where("user_id = ?", row.ID).OrderExpr("subscription_id").Scan(ctx); err != nil {
		return nil, err
	}
	gs := make([]invite.Grant, len(grants))
	for i, g := range grants {
		gs[i] = invite.Grant{SubscriptionID: g.SubscriptionID, Role: invite.Role(g.Role)}
	}
	return userFromRow(row, gs), nil
}

// HasUsers implements invite.Store.
func (db *DB) HasUsers(ctx context.Context) (bool, error) {
	ok, err := db.idb().NewSelect().Model((*userRow)(nil)).Exists(ctx)
	return ok, translate(err)
}
