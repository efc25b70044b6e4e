package httpui

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/invitehq/invite/invite"
)

type requestData struct {
	Key     string
	Company *invite.Company
	Form    invite.JoinRequestInput
	Sent    bool
}

// requestForm is a company's join page: a person without an invitation asks
// to join.
func (h *handlers) requestForm(c echo.Context) error {
	key := c.Param("key")
	co, err := h.svc.JoinPage(c.Request().Context(), key)
	if err != nil {
		return h.requestClosed(c, err)
	}
	f := invite.JoinRequestInput{Language: trOf(c).Lang, TimeZone: co.TimeZone}
	return h.render(c, http.StatusOK, "request", "", h.newView(c, "", "request_title", &requestData{Key: key, Company: co, Form: f}))
}

// requestClosed answers a join page that takes no requests.
func (h *handlers) requestClosed(c echo.Context, err error) error {
	if e, ok := asError(err); !ok || e.Reason != invite.ErrJoinClosed.Reason {
		return err
	}
	v := h.newView(c, "", "request_closed_title", nil)
	return h.render(c, http.StatusNotFound, "request_closed", "", v)
}

// request sends the request; the answer is the same for everyone.
func (h *handlers) request(c echo.Context) error {
	key := c.Param("key")
	ctx := c.Request().Context()
	co, err := h.svc.JoinPage(ctx, key)
	if err != nil {
		return h.requestClosed(c, err)
	}
	f := invite.JoinRequestInput{
		Email: c.FormValue("email"), FirstName: c.FormValue("first_name"), LastName: c.FormValue("last_name"),
		Phone: c.FormValue("phone"), Language: c.FormValue("language"), TimeZone: c.FormValue("time_zone"),
	}
	data := &requestData{Key: key, Company: co, Form: f}
	if err := h.svc.RequestToJoin(ctx, key, f); err != nil {
		errs := fieldErrors(err)
		if errs == nil {
			return h.requestClosed(c, err)
		}
		v := h.newView(c, "", "request_title", data)
		return h.invalid(c, v, errs, "request", "request-form")
	}
	data.Sent = true
	return h.render(c, http.StatusOK, "request", "request-form", h.newView(c, "", "request_title", data))
}

func joinRequestID(c echo.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, invite.ErrJoinRequestNotFound
	}
	return id, nil
}

// approve invites the requester with the chosen business role and
// subscriptions.
func (h *handlers) approve(c echo.Context) error {
	id, err := joinRequestID(c)
	if err != nil {
		return err
	}
	f, err := parseInvitationForm(c)
	if err != nil {
		return err
	}
	if _, err := h.svc.ApproveJoinRequest(c.Request().Context(), id, f.BusinessRoleID, f.grantList()); err != nil {
		errs := fieldErrors(err)
		if errs == nil {
			return err
		}
		v, verr := h.usersView(c)
		if verr != nil {
			return verr
		}
		data := v.Data.(*usersData)
		data.Approving, data.ApproveForm = id, f
		v.Errors = grantErrors(errs, f.grantList())
		v.Problem = v.L.T("form_invalid")
		if e, ok := asError(err); ok && e.Code != invite.CodeInvalid {
			v.Problem = v.L.Error(err) // a refusal named at a field
		}
		if e := errs["email"]; e != nil && e.Reason == invite.ReasonDomainNotAllowed {
			// The form has no address to correct: the request is to decline.
			v.Problem = v.L.T("approve_domain_refused", "Reason", v.L.Field(e))
		}
		return h.render(c, statusOf(invite.ErrorCode(err)), "users", "", v)
	}
	return redirect(c, "/admin/users?done=request_approved")
}

func (h *handlers) decline(c echo.Context) error {
	id, err := joinRequestID(c)
	if err != nil {
		return err
	}
	if err := h.svc.DeclineJoinRequest(c.Request().Context(), id); err != nil {
		return err
	}
	return redirect(c, "/admin/users?done=request_declined")
}

// joinPageBack is where a join page's administrator returns to: Users for
// a Company Administrator, Companies for a Global Administrator.
func joinPageBack(c echo.Context) string {
	if userOf(c).AdminLevel == invite.AdminGlobal {
		return "/admin/companies"
	}
	return "/admin/users"
}

type joinAddressData struct {
	Company *invite.Company
	Address string
	Back    string
}

// openJoin opens a company's join page at a new address and leads to the
// page that shows it, this once: only its key's hash is kept.
func (h *handlers) openJoin(c echo.Context) error {
	id, err := companyID(c)
	if err != nil {
		return err
	}
	address, err := h.svc.OpenJoinPage(c.Request().Context(), id)
	if err != nil {
		return err
	}
	if err := h.keepJoinAddress(c, id, address); err != nil {
		return err
	}
	return redirect(c, "/admin/companies/"+strconv.FormatInt(id, 10)+"/join")
}

// joinAddress shows the join address that openJoin just made, once; shown
// again, or later, it says so and offers to make a new one.
func (h *handlers) joinAddress(c echo.Context) error {
	co, err := h.pathCompany(c)
	if err != nil {
		return err
	}
	v := h.newView(c, "users", "join_address_title", &joinAddressData{Company: co, Address: h.takeJoinAddress(c, co.ID), Back: joinPageBack(c)})
	return h.render(c, http.StatusOK, "join_address", "", v)
}

// closeJoin closes a company's join page.
func (h *handlers) closeJoin(c echo.Context) error {
	id, err := companyID(c)
	if err != nil {
		return err
	}
	if err := h.svc.CloseJoinPage(c.Request().Context(), id); err != nil {
		return err
	}
	return redirect(c, joinPageBack(c)+"?done=join_off")
}
