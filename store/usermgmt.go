package store

import (
	"context"
	"slices"
	"time"

	"github.com/uptrace/bun"

	"github.com/invitehq/invite/invite"
)

// lockUser locks the company of the user with the given ID, which
// serializes every change to the company's administrators, then the user,
// and returns the user with the count of the company's enabled Company
// Administrators.
func (db *DB) lockUser(ctx context.Context, tx bun.Tx, id int64) (*invite.User, int, error) {
	var companyID int64
	err := tx.NewSelect().Model((*userRow)(nil)).Column("company_id").Where("id = ?", id).Scan(ctx, &companyID)
	if err != nil {
		return nil, 0, notFound(err, invite.ErrUserNotFound)
	}
	var admins int64
	if companyID != 0 {
		q := tx.NewSelect().Model((*companyRow)(nil)).Column("id").Where("id = ?", companyID)
		if db.mysql {
			q.For("UPDATE")
		}
		var locked int64
		if err := q.Scan(ctx, &locked); err != nil {
			return nil, 0, err
		}
		if admins, err = tx.NewSelect().Model((*userRow)(nil)).
			Where("company_id = ? AND admin_level = ? AND disabled_at IS NULL", companyID, invite.AdminCompany).
			Count(ctx); err != nil {
			return nil, 0, err
		}
	}
	q := tx.NewSelect().Model((*userRow)(nil)).Where("id = ?", id)
	if db.mysql {
		q.For("UPDATE")
	}
	row := new(userRow)
	if err := q.Scan(ctx, row); err != nil {
		return nil, 0, notFound(err, invite.ErrUserNotFound)
	}
	var grants []userGrantRow
	if err := tx.NewSelect().Model(&grants).Where("user_id = ?", id).OrderExpr("subscription_id").Scan(ctx); err != nil {
		return nil, 0, err
	}
	gs := make([]invite.Grant, len(grants))
	for i, g := range grants {
		gs[i] = invite.Grant{SubscriptionID: g.SubscriptionID, Role: invite.Role(g.Role)}
	}
	return userFromRow(row, gs), int(admins), nil
}

// UpdateUser implements invite.Store.
func (db *DB) UpdateUser(ctx context.Context, id int64, update func(u *invite.User, admins int) error) (*invite.User, error) {
	var out *invite.User
	err := db.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		u, admins, err := db.lockUser(ctx, tx, id)
		if err != nil {
			return err
		}
		before := slices.Clone(u.Grants)
		if err := update(u, admins); err != nil {
			return fromCaller(err)
		}
		if _, err := tx.NewUpdate().Model(userToRow(u)).WherePK().Exec(ctx); err != nil {
			return err
		}
		if !sameGrants(before, u.Grants) {
			if _, err := tx.NewDelete().Model((*userGrantRow)(nil)).Where("user_id = ?", id).Exec(ctx); err != nil {
				return err
			}
			if len(u.Grants) > 0 {
				rows := make([]userGrantRow, len(u.Grants))
				for i, g := range u.Grants {
					rows[i] = userGrantRow{UserID: id, CompanyID: u.CompanyID, SubscriptionID: g.SubscriptionID, Role: string(g.Role)}
				}
				if _, err := tx.NewInsert().Model(&rows).Exec(ctx); err != nil {
					return err
				}
			}
		}
		out = u
		return nil
	})
	return out, err
}

// DeleteUser implements invite.Store.
func (db *DB) DeleteUser(ctx context.Context, id int64, check func(u *invite.User, admins int) error) error {
	return db.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		u, admins, err := db.lockUser(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := check(u, admins); err != nil {
			return fromCaller(err)
		}
		// Sessions, grants and reset requests go with the user (ON DELETE
		// CASCADE); invitations keep the user's ID as history.
		_, err = tx.NewDelete().Model((*userRow)(nil)).Where("id = ?", id).Exec(ctx)
		return err
	})
}

// DeleteUserSessions implements invite.Store.
func (db *DB) DeleteUserSessions(ctx context.Context, userID int64, except []byte) error {
	q := db.idb().NewDelete().Model((*sessionRow)(nil)).Where("user_id = ?", userID)
	if except != nil {
		q.Where("token_hash <> ?", except)
	}
	_, err := q.Exec(ctx)
	return translate(err)
}

// SetLastLogin implements invite.Store.
func (db *DB) SetLastLogin(ctx context.Context, userID int64, at time.Time) error {
	_, err := db.idb().NewUpdate().Model((*userRow)(nil)).Set("last_login_at = ?", at).Where("id = ?", userID).Exec(ctx)
	return translate(err)
}
