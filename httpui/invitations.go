package httpui

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/invitehq/invite/invite"
)

type invitationsData struct {
	Status    string
	Email     string
	Page      *invite.InvitationPage
	NextURL   string
	Companies map[int64]string // names, when the viewer administers several
}

// invitations lists invitations newest first, filtered by status and
// searched by e-mail, a page at a time by cursor.
func (h *handlers) invitations(c echo.Context) error {
	ctx := c.Request().Context()
	f := invite.InvitationFilter{Status: invite.Status(c.QueryParam("status")), Email: c.QueryParam("email"), After: c.QueryParam("after")}
	page, err := h.svc.Invitations(ctx, f)
	if err != nil {
		return err
	}
	data := &invitationsData{Status: string(f.Status), Email: f.Email, Page: page}
	if page.Next != "" {
		q := url.Values{"after": {page.Next}}
		if f.Status != "" {
			q.Set("status", string(f.Status))
		}
		if f.Email != "" {
			q.Set("email", f.Email)
		}
		data.NextURL = "/admin/invitations?" + q.Encode()
	}
	if data.Companies, err = h.companyNames(c); err != nil {
		return err
	}
	return h.render(c, http.StatusOK, "invitations", "invitations-table", h.newView(c, "invitations", "invitations_title", data))
}

// companyNames returns the names of the companies a Global Administrator
// sees, for a column of their own; nil for a Company Administrator.
func (h *handlers) companyNames(c echo.Context) (map[int64]string, error) {
	if userOf(c).AdminLevel != invite.AdminGlobal {
		return nil, nil
	}
	cs, err := h.svc.Companies(c.Request().Context())
	if err != nil {
		return nil, err
	}
	names := make(map[int64]string, len(cs))
	for _, co := range cs {
		names[co.ID] = co.Name
	}
	return names, nil
}

// inviteData is the invite form: the companies to choose from (Global
// Administrator), the chosen company, the form as typed, and the e-mail
// panel.
type inviteData struct {
	Companies    []*invite.Company
	Company      *invite.Company
	Form         *invitationForm
	Placeholders []string
	Preview      *invite.Message
	MailSaved    bool
	Resend       *invite.Invitation // set when resending
}

// inviteView prepares the invite form for f: the company's lists, and the
// language's template in the e-mail panel when it is not customised.
func (h *handlers) inviteView(c echo.Context, f *invitationForm, resend *invite.Invitation) (*view, error) {
	ctx := c.Request().Context()
	u := userOf(c)
	data := &inviteData{Form: f, Placeholders: invite.Placeholders(), Resend: resend}
	if u.AdminLevel == invite.AdminGlobal && resend == nil {
		cs, err := h.svc.Companies(ctx)
		if err != nil {
			return nil, err
		}
		data.Companies = cs
		if f.CompanyID == 0 && len(cs) > 0 {
			f.CompanyID = cs[0].ID
		}
	}
	if f.CompanyID == 0 {
		f.CompanyID = u.CompanyID
	}
	if f.CompanyID != 0 {
		co, err := h.svc.Company(ctx, f.CompanyID)
		if err != nil {
			return nil, err
		}
		data.Company = co
		if f.Language == "" {
			f.Language = co.DefaultLanguage
		}
		if f.TimeZone == "" {
			f.TimeZone = co.TimeZone
		}
		if f.MailSubject == "" && f.MailBody == "" {
			t, _, err := h.svc.MailTemplate(ctx, co.ID, f.Language)
			if err != nil {
				return nil, err
			}
			f.MailSubject, f.MailBody = t.Subject, t.Body
		}
	}
	title := "invite_title"
	if resend != nil {
		title = "resend_title"
	}
	return h.newView(c, "invitations", title, data), nil
}

func (h *handlers) inviteForm(c echo.Context) error {
	v, err := h.inviteView(c, &invitationForm{CompanyID: formInt(c, "company"), Grants: map[int64]invite.Role{}}, nil)
	if err != nil {
		return err
	}
	return h.render(c, http.StatusOK, "invite", "", v)
}

// defaultTemplate returns the template the e-mail panel starts from.
func (h *handlers) defaultTemplate(c echo.Context, f *invitationForm) invite.Template {
	if f.CompanyID == 0 {
		f.CompanyID = userOf(c).CompanyID
	}
	t, _, err := h.svc.MailTemplate(c.Request().Context(), f.CompanyID, f.Language)
	if err != nil {
		return invite.Template{}
	}
	return t
}

