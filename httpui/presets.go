package httpui

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/invitehq/invite/invite"
)

// presetsData is a company's presets page: the companies to choose from
// (a Global Administrator), the company shown and its presets' rows.
type presetsData struct {
	Companies []*invite.Company
	Company   *invite.Company
	Rows      []presetRowView
}

// presetRowView is a row of the presets table, its texts ready.
type presetRowView struct {
	ID                                          int64
	Name, BusinessRole, Department, Language    string
	TimeZone, Admin, Grants, Confirm, CompanyID string
	Manage                                      bool // the viewer may edit and delete it
}

// presetForm is the preset editor as typed: its name, and the fields it
// shares with the invite form (business role, department, language, time
// zone, admin, subscriptions), read as that form's.
type presetForm struct {
	ID   int64
	Name string
	Form *invitationForm
}

// presetEditData is the preset editor with its company.
type presetEditData struct {
	Company *invite.Company
	F       *presetForm
}

// presetsCompany returns the company the presets page shows: the one
// named by ?company=, or the viewer's own, or a Global Administrator's
// first; nil when there is none yet.
func (h *handlers) presetsCompany(c echo.Context, id int64) (*invite.Company, []*invite.Company, error) {
	ctx := c.Request().Context()
	u := userOf(c)
	var all []*invite.Company
	if u.AdminLevel == invite.AdminGlobal {
		cs, err := h.svc.Companies(ctx)
		if err != nil {
			return nil, nil, err
		}
		all = cs
		if id == 0 && len(cs) > 0 {
			id = cs[0].ID
		}
	}
	if id == 0 {
		id = u.CompanyID
	}
	if id == 0 {
		return nil, all, nil
	}
	co, err := h.svc.Company(ctx, id)
	return co, all, err
}

// presets lists a company's presets.
func (h *handlers) presets(c echo.Context) error {
	co, all, err := h.presetsCompany(c, formInt(c, "company"))
	if err != nil {
		return err
	}
	data := &presetsData{Companies: all, Company: co}
	v := h.newView(c, "presets", "presets_title", data)
	if co != nil {
		ps, err := h.svc.Presets(c.Request().Context(), co.ID)
		if err != nil {
			return err
		}
		for _, p := range ps {
			data.Rows = append(data.Rows, v.presetRow(co, p))
		}
	}
	return h.render(c, http.StatusOK, "presets", "", v)
}

// presetRow makes the row of p of company co.
func (v *view) presetRow(co *invite.Company, p *invite.Preset) presetRowView {
	L := v.L
	r := presetRowView{ID: p.ID, Name: p.Name, Department: p.Department, TimeZone: p.TimeZone, CompanyID: strconv.FormatInt(co.ID, 10)}
	if br, ok := co.BusinessRole(p.BusinessRoleID); ok {
		r.BusinessRole = br.Name
	}
	if p.Language != "" {
		r.Language = L.T("language_" + p.Language)
	}
	if p.AdminLevel == invite.AdminCompany {
		r.Admin = L.T("company_admin")
	}
	var grants []string
	for _, g := range p.Grants {
		if s, ok := co.Subscription(g.SubscriptionID); ok {
			grants = append(grants, s.Name+" ("+L.T("role_"+string(g.Role))+")")
		}
	}
	r.Grants = strings.Join(grants, ", ")
	r.Manage = v.User != nil && invite.CanManagePreset(v.User, p)
	r.Confirm = L.T("preset_delete_confirm", "Name", p.Name)
	return r
}

// presetID reads the :id of the path.
func presetID(c echo.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, invite.ErrPresetNotFound
	}
	return id, nil
}

// pathPreset returns the preset the :id of the path names, if the viewer
// may change it.
func (h *handlers) pathPreset(c echo.Context) (*invite.Preset, error) {
	id, err := presetID(c)
	if err != nil {
		return nil, err
	}
	p, err := h.svc.Preset(c.Request().Context(), id)
	if err != nil {
		return nil, err
	}
	if !invite.CanManagePreset(userOf(c), p) {
		return nil, invite.ErrPresetAboveYou
	}
	return p, nil
}

// formFromPreset fills the editor from a preset.
func formFromPreset(p *invite.Preset) *presetForm {
	f := &invitationForm{
		CompanyID: p.CompanyID, BusinessRoleID: p.BusinessRoleID, Department: p.Department,
		Language: p.Language, TimeZone: p.TimeZone, Admin: p.AdminLevel == invite.AdminCompany,
		Grants: map[int64]invite.Role{},
	}
	for _, g := range p.Grants {
		f.Grants[g.SubscriptionID] = g.Role
	}
	return &presetForm{ID: p.ID, Name: p.Name, Form: f}
}

