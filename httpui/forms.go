package httpui

import (
	"cmp"
	_ "embed"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/invitehq/invite/invite"
)

//go:embed timezones.txt
var timeZoneList string

// timeZones lists the IANA zones offered in time zone fields.
func timeZones() []string {
	var zones []string
	for _, l := range strings.Split(timeZoneList, "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			zones = append(zones, l)
		}
	}
	return zones
}

// TimeZones lists the zones for the templates' datalist.
func (v *view) TimeZones() []string { return v.zones }

// invitationForm is the invite (and resend) form as typed, so that a form
// re-rendered with errors keeps everything.
type invitationForm struct {
	CompanyID      int64
	Email          string
	FirstName      string
	LastName       string
	BusinessRoleID int64
	Department     string
	Phone          string
	Language       string
	TimeZone       string
	Admin          bool
	Grants         map[int64]invite.Role // subscription -> role, for the checked ones
	// Roles are the roles chosen for every subscription, checked or not,
	// so that a form sent back shows each as it was sent.
	Roles       map[int64]invite.Role
	MailSubject string
	MailBody    string
	// MailCompanyID and MailLanguage are the company and language whose
	// template filled the e-mail panel: the mail is customised if it
	// differs from that template, whatever company or language was chosen
	// since (without JavaScript the panel does not follow them until the
	// form is refreshed).
	MailCompanyID int64
	MailLanguage  string
	// DefaultsOf is the company whose default language and time zone
	// filled the form: when another is chosen, the fields still holding
	// them follow the new company's.
	DefaultsOf int64
	// Preset is the preset chosen on the invite form, and PresetApplied
	// the one whose details the form was last filled with.
	Preset, PresetApplied int64
	// AccessFrom and AccessUntil are the access window's first and last
	// days (YYYY-MM-DD) as typed; "" for no bound.
	AccessFrom, AccessUntil string
}

// cursorParam reads the "after" of a list whose pages are cut at a row's
// ID: none is the first page, and anything but a positive number is
// invite.ErrInvalidCursor, as a bad cursor of the invitations is.
func cursorParam(c echo.Context) (int64, error) {
	s := c.QueryParam("after")
	if s == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return 0, invite.ErrInvalidCursor
	}
	return n, nil
}

// invalid answers a form whose input was refused: the form again, as
// typed, with each field's error and the note that asks to correct them,
// as 422.
func (h *handlers) invalid(c echo.Context, v *view, errs map[string]*invite.FieldError, page, part string) error {
	v.Errors, v.Problem = errs, v.L.T("form_invalid")
	return h.render(c, http.StatusUnprocessableEntity, page, part, v)
}

// formAction returns the button a form was sent with, which must be one
// of allowed: a form sent with any other, or none, is refused, so that an
// unknown action never falls through to the one that acts.
func formAction(c echo.Context, allowed ...string) (string, error) {
	action := c.FormValue("action")
	if !slices.Contains(allowed, action) {
		return "", echo.NewHTTPError(http.StatusBadRequest)
	}
	return action, nil
}

func formInt(c echo.Context, name string) int64 {
	n, _ := strconv.ParseInt(c.FormValue(name), 10, 64)
	return n
}

// parseInvitationForm reads the form. Subscriptions come as checkboxes
// "grant" with the subscription ID, and a select "role_ID" each.
func parseInvitationForm(c echo.Context) (*invitationForm, error) {
	f := &invitationForm{
		CompanyID:      formInt(c, "company"),
		Email:          c.FormValue("email"),
		FirstName:      c.FormValue("first_name"),
		LastName:       c.FormValue("last_name"),
		BusinessRoleID: formInt(c, "business_role"),
		Department:     c.FormValue("department"),
		Phone:          c.FormValue("phone"),
		Language:       c.FormValue("language"),
		TimeZone:       c.FormValue("time_zone"),
		Admin:          c.FormValue("admin") == "on",
		MailSubject:    c.FormValue("mail_subject"),
		MailBody:       strings.ReplaceAll(c.FormValue("mail_body"), "\r\n", "\n"),
		MailCompanyID:  formInt(c, "mail_company"),
		MailLanguage:   c.FormValue("mail_language"),
		DefaultsOf:     formInt(c, "defaults_of"),
		Grants:         map[int64]invite.Role{},
		Preset:         formInt(c, "preset"),
		PresetApplied:  formInt(c, "preset_applied"),
		AccessFrom:     strings.TrimSpace(c.FormValue("access_from")),
		AccessUntil:    strings.TrimSpace(c.FormValue("access_until")),
	}
	params, err := c.FormParams()
	if err != nil {
		return nil, err
	}
	f.Roles = map[int64]invite.Role{}
	for name, vs := range params {
		if id, err := strconv.ParseInt(strings.TrimPrefix(name, "role_"), 10, 64); err == nil && strings.HasPrefix(name, "role_") && len(vs) > 0 {
			f.Roles[id] = invite.Role(vs[0])
		}
	}
	for _, s := range params["grant"] {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			continue // a forged value; the service refuses what is left
		}
		f.Grants[id] = invite.Role(c.FormValue(fmt.Sprintf("role_%d", id)))
	}
	return f, nil
}