// createInvitation handles the invite form's buttons: "refresh" (another
// company or language was chosen), "save-mail" (keep the customised e-mail
// for this invitation) and "send"; a form with no action or another is
// refused.
func (h *handlers) createInvitation(c echo.Context) error {
	f, err := parseInvitationForm(c)
	if err != nil {
		return err
	}
	action, err := formAction(c, "send", "refresh", "save-mail")
	if err != nil {
		return err
	}
	switch action {
	case "refresh":
		return h.refreshForm(c, f, nil)
	case "save-mail":
		return h.saveMailForInvitation(c, f, nil)
	}
	in := f.input(h.defaultTemplate(c, f))
	_, _, err = h.svc.Invite(c.Request().Context(), in)
	if err != nil {
		return h.formError(c, err, f, nil)
	}
	return redirect(c, "/admin/invitations?done=invited")
}

// formPage is the page of the invite form: inviting, or resending.
func formPage(resend *invite.Invitation) string {
	if resend != nil {
		return "resend"
	}
	return "invite"
}

// refreshForm re-renders the form after another company or language was
// chosen; an e-mail not touched yet follows the new language's template.
func (h *handlers) refreshForm(c echo.Context, f *invitationForm, resend *invite.Invitation) error {
	if c.FormValue("mail_touched") != "1" {
		f.MailSubject, f.MailBody = "", ""
	}
	v, err := h.inviteView(c, f, resend)
	if err != nil {
		return err
	}
	return h.render(c, http.StatusOK, formPage(resend), "invite-form", v)
}

// saveMailForInvitation checks the customised e-mail and re-renders the
// form keeping it, with a confirmation or the template's errors.
func (h *handlers) saveMailForInvitation(c echo.Context, f *invitationForm, resend *invite.Invitation) error {
	v, err := h.inviteView(c, f, resend)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if err := invite.ValidateTemplate(invite.Template{Subject: f.MailSubject, Body: f.MailBody}); err != nil {
		v.Errors, status = mailFieldErrors(err), http.StatusUnprocessableEntity
	} else {
		v.Data.(*inviteData).MailSaved = true
	}
	return h.render(c, status, formPage(resend), "invite-form", v)
}

// mailFieldErrors renames a template's field errors to the form's fields.
func mailFieldErrors(err error) map[string]*invite.FieldError {
	errs := fieldErrors(err)
	for from, to := range map[string]string{"subject": "mail_subject", "body": "mail_body"} {
		if e, ok := errs[from]; ok {
			errs[to] = e
			delete(errs, from)
		}
	}
	return errs
}

// formError re-renders the form with the error: field errors at their
// fields with 422, anything else as a message.
func (h *handlers) formError(c echo.Context, err error, f *invitationForm, resend *invite.Invitation) error {
	errs := fieldErrors(err)
	if errs == nil {
		return err
	}
	v, verr := h.inviteView(c, f, resend)
	if verr != nil {
		return verr
	}
	v.Errors = grantErrors(errs, f.grantList())
	for from, to := range map[string]string{"subject": "mail_subject", "body": "mail_body", "company": "company"} {
		if e, ok := errs[from]; ok {
			v.Errors[to] = e
		}
	}
	v.Problem = v.L.T("form_invalid")
	if e, ok := asError(err); ok && e.Code != invite.CodeInvalid {
		v.Problem = v.L.Error(err) // a conflict named at a field
	}
	return h.render(c, statusOf(invite.ErrorCode(err)), formPage(resend), "invite-form", v)
}

// preview renders the e-mail the form would send, as the invitee will see
// it, or the template's errors with their positions.
func (h *handlers) preview(c echo.Context) error {
	f, err := parseInvitationForm(c)
	if err != nil {
		return err
	}
	in := f.input(invite.Template{})
	if in.Mail.IsZero() {
		in.Mail = invite.Template{Subject: f.MailSubject, Body: f.MailBody}
	}
	if in.FirstName == "" {
		in.FirstName = trOf(c).T("preview_first_name")
	}
	if in.LastName == "" {
		in.LastName = trOf(c).T("preview_last_name")
	}
	v := h.newView(c, "invitations", "preview_title", nil)
	msg, err := h.svc.PreviewMail(c.Request().Context(), in)
	if err != nil {
		errs := mailFieldErrors(err)
		if errs["mail_subject"] == nil && errs["mail_body"] == nil {
			// Only the template matters here; other fields are checked on send.
			msg, err = h.previewWithPlaceholders(c, in)
			if err != nil {
				return err
			}
		} else {
			v.Errors = errs
		}
	}
	v.Data = msg
	return h.render(c, http.StatusOK, "preview", "mail-preview", v)
}