// parsePresetForm reads the editor.
func parsePresetForm(c echo.Context) (*presetForm, error) {
	f, err := parseInvitationForm(c)
	if err != nil {
		return nil, err
	}
	// A preset may leave the business role and the subscriptions empty,
	// so a value that is no ID is not taken for none: the service is
	// given one no company has, and says so at its field.
	if v := c.FormValue("business_role"); v != "" && f.BusinessRoleID <= 0 {
		f.BusinessRoleID = -1
	}
	params, err := c.FormParams()
	if err != nil {
		return nil, err
	}
	for _, v := range params["grant"] {
		if id, err := strconv.ParseInt(v, 10, 64); err != nil || id <= 0 {
			f.Grants[-1] = invite.RoleViewer
		}
	}
	return &presetForm{Name: c.FormValue("name"), Form: f}, nil
}

// preset returns the preset the form describes.
func (f *presetForm) preset() *invite.Preset {
	p := &invite.Preset{
		ID: f.ID, CompanyID: f.Form.CompanyID, Name: f.Name, BusinessRoleID: f.Form.BusinessRoleID,
		Department: f.Form.Department, Language: f.Form.Language, TimeZone: f.Form.TimeZone,
		AdminLevel: invite.AdminNone, Grants: f.Form.grantList(),
	}
	if f.Form.Admin {
		p.AdminLevel = invite.AdminCompany
	}
	return p
}

// presetEditor renders the editor of f in company co, with errs.
func (h *handlers) presetEditor(c echo.Context, status int, co *invite.Company, f *presetForm, err error) error {
	title := "preset_new_title"
	if f.ID != 0 {
		title = "preset_edit_title"
	}
	v := h.newView(c, "presets", title, &presetEditData{Company: co, F: f})
	if err != nil {
		errs := fieldErrors(err)
		if errs == nil {
			return err
		}
		v.Errors = grantErrors(errs, f.Form.grantList())
		v.Problem = v.L.T("form_invalid")
		if e, ok := asError(err); ok && e.Code != invite.CodeInvalid {
			v.Problem = v.L.Error(err) // a name taken
		} else if msg := unplacedGrantError(v.L, v.Errors, co); msg != "" {
			v.Problem = msg
		}
		status = statusOf(invite.ErrorCode(err))
	}
	return h.render(c, status, "preset_edit", "preset-form", v)
}

// newPreset opens an empty editor for a company's new preset.
func (h *handlers) newPreset(c echo.Context) error {
	co, _, err := h.presetsCompany(c, formInt(c, "company"))
	if err != nil {
		return err
	}
	if co == nil {
		return invite.ErrCompanyNotFound
	}
	f := &presetForm{Form: &invitationForm{CompanyID: co.ID, Grants: map[int64]invite.Role{}}}
	return h.presetEditor(c, http.StatusOK, co, f, nil)
}

