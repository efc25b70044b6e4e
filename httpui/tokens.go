package httpui

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/invitehq/invite/invite"
)

// This file is the profile page's API tokens: an administrator makes one
// (its secret shown once, on the answer to the form, never in a URL),
// sees theirs, and revokes one after confirming.

func (h *handlers) mountTokens(app *echo.Group) {
	app.POST("/profile/tokens", h.createToken, h.requireUser)
	app.GET("/profile/tokens/:id/revoke", h.confirmRevokeToken, h.requireUser)
	app.POST("/profile/tokens/:id/revoke", h.revokeToken, h.requireUser)
}

// tokenRow is a token as the profile page lists it.
type tokenRow struct {
	ID                              int64
	Name, Prefix, Created, LastUsed string
}

// tokensData is the profile page's part on API tokens.
type tokensData struct {
	Show   bool // the user may make tokens: an administrator
	Rows   []tokenRow
	Max    int
	Name   string // the name the form was sent with
	Secret string // the secret of the token just made, shown once
}

// tokens returns the profile page's part on the user's API tokens.
func (h *handlers) tokens(c echo.Context) (*tokensData, error) {
	u := userOf(c)
	d := &tokensData{Max: invite.MaxAPITokens, Show: u.AdminLevel == invite.AdminGlobal || u.AdminLevel == invite.AdminCompany}
	ts, err := h.svc.APITokens(c.Request().Context())
	if err != nil {
		return nil, err
	}
	t := trOf(c)
	for _, tok := range ts {
		d.Rows = append(d.Rows, tokenRow{ID: tok.ID, Name: tok.Name, Prefix: tok.Prefix, Created: t.Date(tok.CreatedAt), LastUsed: t.Date(tok.LastUsedAt)})
	}
	// A token kept by a user who is no longer an administrator is listed,
	// to be revoked.
	d.Show = d.Show || len(d.Rows) > 0
	return d, nil
}

// createToken makes a token and shows its secret, once.
func (h *handlers) createToken(c echo.Context) error {
	name := c.FormValue("name")
	secret, _, err := h.svc.CreateAPIToken(c.Request().Context(), name)
	if errs := fieldErrors(err); errs != nil {
		d, terr := h.profileData(c)
		if terr != nil {
			return terr
		}
		d.Tokens.Name = name
		v := h.newView(c, "profile", "profile_title", d)
		return h.invalid(c, v, errs, "profile", "token-form")
	}
	if err != nil {
		return err
	}
	d, err := h.profileData(c)
	if err != nil {
		return err
	}
	d.Tokens.Secret = secret
	v := h.newView(c, "profile", "profile_title", d)
	v.Flash = v.L.T("api_token_created")
	return h.render(c, http.StatusOK, "profile", "", v)
}

// pathToken returns the user's token named by the path.
func (h *handlers) pathToken(c echo.Context) (*invite.APIToken, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return nil, invite.ErrAPITokenNotFound
	}
	ts, err := h.svc.APITokens(c.Request().Context())
	if err != nil {
		return nil, err
	}
	for _, t := range ts {
		if t.ID == id {
			return t, nil
		}
	}
	return nil, invite.ErrAPITokenNotFound
}

// confirmRevokeToken asks before revoking.
func (h *handlers) confirmRevokeToken(c echo.Context) error {
	t, err := h.pathToken(c)
	if err != nil {
		return err
	}
	return h.render(c, http.StatusOK, "api_token_revoke", "", h.newView(c, "profile", "api_token_revoke_title", t))
}

// revokeToken revokes a token: no request is let in with it from now on.
func (h *handlers) revokeToken(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return invite.ErrAPITokenNotFound
	}
	if err := h.svc.RevokeAPIToken(c.Request().Context(), id); err != nil {
		return err
	}
	return redirect(c, "/profile?done=api_token_revoked")
}
