package memstore

import (
	"bytes"
	"cmp"
	"context"
	"slices"
	"strings"

	"github.com/invitehq/invite/invite"
)

// nameKey is what makes two company names the same.
func nameKey(name string) string { return strings.ToLower(name) }

// CreateCompany implements invite.Store.
func (s *Store) CreateCompany(ctx context.Context, c *invite.Company) error {
	row, err := query(ctx, s, func(d *data) (company, error) {
		row := company{Company: *c}
		row.ID, row.CreatedAt, row.joinKey = d.companyIDs.next(), utc(c.CreatedAt), nil
		row.Subscriptions, row.BusinessRoles, row.AllowedDomains = nil, nil, nil
		for _, sub := range c.Subscriptions {
			row.Subscriptions = append(row.Subscriptions, invite.Subscription{ID: d.subscriptionIDs.next(), CompanyID: row.ID, Name: sub.Name, Seats: sub.Seats})
		}
		for _, r := range c.BusinessRoles {
			row.BusinessRoles = append(row.BusinessRoles, invite.BusinessRole{ID: d.businessRoleIDs.next(), CompanyID: row.ID, Name: r.Name})
		}
		return row, d.putCompany(row)
	})
	if err != nil {
		return err
	}
	c.ID = row.ID
	for i := range c.Subscriptions {
		c.Subscriptions[i].ID, c.Subscriptions[i].CompanyID = row.Subscriptions[i].ID, row.ID
	}
	for i := range c.BusinessRoles {
		c.BusinessRoles[i].ID, c.BusinessRoles[i].CompanyID = row.BusinessRoles[i].ID, row.ID
	}
	return nil
}

// Company implements invite.Store.
func (s *Store) Company(ctx context.Context, id int64) (*invite.Company, error) {
	return query(ctx, s, func(d *data) (*invite.Company, error) {
		c, ok := d.companies.get(id)
		if !ok {
			return nil, invite.ErrCompanyNotFound
		}
		return companyOut(c), nil
	})
}

// Companies implements invite.Store. Companies whose names differ only in
// case cannot both exist, so the order is by name regardless of case.
func (s *Store) Companies(ctx context.Context) ([]*invite.Company, error) {
	return query(ctx, s, func(d *data) ([]*invite.Company, error) {
		cs := ordered(&d.companies, every)
		slices.SortStableFunc(cs, func(a, b company) int { return cmp.Compare(nameKey(a.Name), nameKey(b.Name)) })
		out := make([]*invite.Company, len(cs))
		for i, c := range cs {
			out[i] = companyOut(c)
		}
		return out, nil
	})
}

// CompanyNames implements invite.Store.
func (s *Store) CompanyNames(ctx context.Context, ids []int64) (map[int64]string, error) {
	return query(ctx, s, func(d *data) (map[int64]string, error) {
		names := make(map[int64]string, len(ids))
		for _, id := range ids {
			if c, ok := d.companies.get(id); ok {
				names[id] = c.Name
			}
		}
		return names, nil
	})
}

// CompanyByJoinKey implements invite.Store. As package store's, the
// company it returns has no subscriptions or business roles: a join page
// shows none. It has its allowed domains, which the join page follows.
func (s *Store) CompanyByJoinKey(ctx context.Context, hash []byte) (*invite.Company, error) {
	return query(ctx, s, func(d *data) (*invite.Company, error) {
		for _, c := range d.companies.rows {
			if c.JoinRequests && sameHash(c.joinKey, hash) {
				out := c.Company
				out.Subscriptions, out.BusinessRoles = nil, nil
				out.AllowedDomains = slices.Clone(c.AllowedDomains)
				return &out, nil
			}
		}
		return nil, invite.ErrCompanyNotFound
	})
}

// SetTerms implements invite.Store.
func (s *Store) SetTerms(ctx context.Context, companyID int64, terms string) error {
	return s.do(ctx, func(d *data) error {
		c, ok := d.companies.get(companyID)
		if !ok {
			return invite.ErrCompanyNotFound
		}
		c.Terms = terms
		return d.putCompany(c)
	})
}

// SetJoinKey implements invite.Store.
func (s *Store) SetJoinKey(ctx context.Context, companyID int64, hash []byte) error {
	return s.do(ctx, func(d *data) error {
		c, ok := d.companies.get(companyID)
		if !ok {
			return invite.ErrCompanyNotFound
		}
		c.joinKey, c.JoinRequests = bytes.Clone(hash), hash != nil
		return d.putCompany(c)
	})
}

// SetAllowedDomains implements invite.Store.
func (s *Store) SetAllowedDomains(ctx context.Context, companyID int64, domains []invite.AllowedDomain) error {
	return s.do(ctx, func(d *data) error {
		c, ok := d.companies.get(companyID)
		if !ok {
			return invite.ErrCompanyNotFound
		}
		c.AllowedDomains = slices.Clone(domains)
		slices.SortFunc(c.AllowedDomains, func(a, b invite.AllowedDomain) int { return cmp.Compare(a.Name, b.Name) })
		if len(c.AllowedDomains) == 0 {
			c.AllowedDomains = nil
		}
		return d.putCompany(c)
	})
}
