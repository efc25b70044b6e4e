package memstore

import (
	"context"
	"time"

	"github.com/invitehq/invite/invite"
)

// OutboxStats implements invite.Store.
func (s *Store) OutboxStats(ctx context.Context, now time.Time) (invite.OutboxStats, error) {
	return query(ctx, s, func(d *data) (invite.OutboxStats, error) {
		var st invite.OutboxStats
		for _, m := range d.messages.where(func(m invite.Message) bool {
			return m.State == invite.DeliveryQueued || m.State == invite.DeliverySending
		}) {
			st.Depth++
			if !m.NextAttemptAt.After(now) && (st.OldestDue.IsZero() || m.NextAttemptAt.Before(st.OldestDue)) {
				st.OldestDue = m.NextAttemptAt
			}
		}
		return st, nil
	})
}
