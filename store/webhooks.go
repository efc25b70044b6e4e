package store

import (
	"context"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/invitehq/invite/invite"
)

// webhookRow is a row of webhooks (migration 0050).
type webhookRow struct {
	bun.BaseModel `bun:"table:webhooks"`

	ID            int64     `bun:"id,pk,autoincrement"`
	CompanyID     int64     `bun:"company_id"`
	URL           string    `bun:"url"`
	Kinds         string    `bun:"kinds"`
	Secret        string    `bun:"secret"`
	CreatedBy     int64     `bun:"created_by"`
	CreatedAt     time.Time `bun:"created_at"`
	LastAttemptAt time.Time `bun:"last_attempt_at,nullzero"`
	LastStatus    int       `bun:"last_status"`
	LastError     string    `bun:"last_error"`
}

// webhookDeliveryRow is a row of webhook_deliveries (migration 0052).
type webhookDeliveryRow struct {
	bun.BaseModel `bun:"table:webhook_deliveries"`

	ID            int64     `bun:"id,pk,autoincrement"`
	CompanyID     int64     `bun:"company_id"`
	WebhookID     int64     `bun:"webhook_id"`
	EventID       int64     `bun:"event_id"`
	Payload       string    `bun:"payload"`
	State         string    `bun:"state"`
	Attempts      int       `bun:"attempts"`
	NextAttemptAt time.Time `bun:"next_attempt_at"`
	LastStatus    int       `bun:"last_status"`
	LastError     string    `bun:"last_error"`
	CreatedAt     time.Time `bun:"created_at"`
	DeliveredAt   time.Time `bun:"delivered_at,nullzero"`
}

func webhookToRow(w *invite.Webhook) *webhookRow {
	kinds := make([]string, len(w.Kinds))
	for i, k := range w.Kinds {
		kinds[i] = string(k)
	}
	return &webhookRow{
		ID: w.ID, CompanyID: w.CompanyID, URL: w.URL, Kinds: strings.Join(kinds, ","), Secret: w.Secret,
		CreatedBy: w.CreatedBy, CreatedAt: w.CreatedAt.UTC(), LastAttemptAt: w.LastAttemptAt.UTC(),
		LastStatus: w.LastStatus, LastError: w.LastError,
	}
}

func webhookFromRow(r *webhookRow) *invite.Webhook {
	w := &invite.Webhook{
		ID: r.ID, CompanyID: r.CompanyID, URL: r.URL, Secret: r.Secret, CreatedBy: r.CreatedBy,
		CreatedAt: r.CreatedAt.UTC(), LastStatus: r.LastStatus, LastError: r.LastError,
	}
	if !r.LastAttemptAt.IsZero() {
		w.LastAttemptAt = r.LastAttemptAt.UTC()
	}
	for k := range strings.SplitSeq(r.Kinds, ",") {
		if k != "" {
			w.Kinds = append(w.Kinds, invite.EventKind(k))
		}
	}
	return w
}

func deliveryToRow(d *invite.WebhookDelivery) *webhookDeliveryRow {
	return &webhookDeliveryRow{
		ID: d.ID, CompanyID: d.CompanyID, WebhookID: d.WebhookID, EventID: d.EventID, Payload: string(d.Payload),
		State: string(d.State), Attempts: d.Attempts, NextAttemptAt: d.NextAttemptAt.UTC(),
		LastStatus: d.LastStatus, LastError: d.LastError, CreatedAt: d.CreatedAt.UTC(), DeliveredAt: d.DeliveredAt.UTC(),
	}
}

func deliveryFromRow(r *webhookDeliveryRow) *invite.WebhookDelivery {
	d := &invite.WebhookDelivery{
		ID: r.ID, CompanyID: r.CompanyID, WebhookID: r.WebhookID, EventID: r.EventID, Payload: []byte(r.Payload),
		State: invite.WebhookState(r.State), Attempts: r.Attempts, NextAttemptAt: r.NextAttemptAt.UTC(),
		LastStatus: r.LastStatus, LastError: r.LastError, CreatedAt: r.CreatedAt.UTC(),
	}
	if !r.DeliveredAt.IsZero() {
		d.DeliveredAt = r.DeliveredAt.UTC()
	}
	return d
}

