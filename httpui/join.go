package httpui

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/invitehq/invite/invite"
)

type joinData struct {
	Token       string
	View        *invite.InvitationView
	FirstName   string
	LastName    string
	Phone       string
	Language    string
	TimeZone    string
	AcceptTerms bool
	Requested   bool
	// NoSeats names the subscriptions that had no free seat when the
	// invitee tried to accept.
	NoSeats string
}

// joinLanguage speaks the invitee's language: the invitation's once it is
// known, before that the browser's.
func (h *handlers) joinLanguage(c echo.Context, inv *invite.Invitation) {
	if userOf(c) == nil && inv != nil {
		c.Set(ctxTr, h.texts.translator(inv.Language, inv.TimeZone))
	}
}

// joinProblem answers a link that cannot be used with a page of its own:
// expired (with a way to ask for a new invitation), canceled, already used,
// or unknown.
func (h *handlers) joinProblem(c echo.Context, err error, data *joinData) error {
	var page string
	switch {
	case errors.Is(err, invite.ErrInvitationExpired):
		page = "join_expired"
	case errors.Is(err, invite.ErrInvitationCanceled):
		page = "join_canceled"
	case errors.Is(err, invite.ErrInvitationAccepted):
		page = "join_used"
	case errors.Is(err, invite.ErrInvitationNotFound):
		page = "join_unknown"
	case errors.Is(err, invite.ErrUserExists):
		page = "join_exists"
	case errors.Is(err, errSignedIn):
		page = "join_signed_in"
	case errors.Is(err, invite.ErrNoSeats):
		page = "join_no_seats"
		if e, ok := asError(err); ok {
			names := make([]string, 0, len(e.Fields))
			for _, f := range e.Fields {
				names = append(names, fmt.Sprint(f.Args["Subscription"]))
			}
			data.NoSeats = strings.Join(names, ", ")
		}
	case errors.Is(err, invite.ErrAccessEnded):
		page = "join_access_ended"
	default:
		return err
	}
	if data != nil && data.View != nil && data.View.Invitation != nil && data.View.Invitation.RenewalAsked() {
		data.Requested = true // asked already: the page says so, with no button
	}
	v := h.newView(c, "", page+"_title", data)
	v.Status = statusOf(invite.ErrorCode(err))
	c.Response().Header().Set("HX-Retarget", "#main")
	c.Response().Header().Set("HX-Reswap", "innerHTML")
	return h.render(c, v.Status, "join_problem", "join-problem", v.with(page))
}

// errSignedIn is a link opened by someone logged in: accepting would make
// a second person of them in this browser, so they log out first.
var errSignedIn = &invite.Error{Code: invite.CodeConflict, Reason: "signed_in", Message: "Log out to accept this invitation."}

// usable returns why the invitation of iv cannot be accepted in this
// browser now, or nil: it is not pending, its address has an account, or
// someone is logged in here.
func usable(c echo.Context, iv *invite.InvitationView) error {
	switch iv.Invitation.Status {
	case invite.StatusExpired:
		return invite.ErrInvitationExpired
	case invite.StatusCanceled:
		return invite.ErrInvitationCanceled
	case invite.StatusAccepted:
		return invite.ErrInvitationAccepted
	}
	if iv.AccountExists {
		return invite.ErrUserExists
	}
	if userOf(c) != nil {
		return errSignedIn
	}
	return nil
}

// joinForm shows the invitation behind a link and asks for a password and
// the registration details. Opening it changes nothing: mail scanners that
// follow links do not use the invitation up.
func (h *handlers) joinForm(c echo.Context) error {
	token := c.Param("token")
	iv, err := h.svc.Invitee(c.Request().Context(), token)
	data := &joinData{Token: token, View: iv}
	if err == nil {
		h.joinLanguage(c, iv.Invitation)
		err = usable(c, iv)
	}
	if err != nil {
		return h.joinProblem(c, err, data)
	}
	inv := iv.Invitation
	data.FirstName, data.LastName, data.Phone, data.Language, data.TimeZone = inv.FirstName, inv.LastName, inv.Phone, inv.Language, inv.TimeZone
	c.Response().Header().Set("Referrer-Policy", "no-referrer") // the token is in the URL
	return h.render(c, http.StatusOK, "join", "", h.newView(c, "", "join_title", data))
}

