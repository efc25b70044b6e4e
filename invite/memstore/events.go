package memstore

import (
	"context"
	"slices"
	"time"

	"github.com/invitehq/invite/invite"
)

// AppendEvents implements invite.Store.
func (s *Store) AppendEvents(ctx context.Context, evs []*invite.Event) error {
	return s.do(ctx, func(d *data) error {
		ids := make([]int64, len(evs))
		for i, e := range evs {
			row := *e
			row.ID = d.eventIDs.next()
			row.At = utc(row.At)
			row.Detail = slices.Clone(row.Detail)
			ids[i] = row.ID
			d.events.put(row.ID, row)
		}
		for i, e := range evs {
			e.ID = ids[i]
		}
		return nil
	})
}

// Events implements invite.Store.
func (s *Store) Events(ctx context.Context, q invite.EventQuery) ([]*invite.Event, error) {
	return query(ctx, s, func(d *data) ([]*invite.Event, error) {
		evs := ordered(&d.events, func(e invite.Event) bool {
			return (q.CompanyID == 0 || e.CompanyID == q.CompanyID) &&
				(q.Subject == "" || e.Subject == q.Subject && e.SubjectID == q.SubjectID) &&
				(len(q.Kinds) == 0 || slices.Contains(q.Kinds, e.Kind)) &&
				(q.From.IsZero() || !e.At.Before(q.From)) &&
				(q.Until.IsZero() || e.At.Before(q.Until)) &&
				e.ID > q.After
		})
		evs = limited(evs, q.Limit)
		out := make([]*invite.Event, len(evs))
		for i := range evs {
			e := evs[i]
			e.Detail = slices.Clone(e.Detail)
			out[i] = &e
		}
		return out, nil
	})
}

// PruneEvents implements invite.Store.
func (s *Store) PruneEvents(ctx context.Context, before time.Time, limit int) (int, error) {
	return query(ctx, s, func(d *data) (int, error) {
		old := d.events.where(func(e invite.Event) bool { return e.At.Before(before) })
		slices.SortFunc(old, func(a, b invite.Event) int {
			if c := a.At.Compare(b.At); c != 0 {
				return c
			}
			return int(a.ID - b.ID)
		})
		old = limited(old, limit)
		for _, e := range old {
			d.events.delete(e.ID)
		}
		return len(old), nil
	})
}
