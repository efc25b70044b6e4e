package httpui

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/invitehq/invite/invite"
)

type usersData struct {
	Requests  []*invite.JoinRequest
	Own       *invite.Company // a Company Administrator's company, for its join page
	BaseURL   string
	Page      *invite.UserPage
	Companies map[int64]*invite.Company
	CompanyID int64
	Search    string
	NextURL   string
	// Approving is the request whose approval was refused, and
	// ApproveForm what was sent for it.
	Approving   int64
	ApproveForm *invitationForm
	// Seats are the seats of the one company the list shows (a Company
	// Administrator's, or the one a Global Administrator chose), and
	// SeatsOf that company's ID; 0 when the list shows several.
	Seats   []invite.SeatUse
	SeatsOf int64

	zone func(string) *time.Location // a user's time zone, for their access window
	now  time.Time
}

// RoleName returns the name of a user's business role.
func (d *usersData) RoleName(u *invite.User) string {
	if co, ok := d.Companies[u.CompanyID]; ok {
		if r, ok := co.BusinessRole(u.BusinessRoleID); ok {
			return r.Name
		}
	}
	return ""
}

// Grants returns a user's subscriptions with their names, in the company's
// order.
func (d *usersData) Grants(u *invite.User) []invite.GrantView {
	co, ok := d.Companies[u.CompanyID]
	if !ok {
		return nil
	}
	var out []invite.GrantView
	for _, s := range co.Subscriptions {
		if r := u.Grant(s.ID); r != "" {
			out = append(out, invite.GrantView{Subscription: s.Name, Role: r})
		}
	}
	return out
}

// Manageable reports whether actor may change or disable u.
func (d *usersData) Manageable(actor, u *invite.User) bool { return invite.CanManage(actor, u) }

// MaxRequests is how many requests to join the page lists at most.
func (d *usersData) MaxRequests() int { return invite.MaxJoinRequests }

