package httpui

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/invitehq/invite/invite"
)

type loginData struct {
	Email, Next string
}

// maxNextLen bounds the page a log-in returns to.
const maxNextLen = 2048

// safeNext returns next if every browser takes it for a path on this site,
// else "". Browsers drop tabs and line breaks anywhere in a URL, strip
// leading spaces and control characters, and read a backslash as a slash,
// so "/\t/evil.test" or "/\\evil.test" would go to another site. Only
// printable ASCII without backslashes is accepted (a browser sends anything
// else percent-encoded), it must start with exactly one slash, and it must
// parse as a bare path.
func safeNext(next string) string {
	if len(next) > maxNextLen || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") {
		return ""
	}
	for i := 0; i < len(next); i++ {
		if c := next[i]; c <= ' ' || c >= 0x7f || c == '\\' {
			return ""
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" || !strings.HasPrefix(u.Path, "/") {
		return ""
	}
	return next
}

// root sends each visitor where they work.
func (h *handlers) root(c echo.Context) error {
	switch u := userOf(c); {
	case u == nil:
		return c.Redirect(http.StatusSeeOther, "/login")
	case u.AdminLevel == invite.AdminGlobal || u.AdminLevel == invite.AdminCompany:
		return c.Redirect(http.StatusSeeOther, "/admin/invitations")
	}
	return c.Redirect(http.StatusSeeOther, "/home")
}

func (h *handlers) loginForm(c echo.Context) error {
	if userOf(c) != nil {
		return h.root(c)
	}
	return h.render(c, http.StatusOK, "login", "", h.newView(c, "", "login_title", &loginData{Next: safeNext(c.QueryParam("next"))}))
}

// login starts a new session, ending any the browser had, so a session is
// never carried across a log-in. A wrong address and a wrong password get
// the same answer.
func (h *handlers) login(c echo.Context) error {
	email, password := c.FormValue("email"), c.FormValue("password")
	data := &loginData{Email: email, Next: safeNext(c.FormValue("next"))}
	ctx := c.Request().Context()
	_, token, err := h.svc.Login(ctx, email, password)
	if e, ok := asError(err); ok && errors.Is(err, invite.ErrAccessNotStarted) {
		// A page that says when, reached by a redirect: reloading it
		// sends no password again.
		return redirect(c, notYetURL(e.At, false))
	}
	if e, ok := asError(err); ok && errors.Is(err, invite.ErrAccessEnded) {
		v := h.newView(c, "", "login_title", data)
		v.Problem = v.L.T("access_ended_on", "Date", e.At.Format(v.L.T("date_layout")))
		return h.render(c, http.StatusUnprocessableEntity, "login", "login-form", v)
	}
	if errors.Is(err, invite.ErrBadCredentials) || errors.Is(err, invite.ErrUserDisabled) || errors.Is(err, invite.ErrTooManyFailedLogins) {
		v := h.newView(c, "", "login_title", data)
		v.Problem = v.L.Error(err)
		status := http.StatusUnprocessableEntity
		if e, _ := asError(err); e.RetryAfter > 0 {
			status = http.StatusTooManyRequests
			c.Response().Header().Set("Retry-After", strconv.Itoa(int(e.RetryAfter.Seconds())))
		}
		return h.render(c, status, "login", "login-form", v)
	}
	if err != nil {
		return err
	}
	if old, err := c.Cookie(h.cookieName(sessionCookie)); err == nil {
		if err := h.svc.Logout(ctx, old.Value); err != nil {
			return err
		}
	}
	h.setSession(c, token)
	next := data.Next
	if next == "" {
		next = "/"
	}
	return redirect(c, next)
}

func (h *handlers) logout(c echo.Context) error {
	if ck, err := c.Cookie(h.cookieName(sessionCookie)); err == nil {
		if err := h.svc.Logout(c.Request().Context(), ck.Value); err != nil {
			return err
		}
	}
	h.clearSession(c)
	if next := safeNext(c.FormValue("next")); next != "" {
		return redirect(c, next) // such as the invitation the person logged out to accept
	}
	return redirect(c, "/login")
}

type homeData struct {
	Company *invite.Company
	Grants  []invite.GrantView
	// AccessEnds is when the user's access window ends, in their
	// language and time zone; "" if it does not.
	AccessEnds string
}

// home shows the user their company and subscriptions with roles.
func (h *handlers) home(c echo.Context) error {
	u := userOf(c)
	data := &homeData{}
	if !u.AccessUntil.IsZero() {
		data.AccessEnds = u.AccessUntil.In(zoneNamed(u.TimeZone)).Format(trOf(c).T("date_layout"))
	}
	if u.CompanyID != 0 {
		company, err := h.svc.MyCompany(c.Request().Context())
		if err != nil {
			return err
		}
		data.Company = company
		for _, s := range company.Subscriptions {
			for _, g := range u.Grants {
				if g.SubscriptionID == s.ID {
					data.Grants = append(data.Grants, invite.GrantView{Subscription: s.Name, Role: g.Role})
				}
			}
		}
	}
	return h.render(c, http.StatusOK, "home", "", h.newView(c, "home", "home_heading", data))
}
