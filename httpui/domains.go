package httpui

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/invitehq/invite/invite"
)

// domainsData is a company's allowed e-mail domains being edited: one a
// line, "*.example.com" for a domain with its subdomains.
type domainsData struct {
	Company *invite.Company
	Domains string
	// More are the messages of the invalid entries after the first, whose
	// message is the field's error: each names its entry.
	More []string
}

// domainLines writes allowed domains as the form's text area holds them.
func domainLines(ds []invite.AllowedDomain) string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = d.String()
	}
	return strings.Join(out, "\n")
}

// domainsForm edits a company's allowed e-mail domains (Global
// Administrators only).
func (h *handlers) domainsForm(c echo.Context) error {
	co, err := h.pathCompany(c)
	if err != nil {
		return err
	}
	data := &domainsData{Company: co, Domains: domainLines(co.AllowedDomains)}
	return h.render(c, http.StatusOK, "domains_edit", "", h.newView(c, "companies", "domains_title", data))
}

// saveDomains saves a company's allowed e-mail domains and leads back to
// the companies, which list them; an empty list allows any domain.
func (h *handlers) saveDomains(c echo.Context) error {
	co, err := h.pathCompany(c)
	if err != nil {
		return err
	}
	data := &domainsData{Company: co, Domains: c.FormValue("allowed_domains")}
	entries := lines(data.Domains)
	list := make([]invite.AllowedDomain, len(entries))
	for i, e := range entries {
		list[i] = invite.AllowedDomain{Name: e}
	}
	if err := h.svc.SetAllowedDomains(c.Request().Context(), co.ID, list); err != nil {
		errs := fieldErrors(err)
		if errs == nil {
			return err
		}
		v := h.newView(c, "companies", "domains_title", data)
		if e, ok := asError(err); ok {
			for _, f := range e.Fields[1:] {
				if f.Field == "allowed_domains" {
					data.More = append(data.More, v.L.Field(&f))
				}
			}
		}
		return h.invalid(c, v, errs, "domains_edit", "domains-form")
	}
	return redirect(c, "/admin/companies?done=domains_saved")
}

// DomainsHint returns the text that tells which addresses company c
// allows, with the message key (email_domains_hint on the invite form,
// request_domains_hint on the join page), or "" when any is allowed.
func (v *view) DomainsHint(key string, c *invite.Company) string {
	if c == nil || len(c.AllowedDomains) == 0 {
		return ""
	}
	s := v.L.T(key, "Domains", c.AllowedDomainsText())
	for _, d := range c.AllowedDomains {
		if d.Subdomains {
			return s + " " + v.L.T("domains_wildcard_hint")
		}
	}
	return s
}
