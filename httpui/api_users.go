package httpui

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/invitehq/invite/invite"
)

// apiUser is a user in JSON. Their password's hash is never in it.
type apiUser struct {
	ID             int64      `json:"id"`
	CompanyID      int64      `json:"company_id"`
	Email          string     `json:"email"`
	FirstName      string     `json:"first_name"`
	LastName       string     `json:"last_name"`
	BusinessRoleID int64      `json:"business_role_id"`
	Department     string     `json:"department"`
	Phone          string     `json:"phone"`
	Language       string     `json:"language"`
	TimeZone       string     `json:"time_zone"`
	AdminLevel     string     `json:"admin_level"`
	Grants         []apiGrant `json:"grants"`
	CreatedAt      apiTime    `json:"created_at"`
	DisabledAt     apiTime    `json:"disabled_at"`
	LastLoginAt    apiTime    `json:"last_login_at"`
	AccessFrom     apiTime    `json:"access_from"`
	AccessUntil    apiTime    `json:"access_until"`
}

func userJSON(u *invite.User) apiUser {
	return apiUser{
		ID: u.ID, CompanyID: u.CompanyID, Email: u.Email, FirstName: u.FirstName, LastName: u.LastName,
		BusinessRoleID: u.BusinessRoleID, Department: u.Department, Phone: u.Phone, Language: u.Language,
		TimeZone: u.TimeZone, AdminLevel: string(u.AdminLevel), Grants: apiGrants(u.Grants),
		CreatedAt: apiTime(u.CreatedAt), DisabledAt: apiTime(u.DisabledAt), LastLoginAt: apiTime(u.LastLoginAt),
		AccessFrom: apiTime(u.AccessFrom), AccessUntil: apiTime(u.AccessUntil),
	}
}

func (h *handlers) apiUsers(c echo.Context) error {
	q := &query{c: c}
	f := invite.UserFilter{CompanyID: q.id("company_id"), Search: c.QueryParam("search"), After: q.numCursor(), Limit: q.limit()}
	if err := q.err(); err != nil {
		return err
	}
	p, err := h.svc.Users(c.Request().Context(), f)
	if err != nil {
		return err
	}
	out := page[apiUser]{Items: make([]apiUser, len(p.Users)), NextCursor: numNext(p.Next)}
	for i, u := range p.Users {
		out.Items[i] = userJSON(u)
	}
	return writeJSON(c, http.StatusOK, out)
}

func (h *handlers) apiUser(c echo.Context) error {
	id, err := pathID(c, invite.ErrUserNotFound)
	if err != nil {
		return err
	}
	u, err := h.svc.User(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, userJSON(u))
}

// apiUserChange is what PATCH /users/{id} changes; a field left out
// keeps the user's value.
type apiUserChange struct {
	BusinessRoleID int64      `json:"business_role_id"`
	Grants         []apiGrant `json:"grants"`
	AdminLevel     string     `json:"admin_level"`
}

// apiChangeUser changes a user's business role, subscriptions and
// administration, as the user editor does (Service.ChangeUser).
func (h *handlers) apiChangeUser(c echo.Context) error {
	id, err := pathID(c, invite.ErrUserNotFound)
	if err != nil {
		return err
	}
	body, err := readBody(c)
	if err != nil {
		return err
	}
	var ch apiUserChange
	if err := decodeJSON(body, &ch); err != nil {
		return err
	}
	// Grants given as [] would keep the grants (nil); the Service says
	// what an empty list means.
	grants := grantsIn(ch.Grants)
	if ch.Grants != nil && len(grants) == 0 {
		grants = []invite.Grant{}
	}
	u, err := h.svc.ChangeUser(c.Request().Context(), id, invite.UserChange{
		BusinessRoleID: ch.BusinessRoleID, Grants: grants, AdminLevel: invite.AdminLevel(ch.AdminLevel),
	})
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, userJSON(u))
}

func (h *handlers) apiSetDisabled(disabled bool) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := pathID(c, invite.ErrUserNotFound)
		if err != nil {
			return err
		}
		var none struct{} // a body, if any, is an empty object
		if err := readOptionalJSON(c, &none); err != nil {
			return err
		}
		u, err := h.svc.SetDisabled(c.Request().Context(), id, disabled)
		if err != nil {
			return err
		}
		return writeJSON(c, http.StatusOK, userJSON(u))
	}
}