// CreateWebhook implements invite.Store. The company's row is locked
// (MySQL; SQLite's write transaction holds the database), so that
// concurrent calls count one after the other.
func (db *DB) CreateWebhook(ctx context.Context, w *invite.Webhook, check func(count int) error) error {
	row := webhookToRow(w)
	err := db.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		row.ID = 0
		var locked int64
		q := db.forUpdate(tx.NewSelect().Model((*companyRow)(nil)).Column("id").Where("id = ?", w.CompanyID))
		if err := q.Scan(ctx, &locked); err != nil {
			return notFound(err, invite.ErrCompanyNotFound)
		}
		n, err := tx.NewSelect().Model((*webhookRow)(nil)).Where("company_id = ?", w.CompanyID).Count(ctx)
		if err != nil {
			return err
		}
		if err := check(int(n)); err != nil {
			return fromCaller(err)
		}
		_, err = tx.NewInsert().Model(row).Exec(ctx)
		return err
	})
	if err != nil {
		return err
	}
	w.ID = row.ID
	return nil
}

// Webhook implements invite.Store.
func (db *DB) Webhook(ctx context.Context, id int64) (*invite.Webhook, error) {
	row := new(webhookRow)
	if err := db.idb().NewSelect().Model(row).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, translate(notFound(err, invite.ErrWebhookNotFound))
	}
	return webhookFromRow(row), nil
}

// Webhooks implements invite.Store.
func (db *DB) Webhooks(ctx context.Context, companyIDs []int64) ([]*invite.Webhook, error) {
	if len(companyIDs) == 0 {
		return nil, nil
	}
	var rows []*webhookRow
	q := db.idb().NewSelect().Model(&rows)
	if len(companyIDs) == 1 {
		q.Where("company_id = ?", companyIDs[0])
	} else {
		q.Where("company_id IN (?)", bun.List(companyIDs))
	}
	if err := q.OrderExpr("company_id, id").Scan(ctx); err != nil {
		return nil, translate(err)
	}
	ws := make([]*invite.Webhook, len(rows))
	for i, r := range rows {
		ws[i] = webhookFromRow(r)
	}
	return ws, nil
}

// DeleteWebhook implements invite.Store.
func (db *DB) DeleteWebhook(ctx context.Context, id int64) error {
	return db.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewDelete().Model((*webhookRow)(nil)).Where("id = ?", id).Exec(ctx)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			if err == nil {
				err = fromCaller(invite.ErrWebhookNotFound)
			}
			return err
		}
		_, err = tx.NewDelete().Model((*webhookDeliveryRow)(nil)).Where("webhook_id = ?", id).Exec(ctx)
		return err
	})
}

// EnqueueWebhookDeliveries implements invite.Store: one INSERT for all of
// ds.
func (db *DB) EnqueueWebhookDeliveries(ctx context.Context, ds []*invite.WebhookDelivery) error {
	if len(ds) == 0 {
		return nil
	}
	rows := make([]*webhookDeliveryRow, len(ds))
	for i, d := range ds {
		rows[i] = deliveryToRow(d)
		rows[i].ID = 0
	}
	_, err := db.idb().NewInsert().Model(&rows).Exec(ctx)
	return translate(err)
}

// dueDeliveries selects the due deliveries, oldest due first.
func dueDeliveries(q *bun.SelectQuery, now time.Time) *bun.SelectQuery {
	return q.Where("state IN (?) AND next_attempt_at <= ?", bun.List([]invite.WebhookState{invite.WebhookQueued, invite.WebhookSending}), now.UTC()).
		OrderExpr("next_attempt_at, id")
}

