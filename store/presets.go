package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/invitehq/invite/invite"
)

// presetRow is a row of presets (migration 0028).
type presetRow struct {
	bun.BaseModel `bun:"table:presets"`

	ID             int64     `bun:"id,pk,autoincrement"`
	CompanyID      int64     `bun:"company_id"`
	Name           string    `bun:"name"`
	NameKey        string    `bun:"name_key"`
	BusinessRoleID int64     `bun:"business_role_id,nullzero"`
	Department     string    `bun:"department"`
	Language       string    `bun:"language"`
	TimeZone       string    `bun:"time_zone"`
	AdminLevel     string    `bun:"admin_level"`
	Grants         string    `bun:"grants"`
	CreatedAt      time.Time `bun:"created_at"`
	UpdatedAt      time.Time `bun:"updated_at"`
}

func presetToRow(p *invite.Preset) *presetRow {
	return &presetRow{
		ID:             p.ID,
		CompanyID:      p.CompanyID,
		Name:           p.Name,
		NameKey:        strings.ToLower(p.Name),
		BusinessRoleID: p.BusinessRoleID,
		Department:     p.Department,
		Language:       p.Language,
		TimeZone:       p.TimeZone,
		AdminLevel:     string(p.AdminLevel),
		Grants:         encodeGrants(p.Grants),
		CreatedAt:      p.CreatedAt.UTC(),
		UpdatedAt:      p.UpdatedAt.UTC(),
	}
}

func presetFromRow(r *presetRow) (*invite.Preset, error) {
	grants, err := decodeGrants(r.Grants)
	if err != nil {
		return nil, fmt.Errorf("preset %d: %w", r.ID, err)
	}
	return &invite.Preset{
		ID:             r.ID,
		CompanyID:      r.CompanyID,
		Name:           r.Name,
		BusinessRoleID: r.BusinessRoleID,
		Department:     r.Department,
		Language:       r.Language,
		TimeZone:       r.TimeZone,
		AdminLevel:     invite.AdminLevel(r.AdminLevel),
		Grants:         grants,
		CreatedAt:      r.CreatedAt.UTC(),
		UpdatedAt:      r.UpdatedAt.UTC(),
	}, nil
}

// encodeGrants writes grants as "subscription_id:role" pairs joined by
// commas, ordered by subscription, as the column keeps them.
func encodeGrants(gs []invite.Grant) string {
	gs = slices.Clone(gs)
	slices.SortFunc(gs, func(a, b invite.Grant) int { return cmp.Compare(a.SubscriptionID, b.SubscriptionID) })
	parts := make([]string, len(gs))
	for i, g := range gs {
		parts[i] = strconv.FormatInt(g.SubscriptionID, 10) + ":" + string(g.Role)
	}
	return strings.Join(parts, ",")
}

// decodeGrants reads what encodeGrants wrote.
func decodeGrants(s string) ([]invite.Grant, error) {
	if s == "" {
		return nil, nil
	}
	var gs []invite.Grant
	for part := range strings.SplitSeq(s, ",") {
		id, role, ok := strings.Cut(part, ":")
		n, err := strconv.ParseInt(id, 10, 64)
		if !ok || err != nil || !invite.Role(role).Valid() {
			return nil, fmt.Errorf("grant %q cannot be read", part)
		}
		gs = append(gs, invite.Grant{SubscriptionID: n, Role: invite.Role(role)})
	}
	return gs, nil
}

// CreatePreset implements invite.Store.
func (db *DB) CreatePreset(ctx context.Context, p *invite.Preset) error {
	row := presetToRow(p)
	row.ID = 0
	if _, err := db.idb().NewInsert().Model(row).Exec(ctx); err != nil {
		return translate(err)
	}
	p.ID = row.ID
	return nil
}

// Preset implements invite.Store.
func (db *DB) Preset(ctx context.Context, id int64) (*invite.Preset, error) {
	row := new(presetRow)
	if err := db.idb().NewSelect().Model(row).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, translate(notFound(err, invite.ErrPresetNotFound))
	}
	p, err := presetFromRow(row)
	return p, translate(err)
}

// Presets implements invite.Store.
func (db *DB) Presets(ctx context.Context, companyID int64) ([]*invite.Preset, error) {
	var rows []*presetRow
	if err := db.idb().NewSelect().Model(&rows).Where("company_id = ?", companyID).OrderExpr("name_key, id").Scan(ctx); err != nil {
		return nil, translate(err)
	}
	ps := make([]*invite.Preset, 0, len(rows))
	for _, r := range rows {
		p, err := presetFromRow(r)
		if err != nil {
			return nil, translate(err)
		}
		ps = append(ps, p)
	}
	return ps, nil
}

// UpdatePreset implements invite.Store. One statement, so atomic alone:
// the grants are in the preset's row.
func (db *DB) UpdatePreset(ctx context.Context, p *invite.Preset) error {
	row := presetToRow(p)
	res, err := db.idb().NewUpdate().Model(row).
		Column("name", "name_key", "business_role_id", "department", "language", "time_zone", "admin_level", "grants", "updated_at").
		WherePK().Exec(ctx)
	if err != nil {
		return translate(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		// MySQL counts a row whose values did not change as not
		// affected: tell that from a row that is not there.
		var exists int
		err := db.idb().NewSelect().Model((*presetRow)(nil)).ColumnExpr("1").Where("id = ?", p.ID).Scan(ctx, &exists)
		return translate(notFound(err, invite.ErrPresetNotFound))
	}
	return nil
}

// DeletePreset implements invite.Store.
func (db *DB) DeletePreset(ctx context.Context, id int64) error {
	res, err := db.idb().NewDelete().Model((*presetRow)(nil)).Where("id = ?", id).Exec(ctx)
	if err != nil {
		return translate(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return invite.ErrPresetNotFound
	}
	return nil
}
