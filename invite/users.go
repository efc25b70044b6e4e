package invite

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// grantable refuses grants above the acting user's own: a Company
// Administrator grants in a subscription at most the role they hold there.
// A Global Administrator is not bounded.
func (v *validator) grantable(field string, actor *User, grants []Grant) {
	if actor.AdminLevel == AdminGlobal {
		return
	}
	for i, g := range grants {
		if g.Role.rank() > actor.Grant(g.SubscriptionID).rank() {
			v.add(fmt.Sprintf("%s[%d].role", field, i), ReasonAboveOwnRole, "is above your own role in this subscription")
		}
	}
}

// GrantableRoles returns the roles actor may grant in the subscription:
// every role for a Global Administrator, for anyone else the roles up to
// the one they hold there, none if they hold none.
func GrantableRoles(actor *User, subscriptionID int64) []Role {
	if actor.AdminLevel == AdminGlobal {
		return Roles()
	}
	own := actor.Grant(subscriptionID).rank()
	var out []Role
	for _, r := range Roles() {
		if r.rank() <= own {
			out = append(out, r)
		}
	}
	return out
}

// CanManage reports whether administrator actor may change or disable
// target: a Global Administrator any user, a Company Administrator a user
// of their company who holds no role above theirs in any subscription.
// Nobody acts on someone above their own.
func CanManage(actor, target *User) bool {
	if actor.AdminLevel == AdminGlobal {
		return true
	}
	if !administers(actor, target.CompanyID) || target.AdminLevel == AdminGlobal {
		return false
	}
	var v validator
	v.grantable("grants", actor, target.Grants)
	return v.err() == nil
}

// CanManageInvitation reports whether administrator actor may resend or
// cancel inv: a Global Administrator any, a Company Administrator one of
// their company that grants no role above theirs.
func CanManageInvitation(actor *User, inv *Invitation) bool {
	if actor.AdminLevel == AdminGlobal {
		return true
	}
	var v validator
	v.grantable("grants", actor, inv.Grants)
	return administers(actor, inv.CompanyID) && v.err() == nil
}

