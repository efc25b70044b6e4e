package invite

import (
	"context"
	"errors"
	"time"
)

// Access windows: an invitation may carry the dates between which its
// user may log in (a contractor's engagement, say). AccessFrom and
// AccessUntil are instants; a zero one is no bound. Pages take dates read
// in the invitee's time zone: from is the start of its day, until the
// start of the day after the last (until is exclusive). The window goes
// from the invitation to the user on Accept; before AccessFrom the user
// may not log in (ErrAccessNotStarted, whose At says when they may); from
// AccessUntil on they may not log in and their sessions end at once
// (ErrAccessEnded), and DisableEndedAccess, a scheduled job, disables
// them. Extending the window is an edit (UserChange.Access), which
// enables again a user the window disabled.

// The errors of access windows.
var (
	// ErrAccessNotStarted is a log-in before the user's AccessFrom; its At
	// is AccessFrom in the user's time zone.
	ErrAccessNotStarted = &Error{Code: CodeForbidden, Reason: "access_not_started", Message: "Your access has not started yet."}
	// ErrAccessEnded is a log-in from the user's AccessUntil on, or an
	// invitation accepted after it; its At is AccessUntil in the user's
	// (or invitee's) time zone.
	ErrAccessEnded = &Error{Code: CodeForbidden, Reason: "access_ended", Message: "Your access has ended."}
	// ErrAccessWindowEnded is enabling a user whose access window has
	// ended: extend it first (ChangeUser with Access).
	ErrAccessWindowEnded = &Error{Code: CodeConflict, Reason: "access_window_ended", Message: "The user's access has ended; extend it to enable them."}
)

// Field error reasons of access windows.
const (
	ReasonUntilNotAfterFrom = "until_not_after_from"
	ReasonNotInFuture       = "not_in_future"
	// ReasonInvalidDate is for a page's date field that is no date
	// (YYYY-MM-DD); the service takes instants.
	ReasonInvalidDate = "invalid_date"
)

// AccessWindow bounds when a user may log in: from From on, and before
// Until. A zero bound is no bound.
type AccessWindow struct {
	From, Until time.Time
}

// Equal reports whether w and o bound the same instants.
func (w AccessWindow) Equal(o AccessWindow) bool {
	return w.From.Equal(o.From) && w.Until.Equal(o.Until)
}

// IsZero reports whether the window bounds nothing.
func (w AccessWindow) IsZero() bool { return w.From.IsZero() && w.Until.IsZero() }

// Access returns the user's access window.
func (u *User) Access() AccessWindow { return AccessWindow{From: u.AccessFrom, Until: u.AccessUntil} }

// Access returns the invitation's access window.
func (inv *Invitation) Access() AccessWindow {
	return AccessWindow{From: inv.AccessFrom, Until: inv.AccessUntil}
}

// AccessEnded reports whether the user's access window has ended at now.
func (u *User) AccessEnded(now time.Time) bool {
	return !u.AccessUntil.IsZero() && !now.Before(u.AccessUntil)
}

// AccessStarted reports whether the user's access window has started at
// now (it has if it has no start).
func (u *User) AccessStarted(now time.Time) bool {
	return u.AccessFrom.IsZero() || !now.Before(u.AccessFrom)
}

// DisabledByWindow reports whether the user was disabled because their
// access window ended: DisableEndedAccess disables them as of their
// AccessUntil.
func (u *User) DisabledByWindow() bool {
	return u.Disabled() && !u.AccessUntil.IsZero() && u.DisabledAt.Equal(u.AccessUntil)
}

// accessError returns ErrAccessEnded or ErrAccessNotStarted, with At in
// the user's time zone, if u may not log in at now for their window, and
// nil otherwise.
func accessError(u *User, now time.Time) error {
	switch {
	case u.AccessEnded(now):
		e := *ErrAccessEnded
		e.At = inZone(u.AccessUntil, u.TimeZone)
		return &e
	case !u.AccessStarted(now):
		e := *ErrAccessNotStarted
		e.At = inZone(u.AccessFrom, u.TimeZone)
		return &e
	}
	return nil
}

