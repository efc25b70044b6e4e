package store

import (
	"context"
	"database/sql"
	"strings"

	"github.com/uptrace/bun"

	"github.com/invitehq/invite/invite"
)

// CreateCompany implements invite.Store.
func (db *DB) CreateCompany(ctx context.Context, c *invite.Company) error {
	return db.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		row := &companyRow{
			Name:            c.Name,
			NameKey:         strings.ToLower(c.Name),
			DefaultLanguage: c.DefaultLanguage,
			TimeZone:        c.TimeZone,
			CreatedAt:       c.CreatedAt,
			JoinRequests:    c.JoinRequests,
		}
		if _, err := tx.NewInsert().Model(row).Exec(ctx); err != nil {
			return err
		}
		c.ID = row.ID
		for i := range c.Subscriptions {
			r := &subscriptionRow{CompanyID: c.ID, Name: c.Subscriptions[i].Name, Seats: c.Subscriptions[i].Seats}
			if _, err := tx.NewInsert().Model(r).Exec(ctx); err != nil {
				return err
			}
			c.Subscriptions[i].ID, c.Subscriptions[i].CompanyID = r.ID, c.ID
		}
		for i := range c.BusinessRoles {
			r := &businessRoleRow{CompanyID: c.ID, Name: c.BusinessRoles[i].Name}
			if _, err := tx.NewInsert().Model(r).Exec(ctx); err != nil {
				return err
			}
			c.BusinessRoles[i].ID, c.BusinessRoles[i].CompanyID = r.ID, c.ID
		}
		return nil
	})
}

// Company implements invite.Store.
func (db *DB) Company(ctx context.Context, id int64) (*invite.Company, error) {
	var rows []companyPartRow
	if err := db.idb().NewRaw(companyQuery, id, id, id, id).Scan(ctx, &rows); err != nil {
		return nil, translate(err)
	}
	if len(rows) == 0 || rows[0].PartKind != "" {
		return nil, invite.ErrCompanyNotFound
	}
	c := companyFromRow(&rows[0].companyRow)
	for _, r := range rows[1:] {
		switch r.PartKind {
		case "s":
			c.Subscriptions = append(c.Subscriptions, invite.Subscription{ID: r.PartID.Int64, CompanyID: c.ID, Name: r.PartName.String, Seats: int(r.PartSeats.Int64)})
		case "r":
			c.BusinessRoles = append(c.BusinessRoles, invite.BusinessRole{ID: r.PartID.Int64, CompanyID: c.ID, Name: r.PartName.String})
		case "d", "w":
			c.AllowedDomains = append(c.AllowedDomains, invite.AllowedDomain{Name: r.PartName.String, Subdomains: r.PartKind == "w"})
		}
	}
	sortDomains(c.AllowedDomains)
	return c, nil
}

// companyQuery reads a company with its subscriptions and business roles
// in one round trip: the company's row (an empty part_kind), then one row for
// each of its subscriptions ('s') and business roles ('r'), in the order
// they were registered, and of its allowed domains ('d', or 'w' with their
// subdomains), which Company orders by name. Only the first row carries
// the company's columns.
// Its columns are companyRow's, in the same order.
const companyQuery = `
SELECT c.id, c.name, c.name_key, c.default_language, c.time_zone, c.created_at, c.join_key_hash, c.join_requests, c.terms,
  '' AS part_kind, NULL AS part_id, NULL AS part_name, NULL AS part_seats
FROM companies AS c WHERE c.id = ?
UNION ALL
SELECT NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 's', s.id, s.name, s.seats FROM subscriptions AS s WHERE s.company_id = ?
UNION ALL
SELECT NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'r', r.id, r.name, NULL FROM business_roles AS r WHERE r.company_id = ?
UNION ALL
SELECT NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, CASE WHEN d.subdomains THEN 'w' ELSE 'd' END, NULL, d.name, NULL FROM company_domains AS d WHERE d.company_id = ?
ORDER BY part_kind, part_id, part_name`

// companyPartRow is a row of companyQuery.
type companyPartRow struct {
	companyRow `bun:",extend"`
	PartKind   string         `bun:"part_kind"`
	PartID     sql.NullInt64  `bun:"part_id"`
	PartName   sql.NullString `bun:"part_name"`
	PartSeats  sql.NullInt64  `bun:"part_seats"`
}

// Companies implements invite.Store.
func (db *DB) Companies(ctx context.Context) ([]*invite.Company, error) {
	var rows []*companyRow
	if err := db.idb().NewSelect().Model(&rows).OrderExpr("name_key, id").Scan(ctx); err != nil {
		return nil, translate(err)
	}
	cs := make([]*invite.Company, len(rows))
	for i, r := range rows {
		cs[i] = companyFromRow(r)
	}
	if err := db.loadCompanyParts(ctx, cs); err != nil {
		return nil, translate(err)
	}
	if err := loadAllowedDomains(ctx, db.idb(), cs...); err != nil {
		return nil, translate(err)
	}
	return cs, nil
}

// CompanyNames implements invite.Store.
func (db *DB) CompanyNames(ctx context.Context, ids []int64) (map[int64]string, error) {
	names := make(map[int64]string, len(ids))
	if len(ids) == 0 {
		return names, nil
	}
	var rows []companyRow
	if err := db.idb().NewSelect().Model(&rows).Column("id", "name").Where("id IN (?)", bun.List(ids)).Scan(ctx); err != nil {
		return nil, translate(err)
	}
	for _, r := range rows {
		names[r.ID] = r.Name
	}
	return names, nil
}

// loadCompanyParts loads the subscriptions and business roles of cs, in the
// order they were registered.
func (db *DB) loadCompanyParts(ctx context.Context, cs []*invite.Company) error {
	if len(cs) == 0 {
		return nil
	}
	byID := make(map[int64]*invite.Company, len(cs))
	ids := make([]int64, len(cs))
	for i, c := range cs {
		byID[c.ID], ids[i] = c, c.ID
	}
	var subs []subscriptionRow
	if err := db.idb().NewSelect().Model(&subs).Where("company_id IN (?)", bun.List(ids)).OrderExpr("id").Scan(ctx); err != nil {
		return err
	}
	for _, s := range subs {
		c := byID[s.CompanyID]
		c.Subscriptions = append(c.Subscriptions, invite.Subscription{ID: s.ID, CompanyID: s.CompanyID, Name: s.Name, Seats: s.Seats})
	}
	var roles []businessRoleRow
	if err := db.idb().NewSelect().Model(&roles).Where("company_id IN (?)", bun.List(ids)).OrderExpr("id").Scan(ctx); err != nil {
		return err
	}
	for _, r := range roles {
		c := byID[r.CompanyID]
		c.BusinessRoles = append(c.BusinessRoles, invite.BusinessRole{ID: r.ID, CompanyID: r.CompanyID, Name: r.Name})
	}
	return nil
}