// previewWithPlaceholders previews a template for an invitee whose details
// are not valid yet, with sample values.
func (h *handlers) previewWithPlaceholders(c echo.Context, in invite.InvitationInput) (*invite.Message, error) {
	co, err := h.svc.Company(c.Request().Context(), in.CompanyID)
	if errors.Is(err, invite.ErrCompanyNotFound) && in.CompanyID == 0 {
		co, err = h.svc.MyCompany(c.Request().Context())
	}
	if err != nil {
		return nil, err
	}
	sample := invite.InvitationInput{
		CompanyID: co.ID, Email: "name@example.com", FirstName: in.FirstName, LastName: in.LastName,
		BusinessRoleID: co.BusinessRoles[0].ID, Language: in.Language, TimeZone: in.TimeZone, Mail: in.Mail,
	}
	for _, g := range in.Grants {
		if _, ok := co.Subscription(g.SubscriptionID); ok && g.Role.Valid() {
			sample.Grants = append(sample.Grants, g)
		}
	}
	if len(sample.Grants) == 0 {
		sample.Grants = []invite.Grant{{SubscriptionID: co.Subscriptions[0].ID, Role: invite.RoleViewer}}
	}
	if _, ok := supported(sample.Language); !ok {
		sample.Language = co.DefaultLanguage
	}
	sample.TimeZone = ""
	return h.svc.PreviewMail(c.Request().Context(), sample)
}

func supported(lang string) (string, bool) {
	for _, l := range invite.Languages() {
		if l == lang {
			return l, true
		}
	}
	return "", false
}

// invitationID reads the :id of the path.
func invitationID(c echo.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, invite.ErrInvitationNotFound
	}
	return id, nil
}

// pathInvitation returns the invitation the :id of the path names.
func (h *handlers) pathInvitation(c echo.Context) (*invite.Invitation, error) {
	id, err := invitationID(c)
	if err != nil {
		return nil, err
	}
	return h.svc.Invitation(c.Request().Context(), id)
}

// rowData is one row of the invitations table.
type rowData struct {
	Inv       *invite.Invitation
	Companies map[int64]string
}

// resendForm shows an invitation's details for optional changes: under
// htmx as an editing row in place, otherwise as a page.
func (h *handlers) resendForm(c echo.Context) error {
	inv, err := h.pathInvitation(c)
	if err != nil {
		return err
	}
	if !invite.CanManageInvitation(userOf(c), inv) {
		return invite.ErrInvitationAboveYou
	}
	v, err := h.inviteView(c, formFromInvitation(inv), inv)
	if err != nil {
		return err
	}
	return h.render(c, http.StatusOK, "resend", "resend-row", v)
}

// resend sends an invitation again with the details of the form.
func (h *handlers) resend(c echo.Context) error {
	inv, err := h.pathInvitation(c)
	if err != nil {
		return err
	}
	f, err := parseInvitationForm(c)
	if err != nil {
		return err
	}
	f.CompanyID = inv.CompanyID
	action, err := formAction(c, "send", "refresh", "save-mail")
	if err != nil {
		return err
	}
	switch action {
	case "save-mail":
		return h.saveMailForInvitation(c, f, inv)
	case "refresh":
		return h.refreshForm(c, f, inv)
	}
	in := f.input(h.defaultTemplate(c, f))
	in.CompanyID = 0
	resent, _, err := h.svc.Resend(c.Request().Context(), inv.ID, &in)
	if err != nil {
		return h.formError(c, err, f, inv)
	}
	return h.rowDone(c, resent, "resent")
}

// rowDone answers a row action: under htmx the changed row and a
// confirmation, otherwise a redirect to the list with it.
func (h *handlers) rowDone(c echo.Context, inv *invite.Invitation, done string) error {
	if !isHTMX(c) {
		return redirect(c, "/admin/invitations?done="+done)
	}
	names, err := h.companyNames(c)
	if err != nil {
		return err
	}
	v := h.newView(c, "invitations", "invitations_title", &rowData{Inv: inv, Companies: names})
	v.Flash = v.L.T("done_"+done+"_email", "Email", inv.Email)
	c.Response().Header().Set("HX-Retarget", fmt.Sprintf("#inv-%d", inv.ID))
	c.Response().Header().Set("HX-Reswap", "outerHTML")
	return h.render(c, http.StatusOK, "invitations", "row-done", v)
}

// cancelForm asks for confirmation without JavaScript; htmx asks with
// hx-confirm and posts directly.
func (h *handlers) cancelForm(c echo.Context) error {
	inv, err := h.pathInvitation(c)
	if err != nil {
		return err
	}
	if !invite.CanManageInvitation(userOf(c), inv) {
		return invite.ErrInvitationAboveYou
	}
	return h.render(c, http.StatusOK, "cancel", "", h.newView(c, "invitations", "cancel_title", inv))
}

func (h *handlers) cancel(c echo.Context) error {
	id, err := invitationID(c)
	if err != nil {
		return err
	}
	inv, err := h.svc.Cancel(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return h.rowDone(c, inv, "canceled")
}
