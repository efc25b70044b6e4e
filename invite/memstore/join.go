package memstore

import (
	"context"
	"time"

	"github.com/invitehq/invite/invite"
)

// CreateJoinRequest implements invite.Store. As package store, it keeps
// the request as it comes, without a decision.
func (s *Store) CreateJoinRequest(ctx context.Context, r *invite.JoinRequest) error {
	id, err := query(ctx, s, func(d *data) (int64, error) {
		row := joinRequestIn(r)
		row.ID = d.joinRequestIDs.next()
		row.DecidedAt, row.DecidedBy, row.InvitationID = time.Time{}, 0, 0
		return row.ID, d.putJoinRequest(row)
	})
	if err == nil {
		r.ID = id
	}
	return err
}

// ClaimJoinRequests implements invite.Store.
func (s *Store) ClaimJoinRequests(ctx context.Context, now, leaseUntil time.Time, limit int) ([]*invite.JoinRequest, error) {
	return query(ctx, s, func(d *data) ([]*invite.JoinRequest, error) {
		rs := limited(ordered(&d.joinRequests, func(r invite.JoinRequest) bool {
			return r.Status == invite.JoinRequested || r.Status == invite.JoinProcessing && !r.ClaimedUntil.After(now)
		}), limit)
		for i := range rs {
			rs[i].Status, rs[i].ClaimedUntil = invite.JoinProcessing, utc(leaseUntil)
			if err := d.putJoinRequest(rs[i]); err != nil {
				return nil, err
			}
		}
		return joinRequestsOut(rs), nil
	})
}

// SaveJoinRequest implements invite.Store. It saves the request's status.
func (s *Store) SaveJoinRequest(ctx context.Context, r *invite.JoinRequest, msgs []*invite.Message) error {
	return s.do(ctx, func(d *data) error {
		if row, ok := d.joinRequests.get(r.ID); ok {
			row.Status = r.Status
			if err := d.putJoinRequest(row); err != nil {
				return err
			}
		}
		return d.insertMessages(msgs)
	})
}

// JoinRequest implements invite.Store.
func (s *Store) JoinRequest(ctx context.Context, id int64) (*invite.JoinRequest, error) {
	return query(ctx, s, func(d *data) (*invite.JoinRequest, error) {
		r, ok := d.joinRequests.get(id)
		if !ok {
			return nil, invite.ErrJoinRequestNotFound
		}
		return &r, nil
	})
}

// JoinRequests implements invite.Store.
func (s *Store) JoinRequests(ctx context.Context, companyID int64, limit int) ([]*invite.JoinRequest, error) {
	return query(ctx, s, func(d *data) ([]*invite.JoinRequest, error) {
		rs := ordered(&d.joinRequests, func(r invite.JoinRequest) bool {
			return r.Status == invite.JoinPending && (companyID == 0 || r.CompanyID == companyID)
		})
		return joinRequestsOut(limited(rs, limit)), nil
	})
}

// DecideJoinRequest implements invite.Store. As package store, it answers
// ErrJoinRequestDecided for a request that does not exist, too; an
// invitationID of 0 leaves the request's invitation as it was.
func (s *Store) DecideJoinRequest(ctx context.Context, id int64, status invite.JoinStatus, by, invitationID int64, at time.Time) error {
	return s.do(ctx, func(d *data) error {
		r, ok := d.joinRequests.get(id)
		if !ok || r.Status != invite.JoinPending {
			return invite.ErrJoinRequestDecided
		}
		r.Status, r.DecidedAt, r.DecidedBy = status, utc(at), by
		if invitationID != 0 {
			r.InvitationID = invitationID
		}
		return d.putJoinRequest(r)
	})
}