// input converts the form to the service's input. The e-mail template goes
// with it only if it differs from the default, so that an untouched
// template follows the company's.
func (f *invitationForm) input(def invite.Template) invite.InvitationInput {
	in := invite.InvitationInput{
		CompanyID: f.CompanyID, Email: f.Email, FirstName: f.FirstName, LastName: f.LastName,
		BusinessRoleID: f.BusinessRoleID, Department: f.Department, Phone: f.Phone,
		Language: f.Language, TimeZone: f.TimeZone, AdminLevel: invite.AdminNone,
	}
	if f.Admin {
		in.AdminLevel = invite.AdminCompany
	}
	in.Grants = f.grantList()
	if (f.MailSubject != "" || f.MailBody != "") && (f.MailSubject != def.Subject || f.MailBody != def.Body) {
		in.Mail = invite.Template{Subject: f.MailSubject, Body: f.MailBody}
	}
	return in
}

// grantList returns the checked subscriptions with their roles, in the
// order of the subscriptions' IDs: the order field errors are numbered in.
func (f *invitationForm) grantList() []invite.Grant {
	grants := make([]invite.Grant, 0, len(f.Grants))
	for id, role := range f.Grants {
		grants = append(grants, invite.Grant{SubscriptionID: id, Role: role})
	}
	slices.SortFunc(grants, func(a, b invite.Grant) int { return cmp.Compare(a.SubscriptionID, b.SubscriptionID) })
	return grants
}

// grantErrors names the errors of grants (grants[1].role) by the form's
// fields (role_7, grant_7), so that each is shown at its subscription.
func grantErrors(errs map[string]*invite.FieldError, grants []invite.Grant) map[string]*invite.FieldError {
	for i, g := range grants {
		for _, part := range []struct{ domain, form string }{{"role", "role"}, {"subscription", "grant"}} {
			if e, ok := errs[fmt.Sprintf("grants[%d].%s", i, part.domain)]; ok {
				errs[fmt.Sprintf("%s_%d", part.form, g.SubscriptionID)] = e
			}
		}
	}
	return errs
}

// formFromInvitation fills the form from an invitation, for resending.
func formFromInvitation(inv *invite.Invitation) *invitationForm {
	f := &invitationForm{
		CompanyID: inv.CompanyID, Email: inv.Email, FirstName: inv.FirstName, LastName: inv.LastName,
		BusinessRoleID: inv.BusinessRoleID, Department: inv.Department, Phone: inv.Phone,
		Language: inv.Language, TimeZone: inv.TimeZone, Admin: inv.AdminLevel == invite.AdminCompany,
		MailSubject: inv.Mail.Subject, MailBody: inv.Mail.Body, Grants: map[int64]invite.Role{},
	}
	if !inv.Mail.IsZero() { // its own e-mail, written for its language
		f.MailCompanyID, f.MailLanguage = inv.CompanyID, inv.Language
	}
	for _, g := range inv.Grants {
		f.Grants[g.SubscriptionID] = g.Role
	}
	return f
}

// Grant reports the role of a subscription in the form, "" if unchecked,
// as User.Grant does for a user.
func (f *invitationForm) Grant(id int64) invite.Role { return f.Grants[id] }

// Role returns the role chosen for a subscription, checked or not.
func (f *invitationForm) Role(id int64) invite.Role {
	if r := f.Grants[id]; r != "" {
		return r
	}
	return f.Roles[id]
}

// ChosenRole returns the role of a subscription that the grants' select
// shows: what was sent for it (of is the form sent back), or the role held
// or granted (of is a user or a form filled from an invitation).
func (v *view) ChosenRole(of any, id int64) invite.Role {
	switch of := of.(type) {
	case *invitationForm:
		return of.Role(id)
	case interface{ Grant(int64) invite.Role }:
		return of.Grant(id)
	}
	return ""
}

// unplacedGrantError returns the message of an error of a subscription the
// form does not show, as none of co's (a forged one): there is no field to
// mark, so the form's problem names it. "" if there is none.
func unplacedGrantError(L *tr, errs map[string]*invite.FieldError, co *invite.Company) string {
	for name, e := range errs {
		idText, ok := strings.CutPrefix(name, "grant_")
		if !ok {
			idText, ok = strings.CutPrefix(name, "role_")
		}
		id, err := strconv.ParseInt(idText, 10, 64)
		if !ok || err != nil {
			continue
		}
		if co == nil {
			return L.Field(e)
		}
		if _, shown := co.Subscription(id); !shown {
			return L.Field(e)
		}
	}
	return ""
}

// formWithWindow fills the form from an invitation, its access window's
// days in the invitee's time zone included.
func (h *handlers) formWithWindow(inv *invite.Invitation) *invitationForm {
	f := formFromInvitation(inv)
	f.AccessFrom, f.AccessUntil = windowDates(inv.Access(), h.zone(inv.TimeZone))
	return f
}
