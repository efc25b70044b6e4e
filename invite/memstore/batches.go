package memstore

import (
	"context"
	"slices"
	"time"

	"github.com/invitehq/invite/invite"
)

// batchCopy returns a copy of b that shares nothing changeable with it.
func batchCopy(b *invite.Batch) invite.Batch {
	c := *b
	c.Rows = make([]invite.InvitationInput, len(b.Rows))
	for i, in := range b.Rows {
		in.Grants = grantsIn(in.Grants)
		c.Rows[i] = in
	}
	c.Lines = slices.Clone(b.Lines)
	c.Outcomes = make([]invite.RowOutcome, len(b.Outcomes))
	for i, o := range b.Outcomes {
		o.Fields = slices.Clone(o.Fields)
		c.Outcomes[i] = o
	}
	c.CreatedAt, c.ConfirmedAt, c.ClaimedUntil = utc(b.CreatedAt), utc(b.ConfirmedAt), utc(b.ClaimedUntil)
	return c
}

// putBatch stores b. A batch of the same administrator with the same
// non-empty key is ErrBatchExists.
func (d *data) putBatch(b invite.Batch) error {
	for _, o := range d.batches.rows {
		if o.ID != b.ID && b.Key != "" && o.AdminID == b.AdminID && o.Key == b.Key {
			return invite.ErrBatchExists
		}
	}
	if _, ok := d.companies.get(b.CompanyID); !ok {
		return errInternal("batch %d: no company %d", b.ID, b.CompanyID)
	}
	d.batches.put(b.ID, b)
	return nil
}

// CreateBatch implements invite.Store.
func (s *Store) CreateBatch(ctx context.Context, b *invite.Batch) error {
	id, err := query(ctx, s, func(d *data) (int64, error) {
		row := batchCopy(b)
		row.ID = d.batchIDs.next()
		return row.ID, d.putBatch(row)
	})
	if err == nil {
		b.ID = id
	}
	return err
}

// Batch implements invite.Store.
func (s *Store) Batch(ctx context.Context, id int64) (*invite.Batch, error) {
	return query(ctx, s, func(d *data) (*invite.Batch, error) {
		b, ok := d.batches.get(id)
		if !ok {
			return nil, invite.ErrBatchNotFound
		}
		c := batchCopy(&b)
		return &c, nil
	})
}

// BatchByKey implements invite.Store.
func (s *Store) BatchByKey(ctx context.Context, adminID int64, key string) (*invite.Batch, error) {
	return query(ctx, s, func(d *data) (*invite.Batch, error) {
		for _, b := range d.batches.rows {
			if key != "" && b.AdminID == adminID && b.Key == key {
				c := batchCopy(&b)
				return &c, nil
			}
		}
		return nil, invite.ErrBatchNotFound
	})
}

// UpdateBatch implements invite.Store. The rows, company, administrator
// and key of a batch never change.
func (s *Store) UpdateBatch(ctx context.Context, id int64, update func(*invite.Batch) error) (*invite.Batch, error) {
	return query(ctx, s, func(d *data) (*invite.Batch, error) {
		row, ok := d.batches.get(id)
		if !ok {
			return nil, invite.ErrBatchNotFound
		}
		b := batchCopy(&row)
		b.Rows, b.Lines = nil, nil // as package store: they never change
		if err := update(&b); err != nil {
			return nil, err
		}
		saved := batchCopy(&b)
		row.State, row.AllOrNone, row.Outcomes, row.Done = saved.State, saved.AllOrNone, saved.Outcomes, saved.Done
		row.ConfirmedAt, row.ClaimedUntil = saved.ConfirmedAt, saved.ClaimedUntil
		if err := d.putBatch(row); err != nil {
			return nil, err
		}
		out := batchCopy(&row)
		out.Rows, out.Lines = nil, nil
		return &out, nil
	})
}

// ClaimBatches implements invite.Store.
func (s *Store) ClaimBatches(ctx context.Context, id int64, now, leaseUntil time.Time, limit int) ([]int64, error) {
	return query(ctx, s, func(d *data) ([]int64, error) {
		bs := limited(ordered(&d.batches, func(b invite.Batch) bool {
			return (id == 0 || b.ID == id) &&
				(b.State == invite.BatchQueued || b.State == invite.BatchSending && !b.ClaimedUntil.After(now))
		}), limit)
		ids := make([]int64, len(bs))
		for i, b := range bs {
			b.State, b.ClaimedUntil = invite.BatchSending, utc(leaseUntil)
			if err := d.putBatch(b); err != nil {
				return nil, err
			}
			ids[i] = b.ID
		}
		return ids, nil
	})
}

// Batches implements invite.Store.
func (s *Store) Batches(ctx context.Context, companyID int64, limit int) ([]*invite.Batch, error) {
	return query(ctx, s, func(d *data) ([]*invite.Batch, error) {
		bs := ordered(&d.batches, func(b invite.Batch) bool { return companyID == 0 || b.CompanyID == companyID })
		slices.Reverse(bs)
		bs = limited(bs, limit)
		out := make([]*invite.Batch, len(bs))
		for i := range bs {
			c := batchCopy(&bs[i])
			c.Rows, c.Lines = nil, nil
			out[i] = &c
		}
		return out, nil
	})
}