func (h *handlers) apiDeleteUser(c echo.Context) error {
	id, err := pathID(c, invite.ErrUserNotFound)
	if err != nil {
		return err
	}
	if err := h.svc.DeleteUser(c.Request().Context(), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// apiCompany is a company in JSON.
type apiCompany struct {
	ID              int64      `json:"id"`
	Name            string     `json:"name"`
	DefaultLanguage string     `json:"default_language"`
	TimeZone        string     `json:"time_zone"`
	Subscriptions   []apiNamed `json:"subscriptions"`
	BusinessRoles   []apiNamed `json:"business_roles"`
	AllowedDomains  []string   `json:"allowed_domains"`
	CreatedAt       apiTime    `json:"created_at"`
	JoinRequests    bool       `json:"join_requests"`
}

type apiNamed struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

func companyJSON(co *invite.Company) apiCompany {
	out := apiCompany{
		ID: co.ID, Name: co.Name, DefaultLanguage: co.DefaultLanguage, TimeZone: co.TimeZone,
		Subscriptions: []apiNamed{}, BusinessRoles: []apiNamed{}, AllowedDomains: []string{},
		CreatedAt: apiTime(co.CreatedAt), JoinRequests: co.JoinRequests,
	}
	for _, s := range co.Subscriptions {
		out.Subscriptions = append(out.Subscriptions, apiNamed{ID: s.ID, Name: s.Name})
	}
	for _, r := range co.BusinessRoles {
		out.BusinessRoles = append(out.BusinessRoles, apiNamed{ID: r.ID, Name: r.Name})
	}
	for _, d := range co.AllowedDomains {
		out.AllowedDomains = append(out.AllowedDomains, d.String())
	}
	return out
}

// apiCompanies lists the companies the token's user administers.
func (h *handlers) apiCompanies(c echo.Context) error {
	cs, err := h.svc.Companies(c.Request().Context())
	if err != nil {
		return err
	}
	out := page[apiCompany]{Items: make([]apiCompany, len(cs))}
	for i, co := range cs {
		out.Items[i] = companyJSON(co)
	}
	return writeJSON(c, http.StatusOK, out)
}

func (h *handlers) apiCompany(c echo.Context) error {
	id, err := pathID(c, invite.ErrCompanyNotFound)
	if err != nil {
		return err
	}
	co, err := h.svc.Company(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, companyJSON(co))
}

// apiEvent is an event of the history in JSON.
type apiEvent struct {
	ID         int64           `json:"id"`
	At         apiTime         `json:"at"`
	Kind       string          `json:"kind"`
	CompanyID  int64           `json:"company_id"`
	Actor      string          `json:"actor"`
	ActorID    int64           `json:"actor_id"`
	ActorEmail string          `json:"actor_email"`
	Subject    string          `json:"subject"`
	SubjectID  int64           `json:"subject_id"`
	Email      string          `json:"email"`
	Detail     json.RawMessage `json:"detail"`
}

// apiEvents lists the history, oldest first, a page at a time: kind may
// be given more than once, or as a list with commas.
func (h *handlers) apiEvents(c echo.Context) error {
	q := &query{c: c}
	f := invite.EventFilter{
		CompanyID: q.id("company_id"), InvitationID: q.id("invitation_id"), UserID: q.id("user_id"),
		From: q.time("from"), Until: q.time("until"), After: q.numCursor(), Limit: q.limit(),
	}
	for _, k := range c.QueryParams()["kind"] {
		for _, k := range strings.Split(k, ",") {
			if k = strings.TrimSpace(k); k != "" {
				f.Kinds = append(f.Kinds, invite.EventKind(k))
			}
		}
	}
	if err := q.err(); err != nil {
		return err
	}
	p, err := h.svc.Events(c.Request().Context(), f)
	if err != nil {
		return err
	}
	out := page[apiEvent]{Items: make([]apiEvent, len(p.Events)), NextCursor: numNext(p.Next)}
	for i, e := range p.Events {
		detail := e.Detail
		if len(detail) == 0 {
			detail = json.RawMessage("{}")
		}
		out.Items[i] = apiEvent{
			ID: e.ID, At: apiTime(e.At), Kind: string(e.Kind), CompanyID: e.CompanyID, Actor: string(e.Actor), ActorID: e.ActorID,
			ActorEmail: e.ActorEmail, Subject: string(e.Subject), SubjectID: e.SubjectID, Email: e.Email, Detail: detail,
		}
	}
	return writeJSON(c, http.StatusOK, out)
}
