package memstore

import (
	"context"
	"slices"
	"time"

	"github.com/invitehq/invite/invite"
)

// webhookTables are the webhooks and their outbox.
type webhookTables struct {
	hooks      table[int64, invite.Webhook]
	hookIDs    sequence
	deliveries table[int64, invite.WebhookDelivery]
	deliverIDs sequence
}

func newWebhookTables(log *journal) webhookTables {
	return webhookTables{
		hooks:      newTable[int64, invite.Webhook](log),
		hookIDs:    sequence{log: log},
		deliveries: newTable[int64, invite.WebhookDelivery](log),
		deliverIDs: sequence{log: log},
	}
}

// webhookIn returns a copy of w to keep.
func webhookIn(w *invite.Webhook) invite.Webhook {
	c := *w
	c.Kinds = slices.Clone(w.Kinds)
	c.CreatedAt, c.LastAttemptAt = utc(c.CreatedAt), utc(c.LastAttemptAt)
	return c
}

// webhookOut returns a copy of a kept webhook to give out.
func webhookOut(w invite.Webhook) *invite.Webhook {
	w.Kinds = slices.Clone(w.Kinds)
	return &w
}

// deliveryOut returns a copy of a kept delivery to give out.
func deliveryOut(d invite.WebhookDelivery) *invite.WebhookDelivery {
	d.Payload = slices.Clone(d.Payload)
	d.Webhook = nil
	return &d
}

// CreateWebhook implements invite.Store.
func (s *Store) CreateWebhook(ctx context.Context, w *invite.Webhook, check func(count int) error) error {
	return s.do(ctx, func(d *data) error {
		if _, ok := d.companies.get(w.CompanyID); !ok {
			return invite.ErrCompanyNotFound
		}
		n := len(d.webhooks.hooks.where(func(o invite.Webhook) bool { return o.CompanyID == w.CompanyID }))
		if err := check(n); err != nil {
			return err
		}
		row := webhookIn(w)
		row.ID = d.webhooks.hookIDs.next()
		d.webhooks.hooks.put(row.ID, row)
		w.ID = row.ID
		return nil
	})
}

// Webhook implements invite.Store.
func (s *Store) Webhook(ctx context.Context, id int64) (*invite.Webhook, error) {
	return query(ctx, s, func(d *data) (*invite.Webhook, error) {
		w, ok := d.webhooks.hooks.get(id)
		if !ok {
			return nil, invite.ErrWebhookNotFound
		}
		return webhookOut(w), nil
	})
}

// Webhooks implements invite.Store.
func (s *Store) Webhooks(ctx context.Context, companyIDs []int64) ([]*invite.Webhook, error) {
	return query(ctx, s, func(d *data) ([]*invite.Webhook, error) {
		ws := ordered(&d.webhooks.hooks, func(w invite.Webhook) bool { return slices.Contains(companyIDs, w.CompanyID) })
		slices.SortStableFunc(ws, func(a, b invite.Webhook) int { return int(a.CompanyID - b.CompanyID) })
		out := make([]*invite.Webhook, len(ws))
		for i, w := range ws {
			out[i] = webhookOut(w)
		}
		return out, nil
	})
}

// DeleteWebhook implements invite.Store.
func (s *Store) DeleteWebhook(ctx context.Context, id int64) error {
	return s.do(ctx, func(d *data) error {
		if _, ok := d.webhooks.hooks.get(id); !ok {
			return invite.ErrWebhookNotFound
		}
		for _, dl := range d.webhooks.deliveries.where(func(dl invite.WebhookDelivery) bool { return dl.WebhookID == id }) {
			d.webhooks.deliveries.delete(dl.ID)
		}
		d.webhooks.hooks.delete(id)
		return nil
	})
}

