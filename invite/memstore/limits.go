package memstore

import (
	"context"
	"time"
)

// UpdateLimits implements invite.Store. Every key it is given is kept from
// then on, with the time update returns for it (the zero time if update
// returns that), until PruneLimits deletes it. An update that returns
// fewer or more times than keys is an internal error.
func (s *Store) UpdateLimits(ctx context.Context, keys [][]byte, update func([]time.Time) ([]time.Time, error)) error {
	return s.do(ctx, func(d *data) error {
		tats := make([]time.Time, len(keys))
		for i, k := range keys {
			tats[i], _ = d.limits.get(string(k))
		}
		next, err := update(tats)
		if err != nil {
			return err
		}
		if len(next) != len(keys) {
			return errInternal("update returned %d times for %d limits", len(next), len(keys))
		}
		for i, k := range keys {
			d.limits.put(string(k), utc(next[i]))
		}
		return nil
	})
}

// PruneLimits implements invite.Store.
func (s *Store) PruneLimits(ctx context.Context, now time.Time) (int, error) {
	return query(ctx, s, func(d *data) (int, error) {
		n := 0
		for k, tat := range d.limits.rows {
			if !tat.After(now) {
				d.limits.delete(k)
				n++
			}
		}
		return n, nil
	})
}
