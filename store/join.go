package store

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/invitehq/invite/invite"
)

// CompanyByJoinKey implements invite.Store.
func (db *DB) CompanyByJoinKey(ctx context.Context, hash []byte) (*invite.Company, error) {
	row := new(companyRow)
	if err := db.idb().NewSelect().Model(row).Where("join_key_hash = ? AND join_requests", hash).Scan(ctx); err != nil {
		return nil, translate(notFound(err, invite.ErrCompanyNotFound))
	}
	c := companyFromRow(row)
	if err := loadAllowedDomains(ctx, db.idb(), c); err != nil {
		return nil, translate(err)
	}
	return c, nil
}

// SetJoinKey implements invite.Store.
func (db *DB) SetJoinKey(ctx context.Context, companyID int64, hash []byte) error {
	res, err := db.idb().NewUpdate().Model((*companyRow)(nil)).
		Set("join_key_hash = ?", hash).Set("join_requests = ?", hash != nil).
		Where("id = ?", companyID).Exec(ctx)
	if err != nil {
		return translate(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return invite.ErrCompanyNotFound
	}
	return nil
}

// SetTerms implements invite.Store.
func (db *DB) SetTerms(ctx context.Context, companyID int64, terms string) error {
	res, err := db.idb().NewUpdate().Model((*companyRow)(nil)).
		Set("terms = ?", bun.NullZero(terms)).Where("id = ?", companyID).Exec(ctx)
	if err != nil {
		return translate(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return invite.ErrCompanyNotFound
	}
	return nil
}

// hashJoinKeys moves the join page keys that earlier versions kept in plain
// text to their hashes, so that the pages stay where they were. It is part
// of Migrate and does nothing once done.
func (db *DB) hashJoinKeys(ctx context.Context) error {
	var rows []struct {
		ID      int64  `bun:"id"`
		JoinKey string `bun:"join_key"`
	}
	if err := db.idb().NewSelect().Table("companies").Column("id", "join_key").Where("join_key IS NOT NULL").Scan(ctx, &rows); err != nil {
		return err
	}
	for _, r := range rows {
		hash, ok := invite.HashToken(r.JoinKey)
		q := db.idb().NewUpdate().Table("companies").Set("join_key = NULL").Where("id = ? AND join_key = ?", r.ID, r.JoinKey)
		if ok {
			q.Set("join_key_hash = ?", hash)
		} else {
			q.Set("join_requests = ?", false)
		}
		if _, err := q.Exec(ctx); err != nil {
			return err
		}
	}
	return nil
}

// CreateJoinRequest implements invite.Store.
func (db *DB) CreateJoinRequest(ctx context.Context, r *invite.JoinRequest) error {
	row := joinRequestToRow(r)
	if _, err := db.idb().NewInsert().Model(row).Exec(ctx); err != nil {
		return translate(err)
	}
	r.ID = row.ID
	return nil
}

// ClaimJoinRequests implements invite.Store, as ClaimPasswordResets does.
func (db *DB) ClaimJoinRequests(ctx context.Context, now, leaseUntil time.Time, limit int) ([]*invite.JoinRequest, error) {
	var rows []*joinRequestRow
	err := db.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		rows = rows[:0]
		// A processing row from before leases has none: it lapsed.
		q := tx.NewSelect().Model(&rows).
			Where("status = ? OR (status = ? AND (claimed_until IS NULL OR claimed_until <= ?))", invite.JoinRequested, invite.JoinProcessing, now).
			OrderExpr("id").Limit(int64(limit))
		if db.mysql {
			q.For("UPDATE SKIP LOCKED")
		}
		if err := q.Scan(ctx); err != nil || len(rows) == 0 {
			return err
		}
		ids := make([]int64, len(rows))
		for i, r := range rows {
			ids[i], r.Status, r.ClaimedUntil = r.ID, string(invite.JoinProcessing), leaseUntil
		}
		_, err := tx.NewUpdate().Model((*joinRequestRow)(nil)).Set("status = ?", invite.JoinProcessing).Set("claimed_until = ?", leaseUntil).
			Where("id IN (?)", bun.List(ids)).Exec(ctx)
		return err
	})
	if err != nil {
		return nil, err
	}
	out := make([]*invite.JoinRequest, len(rows))
	for i, r := range rows {
		out[i] = joinRequestFromRow(r)
	}
	return out, nil
}

// SaveJoinRequest implements invite.Store. A pending request holds its
// address in pending_email, whose unique index allows one per company.
func (db *DB) SaveJoinRequest(ctx context.Context, r *invite.JoinRequest, msgs []*invite.Message) error {
	return db.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		row := joinRequestToRow(r)
		if _, err := tx.NewUpdate().Model(row).Column("status", "pending_email").WherePK().Exec(ctx); err != nil {
			return err
		}
		for _, m := range msgs {
			mrow := messageToRow(m)
			if _, err := tx.NewInsert().Model(mrow).Exec(ctx); err != nil {
				return err
			}
			m.ID = mrow.ID
		}
		return nil
	})
}

// JoinRequest implements invite.Store.
func (db *DB) JoinRequest(ctx context.Context, id int64) (*invite.JoinRequest, error) {
	row := new(joinRequestRow)
	if err := db.idb().NewSelect().Model(row).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, translate(notFound(err, invite.ErrJoinRequestNotFound))
	}
	return joinRequestFromRow(row), nil
}

// JoinRequests implements invite.Store.
func (db *DB) JoinRequests(ctx context.Context, companyID int64, limit int) ([]*invite.JoinRequest, error) {
	var rows []*joinRequestRow
	q := db.idb().NewSelect().Model(&rows).Where("status = ?", invite.JoinPending)
	if companyID != 0 {
		q.Where("company_id = ?", companyID)
	}
	if err := q.OrderExpr("id").Limit(int64(limit)).Scan(ctx); err != nil {
		return nil, translate(err)
	}
	out := make([]*invite.JoinRequest, len(rows))
	for i, r := range rows {
		out[i] = joinRequestFromRow(r)
	}
	return out, nil
}

// DecideJoinRequest implements invite.Store.
func (db *DB) DecideJoinRequest(ctx context.Context, id int64, status invite.JoinStatus, by, invitationID int64, at time.Time) error {
	q := db.idb().NewUpdate().Model((*joinRequestRow)(nil)).
		Set("status = ?", status).Set("pending_email = NULL").Set("decided_at = ?", at).Set("decided_by = ?", by).
		Where("id = ? AND status = ?", id, invite.JoinPending)
	if invitationID != 0 {
		q.Set("invitation_id = ?", invitationID)
	}
	res, err := q.Exec(ctx)
	if err != nil {
		return translate(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return invite.ErrJoinRequestDecided
	}
	return nil
}
