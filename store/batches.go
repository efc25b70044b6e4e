package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/invitehq/invite/invite"
)

// batchRow is a batch of invitations; its rows, lines and outcomes are
// kept as JSON, written whole: a batch is read and written as one thing.
type batchRow struct {
	bun.BaseModel `bun:"table:invitation_batches"`

	ID           int64     `bun:"id,pk,autoincrement"`
	CompanyID    int64     `bun:"company_id"`
	AdminID      int64     `bun:"admin_id"`
	Key          *string   `bun:"batch_key"`
	State        string    `bun:"state"`
	AllOrNone    bool      `bun:"all_or_none"`
	Rows         string    `bun:"rows_json"`
	Lines        string    `bun:"lines_json"`
	Outcomes     string    `bun:"outcomes_json"`
	Done         int       `bun:"done"`
	CreatedAt    time.Time `bun:"created_at"`
	ConfirmedAt  time.Time `bun:"confirmed_at,nullzero"`
	ClaimedUntil time.Time `bun:"claimed_until,nullzero"`
}

func batchToRow(b *invite.Batch) (*batchRow, error) {
	row := &batchRow{
		ID: b.ID, CompanyID: b.CompanyID, AdminID: b.AdminID, State: string(b.State), AllOrNone: b.AllOrNone,
		Done: b.Done, CreatedAt: b.CreatedAt, ConfirmedAt: b.ConfirmedAt, ClaimedUntil: b.ClaimedUntil,
	}
	if b.Key != "" {
		key := b.Key
		row.Key = &key
	}
	for _, f := range []struct {
		to *string
		v  any
	}{{&row.Rows, b.Rows}, {&row.Lines, b.Lines}, {&row.Outcomes, b.Outcomes}} {
		j, err := json.Marshal(f.v)
		if err != nil {
			return nil, fmt.Errorf("store: batch: %w", err)
		}
		*f.to = string(j)
	}
	return row, nil
}

func batchFromRow(r *batchRow) (*invite.Batch, error) {
	b := &invite.Batch{
		ID: r.ID, CompanyID: r.CompanyID, AdminID: r.AdminID, State: invite.BatchState(r.State), AllOrNone: r.AllOrNone,
		Done: r.Done, CreatedAt: utc(r.CreatedAt), ConfirmedAt: utc(r.ConfirmedAt), ClaimedUntil: utc(r.ClaimedUntil),
	}
	if r.Key != nil {
		b.Key = *r.Key
	}
	for _, f := range []struct {
		from string
		to   any
	}{{r.Rows, &b.Rows}, {r.Lines, &b.Lines}, {r.Outcomes, &b.Outcomes}} {
		if err := json.Unmarshal([]byte(f.from), f.to); err != nil {
			return nil, translate(fmt.Errorf("batch %d: %w", r.ID, err))
		}
	}
	return b, nil
}

// CreateBatch implements invite.Store.
func (db *DB) CreateBatch(ctx context.Context, b *invite.Batch) error {
	row, err := batchToRow(b)
	if err != nil {
		return translate(err)
	}
	if _, err := db.idb().NewInsert().Model(row).Exec(ctx); err != nil {
		return translate(err)
	}
	b.ID = row.ID
	return nil
}

// Batch implements invite.Store.
func (db *DB) Batch(ctx context.Context, id int64) (*invite.Batch, error) {
	row := new(batchRow)
	if err := db.idb().NewSelect().Model(row).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, translate(notFound(err, invite.ErrBatchNotFound))
	}
	return batchFromRow(row)
}

// BatchByKey implements invite.Store.
func (db *DB) BatchByKey(ctx context.Context, adminID int64, key string) (*invite.Batch, error) {
	row := new(batchRow)
	if err := db.idb().NewSelect().Model(row).Where("admin_id = ? AND batch_key = ?", adminID, key).Scan(ctx); err != nil {
		return nil, translate(notFound(err, invite.ErrBatchNotFound))
	}
	return batchFromRow(row)
}

// UpdateBatch implements invite.Store. Its update works in the
// transaction that holds the batch's row locked.
func (db *DB) UpdateBatch(ctx context.Context, id int64, update func(*invite.Batch) error) (*invite.Batch, error) {
	var out *invite.Batch
	err := db.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		row := new(batchRow)
		if err := db.forUpdate(tx.NewSelect().Model(row).Where("id = ?", id)).Scan(ctx); err != nil {
			return notFound(err, invite.ErrBatchNotFound)
		}
		b, err := batchFromRow(row)
		if err != nil {
			return err
		}
		if err := update(b); err != nil {
			return fromCaller(err)
		}
		saved, err := batchToRow(b)
		if err != nil {
			return err
		}
		saved.ID = id
		if _, err := tx.NewUpdate().Model(saved).
			Column("state", "all_or_none", "outcomes_json", "done", "confirmed_at", "claimed_until").
			WherePK().Exec(ctx); err != nil {
			return err
		}
		out = b
		out.ID = id
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ClaimBatches implements invite.Store, as ClaimJoinRequests claims.
func (db *DB) ClaimBatches(ctx context.Context, id int64, now, leaseUntil time.Time, limit int) ([]int64, error) {
	var ids []int64
	err := db.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		ids = ids[:0]
		q := tx.NewSelect().Model((*batchRow)(nil)).Column("id").
			Where("state = ? OR (state = ? AND claimed_until <= ?)", invite.BatchQueued, invite.BatchSending, now).
			OrderExpr("id").Limit(int64(limit))
		if id != 0 {
			q.Where("id = ?", id)
		}
		if db.mysql {
			q.For("UPDATE SKIP LOCKED")
		}
		if err := q.Scan(ctx, &ids); err != nil || len(ids) == 0 {
			return err
		}
		_, err := tx.NewUpdate().Model((*batchRow)(nil)).Set("state = ?", invite.BatchSending).Set("claimed_until = ?", leaseUntil).
			Where("id IN (?)", bun.List(ids)).Exec(ctx)
		return err
	})
	if err != nil {
		return nil, err
	}
	return ids, nil
}
