package memstore

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	"github.com/invitehq/invite/invite"
)

// CreateInvitation implements invite.Store.
func (s *Store) CreateInvitation(ctx context.Context, inv *invite.Invitation, msg *invite.Message) error {
	type ids struct{ invitation, message int64 }
	got, err := query(ctx, s, func(d *data) (ids, error) {
		row := invitationIn(inv)
		row.ID = d.invitationIDs.next()
		if err := d.putInvitation(row); err != nil || msg == nil {
			return ids{invitation: row.ID}, err
		}
		m := messageIn(msg)
		m.InvitationID = row.ID
		id, err := d.insertMessage(m)
		return ids{row.ID, id}, err
	})
	if err != nil {
		return err
	}
	inv.ID = got.invitation
	if msg != nil {
		msg.ID, msg.InvitationID = got.message, got.invitation
		inv.Delivery = &invite.Delivery{MessageID: msg.ID, Kind: msg.Kind, State: msg.State}
	}
	return nil
}

// Invitation implements invite.Store.
func (s *Store) Invitation(ctx context.Context, id int64) (*invite.Invitation, error) {
	return query(ctx, s, func(d *data) (*invite.Invitation, error) {
		inv, ok := d.invitations.get(id)
		if !ok {
			return nil, invite.ErrInvitationNotFound
		}
		return d.invitationOut(inv), nil
	})
}

// InvitationByTokenHash implements invite.Store.
func (s *Store) InvitationByTokenHash(ctx context.Context, hash []byte) (*invite.Invitation, error) {
	return query(ctx, s, func(d *data) (*invite.Invitation, error) {
		inv, err := d.invitationByToken(hash)
		if err != nil {
			return nil, err
		}
		return d.invitationOut(inv), nil
	})
}

// invitationByToken returns the invitation whose current token has the
// given hash.
func (d *data) invitationByToken(hash []byte) (invite.Invitation, error) {
	for _, inv := range d.invitations.rows {
		if sameHash(inv.TokenHash, hash) {
			return inv, nil
		}
	}
	return invite.Invitation{}, invite.ErrInvitationNotFound
}

// invitationsOut returns copies of invs, each with the delivery of its
// latest message.
func (d *data) invitationsOut(invs []invite.Invitation) []*invite.Invitation {
	latest := make(map[int64]invite.Message)
	for _, m := range d.messages.rows {
		if l, ok := latest[m.InvitationID]; m.InvitationID != 0 && (!ok || m.ID > l.ID) {
			latest[m.InvitationID] = m
		}
	}
	out := make([]*invite.Invitation, len(invs))
	for i, inv := range invs {
		m, ok := latest[inv.ID]
		out[i] = invitationOut(inv, m, ok)
	}
	return out
}

// invitationOut returns a copy of inv with the delivery of its latest
// message.
func (d *data) invitationOut(inv invite.Invitation) *invite.Invitation {
	return d.invitationsOut([]invite.Invitation{inv})[0]
}

// Invitations implements invite.Store.
func (s *Store) Invitations(ctx context.Context, q invite.InvitationQuery) ([]*invite.Invitation, error) {
	return query(ctx, s, func(d *data) ([]*invite.Invitation, error) {
		invs := d.invitations.where(func(inv invite.Invitation) bool {
			return (q.CompanyID == 0 || inv.CompanyID == q.CompanyID) &&
				(q.Status == "" || inv.StatusAt(q.Now) == q.Status) &&
				strings.Contains(inv.Email, q.Email) &&
				(q.PendingEmail == "" || (holdsPlace(inv) && inv.Email == q.PendingEmail)) &&
				(q.SentBy == 0 || inv.LastSentBy == q.SentBy) &&
				(q.After == nil || newestFirst(inv, q.After.CreatedAt, q.After.ID) > 0)
		})
		slices.SortFunc(invs, func(a, b invite.Invitation) int { return newestFirst(a, b.CreatedAt, b.ID) })
		return d.invitationsOut(limited(invs, q.Limit)), nil
	})
}

