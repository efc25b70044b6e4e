package httpui

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/invitehq/invite/invite"
)

type resetData struct {
	Email, Token string
	Sent         bool
}

func (h *handlers) forgotForm(c echo.Context) error {
	return h.render(c, http.StatusOK, "forgot", "", h.newView(c, "", "forgot_title", &resetData{}))
}

// forgot asks for a reset link. It answers the same, and does the same,
// whether or not the account exists: a job sends the link.
func (h *handlers) forgot(c echo.Context) error {
	if err := h.svc.RequestPasswordReset(c.Request().Context(), c.FormValue("email"), trOf(c).Lang); err != nil {
		return err
	}
	return h.render(c, http.StatusOK, "forgot", "forgot-form", h.newView(c, "", "forgot_title", &resetData{Sent: true}))
}

func (h *handlers) resetForm(c echo.Context) error {
	token := c.Param("token")
	email, err := h.svc.PasswordResetFor(c.Request().Context(), token)
	if err != nil {
		return h.resetProblem(c, err)
	}
	c.Response().Header().Set("Referrer-Policy", "no-referrer")
	return h.render(c, http.StatusOK, "reset", "", h.newView(c, "", "reset_title", &resetData{Email: email, Token: token}))
}

// resetProblem answers an unusable reset link with its own page.
func (h *handlers) resetProblem(c echo.Context, err error) error {
	if !errors.Is(err, invite.ErrResetNotFound) && !errors.Is(err, invite.ErrResetExpired) {
		return err
	}
	page := "reset_unknown"
	if errors.Is(err, invite.ErrResetExpired) {
		page = "reset_expired"
	}
	v := h.newView(c, "", page+"_title", nil)
	return h.render(c, statusOf(invite.ErrorCode(err)), "reset_problem", "", v.with(page))
}

// reset sets the new password; every session of the user ends, and they log
// in with it.
func (h *handlers) reset(c echo.Context) error {
	token := c.Param("token")
	ctx := c.Request().Context()
	email, err := h.svc.PasswordResetFor(ctx, token)
	if err != nil {
		return h.resetProblem(c, err)
	}
	data := &resetData{Email: email, Token: token}
	password := c.FormValue("password")
	var errs map[string]*invite.FieldError
	if password != c.FormValue("password_confirm") {
		errs = fieldErrors(invite.ValidatePassword(password, email))
		if errs == nil {
			errs = map[string]*invite.FieldError{}
		}
		errs["password_confirm"] = &invite.FieldError{Field: "password_confirm", Reason: invite.ReasonPasswordMismatch, Message: "does not match the password"}
	} else if _, err := h.svc.ResetPassword(ctx, token, password); err != nil {
		if errs = fieldErrors(err); errs == nil {
			return h.resetProblem(c, err)
		}
	}
	if errs != nil {
		v := h.newView(c, "", "reset_title", data)
		return h.invalid(c, v, errs, "reset", "reset-form")
	}
	h.clearSession(c)
	return redirect(c, "/login?done=password_reset")
}
