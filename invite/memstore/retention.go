package memstore

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/invitehq/invite/invite"
)

// PruneMessages implements invite.Store.
func (s *Store) PruneMessages(ctx context.Context, before time.Time, limit int) (int, error) {
	return query(ctx, s, func(d *data) (int, error) {
		latest := make(map[int64]int64) // the latest message of each invitation
		for _, m := range d.messages.rows {
			if m.InvitationID != 0 && m.ID > latest[m.InvitationID] {
				latest[m.InvitationID] = m.ID
			}
		}
		old := d.messages.where(func(m invite.Message) bool {
			if m.State != invite.DeliverySent && m.State != invite.DeliveryFailed || !m.CreatedAt.Before(before) {
				return false
			}
			if m.InvitationID == 0 || latest[m.InvitationID] != m.ID {
				return true
			}
			inv, ok := d.invitations.get(m.InvitationID)
			return !ok || inv.Status != invite.StatusPending
		})
		slices.SortFunc(old, func(a, b invite.Message) int {
			if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
				return c
			}
			return cmp.Compare(a.ID, b.ID)
		})
		old = limited(old, limit)
		for _, m := range old {
			d.messages.delete(m.ID)
		}
		return len(old), nil
	})
}

// PruneBatches implements invite.Store.
func (s *Store) PruneBatches(ctx context.Context, before time.Time, limit int) (int, error) {
	return query(ctx, s, func(d *data) (int, error) {
		old := d.batches.where(func(b invite.Batch) bool {
			return b.State == invite.BatchChecked && b.CreatedAt.Before(before)
		})
		slices.SortFunc(old, func(a, b invite.Batch) int { return cmp.Compare(a.ID, b.ID) })
		old = limited(old, limit)
		for _, b := range old {
			d.batches.delete(b.ID)
		}
		return len(old), nil
	})
}
