package memstore

import (
	"cmp"
	"context"
	"slices"

	"github.com/invitehq/invite/invite"
)

// CreatePreset implements invite.Store.
func (s *Store) CreatePreset(ctx context.Context, p *invite.Preset) error {
	id, err := query(ctx, s, func(d *data) (int64, error) {
		row := presetIn(p)
		row.ID = d.presetIDs.next()
		return row.ID, d.putPreset(row)
	})
	if err == nil {
		p.ID = id
	}
	return err
}

// Preset implements invite.Store.
func (s *Store) Preset(ctx context.Context, id int64) (*invite.Preset, error) {
	return query(ctx, s, func(d *data) (*invite.Preset, error) {
		p, ok := d.presets.get(id)
		if !ok {
			return nil, invite.ErrPresetNotFound
		}
		return presetOut(p), nil
	})
}

// Presets implements invite.Store.
func (s *Store) Presets(ctx context.Context, companyID int64) ([]*invite.Preset, error) {
	return query(ctx, s, func(d *data) ([]*invite.Preset, error) {
		ps := d.presets.where(func(p invite.Preset) bool { return p.CompanyID == companyID })
		slices.SortFunc(ps, func(a, b invite.Preset) int {
			return cmp.Or(cmp.Compare(nameKey(a.Name), nameKey(b.Name)), cmp.Compare(a.ID, b.ID))
		})
		var out []*invite.Preset
		for _, p := range ps {
			out = append(out, presetOut(p))
		}
		return out, nil
	})
}

// UpdatePreset implements invite.Store.
func (s *Store) UpdatePreset(ctx context.Context, p *invite.Preset) error {
	return s.do(ctx, func(d *data) error {
		old, ok := d.presets.get(p.ID)
		if !ok {
			return invite.ErrPresetNotFound
		}
		row := presetIn(p)
		row.CompanyID, row.CreatedAt = old.CompanyID, old.CreatedAt
		return d.putPreset(row)
	})
}

// DeletePreset implements invite.Store.
func (s *Store) DeletePreset(ctx context.Context, id int64) error {
	return s.do(ctx, func(d *data) error {
		if _, ok := d.presets.get(id); !ok {
			return invite.ErrPresetNotFound
		}
		d.presets.delete(id)
		return nil
	})
}

// putPreset stores p. A name that another preset of the company has,
// regardless of case, is ErrPresetExists; its business role and grants
// must be the company's.
func (d *data) putPreset(p invite.Preset) error {
	key := nameKey(p.Name)
	for _, o := range d.presets.rows {
		if o.ID != p.ID && o.CompanyID == p.CompanyID && nameKey(o.Name) == key {
			return invite.ErrPresetExists
		}
	}
	c, ok := d.companies.get(p.CompanyID)
	if !ok {
		return errInternal("preset %d: no company %d", p.ID, p.CompanyID)
	}
	if _, ok := c.BusinessRole(p.BusinessRoleID); p.BusinessRoleID != 0 && !ok {
		return errInternal("preset %d: no business role %d in company %d", p.ID, p.BusinessRoleID, p.CompanyID)
	}
	if err := d.checkGrants("preset", p.ID, p.CompanyID, p.Grants); err != nil {
		return err
	}
	d.presets.put(p.ID, p)
	return nil
}

func presetIn(p *invite.Preset) invite.Preset {
	c := *p
	c.Grants = grantsIn(p.Grants)
	c.CreatedAt, c.UpdatedAt = utc(c.CreatedAt), utc(c.UpdatedAt)
	return c
}

func presetOut(p invite.Preset) *invite.Preset {
	p.Grants = slices.Clone(p.Grants)
	return &p
}
