package httpui

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/invitehq/invite/invite"
)

type companiesData struct {
	Companies []*invite.Company
	Form      companyForm
	BaseURL   string
}

type companyForm struct {
	Name, DefaultLanguage, TimeZone, Subscriptions, BusinessRoles string
}

// lines splits a text area into its non-empty lines.
func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

func (h *handlers) companiesView(c echo.Context, f companyForm) (*view, error) {
	cs, err := h.svc.Companies(c.Request().Context())
	if err != nil {
		return nil, err
	}
	if f.DefaultLanguage == "" {
		f.DefaultLanguage = "en"
	}
	if f.TimeZone == "" {
		f.TimeZone = "UTC"
	}
	return h.newView(c, "companies", "companies_title", &companiesData{Companies: cs, Form: f, BaseURL: h.cfg.BaseURL}), nil
}

func (h *handlers) companies(c echo.Context) error {
	v, err := h.companiesView(c, companyForm{})
	if err != nil {
		return err
	}
	return h.render(c, http.StatusOK, "companies", "", v)
}

// createCompany registers a company: one subscription or business role a
// line.
func (h *handlers) createCompany(c echo.Context) error {
	f := companyForm{
		Name: c.FormValue("name"), DefaultLanguage: c.FormValue("default_language"), TimeZone: c.FormValue("time_zone"),
		Subscriptions: c.FormValue("subscriptions"), BusinessRoles: c.FormValue("business_roles"),
	}
	_, err := h.svc.RegisterCompany(c.Request().Context(), invite.CompanyInput{
		Name: f.Name, DefaultLanguage: f.DefaultLanguage, TimeZone: f.TimeZone,
		Subscriptions: lines(f.Subscriptions), BusinessRoles: lines(f.BusinessRoles),
	})
	if err != nil {
		errs := fieldErrors(err)
		if errs == nil {
			return err
		}
		v, verr := h.companiesView(c, f)
		if verr != nil {
			return verr
		}
		v.Errors = errs
		for name, e := range errs { // subscriptions[2] -> subscriptions
			if i := strings.IndexByte(name, '['); i > 0 {
				v.Errors[name[:i]] = e
			}
		}
		v.Problem = v.L.T("form_invalid")
		return h.render(c, statusOf(invite.ErrorCode(err)), "companies", "company-form", v)
	}
	return redirect(c, "/admin/companies?done=company_registered")
}

type templateData struct {
	Company      *invite.Company
	Lang         string
	Template     invite.Template
	Own          bool
	Placeholders []string
	Saved        bool
}

func companyID(c echo.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, invite.ErrCompanyNotFound
	}
	return id, nil
}

// pathCompany returns the company the :id of the path names, if the acting
// administrator administers it.
func (h *handlers) pathCompany(c echo.Context) (*invite.Company, error) {
	id, err := companyID(c)
	if err != nil {
		return nil, err
	}
	return h.svc.Company(c.Request().Context(), id)
}

// templateForm edits a company's invitation e-mail for one language.
func (h *handlers) templateForm(c echo.Context) error {
	co, err := h.pathCompany(c)
	if err != nil {
		return err
	}
	ctx, id := c.Request().Context(), co.ID
	t, own, err := h.svc.MailTemplate(ctx, id, c.Param("lang"))
	if err != nil {
		return err
	}
	data := &templateData{Company: co, Lang: c.Param("lang"), Template: t, Own: own, Placeholders: invite.Placeholders()}
	return h.render(c, http.StatusOK, "template", "", h.newView(c, "invitations", "template_title", data))
}

// saveTemplate saves the company's template for the language, or with
// "reset" goes back to the built-in one.
func (h *handlers) saveTemplate(c echo.Context) error {
	co, err := h.pathCompany(c)
	if err != nil {
		return err
	}
	ctx, id := c.Request().Context(), co.ID
	lang := c.Param("lang")
	t := invite.Template{Subject: c.FormValue("mail_subject"), Body: strings.ReplaceAll(c.FormValue("mail_body"), "\r\n", "\n")}
	action, err := formAction(c, "save", "reset")
	if err != nil {
		return err
	}
	if action == "reset" {
		t = invite.Template{}
	}
	data := &templateData{Company: co, Lang: lang, Template: t, Own: !t.IsZero(), Placeholders: invite.Placeholders()}
	v := h.newView(c, "invitations", "template_title", data)
	if err := h.svc.SetMailTemplate(ctx, id, lang, t); err != nil {
		errs := mailFieldErrors(err)
		if errs == nil {
			return err
		}
		return h.invalid(c, v, errs, "template", "template-form")
	}
	if t.IsZero() {
		if data.Template, _, err = h.svc.MailTemplate(ctx, id, lang); err != nil {
			return err
		}
	}
	data.Saved = true
	v.Flash = v.L.T("done_template_saved")
	if action == "reset" {
		v.Flash = v.L.T("done_template_reset")
	}
	return h.render(c, http.StatusOK, "template", "template-form", v)
}

// termsData is a company's terms of use being edited.
type termsData struct {
	Company *invite.Company
	Terms   string
}

// termsForm edits a company's terms of use.
func (h *handlers) termsForm(c echo.Context) error {
	co, err := h.pathCompany(c)
	if err != nil {
		return err
	}
	return h.render(c, http.StatusOK, "terms_edit", "", h.newView(c, "users", "terms_title", &termsData{Company: co, Terms: co.Terms}))
}

// saveTerms saves a company's terms of use; empty ones are the built-in
// terms again.
func (h *handlers) saveTerms(c echo.Context) error {
	co, err := h.pathCompany(c)
	if err != nil {
		return err
	}
	ctx, id := c.Request().Context(), co.ID
	data := &termsData{Company: co, Terms: c.FormValue("terms")}
	v := h.newView(c, "users", "terms_title", data)
	if err := h.svc.SetTerms(ctx, id, data.Terms); err != nil {
		errs := fieldErrors(err)
		if errs == nil {
			return err
		}
		return h.invalid(c, v, errs, "terms_edit", "terms-form")
	}
	if co, err = h.svc.Company(ctx, id); err != nil {
		return err
	}
	data.Company, data.Terms = co, co.Terms
	v.Flash = v.L.T("done_terms_saved")
	return h.render(c, http.StatusOK, "terms_edit", "terms-form", v)
}
