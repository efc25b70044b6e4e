package httpui

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/invitehq/invite/invite"
)

//go:embed templates
var templateFiles embed.FS

// pages are the parsed templates, one set per page: the layout, every
// partial and the page. They are parsed once, at start-up.
type pages map[string]*template.Template

var funcs = template.FuncMap{
	"dict": func(kv ...any) map[string]any {
		m := make(map[string]any, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			m[fmt.Sprint(kv[i])] = kv[i+1]
		}
		return m
	},
	"add":   func(a, b int) int { return a + b },
	"lower": strings.ToLower,
}

func parsePages() (pages, error) {
	names, err := fs.Glob(templateFiles, "templates/pages/*.html")
	if err != nil {
		return nil, err
	}
	ps := make(pages, len(names))
	for _, name := range names {
		t, err := template.New("").Funcs(funcs).ParseFS(templateFiles, "templates/layouts/*.html", "templates/partials/*.html", name)
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", name, err)
		}
		ps[strings.TrimSuffix(path.Base(name), ".html")] = t
	}
	return ps, nil
}

// isHTMX reports whether the request wants a partial: an htmx request that
// is not restoring history.
func isHTMX(c echo.Context) bool {
	h := c.Request().Header
	return h.Get("HX-Request") == "true" && h.Get("HX-History-Restore-Request") != "true"
}

// render writes page with status. An htmx request gets only the template
// named block, or the page's content when block is empty; anything else
// gets the whole page in the layout. The output is rendered into a buffer first, so an error never
// sends half a page.
func (h *handlers) render(c echo.Context, status int, page, block string, data *view) error {
	t, ok := h.pages[page]
	if !ok {
		return fmt.Errorf("no page %q", page)
	}
	name := "base"
	if isHTMX(c) {
		name = "content" // every page has one
		if block != "" {
			name = block
		}
	}
	data.Partial = name != "base"
	c.Response().Header().Add("Vary", "HX-Request")
	c.Response().Header().Set("Cache-Control", "no-store") // error pages too (see noStore)
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, name, data); err != nil {
		return fmt.Errorf("render %s/%s: %w", page, name, err)
	}
	return c.HTMLBlob(status, buf.Bytes())
}

// asError returns err's *invite.Error.
func asError(err error) (*invite.Error, bool) { return errors.AsType[*invite.Error](err) }

// view is what every template gets: the request's texts, user and CSRF
// token, a flash message, and the page's own data.
type view struct {
	L       *tr
	User    *invite.User
	CSRF    string
	Flash   string // a translated confirmation
	Problem string // a translated failure
	Nav     string // the navigation entry of the page
	Title   string
	Data    any
	// Errors are the field errors of a re-rendered form, by field name.
	Errors map[string]*invite.FieldError
	Status int
	// Paths are where the pages that links lead to are served.
	Paths invite.Paths
	// Partial is set when a block of the page is answered alone (htmx).
	Partial bool
	// Prefix sets the ids of the form shown apart from every other form
	// that may be open on the same page (see ID).
	Prefix string

	// Seats are the seats of the subscriptions of the company whose
	// grants the page shows, by subscription ID (see Seat).
	Seats map[int64]invite.SeatUse

	zones []string // the time zones offered, parsed once

	// Refresh, if not 0, has a page without JavaScript reload itself
	// after so many seconds: a batch's progress.
	Refresh int
}

// ID returns the id of the element kind ("f" a field, "e" its error, "h"
// its hint, ...) of name in the view's form. Two forms open at once, such
// as two invitations being resent in place, have no id alike.
func (v *view) ID(kind, name string) string { return kind + "-" + v.Prefix + name }

// Err returns the field error of name, or nil.
func (v *view) Err(name string) *invite.FieldError { return v.Errors[name] }

// GrantsInvalid reports whether the subscriptions, or any one of them
// (grant_7, role_7), have an error.
func (v *view) GrantsInvalid() bool {
	for name := range v.Errors {
		if name == "grants" || strings.HasPrefix(name, "grant_") || strings.HasPrefix(name, "role_") {
			return true
		}
	}
	return false
}

// fieldErrors indexes the field errors of err; a nil map if it has none.
func fieldErrors(err error) map[string]*invite.FieldError {
	e, ok := asError(err)
	if !ok || len(e.Fields) == 0 {
		return nil
	}
	m := make(map[string]*invite.FieldError, len(e.Fields))
	for i := range e.Fields {
		f := &e.Fields[i]
		if _, dup := m[f.Field]; !dup {
			m[f.Field] = f
		}
	}
	return m
}

// redirect sends the browser to url: with htmx by HX-Location-free
// HX-Redirect, otherwise with 303 See Other (Post/Redirect/Get).
func redirect(c echo.Context, url string) error {
	if isHTMX(c) {
		c.Response().Header().Set("HX-Redirect", url)
		return c.NoContent(http.StatusNoContent)
	}
	return c.Redirect(http.StatusSeeOther, url)
}

// inPlace reports whether an htmx request was sent from the page at list,
// where its answer replaces a row in place. A form that is also a page of
// its own (Resend, a user's editor) has no row to replace there: its
// answer is the redirect a page without JavaScript gets. A request that
// does not say where it comes from (no HX-Current-URL) is taken as sent
// from the list.
func inPlace(c echo.Context, list string) bool {
	if !isHTMX(c) {
		return false
	}
	cur := c.Request().Header.Get("HX-Current-URL")
	if cur == "" {
		return true
	}
	u, err := url.Parse(cur)
	return err == nil && u.Path == list
}

// Languages lists the languages the product speaks.
func (v *view) Languages() []string { return invite.Languages() }

// Roles lists the subscription roles.
func (v *view) Roles() []invite.Role { return invite.Roles() }

// DeliveryError returns why a message was not delivered, in the viewer's
// language where the service gives a reply code or says no server
// answered (as it does for all but a Global Administrator, who reads the
// mail servers' own words).
func (v *view) DeliveryError(err string) string {
	switch {
	case err == invite.DeliveryUnreachable:
		return v.L.T("delivery_error_unreachable")
	case len(err) == 3 && strings.Trim(err, "0123456789") == "":
		return v.L.T("delivery_error_reply", "Code", err)
	}
	return err
}

// CanManage reports whether the viewer may resend or cancel inv.
func (v *view) CanManage(inv *invite.Invitation) bool {
	return v.User != nil && invite.CanManageInvitation(v.User, inv)
}

// Grantable lists the roles the viewer may grant in the subscription.
func (v *view) Grantable(subscriptionID int64) []invite.Role {
	if v.User == nil {
		return nil
	}
	return invite.GrantableRoles(v.User, subscriptionID)
}

// MinPassword and MaxPassword bound a password's length.
func (v *view) MinPassword() int { return invite.MinPasswordLen }
func (v *view) MaxSeats() int    { return invite.MaxSeats }
func (v *view) MaxPassword() int { return invite.MaxPasswordLen }

// LocalPart returns the part of an address before the @, which a password
// must not contain when it has three characters or more; "" otherwise.
func (v *view) LocalPart(email string) string {
	local, _, _ := strings.Cut(email, "@")
	if len(local) < 3 {
		return ""
	}
	return local
}

// Statuses lists the invitation statuses.
func (v *view) Statuses() []invite.Status { return invite.Statuses() }

// Page names which variant of a shared page to show.
func (v *view) with(page string) *view {
	v.Nav = page
	return v
}
