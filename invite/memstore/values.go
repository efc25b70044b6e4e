package memstore

import (
	"bytes"
	"cmp"
	"slices"
	"time"

	"github.com/invitehq/invite/invite"
)

// The functions below copy values in and out of the tables. A row shares
// nothing with the value it was made from, and a value handed out shares
// nothing with its row; times are kept in UTC, as package store keeps them.

func utc(t time.Time) time.Time { return t.UTC() }

// grantsIn returns a copy of gs ordered by subscription, the order in which
// package store reads them.
func grantsIn(gs []invite.Grant) []invite.Grant {
	c := slices.Clone(gs)
	slices.SortFunc(c, func(a, b invite.Grant) int { return cmp.Compare(a.SubscriptionID, b.SubscriptionID) })
	return c
}

func companyOut(c company) *invite.Company {
	out := c.Company
	out.Subscriptions = slices.Clone(c.Subscriptions)
	out.BusinessRoles = slices.Clone(c.BusinessRoles)
	out.AllowedDomains = slices.Clone(c.AllowedDomains)
	return &out
}

func userIn(u *invite.User) invite.User {
	c := *u
	c.Grants = grantsIn(u.Grants)
	c.CreatedAt, c.DisabledAt, c.LastLoginAt = utc(c.CreatedAt), utc(c.DisabledAt), utc(c.LastLoginAt)
	c.AccessFrom, c.AccessUntil = utc(c.AccessFrom), utc(c.AccessUntil)
	return c
}

func userOut(u invite.User) *invite.User {
	u.Grants = slices.Clone(u.Grants)
	return &u
}

func usersOut(us []invite.User) []*invite.User {
	if len(us) == 0 {
		return nil
	}
	out := make([]*invite.User, len(us))
	for i, u := range us {
		out[i] = userOut(u)
	}
	return out
}

func sessionIn(s *invite.Session) invite.Session {
	c := *s
	c.TokenHash = bytes.Clone(s.TokenHash)
	c.CreatedAt, c.ExpiresAt = utc(c.CreatedAt), utc(c.ExpiresAt)
	return c
}

// invitationIn returns the row of inv. Its Delivery is not kept but made
// from the outbox on every read.
func invitationIn(inv *invite.Invitation) invite.Invitation {
	c := *inv
	c.Grants = grantsIn(inv.Grants)
	c.TokenHash = bytes.Clone(inv.TokenHash)
	c.Delivery = nil
	for _, t := range []*time.Time{
		&c.CreatedAt, &c.ExpiresAt, &c.LastSentAt, &c.AcceptedAt, &c.CanceledAt,
		&c.RemindAt, &c.RemindedAt, &c.RenewalRequestedAt, &c.AccessFrom, &c.AccessUntil,
	} {
		*t = utc(*t)
	}
	return c
}

// invitationOut returns a copy of inv with the delivery of its latest
// message, if it has one.
func invitationOut(inv invite.Invitation, latest invite.Message, hasMessage bool) *invite.Invitation {
	inv.Grants = slices.Clone(inv.Grants)
	inv.TokenHash = bytes.Clone(inv.TokenHash)
	if hasMessage {
		inv.Delivery = &invite.Delivery{
			MessageID: latest.ID, Kind: latest.Kind, State: latest.State,
			Attempts: latest.Attempts, Error: latest.LastError, SentAt: latest.SentAt,
		}
	}
	return &inv
}

func messageIn(m *invite.Message) invite.Message {
	c := *m
	c.NextAttemptAt, c.CreatedAt, c.SentAt = utc(c.NextAttemptAt), utc(c.CreatedAt), utc(c.SentAt)
	return c
}

func messagesOut(ms []invite.Message) []*invite.Message {
	out := make([]*invite.Message, len(ms))
	for i := range ms {
		out[i] = &ms[i]
	}
	return out
}

func resetOut(r invite.PasswordReset) *invite.PasswordReset {
	r.TokenHash = bytes.Clone(r.TokenHash)
	return &r
}

func joinRequestIn(r *invite.JoinRequest) invite.JoinRequest {
	c := *r
	c.CreatedAt, c.DecidedAt = utc(c.CreatedAt), utc(c.DecidedAt)
	return c
}

func joinRequestsOut(rs []invite.JoinRequest) []*invite.JoinRequest {
	out := make([]*invite.JoinRequest, len(rs))
	for i := range rs {
		out[i] = &rs[i]
	}
	return out
}