// visibleUser returns the user with the given ID if the acting
// administrator administers them, and ErrUserNotFound otherwise. Global
// Administrators are administered by Global Administrators only.
func (s *Service) visibleUser(ctx context.Context, id int64) (*User, *User, error) {
	actor, err := s.admin(ctx)
	if err != nil {
		return nil, nil, err
	}
	u, err := s.st().User(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	if !administers(actor, u.CompanyID) || (u.CompanyID == 0 && actor.AdminLevel != AdminGlobal) {
		return nil, nil, ErrUserNotFound
	}
	return actor, u, nil
}

// User returns a user the acting administrator administers.
func (s *Service) User(ctx context.Context, id int64) (*User, error) {
	_, u, err := s.visibleUser(ctx, id)
	if err != nil {
		return nil, err
	}
	u.PasswordHash = ""
	return u, nil
}

// UserChange is what an administrator changes about a user; a zero field
// keeps the user's value.
type UserChange struct {
	BusinessRoleID int64
	Grants         []Grant // nil keeps the grants
	AdminLevel     AdminLevel
	// Access, if not nil, replaces the user's access window: it sets,
	// extends or (zero) clears it. A user whom the window's end disabled
	// (DisabledByWindow) is enabled again by a window that has not ended.
	Access *AccessWindow
}

// ChangeUser changes a user's business role, subscriptions and roles, or
// makes or unmakes them a Company Administrator. Nobody grants a role above
// their own, and the last administrator of a company cannot be demoted. A
// user whose privileges change is logged out everywhere, so that every
// session starts again with the new privileges.
func (s *Service) ChangeUser(ctx context.Context, id int64, ch UserChange) (*User, error) {
	actor, target, err := s.visibleUser(ctx, id)
	if err != nil {
		return nil, err
	}
	if target.AdminLevel == AdminGlobal {
		return nil, ErrForbidden
	}
	if !CanManage(actor, target) {
		return nil, ErrUserAboveYou
	}
	c, err := s.st().Company(ctx, target.CompanyID)
	if err != nil {
		return nil, err
	}
	var v validator
	if ch.BusinessRoleID != 0 {
		if _, ok := c.BusinessRole(ch.BusinessRoleID); !ok {
			v.add("business_role", ReasonUnknownBusinessRole, "is not a business role of the company")
		}
	}
	if ch.Grants != nil {
		v.grantable("grants", actor, v.grants("grants", ch.Grants, c))
	}
	switch ch.AdminLevel {
	case "", AdminNone, AdminCompany:
	default:
		v.add("admin_level", ReasonInvalidAdminLevel, "must be none or company")
	}
	var window AccessWindow
	if ch.Access != nil {
		// An end in the past is allowed: it ends the user's access now.
		window = v.accessWindow(*ch.Access, time.Time{}, false)
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	now := s.clock()
	// A window that shuts out now acts as disabling does: nobody shuts
	// themselves out, nor the last administrator of a company (below).
	shutOut := ch.Access != nil && ((!window.Until.IsZero() && !now.Before(window.Until)) || (!window.From.IsZero() && now.Before(window.From)))
	if shutOut && target.ID == actor.ID {
		return nil, ErrForbidden
	}
	// Nor does anybody change their own window, as nobody grants
	// themselves a role: an end set for them is lifted by whoever set it
	// (found from outside: a Company Administrator cleared theirs).
	if ch.Access != nil && target.ID == actor.ID && !window.Equal(target.Access()) {
		return nil, ErrForbidden
	}
	// The change, the end of the user's sessions and of the invitations
	// they may no longer send are one: a change that is saved is never
	// left with its consequences undone.
	var u *User
	err = s.inTx(ctx, func(tx *Service) error {
		privileged := false
		seats, err := tx.holdSeats(ctx, target.CompanyID)
		if err != nil {
			return err
		}
		var before map[string]any
		u, err = tx.st().UpdateUser(ctx, id, func(u *User, admins int) error {
			before = userFields(u)
			held := u.Grants // the seats they hold: none while disabled
			if u.Disabled() {
				held = nil
			}
			if ch.BusinessRoleID != 0 {
				u.BusinessRoleID = ch.BusinessRoleID
			}
			if ch.Grants != nil {
				privileged = privileged || !sameRoles(u.Grants, ch.Grants)
				u.Grants = append([]Grant(nil), ch.Grants...)
			}
			if ch.AdminLevel != "" && ch.AdminLevel != u.AdminLevel {
				if u.AdminLevel == AdminCompany && !u.Disabled() && admins <= 1 {
					return ErrLastAdmin
				}
				u.AdminLevel, privileged = ch.AdminLevel, true
			}
			if ch.Access != nil {
				if shutOut && u.AdminLevel == AdminCompany && !u.Disabled() && admins <= 1 {
					return ErrLastAdmin
				}
				byWindow := u.DisabledByWindow()
				u.AccessFrom, u.AccessUntil = window.From, window.Until
				if byWindow && !u.AccessEnded(now) {
					u.DisabledAt = time.Time{} // extended: back in
				}
			}
			// Enabled as they are now, they take a seat in each limited
			// subscription they did not hold one of: one more subscription,
			// or all of theirs when a window's extension lets them back in
			// (found from outside: that passed the seats by).
			if !u.Disabled() {
				return seats.take(u.Grants, held, forUser)
			}
			return nil
		})
		if err != nil {
			return err
		}
		if ch := changes(before, userFields(u)); ch != nil {
			if err := tx.logEvents(ctx, userEvent(EventUserChanged, u).by(actor).with(map[string]any{"changed": ch})); err != nil {
				return err
			}
		}
		if !privileged {
			return nil
		}
		if err := tx.st().DeleteUserSessions(ctx, id, nil); err != nil {
			return err
		}
		if err := tx.dropWebhooks(ctx, u, false, actor); err != nil {
			return err
		}
		return tx.cancelSentBy(ctx, u, actor, func(inv *Invitation) bool { return couldSend(u, inv) })
	})
	if err != nil {
		return nil, err
	}
	u.PasswordHash = ""
	return u, nil
}

// cancelSentBy cancels, by administrator by (nil: the system), the pending invitations whose current
// link u sent, but those keep holds: an administrator who is disabled or
// loses privileges could otherwise come back in through an invitation they
// sent to an address of their own.
func (s *Service) cancelSentBy(ctx context.Context, u *User, by *User, keep func(*Invitation) bool) error {
	var byID int64
	if by != nil {
		byID = by.ID
	}
	q := InvitationQuery{SentBy: u.ID, Status: StatusPending, Now: s.clock(), Limit: MaxPageSize}
	for {
		invs, err := s.st().Invitations(ctx, q)
		if err != nil {
			return err
		}
		for _, inv := range invs {
			if keep(inv) {
				continue
			}
			now := s.clock()
			canceled, err := s.st().UpdateInvitation(ctx, inv.ID, func(inv *Invitation) (*Message, error) {
				return nil, inv.cancel(byID, now)
			})
			switch {
			case errors.Is(err, ErrInvitationAccepted) || errors.Is(err, ErrInvitationCanceled) || errors.Is(err, ErrInvitationExpired):
			case err != nil:
				return err
			default:
				e := invitationEvent(EventInvitationCanceled, canceled).by(by).with(map[string]any{"cause": CancelSenderChanged})
				if err := s.logEvents(ctx, e); err != nil {
					return err
				}
			}
		}
		if len(invs) < q.Limit {
			return nil
		}
		last := invs[len(invs)-1]
		q.After = &Cursor{CreatedAt: last.CreatedAt, ID: last.ID}
	}
}

// sameRoles reports whether a and b grant the same roles, in any order.
func sameRoles(a, b []Grant) bool {
	if len(a) != len(b) {
		return false
	}
	m := make(map[Grant]int, len(a))
	for _, g := range a {
		m[g]++
	}
	for _, g := range b {
		if m[g]--; m[g] < 0 {
			return false
		}
	}
	return true
}

// SetDisabled disables a user, who is logged out at once and cannot log in,
// or enables them again. A Company Administrator may do this within their
// company; the last administrator of a company cannot be disabled.
func (s *Service) SetDisabled(ctx context.Context, id int64, disabled bool) (*User, error) {
	actor, target, err := s.visibleUser(ctx, id)
	if err != nil {
		return nil, err
	}
	if target.ID == actor.ID && disabled {
		return nil, ErrForbidden // nobody locks themselves out
	}
	if target.AdminLevel == AdminGlobal && actor.AdminLevel != AdminGlobal {
		return nil, ErrForbidden
	}
	if !CanManage(actor, target) {
		return nil, ErrUserAboveYou
	}
	now := s.clock()
	var u *User
	err = s.inTx(ctx, func(tx *Service) error {
		seats, err := tx.holdSeats(ctx, target.CompanyID)
		if err != nil {
			return err
		}
		changed := false
		u, err = tx.st().UpdateUser(ctx, id, func(u *User, admins int) error {
			changed = disabled != u.Disabled()
			switch {
			case disabled && !u.Disabled():
				if u.AdminLevel == AdminCompany && admins <= 1 {
					return ErrLastAdmin
				}
				u.DisabledAt = now
			case !disabled && u.Disabled() && u.AccessEnded(now):
				return ErrAccessWindowEnded // extend it first
			case !disabled && u.Disabled():
				// Enabled again, they take their seats again.
				if err := seats.take(u.Grants, nil, forUser); err != nil {
					return err
				}
				u.DisabledAt = time.Time{}
			}
			return nil
		})
		if err != nil {
			return err
		}
		if changed {
			kind := EventUserEnabled
			if disabled {
				kind = EventUserDisabled
			}
			if err := tx.logEvents(ctx, userEvent(kind, u).by(actor)); err != nil {
				return err
			}
		}
		if !disabled {
			return nil
		}
		if err := tx.st().DeleteUserSessions(ctx, id, nil); err != nil {
			return err
		}
		if err := tx.dropWebhooks(ctx, u, true, actor); err != nil {
			return err
		}
		return tx.cancelSentBy(ctx, u, actor, func(*Invitation) bool { return false })
	})
	if err != nil {
		return nil, err
	}
	u.PasswordHash = ""
	return u, nil
}

// DeleteUser deletes a user. Only a Global Administrator may. The user's
// sessions end at once, the pending invitations they sent are canceled,
// and the invitations' history stays. The last administrator of a company
// cannot be deleted, nor can anyone delete themselves.
func (s *Service) DeleteUser(ctx context.Context, id int64) error {
	actor, target, err := s.visibleUser(ctx, id)
	if err != nil {
		return err
	}
	if actor.AdminLevel != AdminGlobal {
		return ErrForbidden
	}
	if target.ID == actor.ID {
		return ErrForbidden
	}
	// The user goes, and what they last sent goes with them: nobody vouches
	// for it any more.
	return s.inTx(ctx, func(tx *Service) error {
		err := tx.st().DeleteUser(ctx, id, func(u *User, admins int) error {
			if u.AdminLevel == AdminCompany && !u.Disabled() && admins <= 1 {
				return ErrLastAdmin
			}
			return nil
		})
		if err != nil {
			return err
		}
		if err := tx.logEvents(ctx, userEvent(EventUserDeleted, target).by(actor)); err != nil {
			return err
		}
		if err := tx.dropWebhooks(ctx, target, true, actor); err != nil {
			return err
		}
		return tx.cancelSentBy(ctx, target, actor, func(*Invitation) bool { return false })
	})
}

// ProfileInput is what users change about themselves. The e-mail address
// is the username and is not changed here.
type ProfileInput struct {
	FirstName, LastName, Department, Phone, Language, TimeZone string
}

// UpdateProfile changes the acting user's own profile.
func (s *Service) UpdateProfile(ctx context.Context, in ProfileInput) (*User, error) {
	me, err := s.actor(ctx)
	if err != nil {
		return nil, err
	}
	var v validator
	first := v.text("first_name", in.FirstName, true, MaxNameLen)
	last := v.text("last_name", in.LastName, true, MaxNameLen)
	dept := v.text("department", in.Department, false, MaxTextLen)
	phone := v.phone("phone", in.Phone, s.checkPhone)
	lang := v.language("language", in.Language, me.Language)
	tz := v.timeZone("time_zone", in.TimeZone, me.TimeZone)
	if err := v.err(); err != nil {
		return nil, err
	}
	var u *User
	err = s.inTx(ctx, func(tx *Service) error {
		var before map[string]any
		u, err = tx.st().UpdateUser(ctx, me.ID, func(u *User, _ int) error {
			before = userFields(u)
			u.FirstName, u.LastName, u.Department, u.Phone, u.Language, u.TimeZone = first, last, dept, phone, lang, tz
			return nil
		})
		if err != nil {
			return err
		}
		if ch := changes(before, userFields(u)); ch != nil {
			return tx.logEvents(ctx, userEvent(EventUserChanged, u).by(u).with(map[string]any{"changed": ch}))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	u.PasswordHash = ""
	return u, nil
}

// ChangePassword changes the acting user's password after checking the
// current one, and ends every other session of the user; the session whose
// token is keep stays.
func (s *Service) ChangePassword(ctx context.Context, current, password, keep string) error {
	me, err := s.actor(ctx)
	if err != nil {
		return err
	}
	u, err := s.st().User(ctx, me.ID)
	if err != nil {
		return err
	}
	// Guessing the current password with a session is guessing a
	// password: the bounds of log-ins hold.
	failures := s.failedLogins(ctx, u.Email)
	if err := s.takeLimits(ctx, failures...); err != nil {
		return err
	}
	var v validator
	match, err := s.checkPassword(ctx, u.PasswordHash, current)
	if err != nil || match {
		if gerr := s.giveBack(ctx, failures...); gerr != nil && err == nil {
			return gerr
		}
	}
	if err != nil {
		return err
	}
	if !match {
		v.add("current_password", ReasonWrongPassword, "is not your current password")
	}
	v.password("password", password, u.Email)
	if err := v.err(); err != nil {
		return err
	}
	return s.setPassword(ctx, u.ID, password, keep)
}

// setPassword stores a new password hash and ends the user's sessions but
// keep's.
func (s *Service) setPassword(ctx context.Context, userID int64, password, keep string) error {
	hash, err := s.hashPassword(ctx, password)
	if err != nil {
		return err
	}
	keepHash, _ := HashToken(keep)
	// The new password and the end of the other sessions are one: a
	// session that outlives a password change is a thief's.
	return s.inTx(ctx, func(tx *Service) error {
		u, err := tx.store.UpdateUser(ctx, userID, func(u *User, _ int) error {
			u.PasswordHash = hash
			return nil
		})
		if err != nil {
			return err
		}
		if err := tx.logEvents(ctx, userEvent(EventPasswordChanged, u).by(u)); err != nil {
			return err
		}
		return tx.store.DeleteUserSessions(ctx, userID, keepHash)
	})
}