// EnqueueWebhookDeliveries implements invite.Store.
func (s *Store) EnqueueWebhookDeliveries(ctx context.Context, ds []*invite.WebhookDelivery) error {
	return s.do(ctx, func(d *data) error {
		ids := make([]int64, len(ds))
		for i, in := range ds {
			row := *deliveryOut(*in)
			row.ID = d.webhooks.deliverIDs.next()
			row.NextAttemptAt, row.CreatedAt, row.DeliveredAt = utc(row.NextAttemptAt), utc(row.CreatedAt), utc(row.DeliveredAt)
			ids[i] = row.ID
			d.webhooks.deliveries.put(row.ID, row)
		}
		for i, in := range ds {
			in.ID = ids[i]
		}
		return nil
	})
}

// ClaimWebhookDeliveries implements invite.Store.
func (s *Store) ClaimWebhookDeliveries(ctx context.Context, now, leaseUntil time.Time, limit int) ([]*invite.WebhookDelivery, error) {
	return query(ctx, s, func(d *data) ([]*invite.WebhookDelivery, error) {
		due := ordered(&d.webhooks.deliveries, func(dl invite.WebhookDelivery) bool {
			return (dl.State == invite.WebhookQueued || dl.State == invite.WebhookSending) && !dl.NextAttemptAt.After(now)
		})
		slices.SortStableFunc(due, func(a, b invite.WebhookDelivery) int { return a.NextAttemptAt.Compare(b.NextAttemptAt) })
		var out []*invite.WebhookDelivery
		for _, dl := range due {
			if limit > 0 && len(out) == limit {
				break
			}
			w, ok := d.webhooks.hooks.get(dl.WebhookID)
			if !ok {
				d.webhooks.deliveries.delete(dl.ID)
				continue
			}
			dl.State, dl.Attempts, dl.NextAttemptAt = invite.WebhookSending, dl.Attempts+1, utc(leaseUntil)
			d.webhooks.deliveries.put(dl.ID, dl)
			o := deliveryOut(dl)
			o.Webhook = webhookOut(w)
			out = append(out, o)
		}
		return out, nil
	})
}

// SaveWebhookDelivery implements invite.Store.
func (s *Store) SaveWebhookDelivery(ctx context.Context, dl *invite.WebhookDelivery, at time.Time) error {
	return s.do(ctx, func(d *data) error {
		row, ok := d.webhooks.deliveries.get(dl.ID)
		if !ok || row.State != invite.WebhookSending || row.Attempts != dl.Attempts {
			return nil
		}
		row.State, row.NextAttemptAt, row.LastStatus, row.LastError, row.DeliveredAt = dl.State, utc(dl.NextAttemptAt), dl.LastStatus, dl.LastError, utc(dl.DeliveredAt)
		d.webhooks.deliveries.put(row.ID, row)
		if w, ok := d.webhooks.hooks.get(row.WebhookID); ok {
			w.LastAttemptAt, w.LastStatus, w.LastError = utc(at), dl.LastStatus, dl.LastError
			d.webhooks.hooks.put(w.ID, w)
		}
		return nil
	})
}

// WebhookDeliveries implements invite.Store.
func (s *Store) WebhookDeliveries(ctx context.Context, webhookID int64, limit int) ([]*invite.WebhookDelivery, error) {
	return query(ctx, s, func(d *data) ([]*invite.WebhookDelivery, error) {
		ds := limited(ordered(&d.webhooks.deliveries, func(dl invite.WebhookDelivery) bool { return dl.WebhookID == webhookID }), limit)
		out := make([]*invite.WebhookDelivery, len(ds))
		for i, dl := range ds {
			out[i] = deliveryOut(dl)
		}
		return out, nil
	})
}

// PruneWebhookDeliveries implements invite.Store.
func (s *Store) PruneWebhookDeliveries(ctx context.Context, before time.Time, limit int) (int, error) {
	return query(ctx, s, func(d *data) (int, error) {
		old := limited(ordered(&d.webhooks.deliveries, func(dl invite.WebhookDelivery) bool {
			return (dl.State == invite.WebhookDelivered || dl.State == invite.WebhookFailed) && dl.CreatedAt.Before(before)
		}), limit)
		for _, dl := range old {
			d.webhooks.deliveries.delete(dl.ID)
		}
		return len(old), nil
	})
}
