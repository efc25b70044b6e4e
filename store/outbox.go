package store

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/invitehq/invite/invite"
)

// ClaimMessages implements invite.Store. On MySQL the due rows are locked
// with SKIP LOCKED, so concurrent workers claim disjoint batches without
// waiting for each other; on SQLite the write transaction holds the
// database.
func (db *DB) ClaimMessages(ctx context.Context, now, leaseUntil time.Time, limit int) ([]*invite.Message, error) {
	var rows []*messageRow
	err := db.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		rows = rows[:0]
		// The messages that are not bulk first, then the bulk ones.
		for _, bulk := range []bool{false, true} {
			var part []*messageRow
			q := tx.NewSelect().Model(&part).
				Where("bulk = ? AND state IN (?) AND next_attempt_at <= ?", bulk, bun.List([]invite.DeliveryState{invite.DeliveryQueued, invite.DeliverySending}), now).
				OrderExpr("next_attempt_at, id")
			if limit > 0 {
				q.Limit(int64(limit - len(rows)))
			}
			if db.mysql {
				q.For("UPDATE SKIP LOCKED")
			}
			if err := q.Scan(ctx); err != nil {
				return err
			}
			if rows = append(rows, part...); limit > 0 && len(rows) >= limit {
				break
			}
		}
		if len(rows) == 0 {
			return nil
		}
		ids := make([]int64, len(rows))
		for i, r := range rows {
			ids[i] = r.ID
			r.State, r.Attempts, r.NextAttemptAt = string(invite.DeliverySending), r.Attempts+1, leaseUntil
		}
		_, err := tx.NewUpdate().Model((*messageRow)(nil)).
			Set("state = ?", invite.DeliverySending).
			Set("attempts = attempts + 1").
			Set("next_attempt_at = ?", leaseUntil).
			Where("id IN (?)", bun.List(ids)).
			Exec(ctx)
		return err
	})
	if err != nil {
		return nil, err
	}
	msgs := make([]*invite.Message, len(rows))
	for i, r := range rows {
		msgs[i] = messageFromRow(r)
	}
	return msgs, nil
}

// SaveDelivery implements invite.Store.
func (db *DB) SaveDelivery(ctx context.Context, m *invite.Message) error {
	row := messageToRow(m)
	_, err := db.idb().NewUpdate().Model(row).
		Column("state", "next_attempt_at", "last_error", "sent_at", "text_body", "html_body").
		Where("id = ? AND attempts = ? AND state = ?", m.ID, m.Attempts, invite.DeliverySending).
		Exec(ctx)
	return translate(err)
}

// Messages implements invite.Store.
func (db *DB) Messages(ctx context.Context, q invite.MessageQuery) ([]*invite.Message, error) {
	var rows []*messageRow
	sel := db.idb().NewSelect().Model(&rows)
	if q.CompanyID != 0 {
		sel.Where("company_id = ?", q.CompanyID)
	}
	if q.Before != 0 {
		sel.Where("id < ?", q.Before)
	}
	if err := sel.OrderExpr("id DESC").Limit(int64(q.Limit)).Scan(ctx); err != nil {
		return nil, translate(err)
	}
	msgs := make([]*invite.Message, len(rows))
	for i, r := range rows {
		msgs[i] = messageFromRow(r)
	}
	return msgs, nil
}

// MailTemplates implements invite.Store.
func (db *DB) MailTemplates(ctx context.Context, companyID int64) (map[string]invite.Template, error) {
	var rows []mailTemplateRow
	if err := db.idb().NewSelect().Model(&rows).Where("company_id = ?", companyID).Scan(ctx); err != nil {
		return nil, translate(err)
	}
	ts := make(map[string]invite.Template, len(rows))
	for _, r := range rows {
		ts[r.Language] = invite.Template{Subject: r.Subject, Body: r.Body}
	}
	return ts, nil
}

// SetMailTemplate implements invite.Store.
func (db *DB) SetMailTemplate(ctx context.Context, companyID int64, lang string, t invite.Template, now time.Time) error {
	return db.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.NewDelete().Model((*mailTemplateRow)(nil)).
			Where("company_id = ? AND language = ?", companyID, lang).
			Exec(ctx)
		if err != nil || t.IsZero() {
			return err
		}
		row := &mailTemplateRow{CompanyID: companyID, Language: lang, Subject: t.Subject, Body: t.Body, UpdatedAt: now}
		_, err = tx.NewInsert().Model(row).Exec(ctx)
		return err
	})
}

// Message implements invite.Store.
func (db *DB) Message(ctx context.Context, id int64) (*invite.Message, error) {
	row := new(messageRow)
	if err := db.idb().NewSelect().Model(row).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, translate(notFound(err, invite.ErrMessageNotFound))
	}
	return messageFromRow(row), nil
}