// createPreset makes a preset, and leads back to the list.
func (h *handlers) createPreset(c echo.Context) error {
	f, err := parsePresetForm(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	co, err := h.svc.Company(ctx, f.Form.CompanyID)
	if err != nil {
		return err
	}
	p := f.preset()
	if err := h.svc.CreatePreset(ctx, p); err != nil {
		return h.presetEditor(c, http.StatusUnprocessableEntity, co, f, err)
	}
	return redirect(c, fmt.Sprintf("/admin/presets?company=%d&done=preset_created", co.ID))
}

// editPreset opens a preset's editor.
func (h *handlers) editPreset(c echo.Context) error {
	p, err := h.pathPreset(c)
	if err != nil {
		return err
	}
	co, err := h.svc.Company(c.Request().Context(), p.CompanyID)
	if err != nil {
		return err
	}
	return h.presetEditor(c, http.StatusOK, co, formFromPreset(p), nil)
}

// savePreset saves a preset's editor, and leads back to the list.
func (h *handlers) savePreset(c echo.Context) error {
	old, err := h.pathPreset(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	co, err := h.svc.Company(ctx, old.CompanyID)
	if err != nil {
		return err
	}
	f, err := parsePresetForm(c)
	if err != nil {
		return err
	}
	f.ID, f.Form.CompanyID = old.ID, co.ID
	if err := h.svc.UpdatePreset(ctx, f.preset()); err != nil {
		return h.presetEditor(c, http.StatusUnprocessableEntity, co, f, err)
	}
	return redirect(c, fmt.Sprintf("/admin/presets?company=%d&done=preset_saved", co.ID))
}

// confirmDeletePreset asks before deleting, without JavaScript; htmx asks
// with hx-confirm and posts directly.
func (h *handlers) confirmDeletePreset(c echo.Context) error {
	p, err := h.pathPreset(c)
	if err != nil {
		return err
	}
	return h.render(c, http.StatusOK, "preset_delete", "", h.newView(c, "presets", "preset_delete_title", p))
}

// deletePreset deletes a preset: under htmx its row goes, with a
// confirmation; otherwise back to the list.
func (h *handlers) deletePreset(c echo.Context) error {
	p, err := h.pathPreset(c)
	if err != nil {
		return err
	}
	if err := h.svc.DeletePreset(c.Request().Context(), p.ID); err != nil {
		return err
	}
	if !inPlace(c, "/admin/presets") {
		return redirect(c, fmt.Sprintf("/admin/presets?company=%d&done=preset_deleted", p.CompanyID))
	}
	v := h.newView(c, "presets", "presets_title", nil)
	v.Flash = v.L.T("done_preset_deleted")
	c.Response().Header().Set("HX-Retarget", fmt.Sprintf("#preset-%d", p.ID))
	c.Response().Header().Set("HX-Reswap", "outerHTML")
	return h.render(c, http.StatusOK, "presets", "preset-row-deleted", v)
}

// applyPreset fills the invite form from the preset chosen on it: each
// detail the preset sets replaces the form's, what it leaves empty stays,
// and the invitee's names, address and phone are kept as typed. The
// fields stay editable; the invitation is checked as any on sending.
func (h *handlers) applyPreset(c echo.Context, f *invitationForm) error {
	var note *formNote
	if f.CompanyID == 0 { // a Company Administrator's form names none
		f.CompanyID = userOf(c).CompanyID
	}
	if f.Preset != 0 {
		p, err := h.svc.Preset(c.Request().Context(), f.Preset)
		if err != nil || p.CompanyID != f.CompanyID {
			f.Preset = 0 // not one of this company's (any more): nothing to apply
		} else {
			applyPresetToForm(p, f)
			note = &formNote{Focus: "preset", Say: trOf(c).T("preset_applied", "Name", p.Name)}
			// A role above the sender's is marked where the form would
			// offer only theirs, never lowered unsaid (found from
			// outside).
			if errs := aboveOwnRoles(userOf(c), p); errs != nil {
				return h.refreshFormWith(c, f, nil, note, errs, trOf(c).T("preset_above_you", "Name", p.Name))
			}
		}
	}
	return h.refreshFormNoting(c, f, nil, note)
}

// aboveOwnRoles returns the errors, by the form's role fields, of the
// grants of p above what u may grant; nil if there are none.
func aboveOwnRoles(u *invite.User, p *invite.Preset) map[string]*invite.FieldError {
	var errs map[string]*invite.FieldError
	for _, g := range p.Grants {
		if !slices.Contains(invite.GrantableRoles(u, g.SubscriptionID), g.Role) {
			if errs == nil {
				errs = map[string]*invite.FieldError{}
			}
			name := fmt.Sprintf("role_%d", g.SubscriptionID)
			errs[name] = &invite.FieldError{Field: name, Reason: invite.ReasonAboveOwnRole, Message: "is above your own role"}
		}
	}
	return errs
}

// applyPresetToForm sets the details p sets on the form.
func applyPresetToForm(p *invite.Preset, f *invitationForm) {
	if p.BusinessRoleID != 0 {
		f.BusinessRoleID = p.BusinessRoleID
	}
	if p.Department != "" {
		f.Department = p.Department
	}
	if p.Language != "" {
		f.Language = p.Language
	}
	if p.TimeZone != "" {
		f.TimeZone = p.TimeZone
	}
	f.Admin = p.AdminLevel == invite.AdminCompany
	if len(p.Grants) > 0 {
		f.Grants, f.Roles = map[int64]invite.Role{}, map[int64]invite.Role{}
		for _, g := range p.Grants {
			f.Grants[g.SubscriptionID] = g.Role
		}
	}
	f.PresetApplied = p.ID
}

// fillFromPreset fills what the invite form left empty from the preset
// chosen on it but not applied (without JavaScript, sent before "Apply
// preset"), as a bulk row that names a preset is filled.
func (h *handlers) fillFromPreset(c echo.Context, f *invitationForm, in *invite.InvitationInput) {
	if f.Preset == 0 || f.Preset == f.PresetApplied {
		return
	}
	p, err := h.svc.Preset(c.Request().Context(), f.Preset)
	if err != nil || p.CompanyID != in.CompanyID && in.CompanyID != 0 {
		return // the invitation says what is wrong with what is left
	}
	p.Fill(in)
	// A form refused comes back as it was sent, filled: its errors are at
	// the subscriptions the preset gave (found from outside: a preset above
	// the sender's roles came back with no field marked).
	f.BusinessRoleID, f.Department, f.Language, f.TimeZone = in.BusinessRoleID, in.Department, in.Language, in.TimeZone
	f.Admin = in.AdminLevel == invite.AdminCompany
	if f.Grants == nil {
		f.Grants = map[int64]invite.Role{}
	}
	for _, g := range in.Grants {
		f.Grants[g.SubscriptionID] = g.Role
	}
	in.Grants = f.grantList()
}

// offerPresets puts the presets of company co on the invite form, and
// forgets a chosen one that is not among them (another company's).
func (h *handlers) offerPresets(c echo.Context, data *inviteData, co *invite.Company) error {
	ps, err := h.svc.Presets(c.Request().Context(), co.ID)
	if err != nil {
		return err
	}
	data.Presets = ps
	f := data.Form
	found := false
	for _, p := range ps {
		found = found || p.ID == f.Preset
	}
	if !found {
		f.Preset, f.PresetApplied = 0, 0
	}
	return nil
}
