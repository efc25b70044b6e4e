package httpui

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/invitehq/invite/invite"
)

type usersData struct {
	Page      *invite.UserPage
	Companies map[int64]*invite.Company
	NextURL   string
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

// users lists the users of the companies the administrator administers,
// with the "Invite User" button.
func (h *handlers) users(c echo.Context) error {
	ctx := c.Request().Context()
	after, _ := strconv.ParseInt(c.QueryParam("after"), 10, 64)
	page, err := h.svc.Users(ctx, invite.UserFilter{After: after})
	if err != nil {
		return err
	}
	cs, err := h.svc.Companies(ctx)
	if err != nil {
		return err
	}
	data := &usersData{Page: page, Companies: map[int64]*invite.Company{}}
	for _, co := range cs {
		data.Companies[co.ID] = co
	}
	if page.Next != 0 {
		data.NextURL = "/admin/users?after=" + strconv.FormatInt(page.Next, 10)
	}
	return h.render(c, http.StatusOK, "users", "", h.newView(c, "users", "users_title", data))
}
