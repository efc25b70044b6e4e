package invite

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"time"
)

// GrantView is a grant with its subscription's name.
type GrantView struct {
	Subscription string
	Role         Role
}

// InvitationView is what the invitee's page shows: the invitation with the
// names of its company, inviter and subscriptions.
type InvitationView struct {
	Invitation  *Invitation
	CompanyName string
	// Terms are the company's terms of use; "" for the built-in ones.
	Terms       string
	InviterName string // "" when the inviter has no name or was deleted
	Grants      []GrantView
	// AccountExists reports that the invitee's address has an account
	// already (in another company): Accept will refuse with ErrUserExists,
	// and the invitee logs in with that account instead.
	AccountExists bool
}

// Invitee returns what the page behind an invitation link shows, with the
// invitation's Status as it is now. Like InvitationByToken it changes
// nothing and needs no acting user.
func (s *Service) Invitee(ctx context.Context, token string) (*InvitationView, error) {
	inv, err := s.InvitationByToken(ctx, token)
	if err != nil {
		return nil, err
	}
	mc, err := s.loadMailContext(ctx, inv, nil, nil)
	if err != nil {
		return nil, err
	}
	v := &InvitationView{Invitation: inv, CompanyName: mc.company.Name, Terms: mc.company.Terms}
	if mc.inviterNamed {
		v.InviterName = mc.inviter
	}
	switch _, err := s.st().UserByEmail(ctx, inv.Email); {
	case err == nil:
		v.AccountExists = true
	case !errors.Is(err, ErrUserNotFound):
		return nil, err
	}
	for _, sub := range mc.company.Subscriptions {
		for _, g := range inv.Grants {
			if g.SubscriptionID == sub.ID {
				v.Grants = append(v.Grants, GrantView{Subscription: sub.Name, Role: g.Role})
			}
		}
	}
	return v, nil
}

// RequestNewInvitation asks the Company Administrators of an expired
// invitation's company (the Global Administrators if it has none enabled),
// by e-mail in each one's language, to send it again.
// Asking again before the invitation is resent notifies nobody again.
// Only an expired invitation can be asked for; the token is the authority.
func (s *Service) RequestNewInvitation(ctx context.Context, token string) error {
	hash, ok := HashToken(token)
	if !ok {
		return ErrInvitationNotFound
	}
	inv, err := s.st().InvitationByTokenHash(ctx, hash)
	if err != nil {
		return err
	}
	now := s.clock()
	if st := inv.StatusAt(now); st != StatusExpired {
		if st == StatusPending {
			return ErrInvalidTransition
		}
		return errFinal(st)
	}
	mc, err := s.loadMailContext(ctx, inv, nil, nil)
	if err != nil {
		return err
	}
	admins, err := s.answerers(ctx, inv.CompanyID)
	if err != nil {
		return err
	}
	var msgs []*Message
	for _, a := range admins {
		m, err := s.renewalRequest(a, inv, mc.company, mc.inviter,
			s.baseURL+s.paths.Invitations+"?status=expired&email="+url.QueryEscape(inv.Email), now)
		if err != nil {
			return err
		}
		msgs = append(msgs, m)
	}
	// The mark and the notices are one: a notice that cannot be written
	// leaves the invitation unmarked, so that asking again works.
	err = s.inTx(ctx, func(tx *Service) error {
		marked := false
		asked, err := tx.store.UpdateInvitation(ctx, inv.ID, func(inv *Invitation) (*Message, error) {
			if inv.RenewalAsked() {
				return nil, errAlreadyRequested
			}
			// Found past its expiry, it is marked so first, as Accept
			// marks it: the history says it expired before it was asked
			// for again (found from outside: the job's mark came after).
			if inv.StatusAt(now) != StatusExpired {
				return nil, ErrInvalidTransition // sent again meanwhile
			}
			if marked = inv.Status == StatusPending; marked {
				inv.Status, inv.RemindAt = StatusExpired, time.Time{}
			}
			inv.RenewalRequestedAt = now
			return nil, nil
		})
		if err != nil {
			return err
		}
		var evs []*Event
		if marked {
			evs = append(evs, invitationEvent(EventInvitationExpired, asked).with(map[string]any{"expires_at": dateText(asked.ExpiresAt)}))
		}
		evs = append(evs, invitationEvent(EventRenewalRequested, asked).byInvitee())
		if len(msgs) > 0 {
			if err := tx.store.Enqueue(ctx, msgs); err != nil {
				return err
			}
			for _, m := range msgs {
				evs = append(evs, mailQueued(invitationEvent(EventMailQueued, asked), m))
			}
			tx.queued()
		}
		return tx.logEvents(ctx, evs...)
	})
	if errors.Is(err, errAlreadyRequested) {
		return nil
	}
	return err
}

var errAlreadyRequested = errors.New("renewal already requested")

// UserFilter selects users for Users.
type UserFilter struct {
	CompanyID int64  // 0: every company the acting administrator administers
	Search    string // part of the e-mail address or name, any case
	After     int64  // the Next of the previous page
	Limit     int
}

// UserPage is one page of users, by ID.
type UserPage struct {
	Users []*User
	Next  int64
}

// Users lists the users the acting administrator administers.
func (s *Service) Users(ctx context.Context, f UserFilter) (*UserPage, error) {
	u, err := s.admin(ctx)
	if err != nil {
		return nil, err
	}
	companyID, err := scope(u, f.CompanyID)
	if err != nil {
		return nil, err
	}
	if f.After < 0 {
		return nil, ErrInvalidCursor
	}
	limit := pageSize(f.Limit)
	var v validator
	search := strings.ToLower(v.text("search", f.Search, false, MaxEmailLen))
	if err := v.err(); err != nil {
		return nil, err
	}
	users, err := s.st().Users(ctx, UserQuery{CompanyID: companyID, Search: search, After: f.After, Limit: limit + 1})
	if err != nil {
		return nil, err
	}
	page := &UserPage{Users: users}
	if len(users) > limit {
		page.Users = users[:limit]
		page.Next = page.Users[limit-1].ID
	}
	for _, u := range page.Users {
		u.PasswordHash = ""
	}
	return page, nil
}

// MyCompany returns the acting user's own company.
func (s *Service) MyCompany(ctx context.Context) (*Company, error) {
	u, err := s.actor(ctx)
	if err != nil {
		return nil, err
	}
	if u.CompanyID == 0 {
		return nil, ErrCompanyNotFound
	}
	return s.st().Company(ctx, u.CompanyID)
}
