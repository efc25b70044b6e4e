package memstore

import (
	"context"
	"time"

	"github.com/invitehq/invite/invite"
)

// EndedAccess implements invite.Store.
func (s *Store) EndedAccess(ctx context.Context, now time.Time, after int64, limit int) ([]*invite.User, error) {
	return query(ctx, s, func(d *data) ([]*invite.User, error) {
		us := ordered(&d.users, func(u invite.User) bool {
			return u.ID > after && !u.Disabled() && !u.AccessUntil.IsZero() && !u.AccessUntil.After(now)
		})
		return usersOut(limited(us, limit)), nil
	})
}
