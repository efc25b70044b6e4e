package invite

import (
	"crypto/subtle"
	"errors"
	"time"
)

// Status is where an invitation is in its lifecycle.
type Status string

// The statuses. Accepted and Canceled are final.
const (
	StatusPending  Status = "pending"
	StatusAccepted Status = "accepted"
	StatusExpired  Status = "expired"
	StatusCanceled Status = "canceled"
)

// Statuses lists every status in lifecycle order.
func Statuses() []Status {
	return []Status{StatusPending, StatusAccepted, StatusExpired, StatusCanceled}
}

// Valid reports whether s is one of the defined statuses.
func (s Status) Valid() bool {
	switch s {
	case StatusPending, StatusAccepted, StatusExpired, StatusCanceled:
		return true
	}
	return false
}

// Final reports whether no transition leaves s.
func (s Status) Final() bool { return s == StatusAccepted || s == StatusCanceled }

// CanTransition reports whether the state machine allows from -> to. The
// pending -> pending and expired -> pending transitions are a resend.
func CanTransition(from, to Status) bool {
	switch from {
	case StatusPending:
		return to.Valid()
	case StatusExpired:
		return to == StatusPending
	}
	return false
}

// errFinal returns the error for acting on an invitation in a final status.
func errFinal(s Status) *Error {
	switch s {
	case StatusAccepted:
		return ErrInvitationAccepted
	case StatusCanceled:
		return ErrInvitationCanceled
	case StatusExpired:
		return ErrInvitationExpired
	}
	return ErrInvalidTransition
}

// transition moves inv to status to at time now, or returns why it may not;
// the store persists the result. Every move between statuses goes through
// it but two that need no check: a new invitation starts pending (Invite),
// and one past its expiry is marked expired where it is found (markExpired,
// used by Accept and clearPending, accept, and the store's
// ExpireInvitations).
func (inv *Invitation) transition(to Status, now time.Time) error {
	from := inv.StatusAt(now)
	if !CanTransition(from, to) {
		return errFinal(from)
	}
	inv.Status = to
	return nil
}

// accept marks inv accepted at now, provided tokenHash is its current
// token's hash; the store sets AcceptedBy when it creates the user. An
// invitation found past its expiry is marked expired and
// ErrInvitationExpired returned: the caller keeps that change.
func (inv *Invitation) accept(tokenHash []byte, now time.Time) error {
	if subtle.ConstantTimeCompare(inv.TokenHash, tokenHash) != 1 {
		return ErrInvitationNotFound
	}
	if inv.Status == StatusPending && inv.StatusAt(now) == StatusExpired {
		inv.Status = StatusExpired
		return ErrInvitationExpired
	}
	if err := inv.transition(StatusAccepted, now); err != nil {
		return err
	}
	inv.AcceptedAt = now
	inv.RemindAt = time.Time{}
	return nil
}

// cancel marks inv canceled by userID at now.
func (inv *Invitation) cancel(userID int64, now time.Time) error {
	if err := inv.transition(StatusCanceled, now); err != nil {
		return err
	}
	inv.CanceledAt, inv.CanceledBy = now, userID
	inv.RemindAt = time.Time{}
	return nil
}

// resend makes inv pending again with a new token hash and expiry, and its
// reminder due at remindAt (zero for none).
func (inv *Invitation) resend(tokenHash []byte, now, expiresAt, remindAt time.Time) error {
	if err := inv.transition(StatusPending, now); err != nil {
		return err
	}
	inv.TokenHash = tokenHash
	inv.ExpiresAt = expiresAt
	inv.RemindAt = remindAt
	inv.TimesSent++
	inv.LastSentAt = now
	return nil
}

// errNotDue is returned by remind for an invitation whose reminder is not
// due (another instance sent it, or it changed meanwhile).
var errNotDue = errors.New("reminder not due")

// remind records the reminder of a pending invitation whose reminder is due
// at now. The reminder carries a new link: only token hashes are kept, so
// the old link cannot be sent again, and it stops working.
func (inv *Invitation) remind(tokenHash []byte, now time.Time) error {
	if inv.StatusAt(now) != StatusPending || inv.RemindAt.IsZero() || inv.RemindAt.After(now) {
		return errNotDue
	}
	inv.TokenHash = tokenHash
	inv.RemindAt = time.Time{}
	inv.RemindedAt = now
	return nil
}
