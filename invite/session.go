package invite

import (
	"context"
	"errors"
	"time"
)

// SessionTTL is how long a log-in lasts.
const SessionTTL = 12 * time.Hour

// Session is a log-in. Only the SHA-256 of its token is stored; the token
// lives in the browser's cookie.
type Session struct {
	TokenHash []byte
	UserID    int64
	CreatedAt time.Time
	ExpiresAt time.Time
}

// Login checks the e-mail address and password and starts a new session,
// returning the user and the session's token. The caller ends any session
// the browser had (Logout), so that a log-in always gets a fresh session.
func (s *Service) Login(ctx context.Context, email, password string) (*User, string, error) {
	u, err := s.authenticateLimited(ctx, email, password)
	if err != nil {
		return nil, "", err
	}
	token, hash, err := newToken(s.rand)
	if err != nil {
		return nil, "", err
	}
	now := s.clock()
	expires := now.Add(SessionTTL)
	if !u.AccessUntil.IsZero() && u.AccessUntil.Before(expires) {
		expires = u.AccessUntil // a session ends with the access window
	}
	switch err := s.st().CreateSession(ctx, &Session{TokenHash: hash, UserID: u.ID, CreatedAt: now, ExpiresAt: expires}); {
	case errors.Is(err, ErrUserNotFound):
		return nil, "", ErrBadCredentials // deleted while logging in
	case err != nil:
		return nil, "", err
	}
	// The password was checked against the hash read before; if it has
	// changed since (or the user was disabled or deleted), whatever ended
	// the sessions then did not see this one: it ends here. Once the
	// change is stored this read sees it; before that, the change's own
	// ending of sessions takes this one with the rest.
	switch cur, err := s.st().User(ctx, u.ID); {
	case err == nil && cur.PasswordHash == u.PasswordHash && !cur.Disabled() && accessError(cur, now) == nil:
	case err == nil || errors.Is(err, ErrUserNotFound):
		if err := s.st().DeleteSession(ctx, hash); err != nil {
			return nil, "", err
		}
		return nil, "", ErrBadCredentials
	default:
		return nil, "", err
	}
	err = s.inTx(ctx, func(tx *Service) error {
		if err := tx.st().SetLastLogin(ctx, u.ID, now); err != nil {
			return err
		}
		d := map[string]any{"session": true}
		if c := clientOf(ctx); c != "" {
			d["client"] = c
		}
		return tx.logEvents(ctx, userEvent(EventLoginSucceeded, u).by(u).with(d))
	})
	if err != nil {
		return nil, "", err
	}
	u.LastLoginAt, u.PasswordHash = now, ""
	return u, token, nil
}

// SessionUser returns the user of a live session, or ErrUnauthorized for an
// unknown, ended or expired one.
func (s *Service) SessionUser(ctx context.Context, token string) (*User, error) {
	hash, ok := HashToken(token)
	if !ok {
		return nil, ErrUnauthorized
	}
	u, err := s.st().SessionUser(ctx, hash, s.clock())
	switch {
	case errors.Is(err, ErrUserNotFound):
		return nil, ErrUnauthorized
	case err != nil:
		return nil, err
	case u.Disabled():
		return nil, ErrUnauthorized
	case accessError(u, s.clock()) != nil:
		// Not valid past the window's end, whether or not the job has
		// disabled the user yet, nor before a start moved later.
		return nil, ErrUnauthorized
	}
	u.PasswordHash = ""
	return u, nil
}

// SessionContext returns a copy of ctx whose acting user is the user of
// the live session of token, with that user (as SessionUser returns them),
// or ErrUnauthorized for an unknown, ended or expired session. The user
// was loaded from the store just now: the calls made with the context
// act as that user as they were then, without loading them again. It is
// for the calls of one request, as an HTTP server makes them, which then
// see one state of the acting user; a context kept longer would let a
// user who has since been disabled or demoted go on acting as before.
func (s *Service) SessionContext(ctx context.Context, token string) (context.Context, *User, error) {
	u, err := s.SessionUser(ctx, token)
	if err != nil {
		return ctx, nil, err
	}
	return s.withLoaded(ctx, u), u, nil
}

// Logout ends the session of token; ending an unknown one is not an error.
func (s *Service) Logout(ctx context.Context, token string) error {
	hash, ok := HashToken(token)
	if !ok {
		return nil
	}
	return s.st().DeleteSession(ctx, hash)
}