// CompanyList returns the companies by name, for the filter.
func (d *usersData) CompanyList() []*invite.Company {
	var out []*invite.Company
	for _, c := range d.Companies {
		out = append(out, c)
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && strings.ToLower(out[j].Name) < strings.ToLower(out[j-1].Name); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

func (h *handlers) usersData(c echo.Context) (*usersData, error) {
	cs, err := h.svc.Companies(c.Request().Context())
	if err != nil {
		return nil, err
	}
	data := &usersData{Companies: map[int64]*invite.Company{}, zone: h.zone, now: h.svc.Now()}
	for _, co := range cs {
		data.Companies[co.ID] = co
	}
	return data, nil
}

// users lists the users the administrator administers, with a company
// filter for a Global Administrator, a search, and the "Invite User" button.
func (h *handlers) users(c echo.Context) error {
	v, err := h.usersView(c)
	if err != nil {
		return err
	}
	return h.render(c, http.StatusOK, "users", "users-table", v)
}

// usersView prepares the users page of the request's filter and page.
func (h *handlers) usersView(c echo.Context) (*view, error) {
	ctx := c.Request().Context()
	data, err := h.usersData(c)
	if err != nil {
		return nil, err
	}
	data.CompanyID = formInt(c, "company")
	data.Search = c.QueryParam("q")
	after, err := cursorParam(c)
	if err != nil {
		return nil, err
	}
	page, err := h.svc.Users(ctx, invite.UserFilter{CompanyID: data.CompanyID, Search: data.Search, After: after})
	if err != nil {
		return nil, err
	}
	data.Page = page
	if data.Requests, err = h.svc.JoinRequests(ctx, data.CompanyID); err != nil {
		return nil, err
	}
	if u := userOf(c); u.AdminLevel == invite.AdminCompany {
		data.Own = data.Companies[u.CompanyID]
		data.SeatsOf = u.CompanyID
	} else if _, ok := data.Companies[data.CompanyID]; ok {
		data.SeatsOf = data.CompanyID
	}
	if data.SeatsOf != 0 {
		if data.Seats, err = h.svc.Seats(ctx, data.SeatsOf); err != nil {
			return nil, err
		}
	}
	data.BaseURL = h.cfg.BaseURL
	if page.Next != 0 {
		q := url.Values{"after": {strconv.FormatInt(page.Next, 10)}}
		if data.CompanyID != 0 {
			q.Set("company", strconv.FormatInt(data.CompanyID, 10))
		}
		if data.Search != "" {
			q.Set("q", data.Search)
		}
		data.NextURL = "/admin/users?" + q.Encode()
	}
	return h.newView(c, "users", "users_title", data), nil
}

type userRowData struct {
	D       *usersData
	U       *invite.User
	Editing bool
	// Sent is the editor's form as sent, when it is sent back with errors.
	Sent *invitationForm
}

func userID(c echo.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, invite.ErrUserNotFound
	}
	return id, nil
}

// userPrefix sets the ids of u's editor apart from other users' editors.
func userPrefix(u *invite.User) string { return fmt.Sprintf("u%d-", u.ID) }

// userRow answers with one user's row: under htmx in place, with a
// confirmation; otherwise the list.
func (h *handlers) userRow(c echo.Context, u *invite.User, editing bool, status int, errs map[string]*invite.FieldError, done string, sent *invitationForm) error {
	data, err := h.usersData(c)
	if err != nil {
		return err
	}
	title := "users_title"
	if editing && !isHTMX(c) { // the editor as a page of its own
		title = "user_edit_title"
	}
	v := h.newView(c, "users", title, &userRowData{D: data, U: u, Editing: editing, Sent: sent})
	v.Errors, v.Prefix = errs, userPrefix(u)
	if editing {
		if err := h.withSeats(c, v, u.CompanyID); err != nil {
			return err
		}
	}
	list := inPlace(c, "/admin/users")
	if done != "" {
		if !list {
			return redirect(c, "/admin/users?done="+done)
		}
		v.Flash = v.L.T("done_"+done+"_name", "Name", u.Name())
	}
	if errs != nil {
		// Said once: at the form under htmx, in the page's messages
		// otherwise.
		v.Problem = v.L.T("form_invalid")
		if msg := unplacedGrantError(v.L, errs, data.Companies[u.CompanyID]); msg != "" {
			v.Problem = msg
		}
	}
	if !isHTMX(c) { // the editor as a page of its own, with the errors
		return h.render(c, status, "user_edit", "", v)
	}
	if !list { // the editor's own page, under htmx: the form in place
		return h.render(c, status, "user_edit", "user-edit-form", v)
	}
	c.Response().Header().Set("HX-Retarget", fmt.Sprintf("#user-%d", u.ID))
	c.Response().Header().Set("HX-Reswap", "outerHTML")
	return h.render(c, status, "users", "user-row-done", v)
}

// editUser opens a user's business role, subscriptions and administrator
// level for changes: in place under htmx, as a page otherwise.
func (h *handlers) editUser(c echo.Context) error {
	id, err := userID(c)
	if err != nil {
		return err
	}
	u, err := h.svc.User(c.Request().Context(), id)
	if err != nil {
		return err
	}
	if !invite.CanManage(userOf(c), u) {
		return invite.ErrUserAboveYou
	}
	if !isHTMX(c) {
		data, err := h.usersData(c)
		if err != nil {
			return err
		}
		v := h.newView(c, "users", "user_edit_title", &userRowData{D: data, U: u, Editing: true})
		v.Prefix = userPrefix(u)
		return h.render(c, http.StatusOK, "user_edit", "", v)
	}
	return h.userRow(c, u, true, http.StatusOK, nil, "", nil)
}

// saveUser saves a user's business role, subscriptions and level.
func (h *handlers) saveUser(c echo.Context) error {
	id, err := userID(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	f, err := parseInvitationForm(c) // the same fields: business role, grants, admin
	if err != nil {
		return err
	}
	ch := invite.UserChange{BusinessRoleID: f.BusinessRoleID, AdminLevel: invite.AdminNone, Grants: f.grantList()}
	if f.Admin {
		ch.AdminLevel = invite.AdminCompany
	}
	var u *invite.User
	// The window's dates are read in the user's time zone; a form
	// without them (an older page) keeps the window.
	if _, ok := c.Request().PostForm["access_until"]; ok {
		cur, uerr := h.svc.User(ctx, id)
		if uerr != nil {
			return uerr
		}
		// Dates as they were keep the window as it is, to the instant
		// (one set by a program may fall within a day): only a change is
		// a change, and nobody may change their own.
		from, until := windowDates(cur.Access(), h.zone(cur.TimeZone))
		if f.AccessFrom != from || f.AccessUntil != until {
			w, errs := parseWindow(f.AccessFrom, f.AccessUntil, h.zone(cur.TimeZone))
			if errs != nil {
				err = invalidInput(errs)
			}
			ch.Access = &w
		}
	}
	if err == nil {
		u, err = h.svc.ChangeUser(ctx, id, ch)
	}
	if err != nil {
		errs := fieldErrors(err)
		if errs == nil {
			return err
		}
		errs = grantErrors(errs, ch.Grants)
		cur, cerr := h.svc.User(ctx, id)
		if cerr != nil {
			return cerr
		}
		// Shown as submitted, so that nothing typed is lost.
		if ch.BusinessRoleID != 0 {
			cur.BusinessRoleID = ch.BusinessRoleID
		}
		if _, ok := c.Request().PostForm["access_until"]; !ok {
			f.AccessFrom, f.AccessUntil = windowDates(cur.Access(), h.zone(cur.TimeZone))
		}
		cur.Grants, cur.AdminLevel = ch.Grants, ch.AdminLevel
		return h.userRow(c, cur, true, http.StatusUnprocessableEntity, errs, "", f)
	}
	if me := userOf(c); me.ID == u.ID {
		return redirect(c, "/") // own privileges changed: the session ended
	}
	return h.userRow(c, u, false, http.StatusOK, nil, "user_saved", nil)
}

// setDisabled disables or enables a user.
func (h *handlers) setDisabled(disabled bool) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := userID(c)
		if err != nil {
			return err
		}
		u, err := h.svc.SetDisabled(c.Request().Context(), id, disabled)
		if errors.Is(err, invite.ErrAccessWindowEnded) {
			// Said at the editor, where the window is extended.
			cur, cerr := h.svc.User(c.Request().Context(), id)
			if cerr != nil {
				return cerr
			}
			msg := &invite.FieldError{Field: "access_until", Reason: "access_window_ended", Message: invite.ErrAccessWindowEnded.Message}
			return h.userRow(c, cur, true, http.StatusUnprocessableEntity, map[string]*invite.FieldError{"access_until": msg}, "", nil)
		}
		if err != nil {
			return err
		}
		done := "user_enabled"
		if disabled {
			done = "user_disabled"
		}
		return h.userRow(c, u, false, http.StatusOK, nil, done, nil)
	}
}

