package invite

import (
	"context"
	"fmt"
	"time"
)

// MaxSeats bounds the seats of one subscription.
const MaxSeats = 10_000_000

// ReasonNoSeats is the field error of a grant of a subscription whose
// seats are all taken. Its Args are Subscription (the name), Seats, Used
// and Pending.
const ReasonNoSeats = "no_seats"

// ErrNoSeats is returned when what was asked would take a seat of a
// subscription that has none free; its Fields name the subscriptions, as
// grants[i].subscription with ReasonNoSeats.
var ErrNoSeats = &Error{Code: CodeConflict, Reason: "no_seats", Message: "A subscription has no free seat."}

// SeatUse is how many of a subscription's seats are taken: by its users who
// are enabled, and by the invitations that grant it and are pending now.
// An invitation takes its seats when it is sent; accepting it passes them
// to the user it makes.
type SeatUse struct {
	Subscription Subscription
	Used         int // enabled users who hold the subscription
	Pending      int // invitations pending now that grant it
}

// Limited reports whether the subscription has a number of seats.
func (u SeatUse) Limited() bool { return u.Subscription.Seats > 0 }

// Free returns how many seats are free: never less than 0, and -1 when the
// subscription has no bound.
func (u SeatUse) Free() int {
	if !u.Limited() {
		return -1
	}
	return max(0, u.Subscription.Seats-u.Used-u.Pending)
}

// Seats returns the use of each subscription of a company that the acting
// administrator administers, in the order the subscriptions were
// registered.
func (s *Service) Seats(ctx context.Context, companyID int64) ([]SeatUse, error) {
	u, err := s.admin(ctx)
	if err != nil {
		return nil, err
	}
	if companyID == 0 {
		companyID = u.CompanyID
	}
	if !administers(u, companyID) {
		return nil, ErrCompanyNotFound
	}
	return s.st().SeatUse(ctx, companyID, s.clock())
}

// SetSeats sets how many seats a subscription of a company has, 0 for no
// bound. Only a Global Administrator may: seats are what the company has
// bought. Fewer seats than are taken is allowed (nobody loses a seat); no
// more are given until enough are free.
func (s *Service) SetSeats(ctx context.Context, companyID, subscriptionID int64, seats int) error {
	u, err := s.admin(ctx)
	if err != nil {
		return err
	}
	if u.AdminLevel != AdminGlobal {
		return ErrForbidden
	}
	c, err := s.st().Company(ctx, companyID)
	if err != nil {
		return err
	}
	var v validator
	if _, ok := c.Subscription(subscriptionID); !ok {
		v.add("subscription", ReasonUnknownSubscription, "is not a subscription of the company")
	}
	if seats < 0 || seats > MaxSeats {
		v.addArgs("seats", ReasonOutOfRange, map[string]any{"Min": 0, "Max": MaxSeats}, "must be from %d to %d", 0, MaxSeats)
	}
	if err := v.err(); err != nil {
		return err
	}
	d := map[string]any{"subscription": subscriptionID, "seats": seats}
	err = s.changeCompany(ctx, u, companyID, "seats", d, func(tx *Service) error {
		return tx.st().SetSeats(ctx, companyID, subscriptionID, seats)
	})
	if err != nil {
		return err
	}
	s.logger.Info("seats set", "company", companyID, "subscription", subscriptionID, "seats", seats, "admin", u.ID)
	return nil
}

// seatBook is what a transaction that takes seats knows of a company's
// limited subscriptions: their use as it was when the transaction held
// them, plus what it has taken since.
type seatBook map[int64]*SeatUse

// holdSeats holds the seats of the company's subscriptions for the rest of
// the transaction (Store.HoldSeats) and returns their use; a nil book when
// the company has no limited subscription. It must run within inTx,
// before the transaction locks an invitation or a user: seats come first.
func (s *Service) holdSeats(ctx context.Context, companyID int64) (seatBook, error) {
	limited, err := s.st().HoldSeats(ctx, companyID)
	if err != nil || !limited {
		return nil, err
	}
	uses, err := s.st().SeatUse(ctx, companyID, s.clock())
	if err != nil {
		return nil, err
	}
	b := make(seatBook, len(uses))
	for i := range uses {
		if uses[i].Limited() {
			b[uses[i].Subscription.ID] = &uses[i]
		}
	}
	return b, nil
}

// limitsSeats reports whether any subscription of c has a number of seats.
func limitsSeats(c *Company) bool {
	for _, s := range c.Subscriptions {
		if s.Seats > 0 {
			return true
		}
	}
	return false
}

// seatTaker tells what a seat is taken for: an invitation sent, which
// counts as pending, or a user, who counts as used.
type seatTaker bool

const (
	forInvitation seatTaker = false
	forUser       seatTaker = true
)

// take takes a seat, for an invitation or a user, in each limited
// subscription that grants names and held does not (held: what the same
// invitation or user holds already and keeps), or fails with ErrNoSeats
// naming every full one, taking none.
func (b seatBook) take(grants, held []Grant, taker seatTaker) error {
	var v validator
	var want []*SeatUse
	for i, g := range grants {
		u, ok := b[g.SubscriptionID]
		if !ok || holds(held, g.SubscriptionID) {
			continue
		}
		if u.Used+u.Pending >= u.Subscription.Seats {
			v.noSeat(i, u)
			continue
		}
		want = append(want, u)
	}
	if err := v.noSeats(); err != nil {
		return err
	}
	for _, u := range want {
		if taker == forUser {
			u.Used++
		} else {
			u.Pending++
		}
	}
	return nil
}

// pass passes an invitation's seats to the user who accepts it: a user
// takes a seat where used ones leave room, whatever is pending (the
// invitation accepted is among those). Seats reduced below what was sent
// are taken in the order invitations are accepted.
func (b seatBook) pass(grants []Grant) error {
	var v validator
	for i, g := range grants {
		u, ok := b[g.SubscriptionID]
		if ok && u.Used >= u.Subscription.Seats {
			v.noSeat(i, u)
		}
	}
	return v.noSeats()
}

// noSeat adds the error of the i-th grant, whose subscription's seats u
// tells are all taken.
func (v *validator) noSeat(i int, u *SeatUse) {
	v.addArgs(fmt.Sprintf("grants[%d].subscription", i), ReasonNoSeats, map[string]any{
		"Subscription": u.Subscription.Name, "Seats": u.Subscription.Seats, "Used": u.Used, "Pending": u.Pending,
	}, "%s: %d of %d seats used, %d pending", u.Subscription.Name, u.Used, u.Subscription.Seats, u.Pending)
}

// noSeats returns ErrNoSeats with the errors noSeat added, if any.
func (v *validator) noSeats() error {
	if len(v.fields) == 0 {
		return nil
	}
	e := *ErrNoSeats
	e.Fields = v.fields
	return &e
}

// holds reports whether grants name the subscription.
func holds(grants []Grant, subscriptionID int64) bool {
	for _, g := range grants {
		if g.SubscriptionID == subscriptionID {
			return true
		}
	}
	return false
}

// pendingSeats returns the grants whose seats inv holds at now: all of
// them while it is pending, none otherwise.
func pendingSeats(inv *Invitation, now time.Time) []Grant {
	if inv.StatusAt(now) == StatusPending {
		return inv.Grants
	}
	return nil
}
