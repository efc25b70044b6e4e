package store

import (
	"cmp"
	"context"
	"slices"

	"github.com/uptrace/bun"

	"github.com/invitehq/invite/invite"
)

// companyDomainRow is an allowed e-mail domain of a company.
type companyDomainRow struct {
	bun.BaseModel `bun:"table:company_domains"`

	CompanyID  int64  `bun:"company_id,pk"`
	Name       string `bun:"name,pk"`
	Subdomains bool   `bun:"subdomains"`
}

// SetAllowedDomains implements invite.Store. The company's row is locked
// first, so that concurrent calls for one company take turns and one
// list stays whole.
func (db *DB) SetAllowedDomains(ctx context.Context, companyID int64, domains []invite.AllowedDomain) error {
	return db.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var id int64
		q := tx.NewSelect().Model((*companyRow)(nil)).Column("id").Where("id = ?", companyID)
		if err := db.forUpdate(q).Scan(ctx, &id); err != nil {
			return notFound(err, invite.ErrCompanyNotFound)
		}
		if _, err := tx.NewDelete().Model((*companyDomainRow)(nil)).Where("company_id = ?", companyID).Exec(ctx); err != nil {
			return err
		}
		if len(domains) == 0 {
			return nil
		}
		rows := make([]companyDomainRow, len(domains))
		for i, d := range domains {
			rows[i] = companyDomainRow{CompanyID: companyID, Name: d.Name, Subdomains: d.Subdomains}
		}
		_, err := tx.NewInsert().Model(&rows).Exec(ctx)
		return err
	})
}

// loadAllowedDomains loads the allowed domains of cs, ordered by name.
// (Company reads them in companyQuery's one round trip.)
func loadAllowedDomains(ctx context.Context, idb bun.IDB, cs ...*invite.Company) error {
	if len(cs) == 0 {
		return nil
	}
	byID := make(map[int64]*invite.Company, len(cs))
	ids := make([]int64, len(cs))
	for i, c := range cs {
		byID[c.ID], ids[i] = c, c.ID
	}
	var rows []companyDomainRow
	if err := idb.NewSelect().Model(&rows).Where("company_id IN (?)", bun.List(ids)).OrderExpr("company_id, name").Scan(ctx); err != nil {
		return err
	}
	for _, r := range rows {
		c := byID[r.CompanyID]
		c.AllowedDomains = append(c.AllowedDomains, invite.AllowedDomain{Name: r.Name, Subdomains: r.Subdomains})
	}
	for _, c := range cs {
		sortDomains(c.AllowedDomains)
	}
	return nil
}

// sortDomains orders allowed domains by name, as the bytes compare (the
// collations of the databases may not).
func sortDomains(ds []invite.AllowedDomain) {
	slices.SortFunc(ds, func(a, b invite.AllowedDomain) int { return cmp.Compare(a.Name, b.Name) })
}
