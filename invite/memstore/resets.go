package memstore

import (
	"bytes"
	"context"
	"time"

	"github.com/invitehq/invite/invite"
)

// CreatePasswordReset implements invite.Store. As package store, it keeps
// the request as it comes: its e-mail address, language, state and time.
func (s *Store) CreatePasswordReset(ctx context.Context, r *invite.PasswordReset) error {
	id, err := query(ctx, s, func(d *data) (int64, error) {
		row := invite.PasswordReset{
			ID: d.resetIDs.next(), Email: r.Email, Language: r.Language, State: r.State, CreatedAt: utc(r.CreatedAt),
		}
		return row.ID, d.putReset(row)
	})
	if err == nil {
		r.ID = id
	}
	return err
}

// ClaimPasswordResets implements invite.Store.
func (s *Store) ClaimPasswordResets(ctx context.Context, now, leaseUntil time.Time, limit int) ([]*invite.PasswordReset, error) {
	return query(ctx, s, func(d *data) ([]*invite.PasswordReset, error) {
		rs := limited(ordered(&d.resets, func(r invite.PasswordReset) bool {
			return r.State == invite.ResetRequested || r.State == invite.ResetProcessing && !r.ClaimedUntil.After(now)
		}), limit)
		out := make([]*invite.PasswordReset, len(rs))
		for i, r := range rs {
			r.State, r.ClaimedUntil = invite.ResetProcessing, utc(leaseUntil)
			if err := d.putReset(r); err != nil {
				return nil, err
			}
			out[i] = resetOut(r)
		}
		return out, nil
	})
}

// SavePasswordReset implements invite.Store.
func (s *Store) SavePasswordReset(ctx context.Context, r *invite.PasswordReset) error {
	return s.do(ctx, func(d *data) error {
		if _, ok := d.users.get(r.UserID); r.State == invite.ResetIssued && !ok {
			return invite.ErrUserNotFound
		}
		row, ok := d.resets.get(r.ID)
		if !ok {
			return nil
		}
		row.State, row.UserID, row.TokenHash, row.ExpiresAt = r.State, r.UserID, bytes.Clone(r.TokenHash), utc(r.ExpiresAt)
		return d.putReset(row)
	})
}

// SupersedePasswordResets implements invite.Store.
func (s *Store) SupersedePasswordResets(ctx context.Context, userID int64) error {
	return s.do(ctx, func(d *data) error {
		for _, o := range d.resets.where(func(o invite.PasswordReset) bool {
			return o.UserID == userID && o.State == invite.ResetIssued
		}) {
			o.State = invite.ResetSuperseded
			if err := d.putReset(o); err != nil {
				return err
			}
		}
		return nil
	})
}

// PasswordReset implements invite.Store.
func (s *Store) PasswordReset(ctx context.Context, hash []byte) (*invite.PasswordReset, error) {
	return query(ctx, s, func(d *data) (*invite.PasswordReset, error) {
		r, err := d.resetByToken(hash)
		if err != nil {
			return nil, err
		}
		return resetOut(r), nil
	})
}

// resetByToken returns the reset whose token has the given hash.
func (d *data) resetByToken(hash []byte) (invite.PasswordReset, error) {
	for _, r := range d.resets.rows {
		if sameHash(r.TokenHash, hash) {
			return r, nil
		}
	}
	return invite.PasswordReset{}, invite.ErrResetNotFound
}

// PrunePasswordResets implements invite.Store.
func (s *Store) PrunePasswordResets(ctx context.Context, before time.Time) (int, error) {
	return query(ctx, s, func(d *data) (int, error) {
		n := 0
		for id, r := range d.resets.rows {
			if r.CreatedAt.Before(before) {
				d.resets.delete(id)
				n++
			}
		}
		return n, nil
	})
}

// UsePasswordReset implements invite.Store. A reset of a user who no
// longer exists is ErrUserNotFound. When it was used is not kept: nothing
// reads it.
func (s *Store) UsePasswordReset(ctx context.Context, hash []byte, _ time.Time, use func(*invite.PasswordReset) (string, error)) (*invite.User, error) {
	return query(ctx, s, func(d *data) (*invite.User, error) {
		r, err := d.resetByToken(hash)
		if err != nil {
			return nil, err
		}
		pwHash, err := use(resetOut(r))
		if err != nil {
			return nil, err
		}
		u, ok := d.users.get(r.UserID)
		if !ok {
			return nil, invite.ErrUserNotFound
		}
		u.PasswordHash = pwHash
		if err := d.putUser(u); err != nil {
			return nil, err
		}
		r.State = invite.ResetUsed
		if err := d.putReset(r); err != nil {
			return nil, err
		}
		for k, sess := range d.sessions.rows {
			if sess.UserID == u.ID {
				d.sessions.delete(k)
			}
		}
		return userOut(u), nil
	})
}
