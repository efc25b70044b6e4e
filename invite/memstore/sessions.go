package memstore

import (
	"bytes"
	"context"
	"time"

	"github.com/invitehq/invite/invite"
)

// CreateSession implements invite.Store.
func (s *Store) CreateSession(ctx context.Context, sess *invite.Session) error {
	return s.do(ctx, func(d *data) error { return d.putSession(sessionIn(sess)) })
}

// SessionUser implements invite.Store.
func (s *Store) SessionUser(ctx context.Context, hash []byte, now time.Time) (*invite.User, error) {
	return query(ctx, s, func(d *data) (*invite.User, error) {
		sess, ok := d.sessions.get(string(hash))
		if !ok || hash == nil || !sess.ExpiresAt.After(now) {
			return nil, invite.ErrUserNotFound
		}
		u, ok := d.users.get(sess.UserID)
		if !ok {
			return nil, invite.ErrUserNotFound
		}
		return userOut(u), nil
	})
}

// DeleteSession implements invite.Store. Deleting a session that does not
// exist is no error.
func (s *Store) DeleteSession(ctx context.Context, hash []byte) error {
	return s.do(ctx, func(d *data) error {
		if hash != nil {
			d.sessions.delete(string(hash))
		}
		return nil
	})
}

// DeleteUserSessions implements invite.Store.
func (s *Store) DeleteUserSessions(ctx context.Context, userID int64, except []byte) error {
	return s.do(ctx, func(d *data) error {
		for k, sess := range d.sessions.rows {
			if sess.UserID == userID && (except == nil || !bytes.Equal(sess.TokenHash, except)) {
				d.sessions.delete(k)
			}
		}
		return nil
	})
}

// PruneSessions implements invite.Store.
func (s *Store) PruneSessions(ctx context.Context, now time.Time) (int, error) {
	return query(ctx, s, func(d *data) (int, error) {
		n := 0
		for k, sess := range d.sessions.rows {
			if sess.ExpiresAt.Before(now) {
				d.sessions.delete(k)
				n++
			}
		}
		return n, nil
	})
}
