package memstore

import (
	"bytes"
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/invitehq/invite/invite"
)

// CreateAPIToken implements invite.Store.
func (s *Store) CreateAPIToken(ctx context.Context, t *invite.APIToken, limit int) error {
	id, err := query(ctx, s, func(d *data) (int64, error) {
		if _, ok := d.users.get(t.UserID); !ok {
			return 0, invite.ErrUserNotFound // the foreign key
		}
		if len(d.apiTokens.where(func(o invite.APIToken) bool { return o.UserID == t.UserID })) >= limit {
			return 0, invite.ErrTooManyAPITokens
		}
		row := *t
		row.ID = d.apiTokenIDs.next()
		row.Hash = slices.Clone(t.Hash)
		row.CreatedAt, row.LastUsedAt = utc(row.CreatedAt), utc(row.LastUsedAt)
		d.apiTokens.put(row.ID, row)
		return row.ID, nil
	})
	if err == nil {
		t.ID = id
	}
	return err
}

// APITokens implements invite.Store.
func (s *Store) APITokens(ctx context.Context, userID int64) ([]*invite.APIToken, error) {
	return query(ctx, s, func(d *data) ([]*invite.APIToken, error) {
		ts := ordered(&d.apiTokens, func(t invite.APIToken) bool { return t.UserID == userID })
		out := make([]*invite.APIToken, len(ts))
		for i := range ts {
			out[i] = apiTokenOut(ts[i])
		}
		return out, nil
	})
}

// APITokenByHash implements invite.Store.
func (s *Store) APITokenByHash(ctx context.Context, hash []byte) (*invite.APIToken, error) {
	return query(ctx, s, func(d *data) (*invite.APIToken, error) {
		for _, t := range d.apiTokens.rows {
			if len(hash) > 0 && bytes.Equal(t.Hash, hash) {
				return apiTokenOut(t), nil
			}
		}
		return nil, invite.ErrAPITokenNotFound
	})
}

// DeleteAPIToken implements invite.Store.
func (s *Store) DeleteAPIToken(ctx context.Context, userID, id int64) error {
	return s.do(ctx, func(d *data) error {
		t, ok := d.apiTokens.get(id)
		if !ok || t.UserID != userID {
			return invite.ErrAPITokenNotFound
		}
		d.apiTokens.delete(id)
		return nil
	})
}

// TouchAPIToken implements invite.Store.
func (s *Store) TouchAPIToken(ctx context.Context, id int64, at, stale time.Time) error {
	return s.do(ctx, func(d *data) error {
		t, ok := d.apiTokens.get(id)
		if ok && !t.LastUsedAt.After(stale) {
			t.LastUsedAt = utc(at)
			d.apiTokens.put(id, t)
		}
		return nil
	})
}

// deleteAPITokensOf deletes the tokens of the user with the given ID.
func (d *data) deleteAPITokensOf(userID int64) {
	for id, t := range d.apiTokens.rows {
		if t.UserID == userID {
			d.apiTokens.delete(id)
		}
	}
}

func apiTokenOut(t invite.APIToken) *invite.APIToken {
	t.Hash = slices.Clone(t.Hash)
	return &t
}

// CreateIdempotencyKey implements invite.Store.
func (s *Store) CreateIdempotencyKey(ctx context.Context, k *invite.IdempotencyKey) error {
	id, err := query(ctx, s, func(d *data) (int64, error) {
		for _, o := range d.idempotencyKeys.rows {
			if o.UserID == k.UserID && o.Key == k.Key {
				return 0, invite.ErrIdempotencyKeyExists
			}
		}
		row := *k
		row.ID = d.idempotencyIDs.next()
		row.Fingerprint, row.Response = slices.Clone(k.Fingerprint), slices.Clone(k.Response)
		row.CreatedAt = utc(row.CreatedAt)
		d.idempotencyKeys.put(row.ID, row)
		return row.ID, nil
	})
	if err == nil {
		k.ID = id
	}
	return err
}

// IdempotencyKey implements invite.Store.
func (s *Store) IdempotencyKey(ctx context.Context, userID int64, key string) (*invite.IdempotencyKey, error) {
	return query(ctx, s, func(d *data) (*invite.IdempotencyKey, error) {
		for _, k := range d.idempotencyKeys.rows {
			if k.UserID == userID && k.Key == key {
				k.Fingerprint, k.Response = slices.Clone(k.Fingerprint), slices.Clone(k.Response)
				return &k, nil
			}
		}
		return nil, invite.ErrIdempotencyKeyNotFound
	})
}

// PruneIdempotencyKeys implements invite.Store.
func (s *Store) PruneIdempotencyKeys(ctx context.Context, before time.Time, limit int) (int, error) {
	return query(ctx, s, func(d *data) (int, error) {
		old := d.idempotencyKeys.where(func(k invite.IdempotencyKey) bool { return k.CreatedAt.Before(before) })
		slices.SortFunc(old, func(a, b invite.IdempotencyKey) int { return cmp.Compare(a.ID, b.ID) })
		old = limited(old, limit)
		for _, k := range old {
			d.idempotencyKeys.delete(k.ID)
		}
		return len(old), nil
	})
}
