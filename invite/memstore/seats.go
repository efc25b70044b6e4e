package memstore

import (
	"context"
	"time"

	"github.com/invitehq/invite/invite"
)

// SetSeats implements invite.Store.
func (s *Store) SetSeats(ctx context.Context, companyID, subscriptionID int64, seats int) error {
	return s.do(ctx, func(d *data) error {
		c, ok := d.companies.get(companyID)
		if !ok {
			return invite.ErrCompanyNotFound
		}
		c.Subscriptions = append([]invite.Subscription(nil), c.Subscriptions...)
		for i := range c.Subscriptions {
			if c.Subscriptions[i].ID == subscriptionID {
				c.Subscriptions[i].Seats = seats
				return d.putCompany(c)
			}
		}
		return invite.ErrCompanyNotFound
	})
}

// HoldSeats implements invite.Store. A transaction holds everything here,
// seats too.
func (s *Store) HoldSeats(ctx context.Context, companyID int64) (bool, error) {
	return query(ctx, s, func(d *data) (bool, error) {
		c, _ := d.companies.get(companyID)
		for _, sub := range c.Subscriptions {
			if sub.Seats > 0 {
				return true, nil
			}
		}
		return false, nil
	})
}

// SeatUse implements invite.Store.
func (s *Store) SeatUse(ctx context.Context, companyID int64, now time.Time) ([]invite.SeatUse, error) {
	return query(ctx, s, func(d *data) ([]invite.SeatUse, error) {
		c, ok := d.companies.get(companyID)
		if !ok {
			return nil, nil
		}
		uses := make([]invite.SeatUse, len(c.Subscriptions))
		at := make(map[int64]*invite.SeatUse, len(c.Subscriptions))
		for i, sub := range c.Subscriptions {
			uses[i].Subscription = sub
			at[sub.ID] = &uses[i]
		}
		for _, u := range d.users.rows {
			if u.CompanyID != companyID || u.Disabled() {
				continue
			}
			for _, g := range u.Grants {
				if use, ok := at[g.SubscriptionID]; ok {
					use.Used++
				}
			}
		}
		for _, inv := range d.invitations.rows {
			if inv.CompanyID != companyID || inv.Status != invite.StatusPending || !inv.ExpiresAt.After(now) {
				continue
			}
			for _, g := range inv.Grants {
				if use, ok := at[g.SubscriptionID]; ok {
					use.Pending++
				}
			}
		}
		return uses, nil
	})
}
