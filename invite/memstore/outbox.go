package memstore

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/invitehq/invite/invite"
)

// insertMessage stores m as a new message and returns its ID.
func (d *data) insertMessage(m invite.Message) (int64, error) {
	m.ID = d.messageIDs.next()
	return m.ID, d.putMessage(m)
}

// insertMessages stores msgs as new messages and sets their IDs once all
// are stored.
func (d *data) insertMessages(msgs []*invite.Message) error {
	ids := make([]int64, len(msgs))
	for i, m := range msgs {
		var err error
		if ids[i], err = d.insertMessage(messageIn(m)); err != nil {
			return err
		}
	}
	for i, m := range msgs {
		m.ID = ids[i]
	}
	return nil
}

// Enqueue implements invite.Store.
func (s *Store) Enqueue(ctx context.Context, msgs []*invite.Message) error {
	return s.do(ctx, func(d *data) error { return d.insertMessages(msgs) })
}

// ClaimMessages implements invite.Store.
func (s *Store) ClaimMessages(ctx context.Context, now, leaseUntil time.Time, limit int) ([]*invite.Message, error) {
	return query(ctx, s, func(d *data) ([]*invite.Message, error) {
		due := ordered(&d.messages, func(m invite.Message) bool {
			return (m.State == invite.DeliveryQueued || m.State == invite.DeliverySending) && !m.NextAttemptAt.After(now)
		})
		slices.SortStableFunc(due, func(a, b invite.Message) int {
			if a.Bulk != b.Bulk { // the messages that are not bulk first
				if b.Bulk {
					return -1
				}
				return 1
			}
			return a.NextAttemptAt.Compare(b.NextAttemptAt)
		})
		due = limited(due, limit)
		for i := range due {
			m := &due[i]
			m.State, m.Attempts, m.NextAttemptAt = invite.DeliverySending, m.Attempts+1, utc(leaseUntil)
			if err := d.putMessage(*m); err != nil {
				return nil, err
			}
		}
		return messagesOut(due), nil
	})
}

// SaveDelivery implements invite.Store. The message has been claimed again
// since if it is no longer sending or its attempts have been counted
// again.
func (s *Store) SaveDelivery(ctx context.Context, m *invite.Message) error {
	return s.do(ctx, func(d *data) error {
		row, ok := d.messages.get(m.ID)
		if !ok || row.State != invite.DeliverySending || row.Attempts != m.Attempts {
			return nil
		}
		in := messageIn(m)
		row.State, row.NextAttemptAt, row.LastError, row.SentAt = in.State, in.NextAttemptAt, in.LastError, in.SentAt
		row.Text, row.HTML = in.Text, in.HTML
		return d.putMessage(row)
	})
}

// Messages implements invite.Store.
func (s *Store) Messages(ctx context.Context, q invite.MessageQuery) ([]*invite.Message, error) {
	return query(ctx, s, func(d *data) ([]*invite.Message, error) {
		ms := d.messages.where(func(m invite.Message) bool {
			return (q.CompanyID == 0 || m.CompanyID == q.CompanyID) && (q.Before == 0 || m.ID < q.Before)
		})
		slices.SortFunc(ms, func(a, b invite.Message) int { return cmp.Compare(b.ID, a.ID) })
		return messagesOut(limited(ms, q.Limit)), nil
	})
}

// Message implements invite.Store.
func (s *Store) Message(ctx context.Context, id int64) (*invite.Message, error) {
	return query(ctx, s, func(d *data) (*invite.Message, error) {
		m, ok := d.messages.get(id)
		if !ok {
			return nil, invite.ErrMessageNotFound
		}
		return &m, nil
	})
}

// MailTemplates implements invite.Store.
func (s *Store) MailTemplates(ctx context.Context, companyID int64) (map[string]invite.Template, error) {
	return query(ctx, s, func(d *data) (map[string]invite.Template, error) {
		ts := make(map[string]invite.Template)
		for k, t := range d.templates.rows {
			if k.companyID == companyID {
				ts[k.lang] = t
			}
		}
		return ts, nil
	})
}

// SetMailTemplate implements invite.Store. When it was saved is not kept:
// nothing reads it.
func (s *Store) SetMailTemplate(ctx context.Context, companyID int64, lang string, t invite.Template, _ time.Time) error {
	return s.do(ctx, func(d *data) error {
		k := templateKey{companyID, lang}
		if t.IsZero() {
			d.templates.delete(k)
			return nil
		}
		return d.putTemplate(k, t)
	})
}
