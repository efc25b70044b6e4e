package store

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/invitehq/invite/invite"
)

func resetFromRow(r *resetRow) *invite.PasswordReset {
	return &invite.PasswordReset{
		ID: r.ID, Email: r.Email, Language: r.Language, State: r.State, UserID: r.UserID, TokenHash: r.TokenHash,
		CreatedAt: utc(r.CreatedAt), ExpiresAt: utc(r.ExpiresAt), ClaimedUntil: utc(r.ClaimedUntil),
	}
}

// CreatePasswordReset implements invite.Store.
func (db *DB) CreatePasswordReset(ctx context.Context, r *invite.PasswordReset) error {
	row := &resetRow{Email: r.Email, Language: r.Language, State: r.State, CreatedAt: r.CreatedAt}
	if _, err := db.idb().NewInsert().Model(row).Exec(ctx); err != nil {
		return translate(err)
	}
	r.ID = row.ID
	return nil
}

// ClaimPasswordResets implements invite.Store.
func (db *DB) ClaimPasswordResets(ctx context.Context, now, leaseUntil time.Time, limit int) ([]*invite.PasswordReset, error) {
	var rows []*resetRow
	err := db.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		rows = rows[:0]
		// A processing row from before leases has none: it lapsed.
		q := tx.NewSelect().Model(&rows).
			Where("state = ? OR (state = ? AND (claimed_until IS NULL OR claimed_until <= ?))", invite.ResetRequested, invite.ResetProcessing, now).
			OrderExpr("id").Limit(int64(limit))
		if db.mysql {
			q.For("UPDATE SKIP LOCKED")
		}
		if err := q.Scan(ctx); err != nil || len(rows) == 0 {
			return err
		}
		ids := make([]int64, len(rows))
		for i, r := range rows {
			ids[i], r.State, r.ClaimedUntil = r.ID, invite.ResetProcessing, leaseUntil
		}
		_, err := tx.NewUpdate().Model((*resetRow)(nil)).Set("state = ?", invite.ResetProcessing).Set("claimed_until = ?", leaseUntil).
			Where("id IN (?)", bun.List(ids)).Exec(ctx)
		return err
	})
	if err != nil {
		return nil, err
	}
	out := make([]*invite.PasswordReset, len(rows))
	for i, r := range rows {
		out[i] = resetFromRow(r)
	}
	return out, nil
}

// SavePasswordReset implements invite.Store.
func (db *DB) SavePasswordReset(ctx context.Context, r *invite.PasswordReset) error {
	row := &resetRow{ID: r.ID, State: r.State, UserID: r.UserID, TokenHash: r.TokenHash, ExpiresAt: r.ExpiresAt}
	_, err := db.idb().NewUpdate().Model(row).Column("state", "user_id", "token_hash", "expires_at").WherePK().Exec(ctx)
	if foreignKeyViolation(err) {
		return invite.ErrUserNotFound
	}
	return translate(err)
}

// SupersedePasswordResets implements invite.Store.
func (db *DB) SupersedePasswordResets(ctx context.Context, userID int64) error {
	_, err := db.idb().NewUpdate().Model((*resetRow)(nil)).Set("state = ?", invite.ResetSuperseded).
		Where("user_id = ? AND state = ?", userID, invite.ResetIssued).Exec(ctx)
	return translate(err)
}

// PasswordReset implements invite.Store.
func (db *DB) PasswordReset(ctx context.Context, hash []byte) (*invite.PasswordReset, error) {
	row := new(resetRow)
	if err := db.idb().NewSelect().Model(row).Where("token_hash = ?", hash).Scan(ctx); err != nil {
		return nil, translate(notFound(err, invite.ErrResetNotFound))
	}
	return resetFromRow(row), nil
}

// UsePasswordReset implements invite.Store.
func (db *DB) UsePasswordReset(ctx context.Context, hash []byte, now time.Time, use func(*invite.PasswordReset) (string, error)) (*invite.User, error) {
	var u *invite.User
	err := db.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		row := new(resetRow)
		q := tx.NewSelect().Model(row).Where("token_hash = ?", hash)
		if db.mysql {
			q.For("UPDATE")
		}
		if err := q.Scan(ctx); err != nil {
			return notFound(err, invite.ErrResetNotFound)
		}
		pwHash, err := use(resetFromRow(row))
		if err != nil {
			return fromCaller(err)
		}
		if _, err := tx.NewUpdate().Model((*userRow)(nil)).Set("password_hash = ?", pwHash).Where("id = ?", row.UserID).Exec(ctx); err != nil {
			return err
		}
		if _, err := tx.NewUpdate().Model((*resetRow)(nil)).Set("state = ?", invite.ResetUsed).Set("used_at = ?", now).Where("id = ?", row.ID).Exec(ctx); err != nil {
			return err
		}
		if _, err := tx.NewDelete().Model((*sessionRow)(nil)).Where("user_id = ?", row.UserID).Exec(ctx); err != nil {
			return err
		}
		if u, err = db.userIn(ctx, tx, row.UserID); err != nil {
			return err
		}
		return nil
	})
	return u, err
}

// PrunePasswordResets implements invite.Store.
func (db *DB) PrunePasswordResets(ctx context.Context, before time.Time) (int, error) {
	res, err := db.idb().NewDelete().Model((*resetRow)(nil)).Where("created_at < ?", before).Exec(ctx)
	if err != nil {
		return 0, translate(err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}
