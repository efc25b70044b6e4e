package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/uptrace/bun"

	"github.com/invitehq/invite/invite"
)

// batchRow is a record of invitation_batches: a batch, with its outcomes
// as JSON in Data, written whole with each chunk of the send; or, with
// State batchRowsState, the rows of the batch whose RowsID it is.
type batchRow struct {
	bun.BaseModel `bun:"table:invitation_batches"`

	ID           int64     `bun:"id,pk,autoincrement"`
	CompanyID    int64     `bun:"company_id"`
	AdminID      int64     `bun:"admin_id"`
	Key          *string   `bun:"batch_key"`
	State        string    `bun:"state"`
	AllOrNone    bool      `bun:"all_or_none"`
	Done         int       `bun:"done"`
	RowsID       int64     `bun:"rows_id,nullzero"`
	CreatedAt    time.Time `bun:"created_at"`
	ConfirmedAt  time.Time `bun:"confirmed_at,nullzero"`
	ClaimedUntil time.Time `bun:"claimed_until,nullzero"`
	Data         string    `bun:"data"`
}

// batchRowsState is the state of the record of a batch's rows.
const batchRowsState = "rows"

// batchRows is the Data of a batch's rows.
type batchRows struct {
	Rows  []invite.InvitationInput `json:"rows"`
	Lines []int                    `json:"lines,omitempty"`
}

func batchFromRow(r *batchRow, rows *batchRows) (*invite.Batch, error) {
	b := &invite.Batch{
		ID: r.ID, CompanyID: r.CompanyID, AdminID: r.AdminID, State: invite.BatchState(r.State), AllOrNone: r.AllOrNone,
		Done: r.Done, CreatedAt: utc(r.CreatedAt), ConfirmedAt: utc(r.ConfirmedAt), ClaimedUntil: utc(r.ClaimedUntil),
	}
	if r.Key != nil {
		b.Key = *r.Key
	}
	if rows != nil {
		b.Rows, b.Lines = rows.Rows, rows.Lines
	}
	var err error
	if b.Outcomes, err = decodeOutcomes([]byte(r.Data)); err != nil {
		return nil, translate(fmt.Errorf("batch %d: %w", r.ID, err))
	}
	return b, nil
}

// CreateBatch implements invite.Store.
func (db *DB) CreateBatch(ctx context.Context, b *invite.Batch) error {
	rows, err := json.Marshal(batchRows{Rows: b.Rows, Lines: b.Lines})
	if err != nil {
		return translate(err)
	}
	outcomes, err := encodeOutcomes(b.Outcomes)
	if err != nil {
		return translate(err)
	}
	return db.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		rr := &batchRow{CompanyID: b.CompanyID, AdminID: b.AdminID, State: batchRowsState, CreatedAt: b.CreatedAt, Data: string(rows)}
		if _, err := tx.NewInsert().Model(rr).Exec(ctx); err != nil {
			return err
		}
		row := &batchRow{
			CompanyID: b.CompanyID, AdminID: b.AdminID, State: string(b.State), AllOrNone: b.AllOrNone, Done: b.Done, RowsID: rr.ID,
			CreatedAt: b.CreatedAt, ConfirmedAt: b.ConfirmedAt, ClaimedUntil: b.ClaimedUntil, Data: string(outcomes),
		}
		if b.Key != "" {
			key := b.Key
			row.Key = &key
		}
		if _, err := tx.NewInsert().Model(row).Exec(ctx); err != nil {
			return err
		}
		b.ID = row.ID
		return nil
	})
}

// Batch implements invite.Store.
func (db *DB) Batch(ctx context.Context, id int64) (*invite.Batch, error) {
	return db.batchWhere(ctx, "id = ?", id)
}

// BatchByKey implements invite.Store.
func (db *DB) BatchByKey(ctx context.Context, adminID int64, key string) (*invite.Batch, error) {
	return db.batchWhere(ctx, "admin_id = ? AND batch_key = ?", adminID, key)
}

