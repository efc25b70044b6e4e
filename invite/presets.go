package invite

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"
)

// Preset is a named set of an invitation's details that a company's
// administrators define once, such as "Plant Operator": business role,
// department, language, time zone, admin level and subscriptions with
// roles. Choosing it on the invite form, or naming it in a bulk row, fills
// what was left empty (Fill). A preset grants nothing by itself: the
// invitation made from it is validated as any other, so an administrator
// cannot use a preset to grant above their own roles.
//
// Every field but Name may be empty: a preset with no business role, for
// example, leaves the business role to whoever uses it.
type Preset struct {
	ID             int64
	CompanyID      int64
	Name           string // unique within the company regardless of case
	BusinessRoleID int64  // 0 for none
	Department     string
	Language       string     // "" for none (the company's default applies)
	TimeZone       string     // "" for none (the company's time zone applies)
	AdminLevel     AdminLevel // AdminNone or AdminCompany
	Grants         []Grant
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// The errors of presets.
var (
	ErrPresetNotFound = &Error{Code: CodeNotFound, Reason: "preset_not_found", Message: "The preset was not found."}
	ErrPresetExists   = &Error{Code: CodeConflict, Reason: "preset_exists", Message: "A preset with this name already exists in the company."}
	ErrPresetAboveYou = &Error{Code: CodeForbidden, Reason: "preset_above_you", Message: "This preset grants a role above your own; ask an administrator who holds it."}
)

// Fill sets the fields of in that are empty from the preset: explicit
// values win, so a form or a bulk row that names a preset may still
// change any of its details. The company is set only if in names none.
// Fill grants nothing: Invite validates the result as any invitation.
func (p *Preset) Fill(in *InvitationInput) {
	if in.CompanyID == 0 {
		in.CompanyID = p.CompanyID
	}
	if in.BusinessRoleID == 0 {
		in.BusinessRoleID = p.BusinessRoleID
	}
	if strings.TrimSpace(in.Department) == "" {
		in.Department = p.Department
	}
	if strings.TrimSpace(in.Language) == "" {
		in.Language = p.Language
	}
	if strings.TrimSpace(in.TimeZone) == "" {
		in.TimeZone = p.TimeZone
	}
	if in.AdminLevel == "" {
		in.AdminLevel = p.AdminLevel
	}
	if len(in.Grants) == 0 {
		in.Grants = slices.Clone(p.Grants)
	}
}

// CanManagePreset reports whether administrator actor may change or delete
// p: a Global Administrator any, a Company Administrator one of their
// company that grants no role above theirs.
func CanManagePreset(actor *User, p *Preset) bool {
	if actor.AdminLevel == AdminGlobal {
		return true
	}
	var v validator
	v.grantable("grants", actor, p.Grants)
	return administers(actor, p.CompanyID) && v.err() == nil
}

// presetName is the one way a preset's name is kept: in compatibility
// form (a fullwidth Ｐ is P) with its spaces one, so that two names a
// reader cannot tell apart in a list are one name (found from outside).
func presetName(name string) string {
	return strings.Join(strings.Fields(norm.NFKC.String(name)), " ")
}

// presetKey is the one spelling of a preset's name that names compare by.
func presetKey(name string) string { return strings.ToLower(presetName(name)) }

// Presets returns the presets of a company the acting administrator
// administers (0: a Company Administrator's own), ordered by name.
func (s *Service) Presets(ctx context.Context, companyID int64) ([]*Preset, error) {
	u, err := s.admin(ctx)
	if err != nil {
		return nil, err
	}
	if companyID == 0 {
		companyID = u.CompanyID
	}
	if !administers(u, companyID) {
		return nil, ErrCompanyNotFound
	}
	return s.st().Presets(ctx, companyID)
}

// Preset returns a preset of a company the acting administrator
// administers, and ErrPresetNotFound for any other.
func (s *Service) Preset(ctx context.Context, id int64) (*Preset, error) {
	_, p, err := s.visiblePreset(ctx, id)
	return p, err
}

// PresetByName returns the preset of the company whose name is name
// regardless of case, or ErrPresetNotFound: what a bulk row names.
func (s *Service) PresetByName(ctx context.Context, companyID int64, name string) (*Preset, error) {
	ps, err := s.Presets(ctx, companyID)
	if err != nil {
		return nil, err
	}
	key := presetKey(name)
	for _, p := range ps {
		if presetKey(p.Name) == key {
			return p, nil
		}
	}
	return nil, ErrPresetNotFound
}

// visiblePreset returns the acting administrator and the preset with the
// given ID, if they administer its company.
func (s *Service) visiblePreset(ctx context.Context, id int64) (*User, *Preset, error) {
	u, err := s.admin(ctx)
	if err != nil {
		return nil, nil, err
	}
	p, err := s.st().Preset(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	if !administers(u, p.CompanyID) {
		return nil, nil, ErrPresetNotFound
	}
	return u, p, nil
}

// CreatePreset stores a preset for p.CompanyID (0: a Company
// Administrator's own) and sets its ID, times and canonical values. Its
// grants may be at most what the acting administrator may grant, as when
// inviting; a name another preset of the company has, regardless of case,
// is ErrPresetExists at field "name".
func (s *Service) CreatePreset(ctx context.Context, p *Preset) error {
	u, err := s.admin(ctx)
	if err != nil {
		return err
	}
	c, err := s.companyFor(ctx, u, p.CompanyID)
	if err != nil {
		return err
	}
	clean, err := s.presetDetails(u, c, p)
	if err != nil {
		return err
	}
	now := s.clock()
	clean.CreatedAt, clean.UpdatedAt = now, now
	err = s.changeCompany(ctx, u, clean.CompanyID, "presets", map[string]any{"preset": clean.Name, "action": "created"}, func(tx *Service) error {
		return tx.st().CreatePreset(ctx, clean)
	})
	if err != nil {
		return presetConflict(err)
	}
	s.logger.Info("preset created", "preset", clean.ID, "name", clean.Name, "company", clean.CompanyID, "admin", u.ID)
	*p = *clean
	return nil
}

// UpdatePreset saves p's name and details over the preset with p.ID (its
// company stays). As CreatePreset, it may put only grants the acting
// administrator may grant; a preset that already grants above them is
// ErrPresetAboveYou.
func (s *Service) UpdatePreset(ctx context.Context, p *Preset) error {
	u, old, err := s.visiblePreset(ctx, p.ID)
	if err != nil {
		return err
	}
	if !CanManagePreset(u, old) {
		return ErrPresetAboveYou
	}
	c, err := s.st().Company(ctx, old.CompanyID)
	if err != nil {
		return err
	}
	clean, err := s.presetDetails(u, c, p)
	if err != nil {
		return err
	}
	clean.ID, clean.CreatedAt, clean.UpdatedAt = old.ID, old.CreatedAt, s.clock()
	ch := changes(presetFields(old), presetFields(clean))
	if ch == nil {
		*p = *old
		return nil // saved again as it is: no change, none recorded
	}
	d := map[string]any{"preset": clean.Name, "action": "changed", "changed": ch}
	err = s.changeCompany(ctx, u, old.CompanyID, "presets", d, func(tx *Service) error {
		return tx.st().UpdatePreset(ctx, clean)
	})
	if err != nil {
		return presetConflict(err)
	}
	s.logger.Info("preset changed", "preset", clean.ID, "name", clean.Name, "company", clean.CompanyID, "admin", u.ID)
	*p = *clean
	return nil
}

// DeletePreset deletes a preset. Invitations made from it keep what they
// were given.
func (s *Service) DeletePreset(ctx context.Context, id int64) error {
	u, p, err := s.visiblePreset(ctx, id)
	if err != nil {
		return err
	}
	if !CanManagePreset(u, p) {
		return ErrPresetAboveYou
	}
	err = s.changeCompany(ctx, u, p.CompanyID, "presets", map[string]any{"preset": p.Name, "action": "deleted"}, func(tx *Service) error {
		return tx.st().DeletePreset(ctx, id)
	})
	if err != nil {
		return err
	}
	s.logger.Info("preset deleted", "preset", id, "name", p.Name, "company", p.CompanyID, "admin", u.ID)
	return nil
}

// presetConflict names the field of a duplicate name.
func presetConflict(err error) error {
	if errors.Is(err, ErrPresetExists) {
		return withField(ErrPresetExists, "name")
	}
	return err
}

// presetDetails validates p against company c for administrator u, as
// an invitation's fields are validated, and returns the canonical preset
// of c without ID or times.
func (s *Service) presetDetails(u *User, c *Company, p *Preset) (*Preset, error) {
	var v validator
	out := &Preset{
		CompanyID:  c.ID,
		Name:       presetName(v.text("name", p.Name, true, MaxNameLen)),
		Department: v.text("department", p.Department, false, MaxTextLen),
		AdminLevel: p.AdminLevel,
	}
	if strings.TrimSpace(p.Language) != "" {
		out.Language = v.language("language", p.Language, "")
	}
	if strings.TrimSpace(p.TimeZone) != "" {
		out.TimeZone = v.timeZone("time_zone", p.TimeZone, "")
	}
	if p.BusinessRoleID != 0 {
		if _, ok := c.BusinessRole(p.BusinessRoleID); ok {
			out.BusinessRoleID = p.BusinessRoleID
		} else {
			v.add("business_role", ReasonUnknownBusinessRole, "is not a business role of the company")
		}
	}
	switch out.AdminLevel {
	case "":
		out.AdminLevel = AdminNone
	case AdminNone, AdminCompany:
	default:
		v.add("admin_level", ReasonInvalidAdminLevel, "must be none or company")
	}
	if len(p.Grants) > 0 {
		out.Grants = v.grants("grants", p.Grants, c)
		v.grantable("grants", u, out.Grants)
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	return out, nil
}

// companyPresets returns the presets of a company by presetKey, for
// fillPreset: read once for the many rows of a batch.
func (s *Service) companyPresets(ctx context.Context, companyID int64) (map[string]*Preset, error) {
	ps, err := s.st().Presets(ctx, companyID)
	if err != nil {
		return nil, err
	}
	m := make(map[string]*Preset, len(ps))
	for _, p := range ps {
		m[presetKey(p.Name)] = p
	}
	return m, nil
}

// fillPreset fills the fields in leaves empty from the preset it names
// (InvitationInput.Preset), one of presets (companyPresets), and then
// names none: a name that is not one of them is a field error at preset.
// The preset grants nothing by itself: what it fills is checked as any
// invitation's details, against whoever sends it.
func fillPreset(in *InvitationInput, presets map[string]*Preset) error {
	if in.Preset == "" {
		return nil
	}
	p, ok := presets[presetKey(in.Preset)]
	if !ok {
		var v validator
		v.add("preset", ReasonUnknownPreset, "is not a preset of the company")
		return v.err()
	}
	p.Fill(in)
	in.Preset = ""
	return nil
}

// presetFields returns what an administrator may change about p, for
// changes.
func presetFields(p *Preset) map[string]any {
	return map[string]any{
		"name":             p.Name,
		"business_role_id": p.BusinessRoleID,
		"department":       p.Department,
		"language":         p.Language,
		"time_zone":        p.TimeZone,
		"admin_level":      string(p.AdminLevel),
		"subscriptions":    grantsText(p.Grants),
	}
}
