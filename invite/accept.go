package invite

import (
	"context"
	"errors"
	"time"
)

// AcceptInput is what an invitee submits to accept an invitation: the token
// from the link, a new password and the registration details they confirm.
type AcceptInput struct {
	Token       string
	Password    string
	FirstName   string
	LastName    string
	Phone       string // optional; international form; empty keeps none (the invitation's is what a form offers to keep)
	Language    string // the invitation's when empty
	TimeZone    string // the invitation's when empty
	AcceptTerms bool   // the terms of use must be accepted
}

// InvitationByToken returns the invitation a link's token belongs to, with
// Status as it is now. It changes nothing, so a mail scanner that follows a
// link does not use it up. It needs no acting user.
func (s *Service) InvitationByToken(ctx context.Context, token string) (*Invitation, error) {
	hash, ok := HashToken(token)
	if !ok {
		return nil, ErrInvitationNotFound
	}
	inv, err := s.st().InvitationByTokenHash(ctx, hash)
	if err != nil {
		return nil, err
	}
	inv.Status = inv.StatusAt(s.clock())
	return inv, nil
}

// Accept accepts the invitation the token belongs to: it creates the user,
// with the invitation's company, business role, department, admin level
// and subscriptions, and marks the invitation accepted, in one transaction
// that concurrent accepts of the same token cannot both complete.
//
// An unknown or superseded token is ErrInvitationNotFound; an expired,
// canceled or accepted invitation is ErrInvitationExpired,
// ErrInvitationCanceled or ErrInvitationAccepted. An invitation found past
// its expiry is marked expired. An address that has an account already is
// ErrUserExists: there is never a second account.
func (s *Service) Accept(ctx context.Context, in AcceptInput) (*User, error) {
	hash, ok := HashToken(in.Token)
	if !ok {
		return nil, ErrInvitationNotFound
	}
	inv, err := s.st().InvitationByTokenHash(ctx, hash)
	if err != nil {
		return nil, err
	}
	now := s.clock()
	switch st := inv.StatusAt(now); {
	case st == StatusExpired && inv.Status == StatusPending:
		if err := s.markExpired(ctx, inv.ID); err != nil {
			return nil, err
		}
		return nil, ErrInvitationExpired
	case st != StatusPending:
		return nil, errFinal(st)
	}
	if !inv.AccessUntil.IsZero() && !now.Before(inv.AccessUntil) {
		// An account that could never log in is not made.
		e := *ErrAccessEnded
		e.At = inZone(inv.AccessUntil, inv.TimeZone)
		return nil, &e
	}
	var v validator
	first := v.text("first_name", in.FirstName, true, MaxNameLen)
	last := v.text("last_name", in.LastName, true, MaxNameLen)
	phone := v.phone("phone", in.Phone, s.checkPhone)
	lang := v.language("language", in.Language, inv.Language)
	tz := v.timeZone("time_zone", in.TimeZone, inv.TimeZone)
	v.password("password", in.Password, inv.Email)
	if !in.AcceptTerms {
		v.add("accept_terms", ReasonTermsRequired, "must be accepted")
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	// Hash outside the transaction: it is the slow part and needs no lock.
	pwHash, err := s.hashPassword(ctx, in.Password)
	if err != nil {
		return nil, err
	}

	// Seats are held before the invitation is locked, as everywhere: the
	// user takes the seats the invitation held, unless seats were reduced
	// below what is used since it was sent, and then it stays pending.
	// The transaction may run again (a deadlock lost): it sets what it
	// returns only once it succeeds.
	companyID := inv.CompanyID
	var u *User
	err = s.inTx(ctx, func(tx *Service) error {
		seats, err := tx.holdSeats(ctx, companyID)
		if err != nil {
			return err
		}
		expired := false
		accepted, user, err := tx.st().AcceptInvitation(ctx, hash, func(inv *Invitation) (*User, error) {
			wasPending := inv.Status == StatusPending
			if err := inv.accept(hash, now); err != nil {
				if errors.Is(err, ErrInvitationExpired) {
					expired = wasPending
					return nil, nil // keep the expired mark; reported below
				}
				return nil, err
			}
			if err := seats.pass(inv.Grants); err != nil {
				return nil, err
			}
			return &User{
				CompanyID:      inv.CompanyID,
				Email:          inv.Email,
				FirstName:      first,
				LastName:       last,
				BusinessRoleID: inv.BusinessRoleID,
				Department:     inv.Department,
				Phone:          phone,
				Language:       lang,
				TimeZone:       tz,
				AdminLevel:     inv.AdminLevel,
				Grants:         append([]Grant(nil), inv.Grants...),
				PasswordHash:   pwHash,
				CreatedAt:      now,
				AccessFrom:     inv.AccessFrom,
				AccessUntil:    inv.AccessUntil,
			}, nil
		})
		if err != nil {
			return err
		}
		switch {
		case user != nil:
			err = tx.logEvents(ctx, invitationEvent(EventInvitationAccepted, accepted).byInvitee().with(map[string]any{"user": user.ID}))
		case expired:
			err = tx.logEvents(ctx, invitationEvent(EventInvitationExpired, accepted).with(map[string]any{"expires_at": dateText(accepted.ExpiresAt)}))
		}
		if err != nil {
			return err
		}
		inv, u = accepted, user
		return nil
	})
	switch {
	case err != nil:
		return nil, err
	case u == nil && inv.Status == StatusExpired:
		return nil, ErrInvitationExpired
	case u == nil:
		return nil, ErrInvitationNotFound
	}
	u.PasswordHash = ""
	return u, nil
}

// markExpired records that the invitation with the given ID is past its
// expiry, if it is still pending as stored and past it now.
func (s *Service) markExpired(ctx context.Context, id int64) error {
	now := s.clock()
	return s.inTx(ctx, func(tx *Service) error {
		marked := false
		inv, err := tx.st().UpdateInvitation(ctx, id, func(inv *Invitation) (*Message, error) {
			if marked = inv.Status == StatusPending && inv.StatusAt(now) == StatusExpired; marked {
				inv.Status, inv.RemindAt = StatusExpired, time.Time{}
			}
			return nil, nil
		})
		if err != nil || !marked {
			return err
		}
		return tx.logEvents(ctx, invitationEvent(EventInvitationExpired, inv).with(map[string]any{"expires_at": dateText(inv.ExpiresAt)}))
	})
}