// join accepts the invitation, then logs the new user in and takes them
// home.
func (h *handlers) join(c echo.Context) error {
	token := c.Param("token")
	ctx := c.Request().Context()
	iv, err := h.svc.Invitee(ctx, token)
	if err != nil {
		return h.joinProblem(c, err, &joinData{Token: token})
	}
	h.joinLanguage(c, iv.Invitation)
	if err := usable(c, iv); err != nil && !errors.Is(err, invite.ErrInvitationExpired) {
		return h.joinProblem(c, err, &joinData{Token: token, View: iv})
	}
	data := &joinData{
		Token: token, View: iv,
		FirstName: c.FormValue("first_name"), LastName: c.FormValue("last_name"), Phone: c.FormValue("phone"),
		Language: c.FormValue("language"), TimeZone: c.FormValue("time_zone"), AcceptTerms: c.FormValue("accept_terms") == "on",
	}
	password := c.FormValue("password")
	// The confirmation is the page's concern; check it before anything is
	// accepted.
	if password != c.FormValue("password_confirm") {
		errs := fieldErrors(invite.ValidatePassword(password, iv.Invitation.Email))
		if errs == nil {
			errs = map[string]*invite.FieldError{}
		}
		errs["password_confirm"] = &invite.FieldError{Field: "password_confirm", Reason: invite.ReasonPasswordMismatch, Message: "does not match the password"}
		return h.joinInvalid(c, data, errs)
	}
	u, err := h.svc.Accept(ctx, invite.AcceptInput{
		Token: token, Password: password, FirstName: data.FirstName, LastName: data.LastName,
		Phone: data.Phone, Language: data.Language, TimeZone: data.TimeZone, AcceptTerms: data.AcceptTerms,
	})
	if err != nil {
		if errs := fieldErrors(err); errs != nil && !errors.Is(err, invite.ErrNoSeats) {
			return h.joinInvalid(c, data, errs)
		}
		return h.joinProblem(c, err, data)
	}
	_, session, err := h.svc.Login(ctx, u.Email, password)
	if e, ok := asError(err); ok && errors.Is(err, invite.ErrAccessNotStarted) {
		// Registered before their access starts: a page says when they
		// may log in, rather than an error.
		return redirect(c, notYetURL(e.At, true))
	}
	if err != nil {
		return err
	}
	h.setSession(c, session)
	return redirect(c, "/home?done=welcome")
}

// joinInvalid re-renders the join form with field errors.
func (h *handlers) joinInvalid(c echo.Context, data *joinData, errs map[string]*invite.FieldError) error {
	v := h.newView(c, "", "join_title", data)
	return h.invalid(c, v, errs, "join", "join-form")
}

// renew asks the company's administrators for a new invitation.
func (h *handlers) renew(c echo.Context) error {
	token := c.Param("token")
	data := &joinData{Token: token}
	if iv, err := h.svc.Invitee(c.Request().Context(), token); err == nil {
		h.joinLanguage(c, iv.Invitation)
		data.View = iv
	}
	if err := h.svc.RequestNewInvitation(c.Request().Context(), token); err != nil {
		if errors.Is(err, invite.ErrInvalidTransition) {
			return redirect(c, h.svc.Paths().AcceptInvitation+token)
		}
		return h.joinProblem(c, err, data)
	}
	// Post/Redirect/Get: the link's page says that a new invitation was
	// asked for (the invitation keeps it), and reloading it asks nothing.
	return redirect(c, h.svc.Paths().AcceptInvitation+token)
}