// confirmUser asks for confirmation of disabling or deleting without
// JavaScript; htmx asks with hx-confirm and posts directly.
func (h *handlers) confirmUser(action string) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := userID(c)
		if err != nil {
			return err
		}
		u, err := h.svc.User(c.Request().Context(), id)
		if err != nil {
			return err
		}
		if action == "disable" && !invite.CanManage(userOf(c), u) {
			return invite.ErrUserAboveYou
		}
		v := h.newView(c, "users", "user_"+action+"_title", u)
		return h.render(c, http.StatusOK, "user_confirm", "", v.with(action))
	}
}

// deleteUser deletes a user; they are logged out at once.
func (h *handlers) deleteUser(c echo.Context) error {
	id, err := userID(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	u, err := h.svc.User(ctx, id)
	if err != nil {
		return err
	}
	if err := h.svc.DeleteUser(ctx, id); err != nil {
		return err
	}
	if !isHTMX(c) {
		return redirect(c, "/admin/users?done=user_deleted")
	}
	v := h.newView(c, "users", "users_title", nil)
	v.Flash = v.L.T("done_user_deleted_name", "Name", u.Name())
	c.Response().Header().Set("HX-Retarget", fmt.Sprintf("#user-%d", id))
	c.Response().Header().Set("HX-Reswap", "outerHTML")
	return h.render(c, http.StatusOK, "users", "user-row-deleted", v)
}