// ClaimWebhookDeliveries implements invite.Store. On MySQL the due rows
// are locked with SKIP LOCKED, so concurrent workers claim disjoint
// batches without waiting for each other; on SQLite the write transaction
// holds the database. A read without a transaction first finds whether
// any is due: the job runs after every event, and mostly finds none.
func (db *DB) ClaimWebhookDeliveries(ctx context.Context, now, leaseUntil time.Time, limit int) ([]*invite.WebhookDelivery, error) {
	if db.tx == nil {
		var ids []int64
		if err := dueDeliveries(db.bun.NewSelect().Model((*webhookDeliveryRow)(nil)).Column("id"), now).Limit(1).Scan(ctx, &ids); err != nil {
			return nil, translate(err)
		}
		if len(ids) == 0 {
			return nil, nil
		}
	}
	var out []*invite.WebhookDelivery
	err := db.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		out = nil
		var rows []*webhookDeliveryRow
		q := dueDeliveries(tx.NewSelect().Model(&rows), now)
		if limit > 0 {
			q.Limit(int64(limit))
		}
		if db.mysql {
			q.For("UPDATE SKIP LOCKED")
		}
		if err := q.Scan(ctx); err != nil || len(rows) == 0 {
			return err
		}
		hookIDs := make([]int64, 0, len(rows))
		for _, r := range rows {
			hookIDs = append(hookIDs, r.WebhookID)
		}
		var hooks []*webhookRow
		if err := tx.NewSelect().Model(&hooks).Where("id IN (?)", bun.List(hookIDs)).Scan(ctx); err != nil {
			return err
		}
		byID := make(map[int64]*invite.Webhook, len(hooks))
		for _, h := range hooks {
			byID[h.ID] = webhookFromRow(h)
		}
		var claimed, orphans []int64
		for _, r := range rows {
			w, ok := byID[r.WebhookID]
			if !ok {
				orphans = append(orphans, r.ID)
				continue
			}
			claimed = append(claimed, r.ID)
			r.State, r.Attempts, r.NextAttemptAt = string(invite.WebhookSending), r.Attempts+1, leaseUntil.UTC()
			d := deliveryFromRow(r)
			d.Webhook = w
			out = append(out, d)
		}
		if len(orphans) > 0 {
			if _, err := tx.NewDelete().Model((*webhookDeliveryRow)(nil)).Where("id IN (?)", bun.List(orphans)).Exec(ctx); err != nil {
				return err
			}
		}
		if len(claimed) == 0 {
			return nil
		}
		_, err := tx.NewUpdate().Model((*webhookDeliveryRow)(nil)).
			Set("state = ?", invite.WebhookSending).
			Set("attempts = attempts + 1").
			Set("next_attempt_at = ?", leaseUntil.UTC()).
			Where("id IN (?)", bun.List(claimed)).
			Exec(ctx)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// SaveWebhookDelivery implements invite.Store.
func (db *DB) SaveWebhookDelivery(ctx context.Context, d *invite.WebhookDelivery, at time.Time) error {
	row := deliveryToRow(d)
	return db.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewUpdate().Model(row).
			Column("state", "next_attempt_at", "last_status", "last_error", "delivered_at").
			Where("id = ? AND attempts = ? AND state = ?", d.ID, d.Attempts, invite.WebhookSending).
			Exec(ctx)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err // claimed again since
		}
		_, err = tx.NewUpdate().Model((*webhookRow)(nil)).
			Set("last_attempt_at = ?", at.UTC()).
			Set("last_status = ?", d.LastStatus).
			Set("last_error = ?", d.LastError).
			Where("id = ?", d.WebhookID).
			Exec(ctx)
		return err
	})
}

// WebhookDeliveries implements invite.Store.
func (db *DB) WebhookDeliveries(ctx context.Context, webhookID int64, limit int) ([]*invite.WebhookDelivery, error) {
	var rows []*webhookDeliveryRow
	q := db.idb().NewSelect().Model(&rows).Where("webhook_id = ?", webhookID).Order("id")
	if limit > 0 {
		q.Limit(int64(limit))
	}
	if err := q.Scan(ctx); err != nil {
		return nil, translate(err)
	}
	ds := make([]*invite.WebhookDelivery, len(rows))
	for i, r := range rows {
		ds[i] = deliveryFromRow(r)
	}
	return ds, nil
}

// PruneWebhookDeliveries implements invite.Store, deleting by ID what it
// reads as PruneEvents does.
func (db *DB) PruneWebhookDeliveries(ctx context.Context, before time.Time, limit int) (int, error) {
	done := bun.List([]invite.WebhookState{invite.WebhookDelivered, invite.WebhookFailed})
	return db.pruneByID(ctx, (*webhookDeliveryRow)(nil), limit, func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("state IN (?) AND created_at < ?", done, before.UTC()).Order("id")
	})
}
