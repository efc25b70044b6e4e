package store

import (
	"context"
	"encoding/json"
	"slices"
	"time"

	"github.com/uptrace/bun"

	"github.com/invitehq/invite/invite"
)

// eventRow is a row of events (migration 0032).
type eventRow struct {
	bun.BaseModel `bun:"table:events"`

	ID         int64     `bun:"id,pk,autoincrement"`
	OccurredAt time.Time `bun:"occurred_at"`
	Kind       string    `bun:"kind"`
	CompanyID  int64     `bun:"company_id"`
	Actor      string    `bun:"actor"`
	ActorID    int64     `bun:"actor_id"`
	ActorEmail string    `bun:"actor_email"`
	Subject    string    `bun:"subject"`
	SubjectID  int64     `bun:"subject_id"`
	Email      string    `bun:"email"`
	Detail     *string   `bun:"detail"`
}

func eventToRow(e *invite.Event) *eventRow {
	r := &eventRow{
		ID:         e.ID,
		OccurredAt: e.At.UTC(),
		Kind:       string(e.Kind),
		CompanyID:  e.CompanyID,
		Actor:      string(e.Actor),
		ActorID:    e.ActorID,
		ActorEmail: e.ActorEmail,
		Subject:    string(e.Subject),
		SubjectID:  e.SubjectID,
		Email:      e.Email,
	}
	if len(e.Detail) > 0 {
		d := string(e.Detail)
		r.Detail = &d
	}
	return r
}

func eventFromRow(r *eventRow) *invite.Event {
	e := &invite.Event{
		ID:         r.ID,
		At:         r.OccurredAt.UTC(),
		Kind:       invite.EventKind(r.Kind),
		CompanyID:  r.CompanyID,
		Actor:      invite.ActorKind(r.Actor),
		ActorID:    r.ActorID,
		ActorEmail: r.ActorEmail,
		Subject:    invite.SubjectKind(r.Subject),
		SubjectID:  r.SubjectID,
		Email:      r.Email,
	}
	if r.Detail != nil {
		e.Detail = json.RawMessage(*r.Detail)
	}
	return e
}

// appendChunk bounds the rows of one INSERT of events.
const appendChunk = 500

// AppendEvents implements invite.Store: one INSERT for every 500 of evs.
func (db *DB) AppendEvents(ctx context.Context, evs []*invite.Event) error {
	if len(evs) == 0 {
		return nil
	}
	rows := make([]*eventRow, len(evs))
	for i, e := range evs {
		rows[i] = eventToRow(e)
		rows[i].ID = 0
	}
	err := db.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		for _, r := range rows { // from the start, if run again
			r.ID = 0
		}
		// One statement for the events of a change: SQLite and MariaDB
		// return each row's ID (RETURNING, which bun's MySQL dialect
		// writes too; MySQL 8 lacks it, as every insert here needs). A
		// batch's thousands go in parts, well within a packet.
		for part := range slices.Chunk(rows, appendChunk) {
			if _, err := tx.NewInsert().Model(&part).Exec(ctx); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for i, e := range evs {
		e.ID = rows[i].ID
	}
	return nil
}

// Events implements invite.Store.
func (db *DB) Events(ctx context.Context, q invite.EventQuery) ([]*invite.Event, error) {
	var rows []*eventRow
	sel := db.idb().NewSelect().Model(&rows)
	if q.CompanyID != 0 {
		sel.Where("company_id = ?", q.CompanyID)
	}
	if q.Subject != "" {
		sel.Where("subject = ? AND subject_id = ?", q.Subject, q.SubjectID)
	}
	if len(q.Kinds) > 0 {
		sel.Where("kind IN (?)", bun.List(q.Kinds))
	}
	if !q.From.IsZero() {
		sel.Where("occurred_at >= ?", q.From.UTC())
	}
	if !q.Until.IsZero() {
		sel.Where("occurred_at < ?", q.Until.UTC())
	}
	if q.After > 0 {
		sel.Where("id > ?", q.After)
	}
	sel.Order("id")
	if q.Limit > 0 {
		sel.Limit(int64(q.Limit))
	}
	if err := sel.Scan(ctx); err != nil {
		return nil, translate(err)
	}
	evs := make([]*invite.Event, len(rows))
	for i, r := range rows {
		evs[i] = eventFromRow(r)
	}
	return evs, nil
}

// PruneEvents implements invite.Store: the oldest first (pruneByID).
func (db *DB) PruneEvents(ctx context.Context, before time.Time, limit int) (int, error) {
	return db.pruneByID(ctx, (*eventRow)(nil), limit, func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("occurred_at < ?", before.UTC()).OrderExpr("occurred_at, id")
	})
}

// pruneByID deletes at most limit rows of model's table (0: every one)
// that match selects, in its order: it reads their IDs and deletes by
// them, so that the DELETE locks those rows only and concurrent prunes and
// inserts go on. It returns how many it deleted.
func (db *DB) pruneByID(ctx context.Context, model any, limit int, selects func(*bun.SelectQuery) *bun.SelectQuery) (int, error) {
	var n int
	err := db.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		n = 0
		var ids []int64
		sel := selects(tx.NewSelect().Model(model).Column("id"))
		if limit > 0 {
			sel.Limit(int64(limit))
		}
		if err := sel.Scan(ctx, &ids); err != nil || len(ids) == 0 {
			return err
		}
		res, err := tx.NewDelete().Model(model).Where("id IN (?)", bun.List(ids)).Exec(ctx)
		if err != nil {
			return err
		}
		m, err := res.RowsAffected()
		n = int(m)
		return err
	})
	return n, err
}
