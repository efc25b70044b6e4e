package store

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/invitehq/invite/invite"
)

// CompanyByJoinKey implements invite.Store.
func (db *DB) CompanyByJoinKey(ctx context.Context, key string) (*invite.Company, error) {
	if key == "" {
		return nil, invite.ErrCompanyNotFound
	}
	row := new(companyRow)
	if err := db.bun.NewSelect().Model(row).Where("join_key = ?", key).Scan(ctx); err != nil {
		return nil, translate(notFound(err, invite.ErrCompanyNotFound))
	}
	return companyFromRow(row), nil
}

// SetJoinRequests implements invite.Store.
func (db *DB) SetJoinRequests(ctx context.Context, companyID int64, on bool) error {
	_, err := db.bun.NewUpdate().Model((*companyRow)(nil)).Set("join_requests = ?", on).Where("id = ?", companyID).Exec(ctx)
	return translate(err)
}

// CreateJoinRequest implements invite.Store.
func (db *DB) CreateJoinRequest(ctx context.Context, r *invite.JoinRequest, msgs []*invite.Message) error {
	return db.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		email := r.Email
		row := &joinRequestRow{
			CompanyID: r.CompanyID, Email: r.Email, PendingEmail: &email, FirstName: r.FirstName, LastName: r.LastName,
			Phone: r.Phone, Language: r.Language, TimeZone: r.TimeZone, Status: string(r.Status), CreatedAt: r.CreatedAt,
		}
		if _, err := tx.NewInsert().Model(row).Exec(ctx); err != nil {
			return err
		}
		r.ID = row.ID
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
	if err := db.bun.NewSelect().Model(row).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, translate(notFound(err, invite.ErrJoinRequestNotFound))
	}
	return joinRequestFromRow(row), nil
}

// JoinRequests implements invite.Store.
func (db *DB) JoinRequests(ctx context.Context, companyID int64) ([]*invite.JoinRequest, error) {
	var rows []*joinRequestRow
	q := db.bun.NewSelect().Model(&rows).Where("status = ?", invite.JoinPending)
	if companyID != 0 {
		q.Where("company_id = ?", companyID)
	}
	if err := q.OrderExpr("id").Scan(ctx); err != nil {
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
	q := db.bun.NewUpdate().Model((*joinRequestRow)(nil)).
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
