package store

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/invitehq/invite/invite"
)

// SetSeats implements invite.Store.
func (db *DB) SetSeats(ctx context.Context, companyID, subscriptionID int64, seats int) error {
	return db.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewUpdate().Table("subscriptions").
			Set("seats = ?", seats).
			Set("seats_held = seats_held + 1").
			Where("company_id = ? AND id = ?", companyID, subscriptionID).
			Exec(ctx)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return fromCaller(invite.ErrCompanyNotFound)
		}
		return nil
	})
}

// HoldSeats implements invite.Store. Within InTx it writes to the rows of
// the company's subscriptions that have seats: the write locks them until
// the transaction ends, and on Galera it is what certification sees (a
// locking read on another node is not), so that of two transactions that
// took seats on two nodes the later one to commit is refused and run again.
func (db *DB) HoldSeats(ctx context.Context, companyID int64) (bool, error) {
	if db.tx == nil {
		n, err := db.idb().NewSelect().Table("subscriptions").
			Where("company_id = ? AND seats > 0", companyID).Count(ctx)
		return n > 0, translate(err)
	}
	var held bool
	err := db.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewUpdate().Table("subscriptions").
			Set("seats_held = seats_held + 1").
			Where("company_id = ? AND seats > 0", companyID).
			Exec(ctx)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		held = n > 0
		return err
	})
	return held, err
}

// seatUseQuery counts, for each subscription of a company, the enabled
// users who hold it and the invitations pending as stored that expire
// after a time and grant it. Pending invitations are found through the
// unique index on (company_id, pending_email), which holds only them.
const seatUseQuery = `
SELECT s.id, s.name, s.seats,
  (SELECT COUNT(*) FROM user_subscriptions AS g JOIN users AS u ON u.id = g.user_id
    WHERE g.company_id = s.company_id AND g.subscription_id = s.id AND u.disabled_at IS NULL) AS used,
  (SELECT COUNT(*) FROM invitations AS i JOIN invitation_subscriptions AS ig ON ig.invitation_id = i.id
    WHERE i.company_id = s.company_id AND i.pending_email IS NOT NULL AND i.expires_at > ? AND ig.subscription_id = s.id) AS pending
FROM subscriptions AS s WHERE s.company_id = ? ORDER BY s.id`

// SeatUse implements invite.Store.
func (db *DB) SeatUse(ctx context.Context, companyID int64, now time.Time) ([]invite.SeatUse, error) {
	var rows []struct {
		ID      int64  `bun:"id"`
		Name    string `bun:"name"`
		Seats   int    `bun:"seats"`
		Used    int    `bun:"used"`
		Pending int    `bun:"pending"`
	}
	if err := db.idb().NewRaw(seatUseQuery, now.UTC(), companyID).Scan(ctx, &rows); err != nil {
		return nil, translate(err)
	}
	uses := make([]invite.SeatUse, len(rows))
	for i, r := range rows {
		uses[i] = invite.SeatUse{
			Subscription: invite.Subscription{ID: r.ID, CompanyID: companyID, Name: r.Name, Seats: r.Seats},
			Used:         r.Used,
			Pending:      r.Pending,
		}
	}
	return uses, nil
}