// newestFirst places inv in the order of Invitations (by CreatedAt, then
// ID, both descending) against the invitation created at createdAt with
// the given ID: it is negative if inv comes before it, positive if after,
// and 0 if inv is that one.
func newestFirst(inv invite.Invitation, createdAt time.Time, id int64) int {
	if c := createdAt.Compare(inv.CreatedAt); c != 0 {
		return c
	}
	return cmp.Compare(id, inv.ID)
}

// UpdateInvitation implements invite.Store. It saves every field of the
// invitation update changed but the ID, and returns it.
func (s *Store) UpdateInvitation(ctx context.Context, id int64, update func(*invite.Invitation) (*invite.Message, error)) (*invite.Invitation, error) {
	return query(ctx, s, func(d *data) (*invite.Invitation, error) {
		row, ok := d.invitations.get(id)
		if !ok {
			return nil, invite.ErrInvitationNotFound
		}
		inv := d.invitationOut(row)
		msg, err := update(inv)
		if err != nil {
			return nil, err
		}
		row = invitationIn(inv)
		row.ID = id
		if err := d.putInvitation(row); err != nil || msg == nil {
			return inv, err
		}
		m := messageIn(msg)
		m.InvitationID = id
		if m.ID, err = d.insertMessage(m); err != nil {
			return nil, err
		}
		msg.ID, msg.InvitationID = m.ID, id
		inv.Delivery = &invite.Delivery{MessageID: m.ID, Kind: m.Kind, State: m.State}
		return inv, nil
	})
}

// AcceptInvitation implements invite.Store. The invitation is saved as
// UpdateInvitation saves it.
func (s *Store) AcceptInvitation(ctx context.Context, hash []byte, accept func(*invite.Invitation) (*invite.User, error)) (*invite.Invitation, *invite.User, error) {
	type accepted struct {
		inv *invite.Invitation
		u   *invite.User
	}
	got, err := query(ctx, s, func(d *data) (accepted, error) {
		row, err := d.invitationByToken(hash)
		if err != nil {
			return accepted{}, err
		}
		inv := d.invitationOut(row)
		u, err := accept(inv)
		if err != nil {
			return accepted{}, err
		}
		var userID int64
		if u != nil {
			if userID, err = d.createUser(u); err != nil {
				return accepted{}, err
			}
			inv.AcceptedBy = userID
		}
		saved := invitationIn(inv)
		saved.ID = row.ID
		if err := d.putInvitation(saved); err != nil {
			return accepted{}, err
		}
		if u != nil {
			u.ID = userID
		}
		return accepted{inv, u}, nil
	})
	return got.inv, got.u, err
}

// ExpireInvitations implements invite.Store. It marks those that expired
// first.
func (s *Store) ExpireInvitations(ctx context.Context, now time.Time, limit int) ([]*invite.Invitation, error) {
	return query(ctx, s, func(d *data) ([]*invite.Invitation, error) {
		due := ordered(&d.invitations, func(inv invite.Invitation) bool {
			return inv.Status == invite.StatusPending && !inv.ExpiresAt.After(now)
		})
		slices.SortStableFunc(due, func(a, b invite.Invitation) int { return a.ExpiresAt.Compare(b.ExpiresAt) })
		due = limited(due, limit)
		var marked []*invite.Invitation
		for _, inv := range due {
			inv.Status, inv.RemindAt = invite.StatusExpired, time.Time{}
			if err := d.putInvitation(inv); err != nil {
				return nil, err
			}
			marked = append(marked, &invite.Invitation{ID: inv.ID, CompanyID: inv.CompanyID, Email: inv.Email, ExpiresAt: inv.ExpiresAt, Status: inv.Status})
		}
		return marked, nil
	})
}

// DueReminders implements invite.Store.
func (s *Store) DueReminders(ctx context.Context, now time.Time, limit int) ([]*invite.Invitation, error) {
	return query(ctx, s, func(d *data) ([]*invite.Invitation, error) {
		due := ordered(&d.invitations, func(inv invite.Invitation) bool {
			return inv.Status == invite.StatusPending && !inv.RemindAt.IsZero() && !inv.RemindAt.After(now) && inv.ExpiresAt.After(now)
		})
		slices.SortStableFunc(due, func(a, b invite.Invitation) int { return a.RemindAt.Compare(b.RemindAt) })
		return d.invitationsOut(limited(due, limit)), nil
	})
}
