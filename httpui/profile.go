package httpui

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/invitehq/invite/invite"
)

type profileData struct {
	Form   invite.ProfileInput
	Tokens *tokensData
}

// profileData returns the profile page's data: the user's details as
// stored, and their API tokens (tokens.go).
func (h *handlers) profileData(c echo.Context) (*profileData, error) {
	u := userOf(c)
	f := invite.ProfileInput{FirstName: u.FirstName, LastName: u.LastName, Department: u.Department, Phone: u.Phone, Language: u.Language, TimeZone: u.TimeZone}
	tokens, err := h.tokens(c)
	if err != nil {
		return nil, err
	}
	return &profileData{Form: f, Tokens: tokens}, nil
}

// profile shows the user's own details; the e-mail address, their
// username, is shown and not edited.
func (h *handlers) profile(c echo.Context) error {
	d, err := h.profileData(c)
	if err != nil {
		return err
	}
	return h.render(c, http.StatusOK, "profile", "", h.newView(c, "profile", "profile_title", d))
}

// saveProfile saves the profile; the next page is in the chosen language.
func (h *handlers) saveProfile(c echo.Context) error {
	f := invite.ProfileInput{
		FirstName: c.FormValue("first_name"), LastName: c.FormValue("last_name"), Department: c.FormValue("department"),
		Phone: c.FormValue("phone"), Language: c.FormValue("language"), TimeZone: c.FormValue("time_zone"),
	}
	if _, err := h.svc.UpdateProfile(c.Request().Context(), f); err != nil {
		errs := fieldErrors(err)
		if errs == nil {
			return err
		}
		d, err := h.profileData(c)
		if err != nil {
			return err
		}
		d.Form = f
		v := h.newView(c, "profile", "profile_title", d)
		return h.invalid(c, v, errs, "profile", "profile-form")
	}
	return redirect(c, "/profile?done=profile_saved")
}

func (h *handlers) passwordForm(c echo.Context) error {
	return h.render(c, http.StatusOK, "password", "", h.newView(c, "profile", "password_title", nil))
}

// changePassword changes the password; every other session of the user ends.
func (h *handlers) changePassword(c echo.Context) error {
	password := c.FormValue("password")
	var errs map[string]*invite.FieldError
	if password != c.FormValue("password_confirm") {
		errs = map[string]*invite.FieldError{"password_confirm": {Field: "password_confirm", Reason: invite.ReasonPasswordMismatch, Message: "does not match the password"}}
	} else {
		keep := ""
		if ck, err := c.Cookie(h.cookieName(sessionCookie)); err == nil {
			keep = ck.Value
		}
		err := h.svc.ChangePassword(c.Request().Context(), c.FormValue("current_password"), password, keep)
		if err != nil {
			if errs = fieldErrors(err); errs == nil {
				return err
			}
		}
	}
	if errs != nil {
		v := h.newView(c, "profile", "password_title", nil)
		return h.invalid(c, v, errs, "password", "password-form")
	}
	return redirect(c, "/profile?done=password_changed")
}
