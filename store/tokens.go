package store

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/invitehq/invite/invite"
)

// apiTokenRow is a row of api_tokens (migration 0040).
type apiTokenRow struct {
	bun.BaseModel `bun:"table:api_tokens"`

	ID         int64     `bun:"id,pk,autoincrement"`
	UserID     int64     `bun:"user_id"`
	CompanyID  int64     `bun:"company_id,nullzero"`
	Name       string    `bun:"name"`
	Prefix     string    `bun:"prefix"`
	TokenHash  []byte    `bun:"token_hash"`
	CreatedAt  time.Time `bun:"created_at"`
	LastUsedAt time.Time `bun:"last_used_at,nullzero"`
}

func apiTokenFromRow(r *apiTokenRow) *invite.APIToken {
	return &invite.APIToken{
		ID: r.ID, UserID: r.UserID, CompanyID: r.CompanyID, Name: r.Name, Prefix: r.Prefix, Hash: r.TokenHash,
		CreatedAt: r.CreatedAt.UTC(), LastUsedAt: utcOrZero(r.LastUsedAt),
	}
}

func utcOrZero(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC()
}

// CreateAPIToken implements invite.Store. The user's row, locked, makes
// concurrent calls for one user take turns.
func (db *DB) CreateAPIToken(ctx context.Context, t *invite.APIToken, limit int) error {
	row := &apiTokenRow{
		UserID: t.UserID, CompanyID: t.CompanyID, Name: t.Name, Prefix: t.Prefix, TokenHash: t.Hash,
		CreatedAt: t.CreatedAt.UTC(), LastUsedAt: utcOrZero(t.LastUsedAt),
	}
	err := db.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		row.ID = 0
		var id int64
		q := tx.NewSelect().Model((*userRow)(nil)).Column("id").Where("id = ?", t.UserID)
		if db.mysql {
			q.For("UPDATE")
		}
		if err := q.Scan(ctx, &id); err != nil {
			return notFound(err, invite.ErrUserNotFound)
		}
		n, err := tx.NewSelect().Model((*apiTokenRow)(nil)).Where("user_id = ?", t.UserID).Count(ctx)
		if err != nil {
			return err
		}
		if n >= int64(limit) {
			return invite.ErrTooManyAPITokens
		}
		_, err = tx.NewInsert().Model(row).Exec(ctx)
		return err
	})
	if err != nil {
		return err
	}
	t.ID = row.ID
	return nil
}

// APITokens implements invite.Store.
func (db *DB) APITokens(ctx context.Context, userID int64) ([]*invite.APIToken, error) {
	var rows []*apiTokenRow
	if err := db.idb().NewSelect().Model(&rows).Where("user_id = ?", userID).Order("id").Scan(ctx); err != nil {
		return nil, translate(err)
	}
	out := make([]*invite.APIToken, len(rows))
	for i, r := range rows {
		out[i] = apiTokenFromRow(r)
	}
	return out, nil
}

// APITokenByHash implements invite.Store.
func (db *DB) APITokenByHash(ctx context.Context, hash []byte) (*invite.APIToken, error) {
	row := new(apiTokenRow)
	if err := db.idb().NewSelect().Model(row).Where("token_hash = ?", hash).Scan(ctx); err != nil {
		return nil, translate(notFound(err, invite.ErrAPITokenNotFound))
	}
	return apiTokenFromRow(row), nil
}

// DeleteAPIToken implements invite.Store.
func (db *DB) DeleteAPIToken(ctx context.Context, userID, id int64) error {
	res, err := db.idb().NewDelete().Model((*apiTokenRow)(nil)).Where("id = ? AND user_id = ?", id, userID).Exec(ctx)
	if err != nil {
		return translate(err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return translate(err)
	} else if n == 0 {
		return invite.ErrAPITokenNotFound
	}
	return nil
}

// TouchAPIToken implements invite.Store.
func (db *DB) TouchAPIToken(ctx context.Context, id int64, at, stale time.Time) error {
	_, err := db.idb().NewUpdate().Model((*apiTokenRow)(nil)).Set("last_used_at = ?", at.UTC()).
		Where("id = ? AND (last_used_at IS NULL OR last_used_at <= ?)", id, stale.UTC()).Exec(ctx)
	return translate(err)
}

// idempotencyKeyRow is a row of idempotency_keys (migration 0042).
type idempotencyKeyRow struct {
	bun.BaseModel `bun:"table:idempotency_keys"`

	ID           int64     `bun:"id,pk,autoincrement"`
	UserID       int64     `bun:"user_id"`
	CompanyID    int64     `bun:"company_id"`
	Key          string    `bun:"idem_key"`
	Fingerprint  []byte    `bun:"fingerprint"`
	InvitationID int64     `bun:"invitation_id"`
	Response     *string   `bun:"response"`
	CreatedAt    time.Time `bun:"created_at"`
}

// CreateIdempotencyKey implements invite.Store.
func (db *DB) CreateIdempotencyKey(ctx context.Context, k *invite.IdempotencyKey) error {
	row := &idempotencyKeyRow{
		UserID: k.UserID, CompanyID: k.CompanyID, Key: k.Key, Fingerprint: k.Fingerprint,
		InvitationID: k.InvitationID, CreatedAt: k.CreatedAt.UTC(),
	}
	if k.Response != nil {
		s := string(k.Response)
		row.Response = &s
	}
	if _, err := db.idb().NewInsert().Model(row).Exec(ctx); err != nil {
		return translate(err)
	}
	k.ID = row.ID
	return nil
}

// IdempotencyKey implements invite.Store.
func (db *DB) IdempotencyKey(ctx context.Context, userID int64, key string) (*invite.IdempotencyKey, error) {
	row := new(idempotencyKeyRow)
	if err := db.idb().NewSelect().Model(row).Where("user_id = ? AND idem_key = ?", userID, key).Scan(ctx); err != nil {
		return nil, translate(notFound(err, invite.ErrIdempotencyKeyNotFound))
	}
	k := &invite.IdempotencyKey{
		ID: row.ID, UserID: row.UserID, CompanyID: row.CompanyID, Key: row.Key, Fingerprint: row.Fingerprint,
		InvitationID: row.InvitationID, CreatedAt: row.CreatedAt.UTC(),
	}
	if row.Response != nil {
		k.Response = []byte(*row.Response)
	}
	return k, nil
}

// PruneIdempotencyKeys implements invite.Store, deleting by ID the oldest
// it reads, as PruneEvents does.
func (db *DB) PruneIdempotencyKeys(ctx context.Context, before time.Time, limit int) (int, error) {
	return db.pruneByID(ctx, (*idempotencyKeyRow)(nil), limit, func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("created_at < ?", before.UTC()).OrderExpr("created_at, id")
	})
}