// batchWhere returns the batch that where selects, with its rows.
func (db *DB) batchWhere(ctx context.Context, where string, args ...any) (*invite.Batch, error) {
	row := new(batchRow)
	if err := db.idb().NewSelect().Model(row).Where(where, args...).Where("state <> ?", batchRowsState).Scan(ctx); err != nil {
		return nil, translate(notFound(err, invite.ErrBatchNotFound))
	}
	var data string
	if err := db.idb().NewSelect().Model((*batchRow)(nil)).Column("data").Where("id = ?", row.RowsID).Scan(ctx, &data); err != nil {
		return nil, translate(err)
	}
	var rows batchRows
	if err := json.Unmarshal([]byte(data), &rows); err != nil {
		return nil, translate(fmt.Errorf("batch %d: %w", row.ID, err))
	}
	return batchFromRow(row, &rows)
}

// UpdateBatch implements invite.Store. Its update works in the
// transaction that holds the batch's record locked.
func (db *DB) UpdateBatch(ctx context.Context, id int64, update func(*invite.Batch) error) (*invite.Batch, error) {
	var out *invite.Batch
	err := db.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		row := new(batchRow)
		q := tx.NewSelect().Model(row).Where("id = ? AND state <> ?", id, batchRowsState)
		if err := db.forUpdate(q).Scan(ctx); err != nil {
			return notFound(err, invite.ErrBatchNotFound)
		}
		b, err := batchFromRow(row, nil)
		if err != nil {
			return err
		}
		if err := update(b); err != nil {
			return fromCaller(err)
		}
		outcomes, err := encodeOutcomes(b.Outcomes)
		if err != nil {
			return fmt.Errorf("store: batch: %w", err)
		}
		saved := &batchRow{ID: id, State: string(b.State), AllOrNone: b.AllOrNone, Data: string(outcomes), Done: b.Done,
			ConfirmedAt: b.ConfirmedAt, ClaimedUntil: b.ClaimedUntil}
		if _, err := tx.NewUpdate().Model(saved).
			Column("state", "all_or_none", "data", "done", "confirmed_at", "claimed_until").
			WherePK().Exec(ctx); err != nil {
			return err
		}
		out = b
		out.ID = id
		out.Rows, out.Lines = nil, nil
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

// Batches implements invite.Store.
func (db *DB) Batches(ctx context.Context, companyID int64, limit int) ([]*invite.Batch, error) {
	var rows []*batchRow
	q := db.idb().NewSelect().Model(&rows).Where("state <> ?", batchRowsState).OrderExpr("id DESC").Limit(int64(limit))
	if companyID != 0 {
		q.Where("company_id = ?", companyID)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, translate(err)
	}
	out := make([]*invite.Batch, len(rows))
	for i, r := range rows {
		b, err := batchFromRow(r, nil)
		if err != nil {
			return nil, err
		}
		out[i] = b
	}
	return out, nil
}

// encodeOutcomes writes outcomes as a JSON array, short, as it is written
// with each chunk of a send: a row that passed or was sent as its
// invitation's ID (0 for none), one refused as its error.
func encodeOutcomes(outs []invite.RowOutcome) ([]byte, error) {
	buf := make([]byte, 0, 8*len(outs)+2)
	buf = append(buf, '[')
	for i, o := range outs {
		if i > 0 {
			buf = append(buf, ',')
		}
		if o.Code == "" {
			buf = strconv.AppendInt(buf, o.InvitationID, 10)
			continue
		}
		j, err := json.Marshal(o)
		if err != nil {
			return nil, err
		}
		buf = append(buf, j...)
	}
	return append(buf, ']'), nil
}

// decodeOutcomes reads what encodeOutcomes wrote.
func decodeOutcomes(data []byte) ([]invite.RowOutcome, error) {
	var raw []json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, err
	}
	outs := make([]invite.RowOutcome, len(raw))
	for i, r := range raw {
		if len(r) > 0 && r[0] != '{' {
			id, err := strconv.ParseInt(string(r), 10, 64)
			if err != nil {
				return nil, err
			}
			outs[i].InvitationID = id
			continue
		}
		if err := json.Unmarshal(r, &outs[i]); err != nil {
			return nil, err
		}
	}
	return outs, nil
}
