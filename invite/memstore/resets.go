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

// SavePasswordReset implements invite.Store. It saves the reset's state,
// user, token hash and expiry. A link was sent less than ResetInterval ago
// if another reset of the user, issued, superseded or used, was requested
// less than ResetInterval before r was.
func (s *Store) SavePasswordReset(ctx context.Context, r *invite.PasswordReset, msg *invite.Message) error {
	tooSoon, err := query(ctx, s, func(d *data) (bool, error) {
		if r.State == invite.ResetIssued {
			if _, ok := d.users.get(r.UserID); !ok {
				return false, invite.ErrUserNotFound
			}
			if d.linkSentSince(r.UserID, r.CreatedAt.Add(-invite.ResetInterval)) {
				row, ok := d.resets.get(r.ID)
				if !ok {
					return true, nil
				}
				row.State = invite.ResetDiscarded
				return true, d.putReset(row)
			}
			for _, o := range d.resets.where(func(o invite.PasswordReset) bool {
				return o.UserID == r.UserID && o.State == invite.ResetIssued
			}) {
				o.State = invite.ResetSuperseded
				if err := d.putReset(o); err != nil {
					return false, err
				}
			}
		}
		if row, ok := d.resets.get(r.ID); ok {
			row.State, row.UserID, row.TokenHash, row.ExpiresAt = r.State, r.UserID, bytes.Clone(r.TokenHash), utc(r.ExpiresAt)
			if err := d.putReset(row); err != nil {
				return false, err
			}
		}
		if msg != nil {
			return false, d.insertMessages([]*invite.Message{msg})
		}
		return false, nil
	})
	switch {
	case err != nil:
		return err
	case tooSoon:
		return invite.ErrResetTooSoon
	}
	return nil
}

// linkSentSince reports whether the user has a reset that was issued (and
// may since have been superseded or used) requested after since.
func (d *data) linkSentSince(userID int64, since time.Time) bool {
	for _, o := range d.resets.rows {
		switch o.State {
		case invite.ResetIssued, invite.ResetSuperseded, invite.ResetUsed:
			if o.UserID == userID && o.CreatedAt.After(since) {
				return true
			}
		}
	}
	return false
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