// inZone returns t in the named zone, or in UTC if there is no such zone.
func inZone(t time.Time, zone string) time.Time {
	if texts, err := builtinTexts(); err == nil && zone != "" {
		if loc, err := texts.zones.Load(zone); err == nil {
			return t.In(loc)
		}
	}
	return t.UTC()
}

// accessWindow validates a window: its bounds in UTC at the stores'
// precision, until after from, and, if future, until after now.
func (v *validator) accessWindow(w AccessWindow, now time.Time, future bool) AccessWindow {
	norm := func(t time.Time) time.Time {
		if t.IsZero() {
			return t
		}
		return t.UTC().Truncate(time.Microsecond)
	}
	w = AccessWindow{From: norm(w.From), Until: norm(w.Until)}
	switch {
	case w.Until.IsZero():
	case !w.From.IsZero() && !w.Until.After(w.From):
		v.add("access_until", ReasonUntilNotAfterFrom, "must be after the start of access")
	case future && !w.Until.After(now):
		v.add("access_until", ReasonNotInFuture, "must be in the future")
	}
	return w
}

// withWindowErrors adds the errors of in's access window at now to err,
// the error of in's other details (nil if they are valid), so that one
// answer names every wrong field.
func withWindowErrors(err error, in *InvitationInput, now time.Time) error {
	var v validator
	v.accessWindow(AccessWindow{From: in.AccessFrom, Until: in.AccessUntil}, now, true)
	if v.err() == nil {
		return err
	}
	if err == nil {
		return v.err()
	}
	e, ok := errors.AsType[*Error](err)
	if !ok || e.Code != CodeInvalid {
		return err
	}
	for _, f := range v.fields {
		if _, dup := e.Field(f.Field); !dup {
			e.Fields = append(e.Fields, f)
		}
	}
	return e
}

// DisableEndedAccess disables every enabled user whose access window has
// ended, as of its end (DisabledAt is their AccessUntil), ends their
// sessions and cancels the pending invitations they sent, as disabling
// does; it returns how many it disabled. It is the scheduled job's work
// and does no authorization. Each user is disabled under UpdateUser's
// lock, after reading them again, so that runs at once on many instances
// disable each user once, and an extension saved meanwhile wins.
//
// The last Company Administrator of a company is disabled too: the window
// is an end that an administrator set explicitly, and they could not log
// in past it anyway. A Global Administrator can enable them again, after
// extending the window.
func (s *Service) DisableEndedAccess(ctx context.Context) (int, error) {
	now := s.clock()
	total := 0
	var after int64
	for {
		users, err := s.st().EndedAccess(ctx, now, after, expireBatch)
		if err != nil {
			return total, err
		}
		for _, u := range users {
			after = u.ID
			disabled := false
			err := s.inTx(ctx, func(tx *Service) error {
				disabled = false
				cur, err := tx.st().UpdateUser(ctx, u.ID, func(u *User, _ int) error {
					if u.Disabled() || !u.AccessEnded(now) {
						return errNothingToDo
					}
					u.DisabledAt, disabled = u.AccessUntil, true
					return nil
				})
				if errors.Is(err, errNothingToDo) || errors.Is(err, ErrUserNotFound) {
					disabled = false
					return nil
				}
				if err != nil {
					return err
				}
				if err := tx.logEvents(ctx, userEvent(EventUserDisabled, cur).with(map[string]any{"reason": "access_ended"})); err != nil {
					return err
				}
				if err := tx.st().DeleteUserSessions(ctx, cur.ID, nil); err != nil {
					return err
				}
				if err := tx.dropWebhooks(ctx, cur, true, nil); err != nil {
					return err
				}
				return tx.cancelSentBy(ctx, cur, nil, func(*Invitation) bool { return false })
			})
			if err != nil {
				return total, err
			}
			if disabled {
				total++
			}
		}
		if len(users) < expireBatch {
			return total, nil
		}
		if err := ctx.Err(); err != nil {
			return total, err
		}
	}
}

// errNothingToDo rolls back an update that found nothing to change.
var errNothingToDo = errors.New("nothing to do")

// Now returns the time by the service's clock (Config.Now), for callers
// that show what depends on it, such as whether a window has ended.
func (s *Service) Now() time.Time { return s.clock() }
